//! The IT plant: nodes in racks and rows, running jobs, failures, and exact rack power.
//!
//! Power bookkeeping is incremental: each rack keeps the sum of its nodes' static power, their
//! uncapped dynamic power, its count of working nodes, the per-node fan power at its inlet
//! temperature and its dynamic-power cap fraction, so its power is
//! `static + cap * dynamic + up_nodes * fan` (0 while utility power is lost). Rack energy is
//! integrated only when that power changes (job start/finish, failure, repair, cap or inlet
//! change) and at the end of each control interval, so [`Cluster::rack_mean_power_w`] is the
//! exact mean of a piecewise-constant power and the site's IT energy equals
//! [`Cluster::it_energy_j`].
//!
//! Rack caps are enforced once per control step (as a BMC power-capping loop would, with a
//! latency of one step): at the start of `advance_to` each capped rack gets the largest uniform
//! dynamic-power fraction that keeps it under its cap (never below the lowest DVFS point), and
//! a job runs at the speed of its slowest rack. A job started inside a step on a capped rack
//! uses the rack's current fraction until the next step recomputes it.
//!
//! Jobs may be placed on nodes of any row; rows with different node types are not separate
//! partitions.

use crate::{
    config::{ItConfig, OnFailure},
    job::Job,
    node::{NodeSpec, PowerPerformance},
    scheduler::{BuiltinScheduler, Placement, QueueKey, Scheduler, SchedulerView},
    ItError,
};
use rand::Rng;
use rand_distr::{Distribution, Exp};
use serde::Serialize;
use sim_core::{
    CompensatedSum, EventQueue, RngStreams, SimDuration, SimTime, StepSeries, StreamRng, TimerId,
};
use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::path::Path;

const NONE: u32 = u32::MAX;

/// What the site gives the IT model for one control interval.
#[derive(Debug, Clone, Copy)]
pub struct ItEnvironment<'a> {
    /// Inlet air temperature of each rack, degC (from the previous control step); racks beyond
    /// the slice's length are taken at 20 degC.
    pub rack_inlet_c: &'a [f64],
    /// Power cap of each rack, W, if the site caps racks.
    pub rack_power_cap_w: Option<&'a [f64]>,
    /// IT power limit for power-capped admission, W.
    pub it_power_limit_w: Option<f64>,
    /// Grid carbon intensity, g/kWh (full series, used as a perfect forecast).
    pub carbon_g_per_kwh: &'a StepSeries,
    /// Electricity price, currency/kWh (full series).
    pub price_per_kwh: &'a StepSeries,
    /// Is utility (or battery) power reaching the IT? Turning it false has the effect of
    /// [`Cluster::power_lost`] at the start of the interval.
    pub power_available: bool,
}

/// Static facts about one rack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RackInfo {
    /// Index of its row in the configuration.
    pub row: usize,
    /// Nodes in the rack.
    pub nodes: u32,
    /// Maximum electrical power (all nodes at full load, fans at full speed), W.
    pub max_power_w: f64,
}

/// Run statistics (see field docs for units).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItStats {
    /// Jobs submitted so far.
    pub submitted: u64,
    /// Jobs completed.
    pub completed: u64,
    /// Jobs running now.
    pub running: u64,
    /// Jobs waiting (in the queue or held back by deferral).
    pub queued: u64,
    /// Jobs killed by failures (with `on_failure = "kill"`).
    pub killed: u64,
    /// Mean wait of completed jobs (submit to first start), s.
    pub mean_wait_s: f64,
    /// 95th percentile wait of completed jobs, s.
    pub p95_wait_s: f64,
    /// Mean bounded slowdown of completed jobs, `max(1, (wait + run) / max(run, 10 s))`.
    pub mean_bounded_slowdown: f64,
    /// Completed jobs that finished after their deadline.
    pub deadline_misses: u64,
    /// Mean energy per completed job (its nodes' power excluding fans, over all its runs), kWh.
    pub energy_per_completed_job_kwh: f64,
    /// Node-hours allocated to jobs (including work later lost), h.
    pub node_hours: f64,
    /// GPU-hours allocated to jobs, h.
    pub gpu_hours: f64,
    /// Allocated node-time / total node-time since the start, 0..1.
    pub utilisation: f64,
    /// Interruptions (node failures plus shared-infrastructure faults).
    pub interruptions: u64,
    /// Simulated time / interruptions, h (infinite if none).
    pub mean_interruption_interval_h: f64,
    /// Job runs interrupted by failures or power loss.
    pub jobs_interrupted: u64,
    /// Work lost (since the last checkpoint) to failures and outages, node-hours.
    pub work_lost_node_h: f64,
    /// IT energy so far, kWh.
    pub it_energy_kwh: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    NotSubmitted,
    Deferred,
    Queued,
    Running,
    Completed,
    Killed,
}

#[derive(Debug)]
struct JobState {
    status: Status,
    done_s: f64,
    speed: f64,
    power_w: f64,
    energy_j: f64,
    last: SimTime,
    first_start: Option<SimTime>,
    est_end: SimTime,
    timer: Option<TimerId>,
    nodes: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
enum Ev {
    Arrival(u32),
    Release(u32),
    Finish(u32),
    NodeFail(u32),
    NodeRepair(u32),
    SharedFault,
}

/// Consecutive racks of one row. While `inlet_c` is a number every rack of the run had that
/// inlet at the last update and its fan power is `fan_w`; NaN after a non-uniform update.
#[derive(Debug, Clone)]
struct RowRun {
    racks: std::ops::Range<usize>,
    row: usize,
    inlet_c: f64,
    fan_w: f64,
}

/// The IT plant plus its scheduler.
pub struct Cluster {
    specs: Vec<NodeSpec>,
    pp: PowerPerformance,
    failures: crate::config::FailureConfig,
    placement: Placement,
    row_names: Vec<String>,
    racks: Vec<RackInfo>,
    rack_first_node: Vec<u32>,
    node_rack: Vec<u32>,
    node_job: Vec<u32>,
    node_up: Vec<bool>,
    node_dyn_w: Vec<f64>,
    rack_static_w: Vec<f64>,
    rack_dyn_w: Vec<f64>,
    rack_up: Vec<u32>,
    rack_fan_w: Vec<f64>,
    rack_cap: Vec<f64>,
    /// Racks whose dynamic-power fraction `rack_cap` is below 1.
    capped_racks: usize,
    rack_power_w: Vec<f64>,
    it_power_total_w: f64,
    /// Runs of consecutive racks of one row, for the per-row fan update.
    row_runs: Vec<RowRun>,
    rack_acc_j: Vec<f64>,
    rack_last: Vec<SimTime>,
    rack_mean_w: Vec<f64>,
    /// Mean IT power over the last interval of `advance_to`, W.
    interval_mean_w: f64,
    rack_free: Vec<Vec<u32>>,
    rack_rank: Vec<u32>,
    rack_part: Vec<u16>,
    partition_nodes: Vec<u32>,
    free_racks: Vec<BTreeSet<(u32, u32)>>,
    free_count: Vec<u32>,
    up_count: u32,
    busy_nodes: u32,
    busy_gpus: u64,
    busy_since: SimTime,
    busy_node_s: f64,
    busy_gpu_s: f64,
    powered: bool,
    mean_dyn_per_node: Vec<(f64, NodeSpec)>,
    jobs: Vec<Job>,
    st: Vec<JobState>,
    queue: BTreeSet<QueueKey>,
    deferred: u64,
    running: BTreeSet<(SimTime, u32)>,
    events: EventQueue<Ev>,
    /// Time of the first pending event after the last `advance_to` (the queue's peek needs
    /// `&mut`).
    next_event: Option<SimTime>,
    scheduler: Box<dyn Scheduler>,
    fail_rng: StreamRng,
    now: SimTime,
    interval_start: SimTime,
    it_energy: CompensatedSum,
    submitted: u64,
    completed: u64,
    killed: u64,
    waits_s: Vec<f64>,
    slowdown_sum: f64,
    deadline_misses: u64,
    completed_energy_j: f64,
    interruptions: u64,
    jobs_interrupted: u64,
    work_lost_node_s: f64,
    start_buf: Vec<usize>,
}

/// Node-count-weighted mean uncapped dynamic power per node of `job` over the rows, W.
fn mean_dynamic_w(rows: &[(f64, NodeSpec)], job: &Job) -> f64 {
    rows.iter()
        .map(|(w, s)| w * s.dynamic_w(job.cpu_util, job.gpu_util))
        .sum()
}

fn dur_s(s: f64) -> SimDuration {
    // ceil to the microsecond so that a job never finishes before its work is done
    let us = (s.max(0.0) * 1e6).ceil();
    SimDuration::from_micros(if us.is_finite() && us < 9.0e18 {
        us as u64
    } else {
        u64::MAX / 4
    })
}

impl Cluster {
    /// Build the cluster with the built-in scheduler configured in `cfg.scheduler`; trace paths
    /// are relative to `base_dir`; jobs are generated up to `horizon`.
    pub fn new(
        cfg: &ItConfig,
        base_dir: &Path,
        streams: &RngStreams,
        horizon: SimTime,
    ) -> Result<Cluster, ItError> {
        Self::with_scheduler(
            cfg,
            base_dir,
            streams,
            horizon,
            Box::new(BuiltinScheduler::new(cfg.scheduler.clone())),
        )
    }

    /// Build the cluster with a user-supplied policy (`cfg.scheduler` then only sets placement).
    pub fn with_scheduler(
        cfg: &ItConfig,
        base_dir: &Path,
        streams: &RngStreams,
        horizon: SimTime,
        scheduler: Box<dyn Scheduler>,
    ) -> Result<Cluster, ItError> {
        let specs = cfg.resolve()?;
        let jobs = cfg
            .workload
            .jobs(base_dir, streams, horizon, &cfg.partitions())?;
        Self::from_parts(cfg, specs, jobs, streams, scheduler)
    }

    /// Build the cluster with an explicit job list (sorted by submit time; ids are kept) instead
    /// of `cfg.workload`.
    pub fn with_jobs(
        cfg: &ItConfig,
        mut jobs: Vec<Job>,
        streams: &RngStreams,
        scheduler: Box<dyn Scheduler>,
    ) -> Result<Cluster, ItError> {
        let specs = cfg.resolve()?;
        jobs.sort_by_key(|j| j.submit);
        Self::from_parts(cfg, specs, jobs, streams, scheduler)
    }

    fn from_parts(
        cfg: &ItConfig,
        specs: Vec<NodeSpec>,
        jobs: Vec<Job>,
        streams: &RngStreams,
        scheduler: Box<dyn Scheduler>,
    ) -> Result<Cluster, ItError> {
        let mut racks = Vec::new();
        let mut rack_first_node = Vec::new();
        let mut node_rack = Vec::new();
        let mut rack_free = Vec::new();
        let mut rack_static_w = Vec::new();
        let mut mean_dyn_per_node = Vec::new();
        let partitions = cfg.partitions();
        let mut rack_part: Vec<u16> = Vec::new();
        let mut partition_nodes = vec![0u32; partitions.len()];
        let total_nodes: u64 = cfg
            .rows
            .iter()
            .map(|r| u64::from(r.racks) * u64::from(r.nodes_per_rack))
            .sum();
        for (row, (r, spec)) in cfg.rows.iter().zip(&specs).enumerate() {
            mean_dyn_per_node.push((
                (u64::from(r.racks) * u64::from(r.nodes_per_rack)) as f64 / total_nodes as f64,
                spec.clone(),
            ));
            let part = partitions
                .iter()
                .position(|p| *p == r.partition)
                .unwrap_or(0);
            partition_nodes[part] += r.racks * r.nodes_per_rack;
            for _ in 0..r.racks {
                rack_part.push(part as u16);
                let rack = racks.len() as u32;
                let first = node_rack.len() as u32;
                rack_first_node.push(first);
                node_rack.extend(std::iter::repeat(rack).take(r.nodes_per_rack as usize));
                // free list is popped from the back: lowest node first
                rack_free.push(
                    (first..first + r.nodes_per_rack)
                        .rev()
                        .collect::<Vec<u32>>(),
                );
                rack_static_w.push(spec.static_w() * f64::from(r.nodes_per_rack));
                racks.push(RackInfo {
                    row,
                    nodes: r.nodes_per_rack,
                    max_power_w: spec.max_w() * f64::from(r.nodes_per_rack),
                });
            }
        }
        let n_nodes = node_rack.len() as u32;
        let part_size = |j: &Job| {
            partition_nodes
                .get(usize::from(j.partition))
                .copied()
                .unwrap_or(0)
        };
        if let Some(j) = jobs.iter().find(|j| j.nodes > part_size(j) || j.nodes == 0) {
            return Err(ItError::JobTooLarge {
                job_id: j.id,
                nodes: j.nodes,
                cluster_nodes: part_size(j),
            });
        }
        let n_racks = racks.len();
        let mut row_runs: Vec<RowRun> = Vec::new();
        for (i, r) in racks.iter().enumerate() {
            match row_runs.last_mut() {
                Some(run) if run.row == r.row && run.racks.end == i => run.racks.end = i + 1,
                _ => row_runs.push(RowRun {
                    racks: i..i + 1,
                    row: r.row,
                    inlet_c: f64::NAN,
                    fan_w: f64::NAN,
                }),
            }
        }
        let rack_up: Vec<u32> = racks.iter().map(|r| r.nodes).collect();
        let rack_fan_w: Vec<f64> = racks.iter().map(|r| specs[r.row].fan_w(20.0)).collect();
        let rack_power_w: Vec<f64> = (0..n_racks)
            .map(|i| rack_static_w[i] + f64::from(rack_up[i]) * rack_fan_w[i])
            .collect();
        let st = jobs
            .iter()
            .map(|_| JobState {
                status: Status::NotSubmitted,
                done_s: 0.0,
                speed: 1.0,
                power_w: 0.0,
                energy_j: 0.0,
                last: SimTime::ZERO,
                first_start: None,
                est_end: SimTime::ZERO,
                timer: None,
                nodes: Vec::new(),
            })
            .collect();
        let mut c = Cluster {
            specs,
            pp: cfg.power_performance.clone(),
            failures: cfg.failures.clone(),
            placement: cfg.scheduler.placement,
            row_names: cfg.rows.iter().map(|r| r.name.clone()).collect(),
            rack_rank: (0..n_racks as u32).collect(),
            free_racks: (0..partitions.len())
                .map(|p| {
                    (0..n_racks as u32)
                        .filter(|&r| rack_part[r as usize] as usize == p)
                        .map(|r| (r, r))
                        .collect()
                })
                .collect(),
            free_count: partition_nodes.clone(),
            partition_nodes,
            rack_part,
            racks,
            rack_first_node,
            node_job: vec![NONE; n_nodes as usize],
            node_up: vec![true; n_nodes as usize],
            node_dyn_w: vec![0.0; n_nodes as usize],
            node_rack,
            rack_static_w,
            rack_dyn_w: vec![0.0; n_racks],
            rack_up,
            rack_fan_w,
            rack_cap: vec![1.0; n_racks],
            capped_racks: 0,
            rack_mean_w: rack_power_w.clone(),
            interval_mean_w: rack_power_w.iter().sum(),
            it_power_total_w: rack_power_w.iter().sum(),
            row_runs,
            rack_power_w,
            rack_acc_j: vec![0.0; n_racks],
            rack_last: vec![SimTime::ZERO; n_racks],
            rack_free,
            up_count: n_nodes,
            busy_nodes: 0,
            busy_gpus: 0,
            busy_since: SimTime::ZERO,
            busy_node_s: 0.0,
            busy_gpu_s: 0.0,
            powered: true,
            mean_dyn_per_node,
            st,
            jobs,
            queue: BTreeSet::new(),
            deferred: 0,
            running: BTreeSet::new(),
            events: EventQueue::new(),
            next_event: None,
            scheduler,
            fail_rng: streams.stream("it.failures"),
            now: SimTime::ZERO,
            interval_start: SimTime::ZERO,
            it_energy: CompensatedSum::default(),
            submitted: 0,
            completed: 0,
            killed: 0,
            waits_s: Vec::new(),
            slowdown_sum: 0.0,
            deadline_misses: 0,
            completed_energy_j: 0.0,
            interruptions: 0,
            jobs_interrupted: 0,
            work_lost_node_s: 0.0,
            start_buf: Vec::new(),
        };
        if let Some(j) = c.jobs.first() {
            c.events.schedule(j.submit, Ev::Arrival(0));
        }
        if c.failures.enabled {
            for n in 0..n_nodes {
                if let Some(t) = c.draw_failure(n, SimTime::ZERO) {
                    c.events.schedule(t, Ev::NodeFail(n));
                }
            }
            c.schedule_shared_fault(SimTime::ZERO);
        }
        Ok(c)
    }

    fn node_failure_rate_per_h(&self, n: u32) -> f64 {
        let spec = &self.specs[self.racks[self.node_rack[n as usize] as usize].row];
        if spec.gpus > 0 {
            f64::from(spec.gpus) / self.failures.accelerator_mtbf_h
        } else {
            1.0 / self.failures.cpu_node_mtbf_h
        }
    }

    fn draw_exp_h(&mut self, rate_per_h: f64) -> Option<SimDuration> {
        let e = Exp::new(rate_per_h).ok()?;
        let h: f64 = e.sample(&mut self.fail_rng);
        Some(dur_s(h * 3600.0))
    }

    fn draw_failure(&mut self, n: u32, now: SimTime) -> Option<SimTime> {
        let rate = self.node_failure_rate_per_h(n);
        if !(rate > 0.0 && rate.is_finite()) {
            return None;
        }
        self.draw_exp_h(rate).map(|d| now.saturating_add(d))
    }

    fn schedule_shared_fault(&mut self, now: SimTime) {
        if self.failures.enabled && self.failures.shared_mtbi_h > 0.0 {
            if let Some(d) = self.draw_exp_h(1.0 / self.failures.shared_mtbi_h) {
                self.events.schedule(now.saturating_add(d), Ev::SharedFault);
            }
        }
    }

    /// Names of the rows, in configuration order.
    pub fn row_names(&self) -> &[String] {
        &self.row_names
    }

    /// Per-rack facts, racks numbered row by row.
    pub fn racks(&self) -> &[RackInfo] {
        &self.racks
    }

    /// Nodes per partition (partition order of [`ItConfig::partitions`]).
    pub fn partition_nodes(&self) -> &[u32] {
        &self.partition_nodes
    }

    /// Total nodes.
    pub fn node_count(&self) -> u32 {
        self.node_rack.len() as u32
    }

    /// The scheduler's name.
    pub fn scheduler_name(&self) -> &str {
        self.scheduler.name()
    }

    /// Mean IT power of the whole cluster over the interval closed by the last
    /// [`Cluster::advance_to`] (its energy over the interval's length; the current power for
    /// an empty interval), W. The sum of [`Cluster::rack_mean_power_w`] up to rounding.
    pub fn mean_it_power_w(&self) -> f64 {
        self.interval_mean_w
    }

    /// Each rack's exact mean electrical power over the interval of the last `advance_to`, W.
    pub fn rack_mean_power_w(&self) -> &[f64] {
        &self.rack_mean_w
    }

    /// Each row's exact mean power over the last `advance_to` interval (sum of its racks), W.
    pub fn row_mean_power_w(&self) -> Vec<f64> {
        let mut rows = vec![0.0; self.row_names.len()];
        for (info, p) in self.racks.iter().zip(&self.rack_mean_w) {
            rows[info.row] += p;
        }
        rows
    }

    /// IT energy from time 0 to the end of the last `advance_to`, J.
    pub fn it_energy_j(&self) -> f64 {
        self.it_energy.value()
    }

    /// Jobs waiting to start (queued, excluding those held back by deferral).
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Jobs running now.
    pub fn running_len(&self) -> usize {
        self.running.len()
    }

    /// Current simulation time of the IT model.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Energy attributed to job `index` so far, J (its nodes' power excluding fans).
    pub fn job_energy_j(&self, index: usize) -> Option<f64> {
        self.st.get(index).map(|s| s.energy_j)
    }

    /// First start time of job `index`, if it has started.
    pub fn job_start(&self, index: usize) -> Option<SimTime> {
        self.st.get(index).and_then(|s| s.first_start)
    }

    /// The jobs of this run, by index.
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    // ---- power bookkeeping -------------------------------------------------------------

    #[inline]
    fn touch_rack(&mut self, r: usize, t: SimTime) {
        let last = self.rack_last[r];
        if t > last {
            self.rack_acc_j[r] += self.rack_power_w[r] * (t - last).as_secs_f64();
            self.rack_last[r] = t;
        }
    }

    #[inline]
    fn refresh_rack(&mut self, r: usize) {
        let old = self.rack_power_w[r];
        self.rack_power_w[r] = if self.powered {
            self.rack_static_w[r]
                + self.rack_cap[r] * self.rack_dyn_w[r]
                + f64::from(self.rack_up[r]) * self.rack_fan_w[r]
        } else {
            0.0
        };
        self.it_power_total_w += self.rack_power_w[r] - old;
    }

    fn account_busy(&mut self, t: SimTime) {
        if t > self.busy_since {
            let dt = (t - self.busy_since).as_secs_f64();
            self.busy_node_s += f64::from(self.busy_nodes) * dt;
            self.busy_gpu_s += self.busy_gpus as f64 * dt;
            self.busy_since = t;
        }
    }

    fn it_power_w(&self) -> f64 {
        self.it_power_total_w
    }

    // ---- jobs ---------------------------------------------------------------------------

    /// Bring job progress and energy up to `t`.
    fn progress(&mut self, j: usize, t: SimTime) {
        let s = &mut self.st[j];
        if t > s.last {
            let dt = (t - s.last).as_secs_f64();
            s.done_s = (s.done_s + s.speed * dt).min(self.jobs[j].work_s);
            s.energy_j += s.power_w * dt;
            s.last = t;
        }
    }

    /// Recompute speed and power of running job `j` from its racks' caps and reschedule its
    /// finish.
    fn rerate(&mut self, j: usize, t: SimTime) {
        let mut speed = 1.0f64;
        let mut power = 0.0;
        for &n in &self.st[j].nodes {
            let r = self.node_rack[n as usize] as usize;
            let spec = &self.specs[self.racks[r].row];
            speed = speed.min(self.pp.speed(self.rack_cap[r]));
            power += spec.static_w() + self.rack_cap[r] * self.node_dyn_w[n as usize];
        }
        let s = &mut self.st[j];
        s.speed = speed;
        s.power_w = power;
        if let Some(id) = s.timer.take() {
            self.events.cancel(id);
        }
        let remaining = (self.jobs[j].work_s - s.done_s).max(0.0);
        let at = t.saturating_add(dur_s(remaining / speed));
        self.st[j].timer = Some(self.events.schedule_cancellable(at, Ev::Finish(j as u32)));
    }

    fn take_node(&mut self, part: usize) -> Option<u32> {
        let &(rank, r) = self.free_racks[part].iter().next()?;
        let list = &mut self.rack_free[r as usize];
        let n = list.pop()?;
        if list.is_empty() {
            self.free_racks[part].remove(&(rank, r));
        }
        Some(n)
    }

    fn give_node(&mut self, n: u32) {
        let r = self.node_rack[n as usize];
        let list = &mut self.rack_free[r as usize];
        list.push(n);
        let part = usize::from(self.rack_part[r as usize]);
        if list.len() == 1 {
            self.free_racks[part].insert((self.rack_rank[r as usize], r));
        }
        self.free_count[part] += 1;
    }

    fn start_job(&mut self, j: usize, t: SimTime) -> bool {
        let job = &self.jobs[j];
        let part = usize::from(job.partition);
        if self.st[j].status != Status::Queued
            || job.nodes > self.free_count.get(part).copied().unwrap_or(0)
            || !self.powered
        {
            return false;
        }
        let (nodes_needed, cpu_u, gpu_u) = (job.nodes, job.cpu_util, job.gpu_util);
        let key = (Reverse(job.priority), job.submit, j as u32);
        self.queue.remove(&key);
        self.account_busy(t);
        let mut nodes = std::mem::take(&mut self.st[j].nodes);
        nodes.clear();
        for _ in 0..nodes_needed {
            let Some(n) = self.take_node(part) else { break };
            let r = self.node_rack[n as usize] as usize;
            self.touch_rack(r, t);
            let spec = &self.specs[self.racks[r].row];
            let d = spec.dynamic_w(cpu_u, gpu_u);
            self.busy_gpus += u64::from(spec.gpus);
            self.node_dyn_w[n as usize] = d;
            self.rack_dyn_w[r] += d;
            self.node_job[n as usize] = j as u32;
            self.refresh_rack(r);
            nodes.push(n);
        }
        self.free_count[part] -= nodes.len() as u32;
        self.busy_nodes += nodes.len() as u32;
        let est = t.saturating_add(dur_s(self.jobs[j].estimate_s));
        let s = &mut self.st[j];
        s.nodes = nodes;
        s.status = Status::Running;
        s.last = t;
        s.est_end = est;
        s.first_start.get_or_insert(t);
        self.running.insert((est, j as u32));
        self.rerate(j, t);
        true
    }

    /// Take job `j` off its nodes (at time `t`, progress already updated).
    fn release_nodes(&mut self, j: usize, t: SimTime) {
        self.account_busy(t);
        let nodes = std::mem::take(&mut self.st[j].nodes);
        for &n in &nodes {
            let r = self.node_rack[n as usize] as usize;
            self.touch_rack(r, t);
            self.rack_dyn_w[r] -= self.node_dyn_w[n as usize];
            if self.rack_dyn_w[r].abs() < 1e-6 {
                self.rack_dyn_w[r] = 0.0; // clear rounding residue
            }
            self.node_dyn_w[n as usize] = 0.0;
            self.node_job[n as usize] = NONE;
            self.busy_gpus -= u64::from(self.specs[self.racks[r].row].gpus);
            self.refresh_rack(r);
            if self.node_up[n as usize] {
                self.give_node(n);
            }
        }
        self.busy_nodes -= nodes.len() as u32;
        self.st[j].nodes = nodes; // keep the allocation for reuse
        self.st[j].nodes.clear();
        if let Some(id) = self.st[j].timer.take() {
            self.events.cancel(id);
        }
        self.running.remove(&(self.st[j].est_end, j as u32));
    }

    fn finish_job(&mut self, j: usize, t: SimTime) {
        self.progress(j, t);
        self.st[j].done_s = self.jobs[j].work_s;
        self.st[j].timer = None;
        self.release_nodes(j, t);
        self.st[j].status = Status::Completed;
        self.completed += 1;
        let job = &self.jobs[j];
        let start = self.st[j].first_start.unwrap_or(t);
        let wait = (start - job.submit).as_secs_f64();
        let run = (t - start).as_secs_f64();
        self.waits_s.push(wait);
        self.slowdown_sum += ((wait + run) / run.max(10.0)).max(1.0);
        if job.deadline.is_some_and(|d| t > d) {
            self.deadline_misses += 1;
        }
        self.completed_energy_j += self.st[j].energy_j;
    }

    /// Interrupt running job `j`: it loses the work since its last checkpoint and is requeued
    /// (or killed).
    fn interrupt_job(&mut self, j: usize, t: SimTime, kill: bool) {
        self.progress(j, t);
        let job = &self.jobs[j];
        let kept = job.checkpointed_work_s(self.st[j].done_s);
        self.work_lost_node_s += (self.st[j].done_s - kept) * f64::from(job.nodes);
        self.st[j].done_s = kept;
        self.jobs_interrupted += 1;
        self.release_nodes(j, t);
        if kill {
            self.st[j].status = Status::Killed;
            self.killed += 1;
        } else {
            self.st[j].status = Status::Queued;
            let job = &self.jobs[j];
            self.queue
                .insert((Reverse(job.priority), job.submit, j as u32));
        }
    }

    // ---- failures -----------------------------------------------------------------------

    fn fail_node(&mut self, n: u32, t: SimTime) {
        if !self.node_up[n as usize] {
            return;
        }
        self.interruptions += 1;
        let r = self.node_rack[n as usize] as usize;
        let j = self.node_job[n as usize];
        self.node_up[n as usize] = false;
        if j != NONE {
            let kill = self.failures.on_failure == OnFailure::Kill;
            self.interrupt_job(j as usize, t, kill);
        } else {
            let list = &mut self.rack_free[r];
            if let Some(pos) = list.iter().position(|&x| x == n) {
                list.remove(pos);
                let part = usize::from(self.rack_part[r]);
                self.free_count[part] -= 1;
                if list.is_empty() {
                    self.free_racks[part].remove(&(self.rack_rank[r], r as u32));
                }
            }
        }
        self.touch_rack(r, t);
        self.rack_up[r] -= 1;
        self.rack_static_w[r] -= self.specs[self.racks[r].row].static_w();
        self.refresh_rack(r);
        self.up_count -= 1;
        if let Some(d) = self.draw_exp_h(1.0 / self.failures.repair_mean_h) {
            self.events.schedule(t.saturating_add(d), Ev::NodeRepair(n));
        }
    }

    fn repair_node(&mut self, n: u32, t: SimTime) {
        if self.node_up[n as usize] {
            return;
        }
        let r = self.node_rack[n as usize] as usize;
        self.node_up[n as usize] = true;
        self.touch_rack(r, t);
        self.rack_up[r] += 1;
        self.rack_static_w[r] += self.specs[self.racks[r].row].static_w();
        self.refresh_rack(r);
        self.up_count += 1;
        self.give_node(n);
        if let Some(next) = self.draw_failure(n, t) {
            self.events.schedule(next, Ev::NodeFail(n));
        }
    }

    fn shared_fault(&mut self, t: SimTime) {
        self.interruptions += 1;
        let row = self.fail_rng.gen_range(0..self.row_names.len());
        let mut victims: Vec<u32> = self
            .racks
            .iter()
            .enumerate()
            .filter(|(_, info)| info.row == row)
            .flat_map(|(r, info)| {
                let first = self.rack_first_node[r] as usize;
                self.node_job[first..first + info.nodes as usize]
                    .iter()
                    .copied()
            })
            .filter(|&j| j != NONE)
            .collect();
        victims.sort_unstable();
        victims.dedup();
        for j in victims {
            self.interrupt_job(j as usize, t, self.failures.on_failure == OnFailure::Kill);
        }
        self.schedule_shared_fault(t);
    }

    /// Utility power to the IT is lost at `now` (e.g. the battery is empty): every running job
    /// loses the work since its last checkpoint and is requeued, and the nodes draw nothing
    /// until an `advance_to` whose environment says power is available again. `now` should be
    /// the end of the last `advance_to`.
    pub fn power_lost(&mut self, now: SimTime) {
        let now = now.max(self.now);
        let running: Vec<u32> = self.running.iter().map(|&(_, j)| j).collect();
        let mut sorted = running;
        sorted.sort_unstable();
        for j in sorted {
            self.interrupt_job(j as usize, now, false);
        }
        for r in 0..self.racks.len() {
            self.touch_rack(r, now);
        }
        self.powered = false;
        for r in 0..self.racks.len() {
            self.refresh_rack(r);
        }
        self.now = now;
        self.next_event = self.events.peek_time();
    }

    // ---- driving ------------------------------------------------------------------------

    fn apply_environment(&mut self, env: &ItEnvironment<'_>) -> bool {
        let t = self.now;
        let mut changed = false;
        if !env.power_available && self.powered {
            // power gone without an explicit `power_lost` call: same consequences
            self.power_lost(t);
        }
        if env.power_available != self.powered {
            for r in 0..self.racks.len() {
                self.touch_rack(r, t);
            }
            self.powered = env.power_available;
            changed = true;
            for r in 0..self.racks.len() {
                self.refresh_rack(r);
            }
        }
        // Racks of a row usually share their inlet temperature (the recirculation fraction is
        // set per row): then the fan curve is evaluated once for the run, and nothing is done
        // per rack when the fan power did not change (below the ramp it is flat).
        for k in 0..self.row_runs.len() {
            let (range, row) = (self.row_runs[k].racks.clone(), self.row_runs[k].row);
            let uniform = env.rack_inlet_c.get(range.clone()).and_then(|s| {
                let t0 = *s.first()?;
                s.iter().all(|&x| x == t0).then_some(t0)
            });
            let run = &mut self.row_runs[k];
            let fan = match uniform {
                Some(t0) => {
                    if t0 == run.inlet_c {
                        continue;
                    }
                    let fan = self.specs[row].fan_w(t0);
                    let unchanged = !run.inlet_c.is_nan() && fan == run.fan_w;
                    (run.inlet_c, run.fan_w) = (t0, fan);
                    if unchanged {
                        continue;
                    }
                    Some(fan)
                }
                None => {
                    (run.inlet_c, run.fan_w) = (f64::NAN, f64::NAN);
                    None
                }
            };
            for r in range {
                let fan = fan.unwrap_or_else(|| {
                    let inlet = env.rack_inlet_c.get(r).copied().unwrap_or(20.0);
                    self.specs[row].fan_w(inlet)
                });
                if fan != self.rack_fan_w[r] {
                    self.touch_rack(r, t);
                    self.rack_fan_w[r] = fan;
                    self.refresh_rack(r);
                }
            }
        }
        // Rack caps: the largest uniform dynamic-power fraction that keeps the rack under its
        // cap (floored at the lowest DVFS point), recomputed once per control step.
        let min_frac = self.pp.min_cap_frac();
        let mut rerate_racks = Vec::new();
        // Without caps and with no rack capped there is nothing to do.
        let racks_to_check = if env.rack_power_cap_w.is_none() && self.capped_racks == 0 {
            0
        } else {
            self.racks.len()
        };
        for r in 0..racks_to_check {
            let cap = env.rack_power_cap_w.and_then(|c| c.get(r).copied());
            if self.rack_cap[r] == 1.0 && cap.map_or(true, |c| c == f64::INFINITY) {
                continue;
            }
            let frac = match cap {
                Some(cap_w) if self.rack_dyn_w[r] > 0.0 => {
                    let fixed =
                        self.rack_static_w[r] + f64::from(self.rack_up[r]) * self.rack_fan_w[r];
                    ((cap_w - fixed) / self.rack_dyn_w[r]).clamp(min_frac, 1.0)
                }
                _ => 1.0,
            };
            if frac != self.rack_cap[r] {
                self.touch_rack(r, t);
                match (self.rack_cap[r] == 1.0, frac == 1.0) {
                    (true, false) => self.capped_racks += 1,
                    (false, true) => self.capped_racks -= 1,
                    _ => {}
                }
                self.rack_cap[r] = frac;
                self.refresh_rack(r);
                rerate_racks.push(r);
            }
        }
        if !rerate_racks.is_empty() {
            let mut jobs = Vec::new();
            for r in rerate_racks {
                let first = self.rack_first_node[r] as usize;
                let n = self.racks[r].nodes as usize;
                jobs.extend(
                    self.node_job[first..first + n]
                        .iter()
                        .copied()
                        .filter(|&j| j != NONE),
                );
            }
            jobs.sort_unstable();
            jobs.dedup();
            for j in jobs {
                self.progress(j as usize, t);
                self.rerate(j as usize, t);
            }
        }
        if self.placement == Placement::ThermalAware {
            let mut order: Vec<u32> = (0..self.racks.len() as u32).collect();
            order.sort_by(|&a, &b| {
                let ta = env.rack_inlet_c.get(a as usize).copied().unwrap_or(20.0);
                let tb = env.rack_inlet_c.get(b as usize).copied().unwrap_or(20.0);
                ta.total_cmp(&tb).then(a.cmp(&b))
            });
            let mut new_rank = vec![0u32; order.len()];
            for (k, &r) in order.iter().enumerate() {
                new_rank[r as usize] = k as u32;
            }
            if new_rank != self.rack_rank {
                self.rack_rank = new_rank;
                for set in &mut self.free_racks {
                    set.clear();
                }
                for r in 0..self.racks.len() {
                    if !self.rack_free[r].is_empty() {
                        self.free_racks[usize::from(self.rack_part[r])]
                            .insert((self.rack_rank[r], r as u32));
                    }
                }
                changed = true;
            }
        }
        changed
    }

    fn run_scheduler(&mut self, env: &ItEnvironment<'_>) {
        if !self.powered || self.queue.is_empty() || self.free_count.iter().all(|&f| f == 0) {
            return;
        }
        let mut buf = std::mem::take(&mut self.start_buf);
        buf.clear();
        {
            let it_power_w = self.it_power_w();
            let md = &self.mean_dyn_per_node;
            let mean_dyn = move |job: &Job| mean_dynamic_w(md, job);
            let view = SchedulerView {
                now: self.now,
                free_nodes: &self.free_count,
                up_nodes: self.up_count,
                jobs: &self.jobs,
                queue: &self.queue,
                running: &self.running,
                it_power_w,
                it_power_limit_w: env.it_power_limit_w,
                mean_dynamic_w_per_node: &mean_dyn,
                carbon_g_per_kwh: env.carbon_g_per_kwh,
                price_per_kwh: env.price_per_kwh,
            };
            self.scheduler.select(&view, &mut buf);
        }
        for &j in &buf {
            if j < self.jobs.len() {
                self.start_job(j, self.now);
            }
        }
        self.start_buf = buf;
    }

    fn arrive(&mut self, j: usize, env: &ItEnvironment<'_>) {
        self.submitted += 1;
        if j + 1 < self.jobs.len() {
            self.events
                .schedule(self.jobs[j + 1].submit, Ev::Arrival(j as u32 + 1));
        }
        let release = {
            let it_power_w = self.it_power_w();
            let md = &self.mean_dyn_per_node;
            let mean_dyn = move |job: &Job| mean_dynamic_w(md, job);
            let view = SchedulerView {
                now: self.now,
                free_nodes: &self.free_count,
                up_nodes: self.up_count,
                jobs: &self.jobs,
                queue: &self.queue,
                running: &self.running,
                it_power_w,
                it_power_limit_w: env.it_power_limit_w,
                mean_dynamic_w_per_node: &mean_dyn,
                carbon_g_per_kwh: env.carbon_g_per_kwh,
                price_per_kwh: env.price_per_kwh,
            };
            self.scheduler.release_time(&self.jobs[j], &view)
        };
        if release > self.now {
            self.st[j].status = Status::Deferred;
            self.deferred += 1;
            self.events.schedule(release, Ev::Release(j as u32));
        } else {
            self.enqueue(j);
        }
    }

    fn enqueue(&mut self, j: usize) {
        self.st[j].status = Status::Queued;
        let job = &self.jobs[j];
        self.queue
            .insert((Reverse(job.priority), job.submit, j as u32));
    }

    /// Process every IT event with time <= `until` in (time, insertion) order, with the
    /// environment held constant over the interval, and compute each rack's exact mean power
    /// over `(previous until, until]`.
    pub fn advance_to(&mut self, until: SimTime, env: &ItEnvironment<'_>) {
        if self.apply_environment(env) || self.powered {
            self.run_scheduler(env);
        }
        while let Some(t) = self.events.peek_time() {
            if t > until {
                break;
            }
            self.now = t;
            let mut dirty = false;
            while self.events.peek_time() == Some(t) {
                let Some((_, ev)) = self.events.pop() else {
                    break;
                };
                match ev {
                    Ev::Arrival(j) => {
                        self.arrive(j as usize, env);
                        dirty = true;
                    }
                    Ev::Release(j) => {
                        self.deferred -= 1;
                        self.enqueue(j as usize);
                        dirty = true;
                    }
                    Ev::Finish(j) => {
                        self.st[j as usize].timer = None;
                        self.finish_job(j as usize, t);
                        dirty = true;
                    }
                    Ev::NodeFail(n) => {
                        self.fail_node(n, t);
                        dirty = true;
                    }
                    Ev::NodeRepair(n) => {
                        self.repair_node(n, t);
                        dirty = true;
                    }
                    Ev::SharedFault => {
                        self.shared_fault(t);
                        dirty = true;
                    }
                }
            }
            if dirty {
                self.run_scheduler(env);
            }
        }
        let until = until.max(self.now);
        let start = self.interval_start;
        let len_s = (until - start).as_secs_f64();
        let mut total = 0.0;
        // The running IT power total is re-summed once per interval so rounding cannot drift.
        let mut it_power_w = 0.0;
        for r in 0..self.racks.len() {
            let p = self.rack_power_w[r];
            it_power_w += p;
            if self.rack_last[r] == start {
                // Untouched during the interval: its power was constant, and so is its mean.
                total += p * len_s;
                self.rack_mean_w[r] = p;
                self.rack_last[r] = until;
                continue;
            }
            self.touch_rack(r, until);
            let acc = self.rack_acc_j[r];
            total += acc;
            self.rack_mean_w[r] = if len_s > 0.0 { acc / len_s } else { p };
            self.rack_acc_j[r] = 0.0;
        }
        self.it_power_total_w = it_power_w;
        self.interval_mean_w = if len_s > 0.0 {
            total / len_s
        } else {
            it_power_w
        };
        self.it_energy.add(total);
        self.account_busy(until);
        self.now = until;
        self.interval_start = until;
        self.next_event = self.events.peek_time();
    }

    /// Time of the next IT event (arrival, release, finish, failure, repair) still pending, if
    /// any: the site's master joins it to its thresholds while a threshold depends on the IT
    /// power (on battery), so that the IT power is constant up to the threshold.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.next_event
    }

    /// Statistics so far.
    pub fn stats(&self) -> ItStats {
        let n = self.waits_s.len();
        let mean_wait_s = if n > 0 {
            self.waits_s.iter().sum::<f64>() / n as f64
        } else {
            0.0
        };
        let p95_wait_s = if n > 0 {
            let mut w = self.waits_s.clone();
            let k = ((0.95 * n as f64).ceil() as usize).clamp(1, n) - 1;
            let (_, v, _) = w.select_nth_unstable_by(k, f64::total_cmp);
            *v
        } else {
            0.0
        };
        let elapsed_s = self.now.as_secs_f64();
        let open_s = self.now.saturating_since(self.busy_since).as_secs_f64();
        let busy_node_s = self.busy_node_s + f64::from(self.busy_nodes) * open_s;
        let busy_gpu_s = self.busy_gpu_s + self.busy_gpus as f64 * open_s;
        ItStats {
            submitted: self.submitted,
            completed: self.completed,
            running: self.running.len() as u64,
            queued: self.queue.len() as u64 + self.deferred,
            killed: self.killed,
            mean_wait_s,
            p95_wait_s,
            mean_bounded_slowdown: if n > 0 {
                self.slowdown_sum / n as f64
            } else {
                0.0
            },
            deadline_misses: self.deadline_misses,
            energy_per_completed_job_kwh: if n > 0 {
                self.completed_energy_j / n as f64 / 3.6e6
            } else {
                0.0
            },
            node_hours: busy_node_s / 3600.0,
            gpu_hours: busy_gpu_s / 3600.0,
            utilisation: if elapsed_s > 0.0 {
                busy_node_s / (elapsed_s * f64::from(self.node_count()))
            } else {
                0.0
            },
            interruptions: self.interruptions,
            mean_interruption_interval_h: if self.interruptions > 0 {
                elapsed_s / 3600.0 / self.interruptions as f64
            } else {
                f64::INFINITY
            },
            jobs_interrupted: self.jobs_interrupted,
            work_lost_node_h: self.work_lost_node_s / 3600.0,
            it_energy_kwh: self.it_energy.value() / 3.6e6,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{
        config::{FailureConfig, RowConfig},
        node::NodeSpec,
        scheduler::{Deferral, QueuePolicy},
        workload::{PoissonWorkload, WorkloadConfig, WorkloadSource},
        NodeChoice,
    };

    fn cfg(racks: u32, nodes_per_rack: u32, preset: &str) -> ItConfig {
        ItConfig {
            rows: vec![RowConfig {
                name: "r".into(),
                racks,
                nodes_per_rack,
                node: NodeChoice::Preset(preset.into()),
                partition: "default".into(),
            }],
            workload: WorkloadConfig { sources: vec![] },
            failures: FailureConfig {
                enabled: false,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    struct Env {
        inlet: Vec<f64>,
        caps: Option<Vec<f64>>,
        carbon: StepSeries,
        price: StepSeries,
        power: bool,
    }

    impl Env {
        fn new(racks: usize) -> Self {
            Env {
                inlet: vec![20.0; racks],
                caps: None,
                carbon: StepSeries::constant(300.0),
                price: StepSeries::constant(0.1),
                power: true,
            }
        }
        fn get(&self) -> ItEnvironment<'_> {
            ItEnvironment {
                rack_inlet_c: &self.inlet,
                rack_power_cap_w: self.caps.as_deref(),
                it_power_limit_w: None,
                carbon_g_per_kwh: &self.carbon,
                price_per_kwh: &self.price,
                power_available: self.power,
            }
        }
    }

    fn run_minutes(c: &mut Cluster, env: &Env, minutes: u64) {
        let t0 = c.now().as_micros() / 60_000_000;
        for m in 1..=minutes {
            c.advance_to(SimTime::from_secs((t0 + m) * 60), &env.get());
        }
    }

    fn check_conservation(c: &Cluster) {
        let s = c.stats();
        assert_eq!(
            s.submitted,
            s.completed + s.running + s.queued + s.killed,
            "{s:?}"
        );
        let count = |st: Status| c.st.iter().filter(|x| x.status == st).count() as u64;
        assert_eq!(count(Status::Completed), s.completed);
        assert_eq!(count(Status::Running), s.running);
        assert_eq!(count(Status::Queued) + count(Status::Deferred), s.queued);
        assert_eq!(count(Status::Killed), s.killed);
        // every node is free, busy or down, exactly once
        let busy: usize =
            c.st.iter()
                .filter(|x| x.status == Status::Running)
                .map(|x| x.nodes.len())
                .sum();
        let down = c.node_up.iter().filter(|u| !**u).count();
        let free: u32 = c.free_count.iter().sum();
        assert_eq!(busy + down + free as usize, c.node_count() as usize);
    }

    #[test]
    fn easy_backfill_hand_worked_example() {
        // 4 nodes; all jobs submitted at t = 0 in order A..E, estimates exact.
        // A(2 nodes, 100 s) starts at 0. B(4, 50) is blocked; its reservation (shadow time) is
        // 100 s, when A ends, with 0 extra nodes. C(1, 200) would end after 100 -> not
        // backfilled. D(1, 90) and E(1, 100) end by 100 -> backfilled at 0. At 100 A and E end
        // and B starts (its reservation is kept); C starts at 150 when B ends.
        let spec = [(2, 100.0), (4, 50.0), (1, 200.0), (1, 90.0), (1, 100.0)];
        let jobs: Vec<Job> = spec
            .iter()
            .enumerate()
            .map(|(i, &(n, w))| Job::new(i as u64, SimTime::ZERO, n, w))
            .collect();
        let expect = |policy, starts: [u64; 5]| {
            let mut c = cfg(1, 4, "cpu_dual_socket");
            c.scheduler.policy = policy;
            let mut cl = Cluster::with_jobs(
                &c,
                jobs.clone(),
                &RngStreams::new(1),
                Box::new(BuiltinScheduler::new(c.scheduler.clone())),
            )
            .unwrap();
            let env = Env::new(1);
            run_minutes(&mut cl, &env, 10);
            let got: Vec<u64> = (0..5)
                .map(|j| cl.job_start(j).unwrap().as_micros() / 1_000_000)
                .collect();
            assert_eq!(got, starts, "{policy:?}");
            assert_eq!(cl.stats().completed, 5);
            check_conservation(&cl);
        };
        expect(QueuePolicy::EasyBackfill, [0, 100, 150, 0, 0]);
        expect(QueuePolicy::Fcfs, [0, 100, 150, 150, 150]);
    }

    #[test]
    fn cap_halving_dynamic_power_stretches_runtime_by_cube_law() {
        // One CPU node, a CPU-bound job of 3600 s work. The rack cap leaves exactly half of the
        // dynamic power from the first control step after the start (t = 60 s). Documented
        // curve (node::PowerPerformance): clock ratio 0.5^(1/3), run time x 1.259921.
        let c = cfg(1, 1, "cpu_dual_socket");
        let spec = NodeSpec::cpu_dual_socket();
        let job = Job::new(0, SimTime::ZERO, 1, 3600.0);
        let mut cl = Cluster::with_jobs(
            &c,
            vec![job],
            &RngStreams::new(1),
            Box::new(BuiltinScheduler::new(c.scheduler.clone())),
        )
        .unwrap();
        let mut env = Env::new(1);
        run_minutes(&mut cl, &env, 1);
        let dyn_w = spec.dynamic_w(1.0, 1.0);
        let cap_w = spec.static_w() + spec.fan_w(20.0) + 0.5 * dyn_w;
        env.caps = Some(vec![cap_w]);
        run_minutes(&mut cl, &env, 2);
        // capped rack power is exactly at the cap
        assert!((cl.rack_mean_power_w()[0] - cap_w).abs() < 1e-9);
        run_minutes(&mut cl, &env, 120);
        assert_eq!(cl.stats().completed, 1);
        let stretch = 2f64.powf(1.0 / 3.0);
        let expected_end_s = 60.0 + (3600.0 - 60.0) * stretch;
        // finish - start (start = 0); tolerance 1 us rounding
        let st = &cl.st[0];
        assert!(
            (st.last.as_secs_f64() - expected_end_s).abs() < 1e-5,
            "{}",
            st.last
        );
        // energy per job: full power for 60 s, half dynamic after (fans excluded)
        let e_j = 60.0 * (spec.static_w() + dyn_w)
            + (expected_end_s - 60.0) * (spec.static_w() + 0.5 * dyn_w);
        let s = cl.stats();
        assert!(
            (s.energy_per_completed_job_kwh * 3.6e6 - e_j).abs() < 1e-3,
            "{s:?}"
        );
    }

    #[test]
    fn rack_energy_is_exact_and_conserved() {
        // 2 jobs on a 1-rack, 4-node cluster with irregular timing: the sum over intervals of
        // mean power x length equals it_energy_j and the analytic energy.
        let c = cfg(1, 4, "gpu_8x_h100");
        let spec = NodeSpec::gpu_8x_h100();
        let mut a = Job::new(0, SimTime::from_micros(12_345_678), 2, 1234.5);
        a.gpu_util = 0.7;
        let b = Job::new(1, SimTime::from_secs(100), 1, 777.7);
        let mut cl = Cluster::with_jobs(
            &c,
            vec![a.clone(), b.clone()],
            &RngStreams::new(1),
            Box::new(BuiltinScheduler::new(c.scheduler.clone())),
        )
        .unwrap();
        let env = Env::new(1);
        let (mut sum, mut sum_total) = (0.0, 0.0);
        for m in 1..=60 {
            cl.advance_to(SimTime::from_secs(m * 60), &env.get());
            sum += cl.rack_mean_power_w()[0] * 60.0;
            sum_total += cl.mean_it_power_w() * 60.0;
        }
        assert!((sum_total - sum).abs() / sum < 1e-12);
        let idle_node = spec.static_w() + spec.fan_w(20.0);
        let expected = 4.0 * idle_node * 3600.0
            + 2.0 * spec.dynamic_w(a.cpu_util, a.gpu_util) * 1234.5
            + spec.dynamic_w(1.0, 1.0) * 777.7;
        assert!((sum - cl.it_energy_j()).abs() / sum < 1e-12);
        assert!(
            (sum - expected).abs() / expected < 1e-9,
            "{sum} vs {expected}"
        );
    }

    #[test]
    fn jobs_are_conserved_under_failures_and_outage_and_runs_are_deterministic() {
        let mut c = cfg(4, 8, "gpu_8x_h100");
        c.rows.push(RowConfig {
            name: "cpu".into(),
            racks: 2,
            nodes_per_rack: 16,
            node: NodeChoice::Preset("cpu_dual_socket".into()),
            partition: "default".into(),
        });
        c.workload.sources = vec![WorkloadSource::Poisson(PoissonWorkload {
            mean_rate_per_h: 20.0,
            mean_runtime_h: 1.0,
            checkpoint_interval_h: 0.25,
            deferrable_fraction: 0.3,
            ..Default::default()
        })];
        c.scheduler.deferral = Deferral::Price;
        c.failures = FailureConfig {
            enabled: true,
            accelerator_mtbf_h: 2_000.0,
            cpu_node_mtbf_h: 2_000.0,
            shared_mtbi_h: 24.0,
            ..Default::default()
        };
        let run = |on_failure| {
            let mut c = c.clone();
            c.failures.on_failure = on_failure;
            let mut cl = Cluster::new(
                &c,
                Path::new("."),
                &RngStreams::new(42),
                SimTime::from_secs(2 * 86_400),
            )
            .unwrap();
            let mut env = Env::new(cl.racks().len());
            env.price = StepSeries::new(vec![
                (SimTime::ZERO, 0.3),
                (SimTime::from_secs(8 * 3600), 0.1),
            ])
            .unwrap()
            .periodic(SimDuration::from_hours(24));
            for h in 0..72 {
                if h == 30 {
                    cl.power_lost(cl.now());
                    env.power = false;
                }
                if h == 32 {
                    env.power = true;
                }
                run_minutes(&mut cl, &env, 60);
                check_conservation(&cl);
                if (30..32).contains(&h) {
                    assert_eq!(cl.rack_mean_power_w().iter().sum::<f64>(), 0.0);
                    assert_eq!(cl.running_len(), 0);
                }
            }
            (cl.stats(), cl.rack_mean_power_w().to_vec())
        };
        let (s, p) = run(OnFailure::Requeue);
        assert!(s.submitted > 500 && s.completed > 400, "{s:?}");
        assert!(
            s.interruptions > 5 && s.jobs_interrupted > 5 && s.work_lost_node_h > 0.0,
            "{s:?}"
        );
        assert_eq!(s.killed, 0);
        let (s2, p2) = run(OnFailure::Requeue);
        assert_eq!(s, s2);
        assert_eq!(p, p2);
        let (k, _) = run(OnFailure::Kill);
        assert!(k.killed > 0);
    }

    #[test]
    fn outage_loses_only_work_since_checkpoint() {
        let c = cfg(1, 2, "cpu_dual_socket");
        let mut job = Job::new(0, SimTime::ZERO, 2, 3600.0);
        job.checkpoint_interval_s = Some(600.0);
        let mut cl = Cluster::with_jobs(
            &c,
            vec![job],
            &RngStreams::new(1),
            Box::new(BuiltinScheduler::new(c.scheduler.clone())),
        )
        .unwrap();
        let mut env = Env::new(1);
        cl.advance_to(SimTime::from_secs(1000), &env.get());
        cl.power_lost(SimTime::from_secs(1000));
        env.power = false;
        cl.advance_to(SimTime::from_secs(2000), &env.get());
        assert_eq!(cl.rack_mean_power_w()[0], 0.0);
        let s = cl.stats();
        // 400 s since the checkpoint at 600 s, on 2 nodes
        assert!((s.work_lost_node_h - 800.0 / 3600.0).abs() < 1e-9);
        assert_eq!((s.queued, s.running), (1, 0));
        env.power = true;
        cl.advance_to(SimTime::from_secs(10_000), &env.get());
        // restarted at 2000 s with 3000 s of work left
        assert_eq!(cl.st[0].last, SimTime::from_secs(5000));
        assert_eq!(cl.stats().completed, 1);
        // the environment alone (no power_lost call) has the same effect
        let mut c2 = Cluster::with_jobs(
            &c,
            vec![cl.jobs()[0].clone()],
            &RngStreams::new(1),
            Box::new(BuiltinScheduler::new(c.scheduler.clone())),
        )
        .unwrap();
        let mut env = Env::new(1);
        c2.advance_to(SimTime::from_secs(1000), &env.get());
        env.power = false;
        c2.advance_to(SimTime::from_secs(2000), &env.get());
        assert_eq!(c2.rack_mean_power_w()[0], 0.0);
        assert_eq!((c2.stats().queued, c2.running_len()), (1, 0));
        assert!((c2.stats().work_lost_node_h - 800.0 / 3600.0).abs() < 1e-9);
    }

    #[test]
    fn carbon_aware_deferral_moves_work_to_low_carbon_hours() {
        // Two-level carbon signal: 500 g/kWh from 00:00 to 12:00, 100 g/kWh from 12:00 to 24:00.
        // 20 deferrable 2-hour jobs arrive between 00:00 and 06:00 with deadlines 20 h after
        // submission; the cluster is large enough that nothing waits for nodes.
        let jobs: Vec<Job> = (0..20)
            .map(|i| {
                let submit = SimTime::from_secs(i * 1080);
                let mut j = Job::new(i, submit, 1, 7200.0);
                j.deferrable = true;
                j.deadline = Some(submit + SimDuration::from_hours(20));
                j
            })
            .collect();
        let carbon = StepSeries::new(vec![
            (SimTime::ZERO, 500.0),
            (SimTime::from_secs(12 * 3600), 100.0),
        ])
        .unwrap()
        .periodic(SimDuration::from_hours(24));
        let run = |deferral| {
            let mut c = cfg(1, 32, "cpu_dual_socket");
            c.scheduler.deferral = deferral;
            if deferral == Deferral::Price {
                c.scheduler.deferral_step_h = 1.0;
            }
            let mut cl = Cluster::with_jobs(
                &c,
                jobs.clone(),
                &RngStreams::new(1),
                Box::new(BuiltinScheduler::new(c.scheduler.clone())),
            )
            .unwrap();
            let mut env = Env::new(1);
            env.carbon = carbon.clone();
            // price: cheap only from 18:00 to 24:00
            env.price = StepSeries::new(vec![
                (SimTime::ZERO, 0.3),
                (SimTime::from_secs(18 * 3600), 0.1),
            ])
            .unwrap()
            .periodic(SimDuration::from_hours(24));
            let mut grams = 0.0;
            for m in 1..=(36 * 60) {
                let t0 = SimTime::from_secs((m - 1) * 60);
                cl.advance_to(SimTime::from_secs(m * 60), &env.get());
                grams += cl.rack_mean_power_w()[0] * 60.0 / 3.6e6 * carbon.value_at(t0);
            }
            (cl, grams)
        };
        let (fcfs, g_fcfs) = run(Deferral::None);
        let (aware, g_aware) = run(Deferral::Carbon);
        assert_eq!(fcfs.stats().completed, 20);
        assert_eq!(aware.stats().completed, 20);
        assert_eq!(aware.stats().deadline_misses, 0);
        for j in 0..20 {
            let start = aware.job_start(j).unwrap().as_secs_f64() / 3600.0;
            assert!(
                (12.0..=22.0).contains(&start),
                "job {j} starts at {start} h"
            );
        }
        // FCFS runs every job inside the 500 g/kWh hours (arrivals by 06:00, 2 h runs), the
        // deferring policy inside the 100 g/kWh hours; idle power is the same in both, so the
        // saving is the jobs' dynamic energy (20 x 2 h x 320 W = 12.8 kWh) x 400 g/kWh = 5120 g.
        let dyn_kwh = 20.0 * 2.0 * NodeSpec::cpu_dual_socket().dynamic_w(1.0, 1.0) / 1000.0;
        let saving = g_fcfs - g_aware;
        assert!(
            (saving / (dyn_kwh * 400.0) - 1.0).abs() < 1e-6,
            "{g_aware} vs {g_fcfs}"
        );
    }

    #[test]
    fn default_failures_reproduce_caict_intervals() {
        // CAICT (2024): ~24 h between interruptions for 10,000 accelerators, ~7 days for 1,000.
        // 10,000 accelerators = 1,250 8-GPU nodes (two racks of 625: at most 1,024 nodes per
        // rack), one simulated year, failures only; 20 %.
        let run = |racks: u32, nodes_per_rack: u32, years: u64| {
            let mut c = cfg(racks, nodes_per_rack, "gpu_8x_h100");
            c.failures = FailureConfig::default();
            let mut cl = Cluster::with_jobs(
                &c,
                vec![],
                &RngStreams::new(2024),
                Box::new(BuiltinScheduler::new(c.scheduler.clone())),
            )
            .unwrap();
            let env = Env::new(racks as usize);
            for d in 1..=365 * years {
                cl.advance_to(SimTime::from_secs(d * 86_400), &env.get());
            }
            cl.stats()
        };
        let big = run(2, 625, 1);
        eprintln!(
            "10,000 accelerators: {:.1} h between interruptions",
            big.mean_interruption_interval_h
        );
        assert!(
            (big.mean_interruption_interval_h / 24.0 - 1.0).abs() < 0.2,
            "{big:?}"
        );
        let small = run(1, 125, 10);
        eprintln!(
            "1,000 accelerators: {:.1} h between interruptions",
            small.mean_interruption_interval_h
        );
        assert!(
            (small.mean_interruption_interval_h / 168.0 - 1.0).abs() < 0.2,
            "{small:?}"
        );
    }

    #[test]
    fn hot_inlet_raises_fan_power_and_thermal_placement_prefers_cool_racks() {
        let mut c = cfg(3, 2, "gpu_8x_h100");
        c.scheduler.placement = Placement::ThermalAware;
        let jobs = vec![Job::new(0, SimTime::from_secs(30), 2, 600.0)];
        let mut cl = Cluster::with_jobs(
            &c,
            jobs,
            &RngStreams::new(1),
            Box::new(BuiltinScheduler::new(c.scheduler.clone())),
        )
        .unwrap();
        let mut env = Env::new(3);
        env.inlet = vec![30.0, 24.0, 18.0];
        run_minutes(&mut cl, &env, 1);
        let p = cl.rack_mean_power_w().to_vec();
        // rack 2 (coolest) got the job; rack 0 (30 degC) draws more fan power than rack 1
        assert!(p[2] > p[1] && p[0] > p[1], "{p:?}");
        let spec = NodeSpec::gpu_8x_h100();
        assert!((p[0] - p[1] - 2.0 * (spec.fan_w(30.0) - spec.fan_w(24.0))).abs() < 1e-9);
        assert!((cl.row_mean_power_w()[0] - p.iter().sum::<f64>()).abs() < 1e-9);
    }

    #[test]
    fn fan_power_follows_uniform_and_mixed_row_inlets() {
        // Idle racks: each rack's power is static + nodes x fan_w(its inlet), whether the row's
        // inlets are uniform (one fan evaluation per row) or not, in any order of changes.
        let c = cfg(4, 2, "cpu_dual_socket");
        let mut cl = Cluster::with_jobs(
            &c,
            vec![],
            &RngStreams::new(1),
            Box::new(BuiltinScheduler::new(c.scheduler.clone())),
        )
        .unwrap();
        let spec = NodeSpec::cpu_dual_socket();
        let mut env = Env::new(4);
        for inlets in [
            vec![22.0; 4],
            vec![30.0; 4],
            vec![30.0, 30.0, 33.0, 30.0],
            vec![30.0; 4],
            vec![22.0, 22.0, 22.0],
            vec![23.0; 4],
        ] {
            env.inlet = inlets.clone();
            run_minutes(&mut cl, &env, 1);
            for (r, &p) in cl.rack_mean_power_w().iter().enumerate() {
                let t = inlets.get(r).copied().unwrap_or(20.0);
                let want = 2.0 * (spec.static_w() + spec.fan_w(t));
                assert!(
                    (p - want).abs() < 1e-9,
                    "{inlets:?}: rack {r} {p} W, want {want}"
                );
            }
        }
    }

    #[test]
    fn shipped_swf_trace_replays_to_completion() {
        // 18 replayable jobs of tests/data/synthetic.swf on 16 nodes of 4 processors: the
        // largest (64 processors) needs all 16 nodes; every job completes exactly once and
        // the node-hours delivered equal the trace's sum of nodes x run time.
        let mut c = cfg(2, 8, "cpu_dual_socket");
        c.workload = WorkloadConfig {
            sources: vec![WorkloadSource::Swf(crate::workload::TraceWorkload {
                path: "tests/data/synthetic.swf".into(),
                procs_per_node: 4,
                offset_s: 0.0,
                partition: None,
            })],
        };
        let base = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut cl =
            Cluster::new(&c, base, &RngStreams::new(1), SimTime::from_secs(86_400)).unwrap();
        let env = Env::new(2);
        run_minutes(&mut cl, &env, 24 * 60);
        let s = cl.stats();
        assert_eq!((s.submitted, s.completed), (18, 18));
        let expected_h: f64 = cl
            .jobs()
            .iter()
            .map(|j| f64::from(j.nodes) * j.work_s)
            .sum::<f64>()
            / 3600.0;
        assert!(
            (s.node_hours - expected_h).abs() < 1e-6,
            "{} vs {expected_h}",
            s.node_hours
        );
        check_conservation(&cl);
    }

    #[test]
    fn partitions_keep_gpu_jobs_on_gpu_rows() {
        // Row 0: 2 racks of CPU nodes (partition "cpu"); row 1: 1 rack of 4 GPU nodes
        // (partition "gpu"). Training bursts name "gpu"; Poisson jobs go to the first partition.
        let mut c = cfg(2, 8, "cpu_dual_socket");
        c.rows[0].partition = "cpu".into();
        c.rows.push(RowConfig {
            name: "g".into(),
            racks: 1,
            nodes_per_rack: 4,
            node: NodeChoice::Preset("gpu_8x_h100".into()),
            partition: "gpu".into(),
        });
        c.workload.sources = vec![
            WorkloadSource::Poisson(PoissonWorkload {
                mean_rate_per_h: 10.0,
                max_nodes: 8,
                ..Default::default()
            }),
            WorkloadSource::TrainingBursts(crate::workload::TrainingBursts {
                mean_interval_h: 6.0,
                nodes: 4,
                mean_duration_h: 3.0,
                partition: Some("gpu".into()),
                ..Default::default()
            }),
        ];
        assert!(c.validate().is_empty());
        let mut cl = Cluster::new(
            &c,
            Path::new("."),
            &RngStreams::new(5),
            SimTime::from_secs(3 * 86_400),
        )
        .unwrap();
        assert_eq!(cl.partition_nodes(), &[16, 4]);
        let env = Env::new(3);
        for _ in 0..(3 * 24) {
            run_minutes(&mut cl, &env, 60);
            check_conservation(&cl);
            for (j, s) in cl.st.iter().enumerate() {
                for &n in &s.nodes {
                    let row = cl.racks[cl.node_rack[n as usize] as usize].row;
                    assert_eq!(
                        row,
                        usize::from(cl.jobs()[j].partition),
                        "job {j} on node {n}"
                    );
                }
            }
        }
        let gpu_jobs = cl.jobs().iter().filter(|j| j.partition == 1).count();
        assert!(gpu_jobs >= 5 && cl.stats().gpu_hours > 0.0);
        // a job larger than its partition is refused
        let mut big = c.clone();
        if let WorkloadSource::TrainingBursts(t) = &mut big.workload.sources[1] {
            t.nodes = 5;
        }
        assert!(matches!(
            Cluster::new(
                &big,
                Path::new("."),
                &RngStreams::new(5),
                SimTime::from_secs(3 * 86_400)
            ),
            Err(ItError::JobTooLarge {
                cluster_nodes: 4,
                ..
            })
        ));
        let mut unknown = c.clone();
        if let WorkloadSource::TrainingBursts(t) = &mut unknown.workload.sources[1] {
            t.partition = Some("tpu".into());
        }
        assert_eq!(unknown.validate()[0].path, "workload.sources[1].partition");
    }

    #[test]
    fn power_capped_admission_holds_it_power_under_limit() {
        let mut c = cfg(1, 8, "gpu_8x_h100");
        c.scheduler.power_capped_admission = true;
        let jobs: Vec<Job> = (0..8)
            .map(|i| Job::new(i, SimTime::ZERO, 1, 3600.0))
            .collect();
        let mut cl = Cluster::with_jobs(
            &c,
            jobs,
            &RngStreams::new(1),
            Box::new(BuiltinScheduler::new(c.scheduler.clone())),
        )
        .unwrap();
        let env = Env::new(1);
        let spec = NodeSpec::gpu_8x_h100();
        let idle = 8.0 * (spec.static_w() + spec.fan_w(20.0));
        let limit = idle + 3.5 * spec.dynamic_w(1.0, 1.0);
        let mut e = env.get();
        e.it_power_limit_w = Some(limit);
        cl.advance_to(SimTime::from_secs(60), &e);
        assert_eq!(cl.running_len(), 3);
        assert!(cl.rack_mean_power_w()[0] <= limit);
    }
}
