//! # dctwin-power — the electrical side of the digital twin
//!
//! Utility -> transformer -> UPS / HVDC rectifier / rack power shelf -> PDU -> server PSU -> IT,
//! plus batteries (UPS ride-through and site energy storage), a standby generator, PV and wind,
//! grid price and carbon signals, storage policies (rules, a receding-horizon optimiser), the
//! battery's degradation cost, demand-response requests, a perfect-foresight dispatch bound
//! ([`oracle`]) and the [`ElectricalSystem`] assembly that the site runner steps every control
//! interval.
//!
//! Sign and metering conventions:
//! - IT power handed in by the IT model is server *input* (wall) power, which already contains
//!   the PSU loss; the PSU loss is reported for information and is part of the IT power.
//! - Every conversion loss is assigned to a space ([`LossSpace`]): the electrical room or the
//!   white space, so that the thermal side can cool it.
//! - "IT energy" for PUE is metered at [`MeteringBoundary`] (UPS output, PDU output or server
//!   input).
//!
//! ```
//! use dctwin_power::{ElectricalInputs, ElectricalSystem, GridSignals, PowerConfig};
//! use sim_core::{RngStreams, SimDuration, SimTime};
//!
//! let cfg: PowerConfig = toml::from_str(r#"
//!     [chain]
//!     architecture = "ac_ups"
//!     [battery]
//!     capacity_kwh = 4000.0
//!     [storage_policy]
//!     kind = "peak_shaving"
//!     demand_target_w = 1.5e6
//! "#).expect("valid TOML");
//! assert!(cfg.validate().is_empty());
//! let signals = GridSignals::load(&cfg.grid, std::path::Path::new("."), &RngStreams::new(1))
//!     .expect("signals");
//! let mut sys = ElectricalSystem::new(&cfg, signals).expect("valid");
//! let inputs = ElectricalInputs { it_power_w: 1.0e6, cooling_power_w: 2.0e5, ..Default::default() };
//! let step = sys.step(SimTime::ZERO, SimDuration::from_secs(60), &inputs);
//! assert!(step.utility_import_w > 1.2e6 && step.unserved_it_w == 0.0);
//! assert!(step.balance_residual_w(&inputs).abs() < 1e-6);
//! ```

pub mod battery;
pub mod chain;
pub mod curves;
pub mod degradation;
pub mod demand_response;
pub mod generator;
pub mod grid;
pub mod mpc;
pub mod oracle;
pub mod policy;
pub mod renewables;
pub mod system;

pub use battery::{Battery, BatteryChemistry, BatteryConfig};
pub use chain::{
    ChainArchitecture, ChainConfig, ChainLosses, ConverterStageConfig, LossSpace, MeteringBoundary,
    Pdu, PowerChain, PsuConfig, Redundancy, Transformer, UpsMode,
};
pub use curves::{EfficiencyCurve, PsuEfficiencyCurve, UpsEfficiencyCurve};
pub use degradation::DegradationCost;
pub use demand_response::DemandResponseEvent;
pub use generator::{Generator, GeneratorConfig};
pub use grid::{GridConfig, GridError, GridSignals, SignalSource};
pub use oracle::{OracleError, OracleInput, OracleOptions, OracleResult};
pub use policy::{StorageObservation, StoragePolicy, StoragePolicyConfig, StoragePolicyKind};
pub use renewables::{PvArray, PvConfig, Transposition, WindConfig, WindTurbine};
pub use system::{
    ElectricalInputs, ElectricalStep, ElectricalSystem, ElectricalTotals, OracleReport,
    PowerConfig, PowerError,
};
