//! Moist-air psychrometrics used by the evaporative models (cooling tower, indirect evaporative
//! cooler, DX coil entering wet bulb). The equations (ASHRAE Handbook Fundamentals 2017, ch. 1:
//! Hyland-Wexler saturation pressure, humidity ratio, enthalpy, wet-bulb relation) live in
//! [`dctwin_weather::psychro`]; this module re-exports the ones heat rejection uses and adds the
//! constants and the saturated-air enthalpy of the tower model.

pub use dctwin_weather::psychro::{
    enthalpy_j_kg, humidity_ratio_from_wet_bulb, moist_air_density_kg_m3,
    saturation_humidity_ratio, saturation_pressure_pa, wet_bulb_c,
};
use serde::{Deserialize, Serialize};

/// Latent heat of vaporization of water at about 20 C used for evaporation estimates, J/kg
/// (ASHRAE Fundamentals 2017 ch. 1 table 3: 2454 kJ/kg at 20 C).
pub const LATENT_HEAT_J_KG: f64 = 2.454e6;
/// Standard sea-level pressure, Pa.
pub const STANDARD_PRESSURE_PA: f64 = 101_325.0;

/// Enthalpy of saturated moist air at `t_c`, J/kg dry air.
pub fn saturated_enthalpy_j_kg(t_c: f64, pressure_pa: f64) -> f64 {
    enthalpy_j_kg(t_c, saturation_humidity_ratio(t_c, pressure_pa))
}

/// Specific heat of moist air per kg of dry air at humidity ratio `w_kg_kg`, J/(kg K): the
/// temperature derivative of ASHRAE Fundamentals 2017 ch. 1 eq. 32,
/// `h = 1.006 t + W (2501 + 1.86 t)` kJ/kg, i.e. `1006 + 1860 W`.
pub fn moist_air_cp_j_kg_k(w_kg_kg: f64) -> f64 {
    1006.0 + 1860.0 * w_kg_kg.max(0.0)
}

/// Mass flow of dry air in `volume_m3_s` of moist air at `t_c`, `w_kg_kg` and `pressure_pa`,
/// kg dry air/s (ASHRAE Fundamentals 2017 ch. 1 eq. 28: specific volume per kg of dry air
/// `v = 0.287042 (t + 273.15)(1 + 1.607858 W) / p`, p in kPa).
pub fn dry_air_mass_flow_kg_s(volume_m3_s: f64, t_c: f64, w_kg_kg: f64, pressure_pa: f64) -> f64 {
    let v = 0.287_042 * (t_c + 273.15) * (1.0 + 1.607_858 * w_kg_kg) / (pressure_pa / 1000.0);
    volume_m3_s / v
}

/// Temperature of saturated air whose enthalpy is `h_j_kg` (J/kg dry air) at `pressure_pa`, C:
/// the inverse of [`saturated_enthalpy_j_kg`] (monotonic increasing) by bisection on
/// -60..100 C to 1e-9 K. Used for the saturated leaving air of wetted exchangers (EnergyPlus
/// Engineering Reference, "Cooling Towers", evaporation loss mode "SaturatedExit").
pub fn saturated_temperature_from_enthalpy_c(h_j_kg: f64, pressure_pa: f64) -> f64 {
    let (mut lo, mut hi) = (-60.0_f64, 100.0_f64);
    if h_j_kg <= saturated_enthalpy_j_kg(lo, pressure_pa) {
        return lo;
    }
    if h_j_kg >= saturated_enthalpy_j_kg(hi, pressure_pa) {
        return hi;
    }
    while hi - lo > 1e-9 {
        let mid = 0.5 * (lo + hi);
        if saturated_enthalpy_j_kg(mid, pressure_pa) < h_j_kg {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// State of a moist-air stream: dry bulb and humidity ratio (with the pressure of the caller).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AirState {
    /// Dry-bulb temperature, C.
    pub dry_bulb_c: f64,
    /// Humidity ratio, kg water vapour / kg dry air (0..0.1).
    pub humidity_ratio: f64,
}

impl AirState {
    /// Air at `dry_bulb_c` with the humidity ratio of wet bulb `wet_bulb_c` at `pressure_pa`.
    pub fn from_wet_bulb(dry_bulb_c: f64, wet_bulb_c: f64, pressure_pa: f64) -> Self {
        AirState {
            dry_bulb_c,
            humidity_ratio: humidity_ratio_from_wet_bulb(
                dry_bulb_c,
                wet_bulb_c.min(dry_bulb_c),
                pressure_pa,
            )
            .max(0.0),
        }
    }

    /// Saturated air at `t_c` and `pressure_pa`.
    pub fn saturated(t_c: f64, pressure_pa: f64) -> Self {
        AirState {
            dry_bulb_c: t_c,
            humidity_ratio: saturation_humidity_ratio(t_c, pressure_pa),
        }
    }

    /// Enthalpy, J/kg dry air (ASHRAE Fundamentals 2017 ch. 1 eq. 32).
    pub fn enthalpy_j_kg(&self) -> f64 {
        enthalpy_j_kg(self.dry_bulb_c, self.humidity_ratio)
    }

    /// Wet-bulb temperature at `pressure_pa`, C.
    pub fn wet_bulb_c(&self, pressure_pa: f64) -> f64 {
        wet_bulb_c(self.dry_bulb_c, self.humidity_ratio, pressure_pa)
    }

    /// Specific heat per kg of dry air, J/(kg K) ([`moist_air_cp_j_kg_k`]).
    pub fn cp_j_kg_k(&self) -> f64 {
        moist_air_cp_j_kg_k(self.humidity_ratio)
    }
}

/// Air leaving a wetted exchanger (cooling-tower fill, IEC secondary channel) that took
/// `heat_w` into `dry_air_kg_s` of air entering at `inlet`: the leaving enthalpy from the energy
/// balance `h_out = h_in + Q / m_a` and the leaving air saturated (EnergyPlus Engineering
/// Reference, "Cooling Towers", evaporation loss mode "SaturatedExit"). For `Q > 0` the
/// saturated state at `h_out` is always wetter than the inlet (the inlet's dew point lies on a
/// lower enthalpy), so evaporation `m_a (W_out - W_in)` is positive; hot dry air may leave
/// cooler than it entered (it gave sensible heat to the water). Returns the leaving state.
pub fn saturated_exit_state(
    inlet: AirState,
    heat_w: f64,
    dry_air_kg_s: f64,
    pressure_pa: f64,
) -> AirState {
    if dry_air_kg_s <= 0.0 || heat_w <= 0.0 {
        return inlet;
    }
    let h_out = inlet.enthalpy_j_kg() + heat_w / dry_air_kg_s;
    AirState::saturated(
        saturated_temperature_from_enthalpy_c(h_out, pressure_pa),
        pressure_pa,
    )
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

    #[test]
    fn saturated_exit_conserves_energy_and_inverts_enthalpy() {
        let p = STANDARD_PRESSURE_PA;
        for &t in &[-10.0, 0.0, 12.5, 30.0, 45.0] {
            let h = saturated_enthalpy_j_kg(t, p);
            assert!((saturated_temperature_from_enthalpy_c(h, p) - t).abs() < 1e-6);
        }
        let inlet = AirState::from_wet_bulb(30.0, 20.0, p);
        let out = saturated_exit_state(inlet, 1.0e6, 50.0, p);
        // Energy balance: m (h_out - h_in) = Q, the air leaves saturated and wetter.
        assert!((50.0 * (out.enthalpy_j_kg() - inlet.enthalpy_j_kg()) - 1.0e6).abs() < 1e-2);
        assert!((out.humidity_ratio - saturation_humidity_ratio(out.dry_bulb_c, p)).abs() < 1e-12);
        assert!(out.humidity_ratio > inlet.humidity_ratio);
        // Hot dry air taking a little heat: it cools evaporatively and leaves wetter.
        let dry = AirState {
            dry_bulb_c: 40.0,
            humidity_ratio: 0.01,
        };
        let o = saturated_exit_state(dry, 1.0e3, 50.0, p);
        assert!(o.dry_bulb_c < 30.0 && o.humidity_ratio > 0.01, "{o:?}");
        assert!((50.0 * (o.enthalpy_j_kg() - dry.enthalpy_j_kg()) - 1.0e3).abs() < 1e-2);
    }

    #[test]
    fn dry_air_mass_flow_matches_density() {
        // Dry air at 20 C: ASHRAE Fundamentals 2017 ch. 1 table 2, v_da = 0.8301 m3/kg.
        let m0 = dry_air_mass_flow_kg_s(1.0, 20.0, 0.0, STANDARD_PRESSURE_PA);
        assert!((1.0 / m0 - 0.8301).abs() < 1e-3, "{}", 1.0 / m0);
        // Saturated at 20 C (W_s = 0.014758): table 2 v_s = 0.8497 m3/kg dry air.
        let ms = dry_air_mass_flow_kg_s(1.0, 20.0, 0.014_758, STANDARD_PRESSURE_PA);
        assert!((1.0 / ms - 0.8497).abs() < 1e-3, "{}", 1.0 / ms);
        let m = dry_air_mass_flow_kg_s(1.0, 20.0, 0.0073, STANDARD_PRESSURE_PA);
        let rho = moist_air_density_kg_m3(20.0, 0.0073, STANDARD_PRESSURE_PA);
        assert!((m * 1.0073 - rho).abs() < 1e-9);
    }
}
