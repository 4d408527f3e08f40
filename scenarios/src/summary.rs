//! The summary of one run: every metric with its unit, plus run metadata.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One scalar metric of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The value, in `unit`.
    pub value: f64,
    /// Unit symbol (e.g. `kWh`, `-`, `degC`, `L/kWh`).
    pub unit: String,
}

/// Everything a run reports: metrics by name (sorted), plus metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Metrics by name, e.g. `pue`, `it_energy_kwh`, `max_chip_temp_c`.
    pub metrics: BTreeMap<String, Metric>,
    /// Metadata: scenario name, scenario hash, seed, dctwin version, metering boundary, ...
    pub meta: BTreeMap<String, String>,
}

impl Summary {
    /// Set metric `name` to `value` in `unit`.
    pub fn set(&mut self, name: &str, value: f64, unit: &str) {
        self.metrics.insert(
            name.to_owned(),
            Metric {
                value,
                unit: unit.to_owned(),
            },
        );
    }
    /// The value of metric `name`, if reported.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.metrics.get(name).map(|m| m.value)
    }
}
