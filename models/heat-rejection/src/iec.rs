//! Indirect evaporative cooler (IEC) for data-hall air, on the air side, with dry, wet and
//! hybrid (wet + DX trim) modes.
//!
//! Sources:
//! - EnergyPlus Engineering Reference, "Indirect Evaporative Cooler Special Research Model"
//!   (`EvaporativeCooler:Indirect:ResearchSpecial`): the primary (hall) air is cooled
//!   sensibly through a plate exchanger whose secondary (scavenger) side is outdoor air, dry or
//!   wetted. Wet operation `T_pri,out = T_pri,in - eps_wb (T_pri,in - T_sec,wb)`, dry operation
//!   `T_pri,out = T_pri,in - eps_db (T_pri,in - T_sec,db)`; the unit runs dry when dry operation
//!   meets the load, wet otherwise (the "dry modulated / dry full / wet modulated / wet full"
//!   sequence), the secondary fan modulating (here: exchanger duty proportional to secondary
//!   flow, fan power by the affinity law, `P = P_design f^3`); evaporation, drift (a fraction
//!   of the evaporated water, the model's "Drift Loss Fraction") and blowdown
//!   `evaporation / (concentration ratio - 1) - drift`; no evaporative operation below the
//!   "Evaporative Operation Minimum Limit Drybulb Temperature" (freeze protection).
//! - ASHRAE Handbook HVAC Systems and Equipment 2020, ch. 41 "Evaporative Air-Cooling
//!   Equipment": indirect units, wet-bulb depression efficiency 0.6-0.8.
//! - ASHRAE Handbook Fundamentals 2017, ch. 1 (moist air: [`crate::psychro`]): the primary air
//!   keeps its humidity ratio, its heat capacity per kg of dry air is `1006 + 1860 W`
//!   J/(kg K) and its dry-air mass flow comes from the volume flow by the specific volume
//!   (eq. 28). The wetted secondary air leaves saturated at the enthalpy of its energy balance
//!   (as the cooling tower, EnergyPlus "SaturatedExit"), so evaporation is `m_sec (W_out - W_in)`
//!   from the air-side humidity change, not heat / latent heat.
//! - Hybrid: the rest of the load by a DX trim coil ([`crate::dx::DxUnit`], EnergyPlus
//!   `Coil:Cooling:DX:SingleSpeed`) on the air leaving the exchanger.
//!
//! Rating: a unit delivers `capacity_w` in wet mode at the rated conditions (hall return air
//! `rated_return_air_c` at `rated_return_humidity_ratio`, outdoor wet bulb
//! `rated_outdoor_wet_bulb_c`) with its rated primary airflow. Without `airflow_m3_s` the
//! airflow is sized from that rating; with it, the rating follows from the airflow and a
//! warning flags a `capacity_w` more than 2 % away.
//!
//! The primary air through the bank is at most the units' rated airflow; air beyond it bypasses
//! the exchanger (mixed back into the supply). The primary (supply) fans move the hall air and
//! are the site's air-moving fans (CRAH fans in the thermal crate), not counted here.

use crate::dx::{DxUnit, DxUnitConfig};
use crate::psychro::{
    dry_air_mass_flow_kg_s, saturated_enthalpy_j_kg, saturated_exit_state, AirState,
    STANDARD_PRESSURE_PA,
};
use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::ConfigIssue;

/// Configuration of one IEC unit (all units identical).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IecConfig {
    /// Rated cooling capacity of one unit in wet mode at the rated conditions, W (> 0).
    /// Default 400,000.
    pub capacity_w: f64,
    /// Dry-bulb effectiveness in dry mode, - (0..1). Default 0.55.
    pub dry_effectiveness: f64,
    /// Wet-bulb depression efficiency in wet mode, - (0..1). Default 0.75.
    pub wet_bulb_effectiveness: f64,
    /// Scavenger (secondary) fan power of one unit at full speed, W (>= 0). Default 10,000.
    pub fan_power_w: f64,
    /// Cycles of concentration of the spray water, - (> 1). Default 3.
    pub cycles_of_concentration: f64,
    /// Drift loss as a fraction of the evaporated water, - (0..0.2; EnergyPlus "Drift Loss
    /// Fraction"). Default 0.
    pub drift_fraction: f64,
    /// Primary (hall) airflow of one unit at its rating, m3/s at the rated return-air state
    /// (> 0). Default: none, sized from `capacity_w` at the rated conditions.
    pub airflow_m3_s: Option<f64>,
    /// Secondary (outdoor) to primary dry-air mass-flow ratio at full scavenger fan speed,
    /// - (0.2..5). Default 1.0.
    pub secondary_air_ratio: f64,
    /// Hall return-air dry bulb of the rating, C (10..60). Default 35.
    pub rated_return_air_c: f64,
    /// Hall return-air humidity ratio of the rating and of the legacy
    /// [`IndirectEvaporativeCooler::run`] call, kg/kg dry air (0..0.03). Default 0.0093
    /// (about 14 C dew point, as [`DxUnitConfig::indoor_humidity_ratio_kg_kg`]).
    pub rated_return_humidity_ratio: f64,
    /// Outdoor wet bulb of the rating, C (-10..35). Default 24.
    pub rated_outdoor_wet_bulb_c: f64,
    /// Lowest outdoor dry bulb at which the secondary side is wetted (freeze protection;
    /// EnergyPlus "Evaporative Operation Minimum Limit Drybulb Temperature"), C (-30..20).
    /// Default 2.
    pub wet_min_outdoor_dry_bulb_c: f64,
    /// DX trim coil of one unit. Default: 40 % of the unit's default capacity, COP 3.5.
    pub trim_dx: DxUnitConfig,
}

impl Default for IecConfig {
    fn default() -> Self {
        IecConfig {
            capacity_w: 400_000.0,
            dry_effectiveness: 0.55,
            wet_bulb_effectiveness: 0.75,
            fan_power_w: 10_000.0,
            cycles_of_concentration: 3.0,
            drift_fraction: 0.0,
            airflow_m3_s: None,
            secondary_air_ratio: 1.0,
            rated_return_air_c: 35.0,
            rated_return_humidity_ratio: 0.0093,
            rated_outdoor_wet_bulb_c: 24.0,
            wet_min_outdoor_dry_bulb_c: 2.0,
            trim_dx: DxUnitConfig {
                capacity_w: 160_000.0,
                ..DxUnitConfig::default()
            },
        }
    }
}

impl IecConfig {
    /// Rated primary dry-air flow of one unit, kg/s: from `airflow_m3_s` at the rated return
    /// state, or sized so that wet mode at the rated conditions delivers `capacity_w`.
    pub fn rated_dry_air_kg_s(&self) -> f64 {
        let w = self.rated_return_humidity_ratio;
        match self.airflow_m3_s {
            Some(v) => dry_air_mass_flow_kg_s(v, self.rated_return_air_c, w, STANDARD_PRESSURE_PA),
            None => {
                let depression_k = self.rated_return_air_c - self.rated_outdoor_wet_bulb_c;
                self.capacity_w
                    / (AirState {
                        dry_bulb_c: self.rated_return_air_c,
                        humidity_ratio: w,
                    }
                    .cp_j_kg_k()
                        * self.wet_bulb_effectiveness
                        * depression_k)
            }
        }
    }

    /// All problems of this configuration.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_positive(&mut v, "capacity_w", self.capacity_w, "W");
        check_range(
            &mut v,
            "dry_effectiveness",
            self.dry_effectiveness,
            0.0,
            1.0,
            "-",
        );
        check_range(
            &mut v,
            "wet_bulb_effectiveness",
            self.wet_bulb_effectiveness,
            0.0,
            1.0,
            "-",
        );
        check_range(&mut v, "fan_power_w", self.fan_power_w, 0.0, f64::MAX, "W");
        if !(self.cycles_of_concentration.is_finite() && self.cycles_of_concentration > 1.0) {
            v.push(ConfigIssue::error(
                "cycles_of_concentration",
                format!("{} must be greater than 1", self.cycles_of_concentration),
            ));
        }
        check_range(&mut v, "drift_fraction", self.drift_fraction, 0.0, 0.2, "-");
        if let Some(a) = self.airflow_m3_s {
            check_positive(&mut v, "airflow_m3_s", a, "m3/s");
        }
        check_range(
            &mut v,
            "secondary_air_ratio",
            self.secondary_air_ratio,
            0.2,
            5.0,
            "-",
        );
        check_range(
            &mut v,
            "rated_return_air_c",
            self.rated_return_air_c,
            10.0,
            60.0,
            "C",
        );
        check_range(
            &mut v,
            "rated_return_humidity_ratio",
            self.rated_return_humidity_ratio,
            0.0,
            0.03,
            "kg/kg",
        );
        check_range(
            &mut v,
            "rated_outdoor_wet_bulb_c",
            self.rated_outdoor_wet_bulb_c,
            -10.0,
            35.0,
            "C",
        );
        check_range(
            &mut v,
            "wet_min_outdoor_dry_bulb_c",
            self.wet_min_outdoor_dry_bulb_c,
            -30.0,
            20.0,
            "C",
        );
        if v.is_empty() && self.rated_return_air_c <= self.rated_outdoor_wet_bulb_c + 1.0 {
            v.push(ConfigIssue::error(
                "rated_outdoor_wet_bulb_c",
                format!(
                    "rated outdoor wet bulb {} C must be at least 1 K below the rated return air {} C",
                    self.rated_outdoor_wet_bulb_c, self.rated_return_air_c
                ),
            ));
        }
        if v.is_empty() && self.airflow_m3_s.is_some() {
            let rated = IndirectEvaporativeCooler::new(self.clone()).rated_capacity_w();
            let dev = rated / self.capacity_w - 1.0;
            if dev.abs() > 0.02 {
                v.push(ConfigIssue::warning(
                    "capacity_w",
                    format!(
                        "the airflow and wet-bulb effectiveness give {rated:.0} W at the rated \
                         conditions, {:+.1} % from capacity_w",
                        100.0 * dev
                    ),
                ));
            }
        }
        v.extend(
            self.trim_dx
                .validate()
                .into_iter()
                .map(|i| i.prefixed("trim_dx")),
        );
        v
    }
}

/// Which way the IEC ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IecMode {
    /// Nothing to do (no load).
    Off,
    /// Dry heat exchange only.
    Dry,
    /// Wetted secondary side.
    Wet,
    /// Exchanger (wet, or dry when wetting is not allowed or not better) plus DX trim.
    Hybrid,
}

/// What the hall asks of a bank of IEC units for one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IecRequest {
    /// Heat to remove from the hall air, W.
    pub load_w: f64,
    /// Hall return air entering the units (primary inlet).
    pub return_air: AirState,
    /// Primary dry-air flow, kg/s (0 or not finite: the bank's rated airflow).
    pub airflow_kg_s: f64,
    /// Outdoor air (secondary inlet).
    pub outdoor: AirState,
    /// Barometric pressure, Pa.
    pub pressure_pa: f64,
    /// Units in service.
    pub available: u32,
    /// Step length, s.
    pub dt_s: f64,
}

/// Operating point of a bank of IEC units over one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IecOutput {
    /// Mode.
    pub mode: IecMode,
    /// Heat removed by the exchanger, W.
    pub exchanger_w: f64,
    /// Heat removed by the DX trim, W.
    pub trim_w: f64,
    /// DX trim electric power, W.
    pub trim_power_w: f64,
    /// Scavenger fan power, W.
    pub fan_power_w: f64,
    /// Heat rejected outdoors (exchanger + DX condenser), W.
    pub heat_rejected_w: f64,
    /// Spray water (evaporation + drift + blowdown) over the step, kg.
    pub water_kg: f64,
    /// Of `water_kg`: evaporated into the secondary air, kg.
    pub evaporation_kg: f64,
    /// Of `water_kg`: drift, kg.
    pub drift_kg: f64,
    /// Of `water_kg`: blowdown, kg.
    pub blowdown_kg: f64,
    /// Load not met, W.
    pub unmet_w: f64,
    /// Primary dry-air flow, kg/s.
    pub primary_air_kg_s: f64,
    /// Supply air leaving the bank (after exchanger, trim and bypass mixing).
    pub supply_air: AirState,
    /// Secondary (scavenger) air leaving the exchanger.
    pub secondary_out: AirState,
    /// Secondary dry-air flow, kg/s.
    pub secondary_air_kg_s: f64,
}

/// A bank of identical IEC units.
#[derive(Debug, Clone)]
pub struct IndirectEvaporativeCooler {
    cfg: IecConfig,
    trim: DxUnit,
    rated_air_kg_s: f64,
}

impl IndirectEvaporativeCooler {
    /// A bank of `cfg` (validate it first).
    pub fn new(cfg: IecConfig) -> Self {
        let trim = DxUnit::new(cfg.trim_dx.clone());
        let rated_air_kg_s = cfg.rated_dry_air_kg_s();
        IndirectEvaporativeCooler {
            cfg,
            trim,
            rated_air_kg_s,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &IecConfig {
        &self.cfg
    }

    /// Rated primary dry-air flow of one unit, kg/s.
    pub fn rated_air_kg_s(&self) -> f64 {
        self.rated_air_kg_s
    }

    /// Exchanger capacity of one unit in wet mode at the rated conditions, W (the model's own
    /// rating; equals `capacity_w` when the airflow is sized from it).
    pub fn rated_capacity_w(&self) -> f64 {
        let c = &self.cfg;
        let ret = AirState {
            dry_bulb_c: c.rated_return_air_c,
            humidity_ratio: c.rated_return_humidity_ratio,
        };
        let outdoor = AirState::from_wet_bulb(
            c.rated_outdoor_wet_bulb_c,
            c.rated_outdoor_wet_bulb_c,
            STANDARD_PRESSURE_PA,
        );
        self.exchanger_limits(ret, self.rated_air_kg_s, outdoor, 1, STANDARD_PRESSURE_PA)
            .1
    }

    /// Largest dry and wet exchanger duties, W, of `n` units cooling `through_kg_s` of
    /// primary air at `ret` with outdoor air `outdoor` (secondary fans at full speed).
    fn exchanger_limits(
        &self,
        ret: AirState,
        through_kg_s: f64,
        outdoor: AirState,
        n: u32,
        pressure_pa: f64,
    ) -> (f64, f64) {
        let c = &self.cfg;
        let c_pri = through_kg_s * ret.cp_j_kg_k();
        let m_sec = c.secondary_air_ratio * self.rated_air_kg_s * n as f64;
        let c_sec = m_sec * outdoor.cp_j_kg_k();
        let dry = (c.dry_effectiveness * c_pri.min(c_sec) * (ret.dry_bulb_c - outdoor.dry_bulb_c))
            .max(0.0);
        let wet = if outdoor.dry_bulb_c >= c.wet_min_outdoor_dry_bulb_c {
            let wb = outdoor.wet_bulb_c(pressure_pa);
            let depression = (c.wet_bulb_effectiveness * c_pri * (ret.dry_bulb_c - wb)).max(0.0);
            // The wetted secondary air can at most leave saturated at the primary inlet.
            let sink = m_sec
                * (saturated_enthalpy_j_kg(ret.dry_bulb_c, pressure_pa) - outdoor.enthalpy_j_kg())
                    .max(0.0);
            depression.min(sink)
        } else {
            0.0
        };
        (dry, wet)
    }

    /// Remove `load_w` from hall air returning at `return_air_c` with `air_kg_s` of dry air,
    /// with `available` units and outdoor `dry_bulb_c`/`wet_bulb_c` at standard pressure, over
    /// `dt_s` (the return air at the rated humidity ratio). See [`IndirectEvaporativeCooler::step`].
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &self,
        load_w: f64,
        return_air_c: f64,
        air_kg_s: f64,
        dry_bulb_c: f64,
        wet_bulb_c: f64,
        available: u32,
        dt_s: f64,
    ) -> IecOutput {
        self.step(&IecRequest {
            load_w,
            return_air: AirState {
                dry_bulb_c: return_air_c,
                humidity_ratio: self.cfg.rated_return_humidity_ratio,
            },
            airflow_kg_s: air_kg_s,
            outdoor: AirState::from_wet_bulb(dry_bulb_c, wet_bulb_c, STANDARD_PRESSURE_PA),
            pressure_pa: STANDARD_PRESSURE_PA,
            available,
            dt_s,
        })
    }

    /// One step of the bank (module doc): dry when dry operation carries the load, else wet
    /// (when the outdoor air is warm enough to wet), else the better exchanger mode at full
    /// secondary flow plus DX trim.
    pub fn step(&self, r: &IecRequest) -> IecOutput {
        let load_w = if r.load_w.is_finite() {
            r.load_w.max(0.0)
        } else {
            0.0
        };
        let p = if r.pressure_pa.is_finite() && r.pressure_pa > 30_000.0 {
            r.pressure_pa
        } else {
            STANDARD_PRESSURE_PA
        };
        let dt_s = r.dt_s.max(0.0);
        let n = r.available;
        let rated_bank = self.rated_air_kg_s * n as f64;
        let m_pri = if r.airflow_kg_s.is_finite() && r.airflow_kg_s > 0.0 {
            r.airflow_kg_s
        } else {
            rated_bank
        };
        let ret = r.return_air;
        let cp = ret.cp_j_kg_k();
        let mut out = IecOutput {
            mode: IecMode::Off,
            exchanger_w: 0.0,
            trim_w: 0.0,
            trim_power_w: 0.0,
            fan_power_w: 0.0,
            heat_rejected_w: 0.0,
            water_kg: 0.0,
            evaporation_kg: 0.0,
            drift_kg: 0.0,
            blowdown_kg: 0.0,
            unmet_w: load_w,
            primary_air_kg_s: m_pri,
            supply_air: ret,
            secondary_out: r.outdoor,
            secondary_air_kg_s: 0.0,
        };
        if load_w <= 0.0 || n == 0 || m_pri <= 0.0 {
            if load_w <= 0.0 {
                out.unmet_w = 0.0;
            }
            return out;
        }
        let through = m_pri.min(rated_bank);
        let (dry_w, wet_w) = self.exchanger_limits(ret, through, r.outdoor, n, p);
        let fan_full = self.cfg.fan_power_w * n as f64;
        let m_sec_full = self.cfg.secondary_air_ratio * rated_bank;
        // (mode, exchanger duty, secondary flow fraction, wetted)
        let (mode, ex_w, f, wet) = if dry_w >= load_w {
            (IecMode::Dry, load_w, load_w / dry_w, false)
        } else if wet_w >= load_w {
            (IecMode::Wet, load_w, load_w / wet_w, true)
        } else if wet_w > dry_w {
            (IecMode::Hybrid, wet_w, 1.0, true)
        } else {
            (IecMode::Hybrid, dry_w, 1.0, false)
        };
        out.mode = mode;
        out.exchanger_w = ex_w;
        out.fan_power_w = fan_full * f.powi(3);
        let m_sec = m_sec_full * f;
        out.secondary_air_kg_s = m_sec;
        if m_sec > 0.0 && ex_w > 0.0 {
            out.secondary_out = if wet {
                saturated_exit_state(r.outdoor, ex_w, m_sec, p)
            } else {
                AirState {
                    dry_bulb_c: r.outdoor.dry_bulb_c + ex_w / (m_sec * r.outdoor.cp_j_kg_k()),
                    ..r.outdoor
                }
            };
        }
        if wet {
            let evap = m_sec
                * (out.secondary_out.humidity_ratio - r.outdoor.humidity_ratio).max(0.0)
                * dt_s;
            let drift = self.cfg.drift_fraction * evap;
            out.evaporation_kg = evap;
            out.drift_kg = drift;
            out.blowdown_kg = (evap / (self.cfg.cycles_of_concentration - 1.0) - drift).max(0.0);
            out.water_kg = evap + drift + out.blowdown_kg;
        }
        let rest = load_w - ex_w;
        let mut trim_heat = 0.0;
        let after_c = ret.dry_bulb_c - ex_w / (through * cp);
        if rest > 0.0 {
            let dx = self.trim.run(rest, after_c, r.outdoor.dry_bulb_c, n);
            out.trim_w = dx.cooling_w;
            out.trim_power_w = dx.power_w;
            trim_heat = dx.condenser_heat_w;
        }
        out.unmet_w = (load_w - ex_w - out.trim_w).max(0.0);
        out.heat_rejected_w = ex_w + trim_heat;
        out.supply_air = AirState {
            dry_bulb_c: ret.dry_bulb_c - (ex_w + out.trim_w) / (m_pri * cp),
            ..ret
        };
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank() -> IndirectEvaporativeCooler {
        IndirectEvaporativeCooler::new(IecConfig::default())
    }

    #[test]
    fn modes_follow_weather() {
        let iec = bank();
        // 100 kg/s of hall air returning at 36 C, 1 MW (about a 10 K drop).
        let cold = iec.run(1e6, 36.0, 100.0, 5.0, 2.0, 4, 60.0);
        assert_eq!(cold.mode, IecMode::Dry);
        assert_eq!(cold.water_kg, 0.0);
        let mild = iec.run(1e6, 36.0, 100.0, 25.0, 15.0, 4, 60.0);
        assert_eq!(mild.mode, IecMode::Wet);
        assert!(mild.water_kg > 0.0);
        let hot = iec.run(1e6, 36.0, 100.0, 38.0, 28.0, 4, 60.0);
        assert_eq!(hot.mode, IecMode::Hybrid);
        assert!(hot.trim_power_w > 0.0);
    }

    #[test]
    fn rated_capacity_at_rated_conditions() {
        // Sized from capacity_w: the bank delivers it (within 2 %) at the rating, trim idle.
        let iec = bank();
        let c = iec.config().clone();
        let rated_air = iec.rated_air_kg_s();
        let r = IecRequest {
            load_w: 10.0 * c.capacity_w,
            return_air: AirState {
                dry_bulb_c: c.rated_return_air_c,
                humidity_ratio: c.rated_return_humidity_ratio,
            },
            airflow_kg_s: rated_air,
            outdoor: AirState::from_wet_bulb(
                c.rated_outdoor_wet_bulb_c + 8.0,
                c.rated_outdoor_wet_bulb_c,
                STANDARD_PRESSURE_PA,
            ),
            pressure_pa: STANDARD_PRESSURE_PA,
            available: 1,
            dt_s: 60.0,
        };
        let o = iec.step(&r);
        assert!(
            (o.exchanger_w / c.capacity_w - 1.0).abs() < 0.02,
            "{} of {}",
            o.exchanger_w,
            c.capacity_w
        );
        assert_eq!(o.mode, IecMode::Hybrid);
        // 400 kW over (35 - 24) K x 0.75 of air heat capacity: about 47 kg/s per unit (the
        // water-side flow of the same load at 6 K would be 16 kg/s: air carries 4x less heat).
        assert!(
            (rated_air - 4e5 / (1023.3 * 0.75 * 11.0)).abs() < 0.1,
            "{rated_air}"
        );
    }

    #[test]
    fn conservation_and_water() {
        let iec = bank();
        for &(db, wb) in &[(5.0, 2.0), (25.0, 15.0), (38.0, 28.0)] {
            let o = iec.run(1e6, 36.0, 100.0, db, wb, 4, 60.0);
            assert!((o.exchanger_w + o.trim_w + o.unmet_w - 1e6).abs() < 1e-6);
            assert!((o.heat_rejected_w - (o.exchanger_w + o.trim_w + o.trim_power_w)).abs() < 1e-6);
            // Primary air: the heat removed is its sensible enthalpy drop.
            let cp = 1006.0 + 1860.0 * 0.0093;
            let drop = o.primary_air_kg_s * cp * (36.0 - o.supply_air.dry_bulb_c);
            assert!((drop - (o.exchanger_w + o.trim_w)).abs() < 1e-6 * 1e6);
            // Secondary air: its enthalpy rise is the exchanger's heat.
            let rise = o.secondary_air_kg_s
                * (o.secondary_out.enthalpy_j_kg()
                    - AirState::from_wet_bulb(db, wb, STANDARD_PRESSURE_PA).enthalpy_j_kg());
            assert!(
                (rise - o.exchanger_w).abs() < 1e-3 * o.exchanger_w,
                "{rise} vs {}",
                o.exchanger_w
            );
        }
        // Wet mode: evaporation from the secondary air's humidity rise. The scavenger air is
        // itself cooled evaporatively (25 C in, saturated below it out), so the latent heat of
        // the evaporated water is the exchanger heat plus the secondary air's sensible drop.
        let o = iec.run(1e6, 36.0, 100.0, 25.0, 15.0, 4, 60.0);
        let inlet = AirState::from_wet_bulb(25.0, 15.0, STANDARD_PRESSURE_PA);
        assert!(o.secondary_out.dry_bulb_c < 25.0 && o.secondary_out.dry_bulb_c > 15.0);
        let sensible_w = o.secondary_air_kg_s
            * inlet.cp_j_kg_k()
            * (inlet.dry_bulb_c - o.secondary_out.dry_bulb_c);
        // Vapour enthalpy of ASHRAE eq. 32 at the leaving temperature (2501 + 1.86 t kJ/kg).
        let h_g = 2.501e6 + 1860.0 * o.secondary_out.dry_bulb_c;
        let latent_w = o.evaporation_kg / 60.0 * h_g;
        assert!(
            (latent_w / (1e6 + sensible_w) - 1.0).abs() < 0.01,
            "{latent_w} vs {}",
            1e6 + sensible_w
        );
        assert!((o.blowdown_kg - o.evaporation_kg / 2.0).abs() < 1e-9);
        assert!((o.water_kg - (o.evaporation_kg + o.drift_kg + o.blowdown_kg)).abs() < 1e-9);
    }

    #[test]
    fn exchanger_never_beats_wet_bulb_and_bank_airflow_caps_it() {
        let iec = bank();
        let o = iec.run(1e7, 36.0, 100.0, 30.0, 20.0, 4, 60.0);
        // Air can be cooled at most to the wet bulb by the exchanger.
        assert!(o.exchanger_w <= 100.0 * 1023.3 * (36.0 - 20.0));
        // More air than the bank's rated airflow: the excess bypasses, duty stops growing.
        let rated = 4.0 * iec.rated_air_kg_s();
        let a = iec.run(1e7, 36.0, rated, 30.0, 20.0, 4, 60.0).exchanger_w;
        let b = iec
            .run(1e7, 36.0, 2.0 * rated, 30.0, 20.0, 4, 60.0)
            .exchanger_w;
        assert!((a - b).abs() < 1e-6 && a > 0.0);
    }

    #[test]
    fn no_wetting_below_the_freeze_limit() {
        let iec = bank();
        // Large load at 0 C outdoor: dry only, the rest by trim, no water.
        let o = iec.run(4e6, 36.0, 150.0, 0.0, -1.0, 4, 60.0);
        assert_eq!(o.water_kg, 0.0);
        assert_eq!(o.mode, IecMode::Hybrid);
    }

    #[test]
    fn duty_rises_with_depression() {
        let iec = bank();
        let mut last = 0.0;
        for i in 0..10 {
            let wb = 28.0 - 2.0 * i as f64;
            let o = iec.run(1e8, 36.0, 150.0, wb + 6.0, wb, 4, 60.0);
            assert!(o.exchanger_w > last, "{wb}");
            last = o.exchanger_w;
        }
    }

    #[test]
    fn airflow_and_capacity_mismatch_warns() {
        let cfg = IecConfig {
            airflow_m3_s: Some(20.0),
            ..IecConfig::default()
        };
        let v = cfg.validate();
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].path, "capacity_w");
        let ok = IecConfig {
            airflow_m3_s: Some(20.0),
            capacity_w: IndirectEvaporativeCooler::new(cfg.clone()).rated_capacity_w(),
            ..IecConfig::default()
        };
        assert!(ok.validate().is_empty());
    }
}
