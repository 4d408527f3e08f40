//! Moist-air psychrometrics used by the evaporative models (cooling tower, indirect evaporative
//! cooler, DX coil entering wet bulb). The equations (ASHRAE Handbook Fundamentals 2017, ch. 1:
//! Hyland-Wexler saturation pressure, humidity ratio, enthalpy, wet-bulb relation) live in
//! [`dctwin_weather::psychro`]; this module re-exports the ones heat rejection uses and adds the
//! constants and the saturated-air enthalpy of the tower model.

pub use dctwin_weather::psychro::{
    enthalpy_j_kg, humidity_ratio_from_wet_bulb, saturation_humidity_ratio, saturation_pressure_pa,
    wet_bulb_c,
};

/// Latent heat of vaporization of water at about 20 C used for evaporation estimates, J/kg
/// (ASHRAE Fundamentals 2017 ch. 1 table 3: 2454 kJ/kg at 20 C).
pub const LATENT_HEAT_J_KG: f64 = 2.454e6;
/// Standard sea-level pressure, Pa.
pub const STANDARD_PRESSURE_PA: f64 = 101_325.0;

/// Enthalpy of saturated moist air at `t_c`, J/kg dry air.
pub fn saturated_enthalpy_j_kg(t_c: f64, pressure_pa: f64) -> f64 {
    enthalpy_j_kg(t_c, saturation_humidity_ratio(t_c, pressure_pa))
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
