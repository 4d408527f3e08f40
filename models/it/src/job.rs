//! Jobs: what users submit.

use sim_core::SimTime;

/// One job as submitted (immutable; run-time state lives in the cluster).
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Identifier, unique within a run (trace job number or generated sequence number).
    pub id: u64,
    /// Submission time.
    pub submit: SimTime,
    /// Nodes requested (whole nodes; GPU jobs request `ceil(gpus / gpus_per_node)` nodes).
    pub nodes: u32,
    /// Work: run time at full speed on uncapped nodes, s.
    pub work_s: f64,
    /// User run-time estimate (requested wall time) used for backfill reservations, s.
    pub estimate_s: f64,
    /// Mean CPU utilisation while running, 0..1 (training-step power swings averaged over the
    /// control interval).
    pub cpu_util: f64,
    /// Mean GPU utilisation while running, 0..1.
    pub gpu_util: f64,
    /// Priority: higher starts first; equal priorities start in submission order.
    pub priority: i32,
    /// May the scheduler delay the start (within the deadline) to follow grid signals?
    pub deferrable: bool,
    /// Completion deadline, if any.
    pub deadline: Option<SimTime>,
    /// Checkpoint interval in work seconds; a failure loses only the work since the last
    /// checkpoint. `None`: no checkpoints, a failure loses all work done.
    pub checkpoint_interval_s: Option<f64>,
    /// Partition (index into [`crate::ItConfig::partitions`]): the job runs only on nodes of
    /// rows in this partition.
    pub partition: u16,
}

impl Job {
    /// A plain job: full CPU and GPU utilisation, priority 0, not deferrable, no deadline, no
    /// checkpoints, estimate equal to the work, partition 0.
    pub fn new(id: u64, submit: SimTime, nodes: u32, work_s: f64) -> Self {
        Job {
            id,
            submit,
            nodes,
            work_s,
            estimate_s: work_s,
            cpu_util: 1.0,
            gpu_util: 1.0,
            priority: 0,
            deferrable: false,
            deadline: None,
            checkpoint_interval_s: None,
            partition: 0,
        }
    }

    /// Work kept after a failure when `done_s` work seconds have been done: the last
    /// checkpoint at or before `done_s`.
    pub fn checkpointed_work_s(&self, done_s: f64) -> f64 {
        match self.checkpoint_interval_s {
            Some(i) if i > 0.0 => (done_s / i).floor() * i,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_keeps_whole_intervals_only() {
        let mut j = Job::new(1, SimTime::ZERO, 1, 10_000.0);
        assert_eq!(j.checkpointed_work_s(5_000.0), 0.0);
        j.checkpoint_interval_s = Some(1_800.0);
        assert_eq!(j.checkpointed_work_s(5_000.0), 3_600.0);
        assert_eq!(j.checkpointed_work_s(1_799.0), 0.0);
    }
}
