//! The site runner: assembles the models of a scenario into one site and runs it on the engine.
//!
//! # Time stepping
//! The run is one [`sim_core::Simulation`] with a single `Site` component. Its events are the
//! control ticks (every `run.control_interval_s`), fault starts and ends. The IT model keeps its
//! own discrete events (arrivals, starts, finishes, failures) exact in time inside
//! `Cluster::advance_to`; everything continuous is advanced per control interval with inputs held
//! constant over the interval, as DESIGN.md describes:
//!
//! At the tick closing the interval `[t0, t)` (`t0` is the previous tick, or a fault event in
//! between, which closes the interval at its own instant before it changes any input):
//! 1. the IT model advances to `t` and reports each rack's exact mean power over the interval;
//! 2. the cooling plant takes that heat (plus the power-chain losses released in the white space
//!    during the previous interval) and advances its thermal masses exactly over `dt`;
//! 3. heat rejection serves the chilled-water and facility-water loads it reports (plus the
//!    electrical-room losses of the previous interval) in the outdoor conditions at `t - dt`;
//! 4. the power chain carries IT, cooling and other loads from the utility, battery, PV and
//!    generator, and reports its losses;
//! 5. every power is integrated as a piecewise-constant signal over the interval (exact energy);
//!    the recorder samples the signals.
//!
//! Losses feed back to the thermal side with a one-interval lag (the only lag in the loop): the
//! heat that is rejected over a run still equals the heat that was released, to the last
//! interval's losses, and the energy ledger closes exactly (see `energy_balance_residual`).

mod ledger;
mod state;

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use sim_core::{Component, Context, Recorder, RngStreams, SimDuration, SimTime, Simulation};

use crate::scenario::Scenario;
use crate::summary::Summary;

pub use ledger::EnergyLedger;
use state::SiteState;

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
}

/// Events of the site component.
#[derive(Debug, Clone, Copy)]
enum SiteEvent {
    /// End of a control interval.
    ControlTick,
    /// Fault `i` of the scenario starts.
    FaultStart(usize),
    /// Fault `i` ends.
    FaultEnd(usize),
}

/// The engine component that owns the site state.
struct Site {
    state: Rc<RefCell<SiteState>>,
    dt: SimDuration,
    end: SimTime,
}

impl Component<SiteEvent> for Site {
    fn on_event(&mut self, event: SiteEvent, ctx: &mut Context<'_, SiteEvent>) {
        let mut st = self.state.borrow_mut();
        match event {
            SiteEvent::ControlTick => {
                st.advance_to(ctx.now());
                if ctx.now() < self.end {
                    let next = ctx.now() + self.dt;
                    ctx.schedule_at(next.min(self.end), ctx.me(), SiteEvent::ControlTick);
                }
            }
            SiteEvent::FaultStart(i) => st.set_fault(i, true, ctx.now()),
            SiteEvent::FaultEnd(i) => st.set_fault(i, false, ctx.now()),
        }
    }
}

/// Run `scenario` with `seed`. `base_dir` resolves relative paths (weather, traces, signals);
/// `progress` is called with the fraction done (0 to 1).
pub fn run(
    scenario: &Scenario,
    base_dir: &Path,
    seed: u64,
    progress: &dyn Fn(f64),
) -> Result<RunOutput, SiteError> {
    let duration = scenario
        .run
        .duration()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| SiteError::Run("run.duration_h must be a positive number".into()))?;
    let dt = scenario
        .run
        .control_interval()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| SiteError::Run("run.control_interval_s must be positive".into()))?;
    let sample = scenario.outputs.sample_interval().unwrap_or(dt);
    let streams = RngStreams::new(seed);
    let end = SimTime::ZERO + duration;
    let state = SiteState::build(scenario, base_dir, &streams, end, sample)?;
    let faults: Vec<(SimTime, SimTime)> = state.fault_windows().to_vec();
    let state = Rc::new(RefCell::new(state));

    let mut sim = Simulation::new();
    let site = sim.add(Box::new(Site {
        state: Rc::clone(&state),
        dt,
        end,
    }));
    for (i, (start, stop)) in faults.iter().enumerate() {
        sim.schedule_at(*start, site, SiteEvent::FaultStart(i));
        sim.schedule_at(*stop, site, SiteEvent::FaultEnd(i));
    }
    let first_tick = (SimTime::ZERO + dt).min(end);
    sim.schedule_at(first_tick, site, SiteEvent::ControlTick);

    // Run in slices so progress can be reported; slices end on control ticks' times or later,
    // which does not change the order of any event.
    let slices = 100u64;
    for k in 1..=slices {
        let until = SimTime(end.0 / slices * k).max(if k == slices { end } else { SimTime::ZERO });
        sim.run_until(until);
        progress(k as f64 / slices as f64);
    }
    sim.run_until(end);
    drop(sim);
    let state = Rc::try_unwrap(state)
        .map_err(|_| SiteError::Run("internal: site state still shared after the run".into()))?
        .into_inner();
    Ok(state.finish(scenario, seed))
}

#[cfg(test)]
mod tests;
