//! Writing the results of a run: `timeseries.csv`, `events.csv`, `summary.json`, the resolved
//! `scenario.toml`, PNG and SVG plots, and `report.html`.
//!
//! Every file is first written under a temporary name (`.partial-NAME`) in the output folder
//! and renamed when complete, so an interrupted run never leaves a file that looks finished.
//! Which recorder columns go into which plot is decided by name patterns, all in
//! [`PLOT_GROUPS`].

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::scenario::Scenario;
use crate::site::RunOutput;
use crate::summary::Summary;

/// Errors writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be written.
    #[error("cannot write {}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A plot could not be drawn.
    #[error("cannot draw plot {}: {message}", file.display())]
    Plot {
        /// The file.
        file: PathBuf,
        /// Why.
        message: String,
    },
    /// A value could not be serialised.
    #[error("cannot serialise {what}: {message}")]
    Serialize {
        /// What.
        what: String,
        /// Why.
        message: String,
    },
}

/// A plot of every recorder column whose name matches one of `patterns`.
#[derive(Debug, Clone, Copy)]
pub struct PlotGroup {
    /// File stem: the plot is written as `STEM.svg` and `STEM.png`.
    pub file_stem: &'static str,
    /// Chart title.
    pub title: &'static str,
    /// Y axis label with unit.
    pub y_label: &'static str,
    /// Column name patterns; `*` matches any run of characters.
    pub patterns: &'static [&'static str],
}

/// The plots of a run and which recorder columns each shows, by name pattern. A plot is drawn
/// only when at least one column matches. Column names follow the unit-suffix convention
/// (`it_power_kw`, `chip_temp_c`, `battery_soc`, `queue_length`).
pub const PLOT_GROUPS: &[PlotGroup] = &[
    PlotGroup {
        file_stem: "power_stack",
        title: "Power: IT, cooling, losses, battery, PV, grid",
        y_label: "power (kW)",
        patterns: &["*_kw"],
    },
    PlotGroup {
        file_stem: "temperatures",
        title: "Temperatures: chip, rack inlet, supply and return water",
        y_label: "temperature (degC)",
        patterns: &["*_c"],
    },
    PlotGroup {
        file_stem: "pue",
        title: "PUE over time",
        y_label: "PUE (-)",
        patterns: &["pue", "pue_*", "*_pue"],
    },
    PlotGroup {
        file_stem: "battery_soc",
        title: "Battery state of charge",
        y_label: "SoC (-)",
        patterns: &["*soc*"],
    },
    PlotGroup {
        file_stem: "queue_length",
        title: "Job queue length",
        y_label: "jobs",
        patterns: &["*queue*"],
    },
];

/// True when `name` matches `pattern`, where `*` matches any (possibly empty) run of characters.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

fn io_err(file: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        file: file.to_path_buf(),
        source,
    }
}

/// The temporary name a file is written under before it is renamed into place.
pub fn partial_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".partial-{name}"))
}

/// Write `path` through `write` under a temporary name, then rename it into place.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), OutputError> {
    let tmp = partial_name(path);
    let file = fs::File::create(&tmp).map_err(io_err(path))?;
    let mut w = BufWriter::new(file);
    write(&mut w).map_err(io_err(path))?;
    w.flush().map_err(io_err(path))?;
    drop(w);
    fs::rename(&tmp, path).map_err(io_err(path))
}

/// One line of a chart: label and (x, y) points.
pub type Series = (String, Vec<(f64, f64)>);

fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let finite = |v: f64| v.is_finite();
    let xs = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.0))
        .filter(|v| finite(*v));
    let ys = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.1))
        .filter(|v| finite(*v));
    let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (mut y0, mut y1) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !x0.is_finite() || !x1.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    if !y0.is_finite() || !y1.is_finite() {
        (y0, y1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let pad = ((y1 - y0) * 0.05).max(1e-9 * y1.abs().max(1.0));
    let (y0, y1) = (y0 - pad, y1 + pad);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, (name, pts)) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                pts.iter().copied().filter(|p| finite(p.0) && finite(p.1)),
                color.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
    }
    if !series.is_empty() {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// Draw `series` as `STEM.svg` and `STEM.png` in `dir`; returns the SVG text.
pub fn write_plot(
    dir: &Path,
    stem: &str,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Result<String, OutputError> {
    const SIZE: (u32, u32) = (960, 540);
    let svg_path = dir.join(format!("{stem}.svg"));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw_chart(&root, title, x_label, y_label, series).map_err(|message| {
            OutputError::Plot {
                file: svg_path.clone(),
                message,
            }
        })?;
    }
    write_atomic(&svg_path, |w| w.write_all(svg.as_bytes()))?;
    let png_path = dir.join(format!("{stem}.png"));
    let tmp = partial_name(&png_path);
    {
        let root = BitMapBackend::new(&tmp, SIZE).into_drawing_area();
        draw_chart(&root, title, x_label, y_label, series).map_err(|message| {
            OutputError::Plot {
                file: png_path.clone(),
                message,
            }
        })?;
    }
    fs::rename(&tmp, &png_path).map_err(io_err(&png_path))?;
    Ok(svg)
}

/// Draw every [`PLOT_GROUPS`] entry that has matching columns; returns `(stem, svg)` pairs.
pub fn write_run_plots(
    dir: &Path,
    recorder: &sim_core::Recorder,
) -> Result<Vec<(String, String)>, OutputError> {
    let hours: Vec<f64> = recorder.times().iter().map(|t| t.as_hours_f64()).collect();
    let mut out = Vec::new();
    for g in PLOT_GROUPS {
        let series: Vec<Series> = recorder
            .names()
            .iter()
            .filter(|n| g.patterns.iter().any(|p| glob_match(p, n)))
            .filter_map(|n| {
                let col = recorder.column(n)?;
                Some((n.clone(), hours.iter().copied().zip(col).collect()))
            })
            .collect();
        if series.is_empty() {
            continue;
        }
        let svg = write_plot(dir, g.file_stem, g.title, "time (h)", g.y_label, &series)?;
        out.push((g.file_stem.to_owned(), svg));
    }
    Ok(out)
}

/// Escape text for HTML.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained HTML report: the summary table and the SVG plots inline.
pub fn report_html(title: &str, summary: &Summary, plots: &[(String, String)]) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    h.push_str(&html_escape(title));
    h.push_str("</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}td.v{text-align:right}</style></head><body>\n<h1>");
    h.push_str(&html_escape(title));
    h.push_str("</h1>\n<h2>Run</h2>\n<table>\n");
    for (k, v) in &summary.meta {
        h.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            html_escape(k),
            html_escape(v)
        ));
    }
    h.push_str("</table>\n<h2>Metrics</h2>\n<table>\n<tr><th>metric</th><th>value</th><th>unit</th></tr>\n");
    for (k, m) in &summary.metrics {
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"v\">{}</td><td>{}</td></tr>\n",
            html_escape(k),
            format_value(m.value),
            html_escape(&m.unit)
        ));
    }
    h.push_str("</table>\n");
    for (stem, svg) in plots {
        h.push_str(&format!("<h2>{}</h2>\n", html_escape(stem)));
        // Strip any XML prolog so the SVG can be inlined.
        let body = svg.find("<svg").map_or(svg.as_str(), |i| &svg[i..]);
        h.push_str(body);
        h.push('\n');
    }
    h.push_str("</body></html>\n");
    h
}

/// A number for tables: up to 6 significant digits, plain notation where reasonable.
pub fn format_value(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let mag = v.abs().log10().floor() as i32;
    if (-4..9).contains(&mag) {
        let decimals = (5 - mag).clamp(0, 10) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.5e}")
    }
}

/// The summary as an aligned text table (metric, value, unit).
pub fn summary_table(summary: &Summary) -> String {
    let w = summary
        .metrics
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(6)
        .max(6);
    let mut s = format!("{:<w$}  {:>14}  unit\n", "metric", "value");
    for (k, m) in &summary.metrics {
        s.push_str(&format!(
            "{k:<w$}  {:>14}  {}\n",
            format_value(m.value),
            m.unit
        ));
    }
    s
}

/// The metrics `dctwin run` prints, in this order, when the run reports them; the rest are in
/// `summary.json` and `report.html`.
pub const HEADLINE_METRICS: &[&str] = &[
    "pue",
    "it_energy_kwh",
    "facility_energy_kwh",
    "peak_demand_kw",
    "max_chip_c",
    "max_inlet_c",
    "wue_l_per_kwh",
    "cue_kg_per_kwh",
    "renewable_share",
    "total_cost",
    "jobs_completed",
    "mean_wait_s",
];

/// A short table of the [`HEADLINE_METRICS`] present (all metrics when none is), plus how many
/// more there are.
pub fn headline_table(summary: &Summary) -> String {
    let mut short = Summary::default();
    for name in HEADLINE_METRICS {
        if let Some(m) = summary.metrics.get(*name) {
            short.metrics.insert((*name).to_owned(), m.clone());
        }
    }
    if short.metrics.is_empty() {
        return summary_table(summary);
    }
    // Keep the headline order rather than alphabetical.
    let w = HEADLINE_METRICS.iter().map(|n| n.len()).max().unwrap_or(6);
    let mut s = format!("{:<w$}  {:>14}  unit\n", "metric", "value");
    for name in HEADLINE_METRICS {
        if let Some(m) = short.metrics.get(*name) {
            s.push_str(&format!(
                "{name:<w$}  {:>14}  {}\n",
                format_value(m.value),
                m.unit
            ));
        }
    }
    let more = summary.metrics.len() - short.metrics.len();
    if more > 0 {
        s.push_str(&format!(
            "({more} more metrics in summary.json and report.html)\n"
        ));
    }
    s
}

/// Write everything a run produces into `dir` (created if missing); returns the files written.
/// The summary's metadata gains the scenario name and hash, the seed and the dctwin version.
pub fn write_run_outputs(
    dir: &Path,
    scenario: &Scenario,
    seed: u64,
    out: &mut RunOutput,
) -> Result<Vec<PathBuf>, OutputError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let ser = |e: crate::scenario::ScenarioError| OutputError::Serialize {
        what: "scenario".into(),
        message: e.to_string(),
    };
    let resolved = scenario.to_toml().map_err(ser)?;
    let hash = scenario.hash_hex().map_err(ser)?;
    let meta = &mut out.summary.meta;
    meta.insert("scenario".into(), scenario.name.clone());
    meta.insert("scenario_hash".into(), hash);
    meta.insert("seed".into(), seed.to_string());
    meta.insert("dctwin_version".into(), env!("CARGO_PKG_VERSION").into());
    let mut files = Vec::new();
    let path = dir.join("scenario.toml");
    write_atomic(&path, |w| w.write_all(resolved.as_bytes()))?;
    files.push(path);
    let path = dir.join("timeseries.csv");
    write_atomic(&path, |w| out.recorder.write_timeseries_csv(w))?;
    files.push(path);
    if scenario.outputs.events {
        let path = dir.join("events.csv");
        write_atomic(&path, |w| out.recorder.write_events_csv(w))?;
        files.push(path);
    }
    let json = serde_json::to_value(&out.summary).map_err(|e| OutputError::Serialize {
        what: "summary".into(),
        message: e.to_string(),
    })?;
    let path = dir.join("summary.json");
    write_atomic(&path, |w| sim_core::recorder::write_summary_json(w, &json))?;
    files.push(path);
    let plots = if scenario.outputs.plots {
        let p = write_run_plots(dir, &out.recorder)?;
        for (stem, _) in &p {
            files.push(dir.join(format!("{stem}.svg")));
            files.push(dir.join(format!("{stem}.png")));
        }
        p
    } else {
        Vec::new()
    };
    let html = report_html(
        &format!("dctwin report: {}", scenario.name),
        &out.summary,
        &plots,
    );
    let path = dir.join("report.html");
    write_atomic(&path, |w| w.write_all(html.as_bytes()))?;
    files.push(path);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{SimDuration, SimTime};

    #[test]
    fn globs_match_as_documented() {
        assert!(glob_match("*_kw", "it_power_kw"));
        assert!(!glob_match("*_kw", "it_power_w"));
        assert!(glob_match("*soc*", "battery_soc"));
        assert!(glob_match("pue", "pue"));
        assert!(!glob_match("pue", "pue_hourly"));
        assert!(glob_match("a*b*c", "a-xb-yc"));
        assert!(!glob_match("a*b*c", "ac"));
    }

    fn fake_output() -> RunOutput {
        let names = [
            "it_power_kw",
            "cooling_power_kw",
            "chip_temp_c",
            "pue",
            "battery_soc",
        ];
        let mut rec = sim_core::Recorder::new(
            SimDuration::from_secs(60),
            names.iter().map(|s| s.to_string()).collect(),
        );
        for i in 0..30u32 {
            let x = f64::from(i);
            rec.record(
                SimTime::from_secs(60 * u64::from(i)),
                &[
                    100.0 + x,
                    20.0 + 0.5 * x,
                    60.0 + 0.1 * x,
                    1.2 + 0.001 * x,
                    0.5,
                ],
            )
            .expect("width");
        }
        rec.log_event(SimTime::from_secs(600), "chiller-1", "trip", "fault".into());
        let mut summary = Summary::default();
        summary.set("pue", 1.21, "-");
        summary.set("it_energy_kwh", 55.5, "kWh");
        RunOutput {
            recorder: rec,
            summary,
        }
    }

    #[test]
    fn run_outputs_are_complete_and_summary_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut out = fake_output();
        let sc = Scenario::default();
        let files = write_run_outputs(dir.path(), &sc, 7, &mut out).expect("write");
        for f in &files {
            let len = fs::metadata(f).expect("exists").len();
            assert!(len > 0, "{} is empty", f.display());
        }
        for stem in ["power_stack", "temperatures", "pue", "battery_soc"] {
            assert!(dir.path().join(format!("{stem}.png")).is_file());
            assert!(dir.path().join(format!("{stem}.svg")).is_file());
        }
        // No queue column, so no queue plot; no temporary files left behind.
        assert!(!dir.path().join("queue_length.svg").exists());
        for e in fs::read_dir(dir.path()).expect("dir") {
            let name = e.expect("entry").file_name();
            assert!(!name.to_string_lossy().starts_with(".partial-"));
        }
        let text = fs::read_to_string(dir.path().join("summary.json")).expect("read");
        let back: Summary = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, out.summary);
        assert_eq!(back.meta["seed"], "7");
        assert_eq!(back.meta["scenario_hash"].len(), 16);
        let html = fs::read_to_string(dir.path().join("report.html")).expect("read");
        assert!(html.contains("<svg") && html.contains("it_energy_kwh"));
        let events = fs::read_to_string(dir.path().join("events.csv")).expect("read");
        assert!(events.contains("chiller-1,trip"));
    }

    #[test]
    fn headline_table_is_short_and_ordered() {
        let mut s = Summary::default();
        s.set("zeta", 1.0, "-");
        assert!(headline_table(&s).contains("zeta"));
        s.set("it_energy_kwh", 10.0, "kWh");
        s.set("pue", 1.3, "-");
        let t = headline_table(&s);
        assert!(!t.contains("zeta"));
        assert!(t.find("pue") < t.find("it_energy_kwh"));
        assert!(t.contains("(1 more metrics"));
    }

    #[test]
    fn values_format_compactly() {
        assert_eq!(format_value(1.23456789), "1.23457");
        assert_eq!(format_value(12345.678), "12345.7");
        assert_eq!(format_value(0.0), "0");
        assert_eq!(format_value(1.5e12), "1.50000e12");
    }
}
