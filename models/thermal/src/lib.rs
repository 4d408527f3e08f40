#![cfg_attr(test, allow(clippy::unwrap_used))]
//! # dctwin-thermal — the air and liquid paths inside the building
//!
//! Models (each cites its source in its own module):
//! - [`coolant`]: water, propylene glycol/water 25 % and 40 %, a single-phase dielectric
//!   hydrocarbon: density, heat capacity, viscosity and conductivity versus temperature;
//! - [`ashrae`]: ASHRAE TC 9.9 (2021, 5th ed.) environmental classes and exceedance hours;
//! - [`air`]: CRAH (fan affinity laws, coil), containment (recirculation and bypass) and the
//!   lumped room thermal mass advanced exactly with [`sim_core::first_order_step`];
//! - [`liquid`]: cold plates, counterflow heat exchangers by effectiveness-NTU (CDU, immersion
//!   tank exchanger), pumps on a quadratic system curve;
//! - [`control`]: the [`control::CoolingPolicy`] trait, built-in policies and the
//!   [`control::Guard`];
//! - [`config`] and [`plant`]: the `[cooling]` section and the [`plant::CoolingPlant`] the site
//!   runner steps once per control interval.
//!
//! ```
//! use dctwin_thermal::{CoolingConfig, CoolingPlant, Faults, ThermalInputs};
//! use sim_core::SimDuration;
//!
//! let cfg: CoolingConfig = toml::from_str(
//!     r#"
//!     chip_limit_c = 85.0
//!     [air]
//!     crah_count = 4
//!     crah_spare_count = 1
//!     [liquid]
//!     rows = ["gpu"]
//!     capture_fraction = 0.8
//!     [control]
//!     policy = "supply_reset"
//!     "#,
//! )
//! .unwrap();
//! let rows = vec!["cpu".to_string(), "gpu".to_string()];
//! let rack_rows = [0, 0, 1, 1];
//! let mut plant = CoolingPlant::new(&cfg, &rack_rows, &rows).unwrap();
//! let heat_w = [10e3, 10e3, 60e3, 60e3];
//! let step = plant.step(
//!     SimDuration::from_minutes(1),
//!     &ThermalInputs {
//!         rack_heat_w: &heat_w,
//!         white_space_extra_heat_w: 5e3,
//!         outdoor_dry_bulb_c: 20.0,
//!         chw_supply_c: 14.0,
//!         fw_supply_c: 28.0,
//!         faults: Faults::default(),
//!     },
//! );
//! assert!(step.max_chip_c < 85.0);
//! // heat in = heat out + heat stored
//! let fans_pumps = step.crah_fan_power_w + step.tcs_pump_power_w + step.fw_pump_power_w;
//! let input = 140e3 + 5e3 + fans_pumps;
//! let out = step.chw_load_w + step.fw_load_w + step.heat_stored_j / 60.0;
//! assert!((out - input).abs() < 1e-6 * input);
//! ```
//!
//! Heat rejection to outdoors is not here: the plant reports the load and the required supply
//! temperature of the chilled-water and facility-water loops, and is fed back the supply
//! temperatures heat rejection achieved.

pub mod air;
pub mod ashrae;
pub mod config;
pub mod control;
pub mod coolant;
pub mod liquid;
pub mod plant;

pub use config::CoolingConfig;
pub use plant::{CoolingPlant, Faults, ThermalInputs, ThermalStep};

/// Errors of the thermal models.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThermalError {
    /// A fluid property was requested outside the temperature range of its table.
    #[error("{fluid} properties requested at {temp_c} °C, outside the tabulated range {min_c} to {max_c} °C")]
    OutOfRange {
        /// Fluid name.
        fluid: &'static str,
        /// Requested temperature, °C.
        temp_c: f64,
        /// Lowest tabulated temperature, °C.
        min_c: f64,
        /// Highest tabulated temperature, °C.
        max_c: f64,
    },
    /// The configuration has errors (all of them listed, one per line).
    #[error("invalid [cooling] configuration:\n{0}")]
    InvalidConfig(String),
    /// A row name in the configuration is not one of the site's rows.
    #[error("`{key}` names row `{name}`, which is not a row of the site (rows: {known})")]
    UnknownRow {
        /// Key path of the offending entry, e.g. `liquid.rows[1]`.
        key: String,
        /// The unknown name.
        name: String,
        /// The known row names, comma separated.
        known: String,
    },
    /// A row is listed both as liquid (cold plate) and as immersion.
    #[error("row `{0}` is listed both in `liquid.rows` and `immersion.rows`; a row has one cooling technology")]
    RowInTwoTechnologies(String),
    /// A rack refers to a row index that does not exist.
    #[error("rack {rack} is in row {row}, but only {rows} row names were given")]
    BadRackRow {
        /// Rack index.
        rack: usize,
        /// Its row index.
        row: usize,
        /// Number of row names.
        rows: usize,
    },
}
