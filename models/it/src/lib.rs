//! # dctwin-it — the IT load of a data center
//!
//! Nodes (CPU and GPU) in racks and rows with utilisation-dependent power, inlet-dependent fan
//! power and DVFS power capping ([`node`]); jobs ([`job`]); workloads: Poisson with a diurnal
//! profile, AI training bursts, SWF and CSV trace replay ([`workload`], [`trace`]); scheduling
//! policies behind a trait ([`scheduler`]); and the plant that runs them, with failures,
//! checkpoints and exact per-rack power ([`cluster`]). Configured by the `[it]` section
//! ([`ItConfig`]).

pub mod cluster;
pub mod config;
mod error;
pub mod job;
pub mod node;
pub mod scheduler;
pub mod trace;
pub mod workload;

pub use cluster::{Cluster, ItEnvironment, ItStats, RackInfo};
pub use config::{FailureConfig, ItConfig, NodeChoice, OnFailure, RowConfig};
pub use error::ItError;
pub use job::Job;
pub use node::{NodeSpec, PowerPerformance, UtilisationCurve};
pub use scheduler::{
    BuiltinScheduler, Deferral, Placement, QueuePolicy, Scheduler, SchedulerConfig, SchedulerView,
};
pub use workload::{
    PoissonWorkload, TraceWorkload, TrainingBursts, WorkloadConfig, WorkloadSource,
};
