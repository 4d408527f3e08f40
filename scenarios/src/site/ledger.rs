//! The site's energy, water and emissions ledger: every flow integrated exactly as a
//! piecewise-constant power over each control interval.

use sim_core::{EnergyMeter, SimDuration};

/// Powers of one control interval (means over the interval), W unless noted.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StepFlows {
    /// IT power at the server input: the nodes' AC wall power (PSU losses included) on `ac_ups`
    /// and `hvdc` sites; on `rack_power_shelf` sites the servers' DC busbar input (the IT
    /// model's AC power times `PowerChain::server_input_factor`: no AC PSU loss, the DC front
    /// ends' loss included).
    pub it_w: f64,
    /// IT power at the metering boundary the scenario chose.
    pub it_metered_w: f64,
    /// CRAH / CRAC / DX indoor fans.
    pub air_fans_w: f64,
    /// TCS, immersion, facility-water and chilled-water distribution pumps.
    pub pumps_w: f64,
    /// Chiller / DX compressors.
    pub compressors_w: f64,
    /// Tower, dry-cooler and condenser fans and condenser pumps.
    pub heat_rejection_aux_w: f64,
    /// Power-chain conversion losses (transformer, UPS/rectifier or rack shelves, PDU; server
    /// PSU or DC front-end losses are inside `it_w`).
    pub chain_losses_w: f64,
    /// Other facility loads (lighting, offices).
    pub other_w: f64,
    /// Load requested but not served (outage with the batteries empty), subtracted from demand.
    pub unserved_w: f64,
    /// Power bought from the utility.
    pub utility_w: f64,
    /// On-site renewable power used (PV + wind).
    pub renewable_w: f64,
    /// Generator output.
    pub generator_w: f64,
    /// Net power into the battery including its losses (negative when discharging).
    pub battery_net_w: f64,
    /// Heat delivered to a heat-reuse loop.
    pub heat_reused_w: f64,
    /// Water consumed, kg/s.
    pub water_kg_s: f64,
    /// Heat leaving the site to outdoor air or a reuse loop.
    pub heat_out_w: f64,
    /// Heat going into storage inside the building (room air and loop fluid; negative: released).
    pub heat_stored_w: f64,
    /// Heat the plants could not remove (also reported as unmet cooling).
    pub unmet_heat_w: f64,
    /// Internal losses of the batteries (part of `battery_net_w`, released as heat).
    pub battery_loss_w: f64,
    /// Grid carbon intensity, g CO2e/kWh.
    pub carbon_g_per_kwh: f64,
    /// Electricity price, currency/kWh.
    pub price_per_kwh: f64,
    /// Power-chain and battery losses produced in the white space (PDUs, shelves, BBUs).
    pub white_space_loss_w: f64,
    /// Power-chain and battery losses produced in the electrical room.
    pub electrical_room_loss_w: f64,
}

/// Applies `$m!(field)` to every field of [`StepFlows`], in declaration order.
macro_rules! for_each_flow {
    ($m:ident) => {
        $m!(it_w);
        $m!(it_metered_w);
        $m!(air_fans_w);
        $m!(pumps_w);
        $m!(compressors_w);
        $m!(heat_rejection_aux_w);
        $m!(chain_losses_w);
        $m!(other_w);
        $m!(unserved_w);
        $m!(utility_w);
        $m!(renewable_w);
        $m!(generator_w);
        $m!(battery_net_w);
        $m!(heat_reused_w);
        $m!(water_kg_s);
        $m!(heat_out_w);
        $m!(heat_stored_w);
        $m!(unmet_heat_w);
        $m!(battery_loss_w);
        $m!(carbon_g_per_kwh);
        $m!(price_per_kwh);
        $m!(white_space_loss_w);
        $m!(electrical_room_loss_w);
    };
}

impl StepFlows {
    /// All cooling power (fans, pumps, compressors, heat-rejection auxiliaries), W.
    pub fn cooling_w(&self) -> f64 {
        self.air_fans_w + self.pumps_w + self.compressors_w + self.heat_rejection_aux_w
    }
    /// `self += k * other`, field by field (sums over a sample window).
    pub fn add_scaled(&mut self, other: &StepFlows, k: f64) {
        macro_rules! add {
            ($f:ident) => {
                self.$f += k * other.$f;
            };
        }
        for_each_flow!(add);
    }

    /// `self *= k`, field by field.
    pub fn scale(&mut self, k: f64) {
        macro_rules! mul {
            ($f:ident) => {
                self.$f *= k;
            };
        }
        for_each_flow!(mul);
    }

    /// Every field with its name (the finite-state check names the one that failed).
    pub fn named(&self) -> [(&'static str, f64); 23] {
        let mut out = [("", 0.0); 23];
        let mut i = 0;
        macro_rules! put {
            ($f:ident) => {
                out[i] = (stringify!($f), self.$f);
                i += 1;
            };
        }
        for_each_flow!(put);
        debug_assert_eq!(i, out.len());
        out
    }

    /// Energy sources into the site: utility + renewables + generator, W.
    pub fn supply_w(&self) -> f64 {
        self.utility_w + self.renewable_w + self.generator_w
    }
    /// Consumption: IT + cooling + losses + other + net battery charging, W.
    pub fn demand_w(&self) -> f64 {
        self.it_w + self.cooling_w() + self.chain_losses_w + self.other_w + self.battery_net_w
            - self.unserved_w
    }
}

/// Exact running totals of every flow.
#[derive(Debug, Clone, Default)]
pub struct EnergyLedger {
    /// IT energy at the server input (AC wall power, or the DC busbar input behind rack power
    /// shelves: the busbar power = AC power x eta_psu / eta_dc_front_end).
    pub it: EnergyMeter,
    /// IT energy at the metering boundary.
    pub it_metered: EnergyMeter,
    /// Air-side fans.
    pub air_fans: EnergyMeter,
    /// Pumps.
    pub pumps: EnergyMeter,
    /// Compressors.
    pub compressors: EnergyMeter,
    /// Heat-rejection fans and condenser pumps.
    pub heat_rejection_aux: EnergyMeter,
    /// Power-chain losses.
    pub chain_losses: EnergyMeter,
    /// Other loads.
    pub other: EnergyMeter,
    /// Unserved load.
    pub unserved: EnergyMeter,
    /// Utility import.
    pub utility: EnergyMeter,
    /// Renewable used on site.
    pub renewable: EnergyMeter,
    /// Generator.
    pub generator: EnergyMeter,
    /// Net battery charging (signed sum).
    pub battery_net: EnergyMeter,
    /// Heat reused.
    pub heat_reused: EnergyMeter,
    /// Water, kg (integrated as a "power" of kg/s).
    pub water: EnergyMeter,
    /// Heat to outdoors and reuse.
    pub heat_out: EnergyMeter,
    /// Heat stored in the building (signed).
    pub heat_stored: EnergyMeter,
    /// Heat not removed.
    pub unmet_heat: EnergyMeter,
    /// Battery internal losses.
    pub battery_loss: EnergyMeter,
}

impl EnergyLedger {
    /// Add one interval.
    pub fn add(&mut self, f: &StepFlows, dt: SimDuration) {
        self.it.accumulate(f.it_w, dt);
        self.it_metered.accumulate(f.it_metered_w, dt);
        self.air_fans.accumulate(f.air_fans_w, dt);
        self.pumps.accumulate(f.pumps_w, dt);
        self.compressors.accumulate(f.compressors_w, dt);
        self.heat_rejection_aux
            .accumulate(f.heat_rejection_aux_w, dt);
        self.chain_losses.accumulate(f.chain_losses_w, dt);
        self.other.accumulate(f.other_w, dt);
        self.unserved.accumulate(f.unserved_w, dt);
        self.utility.accumulate(f.utility_w, dt);
        self.renewable.accumulate(f.renewable_w, dt);
        self.generator.accumulate(f.generator_w, dt);
        self.battery_net.accumulate(f.battery_net_w, dt);
        self.heat_reused.accumulate(f.heat_reused_w, dt);
        self.water.accumulate(f.water_kg_s, dt);
        self.heat_out.accumulate(f.heat_out_w, dt);
        self.heat_stored.accumulate(f.heat_stored_w, dt);
        self.unmet_heat.accumulate(f.unmet_heat_w, dt);
        self.battery_loss.accumulate(f.battery_loss_w, dt);
    }

    /// Cooling energy, J.
    pub fn cooling_j(&self) -> f64 {
        self.air_fans.energy_j()
            + self.pumps.energy_j()
            + self.compressors.energy_j()
            + self.heat_rejection_aux.energy_j()
    }

    /// Facility energy (everything the site draws: utility + renewables + generator), J.
    pub fn facility_j(&self) -> f64 {
        self.utility.energy_j() + self.renewable.energy_j() + self.generator.energy_j()
    }

    /// Facility energy minus (IT + cooling + losses + other + net battery charging), relative to
    /// the facility energy. Zero to rounding when the ledger closes.
    pub fn energy_balance_residual(&self) -> f64 {
        let supply = self.facility_j();
        let demand = self.it.energy_j()
            + self.cooling_j()
            + self.chain_losses.energy_j()
            + self.other.energy_j()
            + self.battery_net.energy_j()
            - self.unserved.energy_j();
        if supply.abs() > 0.0 {
            (supply - demand) / supply
        } else {
            demand
        }
    }

    /// First law over the run: every joule of electricity the site used (IT, cooling, power-chain
    /// and battery losses) ends as heat that left the site or is stored in the building (room
    /// air, coolant, loop fluids, the gear's loss masses). Heat a plant could not remove is
    /// stored, not written off. Returns the residual relative to the electricity used; zero to
    /// rounding on every scenario, outages included (equipment on a dead bus draws nothing and
    /// heats nothing).
    pub fn heat_balance_residual(&self) -> f64 {
        let used = self.it.energy_j()
            + self.cooling_j()
            + self.chain_losses.energy_j()
            + self.battery_loss.energy_j();
        let accounted = self.heat_out.energy_j() + self.heat_stored.energy_j();
        if used > 0.0 {
            (used - accounted) / used
        } else {
            accounted
        }
    }
}
