//! Direct-expansion CRAC unit, EnergyPlus `Coil:Cooling:DX:SingleSpeed` (EnergyPlus Engineering
//! Reference, "Single-Speed Electric DX Air Cooling Coil"):
//!
//! - `Q_avail = Q_rated * CAPFT(T_wb,entering, T_db,outdoor)`;
//! - `EIR = 1/COP_rated * EIRFT(T_wb,entering, T_db,outdoor)`;
//! - `PLR = Q_load / Q_avail`, part-load fraction `PLF = 0.85 + 0.15 PLR` (the degradation
//!   coefficient Cd = 0.15 used in EnergyPlus examples and AHRI 210/240), runtime fraction
//!   `RTF = PLR / PLF`, compressor + condenser fan power `P = Q_avail * EIR * RTF`.
//!
//! Default curves: the air-cooled DX coil of EnergyPlus example `DXCoilSystemAuto.idf` (shipped as
//! Modelica Buildings `DXCoils.BaseClasses.Examples.PerformanceCurves.Curve_II_AirCooled`), valid
//! for entering wet bulb 12.78..23.89 C and outdoor dry bulb 18..46.11 C; inputs are clamped. The
//! entering wet bulb is computed from the return-air dry bulb and a configured indoor humidity
//! ratio (a data hall's moisture content changes slowly and is controlled separately).

use crate::curves::{check_range_pair, Biquadratic};
use crate::psychro::{wet_bulb_c, STANDARD_PRESSURE_PA};
use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::ConfigIssue;

/// Configuration of one DX unit (all units of a plant are identical).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DxUnitConfig {
    /// Rated total cooling capacity of one unit, W. Default 100,000.
    pub capacity_w: f64,
    /// Rated COP (compressor + condenser fan), W/W. Default 3.5.
    pub rated_cop: f64,
    /// Indoor humidity ratio used for the entering wet bulb, kg/kg. Default 0.0093
    /// (about 14 C dew point, inside the ASHRAE TC 9.9 recommended envelope).
    pub indoor_humidity_ratio_kg_kg: f64,
    /// Part-load degradation coefficient Cd in `PLF = 1 - Cd + Cd PLR`, -. Default 0.15.
    pub degradation_coefficient: f64,
    /// CAPFT(entering wet bulb C, outdoor dry bulb C).
    pub capft: Biquadratic,
    /// EIRFT(entering wet bulb C, outdoor dry bulb C).
    pub eirft: Biquadratic,
}

impl Default for DxUnitConfig {
    fn default() -> Self {
        DxUnitConfig {
            capacity_w: 100_000.0,
            rated_cop: 3.5,
            indoor_humidity_ratio_kg_kg: 0.0093,
            degradation_coefficient: 0.15,
            capft: Biquadratic {
                coefficients: [
                    0.766956,
                    0.0107756,
                    -0.0000414703,
                    0.00134961,
                    -0.000261144,
                    0.000457488,
                ],
                x_range: [12.78, 23.89],
                y_range: [18.0, 46.11],
            },
            eirft: Biquadratic {
                coefficients: [
                    0.297145,
                    0.0430933,
                    -0.000748766,
                    0.00597727,
                    0.000482112,
                    -0.000956448,
                ],
                x_range: [12.78, 23.89],
                y_range: [18.0, 46.11],
            },
        }
    }
}

impl DxUnitConfig {
    /// All problems of this configuration.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_positive(&mut v, "capacity_w", self.capacity_w, "W");
        check_range(&mut v, "rated_cop", self.rated_cop, 0.5, 15.0, "W/W");
        check_range(
            &mut v,
            "indoor_humidity_ratio_kg_kg",
            self.indoor_humidity_ratio_kg_kg,
            0.0,
            0.03,
            "kg/kg",
        );
        check_range(
            &mut v,
            "degradation_coefficient",
            self.degradation_coefficient,
            0.0,
            0.5,
            "-",
        );
        for (name, b) in [("capft", &self.capft), ("eirft", &self.eirft)] {
            check_range_pair(&mut v, &format!("{name}.x_range"), b.x_range);
            check_range_pair(&mut v, &format!("{name}.y_range"), b.y_range);
        }
        v
    }
}

/// Operating point of a bank of DX units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DxOutput {
    /// Electric power (compressors and condenser fans), W.
    pub power_w: f64,
    /// Available capacity of the running units, W.
    pub capacity_w: f64,
    /// Cooling delivered, W.
    pub cooling_w: f64,
    /// Part-load ratio, -.
    pub plr: f64,
    /// Heat rejected outdoors by the condensers = cooling + power, W.
    pub condenser_heat_w: f64,
    /// Load not met, W.
    pub unmet_w: f64,
}

/// A bank of identical DX CRAC units sharing the load equally.
#[derive(Debug, Clone)]
pub struct DxUnit {
    cfg: DxUnitConfig,
}

impl DxUnit {
    /// A DX bank of `cfg`.
    pub fn new(cfg: DxUnitConfig) -> Self {
        DxUnit { cfg }
    }

    /// Meet `load_w` with `available` units, return air at `return_air_c`, outdoor `dry_bulb_c`.
    pub fn run(&self, load_w: f64, return_air_c: f64, dry_bulb_c: f64, available: u32) -> DxOutput {
        let load_w = load_w.max(0.0);
        if load_w <= 0.0 || available == 0 {
            return DxOutput {
                unmet_w: load_w,
                ..DxOutput::default()
            };
        }
        let wb = wet_bulb_c(
            return_air_c,
            self.cfg.indoor_humidity_ratio_kg_kg,
            STANDARD_PRESSURE_PA,
        );
        let capacity_w =
            (self.cfg.capacity_w * self.cfg.capft.eval(wb, dry_bulb_c)).max(0.0) * available as f64;
        if capacity_w <= 0.0 {
            return DxOutput {
                unmet_w: load_w,
                ..DxOutput::default()
            };
        }
        let eir = self.cfg.eirft.eval(wb, dry_bulb_c).max(0.0) / self.cfg.rated_cop;
        let cooling_w = load_w.min(capacity_w);
        let plr = cooling_w / capacity_w;
        let cd = self.cfg.degradation_coefficient;
        let plf = 1.0 - cd + cd * plr;
        let rtf = (plr / plf).min(1.0);
        let power_w = capacity_w * eir * rtf;
        DxOutput {
            power_w,
            capacity_w,
            cooling_w,
            plr,
            condenser_heat_w: cooling_w + power_w,
            unmet_w: load_w - cooling_w,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rated_point_and_conservation() {
        // AHRI rating point: 19.44 C entering wet bulb, 35 C outdoor; the EnergyPlus curves are
        // normalised there (CAPFT and EIRFT within 1 % of 1).
        let cfg = DxUnitConfig::default();
        assert!((cfg.capft.eval(19.44, 35.0) - 1.0).abs() < 0.01);
        assert!((cfg.eirft.eval(19.44, 35.0) - 1.0).abs() < 0.01);
        let dx = DxUnit::new(cfg);
        let out = dx.run(150_000.0, 30.0, 35.0, 2);
        assert!((out.condenser_heat_w - out.cooling_w - out.power_w).abs() < 1e-6);
        assert!((out.cooling_w + out.unmet_w - 150_000.0).abs() < 1e-6);
    }

    #[test]
    fn hotter_outdoors_costs_more() {
        let dx = DxUnit::new(DxUnitConfig::default());
        let mut last = 0.0;
        for i in 0..25 {
            let p = dx.run(100_000.0, 30.0, 20.0 + i as f64, 2).power_w;
            assert!(p > last);
            last = p;
        }
    }

    #[test]
    fn part_load_degradation() {
        let dx = DxUnit::new(DxUnitConfig::default());
        let full = dx.run(1e9, 30.0, 30.0, 1);
        let half = dx.run(full.capacity_w * 0.5, 30.0, 30.0, 1);
        // PLF = 0.925 at PLR 0.5 -> RTF = 0.5405.
        assert!((half.power_w / full.power_w - 0.5 / 0.925).abs() < 1e-9);
        assert!(full.unmet_w > 0.0);
    }
}
