//! The summary of a site run: every metric from the ledger, the models' totals and the
//! runner's counters.

use dctwin_models::power::OracleOptions;

use super::state::SiteState;
use super::RunOutput;
use crate::scenario::Scenario;
use crate::summary::Summary;

impl SiteState {
    /// Close the run: metrics and outputs.
    pub fn finish(mut self, scenario: &Scenario, seed: u64) -> RunOutput {
        self.record_window();
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
        let [evap, drift, blowdown] = self.metrics.water_parts_kg;
        s.set("water_evaporation_l", evap, "L");
        s.set("water_drift_l", drift, "L");
        s.set("water_blowdown_l", blowdown, "L");
        s.set("energy_balance_residual", l.energy_balance_residual(), "-");
        s.set("heat_balance_residual", l.heat_balance_residual(), "-");
        s.set("heat_rejected_kwh", kwh(l.heat_out.energy_j()), "kWh");
        s.set(
            "unmet_cooling_kwh",
            kwh(self.metrics.unmet_cooling_j),
            "kWh",
        );
        s.set("unserved_it_kwh", kwh(self.metrics.unserved_it_j), "kWh");
        s.set("unserved_load_kwh", kwh(l.unserved.energy_j()), "kWh");
        s.set("max_inlet_c", self.metrics.max_inlet_c, "degC");
        s.set("max_chip_c", self.metrics.max_chip_c, "degC");
        s.set(
            "chip_without_coolant_flow_h",
            self.metrics.chip_no_flow_h,
            "h",
        );
        // Per cooling type, where the site has such racks: the air rows' inlet + rise would
        // otherwise hide the liquid-cooled chips behind `max_chip_c`.
        let kinds = [
            "max_chip_air_c",
            "max_chip_cold_plate_c",
            "max_chip_immersion_c",
        ];
        for (name, &v) in kinds.iter().zip(&self.metrics.max_chip_by_cooling_c) {
            if !v.is_nan() {
                s.set(name, v, "degC");
            }
        }
        let ex = self.plant.exceedance();
        s.set("inlet_outside_recommended_h", ex.outside_recommended_h, "h");
        s.set("inlet_outside_allowable_h", ex.outside_allowable_h, "h");
        s.set("chip_over_limit_h", ex.chip_over_limit_h, "h");
        s.set("free_cooling_h", self.metrics.free_cooling_h, "h");
        s.set(
            "partial_free_cooling_h",
            self.metrics.partial_cooling_h,
            "h",
        );
        s.set(
            "mechanical_cooling_h",
            self.metrics.mechanical_cooling_h,
            "h",
        );
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
        s.set("degradation_cost", t.degradation_cost, "currency");
        s.set("demand_response_h", t.dr_event_h, "h");
        s.set(
            "demand_response_requested_kwh",
            t.dr_requested_kwh.value(),
            "kWh",
        );
        s.set(
            "demand_response_delivered_kwh",
            t.dr_delivered_kwh.value(),
            "kWh",
        );
        s.set(
            "demand_response_shortfall_kwh",
            t.dr_shortfall_kwh.value(),
            "kWh",
        );
        let oracle = scenario
            .outputs
            .storage_oracle
            .then(|| electrical.oracle_report(&OracleOptions::default()))
            .flatten();
        if let Some(Ok(r)) = oracle {
            // The storage policy against doing nothing and against perfect foresight (the
            // lowest cost this battery could reach on this run's load and signals).
            s.set("storage_oracle_cost", r.oracle.cost, "currency");
            s.set("storage_idle_cost", r.oracle.idle_cost, "currency");
            s.set("storage_saving", r.policy_saving_vs_idle, "currency");
            s.set("storage_oracle_saving", r.oracle.saving_vs_idle, "currency");
            if let Some(f) = r.fraction_of_oracle_saving {
                s.set("storage_fraction_of_oracle_saving", f, "-");
            }
        }
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
        s.set("control_steps", self.metrics.decisions as f64, "-");
        s.set("physics_steps", self.metrics.steps as f64, "-");
        s.set(
            "power_interruptions",
            self.metrics.power_interruptions as f64,
            "-",
        );
        s.set("thermal_trips", self.metrics.thermal_trips as f64, "-");
        s.set(
            "chw_supply_over_setpoint_h",
            self.metrics.loop_over_setpoint_h[0],
            "h",
        );
        s.set(
            "fw_supply_over_setpoint_h",
            self.metrics.loop_over_setpoint_h[1],
            "h",
        );
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
