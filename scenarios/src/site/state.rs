//! The assembled site: every model of the scenario and the coupling between them.

use std::path::Path;

use dctwin_models::heat_rejection::economizer::CoolingMode;
use dctwin_models::heat_rejection::{HeatRejectionPlant, RejectionRequest, CP_WATER_J_KG_K};
use dctwin_models::it::{Cluster, ItEnvironment};
use dctwin_models::power::{ElectricalInputs, ElectricalSystem, GridSignals};
use dctwin_models::thermal::{CoolingPlant, Faults, ThermalInputs};
use dctwin_models::weather::Weather;
use sim_core::{Recorder, RngStreams, SimDuration, SimTime};

use super::ledger::{EnergyLedger, StepFlows};
use super::{RunOutput, SiteError};
use crate::scenario::{FaultKind, Scenario};
use crate::summary::Summary;

/// Names of the sampled signals, in column order (see [`SiteState::sample`]).
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
];

/// Water temperature rise carrying the electrical-room heat when the loop has no other flow, K
/// (about the 6.7 K design rise of a chilled-water loop, ASHRAE 90.1-2019 App. G G3.1.3.8).
const EXTRA_HEAT_RISE_K: f64 = 6.0;

/// One fault of the scenario, resolved to a window and a target.
#[derive(Debug, Clone)]
struct ActiveFault {
    kind: FaultKind,
    index: usize,
    target_fw: bool,
    window: (SimTime, SimTime),
    label: String,
}

/// Equipment down right now, by subsystem.
#[derive(Debug, Clone, Default)]
struct DownSets {
    crah: Vec<usize>,
    cdu: Vec<usize>,
    fw_pump: Vec<usize>,
    chw_chillers: u32,
    fw_chillers: u32,
    chw_fans: u32,
    fw_fans: u32,
    utility_out: u32,
}

/// Everything the site runner advances.
pub struct SiteState {
    cluster: Cluster,
    weather: Weather,
    grid: GridSignals,
    plant: CoolingPlant,
    chw_plant: Option<HeatRejectionPlant>,
    fw_plant: Option<HeatRejectionPlant>,
    electrical: ElectricalSystem,
    faults: Vec<ActiveFault>,
    windows: Vec<(SimTime, SimTime)>,
    down: DownSets,
    recorder: Recorder,
    ledger: EnergyLedger,
    /// Achieved chilled- and facility-water supply temperatures of the last interval, °C.
    chw_supply_c: f64,
    fw_supply_c: f64,
    /// Losses of the last interval released in the white space and the electrical room, W.
    /// Losses of the last interval still to be cooled, by space, J (released into the cooled
    /// spaces over the next interval, so the heat ledger closes exactly whatever the step lengths).
    white_space_loss_j: f64,
    electrical_room_loss_j: f64,
    power_available: bool,
    rack_inlet_c: Vec<f64>,
    rack_cap_w: Vec<f64>,
    /// Each rack's heat at the servers' input over the last interval, W: the IT model's AC
    /// power times the chain's server-input factor. Filled only on sites whose chain converts
    /// the server input (rack power shelves); empty otherwise.
    rack_input_w: Vec<f64>,
    throttle: bool,
    last: StepFlows,
    advanced_to: SimTime,
    calendar_offset: SimDuration,
    battery_soc: f64,
    max_inlet_c: f64,
    max_chip_c: f64,
    chip_no_flow_h: f64,
    free_cooling_h: f64,
    partial_cooling_h: f64,
    mechanical_cooling_h: f64,
    unmet_cooling_j: f64,
    unserved_it_j: f64,
    steps: u64,
}

fn model_err(model: &'static str, e: impl std::fmt::Display) -> SiteError {
    SiteError::Model {
        model,
        message: e.to_string(),
    }
}

impl SiteState {
    /// Assemble the site of `scenario`.
    pub fn build(
        scenario: &Scenario,
        base_dir: &Path,
        streams: &RngStreams,
        end: SimTime,
        sample: SimDuration,
    ) -> Result<SiteState, SiteError> {
        let weather = Weather::load(&scenario.weather, base_dir, streams)
            .map_err(|e| model_err("weather", e))?;
        let grid = GridSignals::load(&scenario.power.grid, base_dir, streams)
            .map_err(|e| model_err("power.grid", e))?;
        let cluster =
            Cluster::new(&scenario.it, base_dir, streams, end).map_err(|e| model_err("it", e))?;
        let rack_rows: Vec<usize> = cluster.racks().iter().map(|r| r.row).collect();
        let plant = CoolingPlant::new(&scenario.cooling, &rack_rows, cluster.row_names())
            .map_err(|e| model_err("cooling", e))?;
        let (chw_plant, fw_plant) = HeatRejectionPlant::for_loops(&scenario.heat_rejection)
            .map_err(|e| model_err("heat_rejection", e))?;
        let electrical = ElectricalSystem::new(&scenario.power, grid.clone())
            .map_err(|e| model_err("power", e))?;

        let mut faults = Vec::new();
        for (i, f) in scenario.faults.iter().enumerate() {
            let start = SimTime::try_from_secs_f64(f.start_h * 3600.0)
                .map_err(|e| SiteError::Run(format!("faults[{i}].start_h: {e}")))?;
            let len = SimDuration::try_from_secs_f64(f.duration_h * 3600.0)
                .map_err(|e| SiteError::Run(format!("faults[{i}].duration_h: {e}")))?;
            if f.kind == FaultKind::NodeFailure {
                return Err(SiteError::Run(format!(
                    "faults[{i}].kind: node failures are drawn by the IT model from \
                     `it.failures`; inject a rack-level fault instead"
                )));
            }
            let index = f
                .component
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .parse::<usize>()
                .unwrap_or(0);
            let lower = f.component.to_ascii_lowercase();
            let target_fw = lower.starts_with("fw") || lower.contains("facility");
            faults.push(ActiveFault {
                kind: f.kind,
                index,
                target_fw,
                window: (start, start + len),
                label: if f.component.is_empty() {
                    format!("{:?}", f.kind)
                } else {
                    f.component.clone()
                },
            });
        }
        let windows = faults.iter().map(|f| f.window).collect();
        let racks = cluster.racks().len();
        let chw0 = scenario.cooling.air.supply_setpoint_c - 6.0;
        let fw0 = scenario.cooling.liquid.tcs_supply_setpoint_c - 3.0;
        Ok(SiteState {
            recorder: Recorder::new(sample, SIGNALS.iter().map(|s| (*s).to_owned()).collect()),
            rack_inlet_c: vec![scenario.cooling.air.supply_setpoint_c; racks],
            rack_cap_w: cluster.racks().iter().map(|r| r.max_power_w).collect(),
            rack_input_w: Vec::new(),
            throttle: scenario.cooling.throttle_at_chip_limit,
            cluster,
            weather,
            grid,
            plant,
            chw_plant,
            fw_plant,
            electrical,
            faults,
            windows,
            down: DownSets::default(),
            ledger: EnergyLedger::default(),
            chw_supply_c: chw0,
            fw_supply_c: fw0,
            white_space_loss_j: 0.0,
            electrical_room_loss_j: 0.0,
            power_available: true,
            last: StepFlows::default(),
            advanced_to: SimTime::ZERO,
            calendar_offset: SimDuration::from_hours(
                24 * u64::from(scenario.run.start_day_of_year.clamp(1, 365) - 1),
            ),
            battery_soc: f64::NAN,
            max_inlet_c: f64::NEG_INFINITY,
            max_chip_c: f64::NEG_INFINITY,
            chip_no_flow_h: 0.0,
            free_cooling_h: 0.0,
            partial_cooling_h: 0.0,
            mechanical_cooling_h: 0.0,
            unmet_cooling_j: 0.0,
            unserved_it_j: 0.0,
            steps: 0,
        })
    }

    /// Start and end instants of the scenario's faults, in scenario order.
    pub fn fault_windows(&self) -> &[(SimTime, SimTime)] {
        &self.windows
    }

    /// Switch fault `i` on or off at `now` (after closing the interval up to `now`).
    pub fn set_fault(&mut self, i: usize, on: bool, now: SimTime) {
        self.advance_to(now);
        let Some(f) = self.faults.get(i).cloned() else {
            return;
        };
        let d = &mut self.down;
        let step = |n: &mut u32| {
            if on {
                *n += 1;
            } else {
                *n = n.saturating_sub(1);
            }
        };
        let toggle = |v: &mut Vec<usize>| {
            if on {
                v.push(f.index);
            } else if let Some(p) = v.iter().position(|&x| x == f.index) {
                v.remove(p);
            }
        };
        match f.kind {
            FaultKind::CrahFailure => toggle(&mut d.crah),
            FaultKind::CduPumpLoss => toggle(&mut d.cdu),
            FaultKind::ChillerTrip if f.target_fw => step(&mut d.fw_chillers),
            FaultKind::ChillerTrip => step(&mut d.chw_chillers),
            FaultKind::HeatRejectionFanLoss if f.target_fw => step(&mut d.fw_fans),
            FaultKind::HeatRejectionFanLoss => step(&mut d.chw_fans),
            FaultKind::UtilityOutage => step(&mut d.utility_out),
            FaultKind::NodeFailure => {}
        }
        let kind = if on { "fault_start" } else { "fault_end" };
        self.recorder
            .log_event(now, &f.label, kind, format!("{:?}", f.kind));
    }

    /// Advance every model from the end of the last advance to `now`.
    ///
    /// The interval starts where the previous advance ended, so an event between two ticks (a
    /// fault) first closes the interval up to its instant with the old inputs and then changes
    /// them: inputs stay piecewise constant between events, whatever their timing.
    pub fn advance_to(&mut self, now: SimTime) {
        let start = self.advanced_to;
        if now <= start {
            return;
        }
        self.advanced_to = now;
        let dt = now - start;
        let hours = dt.as_hours_f64();
        // Calendar time (weather, tariffs, months) starts at `run.start_day_of_year`.
        let calendar = start + self.calendar_offset;
        let w = self.weather.at(calendar);

        // 1. IT over the interval.
        let env = ItEnvironment {
            rack_inlet_c: &self.rack_inlet_c,
            // Caps exist only when the plant throttles at the chip limit; otherwise pass none so
            // the IT model skips its cap pass.
            rack_power_cap_w: self.throttle.then_some(self.rack_cap_w.as_slice()),
            it_power_limit_w: None,
            carbon_g_per_kwh: &self.grid.carbon_forecast,
            price_per_kwh: &self.grid.price_forecast,
            power_available: self.power_available,
        };
        self.cluster.advance_to(now, &env);
        // The cluster totals its energy over the interval already (no second O(racks) sum).
        // Its power is AC wall power (SPECpower meters the PSU input). Behind rack power shelves
        // the servers have no AC PSU and draw `factor` times that from the DC busbar
        // (`PowerChain::server_input_factor`): the busbar power is what heats the racks, what the
        // chain feeds and what IT energy counts. AC sites (factor 1) skip the per-rack pass.
        let ac_it_w = self.cluster.mean_it_power_w();
        let chain = self.electrical.chain();
        let factor = chain.server_input_factor(ac_it_w);
        let rack_heat: &[f64] = if chain.converts_server_input() {
            self.rack_input_w.clear();
            self.rack_input_w
                .extend(self.cluster.rack_mean_power_w().iter().map(|p| p * factor));
            &self.rack_input_w
        } else {
            self.cluster.rack_mean_power_w()
        };
        let it_w = ac_it_w * factor;

        // 2. Cooling plant inside the building.
        let th = self.plant.step(
            dt,
            &ThermalInputs {
                rack_heat_w: rack_heat,
                white_space_extra_heat_w: self.white_space_loss_j / dt.as_secs_f64(),
                outdoor_dry_bulb_c: w.dry_bulb_c,
                chw_supply_c: self.chw_supply_c,
                fw_supply_c: self.fw_supply_c,
                faults: Faults {
                    crah_down: &self.down.crah,
                    cdu_down: &self.down.cdu,
                    fw_pump_down: &self.down.fw_pump,
                },
            },
        );
        self.rack_inlet_c.copy_from_slice(&th.rack_inlet_c);
        let caps = self.plant.rack_power_cap_w();
        if caps.len() == self.rack_cap_w.len() {
            self.rack_cap_w.copy_from_slice(caps);
            // The plant caps the rack heat (busbar power on a shelf site); the IT model caps
            // its AC power.
            if self.throttle && factor != 1.0 && factor > 0.0 {
                self.rack_cap_w.iter_mut().for_each(|c| *c /= factor);
            }
        }
        let th = self.plant.last();

        // 3. Heat rejection of both loops. Electrical-room losses go to the chilled-water plant
        //    (room CRAHs) when there is one, else to the facility-water plant.
        let mut flows = StepFlows {
            it_w,
            air_fans_w: th.crah_fan_power_w,
            pumps_w: th.tcs_pump_power_w + th.immersion_pump_power_w + th.fw_pump_power_w,
            heat_stored_w: th.heat_stored_j / dt.as_secs_f64(),
            ..StepFlows::default()
        };
        let mut room_heat_w = self.electrical_room_loss_j / dt.as_secs_f64();
        let has_chw = self.chw_plant.is_some();
        let mut modes = [0.0f64; 3];
        let loops = [
            (
                &mut self.chw_plant,
                th.chw_load_w,
                th.chw_supply_setpoint_c,
                th.chw_return_c,
                th.chw_flow_kg_s,
                self.down.chw_chillers,
                self.down.chw_fans,
                &mut self.chw_supply_c,
            ),
            (
                &mut self.fw_plant,
                th.fw_load_w,
                th.fw_supply_setpoint_c,
                th.fw_return_c,
                th.fw_flow_kg_s,
                self.down.fw_chillers,
                self.down.fw_fans,
                &mut self.fw_supply_c,
            ),
        ];
        for (
            k,
            (plant, load_w, setpoint_c, return_c, flow_kg_s, chillers_down, fans_down, supply),
        ) in loops.into_iter().enumerate()
        {
            let extra = if (k == 0) == has_chw {
                std::mem::take(&mut room_heat_w)
            } else {
                0.0
            };
            let load = load_w + extra;
            // The extra (electrical-room) heat warms the loop's return water: without this an
            // economizer would see the loop's return temperature and leave that heat to the
            // compressors. With no flow in the loop, it brings its own at the design rise.
            let (return_c, flow_kg_s) = if extra <= 0.0 {
                (return_c, flow_kg_s)
            } else if flow_kg_s > 0.0 {
                (return_c + extra / (flow_kg_s * CP_WATER_J_KG_K), flow_kg_s)
            } else {
                (
                    setpoint_c + EXTRA_HEAT_RISE_K,
                    extra / (CP_WATER_J_KG_K * EXTRA_HEAT_RISE_K),
                )
            };
            let Some(plant) = plant.as_mut() else {
                *supply = setpoint_c;
                self.unmet_cooling_j += load * dt.as_secs_f64();
                flows.unmet_heat_w += load;
                continue;
            };
            if load <= 0.0 && extra <= 0.0 && flow_kg_s <= 0.0 {
                *supply = setpoint_c;
                continue;
            }
            let r = plant.step(&RejectionRequest {
                load_w: load,
                supply_setpoint_c: setpoint_c,
                return_temp_c: return_c,
                flow_kg_s,
                weather: &w,
                dt_s: dt.as_secs_f64(),
                chillers_down,
                fans_down,
            });
            *supply = r.supply_temp_c;
            flows.compressors_w += r.chiller_power_w;
            // The chilled-water distribution pump is a pump of the site's loop (with the
            // facility-water pumps), not a heat-rejection auxiliary.
            flows.pumps_w += r.distribution_pump_power_w;
            flows.heat_rejection_aux_w += r.fan_and_pump_power_w() - r.distribution_pump_power_w;
            flows.water_kg_s += r.water_use_kg / dt.as_secs_f64();
            flows.heat_reused_w += r.heat_recovered_w;
            // Heat leaving the site: through the condensers / coils (which includes compressor,
            // condenser-pump and distribution-pump work) plus the heat of the outdoor fans'
            // electricity.
            flows.heat_out_w += r.heat_rejected_w
                + r.heat_recovered_w
                + (r.fan_and_pump_power_w()
                    - r.condenser_pump_power_w
                    - r.distribution_pump_power_w);
            flows.unmet_heat_w += r.unmet_load_w;
            self.unmet_cooling_j += r.unmet_load_w * dt.as_secs_f64();
            let m = match r.mode {
                CoolingMode::Free => 0,
                CoolingMode::Partial => 1,
                CoolingMode::Mechanical => 2,
            };
            modes[m] += hours * load.max(0.0);
        }
        let total_mode: f64 = modes.iter().sum();
        if total_mode > 0.0 {
            // Hours weighted by the share of load each loop's mode carried.
            self.free_cooling_h += modes[0] / total_mode * hours;
            self.partial_cooling_h += modes[1] / total_mode * hours;
            self.mechanical_cooling_h += modes[2] / total_mode * hours;
        }

        // 4. Power chain, storage, renewables. CDU/TCS and immersion pumps ride on the UPS (they
        //    must keep running through an outage); the rest of cooling is on the transformer.
        let ups_pumps_w = th.tcs_pump_power_w + th.immersion_pump_power_w;
        let inputs = ElectricalInputs {
            it_power_w: it_w,
            ups_fed_mechanical_w: ups_pumps_w,
            cooling_power_w: flows.cooling_w() - ups_pumps_w,
            other_power_w: 0.0,
            utility_available: self.down.utility_out == 0,
            ..ElectricalInputs::default()
        }
        .with_weather(&w);
        let e = self.electrical.step(calendar, dt, &inputs);
        flows.it_metered_w = e.it_metered_w;
        flows.chain_losses_w = e.transformer_loss_w
            + e.ups_loss_w
            + e.rectifier_loss_w
            + e.shelf_loss_w
            + e.pdu_loss_w;
        flows.unserved_w = e.unserved_w;
        flows.utility_w = e.utility_import_w;
        flows.renewable_w = e.pv_w + e.wind_w;
        flows.generator_w = e.generator_w;
        flows.battery_net_w = e.battery_charge_w + e.ups_battery_charge_w
            - e.battery_discharge_w
            - e.ups_battery_discharge_w;
        flows.carbon_g_per_kwh = e.carbon_g_per_kwh;
        flows.price_per_kwh = e.price_per_kwh;
        self.battery_soc = if self.electrical.battery().is_some() {
            e.battery_soc
        } else {
            e.ups_battery_soc
        };
        flows.battery_loss_w = e.battery_loss_w + e.ups_battery_loss_w;
        self.white_space_loss_j = e.white_space_loss_w * dt.as_secs_f64();
        self.electrical_room_loss_j = e.electrical_room_loss_w * dt.as_secs_f64();
        if e.unserved_it_w > 0.0 {
            self.unserved_it_j += e.unserved_it_w * dt.as_secs_f64();
            if self.power_available {
                self.cluster.power_lost(now);
                self.recorder.log_event(
                    now,
                    "it",
                    "power_lost",
                    format!("{:.0} W of IT load unserved", e.unserved_it_w),
                );
            }
            self.power_available = false;
        } else if !self.power_available && (self.down.utility_out == 0 || e.generator_w > 0.0) {
            self.power_available = true;
            self.recorder
                .log_event(now, "it", "power_restored", String::new());
        }

        // 5. Ledger and sampling.
        self.ledger.add(&flows, dt);
        self.max_inlet_c = self.max_inlet_c.max(th.max_inlet_c);
        if th.max_chip_c.is_finite() {
            self.max_chip_c = self.max_chip_c.max(th.max_chip_c);
        } else {
            // A liquid rack without coolant flow: no finite chip temperature exists.
            self.chip_no_flow_h += hours;
        }
        self.last = flows;
        self.steps += 1;
        if self.recorder.is_due(start) {
            self.sample(start, &w);
        }
    }

    fn sample(&mut self, t: SimTime, w: &dctwin_models::weather::WeatherSample) {
        let f = &self.last;
        let th = self.plant.last();
        let facility = f.supply_w();
        let pue = if f.it_metered_w > 0.0 {
            facility / f.it_metered_w
        } else {
            f64::NAN
        };
        let row = [
            f.it_w / 1e3,
            f.cooling_w() / 1e3,
            f.air_fans_w / 1e3,
            f.pumps_w / 1e3,
            f.compressors_w / 1e3,
            f.heat_rejection_aux_w / 1e3,
            f.chain_losses_w / 1e3,
            facility / 1e3,
            f.utility_w / 1e3,
            f.renewable_w / 1e3,
            f.generator_w / 1e3,
            f.battery_net_w / 1e3,
            self.battery_soc,
            pue,
            th.max_inlet_c,
            th.max_chip_c,
            self.chw_supply_c,
            self.fw_supply_c,
            w.dry_bulb_c,
            w.wet_bulb_c,
            self.cluster.queue_len() as f64,
            self.cluster.running_len() as f64,
            f.carbon_g_per_kwh,
            f.price_per_kwh,
        ];
        // The row width is fixed by SIGNALS, so this cannot fail.
        let _ = self.recorder.record(t, &row);
    }

    /// Close the run: metrics and outputs.
    pub fn finish(self, scenario: &Scenario, seed: u64) -> RunOutput {
        let l = &self.ledger;
        let mut s = Summary::default();
        let kwh = |j: f64| j / 3.6e6;
        // IT energy at the server input: the nodes' AC wall power (server PSU losses included)
        // on `ac_ups` and `hvdc` sites; on `rack_power_shelf` sites the servers' DC busbar input
        // (no AC PSU; the DC front ends' losses included).
        let it_kwh = kwh(l.it.energy_j());
        let it_metered_kwh = kwh(l.it_metered.energy_j());
        // Facility energy *consumed*: what the site drew (utility + renewables + generator) less
        // what is still stored in the batteries at the end, so that a battery charged during a
        // short run does not count as consumption (The Green Grid PUE, WP#49: total facility
        // energy over IT energy, both over the same period).
        let drawn_kwh = kwh(l.facility_j());
        let facility_kwh = drawn_kwh - kwh(l.battery_net.energy_j());
        let cooling_kwh = kwh(l.cooling_j());
        let losses_kwh = kwh(l.chain_losses.energy_j());
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        s.set("pue", ratio(facility_kwh, it_metered_kwh), "-");
        s.set(
            "ppue_cooling",
            ratio(it_metered_kwh + cooling_kwh, it_metered_kwh),
            "-",
        );
        s.set(
            "ppue_power_chain",
            ratio(it_metered_kwh + losses_kwh, it_metered_kwh),
            "-",
        );
        let water_l = l.water.energy_j(); // kg of water ~ litres
        s.set("wue_l_per_kwh", ratio(water_l, it_metered_kwh), "L/kWh");
        let reused_kwh = kwh(l.heat_reused.energy_j());
        s.set("ere", ratio(facility_kwh - reused_kwh, it_metered_kwh), "-");
        s.set(
            "renewable_share",
            ratio(kwh(l.renewable.energy_j()), facility_kwh),
            "-",
        );
        s.set("it_energy_kwh", it_kwh, "kWh");
        s.set("it_metered_energy_kwh", it_metered_kwh, "kWh");
        s.set("facility_energy_kwh", facility_kwh, "kWh");
        s.set("facility_drawn_kwh", drawn_kwh, "kWh");
        s.set("cooling_energy_kwh", cooling_kwh, "kWh");
        s.set("air_fan_energy_kwh", kwh(l.air_fans.energy_j()), "kWh");
        s.set("pump_energy_kwh", kwh(l.pumps.energy_j()), "kWh");
        s.set(
            "compressor_energy_kwh",
            kwh(l.compressors.energy_j()),
            "kWh",
        );
        s.set(
            "heat_rejection_aux_energy_kwh",
            kwh(l.heat_rejection_aux.energy_j()),
            "kWh",
        );
        s.set("power_chain_loss_kwh", losses_kwh, "kWh");
        s.set("grid_import_kwh", kwh(l.utility.energy_j()), "kWh");
        s.set("renewable_energy_kwh", kwh(l.renewable.energy_j()), "kWh");
        s.set("generator_energy_kwh", kwh(l.generator.energy_j()), "kWh");
        s.set(
            "battery_net_energy_kwh",
            kwh(l.battery_net.energy_j()),
            "kWh",
        );
        s.set("heat_reused_kwh", reused_kwh, "kWh");
        s.set("cooling_share", ratio(cooling_kwh, facility_kwh), "-");
        s.set("power_chain_share", ratio(losses_kwh, facility_kwh), "-");
        s.set("peak_facility_power_kw", l.utility.peak_w() / 1e3, "kW");
        s.set("water_l", water_l, "L");
        s.set("energy_balance_residual", l.energy_balance_residual(), "-");
        s.set(
            "heat_balance_residual",
            l.heat_balance_residual(self.white_space_loss_j + self.electrical_room_loss_j),
            "-",
        );
        s.set("heat_rejected_kwh", kwh(l.heat_out.energy_j()), "kWh");
        s.set("unmet_cooling_kwh", kwh(self.unmet_cooling_j), "kWh");
        s.set("unserved_it_kwh", kwh(self.unserved_it_j), "kWh");
        s.set("max_inlet_c", self.max_inlet_c, "degC");
        s.set("max_chip_c", self.max_chip_c, "degC");
        s.set("chip_without_coolant_flow_h", self.chip_no_flow_h, "h");
        let ex = self.plant.exceedance();
        s.set("inlet_outside_recommended_h", ex.outside_recommended_h, "h");
        s.set("inlet_outside_allowable_h", ex.outside_allowable_h, "h");
        s.set("chip_over_limit_h", ex.chip_over_limit_h, "h");
        s.set("free_cooling_h", self.free_cooling_h, "h");
        s.set("partial_free_cooling_h", self.partial_cooling_h, "h");
        s.set("mechanical_cooling_h", self.mechanical_cooling_h, "h");
        let mut electrical = self.electrical;
        let t = electrical.finish().clone();
        let carbon_kg = t.carbon_kg.value();
        s.set("peak_demand_kw", t.peak_demand_w() / 1e3, "kW");
        s.set("energy_cost", t.energy_cost.value(), "currency");
        s.set("demand_cost", t.demand_cost, "currency");
        s.set("total_cost", t.total_cost(), "currency");
        s.set("carbon_kg", carbon_kg, "kgCO2e");
        s.set(
            "cue_kg_per_kwh",
            ratio(carbon_kg, it_metered_kwh),
            "kgCO2e/kWh",
        );
        s.set("fuel_l", t.fuel_l.value(), "L");
        s.set("green_ppa_kwh", t.green_ppa_kwh.value(), "kWh");
        s.set("curtailed_kwh", t.curtailed_kwh.value(), "kWh");
        if let Some(b) = electrical.battery() {
            s.set("battery_state_of_health", b.state_of_health(), "-");
            s.set(
                "battery_equivalent_full_cycles",
                b.equivalent_full_cycles(),
                "-",
            );
        }
        let st = self.cluster.stats();
        s.set("jobs_submitted", st.submitted as f64, "jobs");
        s.set("jobs_completed", st.completed as f64, "jobs");
        s.set("jobs_running", st.running as f64, "jobs");
        s.set("jobs_queued", st.queued as f64, "jobs");
        s.set("jobs_killed", st.killed as f64, "jobs");
        s.set("mean_wait_s", st.mean_wait_s, "s");
        s.set("p95_wait_s", st.p95_wait_s, "s");
        s.set("mean_bounded_slowdown", st.mean_bounded_slowdown, "-");
        s.set("deadline_misses", st.deadline_misses as f64, "jobs");
        s.set("energy_per_job_kwh", st.energy_per_completed_job_kwh, "kWh");
        s.set("node_hours", st.node_hours, "h");
        s.set("gpu_hours", st.gpu_hours, "h");
        s.set("utilisation", st.utilisation, "-");
        s.set("interruptions", st.interruptions as f64, "-");
        s.set("work_lost_node_h", st.work_lost_node_h, "h");
        s.set(
            "node_hours_per_kwh",
            ratio(st.node_hours, facility_kwh),
            "h/kWh",
        );
        s.set(
            "node_hours_per_kg_co2e",
            ratio(st.node_hours, carbon_kg),
            "h/kg",
        );
        s.set("control_steps", self.steps as f64, "-");
        s.meta.insert("scenario".into(), scenario.name.clone());
        s.meta.insert("seed".into(), seed.to_string());
        s.meta
            .insert("dctwin_version".into(), env!("CARGO_PKG_VERSION").into());
        s.meta.insert(
            "metering_boundary".into(),
            format!("{:?}", electrical.chain().config().metering_boundary),
        );
        s.meta
            .insert("scheduler".into(), self.cluster.scheduler_name().into());
        s.meta
            .insert("cooling_policy".into(), self.plant.policy_name().into());
        RunOutput {
            recorder: self.recorder,
            summary: s,
        }
    }
}
