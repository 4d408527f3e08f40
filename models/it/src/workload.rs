//! Workload sources: Poisson arrivals with a diurnal profile (batch or inference), AI training
//! bursts, and trace replay (SWF, CSV).
//!
//! Non-homogeneous Poisson arrivals are drawn by thinning (Lewis & Shedler, "Simulation of
//! nonhomogeneous Poisson processes by thinning", Naval Research Logistics Quarterly 26(3),
//! 1979) with rate `lambda(t) = mean_rate_per_h (1 + diurnal_amplitude cos(2 pi (h - peak_hour)
//! / 24))`. Run times are log-normal with the given mean and log-space standard deviation, the
//! usual fit for HPC run times (Feitelson, "Workload Modeling for Computer Systems Performance
//! Evaluation", Cambridge UP 2015, ch. 4). Job sizes are powers of two, uniform in log2 between
//! `min_nodes` and `max_nodes` (Feitelson ch. 9: parallel job sizes cluster at powers of two).

use crate::{job::Job, trace, ItError};
use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use serde::{Deserialize, Serialize};
use sim_core::{validate::check_range, ConfigIssue, RngStreams, SimTime};
use std::path::{Path, PathBuf};

/// Highest arrival rate a generated source may have, jobs per hour (one every 36 ms): jobs
/// here are batch or training jobs, not requests; a rate above this is a unit slip (per second
/// for per hour, or an interval that underflowed), and would generate more jobs than a run can
/// hold.
pub const MAX_ARRIVALS_PER_H: f64 = 1e5;

/// Poisson arrivals with a diurnal rate profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PoissonWorkload {
    /// Mean arrival rate, jobs per hour. Default 10.
    pub mean_rate_per_h: f64,
    /// Relative amplitude of the daily cycle, 0..1 (0 = constant rate). Default 0.3.
    pub diurnal_amplitude: f64,
    /// Hour of day (0..24) of peak arrivals. Default 14.
    pub peak_hour: f64,
    /// Smallest job, nodes. Default 1.
    pub min_nodes: u32,
    /// Largest job, nodes. Default 16.
    pub max_nodes: u32,
    /// Mean run time at full speed, h. Default 2 h.
    pub mean_runtime_h: f64,
    /// Log-space standard deviation of run time, dimensionless. Default 1.
    pub runtime_sigma: f64,
    /// User estimate = work x this factor (>= 1). Default 1.5.
    pub estimate_factor: f64,
    /// CPU utilisation while running, 0..1. Default 0.8.
    pub cpu_util: f64,
    /// GPU utilisation while running, 0..1. Default 0.8.
    pub gpu_util: f64,
    /// Fraction of jobs that are deferrable, 0..1. Default 0.
    pub deferrable_fraction: f64,
    /// Deadline of a deferrable job = submit + estimate x this factor (>= 1). Default 4.
    pub deadline_factor: f64,
    /// Checkpoint interval, h (0 = no checkpoints). Default 0.
    pub checkpoint_interval_h: f64,
    /// Priority of the jobs. Default 0.
    pub priority: i32,
    /// Partition the jobs run in. Default: the first partition.
    pub partition: Option<String>,
}

impl Default for PoissonWorkload {
    fn default() -> Self {
        PoissonWorkload {
            mean_rate_per_h: 10.0,
            diurnal_amplitude: 0.3,
            peak_hour: 14.0,
            min_nodes: 1,
            max_nodes: 16,
            mean_runtime_h: 2.0,
            runtime_sigma: 1.0,
            estimate_factor: 1.5,
            cpu_util: 0.8,
            gpu_util: 0.8,
            deferrable_fraction: 0.0,
            deadline_factor: 4.0,
            checkpoint_interval_h: 0.0,
            priority: 0,
            partition: None,
        }
    }
}

/// Large AI training jobs that hold peak power for hours to days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingBursts {
    /// Mean time between training job submissions, h (Poisson). Default 72 h.
    pub mean_interval_h: f64,
    /// Nodes per training job. Default 64.
    pub nodes: u32,
    /// Mean duration at full speed, h (log-normal, sigma 0.5). Default 48 h.
    pub mean_duration_h: f64,
    /// GPU utilisation averaged over training steps, 0..1. Default 0.9.
    pub gpu_util: f64,
    /// CPU utilisation, 0..1. Default 0.3.
    pub cpu_util: f64,
    /// Checkpoint interval, h (0 = none). Default 1 h.
    pub checkpoint_interval_h: f64,
    /// Priority. Default 10.
    pub priority: i32,
    /// Partition the jobs run in. Default: the first partition.
    pub partition: Option<String>,
}

impl Default for TrainingBursts {
    fn default() -> Self {
        TrainingBursts {
            mean_interval_h: 72.0,
            nodes: 64,
            mean_duration_h: 48.0,
            gpu_util: 0.9,
            cpu_util: 0.3,
            checkpoint_interval_h: 1.0,
            priority: 10,
            partition: None,
        }
    }
}

/// Replay of a trace file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceWorkload {
    /// Trace file, relative to the scenario directory. Required.
    pub path: PathBuf,
    /// SWF only: processors per node to turn processor counts into nodes. Default 1.
    #[serde(default = "one")]
    pub procs_per_node: u32,
    /// Seconds added to every submit time. Default 0.
    #[serde(default)]
    pub offset_s: f64,
    /// Partition the jobs run in. Default: the first partition.
    #[serde(default)]
    pub partition: Option<String>,
}

fn one() -> u32 {
    1
}

/// One source of jobs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkloadSource {
    /// Poisson arrivals with diurnal profile (batch jobs or inference).
    Poisson(PoissonWorkload),
    /// AI training bursts.
    TrainingBursts(TrainingBursts),
    /// Standard Workload Format trace.
    Swf(TraceWorkload),
    /// CSV trace (see [`trace::read_csv`]).
    Csv(TraceWorkload),
}

/// The `[it.workload]` section: a list of sources merged by submit time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkloadConfig {
    /// Job sources. Default: one Poisson source with its defaults.
    pub sources: Vec<WorkloadSource>,
}

impl WorkloadSource {
    /// The partition this source's jobs go to, if named.
    pub fn partition(&self) -> Option<&str> {
        match self {
            WorkloadSource::Poisson(w) => w.partition.as_deref(),
            WorkloadSource::TrainingBursts(w) => w.partition.as_deref(),
            WorkloadSource::Swf(t) | WorkloadSource::Csv(t) => t.partition.as_deref(),
        }
    }
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            sources: vec![WorkloadSource::Poisson(PoissonWorkload::default())],
        }
    }
}

impl WorkloadConfig {
    /// All problems; paths relative to the workload section.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        for (i, s) in self.sources.iter().enumerate() {
            let p = format!("sources[{i}]");
            match s {
                WorkloadSource::Poisson(w) => {
                    check_range(
                        &mut v,
                        &format!("{p}.mean_rate_per_h"),
                        w.mean_rate_per_h,
                        0.0,
                        MAX_ARRIVALS_PER_H,
                        "jobs/h",
                    );
                    check_range(
                        &mut v,
                        &format!("{p}.diurnal_amplitude"),
                        w.diurnal_amplitude,
                        0.0,
                        1.0,
                        "-",
                    );
                    check_range(
                        &mut v,
                        &format!("{p}.peak_hour"),
                        w.peak_hour,
                        0.0,
                        24.0,
                        "h",
                    );
                    if w.min_nodes == 0 || w.max_nodes < w.min_nodes {
                        v.push(ConfigIssue::error(
                            format!("{p}.max_nodes"),
                            format!("min_nodes = {}, max_nodes = {}: expected 1 <= min_nodes <= max_nodes", w.min_nodes, w.max_nodes),
                        ));
                    }
                    sim_core::validate::check_positive(
                        &mut v,
                        &format!("{p}.mean_runtime_h"),
                        w.mean_runtime_h,
                        "h",
                    );
                    check_range(
                        &mut v,
                        &format!("{p}.runtime_sigma"),
                        w.runtime_sigma,
                        0.0,
                        5.0,
                        "-",
                    );
                    check_range(
                        &mut v,
                        &format!("{p}.estimate_factor"),
                        w.estimate_factor,
                        1.0,
                        1e3,
                        "-",
                    );
                    check_range(&mut v, &format!("{p}.cpu_util"), w.cpu_util, 0.0, 1.0, "-");
                    check_range(&mut v, &format!("{p}.gpu_util"), w.gpu_util, 0.0, 1.0, "-");
                    check_range(
                        &mut v,
                        &format!("{p}.deferrable_fraction"),
                        w.deferrable_fraction,
                        0.0,
                        1.0,
                        "-",
                    );
                    check_range(
                        &mut v,
                        &format!("{p}.deadline_factor"),
                        w.deadline_factor,
                        1.0,
                        1e3,
                        "-",
                    );
                    check_range(
                        &mut v,
                        &format!("{p}.checkpoint_interval_h"),
                        w.checkpoint_interval_h,
                        0.0,
                        1e5,
                        "h",
                    );
                }
                WorkloadSource::TrainingBursts(w) => {
                    check_range(
                        &mut v,
                        &format!("{p}.mean_interval_h"),
                        w.mean_interval_h,
                        1.0 / MAX_ARRIVALS_PER_H,
                        1e6,
                        "h",
                    );
                    sim_core::validate::check_positive(
                        &mut v,
                        &format!("{p}.mean_duration_h"),
                        w.mean_duration_h,
                        "h",
                    );
                    if w.nodes == 0 {
                        v.push(ConfigIssue::error(
                            format!("{p}.nodes"),
                            "0 nodes: expected at least 1",
                        ));
                    }
                    check_range(&mut v, &format!("{p}.gpu_util"), w.gpu_util, 0.0, 1.0, "-");
                    check_range(&mut v, &format!("{p}.cpu_util"), w.cpu_util, 0.0, 1.0, "-");
                    check_range(
                        &mut v,
                        &format!("{p}.checkpoint_interval_h"),
                        w.checkpoint_interval_h,
                        0.0,
                        1e5,
                        "h",
                    );
                }
                WorkloadSource::Swf(t) | WorkloadSource::Csv(t) => {
                    if t.procs_per_node == 0 {
                        v.push(ConfigIssue::error(
                            format!("{p}.procs_per_node"),
                            "0: expected at least 1",
                        ));
                    }
                    check_range(&mut v, &format!("{p}.offset_s"), t.offset_s, 0.0, 1e10, "s");
                }
            }
        }
        v
    }

    /// Generate or read every job submitted before `horizon`, merged by submit time (ties keep
    /// source order) and renumbered `0..n` in that order. Random sources use the stream
    /// `it.workload.<index>`. `partitions` are the partition names (see
    /// [`crate::ItConfig::partitions`]); a source naming another partition is an error.
    pub fn jobs(
        &self,
        base_dir: &Path,
        streams: &RngStreams,
        horizon: SimTime,
        partitions: &[String],
    ) -> Result<Vec<Job>, ItError> {
        let mut all: Vec<Job> = Vec::new();
        for (i, s) in self.sources.iter().enumerate() {
            let stream = format!("it.workload.{i}");
            let first = all.len();
            let partition = match s.partition() {
                None => 0,
                Some(p) => partitions.iter().position(|x| x == p).ok_or_else(|| {
                    ItError::InvalidConfig(vec![sim_core::ConfigIssue::error(
                        format!("sources[{i}].partition"),
                        format!("no row has partition `{p}`"),
                    )])
                })? as u16,
            };
            match s {
                WorkloadSource::Poisson(w) => poisson(w, streams, &stream, horizon, &mut all),
                WorkloadSource::TrainingBursts(w) => bursts(w, streams, &stream, horizon, &mut all),
                WorkloadSource::Swf(t) | WorkloadSource::Csv(t) => {
                    let path = base_dir.join(&t.path);
                    let read = if matches!(s, WorkloadSource::Swf(_)) {
                        trace::read_swf(&path, t.procs_per_node)?
                    } else {
                        trace::read_csv(&path)?
                    };
                    let off =
                        sim_core::SimDuration::try_from_secs_f64(t.offset_s).unwrap_or_default();
                    all.extend(
                        read.jobs
                            .into_iter()
                            .map(|mut j| {
                                j.submit += off;
                                if let Some(d) = j.deadline.as_mut() {
                                    *d += off;
                                }
                                j
                            })
                            .filter(|j| j.submit < horizon),
                    );
                }
            }
            for j in &mut all[first..] {
                j.partition = partition;
            }
        }
        all.sort_by_key(|j| j.submit); // stable: ties keep source and file order
        for (k, j) in all.iter_mut().enumerate() {
            j.id = k as u64;
        }
        Ok(all)
    }
}

fn hours(h: f64) -> sim_core::SimDuration {
    sim_core::SimDuration::try_from_secs_f64(h * 3600.0).unwrap_or_default()
}

fn poisson(
    w: &PoissonWorkload,
    streams: &RngStreams,
    name: &str,
    horizon: SimTime,
    out: &mut Vec<Job>,
) {
    let max_rate_per_s = w.mean_rate_per_h * (1.0 + w.diurnal_amplitude) / 3600.0;
    let Ok(gap) = Exp::new(max_rate_per_s) else {
        return;
    };
    if max_rate_per_s <= 0.0 {
        return;
    }
    let sigma = w.runtime_sigma;
    let mu = (w.mean_runtime_h * 3600.0).ln() - 0.5 * sigma * sigma;
    let Ok(runtime) = LogNormal::new(mu, sigma) else {
        return;
    };
    // powers of two 2^klo..=2^khi inside [min_nodes, max_nodes] (clamped if none is)
    let klo = w.min_nodes.max(1).next_power_of_two().trailing_zeros();
    let khi = w.max_nodes.max(1).ilog2();
    let mut rng = streams.stream(name);
    let mut t_s = 0.0;
    let horizon_s = horizon.as_secs_f64();
    loop {
        t_s += gap.sample(&mut rng);
        if t_s >= horizon_s {
            break;
        }
        let phase = 2.0 * std::f64::consts::PI * ((t_s / 3600.0) % 24.0 - w.peak_hour) / 24.0;
        let accept = (1.0 + w.diurnal_amplitude * phase.cos()) / (1.0 + w.diurnal_amplitude);
        let u: f64 = rng.gen();
        // draw the job's attributes whether or not it is accepted, so that the sequence of
        // accepted jobs does not depend on the acceptance test's branch.
        let k: u32 = rng.gen_range(klo..=khi.max(klo));
        let nodes = (1u32 << k.min(31)).clamp(w.min_nodes, w.max_nodes);
        let work_s = runtime.sample(&mut rng).max(1.0);
        let deferrable = rng.gen::<f64>() < w.deferrable_fraction;
        if u >= accept {
            continue;
        }
        let Ok(submit) = SimTime::try_from_secs_f64(t_s) else {
            break;
        };
        let mut j = Job::new(0, submit, nodes, work_s);
        j.estimate_s = work_s * w.estimate_factor;
        j.cpu_util = w.cpu_util;
        j.gpu_util = w.gpu_util;
        j.priority = w.priority;
        j.deferrable = deferrable;
        if deferrable {
            j.deadline =
                Some(submit.saturating_add(hours(j.estimate_s * w.deadline_factor / 3600.0)));
        }
        if w.checkpoint_interval_h > 0.0 {
            j.checkpoint_interval_s = Some(w.checkpoint_interval_h * 3600.0);
        }
        out.push(j);
    }
}

fn bursts(
    w: &TrainingBursts,
    streams: &RngStreams,
    name: &str,
    horizon: SimTime,
    out: &mut Vec<Job>,
) {
    let Ok(gap) = Exp::new(1.0 / (w.mean_interval_h * 3600.0)) else {
        return;
    };
    let sigma = 0.5;
    let mu = (w.mean_duration_h * 3600.0).ln() - 0.5 * sigma * sigma;
    let Ok(dur) = LogNormal::new(mu, sigma) else {
        return;
    };
    let mut rng = streams.stream(name);
    let mut t_s = 0.0;
    let horizon_s = horizon.as_secs_f64();
    loop {
        t_s += gap.sample(&mut rng);
        if t_s >= horizon_s {
            break;
        }
        let work_s = dur.sample(&mut rng).max(1.0);
        let Ok(submit) = SimTime::try_from_secs_f64(t_s) else {
            break;
        };
        let mut j = Job::new(0, submit, w.nodes, work_s);
        j.estimate_s = work_s * 1.2;
        j.cpu_util = w.cpu_util;
        j.gpu_util = w.gpu_util;
        j.priority = w.priority;
        if w.checkpoint_interval_h > 0.0 {
            j.checkpoint_interval_s = Some(w.checkpoint_interval_h * 3600.0);
        }
        out.push(j);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn poisson_rate_and_diurnal_shape() {
        let w = PoissonWorkload {
            mean_rate_per_h: 100.0,
            diurnal_amplitude: 0.5,
            peak_hour: 14.0,
            ..Default::default()
        };
        let cfg = WorkloadConfig {
            sources: vec![WorkloadSource::Poisson(w)],
        };
        let days = 30;
        let jobs = cfg
            .jobs(
                Path::new("."),
                &RngStreams::new(7),
                SimTime::from_secs(days * 86_400),
                &[],
            )
            .unwrap();
        // expected 100 jobs/h x 720 h = 72,000; Poisson sd ~ 270, allow 2 %.
        let n = jobs.len() as f64;
        assert!((n / 72_000.0 - 1.0).abs() < 0.02, "{n}");
        // peak hour (14-15) vs trough hour (2-3): rate ratio (1 + 0.5 cos(pi/12 * 0.5)) / (1 - ...)
        // is about 2.9; check it is clearly above 2.
        let in_hour = |h: u64| {
            jobs.iter()
                .filter(|j| (j.submit.as_micros() / 3_600_000_000) % 24 == h)
                .count() as f64
        };
        assert!(in_hour(14) / in_hour(2) > 2.0);
        // same seed, same jobs
        let again = cfg
            .jobs(
                Path::new("."),
                &RngStreams::new(7),
                SimTime::from_secs(days * 86_400),
                &[],
            )
            .unwrap();
        assert_eq!(jobs, again);
        assert!(jobs
            .iter()
            .all(|j| j.nodes >= 1 && j.nodes <= 16 && j.nodes.is_power_of_two()));
    }

    #[test]
    fn mean_runtime_matches_config() {
        let w = PoissonWorkload {
            mean_rate_per_h: 200.0,
            runtime_sigma: 0.8,
            ..Default::default()
        };
        let cfg = WorkloadConfig {
            sources: vec![WorkloadSource::Poisson(w)],
        };
        let jobs = cfg
            .jobs(
                Path::new("."),
                &RngStreams::new(1),
                SimTime::from_secs(30 * 86_400),
                &[],
            )
            .unwrap();
        let mean_h = jobs.iter().map(|j| j.work_s).sum::<f64>() / jobs.len() as f64 / 3600.0;
        assert!((mean_h / 2.0 - 1.0).abs() < 0.05, "{mean_h}");
    }

    #[test]
    fn sources_merge_in_time_order_and_parse_from_toml() {
        let cfg: WorkloadConfig = toml::from_str(
            r#"
            [[sources]]
            kind = "training_bursts"
            mean_interval_h = 24
            [[sources]]
            kind = "swf"
            path = "tests/data/synthetic.swf"
            procs_per_node = 4
            "#,
        )
        .unwrap();
        assert!(cfg.validate().is_empty());
        let jobs = cfg
            .jobs(
                Path::new(env!("CARGO_MANIFEST_DIR")),
                &RngStreams::new(3),
                SimTime::from_secs(10 * 86_400),
                &[],
            )
            .unwrap();
        assert!(jobs.windows(2).all(|w| w[0].submit <= w[1].submit));
        assert!(jobs.iter().enumerate().all(|(k, j)| j.id == k as u64));
        assert!(jobs.iter().filter(|j| j.nodes == 64).count() >= 3);
        let bad: Result<WorkloadConfig, _> =
            toml::from_str("[[sources]]\nkind = \"poisson\"\nrate = 3\n");
        assert!(bad.is_err());
    }
}
