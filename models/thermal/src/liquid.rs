//! The liquid path: cold plates, counterflow heat exchangers (CDU, immersion tank exchanger)
//! and pumps.
//!
//! Sources:
//! - Cold plate records ([`ColdPlateRecord`]): published resistance-versus-flow points, e.g.
//!   the OCP reference plate (Chen et al., OCP OAI System Liquid Cooling Guidelines, 2023, as
//!   recorded in Modelica Buildings' `LiquidCooled` package), turned into the power law below
//!   by a least-squares fit in log-log coordinates.
//! - Cold plate thermal resistance versus flow `R = R_ref (m_ref / m)^n`: the convective part
//!   of the resistance scales with the heat-transfer coefficient, `h ∝ Re^n` (n ≈ 0.8 turbulent,
//!   Dittus–Boelter; ≈ 0.5 laminar developing flow in microchannels), as used for cold-plate
//!   curves in ASHRAE TC 9.9 *Liquid Cooling Guidelines for Datacom Equipment Centers*
//!   (2nd ed., 2014) and the OCP "Cold plate" thermal test reports (resistance referenced to
//!   the coolant inlet temperature).
//! - Effectiveness-NTU for a counterflow exchanger,
//!   `ε = (1 - exp(-NTU (1 - Cr))) / (1 - Cr exp(-NTU (1 - Cr)))`, `ε = NTU / (1 + NTU)` at
//!   `Cr = 1`: Incropera & DeWitt, *Fundamentals of Heat and Mass Transfer*, table 11.3;
//!   EnergyPlus Engineering Reference, "Plant heat exchanger" (counterflow model). UA from a
//!   rated point by the log-mean temperature difference; UA at other flows with each side's
//!   film conductance ∝ flow^0.8 (Dittus–Boelter) and, at the rating, equal conductances on
//!   both sides (the same UA scaling as Modelica Buildings' `HeatExchangers.DryCoilCounterFlow`
//!   with `r_nominal = 1`).
//! - Pump: system curve `Δp = Δp_rated (m / m_rated)²`, hydraulic power `Δp V̇`, electric
//!   power = hydraulic / efficiency (constant efficiency), so power ∝ flow³ (pump affinity
//!   laws; ASHRAE Handbook — HVAC Systems and Equipment ch. 44 "Centrifugal pumps"). All pump
//!   power ends up as heat in the pumped fluid.

/// A cold plate: chip-to-coolant-inlet thermal resistance depending on flow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColdPlate {
    /// Resistance from case (chip lid) to coolant inlet at the reference flow, K/W.
    pub r_ref_k_w: f64,
    /// Reference coolant flow through one plate, kg/s.
    pub flow_ref_kg_s: f64,
    /// Flow exponent `n` (0.5 laminar .. 0.8 turbulent), dimensionless.
    pub flow_exponent: f64,
}

impl ColdPlate {
    /// Thermal resistance at `flow_kg_s`, K/W (infinite at zero flow).
    #[inline]
    pub fn resistance_k_w(&self, flow_kg_s: f64) -> f64 {
        if flow_kg_s <= 0.0 {
            return f64::INFINITY;
        }
        self.r_ref_k_w * (self.flow_ref_kg_s / flow_kg_s).powf(self.flow_exponent)
    }

    /// Case temperature of a chip dissipating `heat_w` into this plate with coolant entering at
    /// `coolant_in_c` and flowing at `flow_kg_s`, °C.
    #[inline]
    pub fn chip_c(&self, coolant_in_c: f64, heat_w: f64, flow_kg_s: f64) -> f64 {
        coolant_in_c + heat_w * self.resistance_k_w(flow_kg_s)
    }
}

/// Why a cold-plate record cannot be turned into a [`ColdPlate`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ColdPlateRecordError {
    /// Fewer than two points, or flow and resistance lists of different lengths.
    #[error("a cold-plate record needs at least two (flow, resistance) points of equal count, got {flows} flows and {resistances} resistances")]
    TooFewPoints {
        /// Number of flows given.
        flows: usize,
        /// Number of resistances given.
        resistances: usize,
    },
    /// A flow or resistance is not a positive finite number, or all flows are equal.
    #[error("cold-plate record point {index}: flow {flow_l_min} l/min and resistance {resistance_k_w} K/W must be positive and finite, with at least two distinct flows")]
    BadPoint {
        /// Index of the offending point.
        index: usize,
        /// Its volume flow, l/min.
        flow_l_min: f64,
        /// Its resistance, K/W.
        resistance_k_w: f64,
    },
    /// The coolant density is not positive and finite.
    #[error("coolant density {0} kg/m3 must be positive and finite")]
    BadDensity(f64),
}

/// A published cold-plate characteristic: case-to-coolant-inlet thermal resistance at several
/// volume flows through one plate (the OCP convention, resistance referenced to the coolant
/// inlet temperature).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColdPlateRecord {
    /// Volume flow through one plate at each point, l/min (> 0).
    pub flow_l_min: Vec<f64>,
    /// Case-to-inlet thermal resistance at each point, K/W (> 0).
    pub resistance_k_w: Vec<f64>,
}

impl ColdPlateRecord {
    /// The OCP reference cold plate of a 1 kW Open Accelerator Module with de-ionised water:
    /// 0.0172, 0.0160, 0.0154, 0.0151 K/W at 2, 3, 4, 5 l/min (Chen et al., "OCP OAI System
    /// Liquid Cooling Guidelines", Open Compute Project, 2023, fig. 8; the record
    /// `Buildings.Applications.DataCenters.LiquidCooled.Racks.LiquidSinglePhase.Data.OCP_1kW_OAM_Water`
    /// of the Modelica Buildings library's liquid-cooling package, M. Wetter, December 2025).
    pub fn ocp_oam_1kw_water() -> Self {
        ColdPlateRecord {
            flow_l_min: vec![2.0, 3.0, 4.0, 5.0],
            resistance_k_w: vec![0.0172, 0.0160, 0.0154, 0.0151],
        }
    }

    /// Resistance at `flow_l_min` by linear interpolation between the record's points (held
    /// at the end values outside them), K/W. The record must be valid
    /// ([`ColdPlateRecord::fit_power_law`] checks it); NaN when it has no points.
    pub fn interpolate_k_w(&self, flow_l_min: f64) -> f64 {
        let mut pts: Vec<(f64, f64)> = self
            .flow_l_min
            .iter()
            .copied()
            .zip(self.resistance_k_w.iter().copied())
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (Some(first), Some(last)) = (pts.first(), pts.last()) else {
            return f64::NAN;
        };
        if flow_l_min <= first.0 {
            return first.1;
        }
        if flow_l_min >= last.0 {
            return last.1;
        }
        for w in pts.windows(2) {
            let ((q0, r0), (q1, r1)) = (w[0], w[1]);
            if flow_l_min <= q1 {
                return r0 + (r1 - r0) * (flow_l_min - q0) / (q1 - q0);
            }
        }
        last.1
    }

    /// The [`ColdPlate`] power law `R = R_ref (m_ref / m)^n` fitted to the record by least
    /// squares in `ln R` versus `ln Q` (exact through two points), with the reference at the
    /// geometric-mean flow of the points, for a coolant of `density_kg_m3` (l/min to kg/s).
    pub fn fit_power_law(&self, density_kg_m3: f64) -> Result<ColdPlate, ColdPlateRecordError> {
        let (nq, nr) = (self.flow_l_min.len(), self.resistance_k_w.len());
        if nq < 2 || nq != nr {
            return Err(ColdPlateRecordError::TooFewPoints {
                flows: nq,
                resistances: nr,
            });
        }
        if !(density_kg_m3.is_finite() && density_kg_m3 > 0.0) {
            return Err(ColdPlateRecordError::BadDensity(density_kg_m3));
        }
        for (index, (&q, &r)) in self.flow_l_min.iter().zip(&self.resistance_k_w).enumerate() {
            if !(q.is_finite() && q > 0.0 && r.is_finite() && r > 0.0) {
                return Err(ColdPlateRecordError::BadPoint {
                    index,
                    flow_l_min: q,
                    resistance_k_w: r,
                });
            }
        }
        let n = nq as f64;
        let xs: Vec<f64> = self.flow_l_min.iter().map(|q| q.ln()).collect();
        let ys: Vec<f64> = self.resistance_k_w.iter().map(|r| r.ln()).collect();
        let x_mean = xs.iter().sum::<f64>() / n;
        let y_mean = ys.iter().sum::<f64>() / n;
        let sxx: f64 = xs.iter().map(|x| (x - x_mean) * (x - x_mean)).sum();
        if sxx <= 0.0 {
            return Err(ColdPlateRecordError::BadPoint {
                index: 1,
                flow_l_min: self.flow_l_min[1],
                resistance_k_w: self.resistance_k_w[1],
            });
        }
        let sxy: f64 = xs
            .iter()
            .zip(&ys)
            .map(|(x, y)| (x - x_mean) * (y - y_mean))
            .sum();
        // ln R = y_mean + slope (ln Q - x_mean); R = R_ref (Q_ref / Q)^n with n = -slope.
        let slope = sxy / sxx;
        let q_ref_l_min = x_mean.exp();
        Ok(ColdPlate {
            r_ref_k_w: y_mean.exp(),
            flow_ref_kg_s: q_ref_l_min / 60_000.0 * density_kg_m3,
            flow_exponent: -slope,
        })
    }
}

impl ColdPlate {
    /// The power law through two measured points (`flow` kg/s, resistance K/W), referenced at
    /// the first: `n = ln(R1/R2) / ln(m2/m1)`.
    pub fn from_two_points(
        flow1_kg_s: f64,
        r1_k_w: f64,
        flow2_kg_s: f64,
        r2_k_w: f64,
    ) -> Result<Self, ColdPlateRecordError> {
        // Mass flows as the volume flows of a 1000 kg/m3 fluid (the density cancels).
        ColdPlateRecord {
            flow_l_min: vec![flow1_kg_s * 60.0, flow2_kg_s * 60.0],
            resistance_k_w: vec![r1_k_w, r2_k_w],
        }
        .fit_power_law(1000.0)
        .map(|p| ColdPlate {
            r_ref_k_w: p.resistance_k_w(flow1_kg_s),
            flow_ref_kg_s: flow1_kg_s,
            flow_exponent: p.flow_exponent,
        })
    }
}

/// Effectiveness of a counterflow exchanger with heat-capacity rates `c_hot_w_k`, `c_cold_w_k`
/// and conductance `ua_w_k` (0 if either rate is zero). The e-NTU relation itself (Incropera &
/// DeWitt table 11.3) is the heat-rejection crate's
/// [`dctwin_heat_rejection::hx::counterflow_effectiveness`].
pub fn counterflow_effectiveness(ua_w_k: f64, c_hot_w_k: f64, c_cold_w_k: f64) -> f64 {
    let c_min = c_hot_w_k.min(c_cold_w_k);
    let c_max = c_hot_w_k.max(c_cold_w_k);
    if c_min <= 0.0 || ua_w_k <= 0.0 {
        return 0.0;
    }
    dctwin_heat_rejection::hx::counterflow_effectiveness(ua_w_k / c_min, c_min / c_max)
}

/// A liquid-to-liquid counterflow heat exchanger (a CDU's plate exchanger or an immersion
/// tank's exchanger) rated at one operating point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CounterflowHx {
    /// Conductance at the rated flows, W/K.
    pub ua_rated_w_k: f64,
    /// Hot-side rated mass flow, kg/s.
    pub hot_flow_rated_kg_s: f64,
    /// Cold-side rated mass flow, kg/s.
    pub cold_flow_rated_kg_s: f64,
}

/// Outlet temperatures and duty of an exchanger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HxState {
    /// Heat transferred hot -> cold, W.
    pub duty_w: f64,
    /// Hot-side outlet, °C.
    pub hot_out_c: f64,
    /// Cold-side outlet, °C.
    pub cold_out_c: f64,
    /// Effectiveness, 0..1.
    pub effectiveness: f64,
}

impl CounterflowHx {
    /// Size from a rated point: duty `duty_w` with approach `approach_k` (hot outlet minus cold
    /// inlet) at hot/cold flows and heat capacities. `None` if the point is impossible (no
    /// positive log-mean temperature difference, e.g. a temperature cross).
    pub fn from_rated(
        duty_w: f64,
        approach_k: f64,
        hot_flow_kg_s: f64,
        hot_cp_j_kg_k: f64,
        cold_flow_kg_s: f64,
        cold_cp_j_kg_k: f64,
    ) -> Option<Self> {
        let dt_hot_k = duty_w / (hot_flow_kg_s * hot_cp_j_kg_k);
        let dt_cold_k = duty_w / (cold_flow_kg_s * cold_cp_j_kg_k);
        // Cold inlet at 0: hot out = approach, hot in = approach + dt_hot, cold out = dt_cold.
        let d1 = approach_k; // hot out - cold in
        let d2 = approach_k + dt_hot_k - dt_cold_k; // hot in - cold out
        if !(d1 > 0.0 && d2 > 0.0 && duty_w > 0.0) {
            return None;
        }
        let lmtd = if (d1 - d2).abs() < 1e-9 * d1 {
            d1
        } else {
            (d1 - d2) / (d1 / d2).ln()
        };
        Some(CounterflowHx {
            ua_rated_w_k: duty_w / lmtd,
            hot_flow_rated_kg_s: hot_flow_kg_s,
            cold_flow_rated_kg_s: cold_flow_kg_s,
        })
    }

    /// Conductance at the given flows: both film conductances equal to `2 UA_rated` at the
    /// rating and scaling with flow^0.8, in series.
    #[inline]
    pub fn ua_w_k(&self, hot_flow_kg_s: f64, cold_flow_kg_s: f64) -> f64 {
        if hot_flow_kg_s <= 0.0 || cold_flow_kg_s <= 0.0 {
            return 0.0;
        }
        let ha_hot = 2.0 * self.ua_rated_w_k * (hot_flow_kg_s / self.hot_flow_rated_kg_s).powf(0.8);
        let ha_cold =
            2.0 * self.ua_rated_w_k * (cold_flow_kg_s / self.cold_flow_rated_kg_s).powf(0.8);
        1.0 / (1.0 / ha_hot + 1.0 / ha_cold)
    }

    /// Effectiveness at the given flows and heat capacities.
    #[inline]
    pub fn effectiveness(
        &self,
        hot_flow_kg_s: f64,
        hot_cp: f64,
        cold_flow_kg_s: f64,
        cold_cp: f64,
    ) -> f64 {
        counterflow_effectiveness(
            self.ua_w_k(hot_flow_kg_s, cold_flow_kg_s),
            hot_flow_kg_s * hot_cp,
            cold_flow_kg_s * cold_cp,
        )
    }

    /// Outlets for given inlets and flows.
    pub fn solve(
        &self,
        hot_in_c: f64,
        hot_flow_kg_s: f64,
        hot_cp: f64,
        cold_in_c: f64,
        cold_flow_kg_s: f64,
        cold_cp: f64,
    ) -> HxState {
        let c_hot = hot_flow_kg_s * hot_cp;
        let c_cold = cold_flow_kg_s * cold_cp;
        let eps = self.effectiveness(hot_flow_kg_s, hot_cp, cold_flow_kg_s, cold_cp);
        let duty_w = eps * c_hot.min(c_cold) * (hot_in_c - cold_in_c);
        HxState {
            duty_w,
            hot_out_c: if c_hot > 0.0 {
                hot_in_c - duty_w / c_hot
            } else {
                hot_in_c
            },
            cold_out_c: if c_cold > 0.0 {
                cold_in_c + duty_w / c_cold
            } else {
                cold_in_c
            },
            effectiveness: eps,
        }
    }

    /// Temperature rise `hot_out - cold_in` needed to transfer `duty_w`, K: with
    /// `hot_in - cold_in = Q / (ε C_min)` and `hot_out = hot_in - Q / C_hot`. Infinite when the
    /// exchanger cannot transfer heat (no flow).
    #[inline]
    pub fn approach_k(&self, duty_w: f64, eps: f64, c_hot_w_k: f64, c_cold_w_k: f64) -> f64 {
        let c_min = c_hot_w_k.min(c_cold_w_k);
        if eps <= 0.0 || c_min <= 0.0 {
            return if duty_w > 0.0 { f64::INFINITY } else { 0.0 };
        }
        duty_w / (eps * c_min) - duty_w / c_hot_w_k
    }
}

/// A coolant distribution unit: a counterflow plate exchanger between the technology cooling
/// loop (TCS, hot side) and facility water (FW, cold side), with the TCS pump. Its valve can
/// only throttle facility water, so the TCS supply it achieves is the setpoint or, when the
/// facility water is too warm, `fw_supply + rise` (the CDU's approach at that duty).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cdu {
    /// The plate exchanger, sized at the CDU's rating.
    pub hx: CounterflowHx,
}

impl Cdu {
    /// Size from a data-sheet point: `capacity_w` at `approach_k` (TCS supply minus FW
    /// supply) with the rated flows and heat capacities. `None` for an impossible rating.
    pub fn from_rated(
        capacity_w: f64,
        approach_k: f64,
        tcs_flow_kg_s: f64,
        tcs_cp_j_kg_k: f64,
        fw_flow_kg_s: f64,
        fw_cp_j_kg_k: f64,
    ) -> Option<Self> {
        CounterflowHx::from_rated(
            capacity_w,
            approach_k,
            tcs_flow_kg_s,
            tcs_cp_j_kg_k,
            fw_flow_kg_s,
            fw_cp_j_kg_k,
        )
        .map(|hx| Cdu { hx })
    }

    /// Approach (TCS supply minus FW supply) at which the CDU moves `duty_w` with the given
    /// flows, K; `+inf` without flow on either side.
    pub fn approach_at_k(
        &self,
        duty_w: f64,
        tcs_flow_kg_s: f64,
        tcs_cp_j_kg_k: f64,
        fw_flow_kg_s: f64,
        fw_cp_j_kg_k: f64,
    ) -> f64 {
        let eps = self
            .hx
            .effectiveness(tcs_flow_kg_s, tcs_cp_j_kg_k, fw_flow_kg_s, fw_cp_j_kg_k);
        self.hx.approach_k(
            duty_w,
            eps,
            tcs_flow_kg_s * tcs_cp_j_kg_k,
            fw_flow_kg_s * fw_cp_j_kg_k,
        )
    }
}

/// A single-phase immersion tank: IT submerged in a dielectric fluid pumped through a
/// fluid-to-facility-water counterflow exchanger. Chip temperature = hot (bulk) fluid
/// temperature + chip heat × chip-to-fluid resistance (the resistance lumps the heat sink and
/// natural/forced convection to the fluid; Open Compute Project, "Immersion requirements"
/// rev. 2.0, and ASHRAE TC 9.9 *Liquid Cooling Guidelines*, 2nd ed., on single-phase
/// immersion). This type is the quasi-steady relation; the plant
/// ([`crate::plant::CoolingPlant`]) adds the fluid inventory's heat capacity around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImmersionTank {
    /// The tank's exchanger (hot side: tank fluid; cold side: facility water).
    pub hx: CounterflowHx,
    /// Fluid flow through the exchanger, kg/s.
    pub fluid_flow_kg_s: f64,
    /// Chips sharing the tank's heat, -.
    pub chips: f64,
    /// Chip case to bulk fluid resistance, K/W.
    pub chip_to_fluid_r_k_w: f64,
}

impl ImmersionTank {
    /// Rise of the hot fluid above the facility-water inlet per watt of tank heat,
    /// `1 / (ε C_min)`, K/W; `+inf` without facility-water flow.
    pub fn fluid_rise_k_per_w(
        &self,
        fluid_cp_j_kg_k: f64,
        fw_flow_kg_s: f64,
        fw_cp_j_kg_k: f64,
    ) -> f64 {
        let eps = self.hx.effectiveness(
            self.fluid_flow_kg_s,
            fluid_cp_j_kg_k,
            fw_flow_kg_s,
            fw_cp_j_kg_k,
        );
        let c_min = (self.fluid_flow_kg_s * fluid_cp_j_kg_k).min(fw_flow_kg_s * fw_cp_j_kg_k);
        if eps > 0.0 && c_min > 0.0 {
            1.0 / (eps * c_min)
        } else {
            f64::INFINITY
        }
    }

    /// Hottest chip, °C, for `it_heat_w` of IT heat in the tank, `tank_heat_w` in total (IT +
    /// pump heat) and a hot-fluid rise `rise_k_per_w` from [`Self::fluid_rise_k_per_w`].
    #[inline]
    pub fn chip_c(&self, fw_in_c: f64, it_heat_w: f64, tank_heat_w: f64, rise_k_per_w: f64) -> f64 {
        fw_in_c + tank_heat_w * rise_k_per_w + it_heat_w / self.chips * self.chip_to_fluid_r_k_w
    }
}

/// A centrifugal pump on a quadratic system curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pump {
    /// Flow at the rating point (full speed), kg/s.
    pub rated_flow_kg_s: f64,
    /// System pressure drop at the rated flow, Pa.
    pub rated_head_pa: f64,
    /// Wire-to-water efficiency (motor, drive and hydraulic), 0..1.
    pub efficiency: f64,
}

impl Pump {
    /// Pressure drop of the system at `flow_kg_s`, Pa.
    #[inline]
    pub fn pressure_drop_pa(&self, flow_kg_s: f64) -> f64 {
        let s = flow_kg_s / self.rated_flow_kg_s;
        self.rated_head_pa * s * s
    }

    /// Electric power at `flow_kg_s` of fluid with density `density_kg_m3`, W.
    #[inline]
    pub fn power_w(&self, flow_kg_s: f64, density_kg_m3: f64) -> f64 {
        self.pressure_drop_pa(flow_kg_s) * flow_kg_s / density_kg_m3 / self.efficiency
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coolant::Coolant;

    /// Acceptance: a cold plate configured from the OCP reference record reproduces the
    /// published resistances (0.0172 K/W at 2 l/min ... 0.0151 K/W at 5 l/min) within 3 %,
    /// and the resistance falls monotonically with flow.
    #[test]
    fn ocp_reference_cold_plate_within_3_percent() {
        let rec = ColdPlateRecord::ocp_oam_1kw_water();
        let rho = Coolant::Water.properties(30.0).unwrap().density_kg_m3;
        let plate = rec.fit_power_law(rho).unwrap();
        let published = [(2.0, 0.0172), (3.0, 0.0160), (4.0, 0.0154), (5.0, 0.0151)];
        for (q_l_min, r) in published {
            let m = q_l_min / 60_000.0 * rho;
            let got = plate.resistance_k_w(m);
            assert!(
                (got / r - 1.0).abs() < 0.03,
                "{q_l_min} l/min: {got} vs {r}"
            );
            assert!((rec.interpolate_k_w(q_l_min) - r).abs() < 1e-12);
        }
        // Through the two end points only (the two values): also within 3 %.
        let m = |q: f64| q / 60_000.0 * rho;
        let two = ColdPlate::from_two_points(m(2.0), 0.0172, m(5.0), 0.0151).unwrap();
        assert!((two.resistance_k_w(m(2.0)) - 0.0172).abs() < 1e-12);
        assert!((two.resistance_k_w(m(5.0)) - 0.0151).abs() < 1e-12);
        for (q_l_min, r) in published {
            assert!((two.resistance_k_w(m(q_l_min)) / r - 1.0).abs() < 0.03);
        }
        let mut last = f64::INFINITY;
        for i in 1..=20 {
            let r = plate.resistance_k_w(m(0.5 * i as f64));
            assert!(r < last);
            last = r;
        }
        // A 1 kW module at 3 l/min and 40 C inlet: case about 56 C.
        let case = plate.chip_c(40.0, 1000.0, m(3.0));
        assert!((case - 56.0).abs() < 0.5, "{case}");
    }

    #[test]
    fn bad_records_are_typed_errors() {
        let one = ColdPlateRecord {
            flow_l_min: vec![2.0],
            resistance_k_w: vec![0.02],
        };
        assert!(matches!(
            one.fit_power_law(998.0),
            Err(ColdPlateRecordError::TooFewPoints { .. })
        ));
        let neg = ColdPlateRecord {
            flow_l_min: vec![2.0, -1.0],
            resistance_k_w: vec![0.02, 0.01],
        };
        assert!(matches!(
            neg.fit_power_law(998.0),
            Err(ColdPlateRecordError::BadPoint { index: 1, .. })
        ));
        let same = ColdPlateRecord {
            flow_l_min: vec![2.0, 2.0],
            resistance_k_w: vec![0.02, 0.01],
        };
        assert!(same.fit_power_law(998.0).is_err());
        assert!(matches!(
            ColdPlateRecord::ocp_oam_1kw_water().fit_power_law(0.0),
            Err(ColdPlateRecordError::BadDensity(_))
        ));
    }

    #[test]
    fn cdu_sized_at_datasheet_point_reproduces_its_approach() {
        // CDU data-sheet rating: 1,350 kW at 4 K approach, 20.6 kg/s on each side (a
        // 1.35 MW-class in-row CDU, water both sides). Tolerance 0.3 K (task requirement).
        let w = Coolant::Water.properties(35.0).unwrap();
        let hx =
            CounterflowHx::from_rated(1.35e6, 4.0, 20.6, w.cp_j_kg_k, 20.6, w.cp_j_kg_k).unwrap();
        let fw_in_c = 30.0;
        let dt_k = 1.35e6 / (20.6 * w.cp_j_kg_k);
        let tcs_return_c = fw_in_c + 4.0 + dt_k;
        let s = hx.solve(tcs_return_c, 20.6, w.cp_j_kg_k, fw_in_c, 20.6, w.cp_j_kg_k);
        assert!((s.hot_out_c - fw_in_c - 4.0).abs() < 0.3, "{s:?}");
        assert!((s.duty_w - 1.35e6).abs() / 1.35e6 < 1e-3);
        // Balanced flows: NTU = 15.7 K / 4 K, eps = NTU / (1 + NTU) ~ 0.797.
        assert!((s.effectiveness - 0.797).abs() < 0.002);
    }

    #[test]
    fn effectiveness_is_bounded_and_outlets_lie_between_inlets() {
        let hx = CounterflowHx::from_rated(1.0e6, 3.0, 20.0, 4180.0, 25.0, 4180.0).unwrap();
        for &mh in &[0.5, 5.0, 20.0, 60.0] {
            for &mc in &[0.5, 5.0, 25.0, 80.0] {
                let s = hx.solve(45.0, mh, 3900.0, 25.0, mc, 4180.0);
                assert!(s.effectiveness > 0.0 && s.effectiveness <= 1.0);
                assert!(s.hot_out_c >= 25.0 && s.hot_out_c <= 45.0);
                assert!(s.cold_out_c >= 25.0 && s.cold_out_c <= 45.0);
                // energy balance hot side = cold side
                let q_hot = mh * 3900.0 * (45.0 - s.hot_out_c);
                let q_cold = mc * 4180.0 * (s.cold_out_c - 25.0);
                assert!((q_hot - q_cold).abs() <= 1e-6 * q_hot.abs().max(1.0));
            }
        }
        // Huge UA approaches eps = 1 but never exceeds it.
        assert!(counterflow_effectiveness(1e12, 100.0, 200.0) <= 1.0);
        assert!(counterflow_effectiveness(1e12, 100.0, 100.0) <= 1.0);
    }

    #[test]
    fn more_flow_raises_ua_and_a_temperature_cross_is_rejected() {
        let hx = CounterflowHx::from_rated(1.0e6, 3.0, 20.0, 4180.0, 20.0, 4180.0).unwrap();
        assert!(hx.ua_w_k(30.0, 20.0) > hx.ua_w_k(20.0, 20.0));
        assert!((hx.ua_w_k(20.0, 20.0) - hx.ua_rated_w_k).abs() < 1e-6);
        // cold side would leave hotter than the hot side enters
        assert!(CounterflowHx::from_rated(1.0e6, 1.0, 40.0, 4180.0, 5.0, 4180.0).is_none());
    }

    #[test]
    fn chip_temperature_falls_as_flow_rises() {
        let p = ColdPlate {
            r_ref_k_w: 0.03,
            flow_ref_kg_s: 0.025,
            flow_exponent: 0.8,
        };
        assert!((p.resistance_k_w(0.025) - 0.03).abs() < 1e-15);
        let mut prev = f64::INFINITY;
        for k in 1..20 {
            let t = p.chip_c(30.0, 700.0, 0.005 * k as f64);
            assert!(t < prev);
            assert!(t > 30.0);
            prev = t;
        }
        // doubling flow at n = 0.8 cuts R by 2^-0.8 = 0.574
        assert!((p.resistance_k_w(0.05) / 0.03 - 0.5743).abs() < 1e-3);
    }

    #[test]
    fn cdu_approach_matches_its_rating_and_grows_with_duty() {
        let cdu = Cdu::from_rated(1.35e6, 4.0, 20.6, 4180.0, 20.6, 4180.0).unwrap();
        let a = cdu.approach_at_k(1.35e6, 20.6, 4180.0, 20.6, 4180.0);
        assert!((a - 4.0).abs() < 1e-9, "{a}");
        assert!(cdu.approach_at_k(0.7e6, 20.6, 4180.0, 20.6, 4180.0) < a);
        // less facility water: larger approach
        assert!(cdu.approach_at_k(1.35e6, 20.6, 4180.0, 12.0, 4180.0) > a);
        assert!(cdu
            .approach_at_k(1.0, 0.0, 4180.0, 20.6, 4180.0)
            .is_infinite());
    }

    #[test]
    fn immersion_chip_falls_as_facility_water_flow_rises() {
        let hx = CounterflowHx::from_rated(100e3, 5.0, 3.0, 2220.0, 1.5, 4180.0).unwrap();
        let tank = ImmersionTank {
            hx,
            fluid_flow_kg_s: 3.0,
            chips: 32.0,
            chip_to_fluid_r_k_w: 0.02,
        };
        let mut prev = f64::INFINITY;
        for fw in [0.5, 1.0, 1.5, 3.0, 6.0] {
            let k = tank.fluid_rise_k_per_w(2220.0, fw, 4180.0);
            let chip = tank.chip_c(30.0, 40e3, 41e3, k);
            assert!(chip < prev && chip > 30.0);
            prev = chip;
        }
        // at the rating the hot fluid sits approach + fluid rise above the fw inlet:
        // 5 K + 100 kW / (3 * 2220) = 20.0 K
        let k = tank.fluid_rise_k_per_w(2220.0, 1.5, 4180.0);
        assert!((100e3 * k - 20.015).abs() < 0.01, "{}", 100e3 * k);
    }

    #[test]
    fn pump_power_follows_affinity_laws() {
        let p = Pump {
            rated_flow_kg_s: 20.0,
            rated_head_pa: 200e3,
            efficiency: 0.7,
        };
        // rated: 200 kPa * 20/1000 m3/s / 0.7 = 5714 W
        assert!((p.power_w(20.0, 1000.0) - 5714.2857).abs() < 1e-3);
        assert!((p.power_w(10.0, 1000.0) * 8.0 - p.power_w(20.0, 1000.0)).abs() < 1e-9);
        assert_eq!(p.pressure_drop_pa(10.0), 50e3);
    }
}
