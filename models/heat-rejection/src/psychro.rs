//! Moist-air psychrometrics used by the evaporative models (cooling tower, indirect evaporative
//! cooler, DX coil entering wet bulb). Equations from ASHRAE Handbook Fundamentals (2017), ch. 1:
//! saturation pressure over liquid water (Hyland-Wexler, eq. 6), humidity ratio (eq. 20/22),
//! moist-air enthalpy (eq. 32) and the wet-bulb relation (eq. 33/35). Kept here so that this crate
//! does not depend on the weather crate's internals; both follow the same reference.

/// Latent heat of vaporization of water at about 20 C used for evaporation estimates, J/kg
/// (ASHRAE Fundamentals 2017 ch. 1 table 3: 2454 kJ/kg at 20 C).
pub const LATENT_HEAT_J_KG: f64 = 2.454e6;
/// Standard sea-level pressure, Pa.
pub const STANDARD_PRESSURE_PA: f64 = 101_325.0;

/// Saturation vapour pressure over liquid water at `t_c`, Pa (ASHRAE Fundamentals eq. 6, valid
/// 0 to 200 C; used slightly below 0 C as an approximation).
pub fn saturation_pressure_pa(t_c: f64) -> f64 {
    let t = t_c + 273.15;
    let ln_p = -5.800_220_6e3 / t + 1.391_499_3 - 4.864_023_9e-2 * t + 4.176_476_8e-5 * t * t
        - 1.445_209_3e-8 * t * t * t
        + 6.545_967_3 * t.ln();
    ln_p.exp()
}

/// Humidity ratio of saturated air at `t_c` and `pressure_pa`, kg water / kg dry air.
pub fn saturation_humidity_ratio(t_c: f64, pressure_pa: f64) -> f64 {
    let pws = saturation_pressure_pa(t_c).min(0.99 * pressure_pa);
    0.621_945 * pws / (pressure_pa - pws)
}

/// Moist-air specific enthalpy, J per kg dry air (ASHRAE Fundamentals eq. 32).
pub fn enthalpy_j_kg(dry_bulb_c: f64, humidity_ratio: f64) -> f64 {
    1006.0 * dry_bulb_c + humidity_ratio * (2_501_000.0 + 1860.0 * dry_bulb_c)
}

/// Enthalpy of saturated air at `t_c`, J/kg dry air.
pub fn saturated_enthalpy_j_kg(t_c: f64, pressure_pa: f64) -> f64 {
    enthalpy_j_kg(t_c, saturation_humidity_ratio(t_c, pressure_pa))
}

/// Humidity ratio from dry bulb and wet bulb (ASHRAE Fundamentals eq. 35), kg/kg, never below 0.
pub fn humidity_ratio_from_wet_bulb(dry_bulb_c: f64, wet_bulb_c: f64, pressure_pa: f64) -> f64 {
    let ws = saturation_humidity_ratio(wet_bulb_c, pressure_pa);
    let w = ((2501.0 - 2.326 * wet_bulb_c) * ws - 1.006 * (dry_bulb_c - wet_bulb_c))
        / (2501.0 + 1.86 * dry_bulb_c - 4.186 * wet_bulb_c);
    w.max(0.0)
}

/// Wet bulb from dry bulb and humidity ratio by bisection on eq. 35, C.
pub fn wet_bulb_c(dry_bulb_c: f64, humidity_ratio: f64, pressure_pa: f64) -> f64 {
    let mut lo = dry_bulb_c - 60.0;
    let mut hi = dry_bulb_c;
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if humidity_ratio_from_wet_bulb(dry_bulb_c, mid, pressure_pa) > humidity_ratio {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturation_pressure_matches_ashrae_table() {
        // ASHRAE Fundamentals 2017 ch. 1 table 3: pws(20 C) = 2.3392 kPa, pws(30 C) = 4.2467 kPa.
        assert!((saturation_pressure_pa(20.0) - 2339.2).abs() < 2.0);
        assert!((saturation_pressure_pa(30.0) - 4246.7).abs() < 3.0);
    }

    #[test]
    fn saturated_enthalpy_matches_ashrae_table() {
        // ASHRAE Fundamentals 2017 ch. 1 table 2: h_s(20 C) = 57.55 kJ/kg, Ws = 0.014758.
        let h = saturated_enthalpy_j_kg(20.0, STANDARD_PRESSURE_PA);
        assert!((h - 57_550.0).abs() < 150.0, "{h}");
        let w = saturation_humidity_ratio(20.0, STANDARD_PRESSURE_PA);
        // The table includes the enhancement factor (~0.4 %) which eq. 22 omits: 1e-4 tolerance.
        assert!((w - 0.014_758).abs() < 1e-4, "{w}");
    }

    #[test]
    fn wet_bulb_round_trip() {
        let w = humidity_ratio_from_wet_bulb(30.0, 20.0, STANDARD_PRESSURE_PA);
        let wb = wet_bulb_c(30.0, w, STANDARD_PRESSURE_PA);
        assert!((wb - 20.0).abs() < 1e-6);
        // Saturated air: wet bulb equals dry bulb.
        let ws = saturation_humidity_ratio(25.0, STANDARD_PRESSURE_PA);
        assert!((wet_bulb_c(25.0, ws, STANDARD_PRESSURE_PA) - 25.0).abs() < 1e-3);
    }
}
