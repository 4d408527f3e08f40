//! The assembled site: every stage's model, the coupling states between them (loop fluids,
//! loss masses), the power buses, the fault masks and the thresholds the master steps to.

use std::collections::BTreeMap;
use std::path::Path;

use dctwin_models::heat_rejection::HeatRejectionPlant;
use dctwin_models::it::Cluster;
use dctwin_models::power::{ElectricalInputs, ElectricalSystem, GridSignals};
use dctwin_models::thermal::control::Actions;
use dctwin_models::thermal::CoolingPlant;
use dctwin_models::weather::Weather;
use sim_core::{Recorder, RngStreams, SimDuration, SimTime};

use super::inventory::{Equipment, Loop, SiteInventory};
use super::ledger::{EnergyLedger, StepFlows};
use super::store::LaggedHeat;
use super::SiteError;
use crate::scenario::{FaultKind, Scenario};

/// Names of the sampled signals, in column order. Each row holds the means (powers,
/// intensities) or maxima (temperatures) over its sample interval, labelled with the
/// interval's start.
pub const SIGNALS: &[&str] = &[
    "it_power_kw",
    "cooling_power_kw",
    "air_fans_kw",
    "pumps_kw",
    "compressors_kw",
    "heat_rejection_aux_kw",
    "chain_losses_kw",
    "facility_power_kw",
    "grid_import_kw",
    "renewable_kw",
    "generator_kw",
    "battery_net_kw",
    "battery_soc",
    "pue_interval",
    "max_inlet_c",
    "max_chip_c",
    "chw_supply_c",
    "fw_supply_c",
    "outdoor_dry_bulb_c",
    "outdoor_wet_bulb_c",
    "queue_length",
    "running_jobs",
    "carbon_g_per_kwh",
    "price_per_kwh",
    "unmet_cooling_kw",
];

/// Volume of water in a chilled- or facility-water loop per kW of its plant's design load,
/// m³/kW: 6 US gallons per ton of refrigeration (0.0065 m³/kW), the loop volume chiller
/// manufacturers ask for on long-loop systems (3 gal/ton minimum for comfort cooling, 6-10
/// gal/ton for process loads; e.g. Trane, *Chiller System Design and Control*, SYS-APM001-EN,
/// 2011, "minimum loop volume"). Sets the loop fluid's heat capacity, the state through which
/// heat rejection and the cooling plant are coupled.
const LOOP_VOLUME_M3_PER_KW: f64 = 0.0065;
/// Heat capacity of a loop without a plant, J/K: one cubic metre of water.
const LOOP_WITHOUT_PLANT_J_K: f64 = 4.18e6;
/// Volumetric heat capacity of water, J/(m³ K) (998 kg/m³ x 4186 J/(kg K), 20 °C).
const WATER_J_M3_K: f64 = 998.0 * 4186.0;
/// Resolution of the thresholds, s: a store holding less than this much of its load is empty.
pub(crate) const EVENT_TOLERANCE_S: f64 = 1e-3;
/// A site battery reaching its SoC window sooner than this is not split for, s.
const MIN_BATTERY_SPLIT_S: f64 = 1.0;
/// Inlet temperature at which the servers shut themselves down, °C: the top of ASHRAE class
/// A4's allowable range (ASHRAE TC 9.9, *Thermal Guidelines for Data Processing
/// Environments*, 5th ed., 2021), where server firmware trips on inlet over-temperature.
pub(crate) const TRIP_INLET_C: f64 = 45.0;
/// Inlet temperature below which tripped servers restart, °C: the top of the recommended
/// range (hysteresis, so a trip does not flap).
pub(crate) const RESTART_INLET_C: f64 = 27.0;

/// The fluid of one water loop: a lumped heat capacity whose temperature is the supply the
/// cooling plant sees. Heat the plant cannot remove (or that a chiller trip leaves) raises it;
/// a loop cooled below a raised setpoint warms from its own load (no clamp).
#[derive(Debug, Clone, Copy)]
pub(super) struct LoopFluid {
    /// Heat capacity, J/K.
    pub heat_capacity_j_k: f64,
    /// Mixed temperature, °C (starts at the design supply).
    pub temp_c: f64,
}

/// Power state of the site's buses (Tier III defaults: IT and the TCS / immersion pumps on the
/// UPS; CRAH fans, facility- and chilled-water pumps, chillers, towers and dry coolers on the
/// generator-backed bus).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Buses {
    /// UPS bus powered (utility, generator or UPS battery).
    pub ups_up: bool,
    /// Generator-backed bus.
    pub backed: BackedBus,
}

/// State of the generator-backed (mechanical) bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BackedBus {
    /// Powered.
    Up,
    /// On a generator too small for everything: compressors shed, the rest runs.
    CompressorsShed,
    /// Unpowered: every unit on it stops.
    Down,
}

/// One fault of the scenario, resolved to its target.
#[derive(Debug, Clone)]
pub(super) struct ActiveFault {
    pub kind: FaultKind,
    pub target: Equipment,
    pub window: (SimTime, SimTime),
    pub label: String,
}

/// What the built-in chilled-water tank dispatch needs of a loop's tank.
#[derive(Debug, Clone, Copy)]
pub(super) struct TankRule {
    max_charge_w: f64,
    max_discharge_w: f64,
    /// Lowest and highest electricity price of the run's tariff, currency/kWh.
    price_low: f64,
    price_high: f64,
}

/// Equipment down right now: per-unit counters (overlapping windows stack), and the index
/// lists the models take, derived when a counter changes.
#[derive(Debug, Clone, Default)]
pub(super) struct DownMask {
    counts: BTreeMap<Equipment, u32>,
    pub crah: Vec<usize>,
    pub cdu: Vec<usize>,
    pub fw_pump: Vec<usize>,
    pub chillers: [u32; 2],
    pub fans: [u32; 2],
    pub ups_modules: u32,
    pub utility_out: bool,
}

impl DownMask {
    fn set(&mut self, unit: Equipment, on: bool) {
        let n = self.counts.entry(unit).or_insert(0);
        *n = if on { *n + 1 } else { n.saturating_sub(1) };
        self.derive();
    }

    fn derive(&mut self) {
        let down: Vec<Equipment> = self
            .counts
            .iter()
            .filter(|(_, &n)| n > 0)
            .map(|(e, _)| *e)
            .collect();
        self.crah.clear();
        self.cdu.clear();
        self.fw_pump.clear();
        self.chillers = [0; 2];
        self.fans = [0; 2];
        self.ups_modules = 0;
        self.utility_out = false;
        for e in down {
            match e {
                Equipment::Crah(i) => self.crah.push(i),
                Equipment::Cdu(i) => self.cdu.push(i),
                Equipment::FwPump(i) => self.fw_pump.push(i),
                Equipment::Plant { serves, unit, .. } => {
                    let k = loop_index(serves);
                    if unit.is_fan_unit() {
                        self.fans[k] += 1;
                    } else {
                        self.chillers[k] += 1;
                    }
                }
                Equipment::UpsModule(_) => self.ups_modules += 1,
                Equipment::Utility => self.utility_out = true,
            }
        }
    }
}

/// 0 for the chilled-water loop, 1 for facility water (the order of the loop arrays).
pub(super) fn loop_index(l: Loop) -> usize {
    match l {
        Loop::ChilledWater => 0,
        Loop::FacilityWater => 1,
    }
}

/// Running sums of the sample interval being recorded.
#[derive(Debug, Clone, Default)]
pub(super) struct SampleWindow {
    pub start: SimTime,
    pub len_s: f64,
    /// Flows times their sub-step length, J (or kg, g·kWh/kWh·s for intensities).
    pub flows: StepFlows,
    pub soc_s: f64,
    pub dry_bulb_s: f64,
    pub wet_bulb_s: f64,
    pub max_inlet_c: f64,
    pub max_chip_c: f64,
}

/// Everything the site runner advances.
pub struct SiteState {
    pub(super) cluster: Cluster,
    pub(super) weather: Weather,
    pub(super) grid: GridSignals,
    pub(super) plant: CoolingPlant,
    /// Heat-rejection plants of the chilled- and facility-water loops.
    pub(super) plants: [Option<HeatRejectionPlant>; 2],
    pub(super) electrical: ElectricalSystem,
    pub(super) inventory: SiteInventory,
    pub(super) faults: Vec<ActiveFault>,
    pub(super) down: DownMask,
    pub(super) recorder: Recorder,
    pub(super) ledger: EnergyLedger,
    pub(super) loops: [LoopFluid; 2],
    /// Chilled-water tank of each loop's plant, if any.
    pub(super) tanks: [Option<TankRule>; 2],
    /// Power-chain losses on their way into the white space and the electrical room.
    pub(super) white_space_loss: LaggedHeat,
    pub(super) electrical_room_loss: LaggedHeat,
    pub(super) buses: Buses,
    /// Servers shut down on inlet over-temperature.
    pub(super) thermal_trip: bool,
    pub(super) rack_inlet_c: Vec<f64>,
    pub(super) rack_cap_w: Vec<f64>,
    pub(super) rack_input_w: Vec<f64>,
    pub(super) throttle: bool,
    pub(super) power_capped_admission: bool,
    /// IT power limit commanded from outside (power-capped admission), W.
    pub(super) it_power_limit_w: Option<f64>,
    /// Flows and electrical inputs of the last sub-step.
    pub(super) last: StepFlows,
    pub(super) last_inputs: ElectricalInputs,
    /// Highest generator-backed load and its compressor share seen while powered, W (what a
    /// generator must carry to restore the bus: a peak, so the decision never flaps).
    pub(super) backed_peak_w: f64,
    pub(super) compressor_peak_w: f64,
    /// Highest critical load at the UPS input seen on utility power, W.
    pub(super) critical_peak_w: f64,
    /// Critical load at the UPS input with every node at full power, W (generator sizing).
    pub(super) installed_critical_w: f64,
    /// The servers went down while the generator was running: they stay down until the
    /// utility returns.
    pub(super) lost_on_generator: bool,
    /// The generator's load plan for this outage gives it the critical path.
    pub(super) gen_for_critical: bool,
    /// IT power when the UPS bus or the servers went down, W (integrated as unserved).
    pub(super) lost_it_w: f64,
    pub(super) advanced_to: SimTime,
    pub(super) end: SimTime,
    pub(super) max_step: SimDuration,
    pub(super) calendar_offset: SimDuration,
    pub(super) sample: SimDuration,
    pub(super) window: SampleWindow,
    pub(super) battery_soc: f64,
    /// Net power into the site battery over the last sub-step (charge > 0), W.
    pub(super) site_battery_w: f64,
    pub(super) metrics: RunCounters,
    pub(super) unit_counts: UnitCounts,
}

/// How many units of each in-hall class the site has (to stop them all on a dead bus).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct UnitCounts {
    pub crah: usize,
    pub cdu: usize,
    pub fw_pump: usize,
}

/// Counters the summary reports.
#[derive(Debug, Clone, Default)]
pub(super) struct RunCounters {
    pub max_inlet_c: f64,
    pub max_chip_c: f64,
    /// Run maximum of the air, cold-plate and immersion chips, °C (NaN: no such racks, or
    /// no finite value).
    pub max_chip_by_cooling_c: [f64; 3],
    pub chip_no_flow_h: f64,
    pub free_cooling_h: f64,
    pub partial_cooling_h: f64,
    pub mechanical_cooling_h: f64,
    pub unmet_cooling_j: f64,
    pub unserved_it_j: f64,
    pub power_interruptions: u64,
    pub thermal_trips: u64,
    pub loop_over_setpoint_h: [f64; 2],
    /// Site water by part: evaporation, drift, blowdown, kg.
    pub water_parts_kg: [f64; 3],
    pub steps: u64,
    pub decisions: u64,
}

fn model_err(model: &'static str, e: impl std::fmt::Display) -> SiteError {
    SiteError::Model {
        model,
        message: e.to_string(),
    }
}

impl SiteState {
    /// Assemble the site of `scenario` for a run ending at `end`.
    pub fn build(
        scenario: &Scenario,
        base_dir: &Path,
        streams: &RngStreams,
        end: SimTime,
        max_step: SimDuration,
        sample: SimDuration,
    ) -> Result<SiteState, SiteError> {
        let weather = Weather::load(&scenario.weather, base_dir, streams)
            .map_err(|e| model_err("weather", e))?;
        let grid = GridSignals::load(&scenario.power.grid, base_dir, streams)
            .map_err(|e| model_err("power.grid", e))?;
        let cluster =
            Cluster::new(&scenario.it, base_dir, streams, end).map_err(|e| model_err("it", e))?;
        let rack_rows: Vec<usize> = cluster.racks().iter().map(|r| r.row).collect();
        let mut plant = CoolingPlant::new(&scenario.cooling, &rack_rows, cluster.row_names())
            .map_err(|e| model_err("cooling", e))?;
        plant.decide_on_request();
        let (chw_plant, fw_plant) = HeatRejectionPlant::for_loops(&scenario.heat_rejection)
            .map_err(|e| model_err("heat_rejection", e))?;
        let calendar_offset = SimDuration::from_hours(
            24 * u64::from(scenario.run.start_day_of_year.clamp(1, 365) - 1),
        );
        // Demand-response events are given in hours after the run start, like faults; the
        // power stage runs on the calendar clock.
        let mut power = scenario.power.clone();
        for e in &mut power.grid.events {
            e.start_h += calendar_offset.as_hours_f64();
        }
        let mut electrical = ElectricalSystem::new_seeded(&power, grid.clone(), streams)
            .map_err(|e| model_err("power", e))?;
        electrical.set_run_end(end + calendar_offset);
        let inventory = SiteInventory::of(scenario);
        let faults = resolve_faults(scenario, &inventory)?;
        let racks = cluster.racks().len();
        let c = &scenario.cooling;
        let first_supply_c = [
            c.air.supply_setpoint_c - c.air.coil_approach_k,
            c.liquid.tcs_supply_setpoint_c - c.liquid.cdu_rated_approach_k,
        ];
        let loop_fluid = |serves, temp_c| {
            let design_w = scenario
                .heat_rejection
                .plants
                .values()
                .filter(|p| p.serves == serves)
                .map(|p| p.design_load_w)
                .next();
            LoopFluid {
                heat_capacity_j_k: design_w.map_or(LOOP_WITHOUT_PLANT_J_K, |w| {
                    (w / 1e3 * LOOP_VOLUME_M3_PER_KW * WATER_J_M3_K).max(LOOP_WITHOUT_PLANT_J_K)
                }),
                temp_c,
            }
        };
        use dctwin_models::heat_rejection::ServedLoop;
        let (price_low, price_high) = grid
            .price
            .points()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, v)| {
                (lo.min(v), hi.max(v))
            });
        let tank_of = |serves| {
            let p = scenario
                .heat_rejection
                .plants
                .values()
                .find(|p| p.serves == serves)?;
            let t = p.tank.as_ref()?;
            Some(TankRule {
                max_charge_w: t.max_charge_w,
                max_discharge_w: t.max_discharge_w,
                price_low,
                price_high,
            })
        };
        let tanks = [
            tank_of(ServedLoop::ChilledWater),
            tank_of(ServedLoop::FacilityWater),
        ];
        let loss_tau_s = scenario.power.chain.loss_time_constant_s;
        let installed_it_w: f64 = cluster.racks().iter().map(|r| r.max_power_w).sum();
        let factor = electrical.chain().server_input_factor(installed_it_w);
        let installed_critical_w = electrical
            .chain()
            .evaluate(installed_it_w * factor, 0.0)
            .central_input_w;
        Ok(SiteState {
            recorder: Recorder::new(sample, SIGNALS.iter().map(|s| (*s).to_owned()).collect()),
            rack_inlet_c: vec![scenario.cooling.air.supply_setpoint_c; racks],
            rack_cap_w: cluster.racks().iter().map(|r| r.max_power_w).collect(),
            rack_input_w: Vec::new(),
            throttle: scenario.cooling.throttle_at_chip_limit,
            power_capped_admission: scenario.it.scheduler.power_capped_admission,
            it_power_limit_w: None,
            cluster,
            weather,
            grid,
            plant,
            plants: [chw_plant, fw_plant],
            electrical,
            inventory,
            faults,
            down: DownMask::default(),
            ledger: EnergyLedger::default(),
            loops: [
                loop_fluid(ServedLoop::ChilledWater, first_supply_c[0]),
                loop_fluid(ServedLoop::FacilityWater, first_supply_c[1]),
            ],
            tanks,
            white_space_loss: LaggedHeat::new(loss_tau_s),
            electrical_room_loss: LaggedHeat::new(loss_tau_s),
            buses: Buses {
                ups_up: true,
                backed: BackedBus::Up,
            },
            thermal_trip: false,
            last: StepFlows::default(),
            last_inputs: ElectricalInputs::default(),
            backed_peak_w: 0.0,
            compressor_peak_w: 0.0,
            critical_peak_w: 0.0,
            installed_critical_w,
            lost_on_generator: false,
            gen_for_critical: true,
            lost_it_w: 0.0,
            advanced_to: SimTime::ZERO,
            end,
            max_step,
            calendar_offset,
            sample,
            window: SampleWindow {
                max_inlet_c: f64::NEG_INFINITY,
                max_chip_c: f64::NEG_INFINITY,
                ..SampleWindow::default()
            },
            battery_soc: f64::NAN,
            site_battery_w: 0.0,
            metrics: RunCounters {
                max_inlet_c: f64::NEG_INFINITY,
                max_chip_c: f64::NEG_INFINITY,
                max_chip_by_cooling_c: [f64::NAN; 3],
                ..RunCounters::default()
            },
            unit_counts: UnitCounts {
                crah: scenario.cooling.air.crah_count,
                cdu: scenario.cooling.liquid.cdu_count,
                fw_pump: scenario.cooling.liquid.fw_pump_count,
            },
        })
    }

    /// Start and end instants of the scenario's faults, in scenario order.
    pub fn fault_windows(&self) -> Vec<(SimTime, SimTime)> {
        self.faults.iter().map(|f| f.window).collect()
    }

    /// The site's equipment names.
    pub fn inventory(&self) -> &SiteInventory {
        &self.inventory
    }

    /// Switch fault `i` on or off at `now` (after closing the physics up to `now`).
    pub fn set_fault(&mut self, i: usize, on: bool, now: SimTime) -> Result<(), SiteError> {
        self.advance_to(now)?;
        let Some(f) = self.faults.get(i).cloned() else {
            return Ok(());
        };
        self.down.set(f.target, on);
        self.electrical
            .set_failed_converter_modules(self.down.ups_modules);
        let kind = if on { "fault_start" } else { "fault_end" };
        self.recorder
            .log_event(now, &f.label, kind, f.kind.name().into());
        Ok(())
    }

    /// Add a fault at run time (it must start at or after the current instant). Returns its
    /// index for [`Self::set_fault`].
    pub(super) fn push_fault(&mut self, fault: ActiveFault) -> usize {
        self.faults.push(fault);
        self.faults.len() - 1
    }

    /// The next decision takes `commanded` cooling actions (guarded) instead of the built-in
    /// policy's, and the IT power limit for power-capped admission.
    pub fn request_decision(
        &mut self,
        since_last: SimDuration,
        commanded: Option<Actions>,
        it_power_limit_w: Option<f64>,
        tank_w: Option<f64>,
    ) {
        self.plant
            .request_decision(since_last.as_secs_f64(), commanded);
        if it_power_limit_w.is_some() {
            self.it_power_limit_w = it_power_limit_w;
        }
        for k in 0..2 {
            let Some(rule) = self.tanks[k] else { continue };
            let command_w = tank_w.unwrap_or_else(|| self.tank_rule(k, &rule));
            if let Some(p) = self.plants[k].as_mut() {
                p.set_tank_command_w(command_w);
            }
        }
        self.metrics.decisions += 1;
    }

    /// The built-in dispatch of a loop's chilled-water tank, W (> 0 charges): discharge at
    /// full rate while a unit of the loop's plant is tripped or its bus is shed (ride-through),
    /// otherwise charge in the cheapest tenth of the price range and discharge in the dearest
    /// (load shifting), else hold.
    fn tank_rule(&self, k: usize, rule: &TankRule) -> f64 {
        let price = self.last.price_per_kwh;
        let tripped = self.down.chillers[k] > 0 || self.buses.backed != BackedBus::Up;
        let span = rule.price_high - rule.price_low;
        if tripped {
            -rule.max_discharge_w
        } else if span > 0.0 && price <= rule.price_low + 0.1 * span {
            rule.max_charge_w
        } else if span > 0.0 && price >= rule.price_high - 0.1 * span {
            -rule.max_discharge_w
        } else {
            0.0
        }
    }

    /// Advance every stage from the end of the last advance to `now`, in sub-steps that never
    /// cross a threshold ([`Self::next_threshold`]).
    pub fn advance_to(&mut self, now: SimTime) -> Result<(), SiteError> {
        while self.advanced_to < now {
            let s = self.advanced_to;
            let t = self.next_threshold(s).min(now);
            self.sub_step(s, t)?;
            self.advanced_to = t;
        }
        Ok(())
    }

    /// First instant after `now` at which an input of some stage changes discontinuously
    /// (class-A thresholds, known before the step) or the maximum physics step ends: demand
    /// interval, tariff and carbon steps, weather hours, sample boundaries, run end; on an
    /// outage the UPS battery running empty and the generator reaching the load it must carry
    /// (with the IT's own next event, so the IT power is constant up to them); the site battery
    /// reaching its window.
    pub fn next_threshold(&self, now: SimTime) -> SimTime {
        let cal = now + self.calendar_offset;
        let off = self.calendar_offset;
        let next_multiple = |period: SimDuration| {
            let p = period.0.max(1);
            SimTime(((cal.0 / p + 1) * p).saturating_sub(off.0))
        };
        let mut t = now.saturating_add(self.max_step).min(self.end);
        t = t.min(next_multiple(self.grid.demand_interval));
        t = t.min(next_multiple(SimDuration::from_hours(1)));
        if !self.sample.is_zero() {
            t = t.min(SimTime((now.0 / self.sample.0 + 1) * self.sample.0));
        }
        for s in [&self.grid.price, &self.grid.carbon] {
            if let Some(c) = s.next_change_after(cal) {
                t = t.min(SimTime(c.0.saturating_sub(off.0)));
            }
        }
        if self.down.utility_out {
            t = t.min(self.outage_threshold(now));
        }
        if let Some(b) = self.battery_threshold(now) {
            t = t.min(b);
        }
        t.max(SimTime(now.0 + 1))
    }

    fn outage_threshold(&self, now: SimTime) -> SimTime {
        let after = |s: f64| {
            SimDuration::try_from_secs_f64(s.max(0.0)).map_or(SimTime(u64::MAX), |d| {
                now.saturating_add(d) + SimDuration(1)
            })
        };
        let mut t = SimTime(u64::MAX);
        let gen = self.electrical.generator();
        if let Some(s) = gen
            .seconds_until_available_w(gen.config().rated_power_w)
            .filter(|s| *s > 0.0)
        {
            t = t.min(after(s));
        }
        if self.buses.ups_up && !self.thermal_trip {
            let ride_s = self.electrical.ride_through_s(&self.last_inputs);
            if ride_s.is_finite() && ride_s >= EVENT_TOLERANCE_S {
                t = t.min(after(ride_s));
            }
            // Arm the IT: its power is constant up to its next event.
            if let Some(e) = self.cluster.next_event_time().filter(|e| *e > now) {
                t = t.min(e);
            }
        }
        t
    }

    /// The site battery reaching its SoC window at its last power.
    fn battery_threshold(&self, now: SimTime) -> Option<SimTime> {
        let b = self.electrical.battery()?;
        let net_w = self.site_battery_w;
        let cfg = b.config();
        let cap_j = b.capacity_kwh() * 3.6e6;
        // A trickle (topping up self-discharge, under 1 % of the power rating) changes no
        // regime worth a step.
        let trickle_w = 0.01 * b.max_charge_w().min(b.max_discharge_w());
        let s = if net_w > trickle_w {
            (cfg.soc_max * cap_j - b.stored_j()) / (net_w * cfg.charge_efficiency)
        } else if net_w < -trickle_w {
            b.time_to_empty_s(-net_w)
        } else {
            return None;
        };
        // A battery tapering into its window (self-discharge reopening it, a policy easing
        // off) would make ever shorter steps: closer than MIN_BATTERY_SPLIT_S the battery
        // model's own clamp within the step is exact enough.
        if s.is_nan() || s < MIN_BATTERY_SPLIT_S {
            return None;
        }
        let d = SimDuration::try_from_secs_f64(s).ok()?;
        Some(now.saturating_add(d) + SimDuration(1))
    }

    /// Every sensor at `now` (the end of the last sub-step).
    pub(super) fn observation(&self, now: SimTime) -> super::SiteObservation {
        let f = &self.last;
        let th = self.plant.last();
        let w = self.weather.at(now + self.calendar_offset);
        super::SiteObservation {
            time_s: now.as_secs_f64(),
            it_power_w: f.it_w,
            facility_power_w: f.supply_w(),
            cooling_power_w: f.cooling_w(),
            grid_import_w: f.utility_w,
            max_inlet_c: th.max_inlet_c,
            max_chip_c: th.max_chip_c,
            chw_supply_c: self.loops[0].temp_c,
            fw_supply_c: self.loops[1].temp_c,
            outdoor_dry_bulb_c: w.dry_bulb_c,
            price_per_kwh: f.price_per_kwh,
            carbon_g_per_kwh: f.carbon_g_per_kwh,
            battery_soc: self.battery_soc,
            queue_length: self.cluster.queue_len() as f64,
            running_jobs: self.cluster.running_len() as f64,
            utility_available: if self.down.utility_out { 0.0 } else { 1.0 },
            unmet_cooling_w: f.unmet_heat_w,
        }
    }

    /// Critical load at the UPS input of the last step (IT and UPS-fed pumps through the
    /// chain), W: what a generator must carry before the UPS battery can rest.
    pub(super) fn critical_w(&self) -> f64 {
        let i = &self.last_inputs;
        let it = if self.buses.ups_up && !self.thermal_trip {
            i.it_power_w
        } else {
            0.0
        };
        self.electrical
            .chain()
            .evaluate(it, i.ups_fed_mechanical_w)
            .central_input_w
    }
}

fn resolve_faults(
    scenario: &Scenario,
    inventory: &SiteInventory,
) -> Result<Vec<ActiveFault>, SiteError> {
    let mut faults = Vec::new();
    for (i, f) in scenario.faults.iter().enumerate() {
        let start = SimTime::try_from_secs_f64(f.start_h * 3600.0)
            .map_err(|e| SiteError::Run(format!("faults[{i}].start_h: {e}")))?;
        let len = SimDuration::try_from_secs_f64(f.duration_h * 3600.0)
            .map_err(|e| SiteError::Run(format!("faults[{i}].duration_h: {e}")))?;
        if f.kind == FaultKind::NodeFailure {
            return Err(SiteError::Run(format!(
                "faults[{i}].kind: node failures are drawn by the IT model from `it.failures`"
            )));
        }
        let target = inventory
            .resolve(f.kind, &f.component)
            .map_err(|e| SiteError::Run(format!("faults[{i}].component: {e}")))?;
        let label = inventory.name_of(target, f.kind);
        faults.push(ActiveFault {
            kind: f.kind,
            target,
            window: (start, start.saturating_add(len)),
            label,
        });
    }
    Ok(faults)
}
