//! The `[cooling]` section of a scenario.
//!
//! ```toml
//! [cooling]
//! chip_limit_c = 85.0
//! ashrae_class = "A1"
//!
//! [cooling.air]
//! crah_count = 4
//! crah_spare_count = 1
//! supply_setpoint_c = 22.0
//!
//! [cooling.liquid]
//! rows = ["gpu-1", "gpu-2"]
//! capture_fraction = 0.8
//! cdu_count = 3
//!
//! [cooling.control]
//! policy = "supply_reset"
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::ConfigIssue;

use crate::ashrae::AshraeClass;
use crate::control::ResetSignal;
use crate::coolant::Coolant;

/// Facility-water temperature at which the CDU and tank exchanger ratings take the water's
/// heat capacity, °C (assumption: a mid-range facility-water supply). Shared by the validation
/// of the ratings and the plant that sizes the exchangers from them.
pub(crate) const RATING_WATER_C: f64 = 30.0;

/// Tank fluid temperature at which the tank exchanger rating and the tank inventory's heat
/// capacity take the fluid's properties, and the plant's starting estimate of the tanks' bulk
/// temperature, °C (assumption: a typical single-phase immersion bulk temperature).
pub(crate) const RATING_TANK_FLUID_C: f64 = 40.0;

/// The whole `[cooling]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CoolingConfig {
    /// Air path (CRAHs, containment, room). Default: [`AirConfig::default`].
    pub air: AirConfig,
    /// Cold-plate liquid cooling (rows, cold plates, CDUs, pumps). Default: no liquid rows.
    pub liquid: LiquidConfig,
    /// Single-phase immersion (rows in tanks). Default: no immersion rows.
    pub immersion: ImmersionConfig,
    /// Control policy and guard ranges. Default: [`ControlConfig::default`].
    pub control: ControlConfig,
    /// Chip (case) temperature limit, °C. Default 85.
    pub chip_limit_c: f64,
    /// ASHRAE TC 9.9 class used for inlet exceedance hours. Default "A1".
    pub ashrae_class: AshraeClass,
    /// If true, [`crate::CoolingPlant::rack_power_cap_w`] returns caps that bring chips back to
    /// the limit; if false it never caps. Default false.
    pub throttle_at_chip_limit: bool,
}

impl Default for CoolingConfig {
    fn default() -> Self {
        CoolingConfig {
            air: AirConfig::default(),
            liquid: LiquidConfig::default(),
            immersion: ImmersionConfig::default(),
            control: ControlConfig::default(),
            chip_limit_c: 85.0,
            ashrae_class: AshraeClass::A1,
            throttle_at_chip_limit: false,
        }
    }
}

/// `[cooling.air]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AirConfig {
    /// Number of installed CRAH units (including spares), -. Default 4.
    pub crah_count: usize,
    /// How many of them are spares (N+1 -> 1), -; used only to warn when the running units
    /// cannot carry the design airflow. Default 1.
    pub crah_spare_count: usize,
    /// Airflow of one CRAH at full fan speed, kg/s. Default 15 (about 45,000 m³/h).
    pub crah_rated_airflow_kg_s: f64,
    /// Fan power of one CRAH at full speed, W. Default 11,000.
    pub crah_rated_fan_power_w: f64,
    /// Lowest fan speed (fraction of rated airflow) of a running CRAH, -. Default 0.3.
    pub crah_min_speed: f64,
    /// Supply-air setpoint used by the fixed policy, °C. Default 22.
    pub supply_setpoint_c: f64,
    /// Coil approach: lowest supply air minus chilled-water supply, K. Default 5.
    pub coil_approach_k: f64,
    /// Chilled-water temperature rise across the coils, K. Default 6.
    pub chw_delta_t_k: f64,
    /// Temperature rise of air across the IT equipment, K. Default 12.
    pub server_delta_t_k: f64,
    /// Fraction of rack inlet air that is recirculated hot exhaust, 0..1. Default 0.05.
    pub recirculation_fraction: f64,
    /// Per-row override of `recirculation_fraction` (row name -> fraction 0..1), e.g. for
    /// rows at the open end of an aisle. Default empty (every row uses
    /// `recirculation_fraction`).
    pub row_recirculation_fraction: BTreeMap<String, f64>,
    /// Fraction of CRAH supply air that bypasses IT to the return, 0..1. Default 0.10.
    pub bypass_fraction: f64,
    /// Lumped heat capacity of the white space (air, floor, structure, rack metal), J/K.
    /// Default 2e7 (a 1,000 m² hall: air 4 MJ/K plus slab and racks).
    pub room_heat_capacity_j_k: f64,
    /// Chip temperature rise above inlet for air-cooled racks (server fans hold it roughly
    /// constant), K; used for `rack_chip_c` of air racks. Default 45.
    pub air_chip_rise_k: f64,
}

impl Default for AirConfig {
    fn default() -> Self {
        AirConfig {
            crah_count: 4,
            crah_spare_count: 1,
            crah_rated_airflow_kg_s: 15.0,
            crah_rated_fan_power_w: 11_000.0,
            crah_min_speed: 0.3,
            supply_setpoint_c: 22.0,
            coil_approach_k: 5.0,
            chw_delta_t_k: 6.0,
            server_delta_t_k: 12.0,
            recirculation_fraction: 0.05,
            row_recirculation_fraction: BTreeMap::new(),
            bypass_fraction: 0.10,
            room_heat_capacity_j_k: 2.0e7,
            air_chip_rise_k: 45.0,
        }
    }
}

/// `[cooling.liquid]`: cold-plate rows, their technology cooling loop and CDUs, and the
/// facility-water pumps (shared with immersion).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LiquidConfig {
    /// Names of the rows whose racks are cold-plate cooled. Default none.
    pub rows: Vec<String>,
    /// Coolant of the technology cooling loop. Default "propylene_glycol25".
    pub coolant: Coolant,
    /// Fraction of rack heat captured by the liquid (the rest goes to air), 0..1. Default 0.8.
    pub capture_fraction: f64,
    /// Cold plates per rack (one per chip), -. Default 32.
    pub cold_plates_per_rack: usize,
    /// Cold-plate resistance, case to coolant inlet, at the reference flow, K/W. Default 0.03.
    pub cold_plate_r_ref_k_w: f64,
    /// Reference flow per cold plate, kg/s. Default 0.025 (about 1.5 L/min).
    pub cold_plate_flow_ref_kg_s: f64,
    /// Exponent of R(flow), -. Default 0.8.
    pub cold_plate_flow_exponent: f64,
    /// Design TCS flow per rack at pump speed 1, kg/s. Default 1.0.
    pub rack_design_flow_kg_s: f64,
    /// TCS supply setpoint used by the fixed policy, °C. Default 32 (ASHRAE W32).
    pub tcs_supply_setpoint_c: f64,
    /// Installed CDUs including spares, -. Default 3.
    pub cdu_count: usize,
    /// Spare CDUs (N+1 -> 1, 2N -> N), -. Default 1.
    pub cdu_spare_count: usize,
    /// Rated duty of one CDU, W. Default 1.35e6.
    pub cdu_rated_capacity_w: f64,
    /// Rated approach (TCS supply minus facility-water supply), K. Default 4.
    pub cdu_rated_approach_k: f64,
    /// Rated TCS (secondary) flow of one CDU, also its pump's largest flow, kg/s. Default 20.6.
    pub cdu_rated_tcs_flow_kg_s: f64,
    /// Rated facility-water (primary) flow of one CDU, kg/s. Default 20.6.
    pub cdu_rated_fw_flow_kg_s: f64,
    /// TCS pressure drop at the CDU's rated TCS flow, Pa. Default 250,000.
    pub tcs_pump_rated_head_pa: f64,
    /// TCS pump wire-to-water efficiency, 0..1. Default 0.6.
    pub tcs_pump_efficiency: f64,
    /// Facility-water pumps installed including spares, -. Default 3.
    pub fw_pump_count: usize,
    /// Spare facility-water pumps, -. Default 1.
    pub fw_pump_spare_count: usize,
    /// Largest flow of one facility-water pump, kg/s. Default 25.
    pub fw_pump_rated_flow_kg_s: f64,
    /// Facility-water pressure drop at one pump's rated flow per pump, Pa. Default 200,000.
    pub fw_pump_rated_head_pa: f64,
    /// Facility-water pump efficiency, 0..1. Default 0.7.
    pub fw_pump_efficiency: f64,
    /// Heat capacity of the TCS fluid inventory, J/K (stores heat when no CDU runs).
    /// Default 4e6 (about 1 m³ of glycol).
    pub tcs_heat_capacity_j_k: f64,
}

impl Default for LiquidConfig {
    fn default() -> Self {
        LiquidConfig {
            rows: Vec::new(),
            coolant: Coolant::PropyleneGlycol25,
            capture_fraction: 0.8,
            cold_plates_per_rack: 32,
            cold_plate_r_ref_k_w: 0.03,
            cold_plate_flow_ref_kg_s: 0.025,
            cold_plate_flow_exponent: 0.8,
            rack_design_flow_kg_s: 1.0,
            tcs_supply_setpoint_c: 32.0,
            cdu_count: 3,
            cdu_spare_count: 1,
            cdu_rated_capacity_w: 1.35e6,
            cdu_rated_approach_k: 4.0,
            cdu_rated_tcs_flow_kg_s: 20.6,
            cdu_rated_fw_flow_kg_s: 20.6,
            tcs_pump_rated_head_pa: 250e3,
            tcs_pump_efficiency: 0.6,
            fw_pump_count: 3,
            fw_pump_spare_count: 1,
            fw_pump_rated_flow_kg_s: 25.0,
            fw_pump_rated_head_pa: 200e3,
            fw_pump_efficiency: 0.7,
            tcs_heat_capacity_j_k: 4.0e6,
        }
    }
}

/// `[cooling.immersion]`: single-phase tanks, one per rack, each with a fluid-to-facility-water
/// exchanger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImmersionConfig {
    /// Names of the rows whose racks sit in tanks. Default none.
    pub rows: Vec<String>,
    /// Tank fluid. Default "dielectric_hydrocarbon".
    pub coolant: Coolant,
    /// Fluid flow through a tank's exchanger, kg/s. Default 3.
    pub tank_fluid_flow_kg_s: f64,
    /// Facility-water flow through a tank's exchanger, kg/s. Default 1.5.
    pub tank_fw_flow_kg_s: f64,
    /// Rated duty of a tank's exchanger, W. Default 100,000.
    pub hx_rated_capacity_w: f64,
    /// Rated approach (fluid out of exchanger minus facility water in), K. Default 5.
    pub hx_rated_approach_k: f64,
    /// Chips per tank sharing its heat, -. Default 32.
    pub chips_per_tank: usize,
    /// Chip case to bulk (hot) fluid resistance, K/W. Default 0.02.
    pub chip_to_fluid_r_k_w: f64,
    /// Tank pump pressure drop at the rated fluid flow, Pa. Default 100,000.
    pub tank_pump_rated_head_pa: f64,
    /// Tank pump efficiency, 0..1. Default 0.5.
    pub tank_pump_efficiency: f64,
    /// Margin below the chip limit the requested facility-water supply aims for, K.
    /// Default 10.
    pub chip_margin_k: f64,
    /// Fluid inventory of one tank, m³: its heat capacity (at the fluid's 40 °C density and
    /// specific heat) makes the bulk fluid follow a load or facility-water change with the
    /// time constant `C / (ε C_min)` (lumped capacitance, Incropera & DeWitt ch. 5.1) instead
    /// of at once. 0 gives the quasi-steady tank. Default 1.0 (assumption: the order of a
    /// 42–52U single-phase tank's fill; take the vendor's figure when known).
    pub tank_fluid_volume_m3: f64,
}

impl Default for ImmersionConfig {
    fn default() -> Self {
        ImmersionConfig {
            rows: Vec::new(),
            coolant: Coolant::DielectricHydrocarbon,
            tank_fluid_flow_kg_s: 3.0,
            tank_fw_flow_kg_s: 1.5,
            hx_rated_capacity_w: 100e3,
            hx_rated_approach_k: 5.0,
            chips_per_tank: 32,
            chip_to_fluid_r_k_w: 0.02,
            tank_pump_rated_head_pa: 100e3,
            tank_pump_efficiency: 0.5,
            chip_margin_k: 10.0,
            tank_fluid_volume_m3: 1.0,
        }
    }
}

/// Which built-in policy runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Constant setpoints from `air.supply_setpoint_c`, `liquid.tcs_supply_setpoint_c`.
    #[default]
    Fixed,
    /// TCS supply reset with outdoor temperature or load.
    SupplyReset,
    /// PI on the hottest chip driving the TCS pump speed.
    Pid,
    /// PI on the hottest rack inlet driving the CRAH supply-air setpoint.
    PidInlet,
}

/// `[cooling.control]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ControlConfig {
    /// Policy. Default "fixed".
    pub policy: PolicyKind,
    /// TCS pump speed of the fixed and reset policies, fraction of design flow. Default 1.
    pub tcs_pump_speed: f64,
    /// CRAH airflow over the IT need, -. Default 1.1.
    pub crah_airflow_ratio: f64,
    /// Signal of the reset policy. Default "outdoor_dry_bulb".
    pub reset_signal: ResetSignal,
    /// Reset signal at the low end (°C or load fraction). Default 10.
    pub reset_signal_low: f64,
    /// Reset signal at the high end (°C or load fraction). Default 30.
    pub reset_signal_high: f64,
    /// TCS supply at the low end of the reset, °C. Default 30.
    pub reset_tcs_at_low_c: f64,
    /// TCS supply at the high end of the reset, °C. Default 38.
    pub reset_tcs_at_high_c: f64,
    /// Chip setpoint of the PI policy, °C. Default 70.
    pub pid_target_chip_c: f64,
    /// PI proportional gain, speed fraction per K. Default 0.05.
    pub pid_kp_per_k: f64,
    /// PI integral gain, speed fraction per K·s. Default 0.0005.
    pub pid_ki_per_k_s: f64,
    /// Inlet setpoint of the inlet PI policy, °C. Default 25.
    pub pid_target_inlet_c: f64,
    /// Inlet PI proportional gain, K of supply per K. Default 0.5.
    pub pid_inlet_kp: f64,
    /// Inlet PI integral gain, K of supply per K·s. Default 0.002.
    pub pid_inlet_ki_per_s: f64,
    /// Guard: lowest/highest CRAH supply setpoint, °C. Default [16, 27].
    pub guard_crah_supply_c: [f64; 2],
    /// Guard: lowest/highest TCS supply setpoint, °C. Default [18, 45].
    pub guard_tcs_supply_c: [f64; 2],
    /// Guard: lowest/highest TCS pump speed, -. Default [0.3, 1.0].
    pub guard_pump_speed: [f64; 2],
    /// Guard: lowest/highest CRAH airflow ratio, -. Default [1.0, 1.5].
    pub guard_airflow_ratio: [f64; 2],
    /// Guard: release margin below the limits before handing control back, K. Default 2.
    pub guard_release_margin_k: f64,
}

impl Default for ControlConfig {
    fn default() -> Self {
        ControlConfig {
            policy: PolicyKind::Fixed,
            tcs_pump_speed: 1.0,
            crah_airflow_ratio: 1.1,
            reset_signal: ResetSignal::OutdoorDryBulb,
            reset_signal_low: 10.0,
            reset_signal_high: 30.0,
            reset_tcs_at_low_c: 30.0,
            reset_tcs_at_high_c: 38.0,
            pid_target_chip_c: 70.0,
            pid_kp_per_k: 0.05,
            pid_ki_per_k_s: 0.0005,
            pid_target_inlet_c: 25.0,
            pid_inlet_kp: 0.5,
            pid_inlet_ki_per_s: 0.002,
            guard_crah_supply_c: [16.0, 27.0],
            guard_tcs_supply_c: [18.0, 45.0],
            guard_pump_speed: [0.3, 1.0],
            guard_airflow_ratio: [1.0, 1.5],
            guard_release_margin_k: 2.0,
        }
    }
}

fn check_pair(
    issues: &mut Vec<ConfigIssue>,
    path: &str,
    v: [f64; 2],
    min: f64,
    max: f64,
    unit: &str,
) {
    check_range(issues, &format!("{path}[0]"), v[0], min, max, unit);
    check_range(issues, &format!("{path}[1]"), v[1], min, max, unit);
    if v[0] > v[1] {
        issues.push(ConfigIssue::error(
            path,
            format!(
                "lower bound {} is above upper bound {}: expected [low, high]",
                v[0], v[1]
            ),
        ));
    }
}

fn check_spares(issues: &mut Vec<ConfigIssue>, path: &str, count: usize, spares: usize) {
    if spares >= count && count > 0 {
        issues.push(ConfigIssue::error(
            path,
            format!("{spares} spares of {count} units leave none on duty: expected fewer spares than units"),
        ));
    }
}

impl CoolingConfig {
    /// All problems of the section, paths relative to `[cooling]`.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_range(&mut v, "chip_limit_c", self.chip_limit_c, 30.0, 125.0, "°C");

        let a = &self.air;
        if a.crah_count == 0 {
            v.push(ConfigIssue::warning(
                "air.crah_count",
                "no CRAH units: the air path cannot remove heat; expected at least 1",
            ));
        }
        check_spares(
            &mut v,
            "air.crah_spare_count",
            a.crah_count,
            a.crah_spare_count,
        );
        check_positive(
            &mut v,
            "air.crah_rated_airflow_kg_s",
            a.crah_rated_airflow_kg_s,
            "kg/s",
        );
        check_range(
            &mut v,
            "air.crah_rated_fan_power_w",
            a.crah_rated_fan_power_w,
            0.0,
            1e6,
            "W",
        );
        check_range(
            &mut v,
            "air.crah_min_speed",
            a.crah_min_speed,
            0.0,
            1.0,
            "-",
        );
        check_range(
            &mut v,
            "air.supply_setpoint_c",
            a.supply_setpoint_c,
            5.0,
            45.0,
            "°C",
        );
        check_range(
            &mut v,
            "air.coil_approach_k",
            a.coil_approach_k,
            0.0,
            30.0,
            "K",
        );
        check_positive(&mut v, "air.chw_delta_t_k", a.chw_delta_t_k, "K");
        check_positive(&mut v, "air.server_delta_t_k", a.server_delta_t_k, "K");
        check_range(
            &mut v,
            "air.recirculation_fraction",
            a.recirculation_fraction,
            0.0,
            0.99,
            "-",
        );
        for (row, r) in &a.row_recirculation_fraction {
            check_range(
                &mut v,
                &format!("air.row_recirculation_fraction.{row}"),
                *r,
                0.0,
                0.99,
                "-",
            );
        }
        check_range(
            &mut v,
            "air.bypass_fraction",
            a.bypass_fraction,
            0.0,
            0.99,
            "-",
        );
        check_positive(
            &mut v,
            "air.room_heat_capacity_j_k",
            a.room_heat_capacity_j_k,
            "J/K",
        );
        check_range(
            &mut v,
            "air.air_chip_rise_k",
            a.air_chip_rise_k,
            0.0,
            100.0,
            "K",
        );
        if a.recirculation_fraction > 0.3 {
            v.push(ConfigIssue::warning(
                "air.recirculation_fraction",
                format!(
                    "{} is high for a contained aisle: expected below 0.3",
                    a.recirculation_fraction
                ),
            ));
        }
        let rec = self.ashrae_class.recommended();
        if a.supply_setpoint_c < rec.min_c || a.supply_setpoint_c > rec.max_c {
            v.push(ConfigIssue::warning(
                "air.supply_setpoint_c",
                format!(
                    "{} °C is outside the ASHRAE {:?} recommended range {}–{} °C",
                    a.supply_setpoint_c, self.ashrae_class, rec.min_c, rec.max_c
                ),
            ));
        }

        let l = &self.liquid;
        check_range(
            &mut v,
            "liquid.capture_fraction",
            l.capture_fraction,
            0.0,
            1.0,
            "-",
        );
        if l.cold_plates_per_rack == 0 {
            v.push(ConfigIssue::error(
                "liquid.cold_plates_per_rack",
                "must be at least 1",
            ));
        }
        check_positive(
            &mut v,
            "liquid.cold_plate_r_ref_k_w",
            l.cold_plate_r_ref_k_w,
            "K/W",
        );
        check_positive(
            &mut v,
            "liquid.cold_plate_flow_ref_kg_s",
            l.cold_plate_flow_ref_kg_s,
            "kg/s",
        );
        check_range(
            &mut v,
            "liquid.cold_plate_flow_exponent",
            l.cold_plate_flow_exponent,
            0.0,
            1.5,
            "-",
        );
        check_positive(
            &mut v,
            "liquid.rack_design_flow_kg_s",
            l.rack_design_flow_kg_s,
            "kg/s",
        );
        let (lo, hi) = l.coolant.valid_range_c();
        check_range(
            &mut v,
            "liquid.tcs_supply_setpoint_c",
            l.tcs_supply_setpoint_c,
            lo,
            hi,
            "°C",
        );
        check_spares(
            &mut v,
            "liquid.cdu_spare_count",
            l.cdu_count,
            l.cdu_spare_count,
        );
        check_spares(
            &mut v,
            "liquid.fw_pump_spare_count",
            l.fw_pump_count,
            l.fw_pump_spare_count,
        );
        if !l.rows.is_empty() && l.cdu_count == 0 {
            v.push(ConfigIssue::error(
                "liquid.cdu_count",
                "liquid rows need at least one CDU",
            ));
        }
        if !(l.rows.is_empty() && self.immersion.rows.is_empty()) && l.fw_pump_count == 0 {
            v.push(ConfigIssue::error(
                "liquid.fw_pump_count",
                "liquid or immersion rows need at least one facility-water pump",
            ));
        }
        check_positive(
            &mut v,
            "liquid.cdu_rated_capacity_w",
            l.cdu_rated_capacity_w,
            "W",
        );
        check_positive(
            &mut v,
            "liquid.cdu_rated_approach_k",
            l.cdu_rated_approach_k,
            "K",
        );
        check_positive(
            &mut v,
            "liquid.cdu_rated_tcs_flow_kg_s",
            l.cdu_rated_tcs_flow_kg_s,
            "kg/s",
        );
        check_positive(
            &mut v,
            "liquid.cdu_rated_fw_flow_kg_s",
            l.cdu_rated_fw_flow_kg_s,
            "kg/s",
        );
        check_positive(
            &mut v,
            "liquid.tcs_pump_rated_head_pa",
            l.tcs_pump_rated_head_pa,
            "Pa",
        );
        check_range(
            &mut v,
            "liquid.tcs_pump_efficiency",
            l.tcs_pump_efficiency,
            0.01,
            1.0,
            "-",
        );
        check_positive(
            &mut v,
            "liquid.fw_pump_rated_flow_kg_s",
            l.fw_pump_rated_flow_kg_s,
            "kg/s",
        );
        check_positive(
            &mut v,
            "liquid.fw_pump_rated_head_pa",
            l.fw_pump_rated_head_pa,
            "Pa",
        );
        check_range(
            &mut v,
            "liquid.fw_pump_efficiency",
            l.fw_pump_efficiency,
            0.01,
            1.0,
            "-",
        );
        check_positive(
            &mut v,
            "liquid.tcs_heat_capacity_j_k",
            l.tcs_heat_capacity_j_k,
            "J/K",
        );
        for (i, r) in l.rows.iter().enumerate() {
            if l.rows[..i].contains(r) {
                v.push(ConfigIssue::error(
                    format!("liquid.rows[{i}]"),
                    format!("row `{r}` is listed twice"),
                ));
            }
            if self.immersion.rows.contains(r) {
                v.push(ConfigIssue::error(
                    format!("liquid.rows[{i}]"),
                    format!(
                        "row `{r}` is also in immersion.rows: a row has one cooling technology"
                    ),
                ));
            }
        }
        let w = Coolant::Water.properties_clamped(RATING_WATER_C).cp_j_kg_k;
        let cp = l
            .coolant
            .properties_clamped(l.tcs_supply_setpoint_c)
            .cp_j_kg_k;
        if l.cdu_rated_capacity_w > 0.0
            && l.cdu_rated_approach_k > 0.0
            && l.cdu_rated_tcs_flow_kg_s > 0.0
            && l.cdu_rated_fw_flow_kg_s > 0.0
            && crate::liquid::CounterflowHx::from_rated(
                l.cdu_rated_capacity_w,
                l.cdu_rated_approach_k,
                l.cdu_rated_tcs_flow_kg_s,
                cp,
                l.cdu_rated_fw_flow_kg_s,
                w,
            )
            .is_none()
        {
            v.push(ConfigIssue::error("liquid.cdu_rated_capacity_w", "the CDU rating (capacity, approach, flows) implies a temperature cross: expected more facility-water flow or a larger approach"));
        }

        let im = &self.immersion;
        check_positive(
            &mut v,
            "immersion.tank_fluid_flow_kg_s",
            im.tank_fluid_flow_kg_s,
            "kg/s",
        );
        check_positive(
            &mut v,
            "immersion.tank_fw_flow_kg_s",
            im.tank_fw_flow_kg_s,
            "kg/s",
        );
        check_positive(
            &mut v,
            "immersion.hx_rated_capacity_w",
            im.hx_rated_capacity_w,
            "W",
        );
        check_positive(
            &mut v,
            "immersion.hx_rated_approach_k",
            im.hx_rated_approach_k,
            "K",
        );
        if im.chips_per_tank == 0 {
            v.push(ConfigIssue::error(
                "immersion.chips_per_tank",
                "must be at least 1",
            ));
        }
        check_range(
            &mut v,
            "immersion.chip_to_fluid_r_k_w",
            im.chip_to_fluid_r_k_w,
            0.0,
            10.0,
            "K/W",
        );
        check_positive(
            &mut v,
            "immersion.tank_pump_rated_head_pa",
            im.tank_pump_rated_head_pa,
            "Pa",
        );
        check_range(
            &mut v,
            "immersion.tank_pump_efficiency",
            im.tank_pump_efficiency,
            0.01,
            1.0,
            "-",
        );
        check_range(
            &mut v,
            "immersion.chip_margin_k",
            im.chip_margin_k,
            0.0,
            50.0,
            "K",
        );
        check_range(
            &mut v,
            "immersion.tank_fluid_volume_m3",
            im.tank_fluid_volume_m3,
            0.0,
            100.0,
            "m3",
        );
        let fcp = im.coolant.properties_clamped(RATING_TANK_FLUID_C).cp_j_kg_k;
        if im.hx_rated_capacity_w > 0.0
            && im.hx_rated_approach_k > 0.0
            && im.tank_fluid_flow_kg_s > 0.0
            && im.tank_fw_flow_kg_s > 0.0
            && crate::liquid::CounterflowHx::from_rated(
                im.hx_rated_capacity_w,
                im.hx_rated_approach_k,
                im.tank_fluid_flow_kg_s,
                fcp,
                im.tank_fw_flow_kg_s,
                w,
            )
            .is_none()
        {
            v.push(ConfigIssue::error("immersion.hx_rated_capacity_w", "the tank exchanger rating implies a temperature cross: expected more facility-water flow or a larger approach"));
        }
        for (i, r) in im.rows.iter().enumerate() {
            if im.rows[..i].contains(r) {
                v.push(ConfigIssue::error(
                    format!("immersion.rows[{i}]"),
                    format!("row `{r}` is listed twice"),
                ));
            }
        }

        let c = &self.control;
        check_range(
            &mut v,
            "control.tcs_pump_speed",
            c.tcs_pump_speed,
            0.0,
            1.0,
            "-",
        );
        check_range(
            &mut v,
            "control.crah_airflow_ratio",
            c.crah_airflow_ratio,
            0.5,
            3.0,
            "-",
        );
        check_pair(
            &mut v,
            "control.guard_crah_supply_c",
            c.guard_crah_supply_c,
            5.0,
            45.0,
            "°C",
        );
        check_pair(
            &mut v,
            "control.guard_tcs_supply_c",
            c.guard_tcs_supply_c,
            lo,
            hi,
            "°C",
        );
        check_pair(
            &mut v,
            "control.guard_pump_speed",
            c.guard_pump_speed,
            0.0,
            1.0,
            "-",
        );
        check_pair(
            &mut v,
            "control.guard_airflow_ratio",
            c.guard_airflow_ratio,
            0.5,
            3.0,
            "-",
        );
        check_range(
            &mut v,
            "control.guard_release_margin_k",
            c.guard_release_margin_k,
            0.0,
            20.0,
            "K",
        );
        check_range(
            &mut v,
            "control.reset_tcs_at_low_c",
            c.reset_tcs_at_low_c,
            lo,
            hi,
            "°C",
        );
        check_range(
            &mut v,
            "control.reset_tcs_at_high_c",
            c.reset_tcs_at_high_c,
            lo,
            hi,
            "°C",
        );
        if !(c.reset_signal_low.is_finite() && c.reset_signal_high.is_finite())
            || c.reset_signal_low >= c.reset_signal_high
        {
            v.push(ConfigIssue::error(
                "control.reset_signal_high",
                format!(
                    "{} must be finite and above reset_signal_low {}",
                    c.reset_signal_high, c.reset_signal_low
                ),
            ));
        }
        check_range(
            &mut v,
            "control.pid_target_chip_c",
            c.pid_target_chip_c,
            20.0,
            self.chip_limit_c,
            "°C",
        );
        check_range(
            &mut v,
            "control.pid_kp_per_k",
            c.pid_kp_per_k,
            0.0,
            10.0,
            "1/K",
        );
        check_range(
            &mut v,
            "control.pid_ki_per_k_s",
            c.pid_ki_per_k_s,
            0.0,
            1.0,
            "1/(K·s)",
        );
        check_range(
            &mut v,
            "control.pid_target_inlet_c",
            c.pid_target_inlet_c,
            10.0,
            45.0,
            "°C",
        );
        check_range(
            &mut v,
            "control.pid_inlet_kp",
            c.pid_inlet_kp,
            0.0,
            100.0,
            "K/K",
        );
        check_range(
            &mut v,
            "control.pid_inlet_ki_per_s",
            c.pid_inlet_ki_per_s,
            0.0,
            1.0,
            "K/(K·s)",
        );
        for (path, value, range) in [
            (
                "air.supply_setpoint_c",
                a.supply_setpoint_c,
                c.guard_crah_supply_c,
            ),
            (
                "liquid.tcs_supply_setpoint_c",
                l.tcs_supply_setpoint_c,
                c.guard_tcs_supply_c,
            ),
            (
                "control.tcs_pump_speed",
                c.tcs_pump_speed,
                c.guard_pump_speed,
            ),
            (
                "control.crah_airflow_ratio",
                c.crah_airflow_ratio,
                c.guard_airflow_ratio,
            ),
        ] {
            if value < range[0] || value > range[1] {
                v.push(ConfigIssue::warning(
                    path,
                    format!(
                        "{value} is outside the guard range [{}, {}]: the guard will clamp it every step",
                        range[0], range[1]
                    ),
                ));
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::Severity;

    #[test]
    fn default_is_valid_and_round_trips_through_toml() {
        let c = CoolingConfig::default();
        let errs: Vec<_> = c
            .validate()
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .collect();
        assert!(errs.is_empty(), "{errs:?}");
        let s = toml::to_string(&c).unwrap();
        let back: CoolingConfig = toml::from_str(&s).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn setpoints_outside_the_guard_range_are_warnings() {
        let mut c = CoolingConfig::default();
        c.control.tcs_pump_speed = 0.1;
        let w: Vec<_> = c
            .validate()
            .into_iter()
            .filter(|i| i.path == "control.tcs_pump_speed")
            .collect();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].severity, Severity::Warning);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let r: Result<CoolingConfig, _> = toml::from_str("[air]\ncrah_cnt = 3\n");
        assert!(r.is_err());
    }

    #[test]
    fn all_problems_are_reported_at_once() {
        let mut c = CoolingConfig::default();
        c.air.bypass_fraction = 1.5;
        c.liquid.capture_fraction = -0.1;
        c.liquid.cdu_spare_count = 3;
        c.liquid.rows = vec!["a".into(), "a".into()];
        c.immersion.rows = vec!["a".into()];
        c.control.guard_pump_speed = [0.9, 0.2];
        let paths: Vec<String> = c
            .validate()
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| i.path)
            .collect();
        for p in [
            "air.bypass_fraction",
            "liquid.capture_fraction",
            "liquid.cdu_spare_count",
            "liquid.rows[1]",
            "control.guard_pump_speed",
        ] {
            assert!(paths.iter().any(|x| x == p), "{p} missing from {paths:?}");
        }
    }
}
