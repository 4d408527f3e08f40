//! # dctwin-it — the IT load of a data center
//!
//! Nodes (CPU and GPU) in racks and rows with utilisation-dependent power, inlet-dependent fan
//! power and DVFS power capping ([`node`]); jobs ([`job`]); workloads: Poisson with a diurnal
//! profile, AI training bursts, SWF and CSV trace replay ([`workload`], [`trace`]); scheduling
//! policies behind a trait ([`scheduler`]); and the plant that runs them, with failures,
//! checkpoints and exact per-rack power ([`cluster`]). Configured by the `[it]` section
//! ([`ItConfig`]).
//!
//! ```
//! use dctwin_it::{Cluster, ItConfig, ItEnvironment};
//! use sim_core::{RngStreams, SimTime, StepSeries};
//!
//! let cfg: ItConfig = toml::from_str(r#"
//!     [[rows]]
//!     name = "gpu"
//!     racks = 2
//!     nodes_per_rack = 4
//!     node = "gpu_8x_h100"
//!     [[workload.sources]]
//!     kind = "training_bursts"
//!     mean_interval_h = 12
//!     nodes = 4
//!     [scheduler]
//!     policy = "easy_backfill"
//! "#).unwrap();
//! let horizon = SimTime::from_secs(86_400);
//! let mut it = Cluster::new(&cfg, std::path::Path::new("."), &RngStreams::new(1), horizon).unwrap();
//! let (inlet, carbon, price) = (vec![22.0; 2], StepSeries::constant(300.0), StepSeries::constant(0.1));
//! let env = ItEnvironment {
//!     rack_inlet_c: &inlet, rack_power_cap_w: None, it_power_limit_w: None,
//!     carbon_g_per_kwh: &carbon, price_per_kwh: &price, power_available: true,
//! };
//! let mut energy_j = 0.0;
//! for minute in 1..=1440 {
//!     it.advance_to(SimTime::from_secs(minute * 60), &env);
//!     energy_j += it.rack_mean_power_w().iter().sum::<f64>() * 60.0;
//! }
//! assert!((energy_j - it.it_energy_j()).abs() < 1e-6 * energy_j);
//! let s = it.stats();
//! assert_eq!(s.submitted, s.completed + s.running + s.queued + s.killed);
//! ```

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
