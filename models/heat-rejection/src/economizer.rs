//! Economizers.
//!
//! - [`PlateHeatExchanger`]: the waterside economizer's plate heat exchanger between condenser
//!   (tower) water and chilled-water return, counterflow effectiveness-NTU (Incropera table 11.3),
//!   sized by its design approach; `UA` scales with the flow ratio^0.8 on each side equally.
//! - [`WatersideEconomizerPolicy`]: the usual three-mode logic (ASHRAE 90.1-2016 §6.5.1.2 and
//!   Taylor, "Waterside economizers", ASHRAE Journal, 2014): free cooling when the outdoor wet bulb
//!   plus the tower and HX approaches is below the required supply temperature; partial
//!   ("pre-cooling", in series ahead of the chillers) while it is below the chilled-water return
//!   minus a minimum useful pre-cooling; mechanical otherwise. It is a policy: the plant executes
//!   the physics and reports what it achieved.
//! - [`AirsideEconomizer`]: outdoor-air fraction by mixing to the supply setpoint, disabled above
//!   a dry-bulb or enthalpy high limit (ASHRAE 90.1-2016 table 6.5.1.1.3, fixed dry bulb and fixed
//!   enthalpy high-limit controls).

use crate::hx::{counterflow_effectiveness, counterflow_ntu};
use crate::CP_WATER_J_KG_K;
use serde::{Deserialize, Serialize};
use sim_core::validate::check_range;
use sim_core::ConfigIssue;

/// Operating mode of a plant with free cooling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoolingMode {
    /// The whole load by free cooling (no compressor).
    Free,
    /// Free cooling pre-cools, compressors trim.
    Partial,
    /// Compressors only.
    Mechanical,
}

/// Waterside economizer: plate heat exchanger and mode thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WatersideEconomizerConfig {
    /// Design approach of the plate heat exchanger (chilled-water leaving - condenser water
    /// entering) at design flows with equal capacity rates, K. Default 1.5.
    pub hx_approach_k: f64,
    /// Condenser-water flow through the HX per unit chilled-water flow, -. Default 1.0.
    pub condenser_flow_ratio: f64,
    /// Tower approach assumed by the mode thresholds, K. Default 3.0.
    pub tower_approach_k: f64,
    /// Minimum useful pre-cooling for partial mode, K. Default 1.0.
    pub min_precool_k: f64,
    /// Switchover to free cooling: outdoor wet bulb (dry bulb for a dry-cooler economizer) at
    /// or below which the plant tries free cooling, C (-30..40). Default: none, derived as
    /// `supply setpoint - tower approach - HX approach`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_below_wet_bulb_c: Option<f64>,
    /// Switchover to mechanical cooling: outdoor wet bulb (dry bulb for a dry-cooler
    /// economizer) at or above which the economizer is off, C (-30..45; above
    /// `free_below_wet_bulb_c`). Default: none, derived as `return - approaches - min_precool_k`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mechanical_above_wet_bulb_c: Option<f64>,
}

impl Default for WatersideEconomizerConfig {
    fn default() -> Self {
        WatersideEconomizerConfig {
            hx_approach_k: 1.5,
            condenser_flow_ratio: 1.0,
            tower_approach_k: 3.0,
            min_precool_k: 1.0,
            free_below_wet_bulb_c: None,
            mechanical_above_wet_bulb_c: None,
        }
    }
}

impl WatersideEconomizerConfig {
    /// All problems of this configuration.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_range(&mut v, "hx_approach_k", self.hx_approach_k, 0.1, 10.0, "K");
        check_range(
            &mut v,
            "condenser_flow_ratio",
            self.condenser_flow_ratio,
            0.2,
            5.0,
            "-",
        );
        check_range(
            &mut v,
            "tower_approach_k",
            self.tower_approach_k,
            0.0,
            15.0,
            "K",
        );
        check_range(&mut v, "min_precool_k", self.min_precool_k, 0.0, 10.0, "K");
        if let Some(t) = self.free_below_wet_bulb_c {
            check_range(&mut v, "free_below_wet_bulb_c", t, -30.0, 40.0, "C");
        }
        if let Some(t) = self.mechanical_above_wet_bulb_c {
            check_range(&mut v, "mechanical_above_wet_bulb_c", t, -30.0, 45.0, "C");
        }
        if let (Some(f), Some(m)) = (self.free_below_wet_bulb_c, self.mechanical_above_wet_bulb_c) {
            if m <= f {
                v.push(ConfigIssue::error(
                    "mechanical_above_wet_bulb_c",
                    format!("{m} C must be above free_below_wet_bulb_c {f} C"),
                ));
            }
        }
        v
    }
}

/// Counterflow plate heat exchanger between chilled water (hot side) and condenser water.
#[derive(Debug, Clone, Copy)]
pub struct PlateHeatExchanger {
    design_ntu: f64,
}

impl PlateHeatExchanger {
    /// Sized so that at a design range of 6 K with equal capacity rates the chilled water leaves
    /// `approach_k` above the entering condenser water: `eps = range / (range + approach)`.
    pub fn from_approach(approach_k: f64) -> Self {
        let range_k = 6.0;
        let eps = range_k / (range_k + approach_k.max(1e-3));
        PlateHeatExchanger {
            design_ntu: counterflow_ntu(eps, 1.0),
        }
    }

    /// Heat moved from chilled water (`chw_in_c`, `chw_kg_s`) to condenser water
    /// (`cw_in_c`, `cw_kg_s`), W (0 when the condenser water is not colder). `UA` is the design
    /// value scaled by the mean flow ratio^0.8 relative to `design_kg_s`.
    pub fn heat_w(
        &self,
        chw_in_c: f64,
        chw_kg_s: f64,
        cw_in_c: f64,
        cw_kg_s: f64,
        design_kg_s: f64,
    ) -> f64 {
        if chw_in_c <= cw_in_c {
            return 0.0;
        }
        self.heat_w_per_k(chw_kg_s, cw_kg_s, design_kg_s) * (chw_in_c - cw_in_c)
    }

    /// `eps * C_min` at these flows, W/K: the heat moved per K of inlet temperature difference
    /// (the effectiveness depends on the flows only, so [`PlateHeatExchanger::heat_w`] is this
    /// times the difference). 0 without flow on either side.
    pub fn heat_w_per_k(&self, chw_kg_s: f64, cw_kg_s: f64, design_kg_s: f64) -> f64 {
        if chw_kg_s <= 0.0 || cw_kg_s <= 0.0 {
            return 0.0;
        }
        let (c1, c2) = (chw_kg_s * CP_WATER_J_KG_K, cw_kg_s * CP_WATER_J_KG_K);
        let (c_min, c_max) = (c1.min(c2), c1.max(c2));
        let ua = self.design_ntu
            * design_kg_s
            * CP_WATER_J_KG_K
            * (0.5 * (chw_kg_s + cw_kg_s) / design_kg_s).powf(0.8);
        counterflow_effectiveness(ua / c_min, c_min / c_max) * c_min
    }
}

/// Three-mode waterside economizer policy on outdoor wet-bulb thresholds.
#[derive(Debug, Clone, Copy)]
pub struct WatersideEconomizerPolicy {
    /// Tower approach + HX approach, K.
    pub total_approach_k: f64,
    /// Minimum useful pre-cooling, K.
    pub min_precool_k: f64,
    /// Configured free-cooling switchover (overrides the derived threshold), C.
    pub free_below_c: Option<f64>,
    /// Configured mechanical switchover (overrides the derived threshold), C.
    pub mechanical_above_c: Option<f64>,
}

impl WatersideEconomizerPolicy {
    /// The policy of `cfg`.
    pub fn new(cfg: &WatersideEconomizerConfig) -> Self {
        WatersideEconomizerPolicy {
            total_approach_k: cfg.tower_approach_k + cfg.hx_approach_k,
            min_precool_k: cfg.min_precool_k,
            free_below_c: cfg.free_below_wet_bulb_c,
            mechanical_above_c: cfg.mechanical_above_wet_bulb_c,
        }
    }

    /// Wet bulb at or below which the economizer alone should meet the supply setpoint, C.
    pub fn free_threshold_c(&self, supply_setpoint_c: f64) -> f64 {
        self.free_below_c
            .unwrap_or(supply_setpoint_c - self.total_approach_k)
    }

    /// Wet bulb below which pre-cooling is worth running, C.
    pub fn partial_threshold_c(&self, return_temp_c: f64) -> f64 {
        self.mechanical_above_c
            .unwrap_or(return_temp_c - self.total_approach_k - self.min_precool_k)
    }

    /// Mode for the outdoor `wet_bulb_c` (use the dry bulb for a dry-cooler economizer).
    pub fn mode(&self, wet_bulb_c: f64, supply_setpoint_c: f64, return_temp_c: f64) -> CoolingMode {
        if wet_bulb_c <= self.free_threshold_c(supply_setpoint_c) {
            CoolingMode::Free
        } else if wet_bulb_c < self.partial_threshold_c(return_temp_c) {
            CoolingMode::Partial
        } else {
            CoolingMode::Mechanical
        }
    }
}

/// Airside economizer with fixed dry-bulb and enthalpy high limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AirsideEconomizer {
    /// Economizer off above this outdoor dry bulb, C. Default 24 (ASHRAE 90.1 climate zone 5).
    pub high_limit_dry_bulb_c: f64,
    /// Economizer off above this outdoor enthalpy, J/kg. Default 66,000 (28 Btu/lb).
    pub high_limit_enthalpy_j_kg: f64,
    /// Minimum outdoor-air fraction, -. Default 0.05.
    pub min_outdoor_air_fraction: f64,
}

impl Default for AirsideEconomizer {
    fn default() -> Self {
        AirsideEconomizer {
            high_limit_dry_bulb_c: 24.0,
            high_limit_enthalpy_j_kg: 66_000.0,
            min_outdoor_air_fraction: 0.05,
        }
    }
}

impl AirsideEconomizer {
    /// All problems of this configuration.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_range(
            &mut v,
            "high_limit_dry_bulb_c",
            self.high_limit_dry_bulb_c,
            -20.0,
            40.0,
            "C",
        );
        check_range(
            &mut v,
            "high_limit_enthalpy_j_kg",
            self.high_limit_enthalpy_j_kg,
            0.0,
            120_000.0,
            "J/kg",
        );
        check_range(
            &mut v,
            "min_outdoor_air_fraction",
            self.min_outdoor_air_fraction,
            0.0,
            1.0,
            "-",
        );
        v
    }

    /// Outdoor-air fraction that mixes `return_air_c` with outdoor air toward `supply_setpoint_c`
    /// (minimum fraction when the economizer is locked out), and the mixed-air temperature.
    pub fn outdoor_air_fraction(
        &self,
        return_air_c: f64,
        supply_setpoint_c: f64,
        dry_bulb_c: f64,
        outdoor_enthalpy_j_kg: f64,
    ) -> (f64, f64) {
        let min = self.min_outdoor_air_fraction;
        let enabled = dry_bulb_c <= self.high_limit_dry_bulb_c
            && outdoor_enthalpy_j_kg <= self.high_limit_enthalpy_j_kg
            && dry_bulb_c < return_air_c;
        let f = if enabled {
            ((return_air_c - supply_setpoint_c) / (return_air_c - dry_bulb_c)).clamp(min, 1.0)
        } else {
            min
        };
        (f, return_air_c + f * (dry_bulb_c - return_air_c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plate_hx_heat_is_its_factor_times_the_difference() {
        let hx = PlateHeatExchanger::from_approach(1.5);
        for &(m_chw, m_cw) in &[(50.0, 50.0), (20.0, 65.0), (80.0, 10.0)] {
            let per_k = hx.heat_w_per_k(m_chw, m_cw, 50.0);
            assert!(per_k > 0.0 && per_k <= m_chw.min(m_cw) * CP_WATER_J_KG_K);
            for &(t_chw, t_cw) in &[(24.0, 16.5), (18.0, 17.999), (30.0, -5.0)] {
                let q = hx.heat_w(t_chw, m_chw, t_cw, m_cw, 50.0);
                assert_eq!(q, per_k * (t_chw - t_cw));
            }
            assert_eq!(hx.heat_w(16.0, m_chw, 16.5, m_cw, 50.0), 0.0);
        }
        assert_eq!(hx.heat_w_per_k(0.0, 50.0, 50.0), 0.0);
        assert_eq!(hx.heat_w_per_k(50.0, 0.0, 50.0), 0.0);
    }

    #[test]
    fn plate_hx_design_approach() {
        let hx = PlateHeatExchanger::from_approach(1.5);
        // Design: chilled water 24 -> 18 C (6 K range) with condenser water entering 16.5 C.
        let m = 50.0;
        let q = hx.heat_w(24.0, m, 16.5, m, m);
        let leaving = 24.0 - q / (m * CP_WATER_J_KG_K);
        assert!((leaving - 18.0).abs() < 1e-9, "{leaving}");
        // Never exceeds the ideal heat (effectiveness <= 1), zero when condenser water is warmer.
        assert!(q <= m * CP_WATER_J_KG_K * 7.5);
        assert_eq!(hx.heat_w(15.0, m, 16.0, m, m), 0.0);
    }

    #[test]
    fn three_modes() {
        let p = WatersideEconomizerPolicy::new(&WatersideEconomizerConfig::default());
        assert_eq!(p.mode(5.0, 18.0, 24.0), CoolingMode::Free);
        assert_eq!(p.mode(15.0, 18.0, 24.0), CoolingMode::Partial);
        assert_eq!(p.mode(22.0, 18.0, 24.0), CoolingMode::Mechanical);
    }

    #[test]
    fn airside_fraction() {
        let e = AirsideEconomizer::default();
        let (f, mix) = e.outdoor_air_fraction(35.0, 22.0, 9.0, 20_000.0);
        assert!((f - 0.5).abs() < 1e-12 && (mix - 22.0).abs() < 1e-12);
        let (f, _) = e.outdoor_air_fraction(35.0, 22.0, 30.0, 60_000.0);
        assert_eq!(f, 0.05);
        let (f, _) = e.outdoor_air_fraction(35.0, 22.0, -30.0, 0.0);
        assert!((0.05..0.25).contains(&f));
    }
}
