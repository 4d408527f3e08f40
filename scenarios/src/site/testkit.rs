//! Shared builders for the site's tests: the quickstart scenario with overrides, run to a
//! summary and the time-series bytes.

use std::path::{Path, PathBuf};

use super::{run, RunOutput, SiteError};
use crate::scenario::{load_scenario, LoadedScenario, Override};
use crate::summary::Summary;

/// Path of `examples/quickstart.toml`.
pub fn quickstart() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/quickstart.toml")
}

/// An override `key = value` (value in TOML syntax).
pub fn ov(key: &str, value: &str) -> Override {
    Override {
        key: key.to_owned(),
        value: Override::parse_value(value),
    }
}

/// The quickstart with `overrides`, loaded and validated.
pub fn load_quickstart(overrides: &[Override]) -> LoadedScenario {
    match load_scenario(&quickstart(), overrides) {
        Ok(l) => l,
        Err(e) => panic!("quickstart must load: {e}"),
    }
}

/// Run the quickstart with `overrides`.
pub fn try_run_quickstart(overrides: &[Override]) -> Result<RunOutput, SiteError> {
    let loaded = load_quickstart(overrides);
    run(
        &loaded.scenario,
        &loaded.base_dir,
        loaded.scenario.run.seed,
        &|_| {},
    )
}

/// Run the quickstart with `overrides`; returns the summary and the time-series CSV bytes.
pub fn run_quickstart(overrides: &[Override]) -> (Summary, Vec<u8>) {
    let out = match try_run_quickstart(overrides) {
        Ok(o) => o,
        Err(e) => panic!("quickstart must run: {e}"),
    };
    let mut csv = Vec::new();
    out.recorder
        .write_timeseries_csv(&mut csv)
        .expect("writing to memory cannot fail");
    (out.summary, csv)
}

/// Metric `name` of `s` (panics if missing).
pub fn metric(s: &Summary, name: &str) -> f64 {
    s.get(name)
        .unwrap_or_else(|| panic!("metric {name} is reported"))
}
