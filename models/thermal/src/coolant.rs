//! Coolant properties versus temperature, from tables, interpolated.
//!
//! Density, heat capacity and conductivity are interpolated linearly between table points;
//! dynamic viscosity is interpolated linearly in `ln(mu)` (viscosity of liquids is close to
//! exponential in temperature over a 20 K interval, Andrade's equation). Outside the table's
//! range the lookup is an error ([`Coolant::properties`]); the plant, whose setpoints are
//! validated to lie inside the range, may use the clamped lookup
//! ([`Coolant::properties_clamped`]).
//!
//! Sources:
//! - **Water**: IAPWS-95 formulation at 0.1013 MPa as tabulated in the NIST Chemistry WebBook
//!   (thermophysical properties of fluid systems, isobaric, liquid), with IAPWS 2008 viscosity
//!   and IAPWS 2011 conductivity; 0–90 °C.
//! - **Propylene glycol / water, 25 % and 40 % by volume** (inhibited industrial grade):
//!   ASHRAE Handbook — Fundamentals (2017), chapter 31 "Physical properties of secondary
//!   coolants (brines)", tables of density, specific heat, thermal conductivity and viscosity
//!   of aqueous propylene glycol solutions; 0–80 °C (the freezing points are −10 °C and −21 °C,
//!   the tables used here start at 0 °C).
//! - **Dielectric hydrocarbon** (single-phase immersion fluid, a gas-to-liquids synthetic
//!   paraffin of the kind sold as Shell Immersion Cooling Fluid S5 X): density 778 kg/m³ at
//!   15 °C, kinematic viscosity 7.7 mm²/s at 40 °C and about 2.3 mm²/s at 100 °C, conductivity
//!   about 0.14 W/(m·K), heat capacity about 2.2 kJ/(kg·K) at 40 °C (manufacturer technical data
//!   sheet typical values); intermediate points linear in temperature for density, heat
//!   capacity and conductivity and by ASTM D341 (Walther) for viscosity; 20–100 °C.

use serde::{Deserialize, Serialize};

use crate::ThermalError;

/// A heat-transfer liquid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Coolant {
    /// Pure water (IAPWS-95).
    #[default]
    Water,
    /// Propylene glycol / water, 25 % glycol by volume (ASHRAE Fundamentals ch. 31).
    PropyleneGlycol25,
    /// Propylene glycol / water, 40 % glycol by volume (ASHRAE Fundamentals ch. 31).
    PropyleneGlycol40,
    /// Single-phase dielectric synthetic hydrocarbon for immersion tanks (data-sheet values).
    DielectricHydrocarbon,
}

/// Thermophysical properties of a liquid at one temperature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FluidProperties {
    /// Density, kg/m³.
    pub density_kg_m3: f64,
    /// Isobaric specific heat capacity, J/(kg·K).
    pub cp_j_kg_k: f64,
    /// Dynamic viscosity, Pa·s.
    pub viscosity_pa_s: f64,
    /// Thermal conductivity, W/(m·K).
    pub conductivity_w_m_k: f64,
}

/// One table row: temperature °C, density kg/m³, cp J/(kg·K), viscosity mPa·s, conductivity
/// W/(m·K).
type Row = (f64, f64, f64, f64, f64);

const WATER: &[Row] = &[
    (0.0, 999.84, 4219.9, 1.7914, 0.5610),
    (10.0, 999.70, 4195.5, 1.3060, 0.5800),
    (20.0, 998.21, 4184.1, 1.0016, 0.5984),
    (30.0, 995.65, 4180.1, 0.7972, 0.6154),
    (40.0, 992.22, 4179.6, 0.6527, 0.6305),
    (50.0, 988.03, 4181.5, 0.5465, 0.6435),
    (60.0, 983.20, 4185.1, 0.4660, 0.6543),
    (70.0, 977.76, 4190.3, 0.4035, 0.6631),
    (80.0, 971.79, 4196.9, 0.3540, 0.6700),
    (90.0, 965.31, 4205.0, 0.3144, 0.6753),
];

const PG25: &[Row] = &[
    (0.0, 1024.0, 3900.0, 4.00, 0.465),
    (20.0, 1018.0, 3930.0, 2.20, 0.489),
    (40.0, 1010.0, 3970.0, 1.30, 0.508),
    (60.0, 999.0, 4010.0, 0.88, 0.521),
    (80.0, 987.0, 4050.0, 0.64, 0.529),
];

const PG40: &[Row] = &[
    (0.0, 1038.0, 3650.0, 8.00, 0.409),
    (20.0, 1030.0, 3700.0, 4.00, 0.426),
    (40.0, 1020.0, 3760.0, 2.20, 0.440),
    (60.0, 1008.0, 3820.0, 1.40, 0.448),
    (80.0, 995.0, 3880.0, 0.95, 0.452),
];

const DIELECTRIC: &[Row] = &[
    (20.0, 790.0, 2140.0, 11.85, 0.142),
    (40.0, 777.0, 2220.0, 5.98, 0.139),
    (60.0, 764.0, 2300.0, 3.51, 0.136),
    (80.0, 751.0, 2380.0, 2.33, 0.133),
    (100.0, 738.0, 2460.0, 1.70, 0.130),
];

impl Coolant {
    /// Human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Coolant::Water => "water",
            Coolant::PropyleneGlycol25 => "propylene glycol 25 %",
            Coolant::PropyleneGlycol40 => "propylene glycol 40 %",
            Coolant::DielectricHydrocarbon => "dielectric hydrocarbon",
        }
    }

    fn table(self) -> &'static [Row] {
        match self {
            Coolant::Water => WATER,
            Coolant::PropyleneGlycol25 => PG25,
            Coolant::PropyleneGlycol40 => PG40,
            Coolant::DielectricHydrocarbon => DIELECTRIC,
        }
    }

    /// Valid temperature range `(min_c, max_c)` of the table, °C.
    pub fn valid_range_c(self) -> (f64, f64) {
        let t = self.table();
        (t[0].0, t[t.len() - 1].0)
    }

    /// Properties at `temp_c`; an error outside [`Coolant::valid_range_c`] or if not finite.
    pub fn properties(self, temp_c: f64) -> Result<FluidProperties, ThermalError> {
        let (min_c, max_c) = self.valid_range_c();
        if !(temp_c >= min_c && temp_c <= max_c) {
            return Err(ThermalError::OutOfRange {
                fluid: self.name(),
                temp_c,
                min_c,
                max_c,
            });
        }
        Ok(interpolate(self.table(), temp_c))
    }

    /// Properties at `temp_c` clamped into the valid range (NaN is taken as the range's lower
    /// end). For hot loops whose setpoints were validated against the range beforehand.
    pub fn properties_clamped(self, temp_c: f64) -> FluidProperties {
        let (min_c, max_c) = self.valid_range_c();
        let t = if temp_c.is_nan() {
            min_c
        } else {
            temp_c.clamp(min_c, max_c)
        };
        interpolate(self.table(), t)
    }
}

fn interpolate(table: &[Row], t: f64) -> FluidProperties {
    let mut i = 0;
    while i + 2 < table.len() && t > table[i + 1].0 {
        i += 1;
    }
    let (a, b) = (table[i], table[i + 1]);
    let w = (t - a.0) / (b.0 - a.0);
    let lin = |x: f64, y: f64| x + w * (y - x);
    FluidProperties {
        density_kg_m3: lin(a.1, b.1),
        cp_j_kg_k: lin(a.2, b.2),
        viscosity_pa_s: 1e-3 * (a.3.ln() + w * (b.3.ln() - a.3.ln())).exp(),
        conductivity_w_m_k: lin(a.4, b.4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs()
    }

    #[test]
    fn water_matches_iapws_table_points() {
        // NIST WebBook (IAPWS-95), 1 atm: 25 °C rho 997.05, cp 4181.3, mu 0.8900 mPa s,
        // k 0.6072. 25 °C is between table rows, so this checks the interpolation too.
        let p = Coolant::Water.properties(25.0).unwrap();
        assert!(rel(p.density_kg_m3, 997.05) < 1e-3, "{p:?}");
        assert!(rel(p.cp_j_kg_k, 4181.3) < 2e-3);
        assert!(rel(p.viscosity_pa_s, 0.8900e-3) < 0.01);
        assert!(rel(p.conductivity_w_m_k, 0.6072) < 0.005);
        let p = Coolant::Water.properties(40.0).unwrap();
        assert_eq!(p.density_kg_m3, 992.22);
        assert!(rel(p.viscosity_pa_s, 0.6527e-3) < 1e-12);
    }

    #[test]
    fn glycols_reproduce_their_table_rows() {
        // ASHRAE Fundamentals ch. 31 rows at 20 °C, exact at a table point.
        let p = Coolant::PropyleneGlycol25.properties(20.0).unwrap();
        assert_eq!((p.density_kg_m3, p.cp_j_kg_k), (1018.0, 3930.0));
        let p = Coolant::PropyleneGlycol40.properties(40.0).unwrap();
        assert_eq!((p.density_kg_m3, p.cp_j_kg_k), (1020.0, 3760.0));
        assert!(rel(p.viscosity_pa_s, 2.2e-3) < 1e-12);
    }

    #[test]
    fn glycol_is_denser_more_viscous_and_holds_less_heat_than_water() {
        for t in [5.0, 25.0, 45.0, 75.0] {
            let w = Coolant::Water.properties(t).unwrap();
            let g25 = Coolant::PropyleneGlycol25.properties(t).unwrap();
            let g40 = Coolant::PropyleneGlycol40.properties(t).unwrap();
            assert!(w.cp_j_kg_k > g25.cp_j_kg_k && g25.cp_j_kg_k > g40.cp_j_kg_k);
            assert!(w.viscosity_pa_s < g25.viscosity_pa_s);
            assert!(g25.viscosity_pa_s < g40.viscosity_pa_s);
            assert!(w.density_kg_m3 < g25.density_kg_m3);
            assert!(w.conductivity_w_m_k > g40.conductivity_w_m_k);
        }
    }

    #[test]
    fn dielectric_matches_data_sheet_40c_viscosity() {
        // Data sheet: 7.7 mm²/s at 40 °C; mu = nu * rho.
        let p = Coolant::DielectricHydrocarbon.properties(40.0).unwrap();
        let nu_mm2_s = p.viscosity_pa_s / p.density_kg_m3 * 1e6;
        assert!((nu_mm2_s - 7.7).abs() < 0.05, "{nu_mm2_s}");
        assert!((p.cp_j_kg_k - 2220.0).abs() < 1.0);
    }

    #[test]
    fn viscosity_falls_monotonically_with_temperature() {
        for c in [
            Coolant::Water,
            Coolant::PropyleneGlycol25,
            Coolant::PropyleneGlycol40,
            Coolant::DielectricHydrocarbon,
        ] {
            let (lo, hi) = c.valid_range_c();
            let mut prev = f64::INFINITY;
            let mut t = lo;
            while t <= hi {
                let mu = c.properties(t).unwrap().viscosity_pa_s;
                assert!(mu < prev, "{c:?} at {t}");
                prev = mu;
                t += 2.5;
            }
        }
    }

    #[test]
    fn outside_the_table_is_an_error() {
        let e = Coolant::PropyleneGlycol40.properties(95.0).unwrap_err();
        assert!(matches!(e, ThermalError::OutOfRange { max_c, .. } if max_c == 80.0));
        assert!(Coolant::Water.properties(f64::NAN).is_err());
        assert!(Coolant::Water.properties(-1.0).is_err());
        let p = Coolant::Water.properties_clamped(120.0);
        assert_eq!(p.density_kg_m3, 965.31);
    }
}
