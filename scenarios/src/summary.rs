//! The summary of one run: every metric with its unit, plus run metadata.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One scalar metric of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The value, in `unit`. JSON has no NaN: an undefined value (e.g. a ratio over zero IT
    /// energy) is written as `null` and read back as NaN.
    #[serde(deserialize_with = "nan_from_null")]
    pub value: f64,
    /// Unit symbol (e.g. `kWh`, `-`, `degC`, `L/kWh`).
    pub unit: String,
}

fn nan_from_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json_including_undefined_values() {
        let mut s = Summary::default();
        s.set("pue", 1.25, "-");
        s.set("wue_l_per_kwh", f64::NAN, "L/kWh");
        s.meta.insert("seed".into(), "3".into());
        let text = serde_json::to_string(&s).expect("serialise");
        assert!(text.contains("null"));
        let back: Summary = serde_json::from_str(&text).expect("parse");
        assert_eq!(back.get("pue"), Some(1.25));
        assert!(back.get("wue_l_per_kwh").is_some_and(f64::is_nan));
        assert_eq!(back.meta, s.meta);
    }
}
