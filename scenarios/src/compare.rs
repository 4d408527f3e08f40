//! A/B comparison with common random numbers: both scenarios run with the same seeds, and each
//! metric's paired difference gets a 95 % Student-t confidence interval (see [`crate::stats`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::output::{write_atomic, OutputError};
use crate::scenario::Scenario;
use crate::stats::{paired_comparison, PairedComparison};
use crate::summary::Summary;

/// The result of comparing scenario A with scenario B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Name of scenario A.
    pub a: String,
    /// Name of scenario B.
    pub b: String,
    /// The seeds used for both, in replication order.
    pub seeds: Vec<u64>,
    /// One row per metric reported by every run, sorted by name. Differences are B - A.
    pub metrics: Vec<PairedComparison>,
}

/// The seeds of `n` replications: `base, base + 1, ...` (wrapping).
pub fn replication_seeds(base: u64, n: usize) -> Vec<u64> {
    (0..n as u64).map(|i| base.wrapping_add(i)).collect()
}

/// Run `a` and `b` with every seed through `run` (in parallel on the current rayon pool;
/// results do not depend on the thread count) and compare them metric by metric.
/// `done` is called after each finished run.
pub fn compare_with<E, F>(
    a: &Scenario,
    b: &Scenario,
    seeds: &[u64],
    run: F,
    done: &(dyn Fn() + Sync),
) -> Result<Comparison, E>
where
    E: Send,
    F: Fn(&Scenario, u64) -> Result<Summary, E> + Sync,
{
    let jobs: Vec<(&Scenario, u64)> = seeds.iter().flat_map(|s| [(a, *s), (b, *s)]).collect();
    let results: Vec<Summary> = jobs
        .par_iter()
        .map(|(sc, seed)| {
            let r = run(sc, *seed);
            done();
            r
        })
        .collect::<Result<_, E>>()?;
    let (ra, rb): (Vec<&Summary>, Vec<&Summary>) = (
        results.iter().step_by(2).collect(),
        results.iter().skip(1).step_by(2).collect(),
    );
    let mut units: BTreeMap<&str, &str> = BTreeMap::new();
    for s in ra.iter().chain(&rb) {
        for (k, m) in &s.metrics {
            units.entry(k.as_str()).or_insert(m.unit.as_str());
        }
    }
    let metrics = units
        .iter()
        .filter_map(|(name, unit)| {
            let xa: Option<Vec<f64>> = ra.iter().map(|s| s.get(name)).collect();
            let xb: Option<Vec<f64>> = rb.iter().map(|s| s.get(name)).collect();
            Some(paired_comparison(name, unit, &xa?, &xb?))
        })
        .collect();
    Ok(Comparison {
        a: a.name.clone(),
        b: b.name.clone(),
        seeds: seeds.to_vec(),
        metrics,
    })
}

impl Comparison {
    /// The comparison as an aligned text table.
    pub fn table(&self) -> String {
        use crate::output::format_value as f;
        let w = self
            .metrics
            .iter()
            .map(|m| m.metric.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let mut s = format!(
            "A = {}, B = {}, {} paired replications, difference = B - A\n{:<w$}  {:>12}  {:>12}  {:>12}  {:>27}  sig  unit\n",
            self.a,
            self.b,
            self.seeds.len(),
            "metric",
            "mean A",
            "mean B",
            "diff",
            "95 % CI"
        );
        for m in &self.metrics {
            s.push_str(&format!(
                "{:<w$}  {:>12}  {:>12}  {:>12}  {:>27}  {:<3}  {}\n",
                m.metric,
                f(m.mean_a),
                f(m.mean_b),
                f(m.mean_diff),
                format!("[{}, {}]", f(m.ci_low), f(m.ci_high)),
                if m.significant { "yes" } else { "no" },
                m.unit
            ));
        }
        s
    }

    /// Write `compare.csv` and `compare.json` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), OutputError> {
        std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
            file: dir.to_path_buf(),
            source,
        })?;
        write_atomic(&dir.join("compare.csv"), |w| {
            writeln!(
                w,
                "metric,unit,n,mean_a,mean_b,mean_diff,ci_low,ci_high,significant"
            )?;
            for m in &self.metrics {
                writeln!(
                    w,
                    "{},{},{},{},{},{},{},{},{}",
                    sim_core::recorder::csv_field(&m.metric),
                    sim_core::recorder::csv_field(&m.unit),
                    m.n,
                    m.mean_a,
                    m.mean_b,
                    m.mean_diff,
                    m.ci_low,
                    m.ci_high,
                    m.significant
                )?;
            }
            Ok(())
        })?;
        let json = serde_json::to_value(self).map_err(|e| OutputError::Serialize {
            what: "comparison".into(),
            message: e.to_string(),
        })?;
        write_atomic(&dir.join("compare.json"), |w| {
            sim_core::recorder::write_summary_json(w, &json)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;
    use sim_core::RngStreams;

    /// A stand-in runner: energy = 4 kW x run length + noise from the seed's stream, so two
    /// scenarios of different length differ by a known amount.
    fn fake_run(s: &Scenario, seed: u64) -> Result<Summary, String> {
        let base = 4.0 * s.run.duration_h;
        let mut rng = RngStreams::new(seed).stream("noise");
        let noise: f64 = rng.gen_range(-5.0..5.0);
        let mut sum = Summary::default();
        sum.set("energy_kwh", base + noise, "kWh");
        sum.set("pue", 1.2 + noise * 0.001, "-");
        Ok(sum)
    }

    #[test]
    fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
        let s = Scenario::default();
        let c = compare_with(&s, &s, &replication_seeds(1, 5), fake_run, &|| ()).expect("runs");
        assert_eq!(c.metrics.len(), 2);
        for m in &c.metrics {
            assert_eq!(m.mean_diff, 0.0);
            assert_eq!(m.ci_low, 0.0);
            assert_eq!(m.ci_high, 0.0);
            assert!(!m.significant);
        }
    }

    #[test]
    fn a_better_scenario_is_significantly_better_with_common_random_numbers() {
        let a = Scenario::default();
        let mut b = Scenario::default();
        b.run.duration_h -= 0.25;
        let c = compare_with(&a, &b, &replication_seeds(1, 5), fake_run, &|| ()).expect("runs");
        let e = &c.metrics[0];
        assert_eq!(e.metric, "energy_kwh");
        // Common random numbers cancel the noise: the difference is exactly -1 every time.
        assert!((e.mean_diff + 1.0).abs() < 1e-12);
        assert!(e.significant && e.ci_high < 0.0);
        let dir = tempfile::tempdir().expect("tmp");
        c.write(dir.path()).expect("write");
        let csv = std::fs::read_to_string(dir.path().join("compare.csv")).expect("csv");
        assert_eq!(csv.lines().count(), 3);
        assert!(dir.path().join("compare.json").is_file());
    }
}
