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
