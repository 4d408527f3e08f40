//! The site runner: a co-simulation master on the event engine that couples the stages of a
//! scenario (IT, cooling plant, heat rejection, power chain with storage and renewables,
//! signals) and advances them together. ARCHITECTURE.md at the repository root describes the
//! stages, the bus of signals between them with their producers, consumers and lags, and how
//! time advances; in short:
//!
//! - **The engine owns time.** The site is one component on a [`sim_core::Simulation`]. Fault
//!   starts and ends are queue events; continuous thresholds (demand-interval, tariff, weather
//!   hour and sample boundaries, the UPS battery running empty, the generator reaching the load
//!   it must carry, the site battery reaching its window, the maximum physics step
//!   `run.max_step_s`) come back through [`sim_core::Component::next_threshold`]. Every wake
//!   closes the physics up to its instant, so no step crosses a discontinuity.
//! - **Decisions are separate from physics.** Controllers decide every
//!   `run.control_interval_s` ([`SiteSession::step`]); between decisions their actions are held
//!   over however many physics sub-steps the thresholds make.
//! - **Every lag sits on a state**: room air, TCS fluid, the chilled- and facility-water loop
//!   fluids, the power gear's loss mass, the batteries. A step of any length, 1 µs or 1 h, is
//!   safe; a non-finite or unphysical value ends the run with [`SiteError::Unphysical`].
//! - **Power feeds the cooling.** IT and the TCS / immersion pumps are on the UPS bus; CRAH
//!   fans, water pumps, chillers, towers and dry coolers on the generator-backed bus. A dead bus
//!   stops its equipment, and the temperatures rise through the thermal masses.

mod finish;
mod inventory;
mod ledger;
mod session;
mod state;
mod step;
mod store;

use std::path::Path;

use sim_core::Recorder;

use crate::scenario::Scenario;
use crate::summary::Summary;

pub use inventory::{Equipment, Loop, PlantUnit, SiteInventory, Unit};
pub use ledger::EnergyLedger;
pub use session::{SiteActions, SiteObservation, SiteSession};

/// What one run produces.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Sampled signals and the event log.
    pub recorder: Recorder,
    /// Every metric with its unit.
    pub summary: Summary,
}

/// Why a run could not be set up or completed.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// A section could not be turned into its model configuration.
    #[error("scenario section `{section}`: {message}")]
    Section {
        /// Section name (`it`, `cooling`, ...).
        section: &'static str,
        /// What went wrong.
        message: String,
    },
    /// A model refused its configuration or input files.
    #[error("{model}: {message}")]
    Model {
        /// Which model.
        model: &'static str,
        /// Its error message (names the file and line where a file is involved).
        message: String,
    },
    /// Run settings out of range.
    #[error("run settings: {0}")]
    Run(String),
    /// A state or flow left the range of physics: a numerical failure, never a result.
    #[error(
        "stage `{stage}`, signal `{signal}` = {value} at t = {time_s} s: not a physical value; \
         the run stopped and wrote no results"
    )]
    Unphysical {
        /// The stage whose output failed (`cooling`, `heat_rejection`, `site`, ...).
        stage: &'static str,
        /// The signal.
        signal: &'static str,
        /// Its value.
        value: f64,
        /// When, s from the run start.
        time_s: f64,
    },
}

/// The names of every unit of `scenario`'s site (`dctwin list equipment`).
pub fn equipment_names(scenario: &Scenario) -> Vec<String> {
    SiteInventory::of(scenario)
        .units()
        .iter()
        .map(|u| u.name.clone())
        .collect()
}

/// Run `scenario` with `seed` under its built-in policies. `base_dir` resolves relative paths
/// (weather, traces, signals); `progress` is called with the fraction done (0 to 1). This is
/// [`SiteSession`] stepped with no commanded actions: one code path for every run.
pub fn run(
    scenario: &Scenario,
    base_dir: &Path,
    seed: u64,
    progress: &dyn Fn(f64),
) -> Result<RunOutput, SiteError> {
    let mut session = SiteSession::new(scenario, base_dir, seed)?;
    let total = session.end().0.max(1) as f64;
    let mut reported = 0u32;
    let none = SiteActions::default();
    while !session.is_done() {
        session.step(&none)?;
        let pct = (session.now().0 as f64 / total * 100.0) as u32;
        if pct > reported {
            reported = pct;
            progress(f64::from(pct) / 100.0);
        }
    }
    progress(1.0);
    session.finish()
}

#[cfg(test)]
mod coupling_tests;
#[cfg(test)]
mod dead_keys_tests;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
