//! # dctwin-heat-rejection
//!
//! Everything that moves heat from the facility (chilled) water or room air to outdoors.
pub mod chiller;
pub mod curves;
pub mod dry_cooler;
pub mod dx;
pub mod economizer;
pub mod hx;
pub mod iec;
pub mod plant;
pub mod psychro;
pub mod storage;
pub mod tower;

/// Specific heat of liquid water used throughout, J/(kg K) (constant; ASHRAE Fundamentals 2017
/// ch. 33 gives 4.18-4.19 kJ/(kg K) between 5 and 40 C).
pub const CP_WATER_J_KG_K: f64 = 4186.0;
/// Specific heat of dry air, J/(kg K) (ASHRAE Fundamentals 2017 ch. 1).
pub const CP_AIR_J_KG_K: f64 = 1006.0;

pub use chiller::{Chiller, ChillerConfig, ChillerOutput, CondenserKind};
pub use dry_cooler::{DryCooler, DryCoolerConfig};
pub use dx::{DxUnit, DxUnitConfig};
pub use economizer::{
    AirsideEconomizer, CoolingMode, PlateHeatExchanger, WatersideEconomizerConfig,
    WatersideEconomizerPolicy,
};
pub use iec::{IecConfig, IecMode, IndirectEvaporativeCooler};
pub use plant::{
    energy_balance_residual_w, HeatRejectionConfig, HeatRejectionError, HeatRejectionPlant,
    PlantConfig, PlantKind, RejectionRequest, RejectionStep, ServedLoop,
};
pub use storage::{ChilledWaterTank, ChilledWaterTankConfig, HeatRecovery};
pub use tower::{CoolingTower, CoolingTowerConfig, WaterUse};
