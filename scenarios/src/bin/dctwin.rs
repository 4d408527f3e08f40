//! The `dctwin` command: run, validate, compare and sweep scenarios, print the scenario schema,
//! and check the case library. Exit codes: 0 success, 1 a run failed or a case missed its
//! published value, 2 bad input (missing file, syntax error, unknown key, wrong type,
//! impossible value, bad arguments).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use dctwin::cases;
use dctwin::compare::{compare_with, replication_seeds};
use dctwin::output::{headline_table, write_run_outputs};
use dctwin::scenario::{json_schema, load_scenario, LoadedScenario, ScenarioError};
use dctwin::site;
use dctwin::sweep::{grid, read_grid_file, run_points, write_sweep, SweepParam};

const EXAMPLES: &str = "\
Examples:
  dctwin run examples/quickstart.toml --out out/quickstart
  dctwin validate examples/quickstart.toml
  dctwin compare base.toml policy.toml --replications 10 --out out/ab
  dctwin sweep base.toml --set cooling.liquid.tcs_supply_setpoint_c=30,35,40 --set run.seed=1,2 --threads 2
  dctwin cases check";

/// `print!` to standard output that ends the process quietly (exit 0) when the reader has
/// gone (`dctwin run ... | head -1`, `dctwin schema | head`) instead of panicking. Everything a
/// command writes to files is complete before it prints.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = write!(stdout, $($arg)*).and_then(|()| stdout.flush()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {{
        out!($($arg)*);
        out!("\n");
    }};
}

/// dctwin: a deterministic discrete-event digital twin of a data center.
#[derive(Parser, Debug)]
#[command(name = "dctwin", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run one scenario and write timeseries.csv, events.csv, summary.json, plots and report.html.
    #[command(
        after_help = "Example:\n  dctwin run examples/quickstart.toml --out out/quickstart --seed 7"
    )]
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Output folder (default: out/<scenario file stem>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Seed overriding the scenario's `run.seed`.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Check a scenario and report every problem at once (exit 2 if any error).
    #[command(after_help = "Example:\n  dctwin validate examples/quickstart.toml")]
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
    /// Print the JSON Schema of scenario files.
    Schema,
    /// A/B comparison with common random numbers: the same N seeds for both scenarios.
    #[command(
        after_help = "Example:\n  dctwin compare base.toml policy.toml --replications 10 --out out/ab"
    )]
    Compare {
        /// Scenario A.
        a: PathBuf,
        /// Scenario B (differences are B - A).
        b: PathBuf,
        /// Number of paired replications (seeds A's run.seed, +1, ...).
        #[arg(long, default_value_t = 10)]
        replications: usize,
        /// Output folder for compare.csv and compare.json (default: out/compare).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Run a parameter grid: every combination of the --set values.
    #[command(
        after_help = "Example:\n  dctwin sweep base.toml --set cooling.liquid.rack_design_flow_kg_s=0.5,1,1.5 --set cooling.liquid.tcs_supply_setpoint_c=30,40 --plot-metric pue"
    )]
    Sweep {
        /// The base scenario file (TOML).
        scenario: PathBuf,
        /// `key=v1,v2,...`: a dotted key path of the scenario and its values (repeatable; the
        /// first varies slowest).
        #[arg(
            long = "set",
            required_unless_present = "grid",
            conflicts_with = "grid"
        )]
        sets: Vec<String>,
        /// A CSV grid file instead of --set: a header of key paths, then one point per line.
        #[arg(long)]
        grid: Option<PathBuf>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Output folder for sweep.csv and plots (default: out/sweep).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Metric plotted against the first swept key (repeatable; default: pue).
        #[arg(long = "plot-metric")]
        plot_metrics: Vec<String>,
        /// Seed overriding the scenario's `run.seed` at every point.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// The case library: scenarios that reproduce published figures.
    Cases {
        #[command(subcommand)]
        action: CasesAction,
    },
    /// List what a scenario or the tool knows by name.
    List {
        #[command(subcommand)]
        what: ListWhat,
    },
}

#[derive(Subcommand, Debug)]
enum ListWhat {
    /// Every unit of a scenario's site by its 1-based name (fault targets).
    #[command(after_help = "Example:\n  dctwin list equipment examples/quickstart.toml")]
    Equipment {
        /// The scenario file.
        scenario: PathBuf,
    },
    /// The fault kinds and the units each applies to.
    FaultKinds,
}

#[derive(Subcommand, Debug)]
enum CasesAction {
    /// List the cases with their published value and source.
    List {
        /// Folder of case files (default: scenarios/cases).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Run every case and compare with its published value (exit 1 on any miss).
    Check {
        /// Folder of case files (default: scenarios/cases).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(se) = e.downcast_ref::<ScenarioError>() {
                eprintln!("error: {se}");
                ExitCode::from(2)
            } else {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run {
            scenario,
            out,
            seed,
        } => cmd_run(&scenario, out, seed),
        Command::Validate { scenario } => {
            let l = load(&scenario)?;
            outln!(
                "{}: scenario `{}` is valid ({} warning(s))",
                scenario.display(),
                l.scenario.name,
                l.warnings.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            outln!("{}", serde_json::to_string_pretty(&json_schema())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Compare {
            a,
            b,
            replications,
            out,
            threads,
        } => cmd_compare(&a, &b, replications, out, threads),
        Command::Sweep {
            scenario,
            sets,
            grid,
            threads,
            out,
            plot_metrics,
            seed,
        } => cmd_sweep(&scenario, &sets, grid, threads, out, plot_metrics, seed),
        Command::List { what } => match what {
            ListWhat::Equipment { scenario } => {
                let l = load(&scenario)?;
                for name in dctwin::site::equipment_names(&l.scenario) {
                    outln!("{name}");
                }
                Ok(ExitCode::SUCCESS)
            }
            ListWhat::FaultKinds => {
                for k in dctwin::scenario::FaultKind::ALL {
                    outln!("{}", k.name());
                }
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Cases { action } => match action {
            CasesAction::List { dir } => cmd_cases_list(&cases_dir(dir)),
            CasesAction::Check { dir, threads } => cmd_cases_check(&cases_dir(dir), threads),
        },
    }
}

/// Load and validate, printing warnings; scenario errors propagate (exit 2).
fn load(path: &Path) -> Result<LoadedScenario> {
    let l = load_scenario(path, &[])?;
    for w in &l.warnings {
        eprintln!("{w}");
    }
    Ok(l)
}

/// On Ctrl-C, say what was written to `dir` and stop with exit code 130. Every output is
/// written under a `.partial-` name and renamed when complete, so the files listed are whole.
fn stop_cleanly_on_interrupt(dir: &Path) {
    let dir = dir.to_path_buf();
    let installed = ctrlc::set_handler(move || {
        let mut done: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with(".partial-"))
                    .collect()
            })
            .unwrap_or_default();
        done.sort();
        if done.is_empty() {
            eprintln!(
                "\ninterrupted: nothing complete was written to {}",
                dir.display()
            );
        } else {
            eprintln!(
                "\ninterrupted: complete files in {}: {} (unfinished files keep a .partial- prefix)",
                dir.display(),
                done.join(", ")
            );
        }
        std::process::exit(130);
    });
    if let Err(e) = installed {
        eprintln!("warning: Ctrl-C handler not installed: {e}");
    }
}

fn progress_bar(len: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    let style = ProgressStyle::with_template("{msg} [{bar:40}] {percent:>3}% eta {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar.set_message(what.to_owned());
    bar
}

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(ScenarioError::Override {
                key: "--threads".into(),
                message: "must be at least 1".into(),
            }
            .into());
        }
        b = b.num_threads(n);
    }
    b.build().context("cannot start the worker threads")
}

fn default_out(path: &Path, fallback: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| fallback.to_owned());
    PathBuf::from("out").join(stem)
}

fn cmd_run(path: &Path, out: Option<PathBuf>, seed: Option<u64>) -> Result<ExitCode> {
    let mut l = load(path)?;
    // A --seed override is part of the resolved scenario (and so of its hash).
    let seed = seed.unwrap_or(l.scenario.run.seed);
    l.scenario.run.seed = seed;
    let dir = out.unwrap_or_else(|| default_out(path, "run"));
    stop_cleanly_on_interrupt(&dir);
    let bar = progress_bar(1000, "run");
    let progress = |f: f64| bar.set_position((f.clamp(0.0, 1.0) * 1000.0) as u64);
    let result = site::run(&l.scenario, &l.base_dir, seed, &progress);
    bar.finish_and_clear();
    let mut output =
        result.map_err(|e| anyhow::anyhow!("run of {} failed: {e}", path.display()))?;
    let files = write_run_outputs(&dir, &l.scenario, seed, &mut output)?;
    out!("{}", headline_table(&output.summary));
    outln!("wrote {} files to {}", files.len(), dir.display());
    Ok(ExitCode::SUCCESS)
}

fn cmd_compare(
    a: &Path,
    b: &Path,
    replications: usize,
    out: Option<PathBuf>,
    threads: Option<usize>,
) -> Result<ExitCode> {
    if replications == 0 {
        return Err(ScenarioError::Override {
            key: "--replications".into(),
            message: "must be at least 1 (2 or more for a confidence interval)".into(),
        }
        .into());
    }
    let la = load(a)?;
    let lb = load(b)?;
    let seeds = replication_seeds(la.scenario.run.seed, replications);
    let dir = out.unwrap_or_else(|| PathBuf::from("out").join("compare"));
    stop_cleanly_on_interrupt(&dir);
    let bar = progress_bar(2 * replications as u64, "compare");
    let run = |sc: &dctwin::Scenario, seed: u64| {
        let base = if std::ptr::eq(sc, &la.scenario) {
            &la.base_dir
        } else {
            &lb.base_dir
        };
        site::run(sc, base, seed, &|_| {})
            .map(|o| o.summary)
            .map_err(|e| format!("{} with seed {seed}: {e}", sc.name))
    };
    let done = || bar.inc(1);
    let result =
        pool(threads)?.install(|| compare_with(&la.scenario, &lb.scenario, &seeds, run, &done));
    bar.finish_and_clear();
    let cmp = result.map_err(|e| anyhow::anyhow!("run failed: {e}"))?;
    out!("{}", cmp.table());
    cmp.write(&dir)?;
    outln!("wrote compare.csv and compare.json to {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)] // one per command-line option
fn cmd_sweep(
    path: &Path,
    sets: &[String],
    grid_file: Option<PathBuf>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    plot_metrics: Vec<String>,
    seed: Option<u64>,
) -> Result<ExitCode> {
    let (params, points) = match grid_file {
        Some(f) => read_grid_file(&f)?,
        None => {
            let params: Vec<SweepParam> = sets
                .iter()
                .map(|s| SweepParam::parse(s))
                .collect::<Result<_, _>>()?;
            let points = grid(&params);
            (params, points)
        }
    };
    // Validate every point before running any.
    let mut loaded = Vec::with_capacity(points.len());
    let mut bad = Vec::new();
    for (i, pt) in points.iter().enumerate() {
        match load_scenario(path, pt) {
            Ok(mut l) => {
                if let Some(s) = seed {
                    l.scenario.run.seed = s;
                }
                loaded.push(l);
            }
            Err(e) => bad.push(format!("grid point {i}: {e}")),
        }
    }
    if let Some(first) = bad.first() {
        eprintln!("{}", bad.join("\n"));
        // Report the first as the typed error so the exit code is 2.
        return Err(ScenarioError::Override {
            key: params
                .iter()
                .map(|p| p.key.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            message: format!(
                "{} of {} grid points are invalid; first: {first}",
                bad.len(),
                points.len()
            ),
        }
        .into());
    }
    let dir = out.unwrap_or_else(|| PathBuf::from("out").join("sweep"));
    stop_cleanly_on_interrupt(&dir);
    let bar = progress_bar(points.len() as u64, "sweep");
    let run = |l: &LoadedScenario| {
        site::run(&l.scenario, &l.base_dir, l.scenario.run.seed, &|_| {})
            .map(|o| o.summary)
            .map_err(|e| e.to_string())
    };
    let done = || bar.inc(1);
    let results = pool(threads)?.install(|| run_points(&loaded, run, &done));
    bar.finish_and_clear();
    let metrics = if plot_metrics.is_empty() {
        vec!["pue".to_owned()]
    } else {
        plot_metrics
    };
    let plots = write_sweep(&dir, &params, &points, &results, &metrics)?;
    let failed = results.iter().filter(|r| r.is_err()).count();
    outln!(
        "{} grid points ({} failed); wrote sweep.csv and {} plot(s) to {}",
        points.len(),
        failed,
        plots.len(),
        dir.display()
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn cases_dir(dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(|| {
        let local = PathBuf::from("scenarios").join("cases");
        if local.is_dir() {
            local
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
        }
    })
}

fn cmd_cases_list(dir: &Path) -> Result<ExitCode> {
    let all = cases::load_cases(dir)?;
    let mut bad = 0;
    for (file, r) in &all {
        match r {
            Ok(l) => {
                if let Some(c) = &l.scenario.case {
                    let metric = match &c.baseline {
                        Some(b) => format!("change in {} vs {b}", c.metric),
                        None => c.metric.clone(),
                    };
                    outln!(
                        "{:<34} {} = {} +/- {}{}\n    {}\n    source: {}",
                        l.scenario.name,
                        metric,
                        c.published_value,
                        c.tolerance,
                        if c.calibrated { " (calibrated)" } else { "" },
                        c.claim,
                        c.source
                    );
                }
            }
            Err(e) => {
                bad += 1;
                eprintln!("{}: {e}", file.display());
            }
        }
    }
    if bad > 0 {
        bail!(ScenarioError::InvalidCases {
            dir: dir.to_path_buf(),
            count: bad,
        });
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_cases_check(dir: &Path, threads: Option<usize>) -> Result<ExitCode> {
    use rayon::prelude::*;
    let all = cases::load_cases(dir)?;
    // Run every valid case in parallel; results are printed in file order.
    let bar = progress_bar(all.len() as u64, "cases");
    let outcomes: Vec<Option<(cases::CaseOutcome, String)>> = pool(threads)?.install(|| {
        all.par_iter()
            .map(|(_, r)| {
                let l = r.as_ref().ok()?;
                l.scenario.case.as_ref()?;
                let out = match cases::run_case(l) {
                    Ok(o) => (o, String::new()),
                    Err(e) => (
                        cases::CaseOutcome {
                            simulated: None,
                            pass: false,
                        },
                        format!(" ({e})"),
                    ),
                };
                bar.inc(1);
                Some(out)
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut misses = 0;
    outln!(
        "{:<34} {:<26} {:>12} {:>12} {:>10}  result",
        "case",
        "metric",
        "published",
        "simulated",
        "tolerance"
    );
    for ((file, r), outcome) in all.iter().zip(&outcomes) {
        let l = match r {
            Ok(l) => l,
            Err(e) => {
                misses += 1;
                outln!("{:<28} invalid: {e}", file.display());
                continue;
            }
        };
        let (Some(c), Some((oc, note))) = (&l.scenario.case, outcome) else {
            continue;
        };
        if !oc.pass {
            misses += 1;
        }
        let metric = match &c.baseline {
            Some(_) => format!("change in {}", c.metric),
            None => c.metric.clone(),
        };
        outln!(
            "{:<34} {:<26} {:>12} {:>12} {:>10}  {}{note}",
            l.scenario.name,
            metric,
            c.published_value,
            oc.simulated
                .map_or_else(|| "-".to_owned(), dctwin::output::format_value),
            c.tolerance,
            if oc.pass { "pass" } else { "MISS" }
        );
    }
    outln!("{} case(s), {misses} miss(es)", all.len());
    Ok(if misses > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
