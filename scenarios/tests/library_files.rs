//! Every built-in example (`examples/*.toml` at the workspace root) and every case file
//! (`scenarios/cases/*.toml`) must load and validate without errors; case files must carry a
//! `[case]` header with a non-empty source. The examples, the case bases and the benchmark
//! scenarios (`benches/scaling/*.toml`) must not even warn: a newcomer starts from them and the
//! benchmark figures are only meaningful for a site that is what it says.

use std::path::{Path, PathBuf};

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn examples_and_cases_validate() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let examples = toml_files(&manifest.join("..").join("examples"));
    let cases = toml_files(&manifest.join("cases"));
    let mut failures = Vec::new();
    for f in examples.iter().chain(&cases) {
        if let Err(e) = dctwin::load_scenario(f, &[]) {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    for f in &cases {
        if let Ok(l) = dctwin::load_scenario(f, &[]) {
            match &l.scenario.case {
                Some(c) if !c.source.trim().is_empty() => {}
                _ => failures.push(format!("{}: no [case] header with a source", f.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn test_data_scenarios_that_should_load_do() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data");
    for name in ["small.toml", "variant.toml"] {
        let l = dctwin::load_scenario(&data.join(name), &[]).expect("loads");
        assert_eq!(l.scenario.run.duration_h, 2.0);
    }
}

#[test]
fn examples_bases_and_benchmark_sites_have_no_warnings() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files: Vec<PathBuf> = [
        manifest.join("..").join("examples"),
        manifest.join("cases").join("base"),
        manifest.join("..").join("benches").join("scaling"),
    ]
    .iter()
    .flat_map(|d| toml_files(d))
    .collect();
    assert!(files.len() >= 5, "found only {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        match dctwin::load_scenario(f, &[]) {
            Ok(l) if l.warnings.is_empty() => {}
            Ok(l) => failures.push(format!("{}: {} warning(s)", f.display(), l.warnings.len())),
            Err(e) => failures.push(format!("{}: {e}", f.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
