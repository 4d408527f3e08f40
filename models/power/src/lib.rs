//! # dctwin-power — the electrical side of the digital twin
//!
//! Utility -> transformer -> UPS / HVDC rectifier / rack power shelf -> PDU -> server PSU -> IT,
//! plus batteries (UPS ride-through and site energy storage), a standby generator, PV and wind,
//! grid price and carbon signals, storage policies and the [`ElectricalSystem`] assembly that
//! the site runner steps every control interval.
//!
//! Sign and metering conventions:
//! - IT power handed in by the IT model is server *input* (wall) power, which already contains
//!   the PSU loss; the PSU loss is reported for information and is part of the IT power.
//! - Every conversion loss is assigned to a space ([`LossSpace`]): the electrical room or the
//!   white space, so that the thermal side can cool it.
//! - "IT energy" for PUE is metered at [`MeteringBoundary`] (UPS output, PDU output or server
//!   input).

pub mod battery;
pub mod chain;
pub mod curves;
pub mod generator;
pub mod grid;
pub mod policy;
pub mod renewables;
pub mod system;

pub use battery::{Battery, BatteryChemistry, BatteryConfig};
pub use chain::{
    ChainArchitecture, ChainConfig, ChainLosses, LossSpace, MeteringBoundary, PowerChain,
    Redundancy, UpsMode,
};
pub use curves::{EfficiencyCurve, PsuEfficiencyCurve, UpsEfficiencyCurve};
pub use generator::{Generator, GeneratorConfig};
pub use grid::{GridConfig, GridError, GridSignals, SignalSource};
pub use policy::{StorageObservation, StoragePolicy, StoragePolicyConfig, StoragePolicyKind};
pub use renewables::{PvArray, PvConfig, Transposition, WindConfig, WindTurbine};
pub use system::{
    ElectricalInputs, ElectricalStep, ElectricalSystem, ElectricalTotals, PowerConfig, PowerError,
};
