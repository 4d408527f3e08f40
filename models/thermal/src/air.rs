//! The air path: CRAH units, containment and the lumped room thermal mass.
//!
//! Sources:
//! - Fan affinity laws (flow ∝ speed, power ∝ speed³): ASHRAE Handbook — HVAC Systems and
//!   Equipment (2020), ch. 21 "Fans"; the same cubic part-load curve is EnergyPlus's variable
//!   volume fan with all coefficients but the cubic zero (EnergyPlus Engineering Reference,
//!   "Fans").
//! - Sensible heat carried by air `Q = m cp ΔT` (ASHRAE Fundamentals ch. 1), dry air cp
//!   1006 J/(kg·K).
//! - Recirculation and bypass as mixing fractions: the return/supply heat indices of Sharma,
//!   Bash & Patel, "Dimensionless parameters for evaluation of thermal design and performance
//!   of large-scale data centers" (AIAA 2002-3091), and Tozer, Kurkjian & Salim, "Air
//!   management metrics in data centers" (ASHRAE Trans. 2009): rack inlet = mix of supply air
//!   and hot exhaust; bypass air returns to the CRAH without passing through IT.
//! - Room thermal mass: a single lumped capacitance (air, raised floor, structure and rack
//!   metal), the one-node RC model of the EnergyPlus zone air heat balance (Engineering
//!   Reference, "Basis for the zone and air system integration") with the infinite-capacity
//!   coil replaced by the CRAH airflow.
//!
//! ## Room model
//! With `m_it` the IT airflow, `r` the fraction of rack inlet air that is recirculated hot air
//! and `b` the fraction of CRAH supply that bypasses to the return, the mass balance of the
//! cold aisle is `(1 - b) m_crah = (1 - r) m_it`. A single hot node at `T_h` (hot aisle,
//! return plenum and the room's thermal mass `C`) then obeys
//! `C dT_h/dt = Q - m_crah cp (T_h - T_sup)`, where `Q` is every heat released into the air
//! (IT air share, white-space losses, CRAH fan heat). This is linear with constant inputs over
//! a control step, so it is advanced exactly by [`sim_core::first_order_step`] with time
//! constant `C / (m_crah cp)`. Rack inlets are `(1 - r) T_sup + r T_h`. When the CRAHs cannot
//! move the required airflow, `r` grows (`r = 1 - (1 - b) m_crah / m_it`): IT fans draw hot
//! air around the rows.
//!
//! The same holds with a recirculation fraction `r_i` per rack (rows at an open aisle end
//! recirculate more): the cold-aisle balance becomes `(1 - b) m_crah = Σ (1 - r_i) m_it_i`, the
//! hot-node equation is unchanged, and when the CRAHs fall short every rack's share of cold
//! air is scaled by `phi = (1 - b) m_crah / Σ (1 - r_i) m_it_i`, so
//! `T_in,i = T_h - phi (1 - r_i) (T_h - T_sup)` (done in [`crate::plant`]).

use sim_core::first_order_step;

/// Specific heat of dry air, J/(kg·K) (ASHRAE Fundamentals ch. 1, near 25 °C).
pub const AIR_CP_J_KG_K: f64 = 1006.0;

/// One computer-room air handler: a chilled-water coil and a variable-speed fan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crah {
    /// Airflow at full fan speed, kg/s.
    pub rated_airflow_kg_s: f64,
    /// Fan electric power at full speed, W.
    pub rated_fan_power_w: f64,
}

impl Crah {
    /// Fan electric power at `airflow_kg_s` by the affinity laws:
    /// `P = P_rated (m / m_rated)³`. All of it ends up as heat in the air stream.
    #[inline]
    pub fn fan_power_w(&self, airflow_kg_s: f64) -> f64 {
        let s = airflow_kg_s / self.rated_airflow_kg_s;
        self.rated_fan_power_w * s * s * s
    }

    /// Airflow needed to carry `heat_w` with an air temperature rise of `delta_t_k`:
    /// `m = Q / (cp ΔT)`.
    #[inline]
    pub fn required_airflow_kg_s(heat_w: f64, delta_t_k: f64) -> f64 {
        heat_w / (AIR_CP_J_KG_K * delta_t_k)
    }
}

/// Containment quality: how air mixes between the cold and hot aisles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Containment {
    /// Fraction of rack inlet air that is recirculated hot exhaust, 0..1.
    pub recirculation_fraction: f64,
    /// Fraction of CRAH supply air that bypasses IT straight to the return, 0..1.
    pub bypass_fraction: f64,
}

impl Containment {
    /// CRAH airflow that satisfies IT airflow `it_airflow_kg_s` with the design recirculation
    /// and bypass fractions: `m_crah = (1 - r) m_it / (1 - b)`.
    #[inline]
    pub fn crah_airflow_for_kg_s(&self, it_airflow_kg_s: f64) -> f64 {
        (1.0 - self.recirculation_fraction) * it_airflow_kg_s / (1.0 - self.bypass_fraction)
    }

    /// Recirculation fraction actually reached when the CRAHs deliver `crah_airflow_kg_s`: the
    /// design fraction when the airflow is sufficient, larger when it is not.
    #[inline]
    pub fn effective_recirculation(&self, it_airflow_kg_s: f64, crah_airflow_kg_s: f64) -> f64 {
        if it_airflow_kg_s <= 0.0 {
            return self.recirculation_fraction;
        }
        let r = 1.0 - (1.0 - self.bypass_fraction) * crah_airflow_kg_s / it_airflow_kg_s;
        r.clamp(self.recirculation_fraction, 1.0)
    }

    /// Rack inlet temperature for supply `supply_c` and hot-aisle `hot_c` at recirculation
    /// fraction `recirculation`, °C.
    #[inline]
    pub fn rack_inlet_c(supply_c: f64, hot_c: f64, recirculation: f64) -> f64 {
        (1.0 - recirculation) * supply_c + recirculation * hot_c
    }
}

/// The lumped room: one hot node with heat capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoomAir {
    /// Heat capacity of the air and everything in thermal contact with it, J/K.
    pub heat_capacity_j_k: f64,
    /// Hot-aisle / return temperature (the state), °C.
    pub hot_c: f64,
}

/// Result of advancing the room over one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoomStep {
    /// Mean heat removed by the CRAH coils over the step, W.
    pub coil_load_w: f64,
    /// Heat stored in the room's thermal mass over the step, J.
    pub stored_j: f64,
}

impl RoomAir {
    /// Advance exactly over `h_s` seconds with `heat_w` released into the air and
    /// `crah_airflow_kg_s` of supply air at `supply_c` (zero airflow: a linear rise).
    pub fn advance(
        &mut self,
        heat_w: f64,
        crah_airflow_kg_s: f64,
        supply_c: f64,
        h_s: f64,
    ) -> RoomStep {
        let t0 = self.hot_c;
        let g_w_k = crah_airflow_kg_s * AIR_CP_J_KG_K;
        self.hot_c = if g_w_k > 0.0 {
            first_order_step(
                t0,
                supply_c + heat_w / g_w_k,
                self.heat_capacity_j_k / g_w_k,
                h_s,
            )
        } else {
            t0 + heat_w * h_s / self.heat_capacity_j_k
        };
        let stored_j = self.heat_capacity_j_k * (self.hot_c - t0);
        RoomStep {
            coil_load_w: if h_s > 0.0 {
                heat_w - stored_j / h_s
            } else {
                0.0
            },
            stored_j,
        }
    }

    /// Steady hot-aisle temperature for the given heat, airflow and supply, °C.
    pub fn steady_hot_c(heat_w: f64, crah_airflow_kg_s: f64, supply_c: f64) -> f64 {
        supply_c + heat_w / (crah_airflow_kg_s * AIR_CP_J_KG_K)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fan_power_follows_the_cube_law() {
        // Affinity law: half flow -> one eighth power.
        let c = Crah {
            rated_airflow_kg_s: 10.0,
            rated_fan_power_w: 8000.0,
        };
        assert_eq!(c.fan_power_w(10.0), 8000.0);
        assert!((c.fan_power_w(5.0) - 1000.0).abs() < 1e-9);
        assert!(c.fan_power_w(6.0) > c.fan_power_w(5.0));
    }

    #[test]
    fn required_airflow_matches_sensible_heat_equation() {
        // 100 kW at 12 K: 100e3 / (1006 * 12) = 8.284 kg/s.
        let m = Crah::required_airflow_kg_s(100e3, 12.0);
        assert!((m - 8.2836).abs() < 1e-3);
    }

    #[test]
    fn mixing_is_between_supply_and_exhaust() {
        let c = Containment {
            recirculation_fraction: 0.1,
            bypass_fraction: 0.2,
        };
        let t = Containment::rack_inlet_c(20.0, 35.0, 0.1);
        assert!((t - 21.5).abs() < 1e-12);
        let need = c.crah_airflow_for_kg_s(10.0);
        assert!((need - 11.25).abs() < 1e-12);
        assert!((c.effective_recirculation(10.0, need) - 0.1).abs() < 1e-12);
        // half the air: more recirculation
        let r = c.effective_recirculation(10.0, need / 2.0);
        assert!((r - 0.55).abs() < 1e-12);
    }

    #[test]
    fn room_conserves_energy_and_reaches_steady_state() {
        let mut room = RoomAir {
            heat_capacity_j_k: 2.0e6,
            hot_c: 30.0,
        };
        let (q, m, sup) = (200e3, 15.0, 20.0);
        let mut removed = 0.0;
        let mut stored = 0.0;
        for _ in 0..600 {
            let s = room.advance(q, m, sup, 60.0);
            removed += s.coil_load_w * 60.0;
            stored += s.stored_j;
        }
        let input = q * 600.0 * 60.0;
        assert!(((removed + stored) - input).abs() / input < 1e-12);
        let steady = RoomAir::steady_hot_c(q, m, sup);
        assert!((room.hot_c - steady).abs() < 1e-6);
    }

    #[test]
    fn without_airflow_the_room_warms_linearly() {
        let mut room = RoomAir {
            heat_capacity_j_k: 1.0e6,
            hot_c: 30.0,
        };
        let s = room.advance(10e3, 0.0, 20.0, 100.0);
        assert!((room.hot_c - 31.0).abs() < 1e-12);
        assert!(s.coil_load_w.abs() < 1e-9);
    }
}
