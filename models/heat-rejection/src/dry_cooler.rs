//! Dry cooler (closed-circuit air-cooled fluid cooler) by effectiveness-NTU, crossflow with both
//! fluids unmixed (Incropera & DeWitt table 11.3; the EnergyPlus `FluidCooler:SingleSpeed` is
//! likewise an NTU model sized from a design point, EnergyPlus Engineering Reference "Fluid
//! Coolers"). The air-side film dominates, so `UA = UA_design * speed^0.8` (turbulent external
//! flow, Nusselt ~ Re^0.8, cf. Incropera ch. 7). Fan power `P_design * speed^3` (affinity law).
//! The leaving fluid can never fall below the entering dry bulb. Control: the lowest fan speed
//! that meets a leaving setpoint (bracketed Illinois regula falsi, `crate::solve`, to 1e-9 of
//! full speed; heat transfer is monotonic in speed).

use crate::hx::{crossflow_unmixed_effectiveness, crossflow_unmixed_ntu};
use crate::solve::{lowest_passing, FAN_SPEED_TOLERANCE};
use crate::{CP_AIR_J_KG_K, CP_WATER_J_KG_K};
use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::ConfigIssue;

/// Configuration of one dry-cooler unit (all units of a plant are identical).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DryCoolerConfig {
    /// Design heat rejection of one unit, W. Default 1,000,000.
    pub capacity_w: f64,
    /// Design outdoor dry bulb, C. Default 35.
    pub design_dry_bulb_c: f64,
    /// Design approach (leaving fluid - dry bulb), K. Default 6.
    pub design_approach_k: f64,
    /// Design fluid range (entering - leaving), K. Default 6.
    pub design_range_k: f64,
    /// Design air temperature rise, K. Default 8.
    pub design_air_rise_k: f64,
    /// Fan power of one unit at full speed, W. Default 20,000 (20 W per kW rejected).
    pub fan_power_w: f64,
    /// Minimum fan speed fraction, -. Default 0.1.
    pub min_speed: f64,
}

impl Default for DryCoolerConfig {
    fn default() -> Self {
        DryCoolerConfig {
            capacity_w: 1_000_000.0,
            design_dry_bulb_c: 35.0,
            design_approach_k: 6.0,
            design_range_k: 6.0,
            design_air_rise_k: 8.0,
            fan_power_w: 20_000.0,
            min_speed: 0.1,
        }
    }
}

impl DryCoolerConfig {
    /// All problems of this configuration.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_positive(&mut v, "capacity_w", self.capacity_w, "W");
        check_range(
            &mut v,
            "design_dry_bulb_c",
            self.design_dry_bulb_c,
            -30.0,
            55.0,
            "C",
        );
        check_range(
            &mut v,
            "design_approach_k",
            self.design_approach_k,
            0.5,
            30.0,
            "K",
        );
        check_range(
            &mut v,
            "design_range_k",
            self.design_range_k,
            0.5,
            30.0,
            "K",
        );
        check_range(
            &mut v,
            "design_air_rise_k",
            self.design_air_rise_k,
            0.5,
            40.0,
            "K",
        );
        check_range(&mut v, "fan_power_w", self.fan_power_w, 0.0, f64::MAX, "W");
        check_range(&mut v, "min_speed", self.min_speed, 0.0, 1.0, "-");
        if v.is_empty() && DryCooler::design(self).is_none() {
            v.push(ConfigIssue::error(
                "design_approach_k",
                "design point is unreachable (effectiveness >= 1): raise the approach or the air rise",
            ));
        }
        if self.design_air_rise_k > self.design_approach_k + self.design_range_k {
            v.push(ConfigIssue::error(
                "design_air_rise_k",
                "air cannot leave hotter than the entering fluid: expected air rise <= approach + range",
            ));
        }
        v
    }
}

/// Operating point of one dry cooler.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DryCoolerState {
    /// Fan speed fraction, -.
    pub speed: f64,
    /// Leaving fluid temperature, C.
    pub leaving_c: f64,
    /// Heat rejected to air, W.
    pub heat_w: f64,
    /// Fan power, W.
    pub fan_power_w: f64,
}

/// One dry-cooler unit.
#[derive(Debug, Clone)]
pub struct DryCooler {
    cfg: DryCoolerConfig,
    design_fluid_kg_s: f64,
    design_air_kg_s: f64,
    design_ua_w_k: f64,
}

impl DryCooler {
    fn design(cfg: &DryCoolerConfig) -> Option<(f64, f64, f64)> {
        let c_w = cfg.capacity_w / cfg.design_range_k;
        let c_a = cfg.capacity_w / cfg.design_air_rise_k;
        let (c_min, c_max) = (c_w.min(c_a), c_w.max(c_a));
        let eps = cfg.capacity_w / (c_min * (cfg.design_approach_k + cfg.design_range_k));
        let ntu = crossflow_unmixed_ntu(eps, c_min / c_max)?;
        Some((c_w / CP_WATER_J_KG_K, c_a / CP_AIR_J_KG_K, ntu * c_min))
    }

    /// A unit of `cfg`; None when the design point is unreachable (see `validate`).
    pub fn new(cfg: DryCoolerConfig) -> Option<Self> {
        let (m_w, m_a, ua) = Self::design(&cfg)?;
        Some(DryCooler {
            cfg,
            design_fluid_kg_s: m_w,
            design_air_kg_s: m_a,
            design_ua_w_k: ua,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &DryCoolerConfig {
        &self.cfg
    }

    /// Design fluid flow of one unit, kg/s.
    pub fn design_fluid_kg_s(&self) -> f64 {
        self.design_fluid_kg_s
    }

    /// Steady operation at fan `speed` with fluid entering at `fluid_in_c` and `flow_kg_s`.
    pub fn perform(
        &self,
        speed: f64,
        fluid_in_c: f64,
        flow_kg_s: f64,
        dry_bulb_c: f64,
    ) -> DryCoolerState {
        let speed = speed.clamp(0.0, 1.0);
        let fan_power_w = self.cfg.fan_power_w * speed.powi(3);
        if speed <= 0.0 || flow_kg_s <= 0.0 || fluid_in_c <= dry_bulb_c {
            return DryCoolerState {
                speed,
                leaving_c: fluid_in_c,
                heat_w: 0.0,
                fan_power_w,
            };
        }
        let c_w = flow_kg_s * CP_WATER_J_KG_K;
        let c_a = self.design_air_kg_s * speed * CP_AIR_J_KG_K;
        let (c_min, c_max) = (c_w.min(c_a), c_w.max(c_a));
        let ua = self.design_ua_w_k * speed.powf(0.8);
        let eps = crossflow_unmixed_effectiveness(ua / c_min, c_min / c_max);
        let heat_w = eps * c_min * (fluid_in_c - dry_bulb_c);
        DryCoolerState {
            speed,
            leaving_c: fluid_in_c - heat_w / c_w,
            heat_w,
            fan_power_w,
        }
    }

    /// The lowest speed in `[min_speed, 1]` whose leaving temperature is at or below
    /// `leaving_setpoint_c`; full speed when the setpoint cannot be met.
    pub fn meet_setpoint(
        &self,
        leaving_setpoint_c: f64,
        fluid_in_c: f64,
        flow_kg_s: f64,
        dry_bulb_c: f64,
    ) -> DryCoolerState {
        let full = self.perform(1.0, fluid_in_c, flow_kg_s, dry_bulb_c);
        if full.leaving_c > leaving_setpoint_c {
            return full;
        }
        let min = self.perform(self.cfg.min_speed, fluid_in_c, flow_kg_s, dry_bulb_c);
        if min.leaving_c <= leaving_setpoint_c {
            return min;
        }
        // Lowest passing speed to 1e-9 (bisection took 40 halvings to ~1e-12; the fan power
        // differs by < 3e-9 of its value).
        let hi = lowest_passing(
            self.cfg.min_speed,
            min.leaving_c - leaving_setpoint_c,
            1.0,
            full.leaving_c - leaving_setpoint_c,
            FAN_SPEED_TOLERANCE,
            60,
            |s| self.perform(s, fluid_in_c, flow_kg_s, dry_bulb_c).leaving_c - leaving_setpoint_c,
        );
        self.perform(hi, fluid_in_c, flow_kg_s, dry_bulb_c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit() -> DryCooler {
        DryCooler::new(DryCoolerConfig::default()).expect("default design reachable")
    }

    #[test]
    fn design_point_is_reproduced() {
        let d = unit();
        let s = d.perform(1.0, 47.0, d.design_fluid_kg_s(), 35.0);
        assert!((s.leaving_c - 41.0).abs() < 1e-6, "{}", s.leaving_c);
        assert!((s.heat_w - 1e6).abs() < 1.0);
    }

    #[test]
    fn leaving_between_inlets_and_monotonic_in_speed() {
        let d = unit();
        let m = d.design_fluid_kg_s();
        for &db in &[-20.0, 0.0, 20.0, 35.0] {
            let mut last = f64::INFINITY;
            for i in 1..=20 {
                let s = d.perform(i as f64 / 20.0, 40.0, m, db);
                assert!(s.leaving_c >= db && s.leaving_c <= 40.0);
                assert!(s.leaving_c <= last);
                last = s.leaving_c;
            }
        }
    }

    #[test]
    fn lowest_speed_meets_setpoint() {
        let d = unit();
        let m = d.design_fluid_kg_s();
        let s = d.meet_setpoint(30.0, 36.0, m, 15.0);
        assert!(s.leaving_c <= 30.0 + 1e-9);
        // Slightly slower would miss it.
        let slower = d.perform(s.speed - 1e-6, 36.0, m, 15.0);
        assert!(slower.leaving_c > 30.0);
        assert!((s.fan_power_w - 20_000.0 * s.speed.powi(3)).abs() < 1e-9);
        // Unreachable setpoint: full speed.
        assert_eq!(d.meet_setpoint(10.0, 36.0, m, 15.0).speed, 1.0);
    }

    #[test]
    fn validation() {
        assert!(DryCoolerConfig::default().validate().is_empty());
        let bad = DryCoolerConfig {
            design_air_rise_k: 20.0,
            ..DryCoolerConfig::default()
        };
        assert!(bad.validate().iter().any(|i| i.path == "design_air_rise_k"));
    }
}
