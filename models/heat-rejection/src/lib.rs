//! # dctwin-heat-rejection
//!
//! Everything that moves heat from the facility (chilled) water or room air to outdoors, each
//! model with its source in its module doc:
//!
//! - [`chiller`]: EnergyPlus `Chiller:Electric:EIR` (McQuay PFH 2124 kW curves from
//!   `DataSets/Chillers.idf`), water- or air-cooled;
//! - [`tower`]: variable-speed cooling tower, Braun et al. (1989) effectiveness model, affinity
//!   fan power, make-up water = evaporation + drift + blowdown;
//! - [`dry_cooler`]: eps-NTU crossflow dry cooler with the lowest fan speed meeting a setpoint;
//! - [`dx`]: EnergyPlus `Coil:Cooling:DX:SingleSpeed` CRAC units;
//! - [`economizer`]: waterside economizer plate HX and three-mode policy, airside economizer;
//! - [`iec`]: indirect evaporative cooler on the air side (EnergyPlus
//!   `EvaporativeCooler:Indirect:ResearchSpecial`), dry / wet / hybrid with DX trim;
//! - [`storage`]: chilled-water tank and heat recovery (a fixed fraction, ERE);
//! - [`reuse`]: heat reuse as a model: exchanger to a reuse loop, heat-pump lift (Carnot
//!   fraction or curve), demand profile or degree days, ERE / ERF;
//! - [`plant`]: the `[heat_rejection]` section and [`HeatRejectionPlant::step`].
//!
//! ```
//! use dctwin_heat_rejection::{HeatRejectionConfig, HeatRejectionPlant, RejectionRequest};
//! use dctwin_weather::WeatherSample;
//!
//! let cfg: HeatRejectionConfig = toml::from_str(r#"
//!     [plants.chw]
//!     kind = "chiller_tower_wse"
//!     chiller_count = 3            # N+1 for 4 MW
//!     tower_count = 3
//!     [plants.chw.chiller]
//!     capacity_w = 2.0e6
//!     reference_cop = 6.0
//! "#).expect("valid TOML");
//! assert!(cfg.validate().is_empty());
//! let (chw, _fw) = HeatRejectionPlant::for_loops(&cfg).expect("builds");
//! let mut chw = chw.expect("a chilled-water plant");
//! let weather = WeatherSample { dry_bulb_c: 8.0, wet_bulb_c: 5.0, pressure_pa: 101_325.0,
//!                               ..WeatherSample::default() };
//! let step = chw.step(&RejectionRequest {
//!     load_w: 3.0e6, supply_setpoint_c: 18.0, return_temp_c: 24.0,
//!     flow_kg_s: 3.0e6 / (4186.0 * 6.0), weather: &weather, dt_s: 60.0,
//!     chillers_down: 0, fans_down: 0,
//! });
//! assert_eq!(step.mode, dctwin_heat_rejection::CoolingMode::Free);
//! assert_eq!(step.chiller_power_w, 0.0);
//! assert!(step.unmet_load_w < 1e-6);
//! ```
pub mod chiller;
pub mod curves;
pub mod dry_cooler;
pub mod dx;
pub mod economizer;
pub mod hx;
pub mod iec;
pub mod plant;
pub mod psychro;
pub mod reuse;
mod solve;
pub mod storage;
pub mod tower;

/// Specific heat of liquid water used throughout, J/(kg K) (constant; ASHRAE Fundamentals 2017
/// ch. 33 gives 4.18-4.19 kJ/(kg K) between 5 and 40 C).
pub const CP_WATER_J_KG_K: f64 = 4186.0;
/// Specific heat of dry air, J/(kg K) (ASHRAE Fundamentals 2017 ch. 1).
pub const CP_AIR_J_KG_K: f64 = 1006.0;

pub use chiller::{Chiller, ChillerConfig, ChillerOutput, ChillerOverrides, CondenserKind};
pub use dry_cooler::{DryCooler, DryCoolerConfig};
pub use dx::{DxUnit, DxUnitConfig};
pub use economizer::{
    AirsideEconomizer, CoolingMode, PlateHeatExchanger, WatersideEconomizerConfig,
    WatersideEconomizerPolicy,
};
pub use iec::{IecConfig, IecMode, IecOutput, IecRequest, IndirectEvaporativeCooler};
pub use plant::{
    energy_balance_residual_w, HeatRejectionConfig, HeatRejectionError, HeatRejectionPlant,
    PlantConfig, PlantKind, RejectionRequest, RejectionStep, ServedLoop,
};
pub use reuse::{
    HeatDemand, HeatPumpConfig, HeatReuse, HeatReuseConfig, HeatReuseError, ReuseRequest, ReuseStep,
};
pub use storage::{ChilledWaterTank, ChilledWaterTankConfig, HeatRecovery};
pub use tower::{CoolingTower, CoolingTowerConfig, WaterUse};
