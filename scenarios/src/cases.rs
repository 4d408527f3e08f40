//! The case library: scenario files in `scenarios/cases/*.toml` with a `[case]` header naming
//! the published figure they reproduce, its source and the accepted tolerance.

use std::path::{Path, PathBuf};

use crate::scenario::{load_scenario, CaseMeta, LoadedScenario, ScenarioError};
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
                Ok(l) if l.scenario.case.is_some() => Ok(l),
                Ok(_) => Err("no [case] section: not a case file".to_owned()),
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

/// Check a run's summary against the case's published value.
pub fn check_case(meta: &CaseMeta, summary: &Summary) -> CaseOutcome {
    let simulated = summary.get(&meta.metric);
    let pass = simulated.is_some_and(|v| (v - meta.published_value).abs() <= meta.tolerance);
    CaseOutcome { simulated, pass }
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
        }
    }

    #[test]
    fn pass_within_tolerance_only() {
        let mut s = Summary::default();
        s.set("pue", 1.14, "-");
        assert!(check_case(&meta(), &s).pass);
        s.set("pue", 1.16, "-");
        assert!(!check_case(&meta(), &s).pass);
        assert!(!check_case(&meta(), &Summary::default()).pass);
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
