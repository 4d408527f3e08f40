//! The `[it]` configuration section.

use crate::{
    node::{NodeSpec, PowerPerformance, NODE_PRESETS},
    scheduler::SchedulerConfig,
    workload::WorkloadConfig,
    ItError,
};
use serde::{Deserialize, Serialize};
use sim_core::{validate::check_range, ConfigIssue, Severity};

/// Most nodes one rack may hold: an error above it (a typo, not a rack).
pub const MAX_NODES_PER_RACK: u32 = 1_024;

/// Most nodes one site may have: an error above it (the model keeps state per node, about 2 kB
/// each with their jobs (227 MiB measured at 100,000 nodes), so this is ~20 GB; the largest AI
/// sites have ~100,000 nodes).
pub const MAX_NODES: u64 = 10_000_000;

/// A node type: a preset name or a full spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NodeChoice {
    /// One of [`NODE_PRESETS`].
    Preset(String),
    /// An explicit spec.
    Spec(NodeSpec),
}

impl Default for NodeChoice {
    fn default() -> Self {
        NodeChoice::Preset("cpu_dual_socket".into())
    }
}

/// One row of racks with identical nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RowConfig {
    /// Row name (used in outputs). Default "row".
    pub name: String,
    /// Racks in the row. Default 10.
    pub racks: u32,
    /// Nodes per rack. Default 32.
    pub nodes_per_rack: u32,
    /// Node type: preset name (`cpu_dual_socket`, `gpu_8x_h100`) or an inline spec. Default
    /// `cpu_dual_socket`.
    pub node: NodeChoice,
    /// Scheduling partition of the row's nodes (jobs of a partition run only on its nodes).
    /// Default "default".
    pub partition: String,
}

impl Default for RowConfig {
    fn default() -> Self {
        RowConfig {
            name: "row".into(),
            racks: 10,
            nodes_per_rack: 32,
            node: NodeChoice::default(),
            partition: "default".into(),
        }
    }
}

/// What happens to a job whose node fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Back to the queue, keeping the work up to its last checkpoint.
    Requeue,
    /// Killed (counted in `killed`).
    Kill,
}

/// The `[it.failures]` section.
///
/// Interruptions arrive from two independent Poisson processes: every accelerator fails at rate
/// `1 / accelerator_mtbf_h` (every CPU-only node at `1 / cpu_node_mtbf_h`), taking its node down
/// for an exponential repair time; and shared infrastructure (network fabric, storage, control
/// plane) faults at a size-independent rate `1 / shared_mtbi_h`, interrupting the jobs of one
/// random row without taking nodes down. The defaults are fitted to both CAICT (China Academy of
/// Information and Communications Technology, 2024, intelligent computing cluster reliability
/// figures) data points: with `1/168 = s + 1000 g` and `1/24 = s + 10000 g` per hour,
/// `g = 1 / 252,000 h` per accelerator and `s = 1 / 504 h`, giving one interruption every
/// 7 days for 1,000 accelerators and every 24 h for 10,000. A purely per-accelerator rate would
/// give 16.8 h for 10,000; the shared term is what makes the interval sub-linear in size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FailureConfig {
    /// Simulate failures at all. Default true.
    pub enabled: bool,
    /// Mean time between failures of one accelerator, h. Default 252,000 h.
    pub accelerator_mtbf_h: f64,
    /// Mean time between failures of a CPU-only node, h. Default 87,600 h (10 years, the order
    /// of magnitude in Schroeder & Gibson, "A large-scale study of failures in high-performance
    /// computing systems", IEEE TDSC 7(4), 2010).
    pub cpu_node_mtbf_h: f64,
    /// Mean time between shared-infrastructure interruptions (size-independent), h.
    /// Default 504 h. 0 disables them.
    pub shared_mtbi_h: f64,
    /// Mean repair time of a failed node, h (exponential). Default 4 h.
    pub repair_mean_h: f64,
    /// `requeue` or `kill`. Default `requeue`.
    pub on_failure: OnFailure,
}

impl Default for FailureConfig {
    fn default() -> Self {
        FailureConfig {
            enabled: true,
            accelerator_mtbf_h: 252_000.0,
            cpu_node_mtbf_h: 87_600.0,
            shared_mtbi_h: 504.0,
            repair_mean_h: 4.0,
            on_failure: OnFailure::Requeue,
        }
    }
}

/// The `[it]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ItConfig {
    /// Rows of racks. Default: one row of 10 racks x 32 `cpu_dual_socket` nodes.
    pub rows: Vec<RowConfig>,
    /// Job sources. Default: one Poisson source.
    pub workload: WorkloadConfig,
    /// Scheduling policy. Default EASY backfill, no deferral, pack placement.
    pub scheduler: SchedulerConfig,
    /// Failure model. Default: CAICT-calibrated rates.
    pub failures: FailureConfig,
    /// DVFS power-performance curve used by power caps. Default cube law, CPU-bound.
    pub power_performance: PowerPerformance,
}

impl Default for ItConfig {
    fn default() -> Self {
        ItConfig {
            rows: vec![RowConfig::default()],
            workload: WorkloadConfig::default(),
            scheduler: SchedulerConfig::default(),
            failures: FailureConfig::default(),
            power_performance: PowerPerformance::default(),
        }
    }
}

impl ItConfig {
    /// Distinct partition names of the rows, in order of first appearance; jobs that name no
    /// partition go to the first.
    pub fn partitions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rows {
            if !out.contains(&r.partition) {
                out.push(r.partition.clone());
            }
        }
        out
    }

    /// All problems, with paths relative to `[it]`.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        if self.rows.is_empty() {
            v.push(ConfigIssue::error(
                "rows",
                "no rows: expected at least one row of racks",
            ));
        }
        for (i, r) in self.rows.iter().enumerate() {
            let p = format!("rows[{i}]");
            if r.racks == 0 {
                v.push(ConfigIssue::error(
                    format!("{p}.racks"),
                    "0 racks: expected at least 1",
                ));
            }
            if r.nodes_per_rack == 0 {
                v.push(ConfigIssue::error(
                    format!("{p}.nodes_per_rack"),
                    "0 nodes: expected at least 1",
                ));
            }
            if r.nodes_per_rack > MAX_NODES_PER_RACK {
                v.push(ConfigIssue::error(
                    format!("{p}.nodes_per_rack"),
                    format!(
                        "{} nodes in one rack: expected at most {MAX_NODES_PER_RACK} (the densest \
                         racks hold a few hundred sleds)",
                        r.nodes_per_rack
                    ),
                ));
            } else if r.nodes_per_rack > 96 {
                v.push(ConfigIssue::warning(
                    format!("{p}.nodes_per_rack"),
                    format!("{} nodes in one rack is unusually dense (a 42U rack holds up to about 80-96 half-width nodes)", r.nodes_per_rack),
                ));
            }
            if self.rows[..i].iter().any(|o| o.name == r.name) {
                v.push(ConfigIssue::warning(
                    format!("{p}.name"),
                    format!(
                        "row name `{}` is used twice: outputs by row will be ambiguous",
                        r.name
                    ),
                ));
            }
            match &r.node {
                NodeChoice::Preset(name) => {
                    if NodeSpec::preset(name).is_none() {
                        v.push(ConfigIssue::error(
                            format!("{p}.node"),
                            format!(
                                "unknown preset `{name}`: expected one of {}",
                                NODE_PRESETS.join(", ")
                            ),
                        ));
                    }
                }
                NodeChoice::Spec(s) => {
                    v.extend(
                        s.validate()
                            .into_iter()
                            .map(|i| i.prefixed(&format!("{p}.node"))),
                    );
                }
            }
        }
        let total: u64 = self
            .rows
            .iter()
            .map(|r| u64::from(r.racks) * u64::from(r.nodes_per_rack))
            .sum();
        if total > MAX_NODES {
            v.push(ConfigIssue::error(
                "rows",
                format!(
                    "{total} nodes: expected at most {MAX_NODES} (ten times the largest sites \
                     built; the model keeps state per node)"
                ),
            ));
        }
        v.extend(
            self.workload
                .validate()
                .into_iter()
                .map(|i| i.prefixed("workload")),
        );
        v.extend(
            self.scheduler
                .validate()
                .into_iter()
                .map(|i| i.prefixed("scheduler")),
        );
        let parts = self.partitions();
        for (i, s) in self.workload.sources.iter().enumerate() {
            if let Some(p) = s.partition() {
                if !parts.iter().any(|x| x == p) {
                    v.push(ConfigIssue::error(
                        format!("workload.sources[{i}].partition"),
                        format!(
                            "no row has partition `{p}`: expected one of {}",
                            parts.join(", ")
                        ),
                    ));
                }
            }
        }
        let f = &self.failures;
        for (k, x) in [
            ("accelerator_mtbf_h", f.accelerator_mtbf_h),
            ("cpu_node_mtbf_h", f.cpu_node_mtbf_h),
            ("repair_mean_h", f.repair_mean_h),
        ] {
            sim_core::validate::check_positive(&mut v, &format!("failures.{k}"), x, "h");
        }
        check_range(
            &mut v,
            "failures.shared_mtbi_h",
            f.shared_mtbi_h,
            0.0,
            1e12,
            "h",
        );
        v.extend(
            self.power_performance
                .validate()
                .into_iter()
                .map(|i| i.prefixed("power_performance")),
        );
        v
    }

    /// Errors only (warnings dropped) as an `ItError`, or the resolved node spec of each row.
    pub(crate) fn resolve(&self) -> Result<Vec<NodeSpec>, ItError> {
        let errors: Vec<ConfigIssue> = self
            .validate()
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(ItError::InvalidConfig(errors));
        }
        self.rows
            .iter()
            .enumerate()
            .map(|(row, r)| match &r.node {
                NodeChoice::Spec(s) => Ok(s.clone()),
                NodeChoice::Preset(name) => {
                    NodeSpec::preset(name).ok_or_else(|| ItError::UnknownPreset {
                        row,
                        name: name.clone(),
                        expected: NODE_PRESETS.join(", "),
                    })
                }
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_example_toml_and_reports_all_problems() {
        let cfg: ItConfig = toml::from_str(
            r#"
            [[rows]]
            name = "gpu"
            racks = 4
            nodes_per_rack = 4
            node = "gpu_8x_h100"
            [[rows]]
            name = "cpu"
            racks = 2
            nodes_per_rack = 32
            node = { cpu_idle_w = 80, cpu_max_w = 300 }
            [scheduler]
            policy = "fcfs"
            deferral = "carbon"
            [failures]
            on_failure = "kill"
            "#,
        )
        .unwrap();
        assert!(cfg.validate().is_empty(), "{:?}", cfg.validate());
        assert_eq!(cfg.resolve().unwrap()[1].cpu_max_w, 300.0);
        let mut bad = cfg.clone();
        bad.rows[0].racks = 0;
        bad.rows[0].node = NodeChoice::Preset("nope".into());
        bad.failures.repair_mean_h = -1.0;
        bad.power_performance.beta = 2.0;
        let paths: Vec<String> = bad.validate().into_iter().map(|i| i.path).collect();
        assert_eq!(
            paths,
            vec![
                "rows[0].racks",
                "rows[0].node",
                "failures.repair_mean_h",
                "power_performance.beta"
            ]
        );
        assert!(matches!(bad.resolve(), Err(ItError::InvalidConfig(v)) if v.len() == 4));
        assert!(toml::from_str::<ItConfig>("[[rows]]\nrack = 3\n").is_err());
    }
}
