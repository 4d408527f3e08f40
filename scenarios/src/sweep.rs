//! Parameter sweeps: `--set key=v1,v2,...` over dotted key paths of the scenario TOML (applied
//! before deserialising, so any field can be swept), the cartesian grid of all of them (the
//! first `--set` varies slowest), run in parallel with results in grid order whatever the
//! thread count.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;

use crate::output::{write_atomic, write_plot, OutputError, Series};
use crate::scenario::{Override, ScenarioError};
use crate::summary::Summary;

/// One swept key and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepParam {
    /// Dotted key path, e.g. `cooling.cdu.flow_kg_s`.
    pub key: String,
    /// The values, in the order given.
    pub values: Vec<toml::Value>,
}

impl SweepParam {
    /// Parse `key=v1,v2,...`; each value is read as TOML (number, bool, quoted string), plain
    /// text as a string. Values are split at commas, so arrays cannot be swept this way.
    pub fn parse(arg: &str) -> Result<SweepParam, ScenarioError> {
        let (key, values) = arg.split_once('=').ok_or_else(|| ScenarioError::Override {
            key: arg.to_owned(),
            message: "expected key=value1,value2,...".to_owned(),
        })?;
        let key = key.trim();
        crate::tomlpath::KeyPath::parse(key).map_err(|m| ScenarioError::Override {
            key: key.to_owned(),
            message: m,
        })?;
        if key.is_empty() || values.trim().is_empty() {
            return Err(ScenarioError::Override {
                key: arg.to_owned(),
                message: "expected key=value1,value2,... with a key and at least one value"
                    .to_owned(),
            });
        }
        Ok(SweepParam {
            key: key.to_owned(),
            values: values
                .split(',')
                .map(|v| Override::parse_value(v.trim()))
                .collect(),
        })
    }
}

/// The cartesian grid of `params`, first parameter slowest: one list of overrides per point.
pub fn grid(params: &[SweepParam]) -> Vec<Vec<Override>> {
    let mut points: Vec<Vec<Override>> = vec![Vec::new()];
    for p in params {
        points = points
            .into_iter()
            .flat_map(|pt| {
                p.values.iter().map(move |v| {
                    let mut q = pt.clone();
                    q.push(Override {
                        key: p.key.clone(),
                        value: v.clone(),
                    });
                    q
                })
            })
            .collect();
    }
    points
}

/// Read a grid file: a CSV whose header names the swept key paths and whose every further line
/// is one point (values read as by `--set`; blank lines and lines starting with `#` skipped).
/// Returns the parameters (each with its distinct values in order of appearance) and the points
/// in file order.
pub fn read_grid_file(path: &Path) -> Result<(Vec<SweepParam>, Vec<Vec<Override>>), ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Read {
        file: path.to_path_buf(),
        source: e,
    })?;
    let bad = |line: usize, message: String| ScenarioError::Override {
        key: format!("{}:{line}", path.display()),
        message,
    };
    let mut rows = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let Some((hline, header)) = rows.next() else {
        return Err(bad(
            1,
            "empty grid file: expected a header of key paths".into(),
        ));
    };
    let keys: Vec<String> = header.split(',').map(|k| k.trim().to_owned()).collect();
    for k in &keys {
        crate::tomlpath::KeyPath::parse(k).map_err(|m| bad(hline + 1, m))?;
        if k.is_empty() {
            return Err(bad(hline + 1, "empty key in the header".into()));
        }
    }
    let mut params: Vec<SweepParam> = keys
        .iter()
        .map(|k| SweepParam {
            key: k.clone(),
            values: Vec::new(),
        })
        .collect();
    let mut points = Vec::new();
    for (i, line) in rows {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != keys.len() {
            return Err(bad(
                i + 1,
                format!("{} values for {} keys", cells.len(), keys.len()),
            ));
        }
        let mut point = Vec::with_capacity(keys.len());
        for (p, cell) in params.iter_mut().zip(cells) {
            let value = Override::parse_value(cell);
            if !p.values.contains(&value) {
                p.values.push(value.clone());
            }
            point.push(Override {
                key: p.key.clone(),
                value,
            });
        }
        points.push(point);
    }
    if points.is_empty() {
        return Err(bad(hline + 1, "no grid points after the header".into()));
    }
    Ok((params, points))
}

/// Run every point through `run` on the current rayon pool; results in grid order.
pub fn run_points<T, F>(
    points: &[T],
    run: F,
    done: &(dyn Fn() + Sync),
) -> Vec<Result<Summary, String>>
where
    T: Sync,
    F: Fn(&T) -> Result<Summary, String> + Sync,
{
    points
        .par_iter()
        .map(|p| {
            let r = run(p);
            done();
            r
        })
        .collect()
}

/// A TOML value as a CSV cell (strings unquoted).
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Write `sweep.csv` (one row per point in grid order: swept values, every metric, error) and
/// one plot per metric in `plot_metrics` against the first swept parameter, one line per
/// combination of the others.
pub fn write_sweep(
    dir: &Path,
    params: &[SweepParam],
    points: &[Vec<Override>],
    results: &[Result<Summary, String>],
    plot_metrics: &[String],
) -> Result<Vec<String>, OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        file: dir.to_path_buf(),
        source,
    })?;
    let mut units: BTreeMap<String, String> = BTreeMap::new();
    for s in results.iter().flatten() {
        for (k, m) in &s.metrics {
            units.entry(k.clone()).or_insert_with(|| m.unit.clone());
        }
    }
    use sim_core::recorder::csv_field;
    write_atomic(&dir.join("sweep.csv"), |w| {
        let mut head: Vec<String> = params.iter().map(|p| csv_field(&p.key)).collect();
        head.extend(units.keys().map(|k| csv_field(k)));
        head.push("error".into());
        writeln!(w, "{}", head.join(","))?;
        for (pt, r) in points.iter().zip(results) {
            let mut row: Vec<String> = pt
                .iter()
                .map(|o| csv_field(&value_text(&o.value)))
                .collect();
            match r {
                Ok(s) => {
                    row.extend(
                        units
                            .keys()
                            .map(|k| s.get(k).map_or(String::new(), |v| v.to_string())),
                    );
                    row.push(String::new());
                }
                Err(e) => {
                    row.extend(units.keys().map(|_| String::new()));
                    row.push(csv_field(e));
                }
            }
            writeln!(w, "{}", row.join(","))?;
        }
        Ok(())
    })?;
    let mut plotted = Vec::new();
    let Some(first) = params.first() else {
        return Ok(plotted);
    };
    for metric in plot_metrics {
        let Some(unit) = units.get(metric) else {
            continue;
        };
        // One line per combination of the other swept keys, in order of first appearance.
        let mut lines: Vec<Series> = Vec::new();
        for (pt, r) in points.iter().zip(results) {
            let (Some(x_override), Ok(s)) = (pt.first(), r) else {
                continue;
            };
            let Some(y) = s.get(metric) else { continue };
            // Non-numeric values are placed at their position in the list of values.
            let x = x_override
                .value
                .as_float()
                .or_else(|| x_override.value.as_integer().map(|v| v as f64))
                .unwrap_or_else(|| {
                    first
                        .values
                        .iter()
                        .position(|v| *v == x_override.value)
                        .unwrap_or(0) as f64
                });
            let mut label = pt[1..]
                .iter()
                .map(|o| format!("{}={}", o.key, value_text(&o.value)))
                .collect::<Vec<_>>()
                .join(", ");
            if label.is_empty() {
                label = metric.clone();
            }
            match lines.iter_mut().find(|l| l.0 == label) {
                Some(l) => l.1.push((x, y)),
                None => lines.push((label, vec![(x, y)])),
            }
        }
        let series = lines;
        let stem = format!(
            "sweep_{}",
            metric.replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "_")
        );
        write_plot(
            dir,
            &stem,
            &format!("{metric} vs {}", first.key),
            &first.key,
            &format!("{metric} ({unit})"),
            &series,
        )?;
        plotted.push(stem);
    }
    Ok(plotted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_set_arguments() {
        let p = SweepParam::parse("cooling.cdu.flow_kg_s=1.5,2,\"x\",hot").expect("ok");
        assert_eq!(p.key, "cooling.cdu.flow_kg_s");
        assert_eq!(
            p.values,
            vec![
                toml::Value::Float(1.5),
                toml::Value::Integer(2),
                toml::Value::String("x".into()),
                toml::Value::String("hot".into())
            ]
        );
        assert!(SweepParam::parse("novalue").is_err());
        assert!(SweepParam::parse("a=").is_err());
        assert!(SweepParam::parse("a..b=1").is_err());
    }

    #[test]
    fn grid_files_give_points_in_file_order() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = dir.path().join("grid.csv");
        std::fs::write(&f, "# flow and supply\na.x, b\n1, hot\n2, cold\n1, cold\n").expect("w");
        let (params, points) = read_grid_file(&f).expect("reads");
        assert_eq!(points.len(), 3);
        assert_eq!(params[0].key, "a.x");
        assert_eq!(params[0].values.len(), 2);
        assert_eq!(points[2][1].value, toml::Value::String("cold".into()));
        std::fs::write(&f, "a,b\n1\n").expect("w");
        let e = read_grid_file(&f).expect_err("short row");
        assert!(e.to_string().contains("grid.csv:2"), "{e}");
    }

    #[test]
    fn grid_is_cartesian_first_parameter_slowest() {
        let a = SweepParam::parse("a=1,2").expect("ok");
        let b = SweepParam::parse("b=10,20,30").expect("ok");
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        let row = |i: usize| {
            (
                g[i][0].value.as_integer().expect("int"),
                g[i][1].value.as_integer().expect("int"),
            )
        };
        assert_eq!(row(0), (1, 10));
        assert_eq!(row(2), (1, 30));
        assert_eq!(row(3), (2, 10));
        assert_eq!(row(5), (2, 30));
    }

    #[allow(clippy::ptr_arg)] // signature fixed by `run_points` over `Vec<Override>` points
    fn fake(point: &Vec<Override>) -> Result<Summary, String> {
        let x: f64 = point
            .iter()
            .map(|o| o.value.as_integer().map_or(0.0, |v| v as f64))
            .sum();
        if x < 0.0 {
            return Err("negative".into());
        }
        let mut s = Summary::default();
        s.set("pue", 1.0 + x / 100.0, "-");
        Ok(s)
    }

    #[test]
    fn identical_with_one_and_two_threads_and_one_row_per_point() {
        let params = [
            SweepParam::parse("a=1,2,3").expect("ok"),
            SweepParam::parse("b=10,-100").expect("ok"),
        ];
        let points = grid(&params);
        let mut csvs = Vec::new();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let res = pool.install(|| run_points(&points, fake, &|| ()));
            let dir = tempfile::tempdir().expect("tmp");
            let plots =
                write_sweep(dir.path(), &params, &points, &res, &["pue".into()]).expect("write");
            assert_eq!(plots, vec!["sweep_pue".to_string()]);
            assert!(
                std::fs::metadata(dir.path().join("sweep_pue.svg"))
                    .expect("svg")
                    .len()
                    > 0
            );
            csvs.push(std::fs::read_to_string(dir.path().join("sweep.csv")).expect("csv"));
        }
        assert_eq!(csvs[0], csvs[1]);
        let lines: Vec<&str> = csvs[0].lines().collect();
        assert_eq!(lines.len(), 1 + 6);
        assert_eq!(lines[0], "a,b,pue,error");
        assert_eq!(lines[1], "1,10,1.11,");
        assert_eq!(lines[2], "1,-100,,negative");
    }
}
