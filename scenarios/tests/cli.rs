//! End-to-end tests of the `dctwin` command on the built binary.
//!
//! Tests that need the real site runner (`dctwin::site::run`) are marked

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join(name)
}

fn dctwin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dctwin"))
        .args(args)
        .output()
        .expect("the dctwin binary starts")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn help_shows_an_example() {
    let o = dctwin(&["--help"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(
        text.contains("Examples:") && text.contains("dctwin run"),
        "{text}"
    );
}

#[test]
fn a_valid_scenario_and_its_variant_validate() {
    for f in ["small.toml", "variant.toml"] {
        let o = dctwin(&["validate", path_str(&data(f))]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", stderr(&o));
        assert!(stdout(&o).contains("is valid"));
    }
}

#[test]
fn missing_file_exits_2_naming_the_file() {
    let o = dctwin(&["validate", "no/such/scenario.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no/such/scenario.toml"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn syntax_error_exits_2_with_file_line_and_column() {
    let o = dctwin(&["validate", path_str(&data("bad_syntax.toml"))]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("bad_syntax.toml:3:"), "{e}");
    assert!(e.contains("TOML syntax error"), "{e}");
}

#[test]
fn unknown_keys_exit_2_all_named_with_lines_in_one_report() {
    let o = dctwin(&["validate", path_str(&data("bad_unknown.toml"))]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("bad_unknown.toml:4: error: `run.durration_h`"),
        "{e}"
    );
    assert!(
        e.contains("bad_unknown.toml:6: error: `outputs.plotz`"),
        "{e}"
    );
    assert!(e.contains("unknown key"), "{e}");
}

#[test]
fn wrong_type_exits_2_naming_the_key() {
    let o = dctwin(&["validate", path_str(&data("bad_type.toml"))]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("bad_type.toml:3: error: `run.duration_h`"),
        "{e}"
    );
    assert!(e.contains("wrong type"), "{e}");
}

#[test]
fn impossible_values_exit_2_all_in_one_report() {
    let o = dctwin(&["validate", path_str(&data("bad_values.toml"))]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    for key in [
        "`run.duration_h`",
        "`run.control_interval_s`",
        "`faults[0].start_h`",
        "`faults[0].duration_h`",
    ] {
        assert!(e.contains(key), "{key} missing from: {e}");
    }
    assert!(e.contains("bad_values.toml:3:"), "{e}");
}

#[test]
fn model_section_errors_name_section_key_and_line() {
    let o = dctwin(&["validate", path_str(&data("bad_model.toml"))]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    for want in [
        "bad_model.toml:5: error: `weather.climate`",
        "bad_model.toml:6: error: `weather.bogus`",
        "bad_model.toml:9: error: `cooling.nonsense`",
        "bad_model.toml:17: error: `it.rows[1].racks`",
    ] {
        assert!(e.contains(want), "{want} missing from: {e}");
    }
}

#[test]
fn extends_cycle_exits_2() {
    let o = dctwin(&["validate", path_str(&data("cycle_a.toml"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("loops"), "{}", stderr(&o));
}

#[test]
fn bad_arguments_exit_2() {
    let small = data("small.toml");
    let o = dctwin(&["sweep", path_str(&small), "--set", "run.seed"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = dctwin(&["sweep", path_str(&small), "--set", "run.bogus=1,2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("run.bogus"), "{}", stderr(&o));
    let o = dctwin(&[
        "compare",
        path_str(&small),
        path_str(&small),
        "--replications",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = dctwin(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn schema_is_json_with_every_section() {
    let o = dctwin(&["schema"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    for k in [
        "run",
        "outputs",
        "weather",
        "it",
        "heat_rejection",
        "cooling",
        "power",
        "faults",
    ] {
        assert!(v["properties"].get(k).is_some(), "{k}");
    }
}

#[test]
fn run_writes_every_output_non_empty_and_deterministic() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut csvs = Vec::new();
    let mut summaries = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(threads);
        let o = Command::new(env!("CARGO_BIN_EXE_dctwin"))
            .args([
                "run",
                path_str(&data("small.toml")),
                "--out",
                path_str(&out),
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("starts");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        for f in [
            "timeseries.csv",
            "events.csv",
            "summary.json",
            "report.html",
        ] {
            let len = std::fs::metadata(out.join(f)).map(|m| m.len()).unwrap_or(0);
            assert!(len > 0, "{f} missing or empty");
        }
        let pngs = std::fs::read_dir(&out)
            .expect("dir")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "png"))
            })
            .count();
        assert!(pngs > 0, "no plots");
        let s: dctwin::Summary =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("read"))
                .expect("summary.json parses back into Summary");
        assert_eq!(s.meta.get("seed").map(String::as_str), Some("3"));
        csvs.push(std::fs::read(out.join("timeseries.csv")).expect("read"));
        summaries.push(std::fs::read(out.join("summary.json")).expect("read"));
    }
    // Byte-identical whatever the thread count.
    assert_eq!(csvs[0], csvs[1]);
    assert_eq!(summaries[0], summaries[1]);
}

#[test]
fn compare_of_a_scenario_with_itself_is_exactly_zero() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = data("small.toml");
    let o = dctwin(&[
        "compare",
        path_str(&f),
        path_str(&f),
        "--replications",
        "3",
        "--out",
        path_str(dir.path()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("compare.json")).expect("read"),
    )
    .expect("json");
    let rows = v["metrics"].as_array().expect("metrics");
    assert!(!rows.is_empty());
    for r in rows {
        assert_eq!(r["mean_diff"].as_f64(), Some(0.0), "{r}");
        assert_eq!(r["ci_low"].as_f64(), Some(0.0), "{r}");
        assert_eq!(r["ci_high"].as_f64(), Some(0.0), "{r}");
        assert_eq!(r["significant"].as_bool(), Some(false));
    }
}

#[test]
fn a_warmer_supply_setpoint_significantly_lowers_pue() {
    let dir = tempfile::tempdir().expect("tmp");
    let o = dctwin(&[
        "compare",
        path_str(&data("small.toml")),
        path_str(&data("warmer.toml")),
        "--replications",
        "4",
        "--out",
        path_str(dir.path()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("compare.json")).expect("read"),
    )
    .expect("json");
    let pue = v["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|r| r["metric"] == "pue")
        .expect("pue compared");
    assert!(pue["mean_diff"].as_f64().expect("diff") < 0.0, "{pue}");
    assert!(pue["ci_high"].as_f64().expect("ci") < 0.0, "{pue}");
    assert_eq!(pue["significant"].as_bool(), Some(true));
}

#[test]
fn sweep_is_identical_with_one_and_two_threads() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut csvs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(threads);
        let o = dctwin(&[
            "sweep",
            path_str(&data("small.toml")),
            "--set",
            "run.seed=1,2",
            "--set",
            "run.control_interval_s=60,300",
            "--threads",
            threads,
            "--out",
            path_str(&out),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        csvs.push(std::fs::read_to_string(out.join("sweep.csv")).expect("read"));
    }
    assert_eq!(csvs[0], csvs[1]);
    assert_eq!(csvs[0].lines().count(), 1 + 4);
}

/// Write `body` as a variant of `tests/data/small.toml` in a temporary folder.
fn variant_of_small(body: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("v.toml");
    let text = format!(
        "extends = {:?}\nname = \"v\"\n{body}",
        path_str(&data("small.toml"))
    );
    std::fs::write(&f, text).expect("write");
    (dir, f)
}

/// Regression (found by fuzzing the quickstart): a control interval or run length that rounds to
/// zero microseconds passed validation and then failed inside the runner with exit code 1; a
/// run of 11,000 years passed with a warning and ran for days.
#[test]
fn interval_that_rounds_to_zero_microseconds_exits_2_not_1() {
    for (body, key) in [
        (
            "run.control_interval_s = 1e-300\n",
            "`run.control_interval_s`",
        ),
        ("run.duration_h = 1e-300\n", "`run.duration_h`"),
        ("run.duration_h = 1e300\n", "`run.duration_h`"),
        ("run.duration_h = 99999999\n", "`run.duration_h`"),
    ] {
        let (_d, f) = variant_of_small(body);
        let o = dctwin(&[
            "run",
            path_str(&f),
            "--out",
            path_str(&f.with_extension("out")),
        ]);
        assert_eq!(o.status.code(), Some(2), "{body}: {}", stderr(&o));
        assert!(stderr(&o).contains(key), "{body}: {}", stderr(&o));
    }
}

/// Regression (found by fuzzing the quickstart): `nodes_per_rack = 99999999` passed validation
/// with a warning and the run then tried to build a billion nodes (it hung, allocating).
#[test]
fn absurd_node_counts_are_refused_before_anything_is_allocated() {
    let (_d, f) =
        variant_of_small("[[it.rows]]\nname = \"huge\"\nracks = 20\nnodes_per_rack = 99999999\n");
    let o = dctwin(&["validate", path_str(&f)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("nodes_per_rack") && e.contains("at most 1024"),
        "{e}"
    );
}

/// Regression (found by fuzzing the quickstart): a training-burst interval of 1e-300 h passed
/// validation and the run hung generating jobs.
#[test]
fn arrival_rates_beyond_any_site_are_refused() {
    let (_d, f) = variant_of_small(
        "[[it.workload.sources]]\nkind = \"training_bursts\"\nmean_interval_h = 1e-300\n\n\
         [[it.workload.sources]]\nkind = \"poisson\"\nmean_rate_per_h = 1e9\n",
    );
    let o = dctwin(&["validate", path_str(&f)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("mean_interval_h") && e.contains("mean_rate_per_h"),
        "{e}"
    );
}

#[test]
fn list_equipment_prints_one_based_names() {
    let q = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/quickstart.toml");
    let o = dctwin(&["list", "equipment", path_str(&q)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for name in [
        "crah-1",
        "cdu-2",
        "fw-pump-1",
        "chw.chiller-2",
        "fw.dry-cooler-1",
        "utility",
    ] {
        assert!(text.lines().any(|l| l == name), "{name} in {text}");
    }
    assert!(!text.lines().any(|l| l == "crah-0"));
}

#[test]
fn an_unknown_fault_target_fails_validate_with_exit_2_and_the_valid_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let q = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/quickstart.toml");
    let f = dir.path().join("bad.toml");
    std::fs::write(
        &f,
        format!(
            "extends = {:?}\n[[faults]]\nkind = \"crah_failure\"\ncomponent = \"crah99\"\nstart_h = 1.0\nduration_h = 1.0\n",
            path_str(&q)
        ),
    )
    .expect("write");
    let o = dctwin(&["validate", path_str(&f)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("faults[0].component") && e.contains("crah-1, crah-2, crah-3"),
        "{e}"
    );
}

/// `dctwin schema | head -1` panicked with exit 101 on the closed pipe.
#[test]
fn a_closed_pipe_ends_quietly_instead_of_panicking() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dctwin"))
        .arg("schema")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    // Close the reading end before the child has written anything (it is still starting).
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}
