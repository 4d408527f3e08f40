//! Scheduling policies, kept apart from the plant (the [`crate::Cluster`]).
//!
//! A policy sees a read-only [`SchedulerView`] of the queue, the running jobs and the grid
//! signals and answers two questions: when may a newly submitted job enter the queue
//! ([`Scheduler::release_time`], used for deferral), and which queued jobs start now
//! ([`Scheduler::select`]). The cluster checks every decision (a job that does not fit is not
//! started) and places the jobs on nodes.
//!
//! Built-ins ([`BuiltinScheduler`]):
//! - FCFS: start jobs strictly in queue order (priority, then submission) until the head does
//!   not fit.
//! - EASY backfill (Lifka, "The ANL/IBM SP scheduling system", JSSPP 1995; Mu'alem & Feitelson,
//!   IEEE TPDS 12(6), 2001): start in order while jobs fit; give the first job that does not fit
//!   a reservation at the "shadow time" when enough running jobs will have ended (by their user
//!   estimates); then start any later job that fits now and either ends (by its estimate) before
//!   the shadow time or uses only the "extra" nodes the head will not need. At most
//!   `backfill_depth` queued jobs are examined per pass (Slurm's `bf_max_job_test` plays the same
//!   role).
//! - Carbon- or price-aware deferral: a deferrable job with a deadline is released at the start
//!   time (on a `deferral_step_h` grid) that minimises the mean grid signal over its estimated
//!   run and still meets the deadline (perfect forecast of the signal, as the runner supplies the
//!   full series); ties go to the earliest start.
//! - Power-capped admission: when the site gives an IT power limit, a job starts only if the
//!   current IT power plus its estimated added power stays under the limit.

use crate::job::Job;
use serde::{Deserialize, Serialize};
use sim_core::{validate::check_range, ConfigIssue, SimDuration, SimTime, StepSeries};
use std::cmp::Reverse;
use std::collections::BTreeSet;

/// Queue order key: priority (high first), submission time, job index.
pub(crate) type QueueKey = (Reverse<i32>, SimTime, u32);

/// What a policy may look at.
pub struct SchedulerView<'a> {
    pub(crate) now: SimTime,
    pub(crate) free_nodes: &'a [u32],
    pub(crate) up_nodes: u32,
    pub(crate) jobs: &'a [Job],
    pub(crate) queue: &'a BTreeSet<QueueKey>,
    pub(crate) running: &'a BTreeSet<(SimTime, u32)>,
    pub(crate) it_power_w: f64,
    pub(crate) it_power_limit_w: Option<f64>,
    pub(crate) mean_dynamic_w_per_node: &'a dyn Fn(&Job) -> f64,
    pub(crate) carbon_g_per_kwh: &'a StepSeries,
    pub(crate) price_per_kwh: &'a StepSeries,
}

impl<'a> SchedulerView<'a> {
    /// Current time.
    pub fn now(&self) -> SimTime {
        self.now
    }
    /// Idle, powered, working nodes in all partitions.
    pub fn free_nodes(&self) -> u32 {
        self.free_nodes.iter().sum()
    }
    /// Idle, powered, working nodes in partition `partition` (0 if there is no such partition).
    pub fn free_nodes_in(&self, partition: u16) -> u32 {
        self.free_nodes
            .get(usize::from(partition))
            .copied()
            .unwrap_or(0)
    }
    /// Number of partitions.
    pub fn partitions(&self) -> usize {
        self.free_nodes.len()
    }
    /// Working (not failed) nodes.
    pub fn up_nodes(&self) -> u32 {
        self.up_nodes
    }
    /// Queued jobs in queue order: `(job index, job)`.
    pub fn queued(&self) -> impl Iterator<Item = (usize, &'a Job)> + '_ {
        self.queue
            .iter()
            .map(|k| (k.2 as usize, &self.jobs[k.2 as usize]))
    }
    /// Number of queued jobs.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }
    /// Running jobs by estimated end time (start + user estimate): `(end, job)`.
    pub fn running_by_end(&self) -> impl Iterator<Item = (SimTime, &'a Job)> + '_ {
        self.running
            .iter()
            .map(|&(t, j)| (t, &self.jobs[j as usize]))
    }
    /// IT power now, W.
    pub fn it_power_w(&self) -> f64 {
        self.it_power_w
    }
    /// IT power limit from the site, W, if any.
    pub fn it_power_limit_w(&self) -> Option<f64> {
        self.it_power_limit_w
    }
    /// Estimated power a job adds when it starts (dynamic power of its nodes, uncapped), W.
    pub fn added_power_w(&self, job: &Job) -> f64 {
        (self.mean_dynamic_w_per_node)(job) * f64::from(job.nodes)
    }
    /// Grid carbon intensity signal, g/kWh (full series: a perfect forecast).
    pub fn carbon_g_per_kwh(&self) -> &StepSeries {
        self.carbon_g_per_kwh
    }
    /// Electricity price signal, currency/kWh (full series).
    pub fn price_per_kwh(&self) -> &StepSeries {
        self.price_per_kwh
    }
}

/// A scheduling policy.
pub trait Scheduler {
    /// Short name for reports.
    fn name(&self) -> &str;
    /// When a job submitted now may enter the queue (default: now).
    fn release_time(&mut self, job: &Job, view: &SchedulerView<'_>) -> SimTime {
        let _ = job;
        view.now()
    }
    /// Push the indices of the queued jobs to start now, in start order.
    fn select(&mut self, view: &SchedulerView<'_>, start: &mut Vec<usize>);
}

/// Queue policy of the built-in scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueuePolicy {
    /// First come, first served.
    Fcfs,
    /// EASY backfill.
    EasyBackfill,
}

/// Which grid signal deferral follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deferral {
    /// No deferral.
    None,
    /// Minimise mean carbon intensity over the run.
    Carbon,
    /// Minimise mean price over the run.
    Price,
}

/// Node placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Fill racks in index order.
    Pack,
    /// Prefer the racks with the coolest inlet (re-ranked at every control step).
    ThermalAware,
}

/// The `[it.scheduler]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulerConfig {
    /// `fcfs` or `easy_backfill`. Default `easy_backfill`.
    pub policy: QueuePolicy,
    /// Queued jobs examined per backfill pass. Default 256.
    pub backfill_depth: usize,
    /// `none`, `carbon` or `price`. Default `none`.
    pub deferral: Deferral,
    /// Grid of candidate start times for deferral, h. Default 0.25 h.
    pub deferral_step_h: f64,
    /// Respect the site's IT power limit when starting jobs. Default false.
    pub power_capped_admission: bool,
    /// `pack` or `thermal_aware`. Default `pack`.
    pub placement: Placement,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            policy: QueuePolicy::EasyBackfill,
            backfill_depth: 256,
            deferral: Deferral::None,
            deferral_step_h: 0.25,
            power_capped_admission: false,
            placement: Placement::Pack,
        }
    }
}

impl SchedulerConfig {
    /// All problems; paths relative to the scheduler section.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        if self.backfill_depth == 0 {
            v.push(ConfigIssue::error(
                "backfill_depth",
                "0: expected at least 1",
            ));
        }
        check_range(
            &mut v,
            "deferral_step_h",
            self.deferral_step_h,
            1.0 / 60.0,
            24.0,
            "h",
        );
        v
    }
}

/// Per-partition progress of one EASY/FCFS pass.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Starting jobs in queue order.
    InOrder,
    /// Head blocked with a reservation at `shadow`; `extra` nodes are not needed by it.
    Backfill { shadow: SimTime, extra: u32 },
    /// Nothing more starts in this partition in this pass.
    Closed,
}

/// The built-in policies, configured by [`SchedulerConfig`].
#[derive(Debug, Clone)]
pub struct BuiltinScheduler {
    cfg: SchedulerConfig,
    selected_ends: Vec<(SimTime, u32, u16)>,
}

impl BuiltinScheduler {
    /// A scheduler with this configuration.
    pub fn new(cfg: SchedulerConfig) -> Self {
        BuiltinScheduler {
            cfg,
            selected_ends: Vec::new(),
        }
    }
}

impl BuiltinScheduler {
    /// EASY reservation for the blocked head `head` of its partition, which has `free` idle
    /// nodes: the earliest estimated end (of running jobs and those selected in this pass) at
    /// which enough nodes are idle, and the nodes the head will not need then.
    fn reservation(&mut self, view: &SchedulerView<'_>, head: &Job, free: u32) -> Phase {
        let part = head.partition;
        self.selected_ends.sort_unstable();
        let mut avail = free;
        let mut a = view
            .running_by_end()
            .filter(|(_, j)| j.partition == part)
            .map(|(t, j)| (t, j.nodes))
            .peekable();
        let mut b = self
            .selected_ends
            .iter()
            .filter(|e| e.2 == part)
            .map(|e| (e.0, e.1))
            .peekable();
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => {
                    if x.0 <= y.0 {
                        a.next()
                    } else {
                        b.next()
                    }
                }
                (Some(_), None) => a.next(),
                (None, Some(_)) => b.next(),
                (None, None) => None,
            };
            let Some((end, n)) = next else { break };
            avail += n;
            if avail >= head.nodes {
                return Phase::Backfill {
                    shadow: end,
                    extra: avail - head.nodes,
                };
            }
        }
        // Not enough working nodes even when everything ends (nodes are down): no reservation
        // can be made, so anything that fits may start.
        Phase::Backfill {
            shadow: SimTime::MAX,
            extra: 0,
        }
    }
}

fn est_end(now: SimTime, job: &Job) -> SimTime {
    now.saturating_add(
        SimDuration::try_from_secs_f64(job.estimate_s)
            .unwrap_or(SimDuration::from_secs(u64::MAX / 2_000_000)),
    )
}

impl Scheduler for BuiltinScheduler {
    fn name(&self) -> &str {
        match self.cfg.policy {
            QueuePolicy::Fcfs => "fcfs",
            QueuePolicy::EasyBackfill => "easy_backfill",
        }
    }

    fn release_time(&mut self, job: &Job, view: &SchedulerView<'_>) -> SimTime {
        let signal = match self.cfg.deferral {
            Deferral::None => return view.now,
            Deferral::Carbon => view.carbon_g_per_kwh,
            Deferral::Price => view.price_per_kwh,
        };
        let (true, Some(deadline)) = (job.deferrable, job.deadline) else {
            return view.now;
        };
        let run = SimDuration::try_from_secs_f64(job.estimate_s).unwrap_or(SimDuration::ZERO);
        let step = SimDuration::try_from_secs_f64(self.cfg.deferral_step_h * 3600.0)
            .unwrap_or(SimDuration::from_hours(1));
        if step.is_zero() {
            return view.now;
        }
        let mut best = (signal.mean_over(view.now, view.now + run), view.now);
        let mut t = view.now + step;
        while t.saturating_add(run) <= deadline {
            let m = signal.mean_over(t, t + run);
            if m < best.0 {
                best = (m, t);
            }
            t += step;
        }
        best.1
    }

    fn select(&mut self, view: &SchedulerView<'_>, start: &mut Vec<usize>) {
        // Each partition is scheduled on its own (its own head job and reservation); power
        // admission is shared.
        let mut free: Vec<u32> = view.free_nodes.to_vec();
        let mut state = vec![Phase::InOrder; free.len()];
        let mut power_w = view.it_power_w;
        let limit = if self.cfg.power_capped_admission {
            view.it_power_limit_w
        } else {
            None
        };
        let fits_power =
            |p: f64, job: &Job| limit.map_or(true, |l| p + view.added_power_w(job) <= l);
        self.selected_ends.clear();
        for (idx, job) in view.queued().take(self.cfg.backfill_depth.max(1)) {
            let p = usize::from(job.partition);
            if p >= free.len() {
                continue;
            }
            if free.iter().all(|&f| f == 0) {
                break;
            }
            let fits = job.nodes <= free[p] && fits_power(power_w, job);
            let go = match state[p] {
                Phase::Closed => false,
                Phase::InOrder if fits => true,
                Phase::InOrder => {
                    // `job` is this partition's blocked head. FCFS stops here; a head blocked
                    // by power (not nodes) gets no reservation and nothing passes it.
                    state[p] = if self.cfg.policy == QueuePolicy::Fcfs || job.nodes <= free[p] {
                        Phase::Closed
                    } else {
                        self.reservation(view, job, free[p])
                    };
                    false
                }
                Phase::Backfill { shadow, extra } => {
                    let ends_before = est_end(view.now, job) <= shadow;
                    if fits && (ends_before || job.nodes <= extra) {
                        if !ends_before {
                            state[p] = Phase::Backfill {
                                shadow,
                                extra: extra - job.nodes,
                            };
                        }
                        true
                    } else {
                        false
                    }
                }
            };
            if go {
                start.push(idx);
                free[p] -= job.nodes;
                power_w += view.added_power_w(job);
                if state[p] == Phase::InOrder {
                    self.selected_ends
                        .push((est_end(view.now, job), job.nodes, job.partition));
                }
            }
        }
    }
}
