//! Psychrometrics of moist air (SI units).
//!
//! Source: ASHRAE Handbook — Fundamentals 2017 (SI), chapter 1 "Psychrometrics":
//! - saturation vapour pressure by the Hyland-Wexler (1983) correlations, eq. (5) over ice for
//!   -100..0 C and eq. (6) over liquid water for 0..200 C;
//! - humidity ratio eq. (20)/(22) with the ratio of molar masses 0.621945;
//! - relative humidity eq. (24) (vapour-pressure ratio);
//! - wet-bulb temperature from the thermodynamic wet-bulb relation eq. (33) (above freezing)
//!   and eq. (35) (below freezing), solved here by bisection;
//! - moist-air enthalpy eq. (32), specific volume eq. (28);
//! - standard-atmosphere pressure from elevation eq. (3).
//!
//! The enhancement factor of real moist air (about 1.004) is neglected, as in the perfect-gas
//! treatment of the same chapter, so humidity ratios at saturation are about 0.4 % below the
//! table values. Temperatures are `_c` (degrees Celsius), pressures `_pa` (pascal), humidity
//! ratios in kg of water vapour per kg of dry air, relative humidity as a fraction 0..1.

/// Ratio of the molar mass of water vapour to that of dry air (ASHRAE 2017 ch.1 eq. 20).
pub const MOLAR_MASS_RATIO: f64 = 0.621_945;
/// Standard sea-level atmospheric pressure, Pa.
pub const STANDARD_PRESSURE_PA: f64 = 101_325.0;
/// 0 C in kelvin.
pub const ZERO_C_IN_K: f64 = 273.15;

/// Saturation vapour pressure (Pa) over ice for `t_c` < 0 C and over liquid water for
/// `t_c` >= 0 C (Hyland-Wexler, ASHRAE 2017 ch.1 eqs. 5 and 6). Valid for -100..200 C.
pub fn saturation_pressure_pa(t_c: f64) -> f64 {
    let t = t_c + ZERO_C_IN_K;
    let ln_p = if t_c < 0.0 {
        -5.674_535_9e3 / t + 6.392_524_7 - 9.677_843_0e-3 * t
            + 6.221_570_1e-7 * t * t
            + 2.074_782_5e-9 * t * t * t
            - 9.484_024_0e-13 * t * t * t * t
            + 4.163_501_9 * t.ln()
    } else {
        -5.800_220_6e3 / t + 1.391_499_3 - 4.864_023_9e-2 * t + 4.176_476_8e-5 * t * t
            - 1.445_209_3e-8 * t * t * t
            + 6.545_967_3 * t.ln()
    };
    ln_p.exp()
}

/// Humidity ratio (kg/kg dry air) of air whose water-vapour partial pressure is `pw_pa` at total
/// pressure `p_pa` (ASHRAE 2017 ch.1 eq. 20).
pub fn humidity_ratio_from_vapour_pressure(pw_pa: f64, p_pa: f64) -> f64 {
    MOLAR_MASS_RATIO * pw_pa / (p_pa - pw_pa).max(1.0)
}

/// Water-vapour partial pressure (Pa) of air with humidity ratio `w_kg_kg` at total pressure
/// `p_pa` (inverse of eq. 20).
pub fn vapour_pressure_from_humidity_ratio(w_kg_kg: f64, p_pa: f64) -> f64 {
    let w = w_kg_kg.max(0.0);
    p_pa * w / (MOLAR_MASS_RATIO + w)
}

/// Humidity ratio at saturation (kg/kg) at `t_c` and `p_pa` (eq. 23).
pub fn saturation_humidity_ratio(t_c: f64, p_pa: f64) -> f64 {
    humidity_ratio_from_vapour_pressure(saturation_pressure_pa(t_c), p_pa)
}

/// Humidity ratio (kg/kg) from dry bulb `t_c`, relative humidity `rh` (0..1) and pressure
/// (eqs. 24 and 20). `rh` is clamped to 0..1.
pub fn humidity_ratio_from_rh(t_c: f64, rh: f64, p_pa: f64) -> f64 {
    let pw = rh.clamp(0.0, 1.0) * saturation_pressure_pa(t_c);
    humidity_ratio_from_vapour_pressure(pw, p_pa)
}

/// Relative humidity (0..1, not capped) from dry bulb, humidity ratio and pressure (eq. 24).
pub fn relative_humidity_from_humidity_ratio(t_c: f64, w_kg_kg: f64, p_pa: f64) -> f64 {
    vapour_pressure_from_humidity_ratio(w_kg_kg, p_pa) / saturation_pressure_pa(t_c)
}

/// Dew-point temperature (C) at which the saturation pressure equals `pw_pa` (over ice below
/// 0 C, i.e. the frost point there). Solved by bisection on -100..200 C with at most 80 halvings
/// (resolution below 1e-9 K), so it always terminates. `pw_pa` <= 0 gives -100 C.
pub fn dew_point_from_vapour_pressure_c(pw_pa: f64) -> f64 {
    let (mut lo, mut hi) = (-100.0_f64, 200.0_f64);
    if pw_pa.is_nan() || pw_pa <= saturation_pressure_pa(lo) {
        return lo;
    }
    if pw_pa >= saturation_pressure_pa(hi) {
        return hi;
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if saturation_pressure_pa(mid) < pw_pa {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-9 {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Dew-point temperature (C) of air with humidity ratio `w_kg_kg` at `p_pa`.
pub fn dew_point_c(w_kg_kg: f64, p_pa: f64) -> f64 {
    dew_point_from_vapour_pressure_c(vapour_pressure_from_humidity_ratio(w_kg_kg, p_pa))
}

/// Humidity ratio (kg/kg) of air at dry bulb `t_c` whose thermodynamic wet bulb is `t_wb_c`
/// (ASHRAE 2017 ch.1 eq. 33 for `t_wb_c` >= 0 C, eq. 35 below freezing).
pub fn humidity_ratio_from_wet_bulb(t_c: f64, t_wb_c: f64, p_pa: f64) -> f64 {
    let ws = saturation_humidity_ratio(t_wb_c, p_pa);
    let (num, den) = if t_wb_c >= 0.0 {
        (
            (2501.0 - 2.326 * t_wb_c) * ws - 1.006 * (t_c - t_wb_c),
            2501.0 + 1.86 * t_c - 4.186 * t_wb_c,
        )
    } else {
        (
            (2830.0 - 0.24 * t_wb_c) * ws - 1.006 * (t_c - t_wb_c),
            2830.0 + 1.86 * t_c - 2.1 * t_wb_c,
        )
    };
    num / den
}

/// Thermodynamic wet-bulb temperature (C) of air at dry bulb `t_c`, humidity ratio `w_kg_kg`
/// and pressure `p_pa`. Eq. 33/35 is solved for the wet bulb by bisection between
/// (dew point - 1 K) and the dry bulb: at most 80 halvings, so it always terminates; the result
/// never exceeds the dry bulb.
pub fn wet_bulb_c(t_c: f64, w_kg_kg: f64, p_pa: f64) -> f64 {
    let mut hi = t_c;
    let mut lo = dew_point_c(w_kg_kg, p_pa).min(t_c) - 1.0;
    // Humidity ratio implied by a trial wet bulb rises with the trial value.
    if humidity_ratio_from_wet_bulb(t_c, hi, p_pa) <= w_kg_kg {
        return hi;
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if humidity_ratio_from_wet_bulb(t_c, mid, p_pa) < w_kg_kg {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-9 {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Specific enthalpy of moist air, J per kg of dry air, with 0 C dry air and liquid water as
/// reference (ASHRAE 2017 ch.1 eq. 32: h = 1.006 t + W (2501 + 1.86 t) kJ/kg).
pub fn enthalpy_j_kg(t_c: f64, w_kg_kg: f64) -> f64 {
    1000.0 * (1.006 * t_c + w_kg_kg * (2501.0 + 1.86 * t_c))
}

/// Density of moist air, kg of moist air per m3 (from the specific volume of eq. 28,
/// v = 0.287042 (t + 273.15)(1 + 1.607858 W)/p with p in kPa: rho = (1 + W)/v).
pub fn moist_air_density_kg_m3(t_c: f64, w_kg_kg: f64, p_pa: f64) -> f64 {
    let v = 0.287_042 * (t_c + ZERO_C_IN_K) * (1.0 + 1.607_858 * w_kg_kg) / (p_pa / 1000.0);
    (1.0 + w_kg_kg) / v
}

/// Standard-atmosphere barometric pressure (Pa) at elevation `elevation_m` above sea level
/// (ASHRAE 2017 ch.1 eq. 3: p = 101.325 (1 - 2.25577e-5 Z)^5.2559 kPa, valid to 11 km).
pub fn pressure_from_elevation_pa(elevation_m: f64) -> f64 {
    STANDARD_PRESSURE_PA * (1.0 - 2.255_77e-5 * elevation_m).max(0.0).powf(5.2559)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ASHRAE Handbook Fundamentals 2017 ch.1 Table 2 (over water) and Table 3 (over ice):
    /// tabulated saturation pressures (the 2017 tables come from IAPWS formulations; the
    /// Hyland-Wexler fit differs by up to ~0.03 %, e.g. 5.6278 vs 5.6291 kPa at 35 C).
    /// Tolerance 0.05 %.
    #[test]
    fn saturation_pressure_matches_ashrae_tables() {
        for (t_c, p_kpa) in [
            (20.0, 2.3389),
            (35.0, 5.6291),
            (0.0, 0.61121),
            (-20.0, 0.10326),
        ] {
            let got = saturation_pressure_pa(t_c) / 1000.0;
            assert!(
                (got - p_kpa).abs() / p_kpa < 5e-4,
                "p_ws({t_c} C) = {got} kPa, table {p_kpa}"
            );
        }
    }

    /// Table 2 at 20 C: W_s = 0.014758 kg/kg and h_s = 57.555 kJ/kg at 101.325 kPa. Without the
    /// enhancement factor we are about 0.4 % low; tolerance 1 %.
    #[test]
    fn saturation_humidity_ratio_and_enthalpy_at_20c() {
        let ws = saturation_humidity_ratio(20.0, STANDARD_PRESSURE_PA);
        assert!((ws - 0.014758).abs() / 0.014758 < 0.01, "ws {ws}");
        let hs = enthalpy_j_kg(20.0, ws) / 1000.0;
        assert!((hs - 57.555).abs() / 57.555 < 0.01, "hs {hs}");
    }

    /// Psychrometric chart (ASHRAE chart no. 1) reading: 35 C db, 40 % RH at 101.325 kPa has a
    /// wet bulb of about 23.9 C; tolerance 0.2 K.
    #[test]
    fn wet_bulb_reference_point() {
        let w = humidity_ratio_from_rh(35.0, 0.40, STANDARD_PRESSURE_PA);
        let twb = wet_bulb_c(35.0, w, STANDARD_PRESSURE_PA);
        assert!((twb - 23.9).abs() < 0.2, "wet bulb {twb}");
    }

    /// ASHRAE 2017 ch.1 Example 2 style check: 30 C db, 20 C wb (101.325 kPa) -> W ~ 0.01065
    /// kg/kg (chart value); tolerance 2 %. The inverse must return the same wet bulb.
    #[test]
    fn wet_bulb_round_trip() {
        let w = humidity_ratio_from_wet_bulb(30.0, 20.0, STANDARD_PRESSURE_PA);
        assert!((w - 0.01065).abs() / 0.01065 < 0.02, "w {w}");
        let twb = wet_bulb_c(30.0, w, STANDARD_PRESSURE_PA);
        assert!((twb - 20.0).abs() < 1e-6, "twb {twb}");
        // Below freezing (eq. 35).
        let w = humidity_ratio_from_wet_bulb(-5.0, -7.0, STANDARD_PRESSURE_PA);
        assert!((wet_bulb_c(-5.0, w, STANDARD_PRESSURE_PA) + 7.0).abs() < 1e-6);
    }

    #[test]
    fn orderings_and_saturation() {
        // Dew point <= wet bulb <= dry bulb; all equal at saturation.
        for t in [-20.0, -5.0, 0.5, 15.0, 30.0, 45.0] {
            for rh in [0.05, 0.3, 0.7, 1.0] {
                let w = humidity_ratio_from_rh(t, rh, STANDARD_PRESSURE_PA);
                let tdp = dew_point_c(w, STANDARD_PRESSURE_PA);
                let twb = wet_bulb_c(t, w, STANDARD_PRESSURE_PA);
                assert!(
                    tdp <= twb + 1e-6 && twb <= t + 1e-9,
                    "{t} {rh}: {tdp} {twb}"
                );
                let back = relative_humidity_from_humidity_ratio(t, w, STANDARD_PRESSURE_PA);
                assert!((back - rh).abs() < 1e-9);
                if rh == 1.0 {
                    assert!((tdp - t).abs() < 1e-6 && (twb - t).abs() < 1e-6);
                }
            }
        }
    }

    #[test]
    fn wet_bulb_rises_with_humidity_and_dry_bulb() {
        let p = STANDARD_PRESSURE_PA;
        let mut last = f64::NEG_INFINITY;
        for i in 0..20 {
            let twb = wet_bulb_c(30.0, 0.001 * f64::from(i), p);
            assert!(twb > last);
            last = twb;
        }
        assert!(wet_bulb_c(31.0, 0.01, p) > wet_bulb_c(30.0, 0.01, p));
    }

    /// ASHRAE 2017 ch.1 Table 1: 84.556 kPa at 1500 m, 101.325 at 0 m. Standard dry air at
    /// 20 C, 101.325 kPa has density 1.204 kg/m3.
    #[test]
    fn elevation_and_density() {
        assert!((pressure_from_elevation_pa(0.0) - 101_325.0).abs() < 1e-6);
        assert!((pressure_from_elevation_pa(1500.0) / 1000.0 - 84.556).abs() < 0.01);
        let rho = moist_air_density_kg_m3(20.0, 0.0, STANDARD_PRESSURE_PA);
        assert!((rho - 1.204).abs() < 0.002, "rho {rho}");
        // Humid air is lighter than dry air at the same temperature and pressure.
        assert!(moist_air_density_kg_m3(20.0, 0.01, STANDARD_PRESSURE_PA) < rho);
    }

    #[test]
    fn degenerate_inputs_do_not_hang_or_nan() {
        assert_eq!(dew_point_c(0.0, STANDARD_PRESSURE_PA), -100.0);
        let twb = wet_bulb_c(20.0, 0.0, STANDARD_PRESSURE_PA);
        assert!(twb.is_finite() && twb < 20.0);
    }

    proptest::proptest! {
        /// For any state in the outdoor range: dew point <= wet bulb <= dry bulb, the wet bulb
        /// reproduces the humidity ratio through eq. 33/35, and enthalpy rises with humidity.
        #[test]
        fn wet_bulb_invariants(t in -40.0f64..55.0, rh in 0.01f64..1.0, z in 0.0f64..3000.0) {
            let p = pressure_from_elevation_pa(z);
            let w = humidity_ratio_from_rh(t, rh, p);
            let twb = wet_bulb_c(t, w, p);
            let tdp = dew_point_c(w, p);
            proptest::prop_assert!(tdp <= twb + 1e-6 && twb <= t + 1e-9);
            let back = humidity_ratio_from_wet_bulb(t, twb, p);
            proptest::prop_assert!((back - w).abs() < 1e-8, "{} vs {}", back, w);
            proptest::prop_assert!(enthalpy_j_kg(t, w * 1.1 + 1e-4) > enthalpy_j_kg(t, w));
            // RH falls as the air warms at constant humidity ratio.
            proptest::prop_assert!(
                relative_humidity_from_humidity_ratio(t + 1.0, w, p)
                    < relative_humidity_from_humidity_ratio(t, w, p)
            );
        }
    }
}
