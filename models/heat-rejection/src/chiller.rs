//! Electric chiller, EnergyPlus `Chiller:Electric:EIR` (EnergyPlus Engineering Reference,
//! "Electric Chiller Model Based on Condenser Entering Temperature"; the DOE-2.1 model):
//!
//! - available capacity `Q_avail = Q_ref * CAPFT(T_chw_lvg, T_cond_ent)`;
//! - `PLR = min(Q_load / Q_avail, 1)`; below `min_plr` the chiller cycles with
//!   `cycling_ratio = PLR / min_plr` and runs at `min_plr` while on;
//! - `P = Q_avail / COP_ref * EIRFT(T_chw_lvg, T_cond_ent) * EIRFPLR(max(PLR, min_plr)) * cycling_ratio`;
//! - condenser heat `Q_cond = Q_load_met + P` (compressor motor heat enters the refrigerant);
//! - minimum entering condenser temperature (optional): below it, head-pressure control (a
//!   condenser-water bypass valve or tower / condenser fan cycling) holds the condenser at the
//!   minimum, so capacity and EIR are those at the minimum (manufacturers' limits are typically
//!   12.8 C, 55 F, for water-cooled centrifugals: ASHRAE Handbook HVAC Systems and Equipment
//!   2020 ch. 43 "Liquid-Chilling Systems", condenser water temperature control). EnergyPlus has
//!   no such input on `Chiller:Electric:EIR` (its curves clamp at their validity limits); the
//!   plant holds it with the tower setpoint.
//!
//! Default coefficients: "ElectricEIRChiller McQuay PFH 2124kW/6.03COP/Vanes" from EnergyPlus
//! `DataSets/Chillers.idf` (also shipped as Modelica Buildings
//! `Buildings.Fluid.Chillers.Data.ElectricEIR.ElectricEIRChiller_McQuay_PFH_2124kW_6_03COP_Vanes`):
//! a water-cooled centrifugal with reference 8.89 C leaving chilled water and 23.89 C entering
//! condenser water, curve validity 5.56..8.89 C (chilled water) and 12.78..29.44 C (condenser).
//!
//! Outside that validity range the curves are clamped (as EnergyPlus does). So that elevated
//! chilled water (e.g. 18 C) and hot air-cooled condensing still respond to lift, the EIR found at
//! the clamped point is scaled by the ratio of the reversed-Carnot input/output ratios at the real
//! and clamped temperatures (a constant fraction-of-Carnot extrapolation, cf. Gordon & Ng, "Cool
//! Thermodynamics", 2000), with evaporating and condensing approaches of 3 K and 5 K. The
//! capacity stays clamped. Inputs are shifted so that the configured reference point maps onto
//! the curve set's reference point (this is how one curve shape serves an air-cooled unit rated at
//! 35 C ambient).

use crate::curves::{check_range_pair, Biquadratic, Quadratic};
use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::ConfigIssue;

/// Which fluid the condenser rejects heat into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CondenserKind {
    /// Condenser water from a cooling tower or dry cooler.
    #[default]
    WaterCooled,
    /// Finned air-cooled condenser: entering condenser temperature = outdoor dry bulb.
    AirCooled,
}

/// Curve set of one chiller model, with the reference point the curves are normalised at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChillerCurves {
    /// Leaving chilled-water temperature at which the curves equal 1, C. Default 8.89 (all
    /// defaults: the McQuay PFH 2124 kW set below).
    pub curve_reference_leaving_chw_c: f64,
    /// Entering condenser temperature at which the curves equal 1, C.
    pub curve_reference_entering_condenser_c: f64,
    /// CAPFT(T_chw_leaving_c, T_cond_entering_c).
    pub capft: Biquadratic,
    /// EIRFT(T_chw_leaving_c, T_cond_entering_c).
    pub eirft: Biquadratic,
    /// EIRFPLR(PLR).
    pub eirfplr: Quadratic,
}

impl Default for ChillerCurves {
    /// EnergyPlus DataSets/Chillers.idf "ElectricEIRChiller McQuay PFH 2124kW/6.03COP/Vanes".
    fn default() -> Self {
        ChillerCurves {
            curve_reference_leaving_chw_c: 8.89,
            curve_reference_entering_condenser_c: 23.89,
            capft: Biquadratic {
                coefficients: [
                    1.040134,
                    -1.745650e-2,
                    1.084856e-3,
                    6.629328e-3,
                    -8.008991e-4,
                    1.567769e-3,
                ],
                x_range: [5.56, 8.89],
                y_range: [12.78, 29.44],
            },
            eirft: Biquadratic {
                coefficients: [
                    1.157799,
                    -3.621524e-2,
                    -3.684818e-3,
                    -1.202959e-2,
                    -7.378548e-5,
                    3.787365e-3,
                ],
                x_range: [5.56, 8.89],
                y_range: [12.78, 29.44],
            },
            eirfplr: Quadratic {
                coefficients: [1.051419e-1, 2.033679e-1, 6.902026e-1],
                x_range: [0.0, 1.0],
            },
        }
    }
}

/// Configuration of one chiller (all chillers of a plant are identical).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChillerConfig {
    /// Reference (rated) cooling capacity of one chiller, W. Default 2,124,000 W.
    pub capacity_w: f64,
    /// Reference COP at the reference temperatures and full load, W/W. Default 6.03
    /// (water-cooled); 2.96 is the ASHRAE 90.1-2016 minimum for air-cooled chillers.
    pub reference_cop: f64,
    /// Reference leaving chilled-water temperature, C. Default 8.89.
    pub reference_leaving_chw_c: f64,
    /// Reference entering condenser temperature (water, or outdoor air for air-cooled), C.
    /// Default 23.89 (water-cooled); AHRI 550/590 rates air-cooled chillers at 35 C.
    pub reference_entering_condenser_c: f64,
    /// Minimum part-load ratio; below it the chiller cycles, -. Default 0.09.
    pub min_plr: f64,
    /// Minimum entering condenser temperature (water, or outdoor air for air-cooled), C
    /// (-20..40): head-pressure control holds the condenser there when the water or air is
    /// colder (module doc). Default: none (no limit; 12.8 is typical of water-cooled units).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_entering_condenser_c: Option<f64>,
    /// Condenser kind. Default `water_cooled`.
    pub condenser: CondenserKind,
    /// Air-cooled condenser fan power per W of reference capacity, W/W (EnergyPlus "Condenser Fan
    /// Power Ratio"). Default 0.012; ignored for water-cooled chillers.
    pub condenser_fan_power_ratio: f64,
    /// Performance curves. Default: McQuay PFH 2124 kW centrifugal (see module doc).
    pub curves: ChillerCurves,
}

impl Default for ChillerConfig {
    fn default() -> Self {
        ChillerConfig {
            capacity_w: 2_124_000.0,
            reference_cop: 6.03,
            reference_leaving_chw_c: 8.89,
            reference_entering_condenser_c: 23.89,
            min_plr: 0.09,
            min_entering_condenser_c: None,
            condenser: CondenserKind::WaterCooled,
            condenser_fan_power_ratio: 0.012,
            curves: ChillerCurves::default(),
        }
    }
}

impl ChillerConfig {
    /// A default air-cooled chiller: COP 2.96 at 35 C ambient (ASHRAE 90.1-2016 table 6.8.1-3
    /// minimum, AHRI 550/590 rating point 6.7 C leaving chilled water, 35 C entering air).
    pub fn air_cooled_default() -> Self {
        ChillerConfig {
            reference_cop: 2.96,
            reference_leaving_chw_c: 6.7,
            reference_entering_condenser_c: 35.0,
            condenser: CondenserKind::AirCooled,
            ..ChillerConfig::default()
        }
    }

    /// All problems of this configuration.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_positive(&mut v, "capacity_w", self.capacity_w, "W");
        check_range(
            &mut v,
            "reference_cop",
            self.reference_cop,
            0.5,
            20.0,
            "W/W",
        );
        check_range(
            &mut v,
            "reference_leaving_chw_c",
            self.reference_leaving_chw_c,
            -10.0,
            30.0,
            "C",
        );
        check_range(
            &mut v,
            "reference_entering_condenser_c",
            self.reference_entering_condenser_c,
            0.0,
            60.0,
            "C",
        );
        check_range(&mut v, "min_plr", self.min_plr, 0.0, 1.0, "-");
        if let Some(t) = self.min_entering_condenser_c {
            check_range(&mut v, "min_entering_condenser_c", t, -20.0, 40.0, "C");
        }
        check_range(
            &mut v,
            "condenser_fan_power_ratio",
            self.condenser_fan_power_ratio,
            0.0,
            0.2,
            "W/W",
        );
        let c = &self.curves;
        for (name, b) in [("capft", &c.capft), ("eirft", &c.eirft)] {
            check_range_pair(&mut v, &format!("curves.{name}.x_range"), b.x_range);
            check_range_pair(&mut v, &format!("curves.{name}.y_range"), b.y_range);
        }
        check_range_pair(&mut v, "curves.eirfplr.x_range", c.eirfplr.x_range);
        let cap = c.capft.eval(
            c.curve_reference_leaving_chw_c,
            c.curve_reference_entering_condenser_c,
        );
        let eir = c.eirft.eval(
            c.curve_reference_leaving_chw_c,
            c.curve_reference_entering_condenser_c,
        );
        let plr = c.eirfplr.eval(1.0);
        for (name, val) in [("capft", cap), ("eirft", eir), ("eirfplr", plr)] {
            if !(0.9..=1.1).contains(&val) {
                v.push(ConfigIssue::warning(
                    format!("curves.{name}"),
                    format!("curve is {val:.3} at its reference point; expected about 1.0"),
                ));
            }
        }
        v
    }
}

/// A `[chiller]` table as written in a scenario: every field optional. Missing fields take the
/// defaults of the plant's chiller kind ([`ChillerConfig::default`] for water-cooled kinds,
/// [`ChillerConfig::air_cooled_default`] for air-cooled kinds), so a partial table on an
/// air-cooled plant keeps the air-cooled rating point instead of the water-cooled one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChillerOverrides {
    /// See [`ChillerConfig::capacity_w`], W.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_w: Option<f64>,
    /// See [`ChillerConfig::reference_cop`], W/W.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_cop: Option<f64>,
    /// See [`ChillerConfig::reference_leaving_chw_c`], C.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_leaving_chw_c: Option<f64>,
    /// See [`ChillerConfig::reference_entering_condenser_c`], C.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_entering_condenser_c: Option<f64>,
    /// See [`ChillerConfig::min_plr`], -.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_plr: Option<f64>,
    /// See [`ChillerConfig::min_entering_condenser_c`], C.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_entering_condenser_c: Option<f64>,
    /// See [`ChillerConfig::condenser`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condenser: Option<CondenserKind>,
    /// See [`ChillerConfig::condenser_fan_power_ratio`], W/W.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condenser_fan_power_ratio: Option<f64>,
    /// See [`ChillerConfig::curves`] (a partial `curves` table takes the McQuay defaults).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curves: Option<ChillerCurves>,
}

impl ChillerOverrides {
    /// `base` with every field given here replaced.
    pub fn apply_to(&self, base: ChillerConfig) -> ChillerConfig {
        ChillerConfig {
            capacity_w: self.capacity_w.unwrap_or(base.capacity_w),
            reference_cop: self.reference_cop.unwrap_or(base.reference_cop),
            reference_leaving_chw_c: self
                .reference_leaving_chw_c
                .unwrap_or(base.reference_leaving_chw_c),
            reference_entering_condenser_c: self
                .reference_entering_condenser_c
                .unwrap_or(base.reference_entering_condenser_c),
            min_plr: self.min_plr.unwrap_or(base.min_plr),
            min_entering_condenser_c: self
                .min_entering_condenser_c
                .or(base.min_entering_condenser_c),
            condenser: self.condenser.unwrap_or(base.condenser),
            condenser_fan_power_ratio: self
                .condenser_fan_power_ratio
                .unwrap_or(base.condenser_fan_power_ratio),
            curves: self.curves.clone().unwrap_or(base.curves),
        }
    }
}

impl From<ChillerConfig> for ChillerOverrides {
    /// Every field given (the result no longer depends on the kind's defaults).
    fn from(c: ChillerConfig) -> Self {
        ChillerOverrides {
            capacity_w: Some(c.capacity_w),
            reference_cop: Some(c.reference_cop),
            reference_leaving_chw_c: Some(c.reference_leaving_chw_c),
            reference_entering_condenser_c: Some(c.reference_entering_condenser_c),
            min_plr: Some(c.min_plr),
            min_entering_condenser_c: c.min_entering_condenser_c,
            condenser: Some(c.condenser),
            condenser_fan_power_ratio: Some(c.condenser_fan_power_ratio),
            curves: Some(c.curves),
        }
    }
}

/// Operating point of a bank of identical chillers over one step.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChillerOutput {
    /// Compressor electric power, W.
    pub power_w: f64,
    /// Air-cooled condenser fan power, W (0 for water-cooled).
    pub condenser_fan_power_w: f64,
    /// Cooling delivered / compressor power, W/W (0 when off).
    pub cop: f64,
    /// Available capacity of the running chillers at these temperatures, W.
    pub capacity_w: f64,
    /// Part-load ratio of each running chiller, -.
    pub plr: f64,
    /// Number of chillers running.
    pub running: u32,
    /// Cooling delivered, W.
    pub cooling_w: f64,
    /// Heat into the condenser fluid = cooling + compressor power, W.
    pub condenser_heat_w: f64,
    /// Cooling asked for but not delivered, W.
    pub unmet_w: f64,
}

/// A bank of identical `Chiller:Electric:EIR` chillers staged on load.
#[derive(Debug, Clone)]
pub struct Chiller {
    cfg: ChillerConfig,
}

/// Reversed-Carnot input/output ratio (W_in / Q_evap) with 3 K evaporator and 5 K condenser
/// approaches, floored at a 5 K refrigerant lift.
fn carnot_eir(leaving_chw_c: f64, entering_condenser_c: f64) -> f64 {
    let t_evap_k = leaving_chw_c - 3.0 + 273.15;
    let lift_k = (entering_condenser_c + 5.0 - (leaving_chw_c - 3.0)).max(5.0);
    lift_k / t_evap_k
}

impl Chiller {
    /// A chiller bank model of `cfg` (validate it first).
    pub fn new(cfg: ChillerConfig) -> Self {
        Chiller { cfg }
    }

    /// The configuration.
    pub fn config(&self) -> &ChillerConfig {
        &self.cfg
    }

    /// Curve inputs for the real temperatures (shifted so the configured reference maps onto the
    /// curve reference).
    fn curve_inputs(&self, leaving_chw_c: f64, entering_condenser_c: f64) -> (f64, f64) {
        let c = &self.cfg.curves;
        (
            leaving_chw_c - self.cfg.reference_leaving_chw_c + c.curve_reference_leaving_chw_c,
            entering_condenser_c - self.cfg.reference_entering_condenser_c
                + c.curve_reference_entering_condenser_c,
        )
    }

    /// The entering condenser temperature the chiller sees: `entering_condenser_c`, or the
    /// configured minimum when colder (head-pressure control), C.
    pub fn effective_condenser_c(&self, entering_condenser_c: f64) -> f64 {
        match self.cfg.min_entering_condenser_c {
            Some(min) if entering_condenser_c < min => min,
            _ => entering_condenser_c,
        }
    }

    /// Available capacity of one chiller, W.
    pub fn available_capacity_w(&self, leaving_chw_c: f64, entering_condenser_c: f64) -> f64 {
        let entering_condenser_c = self.effective_condenser_c(entering_condenser_c);
        let (x, y) = self.curve_inputs(leaving_chw_c, entering_condenser_c);
        (self.cfg.capacity_w * self.cfg.curves.capft.eval(x, y)).max(0.0)
    }

    /// Full-load EIR (power / capacity) of one chiller, with the Carnot extrapolation outside the
    /// curve validity range.
    pub fn full_load_eir(&self, leaving_chw_c: f64, entering_condenser_c: f64) -> f64 {
        let entering_condenser_c = self.effective_condenser_c(entering_condenser_c);
        let (x, y) = self.curve_inputs(leaving_chw_c, entering_condenser_c);
        let c = &self.cfg.curves;
        let (xc, yc) = c.eirft.clamp(x, y);
        let mut eir = c.eirft.eval(x, y).max(0.0) / self.cfg.reference_cop;
        if xc != x || yc != y {
            // Map the clamped curve point back to real temperatures for the Carnot ratio.
            let lc = xc - c.curve_reference_leaving_chw_c + self.cfg.reference_leaving_chw_c;
            let ec = yc - c.curve_reference_entering_condenser_c
                + self.cfg.reference_entering_condenser_c;
            eir *= carnot_eir(leaving_chw_c, entering_condenser_c) / carnot_eir(lc, ec);
        }
        eir
    }

    /// Meet `load_w` with up to `available` chillers at the given temperatures.
    pub fn run(
        &self,
        load_w: f64,
        leaving_chw_c: f64,
        entering_condenser_c: f64,
        available: u32,
    ) -> ChillerOutput {
        let load_w = load_w.max(0.0);
        if load_w <= 0.0 || available == 0 {
            return ChillerOutput {
                unmet_w: load_w,
                ..ChillerOutput::default()
            };
        }
        let cap1 = self.available_capacity_w(leaving_chw_c, entering_condenser_c);
        if cap1 <= 0.0 {
            return ChillerOutput {
                unmet_w: load_w,
                ..ChillerOutput::default()
            };
        }
        let needed = (load_w / cap1).ceil().max(1.0);
        let running = (needed as u32).min(available);
        let capacity_w = cap1 * running as f64;
        let cooling_w = load_w.min(capacity_w);
        let plr = cooling_w / capacity_w;
        let min_plr = self.cfg.min_plr;
        let cycling = if plr < min_plr && min_plr > 0.0 {
            plr / min_plr
        } else {
            1.0
        };
        let eir = self.full_load_eir(leaving_chw_c, entering_condenser_c);
        let power_w =
            capacity_w * eir * self.cfg.curves.eirfplr.eval(plr.max(min_plr)).max(0.0) * cycling;
        let condenser_fan_power_w = match self.cfg.condenser {
            CondenserKind::AirCooled => {
                self.cfg.condenser_fan_power_ratio
                    * self.cfg.capacity_w
                    * running as f64
                    * plr.max(min_plr)
                    * cycling
            }
            CondenserKind::WaterCooled => 0.0,
        };
        ChillerOutput {
            power_w,
            condenser_fan_power_w,
            cop: if power_w > 0.0 {
                cooling_w / power_w
            } else {
                0.0
            },
            capacity_w,
            plr,
            running,
            cooling_w,
            condenser_heat_w: cooling_w + power_w,
            unmet_w: load_w - cooling_w,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_point_reproduces_reference_cop() {
        // At the reference temperatures and full load the curves are 1 by construction of the
        // EnergyPlus fit; the published McQuay fit (Chillers.idf) evaluates to CAPFT = 1.005,
        // EIRFT = 1.020, EIRFPLR = 0.999 there, so the COP is reproduced within 2.5 %.
        let ch = Chiller::new(ChillerConfig::default());
        let cap = ch.available_capacity_w(8.89, 23.89);
        assert!((cap / 2_124_000.0 - 1.0).abs() < 0.01, "{cap}");
        let out = ch.run(cap, 8.89, 23.89, 1);
        assert!((out.cop - 6.03).abs() / 6.03 < 0.025, "cop {}", out.cop);
        assert!((out.plr - 1.0).abs() < 1e-12);
        // With exactly normalised curves the reference COP is reproduced to rounding.
        let mut cfg = ChillerConfig::default();
        cfg.curves.capft.coefficients = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        cfg.curves.eirft.coefficients = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        cfg.curves.eirfplr.coefficients = [0.0, 1.0, 0.0];
        let out = Chiller::new(cfg).run(2_124_000.0, 8.89, 23.89, 1);
        assert!((out.cop - 6.03).abs() < 1e-9);
    }

    #[test]
    fn cop_falls_as_lift_rises() {
        let ch = Chiller::new(ChillerConfig::default());
        let mut last = f64::INFINITY;
        for i in 0..30 {
            let t_cond = 14.0 + i as f64;
            let out = ch.run(1_000_000.0, 7.0, t_cond, 2);
            assert!(out.cop < last + 1e-12, "cop {} at {t_cond}", out.cop);
            last = out.cop;
        }
        // Also across the air-cooled range, beyond the curve validity.
        let ac = Chiller::new(ChillerConfig::air_cooled_default());
        let a = ac.run(1_000_000.0, 7.0, 30.0, 2).cop;
        let b = ac.run(1_000_000.0, 7.0, 45.0, 2).cop;
        assert!(b < a);
    }

    #[test]
    fn condenser_heat_is_load_plus_power() {
        let ch = Chiller::new(ChillerConfig::default());
        for &load in &[50_000.0, 900_000.0, 3_000_000.0, 9_000_000.0] {
            let out = ch.run(load, 7.0, 25.0, 3);
            assert!((out.condenser_heat_w - (out.cooling_w + out.power_w)).abs() < 1e-6);
            assert!((out.cooling_w + out.unmet_w - load).abs() < 1e-6);
            assert!(out.plr <= 1.0 && out.plr >= 0.0);
        }
        // Short of capacity: three chillers cannot meet 9 MW.
        assert!(ch.run(9_000_000.0, 7.0, 25.0, 3).unmet_w > 0.0);
    }

    #[test]
    fn elevated_chilled_water_works_and_is_not_worse() {
        let ch = Chiller::new(ChillerConfig::default());
        let cold = ch.run(1_500_000.0, 8.89, 26.0, 1);
        let warm = ch.run(1_500_000.0, 18.0, 26.0, 1);
        assert!(warm.power_w.is_finite() && warm.power_w > 0.0);
        assert!(warm.cop > cold.cop, "{} vs {}", warm.cop, cold.cop);
        assert!(warm.unmet_w == 0.0);
    }

    #[test]
    fn cycling_below_min_plr_scales_power() {
        let ch = Chiller::new(ChillerConfig::default());
        let a = ch.run(20_000.0, 7.0, 25.0, 1);
        let b = ch.run(40_000.0, 7.0, 25.0, 1);
        // Both below min PLR (0.09 of ~2.1 MW): power proportional to load.
        assert!((b.power_w / a.power_w - 2.0).abs() < 1e-9);
    }

    #[test]
    fn minimum_condenser_temperature_holds_the_lift() {
        let free = Chiller::new(ChillerConfig::default());
        let held = Chiller::new(ChillerConfig {
            min_entering_condenser_c: Some(15.0),
            ..ChillerConfig::default()
        });
        // Above the minimum nothing changes.
        assert_eq!(free.run(1e6, 7.0, 20.0, 2), held.run(1e6, 7.0, 20.0, 2));
        // Below it, the chiller runs as at the minimum: the COP stops rising as the water cools.
        let at_min = held.run(1e6, 7.0, 15.0, 2);
        for t in [14.0, 10.0, 5.0] {
            assert_eq!(held.run(1e6, 7.0, t, 2), at_min);
            assert!(free.run(1e6, 7.0, t, 2).cop >= at_min.cop);
        }
        let bad = ChillerConfig {
            min_entering_condenser_c: Some(80.0),
            ..ChillerConfig::default()
        };
        assert_eq!(bad.validate().len(), 1);
    }

    #[test]
    fn default_config_is_valid() {
        assert!(ChillerConfig::default().validate().is_empty());
        let bad = ChillerConfig {
            capacity_w: -1.0,
            min_plr: 1.5,
            ..ChillerConfig::default()
        };
        let paths: Vec<_> = bad.validate().into_iter().map(|i| i.path).collect();
        assert_eq!(paths, vec!["capacity_w", "min_plr"]);
    }
}
