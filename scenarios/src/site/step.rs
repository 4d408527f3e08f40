//! One physics sub-step of the site, `[s, t)`, with every input held: buses, IT, cooling plant,
//! heat rejection, power chain, ledger, finite-state check and sampling, in that fixed order.
//! The lags between stages sit on states (room air, TCS fluid, loop fluids, loss masses, batteries),
//! never on a rate divided by the next step, so a step of any length is safe.

use dctwin_models::heat_rejection::economizer::CoolingMode;
use dctwin_models::heat_rejection::{RejectionRequest, CP_WATER_J_KG_K};
use dctwin_models::it::ItEnvironment;
use dctwin_models::power::ElectricalInputs;
use dctwin_models::thermal::{Faults, ThermalInputs, ThermalStep};

use dctwin_models::weather::WeatherSample;
use sim_core::SimTime;

use super::ledger::StepFlows;
use super::state::{BackedBus, SiteState, RESTART_INLET_C, TRIP_INLET_C};
use super::SiteError;

/// Water temperature rise carrying the electrical-room heat when the loop has no other flow, K
/// (about the 6.7 K design rise of a chilled-water loop, ASHRAE 90.1-2019 App. G G3.1.3.8).
const EXTRA_HEAT_RISE_K: f64 = 6.0;
/// Margin of a generator load plan over the highest mechanical load seen on utility power.
const BACKED_MARGIN: f64 = 1.2;
/// Bounds outside which a temperature is not physics but a numerical failure, °C.
const PHYSICAL_TEMP_C: (f64, f64) = (-100.0, 1000.0);

/// The scalars of a cooling-plant step the other stages read (the per-rack vectors stay in the
/// plant: no copy per step).
#[derive(Debug, Clone, Copy)]
pub(super) struct CoolingOut {
    crah_fan_power_w: f64,
    tcs_pump_power_w: f64,
    immersion_pump_power_w: f64,
    fw_pump_power_w: f64,
    heat_stored_j: f64,
    chw_load_w: f64,
    chw_supply_setpoint_c: f64,
    chw_return_c: f64,
    chw_flow_kg_s: f64,
    fw_load_w: f64,
    fw_supply_setpoint_c: f64,
    fw_return_c: f64,
    fw_flow_kg_s: f64,
    max_inlet_c: f64,
    max_chip_c: f64,
    max_chip_by_cooling_c: [f64; 3],
    hot_aisle_c: f64,
    tcs_supply_c: f64,
}

impl CoolingOut {
    fn of(th: &ThermalStep) -> Self {
        CoolingOut {
            crah_fan_power_w: th.crah_fan_power_w,
            tcs_pump_power_w: th.tcs_pump_power_w,
            immersion_pump_power_w: th.immersion_pump_power_w,
            fw_pump_power_w: th.fw_pump_power_w,
            heat_stored_j: th.heat_stored_j,
            chw_load_w: th.chw_load_w,
            chw_supply_setpoint_c: th.chw_supply_setpoint_c,
            chw_return_c: th.chw_return_c,
            chw_flow_kg_s: th.chw_flow_kg_s,
            fw_load_w: th.fw_load_w,
            fw_supply_setpoint_c: th.fw_supply_setpoint_c,
            fw_return_c: th.fw_return_c,
            fw_flow_kg_s: th.fw_flow_kg_s,
            max_inlet_c: th.max_inlet_c,
            max_chip_c: th.max_chip_c,
            max_chip_by_cooling_c: th.max_chip_by_cooling_c,
            hot_aisle_c: th.hot_aisle_c,
            tcs_supply_c: th.tcs_supply_c,
        }
    }
}

/// What the generator carries on an outage ([`SiteState::generator_plan`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GeneratorPlan {
    Everything,
    Mechanical,
    CompressorsShed,
    Nothing,
}

/// What one heat-rejection loop did over a sub-step.
#[derive(Debug, Clone, Copy, Default)]
struct LoopResult {
    stored_j: f64,
    unmet_w: f64,
    mode_load: Option<(CoolingMode, f64)>,
}

impl SiteState {
    /// Advance every stage over `[s, t)`.
    pub(super) fn sub_step(&mut self, s: SimTime, t: SimTime) -> Result<(), SiteError> {
        let dt = t - s;
        let h = dt.as_secs_f64();
        let cal = s + self.calendar_offset;
        let w = self.weather.at(cal + sim_core::SimDuration(dt.0 / 2));
        self.update_buses(s);

        let it_w = self.advance_it(s, t);
        let mut flows = StepFlows {
            it_w,
            ..StepFlows::default()
        };
        let ws_release_j = self.white_space_loss.release_j(h);
        let er_release_j = self.electrical_room_loss.release_j(h);
        let th = self.advance_cooling(dt, ws_release_j / h, &w);
        flows.air_fans_w = th.crah_fan_power_w;
        flows.pumps_w = th.tcs_pump_power_w + th.immersion_pump_power_w + th.fw_pump_power_w;
        let mut stored_j = th.heat_stored_j;

        let loads = [
            (
                th.chw_load_w,
                th.chw_supply_setpoint_c,
                th.chw_return_c,
                th.chw_flow_kg_s,
            ),
            (
                th.fw_load_w,
                th.fw_supply_setpoint_c,
                th.fw_return_c,
                th.fw_flow_kg_s,
            ),
        ];
        // Electrical-room heat goes to the chilled-water plant (room CRAHs) when there is one.
        let room_loop = if self.plants[0].is_some() { 0 } else { 1 };
        let mut modes = [0.0f64; 3];
        for (k, (load_w, sp_c, ret_c, flow)) in loads.into_iter().enumerate() {
            let extra_w = if k == room_loop {
                er_release_j / h
            } else {
                0.0
            };
            let r = self.advance_loop(k, load_w, extra_w, sp_c, ret_c, flow, h, &w, &mut flows);
            stored_j += r.stored_j;
            flows.unmet_heat_w += r.unmet_w;
            if let Some((mode, q)) = r.mode_load {
                let m = match mode {
                    CoolingMode::Free => 0,
                    CoolingMode::Partial => 1,
                    CoolingMode::Mechanical => 2,
                };
                modes[m] += q;
            }
        }
        self.book_modes(&modes, dt.as_hours_f64());

        self.advance_power(cal, dt, &th, &w, &mut flows);
        // Loss masses: release what they held, take this step's losses.
        self.white_space_loss
            .close(ws_release_j, flows.white_space_loss_w * h);
        self.electrical_room_loss
            .close(er_release_j, flows.electrical_room_loss_w * h);
        stored_j += (flows.white_space_loss_w + flows.electrical_room_loss_w) * h
            - ws_release_j
            - er_release_j;
        flows.heat_stored_w = stored_j / h;
        self.metrics.unmet_cooling_j += flows.unmet_heat_w * h;

        self.check_finite(s, &th, &flows)?;
        self.ledger.add(&flows, dt);
        self.book_temperatures(&th, dt.as_hours_f64());
        self.last = flows;
        self.metrics.steps += 1;
        self.accumulate_sample(s, t, &th, &w);
        Ok(())
    }

    /// Decide the buses' state at `s` from the utility, the generator's load plan and the UPS
    /// battery, and act on a change: the IT loses power at this exact instant (jobs roll back
    /// to their checkpoint), or gets it back.
    fn update_buses(&mut self, s: SimTime) {
        let utility = !self.down.utility_out;
        if utility {
            self.lost_on_generator = false;
        }
        let critical_w = self.critical_w();
        let plan = self.generator_plan();
        let gen = self.electrical.generator();
        let rated_w = gen.config().rated_power_w;
        // The load plan takes effect once the generator has ramped to its rating (seconds).
        let ready = !utility
            && gen.config().enabled
            && gen
                .seconds_until_available_w(rated_w)
                .is_some_and(|x| x <= 0.0);
        let backed = match (utility, ready, plan) {
            (true, _, _) => BackedBus::Up,
            (false, true, GeneratorPlan::Everything | GeneratorPlan::Mechanical) => BackedBus::Up,
            (false, true, GeneratorPlan::CompressorsShed) => BackedBus::CompressorsShed,
            _ => BackedBus::Down,
        };
        self.gen_for_critical = plan == GeneratorPlan::Everything;
        let ups = self.electrical.ups_battery();
        // The UPS battery can carry the critical load (a UPS whose battery cannot deliver the
        // load's power trips on overload) and still holds more than the event tolerance of it
        // (a battery at its window floor keeps a rounding residue, not a ride-through).
        let need_w = critical_w + self.lost_it_w;
        let battery_carries = ups.max_discharge_w() >= need_w
            && ups.deliverable_j() > need_w * super::state::EVENT_TOLERANCE_S;
        let was_powered = self.buses.ups_up && !self.thermal_trip;
        let on_generator = ready && self.gen_for_critical && !self.lost_on_generator;
        let ups_up = utility || on_generator || (was_powered && battery_carries);
        if backed != self.buses.backed {
            let state = match backed {
                BackedBus::Up => "up",
                BackedBus::CompressorsShed => "compressors_shed",
                BackedBus::Down => "down",
            };
            self.recorder
                .log_event(s, "power", "backed_bus", state.into());
        }
        self.buses = super::state::Buses { ups_up, backed };
        // Tripped servers restart once the room is back in the recommended range.
        if self.thermal_trip && self.metrics_inlet_now() < RESTART_INLET_C {
            self.thermal_trip = false;
            self.recorder
                .log_event(s, "it", "thermal_restart", String::new());
        }
        let powered = ups_up && !self.thermal_trip;
        if was_powered && !powered {
            if ready && self.gen_for_critical {
                self.lost_on_generator = true;
            }
            self.lost_it_w = self.last.it_w;
            self.cluster.power_lost(s);
            self.metrics.power_interruptions += 1;
            self.recorder.log_event(
                s,
                "it",
                "power_lost",
                format!("{:.0} W of IT load unserved", self.lost_it_w),
            );
        } else if !was_powered && powered {
            self.lost_it_w = 0.0;
            self.recorder
                .log_event(s, "it", "power_restored", String::new());
        }
    }

    /// What the generator carries on an outage, decided from its rating against the installed
    /// critical load and the highest mechanical load seen on utility power with a margin (so
    /// the plan is fixed for the outage and never flaps):
    /// everything; the mechanical bus alone (the UPS battery carries the IT until it runs
    /// empty); the mechanical bus without its compressors; or nothing.
    fn generator_plan(&self) -> GeneratorPlan {
        let cfg = self.electrical.generator().config();
        let rated_w = cfg.rated_power_w;
        // The mechanical loads with a margin over the highest seen (a hotter afternoon).
        let backed_w = BACKED_MARGIN * self.backed_peak_w;
        let shed_w = BACKED_MARGIN * (self.backed_peak_w - self.compressor_peak_w);
        if !cfg.enabled {
            GeneratorPlan::Nothing
        } else if rated_w >= self.installed_critical_w.max(self.critical_peak_w) + backed_w {
            GeneratorPlan::Everything
        } else if rated_w >= backed_w {
            GeneratorPlan::Mechanical
        } else if rated_w >= shed_w {
            GeneratorPlan::CompressorsShed
        } else {
            GeneratorPlan::Nothing
        }
    }

    /// Inlet temperature the IT sees now (the hottest rack's), °C.
    fn metrics_inlet_now(&self) -> f64 {
        self.rack_inlet_c
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// IT over the sub-step; returns the IT power at the servers' input, W. Behind rack power
    /// shelves each rack's busbar heat is left in `rack_input_w`.
    fn advance_it(&mut self, s: SimTime, t: SimTime) -> f64 {
        let powered = self.buses.ups_up && !self.thermal_trip;
        let limit = if self.power_capped_admission {
            let cap = self.electrical.chain().converter_capacity_w();
            let pumps = self.last_inputs.ups_fed_mechanical_w;
            let dr = self.demand_response_it_limit_w(s);
            Some(
                self.it_power_limit_w
                    .unwrap_or(f64::INFINITY)
                    .min(cap - pumps)
                    .min(dr),
            )
        } else {
            None
        };
        let env = ItEnvironment {
            rack_inlet_c: &self.rack_inlet_c,
            rack_power_cap_w: self.throttle.then_some(self.rack_cap_w.as_slice()),
            it_power_limit_w: limit,
            carbon_g_per_kwh: &self.grid.carbon_forecast,
            price_per_kwh: &self.grid.price_forecast,
            power_available: powered,
        };
        self.cluster.advance_to(t, &env);
        // The cluster's power is AC wall power; behind rack power shelves the servers draw
        // `factor` times that from the DC busbar (`PowerChain::server_input_factor`), which is
        // what heats the racks, what the chain feeds and what IT energy counts.
        let ac_it_w = self.cluster.mean_it_power_w();
        let chain = self.electrical.chain();
        let factor = chain.server_input_factor(ac_it_w);
        if chain.converts_server_input() {
            self.rack_input_w.clear();
            self.rack_input_w
                .extend(self.cluster.rack_mean_power_w().iter().map(|p| p * factor));
        }
        ac_it_w * factor
    }

    /// IT power that keeps the import under an active demand-response request, W (infinite
    /// when none is active): the request less the last step's other loads, plus what the
    /// site battery can discharge towards it. Power-capped admission holds new jobs to it; the
    /// battery's own response is inside the power stage.
    fn demand_response_it_limit_w(&self, s: SimTime) -> f64 {
        let Some(limit_w) = self.electrical.import_limit_w(s + self.calendar_offset) else {
            return f64::INFINITY;
        };
        let f = &self.last;
        let others_w = f.cooling_w() + f.chain_losses_w + f.other_w;
        let battery_w = self.electrical.battery().map_or(0.0, |b| {
            if b.deliverable_j() > 0.0 {
                b.max_discharge_w()
            } else {
                0.0
            }
        });
        (limit_w + battery_w + f.renewable_w - others_w).max(0.0)
    }

    /// The cooling plant over the sub-step, with equipment on a dead bus stopped.
    fn advance_cooling(
        &mut self,
        dt: sim_core::SimDuration,
        white_space_w: f64,
        w: &WeatherSample,
    ) -> CoolingOut {
        let backed_down = self.buses.backed == BackedBus::Down;
        let all = |n: usize| (0..n).collect::<Vec<usize>>();
        let n = &self.unit_counts;
        let crah_down = if backed_down {
            all(n.crah)
        } else {
            self.down.crah.clone()
        };
        let fw_down = if backed_down {
            all(n.fw_pump)
        } else {
            self.down.fw_pump.clone()
        };
        let cdu_down = if self.buses.ups_up {
            self.down.cdu.clone()
        } else {
            all(n.cdu)
        };
        let rack_heat: &[f64] = if self.electrical.chain().converts_server_input() {
            &self.rack_input_w
        } else {
            self.cluster.rack_mean_power_w()
        };
        let th = self.plant.step(
            dt,
            &ThermalInputs {
                rack_heat_w: rack_heat,
                white_space_extra_heat_w: white_space_w,
                outdoor_dry_bulb_c: w.dry_bulb_c,
                chw_supply_c: self.loops[0].temp_c,
                fw_supply_c: self.loops[1].temp_c,
                faults: Faults {
                    crah_down: &crah_down,
                    cdu_down: &cdu_down,
                    fw_pump_down: &fw_down,
                },
            },
        );
        let out = CoolingOut::of(th);
        self.rack_inlet_c.copy_from_slice(&th.rack_inlet_c);
        let caps = self.plant.rack_power_cap_w();
        if caps.len() == self.rack_cap_w.len() {
            self.rack_cap_w.copy_from_slice(caps);
            let factor = self
                .electrical
                .chain()
                .server_input_factor(self.cluster.mean_it_power_w());
            if self.throttle && factor != 1.0 && factor > 0.0 {
                self.rack_cap_w.iter_mut().for_each(|c| *c /= factor);
            }
        }
        out
    }

    /// Loop `k` over the sub-step: its fluid releases (or absorbs) the excess over the setpoint
    /// through its turnover time, the plant removes what it can of load + release, and what it
    /// cannot stays in the fluid (the supply rises; with a negative load it falls).
    #[allow(clippy::too_many_arguments)]
    fn advance_loop(
        &mut self,
        k: usize,
        load_w: f64,
        extra_w: f64,
        setpoint_c: f64,
        return_c: f64,
        flow_kg_s: f64,
        h: f64,
        w: &WeatherSample,
        flows: &mut StepFlows,
    ) -> LoopResult {
        let fluid = self.loops[k];
        let c = fluid.heat_capacity_j_k;
        let t0 = if fluid.temp_c.is_finite() {
            fluid.temp_c
        } else {
            setpoint_c
        };
        let heat_in_w = load_w + extra_w;
        let excess0_j = c * (t0 - setpoint_c);
        // Turnover time of the loop fluid through the plant, at least the flow the extra heat
        // brings at the design rise.
        let loop_flow = flow_kg_s.max(extra_w.max(0.0) / (CP_WATER_J_KG_K * EXTRA_HEAT_RISE_K));
        let release_j = if loop_flow > 0.0 {
            excess0_j * -(-h * loop_flow * CP_WATER_J_KG_K / c).exp_m1()
        } else {
            0.0
        };
        let request_w = heat_in_w + release_j / h;
        let (return_c, flow_kg_s) = if flow_kg_s > 0.0 {
            (
                return_c + (extra_w + release_j / h) / (flow_kg_s * CP_WATER_J_KG_K),
                flow_kg_s,
            )
        } else {
            (setpoint_c + EXTRA_HEAT_RISE_K, loop_flow)
        };
        let backed = self.buses.backed;
        let mut result = LoopResult::default();
        let removed_w = match self.plants[k].as_mut() {
            Some(plant) if request_w > 0.0 && backed != BackedBus::Down => {
                let shed = backed == BackedBus::CompressorsShed;
                let r = plant.step(&RejectionRequest {
                    load_w: request_w,
                    supply_setpoint_c: setpoint_c,
                    return_temp_c: return_c,
                    flow_kg_s,
                    weather: w,
                    dt_s: h,
                    chillers_down: if shed {
                        u32::MAX
                    } else {
                        self.down.chillers[k]
                    },
                    fans_down: self.down.fans[k],
                });
                flows.compressors_w += r.chiller_power_w;
                flows.pumps_w += r.distribution_pump_power_w;
                flows.heat_rejection_aux_w +=
                    r.fan_and_pump_power_w() - r.distribution_pump_power_w;
                flows.water_kg_s += r.water_use_kg / h;
                let wp = &mut self.metrics.water_parts_kg;
                wp[0] += r.water_evaporation_kg;
                wp[1] += r.water_drift_kg;
                wp[2] += r.water_blowdown_kg;
                flows.heat_reused_w += r.heat_recovered_w;
                let unmet = r.unmet_load_w.clamp(0.0, request_w);
                // First law over the plant (no storage inside it): the heat it took from the
                // loop and all its electricity leave the site, outdoors or to heat reuse.
                // A tank inside the plant: its charge cools the tank water (heat the plant
                // rejects on top), its discharge takes loop heat into the tank water.
                let tank_j = (r.tank_discharge_w - r.tank_charge_w) * h;
                result.stored_j += tank_j;
                flows.heat_out_w +=
                    request_w - unmet - tank_j / h + r.chiller_power_w + r.fan_and_pump_power_w();
                result.unmet_w = unmet;
                result.mode_load = Some((r.mode, request_w));
                request_w - unmet
            }
            _ => {
                result.unmet_w = request_w.max(0.0);
                0.0
            }
        };
        let excess1_j = excess0_j + (heat_in_w - removed_w) * h;
        self.loops[k].temp_c = setpoint_c + excess1_j / c;
        result.stored_j += excess1_j - excess0_j;
        if excess1_j > c * 0.5 {
            self.metrics.loop_over_setpoint_h[k] += h / 3600.0;
        }
        result
    }

    fn book_modes(&mut self, modes: &[f64; 3], hours: f64) {
        let total: f64 = modes.iter().sum();
        if total > 0.0 {
            // Hours weighted by the share of load each loop's mode carried.
            self.metrics.free_cooling_h += modes[0] / total * hours;
            self.metrics.partial_cooling_h += modes[1] / total * hours;
            self.metrics.mechanical_cooling_h += modes[2] / total * hours;
        }
    }

    /// The power chain, storage and renewables over the sub-step.
    fn advance_power(
        &mut self,
        cal: SimTime,
        dt: sim_core::SimDuration,
        th: &CoolingOut,
        w: &WeatherSample,
        flows: &mut StepFlows,
    ) {
        let h = dt.as_secs_f64();
        let ups_pumps_w = th.tcs_pump_power_w + th.immersion_pump_power_w;
        let inputs = ElectricalInputs {
            it_power_w: flows.it_w,
            ups_fed_mechanical_w: ups_pumps_w,
            cooling_power_w: flows.cooling_w() - ups_pumps_w,
            other_power_w: 0.0,
            utility_available: !self.down.utility_out,
            generator_for_critical: self.gen_for_critical,
            ..ElectricalInputs::default()
        }
        .with_weather(w);
        let e = self.electrical.step(cal, dt, &inputs);
        if self.buses.backed == BackedBus::Up && !self.down.utility_out {
            self.backed_peak_w = self.backed_peak_w.max(inputs.cooling_power_w);
            self.compressor_peak_w = self.compressor_peak_w.max(flows.compressors_w);
        }
        self.last_inputs = inputs;
        if !self.down.utility_out {
            self.critical_peak_w = self.critical_peak_w.max(self.critical_w());
        }
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
        flows.battery_loss_w = e.battery_loss_w + e.ups_battery_loss_w;
        self.site_battery_w = e.battery_charge_w - e.battery_discharge_w;
        flows.white_space_loss_w = e.white_space_loss_w;
        flows.electrical_room_loss_w = e.electrical_room_loss_w;
        self.battery_soc = if self.electrical.battery().is_some() {
            e.battery_soc
        } else {
            e.ups_battery_soc
        };
        // IT not served: what the chain could not carry this step, plus, while the servers
        // are down, the load they carried when they went down.
        let down_w = if self.buses.ups_up && !self.thermal_trip {
            0.0
        } else {
            self.lost_it_w
        };
        self.metrics.unserved_it_j += (e.unserved_it_w + down_w) * h;
    }

    /// A non-finite or unphysical state ends the run with an error naming the stage, the
    /// signal and the time.
    fn check_finite(&self, s: SimTime, th: &CoolingOut, f: &StepFlows) -> Result<(), SiteError> {
        let temp_ok = |x: f64| x.is_nan() || (x > PHYSICAL_TEMP_C.0 && x < PHYSICAL_TEMP_C.1);
        let temps = [
            ("cooling", "max_inlet_c", th.max_inlet_c),
            ("cooling", "hot_aisle_c", th.hot_aisle_c),
            ("cooling", "tcs_supply_c", th.tcs_supply_c),
            ("heat_rejection", "chw_supply_c", self.loops[0].temp_c),
            ("heat_rejection", "fw_supply_c", self.loops[1].temp_c),
        ];
        for (stage, signal, v) in temps {
            if !temp_ok(v) {
                return Err(SiteError::Unphysical {
                    stage,
                    signal,
                    value: v,
                    time_s: s.as_secs_f64(),
                });
            }
        }
        if !(th.max_chip_c.is_nan() || th.max_chip_c == f64::INFINITY || temp_ok(th.max_chip_c)) {
            return Err(SiteError::Unphysical {
                stage: "cooling",
                signal: "max_chip_c",
                value: th.max_chip_c,
                time_s: s.as_secs_f64(),
            });
        }
        for (signal, v) in f.named() {
            if !v.is_finite() {
                return Err(SiteError::Unphysical {
                    stage: "site",
                    signal,
                    value: v,
                    time_s: s.as_secs_f64(),
                });
            }
        }
        Ok(())
    }

    /// Run maxima, no-flow hours, and the servers' over-temperature trip.
    fn book_temperatures(&mut self, th: &CoolingOut, hours: f64) {
        let m = &mut self.metrics;
        m.max_inlet_c = m.max_inlet_c.max(th.max_inlet_c);
        for (run_max, &now) in m
            .max_chip_by_cooling_c
            .iter_mut()
            .zip(&th.max_chip_by_cooling_c)
        {
            if now.is_finite() {
                *run_max = run_max.max(now);
            }
        }
        if th.max_chip_c.is_finite() {
            m.max_chip_c = m.max_chip_c.max(th.max_chip_c);
        } else if th.max_chip_c == f64::INFINITY {
            // A liquid rack without coolant flow: no finite chip temperature exists.
            m.chip_no_flow_h += hours;
        }
        if !self.thermal_trip && th.max_inlet_c > TRIP_INLET_C {
            self.thermal_trip = true;
            self.metrics.thermal_trips += 1;
        }
    }

    fn accumulate_sample(&mut self, s: SimTime, t: SimTime, th: &CoolingOut, w: &WeatherSample) {
        let h = (t - s).as_secs_f64();
        let win = &mut self.window;
        if win.len_s == 0.0 {
            win.start = s;
        }
        win.len_s += h;
        win.flows.add_scaled(&self.last, h);
        win.soc_s += self.battery_soc * h;
        win.dry_bulb_s += w.dry_bulb_c * h;
        win.wet_bulb_s += w.wet_bulb_c * h;
        win.max_inlet_c = win.max_inlet_c.max(th.max_inlet_c);
        win.max_chip_c = win.max_chip_c.max(th.max_chip_c);
        let boundary = self.sample.is_zero() || t.0 % self.sample.0 == 0 || t >= self.end;
        if boundary {
            self.record_window();
        }
    }

    /// Write the open sample window as one row and start the next.
    pub(super) fn record_window(&mut self) {
        let win = std::mem::take(&mut self.window);
        self.window.max_inlet_c = f64::NEG_INFINITY;
        self.window.max_chip_c = f64::NEG_INFINITY;
        if win.len_s <= 0.0 {
            return;
        }
        let mut f = win.flows;
        f.scale(1.0 / win.len_s);
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
            win.soc_s / win.len_s,
            pue,
            win.max_inlet_c,
            win.max_chip_c,
            self.loops[0].temp_c,
            self.loops[1].temp_c,
            win.dry_bulb_s / win.len_s,
            win.wet_bulb_s / win.len_s,
            self.cluster.queue_len() as f64,
            self.cluster.running_len() as f64,
            f.carbon_g_per_kwh,
            f.price_per_kwh,
            f.unmet_heat_w / 1e3,
        ];
        // The row width is fixed by SIGNALS, so this cannot fail.
        let _ = self.recorder.record(win.start, &row);
    }
}
