//! The electrical system the site runner steps every control interval: chain, UPS battery,
//! site battery with its policy, generator, PV, wind and grid signals, with energy, cost,
//! carbon and peak-demand accumulators.
//!
//! Topology: utility -> transformer -> LV bus. On the LV bus hang the chain's central converter
//! (which feeds the IT branch and UPS-fed mechanical loads), the cooling and other facility
//! loads, the PV and wind inverters, the site battery and the generator. Renewables and the
//! site battery are grid-following: they trip on a utility outage (IEEE 1547 anti-islanding)
//! and never export (surplus renewables are curtailed). During an outage the UPS battery (or the
//! rack battery backup units) carries the critical load through the converter until the
//! generator, once started and ramped, can carry the whole critical path. Simplifications: the
//! UPS battery is not recharged while on generator (only once the utility is back, at its
//! charge C-rate); the site battery does not island; one step must not span more than one
//! demand interval (the runner's 1-minute step against the 15-minute default).
//!
//! Performance: a year of 1-minute steps with a 32 MWh battery, PV, wind and a TOU price takes
//! ~0.16 s in a release build (`cargo bench -p dctwin-power --bench year`).
//!
//! Diesel carbon: 10.21 kg CO2 per US gallon = 2.697 kg/l (US EPA, "Greenhouse Gas Emissions
//! from a Typical Passenger Vehicle", emission factor for diesel).

use crate::battery::{Battery, BatteryConfig, BatteryFlow};
use crate::chain::{ChainArchitecture, ChainConfig, ChainLosses, LossSpace, PowerChain};
use crate::degradation::DegradationCost;
use crate::demand_response::{active_event, DemandResponseEvent};
use crate::generator::{Generator, GeneratorConfig};
use crate::grid::{month_index, GridConfig, GridSignals};
use crate::oracle::{DispatchCost, OracleError, OracleInput, OracleOptions, OracleResult};
use crate::policy::{StorageObservation, StoragePolicy, StoragePolicyConfig};
use crate::renewables::{PvArray, PvConfig, WindConfig, WindTurbine};
use serde::{Deserialize, Serialize};
use sim_core::{CompensatedSum, ConfigIssue, RngStreams, Severity, SimDuration, SimTime};

/// Diesel CO2 emission factor in kg per litre (US EPA: 10.21 kg/gal).
pub const DIESEL_KG_CO2_PER_L: f64 = 10.21 / 3.785_411_784;

/// The `[power]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PowerConfig {
    /// Power chain.
    pub chain: ChainConfig,
    /// Site energy-storage battery; absent = none. Default absent.
    pub battery: Option<BatteryConfig>,
    /// UPS battery (or, for `rack_power_shelf`, all rack battery backup units together).
    /// Default: LFP UPS preset of 500 kWh (4 C discharge).
    pub ups_battery: BatteryConfig,
    /// Standby generator. Default disabled.
    pub generator: GeneratorConfig,
    /// PV array. Default none (0 W).
    pub pv: PvConfig,
    /// Wind turbines. Default none (0 turbines).
    pub wind: WindConfig,
    /// Grid price, carbon, demand charge and forecasts.
    pub grid: GridConfig,
    /// Policy of the site battery. Default "idle".
    pub storage_policy: StoragePolicyConfig,
}

impl Default for PowerConfig {
    fn default() -> Self {
        PowerConfig {
            chain: ChainConfig::default(),
            battery: None,
            ups_battery: BatteryConfig::ups_lfp(500.0),
            generator: GeneratorConfig::default(),
            pv: PvConfig::default(),
            wind: WindConfig::default(),
            grid: GridConfig::default(),
            storage_policy: StoragePolicyConfig::default(),
        }
    }
}

impl PowerConfig {
    /// All problems, paths relative to the `[power]` section.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        v.extend(
            self.chain
                .validate()
                .into_iter()
                .map(|i| i.prefixed("chain")),
        );
        if let Some(b) = &self.battery {
            v.extend(b.validate().into_iter().map(|i| i.prefixed("battery")));
        }
        v.extend(
            self.ups_battery
                .validate()
                .into_iter()
                .map(|i| i.prefixed("ups_battery")),
        );
        // A partial `[power.ups_battery]` table takes the generic battery defaults (0.5 C), not
        // the UPS preset (4 C): the battery then cannot carry the load it is meant to ride through.
        if self.ups_battery.max_discharge_c_rate < 1.0 {
            v.push(ConfigIssue::warning(
                "ups_battery.max_discharge_c_rate",
                format!(
                    "{} C is low for a UPS battery (typically 2 to 4 C, the UPS preset uses 4 C); \
                     a partial [power.ups_battery] table takes the generic battery defaults",
                    self.ups_battery.max_discharge_c_rate
                ),
            ));
        }
        v.extend(
            self.generator
                .validate()
                .into_iter()
                .map(|i| i.prefixed("generator")),
        );
        v.extend(self.pv.validate().into_iter().map(|i| i.prefixed("pv")));
        v.extend(self.wind.validate().into_iter().map(|i| i.prefixed("wind")));
        v.extend(self.grid.validate().into_iter().map(|i| i.prefixed("grid")));
        v.extend(
            self.storage_policy
                .validate()
                .into_iter()
                .map(|i| i.prefixed("storage_policy")),
        );
        if self.battery.is_none()
            && self.storage_policy.kind != crate::policy::StoragePolicyKind::Idle
        {
            v.push(ConfigIssue::warning(
                "storage_policy.kind",
                "a storage policy is set but there is no [power.battery]",
            ));
        }
        v
    }
}

/// Error building the electrical system.
#[derive(Debug, thiserror::Error)]
pub enum PowerError {
    /// The configuration has errors.
    #[error("invalid [power] configuration: {}", .0.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("; "))]
    InvalidConfig(Vec<ConfigIssue>),
}

/// Inputs of one control step (powers are averages over the step, in W).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElectricalInputs {
    /// IT power at the server input (wall power, including PSU loss; for `rack_power_shelf`
    /// the DC busbar input: the IT model's AC wall power times
    /// [`PowerChain::server_input_factor`]).
    pub it_power_w: f64,
    /// Mechanical load fed from the UPS (e.g. CDU pumps).
    pub ups_fed_mechanical_w: f64,
    /// Cooling load on the LV bus (not on UPS).
    pub cooling_power_w: f64,
    /// Other facility loads on the LV bus (lighting, offices).
    pub other_power_w: f64,
    /// Global horizontal irradiance in W/m².
    pub ghi_w_m2: f64,
    /// Direct normal irradiance in W/m².
    pub dni_w_m2: f64,
    /// Diffuse horizontal irradiance in W/m².
    pub dhi_w_m2: f64,
    /// Sun zenith angle in degrees.
    pub sun_zenith_deg: f64,
    /// Sun azimuth in degrees clockwise from north.
    pub sun_azimuth_deg: f64,
    /// Plane-of-array irradiance in W/m² when already known (overrides the transposition).
    pub poa_w_m2: Option<f64>,
    /// Outdoor dry-bulb temperature in °C.
    pub air_temp_c: f64,
    /// Wind speed at 10 m in m/s.
    pub wind_speed_m_s: f64,
    /// Whether the utility supply is present.
    pub utility_available: bool,
    /// On an outage, may the generator take the critical path (IT and UPS-fed loads) once it
    /// can? The site's load plan says no when the generator is too small for the critical
    /// loads and the mechanical bus together: the UPS battery then carries the critical path
    /// and the generator the mechanical loads alone. Default true.
    pub generator_for_critical: bool,
}

impl ElectricalInputs {
    /// These inputs with the weather-derived fields (irradiance, sun angles, dry bulb, wind)
    /// taken from `w`.
    pub fn with_weather(mut self, w: &dctwin_weather::WeatherSample) -> Self {
        self.ghi_w_m2 = w.ghi_w_m2;
        self.dni_w_m2 = w.dni_w_m2;
        self.dhi_w_m2 = w.dhi_w_m2;
        self.sun_zenith_deg = w.sun_zenith_deg;
        self.sun_azimuth_deg = w.sun_azimuth_deg;
        self.air_temp_c = w.dry_bulb_c;
        self.wind_speed_m_s = w.wind_speed_m_s;
        self
    }
}

impl Default for ElectricalInputs {
    fn default() -> Self {
        ElectricalInputs {
            it_power_w: 0.0,
            ups_fed_mechanical_w: 0.0,
            cooling_power_w: 0.0,
            other_power_w: 0.0,
            ghi_w_m2: 0.0,
            dni_w_m2: 0.0,
            dhi_w_m2: 0.0,
            sun_zenith_deg: 90.0,
            sun_azimuth_deg: 180.0,
            poa_w_m2: None,
            air_temp_c: 20.0,
            wind_speed_m_s: 0.0,
            utility_available: true,
            generator_for_critical: true,
        }
    }
}

/// Result of one step (powers in W, averages over the step).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ElectricalStep {
    /// Power imported from the utility (transformer primary).
    pub utility_import_w: f64,
    /// Transformer loss (electrical room).
    pub transformer_loss_w: f64,
    /// UPS loss, including inverter loss on battery (electrical room).
    pub ups_loss_w: f64,
    /// HVDC rectifier loss (electrical room).
    pub rectifier_loss_w: f64,
    /// Rack power-shelf / BBU converter loss (white space).
    pub shelf_loss_w: f64,
    /// PDU / distribution loss (white space).
    pub pdu_loss_w: f64,
    /// Server PSU loss (for `rack_power_shelf` the servers' DC front-end loss): part of the IT
    /// power, reported for information (not in the space totals).
    pub psu_loss_w: f64,
    /// Site battery charge power at its terminals.
    pub battery_charge_w: f64,
    /// Site battery discharge power at its terminals.
    pub battery_discharge_w: f64,
    /// Site battery internal loss (electrical room).
    pub battery_loss_w: f64,
    /// Site battery SoC after the step (-), 0 without a battery.
    pub battery_soc: f64,
    /// UPS battery charge power.
    pub ups_battery_charge_w: f64,
    /// UPS battery discharge power.
    pub ups_battery_discharge_w: f64,
    /// UPS battery internal loss (electrical room; white space for rack BBUs).
    pub ups_battery_loss_w: f64,
    /// UPS battery SoC after the step (-).
    pub ups_battery_soc: f64,
    /// PV power used on site (after curtailment).
    pub pv_w: f64,
    /// Wind power used on site (after curtailment).
    pub wind_w: f64,
    /// Renewable power available but curtailed (no export).
    pub curtailed_w: f64,
    /// Generator output.
    pub generator_w: f64,
    /// Fuel burned in this step in litres.
    pub fuel_l: f64,
    /// IT power actually served (server input).
    pub it_served_w: f64,
    /// IT power at the metering boundary.
    pub it_metered_w: f64,
    /// IT load that could not be carried (battery empty and no generator).
    pub unserved_it_w: f64,
    /// Total load not served (IT branch, UPS-fed mechanical, cooling, other), excluding the
    /// losses that did not occur because of it.
    pub unserved_w: f64,
    /// Losses to be cooled in the white space.
    pub white_space_loss_w: f64,
    /// Losses to be cooled in the electrical room.
    pub electrical_room_loss_w: f64,
    /// Energy price applied in this step, per kWh.
    pub price_per_kwh: f64,
    /// Grid carbon intensity applied in this step, g CO2e/kWh.
    pub carbon_g_per_kwh: f64,
    /// True when the converter modules in service are overloaded.
    pub overloaded: bool,
    /// Import limit at the meter of an active demand-response event, in W.
    pub import_limit_w: Option<f64>,
}

impl ElectricalStep {
    /// Losses to be cooled in `space` in W.
    pub fn loss_in(&self, space: LossSpace) -> f64 {
        match space {
            LossSpace::ElectricalRoom => self.electrical_room_loss_w,
            LossSpace::WhiteSpace => self.white_space_loss_w,
        }
    }

    /// Supply minus demand in W (zero up to rounding): utility + renewables + generator +
    /// battery discharges - (served loads + losses + battery charges).
    pub fn balance_residual_w(&self, inputs: &ElectricalInputs) -> f64 {
        let supply = self.utility_import_w
            + self.pv_w
            + self.wind_w
            + self.generator_w
            + self.battery_discharge_w
            + self.ups_battery_discharge_w;
        let loads = inputs.it_power_w
            + inputs.ups_fed_mechanical_w
            + inputs.cooling_power_w
            + inputs.other_power_w
            - self.unserved_w;
        let losses = self.transformer_loss_w
            + self.ups_loss_w
            + self.rectifier_loss_w
            + self.shelf_loss_w
            + self.pdu_loss_w;
        supply - (loads + losses + self.battery_charge_w + self.ups_battery_charge_w)
    }
}

/// Running totals (energies in kWh).
#[derive(Debug, Clone, Default)]
pub struct ElectricalTotals {
    /// Utility energy imported.
    pub utility_kwh: CompensatedSum,
    /// PV energy used.
    pub pv_kwh: CompensatedSum,
    /// Wind energy used.
    pub wind_kwh: CompensatedSum,
    /// Renewable energy curtailed.
    pub curtailed_kwh: CompensatedSum,
    /// Generator energy.
    pub generator_kwh: CompensatedSum,
    /// Fuel burned in litres.
    pub fuel_l: CompensatedSum,
    /// IT energy served at the server input.
    pub it_kwh: CompensatedSum,
    /// IT energy at the metering boundary (PUE denominator).
    pub it_metered_kwh: CompensatedSum,
    /// UPS-fed mechanical + cooling + other facility energy served.
    pub facility_loads_kwh: CompensatedSum,
    /// Transformer losses.
    pub transformer_loss_kwh: CompensatedSum,
    /// UPS + rectifier + shelf + PDU losses.
    pub conversion_loss_kwh: CompensatedSum,
    /// PSU losses (inside IT energy).
    pub psu_loss_kwh: CompensatedSum,
    /// Site battery energy charged.
    pub battery_charge_kwh: CompensatedSum,
    /// Site battery energy discharged.
    pub battery_discharge_kwh: CompensatedSum,
    /// Site battery losses.
    pub battery_loss_kwh: CompensatedSum,
    /// UPS battery charged minus discharged.
    pub ups_battery_net_kwh: CompensatedSum,
    /// UPS battery losses.
    pub ups_battery_loss_kwh: CompensatedSum,
    /// IT energy not served.
    pub unserved_it_kwh: CompensatedSum,
    /// All load energy not served.
    pub unserved_kwh: CompensatedSum,
    /// Energy cost (currency).
    pub energy_cost: CompensatedSum,
    /// Demand charges of closed months (currency).
    pub demand_cost: f64,
    /// Carbon in kg CO2e (grid after the green PPA share, plus diesel).
    pub carbon_kg: CompensatedSum,
    /// Grid energy covered by the green PPA.
    pub green_ppa_kwh: CompensatedSum,
    /// Peak demand-interval average import of each closed month in W.
    pub monthly_peak_w: Vec<f64>,
    /// Site-battery degradation so far (currency): its calendar and cycle fade valued by
    /// [`DegradationCost`] (closed rainflow cycles during the run, the open residual too after
    /// [`ElectricalSystem::finish`]).
    pub degradation_cost: f64,
    /// Hours under a demand-response event.
    pub dr_event_h: f64,
    /// Reduction requested by demand-response events (baseline minus limit), kWh.
    pub dr_requested_kwh: CompensatedSum,
    /// Reduction delivered (baseline minus import, where positive), kWh.
    pub dr_delivered_kwh: CompensatedSum,
    /// Import above the requested limit, kWh.
    pub dr_shortfall_kwh: CompensatedSum,
}

impl ElectricalTotals {
    /// Total energy bought or generated on site: utility + PV + wind + generator (kWh).
    pub fn facility_kwh(&self) -> f64 {
        self.utility_kwh.value()
            + self.pv_kwh.value()
            + self.wind_kwh.value()
            + self.generator_kwh.value()
    }
    /// Renewable share: (PV + wind + green PPA) / facility energy.
    pub fn renewable_share(&self) -> f64 {
        let f = self.facility_kwh();
        if f > 0.0 {
            (self.pv_kwh.value() + self.wind_kwh.value() + self.green_ppa_kwh.value()) / f
        } else {
            0.0
        }
    }
    /// PUE with IT energy at the metering boundary.
    pub fn pue(&self) -> f64 {
        let it = self.it_metered_kwh.value();
        if it > 0.0 {
            self.facility_kwh() / it
        } else {
            f64::NAN
        }
    }
    /// Energy plus demand cost plus site-battery degradation.
    pub fn total_cost(&self) -> f64 {
        self.energy_cost.value() + self.demand_cost + self.degradation_cost
    }
    /// Highest monthly peak in W.
    pub fn peak_demand_w(&self) -> f64 {
        self.monthly_peak_w.iter().copied().fold(0.0, f64::max)
    }
}

/// The assembled electrical side.
pub struct ElectricalSystem {
    chain: PowerChain,
    ups_battery: Battery,
    battery: Option<Battery>,
    policy: Box<dyn StoragePolicy>,
    generator: Generator,
    pv: PvArray,
    wind: WindTurbine,
    signals: GridSignals,
    transformer: crate::chain::Transformer,
    rack_bbu: bool,
    totals: ElectricalTotals,
    interval_index: u64,
    interval_energy_j: f64,
    interval_elapsed_s: f64,
    month: usize,
    month_peak_w: f64,
    degradation: Option<DegradationCost>,
    run_end: Option<SimTime>,
    events: Vec<DemandResponseEvent>,
    dr_baseline: Option<(usize, f64)>,
    last_interval_avg_w: f64,
    log: DemandLog,
}

/// Per-demand-interval record of the net LV demand before storage and the battery's terminal
/// power, for the oracle.
#[derive(Debug, Clone, Default)]
struct DemandLog {
    start: Option<SimTime>,
    net_j: f64,
    battery_j: f64,
    net_w: Vec<f64>,
    battery_w: Vec<f64>,
}

impl DemandLog {
    fn close(&mut self, length_s: f64) {
        if length_s > 0.0 {
            self.net_w.push(self.net_j / length_s);
            self.battery_w.push(self.battery_j / length_s);
        }
        self.net_j = 0.0;
        self.battery_j = 0.0;
    }
}

/// A run's storage dispatch against the perfect-foresight bound, on the oracle's model.
#[derive(Debug, Clone, PartialEq)]
pub struct OracleReport {
    /// The oracle's answer (lowest cost, idle cost, its dispatch).
    pub oracle: OracleResult,
    /// Cost of the run's own dispatch on the oracle's model.
    pub policy: DispatchCost,
    /// `oracle.idle_cost - policy.total()`.
    pub policy_saving_vs_idle: f64,
    /// Policy saving over the oracle's saving (`None` when the oracle saves nothing).
    pub fraction_of_oracle_saving: Option<f64>,
}

fn kwh(w: f64, dt_s: f64) -> f64 {
    w * dt_s / 3.6e6
}

impl ElectricalSystem {
    /// Build from a configuration (errors if it has any error-severity issue) and loaded signals.
    pub fn new(cfg: &PowerConfig, signals: GridSignals) -> Result<Self, PowerError> {
        Self::new_seeded(cfg, signals, &RngStreams::new(0))
    }

    /// As [`Self::new`], with the storage policy's random streams (forecast errors of the
    /// receding-horizon policy) derived from `streams` (the scenario seed).
    pub fn new_seeded(
        cfg: &PowerConfig,
        signals: GridSignals,
        streams: &RngStreams,
    ) -> Result<Self, PowerError> {
        let errors: Vec<ConfigIssue> = cfg
            .validate()
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(PowerError::InvalidConfig(errors));
        }
        let mut totals = ElectricalTotals::default();
        totals.monthly_peak_w.reserve(48);
        Ok(ElectricalSystem {
            chain: PowerChain::new(&cfg.chain),
            ups_battery: Battery::new(&cfg.ups_battery),
            battery: cfg.battery.as_ref().map(Battery::new),
            policy: cfg.storage_policy.build_seeded(streams),
            generator: Generator::new(&cfg.generator),
            pv: PvArray::new(&cfg.pv),
            wind: WindTurbine::new(&cfg.wind),
            signals,
            transformer: cfg.chain.transformer.clone(),
            rack_bbu: cfg.chain.architecture == ChainArchitecture::RackPowerShelf,
            totals,
            interval_index: 0,
            interval_energy_j: 0.0,
            interval_elapsed_s: 0.0,
            month: 0,
            month_peak_w: 0.0,
            degradation: cfg.battery.as_ref().map(DegradationCost::of),
            run_end: None,
            events: cfg.grid.events.clone(),
            dr_baseline: None,
            last_interval_avg_w: 0.0,
            log: DemandLog::default(),
        })
    }

    /// Tell the policies when the run ends (they then buy no energy they cannot sell before
    /// it). Optional; without it they look ahead over their full horizon.
    pub fn set_run_end(&mut self, end: SimTime) {
        self.run_end = Some(end);
    }

    /// Import limit at the meter in W that a demand-response event asks for at `now`, if one
    /// is active: the site's part of the response (IT capping, pre-cooling) aims at it; the
    /// site battery's part is applied inside [`Self::step`]. The baseline of a "reduce by"
    /// event is the last closed demand interval's average import before the event, frozen
    /// at its first step.
    pub fn import_limit_w(&self, now: SimTime) -> Option<f64> {
        let idx = active_event(&self.events, now)?;
        let baseline = match self.dr_baseline {
            Some((i, b)) if i == idx => b,
            _ => self.last_interval_avg_w,
        };
        Some(self.events[idx].limit_w(baseline))
    }

    /// The perfect-foresight bound for this run's recorded net demand (call after
    /// [`Self::finish`]); `None` without a site battery. The series is the net LV demand before
    /// storage averaged over each demand interval, at that interval as the step; the run's own
    /// dispatch is costed on the same model for the comparison.
    pub fn oracle_report(
        &self,
        options: &OracleOptions,
    ) -> Option<Result<OracleReport, OracleError>> {
        let battery = self.battery.as_ref()?.config();
        let input = OracleInput {
            battery,
            transformer: &self.transformer,
            signals: &self.signals,
            start: self.log.start.unwrap_or(SimTime::ZERO),
            step_s: self.signals.demand_interval.as_secs_f64(),
            net_demand_w: &self.log.net_w,
            initial_soc: battery.initial_soc.clamp(battery.soc_min, battery.soc_max),
        };
        Some(crate::oracle::solve(&input, options).map(|oracle| {
            let (policy, _) = crate::oracle::evaluate(&input, &self.log.battery_w);
            let saving = oracle.idle_cost - policy.total();
            OracleReport {
                fraction_of_oracle_saving: oracle.fraction_of_saving(saving),
                policy_saving_vs_idle: saving,
                policy,
                oracle,
            }
        }))
    }

    /// Replace the site-battery policy (user policies).
    pub fn set_policy(&mut self, policy: Box<dyn StoragePolicy>) {
        self.policy = policy;
    }

    /// Fail `n` converter (UPS) modules; the rest share the load.
    pub fn set_failed_converter_modules(&mut self, n: u32) {
        self.chain.set_failed_modules(n);
    }

    /// The power chain.
    pub fn chain(&self) -> &PowerChain {
        &self.chain
    }
    /// The site battery, if any.
    pub fn battery(&self) -> Option<&Battery> {
        self.battery.as_ref()
    }
    /// The standby generator.
    pub fn generator(&self) -> &Generator {
        &self.generator
    }
    /// The UPS battery.
    pub fn ups_battery(&self) -> &Battery {
        &self.ups_battery
    }
    /// The grid signals.
    pub fn signals(&self) -> &GridSignals {
        &self.signals
    }
    /// Totals so far (the current month's peak is in `monthly_peak_w` only after [`Self::finish`]).
    pub fn totals(&self) -> &ElectricalTotals {
        &self.totals
    }
    /// Highest demand-interval average import of the current month so far in W.
    pub fn current_month_peak_w(&self) -> f64 {
        self.month_peak_w
    }

    /// Seconds the UPS battery (or rack BBUs) can still carry the critical load of `inputs` on
    /// its own (for scheduling a threshold event on an outage), infinity at zero load.
    pub fn ride_through_s(&self, inputs: &ElectricalInputs) -> f64 {
        let l = self
            .chain
            .evaluate(inputs.it_power_w, inputs.ups_fed_mechanical_w);
        let critical_w = if self.rack_bbu {
            inputs.it_power_w.max(0.0)
        } else {
            l.ups_output_w
        };
        let (need_w, _) = self
            .chain
            .converter_curve()
            .input_for_output(critical_w, self.chain.converter_capacity_w());
        let need_w = need_w.min(self.ups_battery.max_discharge_w());
        self.ups_battery.time_to_empty_s(need_w)
    }

    /// Close the open demand interval and month (call once at the end of the run).
    pub fn finish(&mut self) -> &ElectricalTotals {
        if self.interval_elapsed_s > 0.0 {
            let avg = self.interval_energy_j / self.interval_elapsed_s;
            self.month_peak_w = self.month_peak_w.max(avg);
            self.log.close(self.interval_elapsed_s);
            self.interval_energy_j = 0.0;
            self.interval_elapsed_s = 0.0;
        }
        self.close_month();
        if let (Some(b), Some(d)) = (&self.battery, &self.degradation) {
            self.totals.degradation_cost = d.cost_of_state_of_health(b.state_of_health());
        }
        &self.totals
    }

    fn close_month(&mut self) {
        self.totals.demand_cost +=
            self.month_peak_w / 1000.0 * self.signals.demand_charge_per_kw_month;
        self.totals.monthly_peak_w.push(self.month_peak_w);
        self.month_peak_w = 0.0;
    }

    /// Close the demand interval (and months) that `now` has left, before the step, so that
    /// the policy sees the running peak of the month `now` is in.
    fn roll_demand(&mut self, now: SimTime) {
        let iv = self.signals.demand_interval.0.max(1);
        let idx = now.0 / iv;
        if self.log.start.is_none() {
            self.log.start = Some(SimTime(idx * iv));
        }
        if idx != self.interval_index {
            if self.interval_elapsed_s > 0.0 {
                let avg = self.interval_energy_j / (iv as f64 / 1e6);
                self.month_peak_w = self.month_peak_w.max(avg);
                self.last_interval_avg_w = avg;
                self.log.close(iv as f64 / 1e6);
            }
            self.interval_index = idx;
            self.interval_energy_j = 0.0;
            self.interval_elapsed_s = 0.0;
            let m = month_index(now);
            while self.month < m {
                self.close_month();
                self.month += 1;
            }
        }
    }

    fn account_demand(&mut self, dt_s: f64, import_w: f64) {
        self.interval_energy_j += import_w * dt_s;
        self.interval_elapsed_s += dt_s;
    }

    /// Baseline and limit of the demand-response event active at `now` (freezing the baseline
    /// at the event's first step; `fallback_w` when no interval has closed yet).
    fn demand_response(&mut self, now: SimTime, fallback_w: f64) -> Option<(f64, f64)> {
        let idx = active_event(&self.events, now)?;
        let baseline = match self.dr_baseline {
            Some((i, b)) if i == idx => b,
            _ => {
                let b = if self.log.net_w.is_empty() {
                    fallback_w
                } else {
                    self.last_interval_avg_w
                };
                self.dr_baseline = Some((idx, b));
                b
            }
        };
        Some((baseline, self.events[idx].limit_w(baseline)))
    }

    /// Advance by `dt` from `now`: O(1), no allocation (except once per month for the peak).
    pub fn step(
        &mut self,
        now: SimTime,
        dt: SimDuration,
        inputs: &ElectricalInputs,
    ) -> ElectricalStep {
        let dt_s = dt.as_secs_f64();
        self.roll_demand(now);
        let mut out = ElectricalStep::default();
        let it = inputs.it_power_w.max(0.0);
        let mech = inputs.ups_fed_mechanical_w.max(0.0);
        let facility = inputs.cooling_power_w.max(0.0) + inputs.other_power_w.max(0.0);
        let l = self.chain.evaluate(it, mech);
        out.overloaded = l.overloaded;
        out.price_per_kwh = self.signals.price.value_at(now);
        out.carbon_g_per_kwh = self.signals.carbon.value_at(now);

        if inputs.utility_available {
            self.step_grid_connected(now, dt, dt_s, inputs, it, facility, &l, &mut out);
        } else {
            let gen_for_critical = inputs.generator_for_critical;
            self.step_outage(dt_s, it, mech, facility, gen_for_critical, &l, &mut out);
        }
        out.ups_battery_soc = self.ups_battery.soc();
        out.battery_soc = self.battery.as_ref().map_or(0.0, Battery::soc);
        let bbu_in_white_space = if self.rack_bbu {
            out.ups_battery_loss_w
        } else {
            0.0
        };
        out.white_space_loss_w = out.pdu_loss_w + out.shelf_loss_w + bbu_in_white_space;
        out.electrical_room_loss_w = out.transformer_loss_w
            + out.ups_loss_w
            + out.rectifier_loss_w
            + out.battery_loss_w
            + (out.ups_battery_loss_w - bbu_in_white_space);

        self.accumulate(dt_s, inputs, &out);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn step_grid_connected(
        &mut self,
        now: SimTime,
        dt: SimDuration,
        dt_s: f64,
        inputs: &ElectricalInputs,
        it: f64,
        facility: f64,
        l: &ChainLosses,
        out: &mut ElectricalStep,
    ) {
        self.generator.step(true, 0.0, dt_s);
        // Keep the UPS battery full.
        let ups = self.ups_battery.step(self.ups_battery.max_charge_w(), dt_s);
        set_ups_flow(out, &ups);
        out.psu_loss_w = l.psu_loss_w;
        out.pdu_loss_w = l.pdu_loss_w;
        out.shelf_loss_w = l.shelf_loss_w;
        out.ups_loss_w = l.ups_loss_w;
        out.rectifier_loss_w = l.rectifier_loss_w;
        out.it_served_w = it;
        out.it_metered_w = self.chain.metered_it_w(it, l);
        let demand = l.central_input_w + ups.charge_w + facility;
        // Renewables.
        let pv_avail = if self.pv.config().dc_capacity_w > 0.0 {
            // Day of year on the run's 365-day calendar (1 = 1 January).
            let day_of_year = ((now.0 / 86_400_000_000) % 365 + 1) as f64;
            let poa = inputs.poa_w_m2.unwrap_or_else(|| {
                self.pv.poa_w_m2(
                    inputs.ghi_w_m2,
                    inputs.dni_w_m2,
                    inputs.dhi_w_m2,
                    inputs.sun_zenith_deg,
                    inputs.sun_azimuth_deg,
                    day_of_year,
                )
            });
            self.pv
                .ac_power_w(poa, inputs.air_temp_c, inputs.wind_speed_m_s)
        } else {
            0.0
        };
        let wind_avail = self.wind.power_w(inputs.wind_speed_m_s);
        let renew = pv_avail + wind_avail;
        let net = demand - renew;
        let dr = self.demand_response(now, self.transformer.input_for_output_w(net));
        out.import_limit_w = dr.map(|d| d.1);
        // Site battery under its policy (and a demand-response limit); no export.
        let mut flow = BatteryFlow::default();
        if let Some(b) = self.battery.as_mut() {
            let obs = StorageObservation {
                now,
                dt,
                net_demand_w: net,
                soc: b.soc(),
                soc_min: b.config().soc_min,
                soc_max: b.config().soc_max,
                max_charge_w: b.max_charge_w(),
                max_discharge_w: b.max_discharge_w(),
                price_per_kwh: out.price_per_kwh,
                carbon_g_per_kwh: out.carbon_g_per_kwh,
                month_peak_w: self.month_peak_w,
                utility_available: true,
                signals: &self.signals,
                battery: b.config(),
                degradation: self.degradation.unwrap_or_default(),
                transformer: &self.transformer,
                run_end: self.run_end,
                import_limit_w: out.import_limit_w,
            };
            let mut req = self.policy.request_w(&obs);
            if let Some(limit_w) = out.import_limit_w {
                let lv_w = self.transformer.output_for_input_w(limit_w);
                req = req.min(lv_w - net);
            }
            if req < 0.0 {
                req = -(-req).min(net.max(0.0));
            }
            flow = b.step(req, dt_s);
        }
        out.battery_charge_w = flow.charge_w;
        out.battery_discharge_w = flow.discharge_w;
        out.battery_loss_w = flow.loss_w;
        self.log.net_j += net * dt_s;
        self.log.battery_j += (flow.charge_w - flow.discharge_w) * dt_s;
        let mut grid_lv = net + flow.charge_w - flow.discharge_w;
        let mut curtailed = 0.0;
        if grid_lv < 0.0 {
            curtailed = (-grid_lv).min(renew);
            grid_lv += curtailed;
        }
        // Any remaining negative (cannot happen with the clamps above) is treated as zero import.
        let grid_lv = grid_lv.max(0.0);
        let used_frac = if renew > 0.0 {
            (renew - curtailed) / renew
        } else {
            0.0
        };
        out.pv_w = pv_avail * used_frac;
        out.wind_w = renew - curtailed - out.pv_w;
        out.curtailed_w = curtailed;
        out.transformer_loss_w = self.transformer.loss_w(grid_lv);
        out.utility_import_w = grid_lv + out.transformer_loss_w;
    }

    #[allow(clippy::too_many_arguments)]
    fn step_outage(
        &mut self,
        dt_s: f64,
        it: f64,
        mech: f64,
        facility: f64,
        gen_for_critical: bool,
        l: &ChainLosses,
        out: &mut ElectricalStep,
    ) {
        // Site battery and renewables are tripped.
        if let Some(b) = self.battery.as_mut() {
            let f = b.step(0.0, dt_s);
            out.battery_loss_w = f.loss_w;
        }
        let gen_avail = self.generator.available_w();
        let critical_path_w = l.central_input_w;
        let gen_power;
        if gen_for_critical && gen_avail >= critical_path_w && gen_avail > 0.0 {
            // Generator carries the critical path and as much facility load as it can.
            let facility_served = facility.min(gen_avail - critical_path_w);
            let g = self
                .generator
                .step(false, critical_path_w + facility_served, dt_s);
            gen_power = g.power_w;
            out.fuel_l = g.fuel_l;
            let ups = self.ups_battery.step(0.0, dt_s);
            set_ups_flow(out, &ups);
            out.psu_loss_w = l.psu_loss_w;
            out.pdu_loss_w = l.pdu_loss_w;
            out.shelf_loss_w = l.shelf_loss_w;
            out.ups_loss_w = l.ups_loss_w;
            out.rectifier_loss_w = l.rectifier_loss_w;
            out.it_served_w = it;
            out.it_metered_w = self.chain.metered_it_w(it, l);
            out.unserved_w = facility - facility_served;
        } else {
            // Battery carries the critical load through the converter; generator (if ready)
            // carries facility loads.
            let facility_served = facility.min(gen_avail);
            let g = self.generator.step(false, facility_served, dt_s);
            gen_power = g.power_w;
            out.fuel_l = g.fuel_l;
            let (critical_w, unbacked_w) = if self.rack_bbu {
                (it, mech)
            } else {
                (l.ups_output_w, 0.0)
            };
            let cap = self.chain.converter_capacity_w();
            let (need_w, _) = self
                .chain
                .converter_curve()
                .input_for_output(critical_w, cap);
            let ups = self.ups_battery.step(-need_w, dt_s);
            set_ups_flow(out, &ups);
            let s = if need_w > 0.0 {
                (ups.discharge_w / need_w).min(1.0)
            } else {
                1.0
            };
            let served_critical = s * critical_w;
            let conv_loss = ups.discharge_w - served_critical;
            if self.rack_bbu {
                out.shelf_loss_w = conv_loss;
                out.it_served_w = served_critical;
                out.it_metered_w = served_critical;
            } else {
                if self.chain.config().architecture == ChainArchitecture::Hvdc {
                    out.rectifier_loss_w = conv_loss;
                } else {
                    out.ups_loss_w = conv_loss;
                }
                out.pdu_loss_w = s * l.pdu_loss_w;
                out.it_served_w = s * it;
                out.it_metered_w = s * self.chain.metered_it_w(it, l);
            }
            out.psu_loss_w = s * l.psu_loss_w;
            out.unserved_it_w = it - out.it_served_w;
            // Unserved: the critical loads not carried, unbacked mechanical, facility not on gen.
            let critical_loads = if self.rack_bbu { it } else { it + mech };
            out.unserved_w = (1.0 - s) * critical_loads + unbacked_w + (facility - facility_served);
        }
        out.generator_w = gen_power;
    }

    fn accumulate(&mut self, dt_s: f64, inputs: &ElectricalInputs, o: &ElectricalStep) {
        let t = &mut self.totals;
        let imp = kwh(o.utility_import_w, dt_s);
        t.utility_kwh.add(imp);
        t.pv_kwh.add(kwh(o.pv_w, dt_s));
        t.wind_kwh.add(kwh(o.wind_w, dt_s));
        t.curtailed_kwh.add(kwh(o.curtailed_w, dt_s));
        t.generator_kwh.add(kwh(o.generator_w, dt_s));
        t.fuel_l.add(o.fuel_l);
        t.it_kwh.add(kwh(o.it_served_w, dt_s));
        t.it_metered_kwh.add(kwh(o.it_metered_w, dt_s));
        let loads = inputs.it_power_w.max(0.0)
            + inputs.ups_fed_mechanical_w.max(0.0)
            + inputs.cooling_power_w.max(0.0)
            + inputs.other_power_w.max(0.0);
        t.facility_loads_kwh
            .add(kwh(loads - o.unserved_w - o.it_served_w, dt_s));
        t.transformer_loss_kwh.add(kwh(o.transformer_loss_w, dt_s));
        t.conversion_loss_kwh.add(kwh(
            o.ups_loss_w + o.rectifier_loss_w + o.shelf_loss_w + o.pdu_loss_w,
            dt_s,
        ));
        t.psu_loss_kwh.add(kwh(o.psu_loss_w, dt_s));
        t.battery_charge_kwh.add(kwh(o.battery_charge_w, dt_s));
        t.battery_discharge_kwh
            .add(kwh(o.battery_discharge_w, dt_s));
        t.battery_loss_kwh.add(kwh(o.battery_loss_w, dt_s));
        t.ups_battery_net_kwh.add(kwh(
            o.ups_battery_charge_w - o.ups_battery_discharge_w,
            dt_s,
        ));
        t.ups_battery_loss_kwh.add(kwh(o.ups_battery_loss_w, dt_s));
        t.unserved_it_kwh.add(kwh(o.unserved_it_w, dt_s));
        t.unserved_kwh.add(kwh(o.unserved_w, dt_s));
        t.energy_cost.add(imp * o.price_per_kwh);
        let ppa = self.signals.green_ppa_fraction;
        t.green_ppa_kwh.add(imp * ppa);
        t.carbon_kg
            .add(imp * (1.0 - ppa) * o.carbon_g_per_kwh / 1000.0 + o.fuel_l * DIESEL_KG_CO2_PER_L);
        if let Some(limit_w) = o.import_limit_w {
            let baseline_w = self.dr_baseline.map_or(limit_w, |b| b.1);
            t.dr_event_h += dt_s / 3600.0;
            t.dr_requested_kwh
                .add(kwh((baseline_w - limit_w).max(0.0), dt_s));
            let delivered_w = (baseline_w - o.utility_import_w).max(0.0);
            t.dr_delivered_kwh.add(kwh(delivered_w, dt_s));
            let short_w = (o.utility_import_w - limit_w).max(0.0);
            t.dr_shortfall_kwh.add(kwh(short_w, dt_s));
        }
        if let (Some(b), Some(d)) = (&self.battery, &self.degradation) {
            t.degradation_cost = d.cost_per_unit_fade * b.closed_fade();
        }
        self.account_demand(dt_s, o.utility_import_w);
    }
}

fn set_ups_flow(out: &mut ElectricalStep, f: &BatteryFlow) {
    out.ups_battery_charge_w = f.charge_w;
    out.ups_battery_discharge_w = f.discharge_w;
    out.ups_battery_loss_w = f.loss_w;
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod storage_tests;
