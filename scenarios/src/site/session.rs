//! [`SiteSession`]: a site driven step by step from outside (or by `site::run`): observe, act,
//! inject faults, finish. The session owns the decision instants; the engine inside owns the
//! physics time between them (fault events and thresholds).

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use dctwin_models::thermal::control::Actions;
use sim_core::{Component, ComponentId, Context, RngStreams, SimDuration, SimTime, Simulation};

use super::state::{ActiveFault, SiteState};
use super::{RunOutput, SiteError};
use crate::scenario::{FaultConfig, FaultKind, Scenario};

/// Events of the site component.
#[derive(Debug, Clone, Copy)]
enum SiteEvent {
    /// Wake the site so that it arms its first threshold.
    Wake,
    /// Fault `i` starts.
    FaultStart(usize),
    /// Fault `i` ends.
    FaultEnd(usize),
}

/// The master component: closes the physics at every wake and reports the next threshold.
struct Site {
    state: Rc<RefCell<SiteState>>,
    error: Rc<RefCell<Option<SiteError>>>,
}

impl Site {
    fn on_result(&self, r: Result<(), SiteError>, ctx: &mut Context<'_, SiteEvent>) {
        if let Err(e) = r {
            *self.error.borrow_mut() = Some(e);
            ctx.stop();
        }
    }
}

impl Component<SiteEvent> for Site {
    fn on_event(&mut self, event: SiteEvent, ctx: &mut Context<'_, SiteEvent>) {
        let now = ctx.now();
        let r = {
            let mut st = self.state.borrow_mut();
            match event {
                SiteEvent::Wake => st.advance_to(now),
                SiteEvent::FaultStart(i) => st.set_fault(i, true, now),
                SiteEvent::FaultEnd(i) => st.set_fault(i, false, now),
            }
        };
        self.on_result(r, ctx);
    }

    fn next_threshold(&self, now: SimTime) -> Option<SimTime> {
        let st = self.state.borrow();
        (now < st.end).then(|| st.next_threshold(now))
    }

    fn on_threshold(&mut self, ctx: &mut Context<'_, SiteEvent>) {
        let r = self.state.borrow_mut().advance_to(ctx.now());
        self.on_result(r, ctx);
    }
}

/// Every sensor of the site at the current decision instant (means over the last physics
/// sub-step for powers; states for temperatures and stores).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SiteObservation {
    /// Time since the run start, s.
    pub time_s: f64,
    /// IT power at the servers' input, W.
    pub it_power_w: f64,
    /// Facility power drawn (utility + renewables + generator), W.
    pub facility_power_w: f64,
    /// Cooling power, W.
    pub cooling_power_w: f64,
    /// Grid import, W.
    pub grid_import_w: f64,
    /// Hottest rack inlet, °C.
    pub max_inlet_c: f64,
    /// Hottest chip, °C (+inf for a liquid rack without coolant flow).
    pub max_chip_c: f64,
    /// Chilled-water loop supply (its fluid temperature), °C.
    pub chw_supply_c: f64,
    /// Facility-water loop supply, °C.
    pub fw_supply_c: f64,
    /// Outdoor dry bulb, °C.
    pub outdoor_dry_bulb_c: f64,
    /// Electricity price, currency/kWh.
    pub price_per_kwh: f64,
    /// Grid carbon intensity, g CO2e/kWh.
    pub carbon_g_per_kwh: f64,
    /// State of charge of the site battery (or the UPS battery without one), -.
    pub battery_soc: f64,
    /// Jobs waiting.
    pub queue_length: f64,
    /// Jobs running.
    pub running_jobs: f64,
    /// Utility available (1) or out (0).
    pub utility_available: f64,
    /// Heat the plants could not remove, W.
    pub unmet_cooling_w: f64,
}

impl SiteObservation {
    /// Field names in the order of [`Self::to_array`].
    pub const NAMES: [&'static str; 17] = [
        "time_s",
        "it_power_w",
        "facility_power_w",
        "cooling_power_w",
        "grid_import_w",
        "max_inlet_c",
        "max_chip_c",
        "chw_supply_c",
        "fw_supply_c",
        "outdoor_dry_bulb_c",
        "price_per_kwh",
        "carbon_g_per_kwh",
        "battery_soc",
        "queue_length",
        "running_jobs",
        "utility_available",
        "unmet_cooling_w",
    ];

    /// The fields as an array, in the order of [`Self::NAMES`].
    pub fn to_array(&self) -> [f64; 17] {
        [
            self.time_s,
            self.it_power_w,
            self.facility_power_w,
            self.cooling_power_w,
            self.grid_import_w,
            self.max_inlet_c,
            self.max_chip_c,
            self.chw_supply_c,
            self.fw_supply_c,
            self.outdoor_dry_bulb_c,
            self.price_per_kwh,
            self.carbon_g_per_kwh,
            self.battery_soc,
            self.queue_length,
            self.running_jobs,
            self.utility_available,
            self.unmet_cooling_w,
        ]
    }
}

/// What an outside controller commands for the coming decision interval. `None` leaves the
/// built-in policy in charge of that actuator.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SiteActions {
    /// Cooling setpoints, airflow ratio and TCS pump speed (still corrected by the guard).
    pub cooling: Option<Actions>,
    /// IT power limit for power-capped admission, W (needs
    /// `it.scheduler.power_capped_admission`).
    pub it_power_limit_w: Option<f64>,
    /// Chilled-water tank command of every plant with a tank, W (> 0 charges, < 0 discharges).
    pub tank_w: Option<f64>,
}

/// A site run driven from outside.
///
/// ```no_run
/// use dctwin::scenario::{load_scenario, Override};
/// use dctwin::site::{SiteActions, SiteSession};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let loaded = load_scenario("examples/quickstart.toml".as_ref(), &[] as &[Override])?;
/// let mut site = SiteSession::new(&loaded.scenario, &loaded.base_dir, 1)?;
/// while !site.is_done() {
///     let obs = site.observe();
///     let mut act = SiteActions::default();
///     if obs.max_inlet_c > 26.0 {
///         act.it_power_limit_w = Some(0.9 * obs.it_power_w);
///     }
///     site.step(&act)?;
/// }
/// let out = site.finish()?;
/// println!("PUE {:?}", out.summary.get("pue"));
/// # Ok(()) }
/// ```
pub struct SiteSession {
    sim: Simulation<SiteEvent>,
    state: Rc<RefCell<SiteState>>,
    error: Rc<RefCell<Option<SiteError>>>,
    site: ComponentId,
    scenario: Scenario,
    seed: u64,
    decision: SimDuration,
    now: SimTime,
    last_decision: SimTime,
    end: SimTime,
}

impl SiteSession {
    /// Assemble the site of `scenario` at time zero.
    pub fn new(scenario: &Scenario, base_dir: &Path, seed: u64) -> Result<Self, SiteError> {
        let duration = scenario
            .run
            .duration()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| SiteError::Run("run.duration_h must be a positive number".into()))?;
        let decision = scenario
            .run
            .control_interval()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| SiteError::Run("run.control_interval_s must be positive".into()))?;
        let max_step = scenario
            .run
            .max_step()
            .filter(|d| !d.is_zero())
            .unwrap_or(decision);
        let sample = scenario.outputs.sample_interval().unwrap_or(decision);
        let end = SimTime::ZERO + duration;
        let streams = RngStreams::new(seed);
        let state = SiteState::build(scenario, base_dir, &streams, end, max_step, sample)?;
        let windows = state.fault_windows();
        let state = Rc::new(RefCell::new(state));
        let error = Rc::new(RefCell::new(None));
        let mut sim = Simulation::new();
        let site = sim.add(Box::new(Site {
            state: Rc::clone(&state),
            error: Rc::clone(&error),
        }));
        for (i, (start, stop)) in windows.iter().enumerate() {
            sim.schedule_at(*start, site, SiteEvent::FaultStart(i));
            sim.schedule_at(*stop, site, SiteEvent::FaultEnd(i));
        }
        sim.schedule_at(SimTime::ZERO, site, SiteEvent::Wake);
        Ok(SiteSession {
            sim,
            state,
            error,
            site,
            scenario: scenario.clone(),
            seed,
            decision,
            now: SimTime::ZERO,
            last_decision: SimTime::ZERO,
            end,
        })
    }

    /// The current decision instant.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The run's end.
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// True once the run has reached its end.
    pub fn is_done(&self) -> bool {
        self.now >= self.end
    }

    /// Every sensor now.
    pub fn observe(&self) -> SiteObservation {
        self.state.borrow().observation(self.now)
    }

    /// Hold `actions` and run to the next decision instant (or the run end).
    pub fn step(&mut self, actions: &SiteActions) -> Result<(), SiteError> {
        if self.is_done() {
            return Ok(());
        }
        let since = self.now - self.last_decision;
        self.state.borrow_mut().request_decision(
            since,
            actions.cooling,
            actions.it_power_limit_w,
            actions.tank_w,
        );
        self.last_decision = self.now;
        let next = self.now.saturating_add(self.decision).min(self.end);
        self.sim.run_until(next);
        self.take_error()?;
        self.state.borrow_mut().advance_to(next)?;
        self.now = next;
        Ok(())
    }

    /// Inject `fault` (its `start_h` at or after now); its target is checked like a
    /// scenario's.
    pub fn inject(&mut self, fault: &FaultConfig) -> Result<(), SiteError> {
        let start = SimTime::try_from_secs_f64(fault.start_h * 3600.0)
            .map_err(|e| SiteError::Run(format!("fault start_h: {e}")))?;
        let len = SimDuration::try_from_secs_f64(fault.duration_h * 3600.0)
            .map_err(|e| SiteError::Run(format!("fault duration_h: {e}")))?;
        if start < self.now {
            return Err(SiteError::Run(format!(
                "fault start_h {} h is before the current time {} h",
                fault.start_h,
                self.now.as_hours_f64()
            )));
        }
        if fault.kind == FaultKind::NodeFailure {
            return Err(SiteError::Run(
                "node failures are drawn by the IT model from `it.failures`".into(),
            ));
        }
        let mut st = self.state.borrow_mut();
        let target = st
            .inventory()
            .resolve(fault.kind, &fault.component)
            .map_err(|e| SiteError::Run(format!("fault component: {e}")))?;
        let label = st.inventory().name_of(target, fault.kind);
        let i = st.push_fault(ActiveFault {
            kind: fault.kind,
            target,
            window: (start, start.saturating_add(len)),
            label,
        });
        drop(st);
        self.sim
            .schedule_at(start, self.site, SiteEvent::FaultStart(i));
        self.sim
            .schedule_at(start.saturating_add(len), self.site, SiteEvent::FaultEnd(i));
        Ok(())
    }

    /// Run to the end if needed and close the run: the summary and the recorded signals.
    pub fn finish(mut self) -> Result<RunOutput, SiteError> {
        while !self.is_done() {
            self.step(&SiteActions::default())?;
        }
        // The engine holds the other reference to the state.
        drop(self.sim);
        let state = Rc::try_unwrap(self.state)
            .map_err(|_| SiteError::Run("internal: site state still shared after the run".into()))?
            .into_inner();
        Ok(state.finish(&self.scenario, self.seed))
    }

    fn take_error(&mut self) -> Result<(), SiteError> {
        match self.error.borrow_mut().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
