//! The case library: scenario files in `scenarios/cases/*.toml` with a `[case]` header naming
//! the published figure they reproduce, its source and the accepted tolerance.

use std::path::{Path, PathBuf};

use crate::scenario::{load_scenario, CaseMeta, LoadedScenario, ScenarioError};
use crate::site;
use crate::summary::Summary;

/// The case files in `dir` (`*.toml`, sorted by file name).
pub fn case_files(dir: &Path) -> Result<Vec<PathBuf>, ScenarioError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ScenarioError::Read {
        file: dir.to_path_buf(),
        source: e,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// A case file and its loaded scenario, or why it could not be loaded.
pub type CaseEntry = (PathBuf, Result<LoadedScenario, String>);

/// Load every case file in `dir`: each result is the loaded case or why it failed. A file
/// without a `[case]` section is reported as an error.
pub fn load_cases(dir: &Path) -> Result<Vec<CaseEntry>, ScenarioError> {
    Ok(case_files(dir)?
        .into_iter()
        .map(|f| {
            let r = match load_scenario(&f, &[]) {
                Ok(l) => match &l.scenario.case {
                    None => Err("no [case] section: not a case file".to_owned()),
                    Some(c) => match &c.baseline {
                        Some(b) => load_baseline(&l, b).map(|_| l),
                        None => Ok(l),
                    },
                },
                Err(e) => Err(e.to_string()),
            };
            (f, r)
        })
        .collect())
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOutcome {
    /// The simulated value, if the metric was reported.
    pub simulated: Option<f64>,
    /// True when `|simulated - published| <= tolerance`.
    pub pass: bool,
}

/// Load a case's baseline scenario (`[case] baseline`, relative to the case file).
fn load_baseline(case: &LoadedScenario, baseline: &str) -> Result<LoadedScenario, String> {
    load_scenario(&case.base_dir.join(baseline), &[])
        .map_err(|e| format!("case.baseline = {baseline:?}: {e}"))
}

/// Check a run's summary against the case's published value; with a baseline summary the
/// simulated value is the change `case - baseline`.
pub fn check_case(meta: &CaseMeta, summary: &Summary, baseline: Option<&Summary>) -> CaseOutcome {
    let simulated = match baseline {
        None => summary.get(&meta.metric),
        Some(b) => summary
            .get(&meta.metric)
            .zip(b.get(&meta.metric))
            .map(|(v, b)| v - b),
    };
    let pass = simulated.is_some_and(|v| (v - meta.published_value).abs() <= meta.tolerance);
    CaseOutcome { simulated, pass }
}

/// Run a loaded case (and its baseline, with the same seed) and check it. The error names
/// what failed to load or run.
pub fn run_case(case: &LoadedScenario) -> Result<CaseOutcome, String> {
    let meta = case
        .scenario
        .case
        .as_ref()
        .ok_or_else(|| "no [case] section: not a case file".to_owned())?;
    let seed = case.scenario.run.seed;
    let run = |l: &LoadedScenario| {
        site::run(&l.scenario, &l.base_dir, seed, &|_| {})
            .map(|o| o.summary)
            .map_err(|e| format!("{}: {e}", l.file.display()))
    };
    let summary = run(case)?;
    let baseline = match &meta.baseline {
        Some(b) => Some(run(&load_baseline(case, b)?)?),
        None => None,
    };
    Ok(check_case(meta, &summary, baseline.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> CaseMeta {
        CaseMeta {
            claim: "c".into(),
            source: "s".into(),
            metric: "pue".into(),
            published_value: 1.10,
            tolerance: 0.05,
            assumptions: vec![],
            calibrated: false,
            baseline: None,
        }
    }

    #[test]
    fn pass_within_tolerance_only() {
        let mut s = Summary::default();
        s.set("pue", 1.14, "-");
        assert!(check_case(&meta(), &s, None).pass);
        s.set("pue", 1.16, "-");
        assert!(!check_case(&meta(), &s, None).pass);
        assert!(!check_case(&meta(), &Summary::default(), None).pass);
    }

    #[test]
    fn a_baseline_turns_the_metric_into_a_change() {
        let mut m = meta();
        m.published_value = -0.2;
        let mut s = Summary::default();
        s.set("pue", 1.10, "-");
        let mut b = Summary::default();
        b.set("pue", 1.30, "-");
        let o = check_case(&m, &s, Some(&b));
        assert!(o.pass);
        assert!((o.simulated.expect("value") + 0.2).abs() < 1e-12);
        assert!(!check_case(&m, &s, None).pass);
        // A metric the baseline lacks is a miss, not a pass.
        assert!(!check_case(&m, &s, Some(&Summary::default())).pass);
    }

    #[test]
    fn a_missing_baseline_file_is_named() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(
            dir.path().join("c.toml"),
            "name = \"c\"\n[case]\nclaim = \"x\"\nsource = \"y\"\nmetric = \"pue\"\npublished_value = 0.0\ntolerance = 0.1\nbaseline = \"nope.toml\"\n",
        )
        .expect("write");
        let cases = load_cases(dir.path()).expect("dir");
        let Err(e) = &cases[0].1 else {
            panic!("a missing baseline must be an error")
        };
        assert!(
            e.contains("case.baseline") && e.contains("nope.toml"),
            "{e}"
        );
    }

    #[test]
    fn lists_only_case_files_and_reports_non_cases() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(
            dir.path().join("b.toml"),
            "name = \"b\"\n[case]\nclaim = \"x\"\nsource = \"y\"\nmetric = \"pue\"\npublished_value = 1.1\ntolerance = 0.1\n",
        )
        .expect("write");
        std::fs::write(dir.path().join("a.toml"), "name = \"a\"\n").expect("write");
        std::fs::write(dir.path().join("notes.txt"), "x").expect("write");
        let cases = load_cases(dir.path()).expect("dir");
        assert_eq!(cases.len(), 2);
        assert!(cases[0].1.is_err());
        assert!(cases[1].1.is_ok());
    }
}
