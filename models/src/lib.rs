//! # dctwin models
//!
//! The physics and IT models, one crate per subsystem, re-exported here so that the scenario
//! layer depends on one crate. Dependencies point one way: weather <- heat_rejection <- thermal,
//! weather <- power; every crate depends on `sim-core` only for time, integration, random
//! streams and validation issues.
//! - [`weather`]: EPW files, synthetic years from climate normals, psychrometrics, solar geometry;
//! - [`it`]: nodes, GPUs, jobs, workloads, schedulers, failures;
//! - [`heat_rejection`]: chillers, towers, dry coolers, economizers, evaporative coolers, storage;
//! - [`thermal`]: coolants, air path, liquid loops, the cooling plant and its controls;
//! - [`power`]: power chain, batteries, generators, renewables, grid signals, storage policies.

pub use dctwin_heat_rejection as heat_rejection;
pub use dctwin_it as it;
pub use dctwin_power as power;
pub use dctwin_thermal as thermal;
pub use dctwin_weather as weather;
