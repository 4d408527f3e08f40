//! Degradation cost of a battery, derived from its ageing model ([`crate::battery`]).
//!
//! The battery loses its value linearly in capacity fade: a fade of `1 - end_of_life_soh`
//! consumes the whole replacement value `replacement_cost_per_kwh * capacity_kwh`. This is the
//! cost-of-degradation form of B. Xu, J. Zhao, T. Zheng, E. Litvinov, D. Kirschen, "Factoring
//! the Cycle Aging Cost of Batteries Participating in Electricity Markets", IEEE Trans. Power
//! Systems 33(2), 2018, applied to the ageing model of [`crate::battery`] (Xu et al., IEEE
//! Trans. Smart Grid 9(2), 2018):
//!
//! - **Calendar ageing** fades `calendar_fade_per_year` of nameplate per year whatever the
//!   dispatch, so its cost per second is a constant, the same for every policy.
//! - **Cycle ageing** fades `(1 - EoL) d^k / N_100` per rainflow cycle of depth `d`. A cycle of
//!   depth `d` moves `2 d C` of stored energy (in and out), so its cost per joule of stored
//!   energy moved is `value d^(k-1) / (2 N_100 C)`. Dispatch decisions use the linear rate at
//!   the full usable depth `d = soc_max - soc_min`; for `k >= 1` it is an upper bound of the
//!   rainflow cost of any SoC profile inside the window (sum `w_i d_i^k <= D^(k-1) sum w_i d_i`),
//!   and exact for full-window cycles.
//!
//! The cost reported in [`crate::ElectricalTotals::degradation_cost`] is not the linear rate but
//! the value of the fade the ageing model actually counted (rainflow and calendar).

use crate::battery::BatteryConfig;

const YEAR_S: f64 = 365.0 * 86_400.0;

/// Degradation prices of one battery (currency; energies in J at the stored side).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DegradationCost {
    /// Cost of one unit (1.0 = 100 %) of capacity fade, currency.
    pub cost_per_unit_fade: f64,
    /// Cycle-ageing cost per joule of stored energy moved in either direction (charged into or
    /// discharged out of the store), currency per J.
    pub cost_per_stored_j: f64,
    /// Calendar-ageing cost per second, currency per s.
    pub calendar_cost_per_s: f64,
}

impl DegradationCost {
    /// The degradation prices of a battery built from `cfg`.
    pub fn of(cfg: &BatteryConfig) -> Self {
        let value = cfg.replacement_cost_per_kwh.max(0.0) * cfg.capacity_kwh;
        let fade_budget = (1.0 - cfg.end_of_life_soh).max(1e-9);
        let cost_per_unit_fade = value / fade_budget;
        let depth = (cfg.soc_max - cfg.soc_min).clamp(1e-6, 1.0);
        let capacity_j = (cfg.capacity_kwh * 3.6e6).max(1e-9);
        let cost_per_stored_j = value * depth.powf(cfg.cycle_life_exponent - 1.0)
            / (2.0 * cfg.cycle_life_full_depth.max(1e-9) * capacity_j);
        DegradationCost {
            cost_per_unit_fade,
            cost_per_stored_j,
            calendar_cost_per_s: cost_per_unit_fade * cfg.calendar_fade_per_year / YEAR_S,
        }
    }

    /// Cost of the fade behind a state of health `soh` (1 = new), currency.
    pub fn cost_of_state_of_health(&self, soh: f64) -> f64 {
        self.cost_per_unit_fade * (1.0 - soh).max(0.0)
    }

    /// Cycle-ageing cost per kWh charged at the terminals (stored `eta_c` kWh), currency/kWh.
    pub fn per_charged_kwh(&self, charge_efficiency: f64) -> f64 {
        self.cost_per_stored_j * 3.6e6 * charge_efficiency
    }

    /// Cycle-ageing cost per kWh discharged at the terminals (`1 / eta_d` kWh out of the
    /// store), currency/kWh.
    pub fn per_discharged_kwh(&self, discharge_efficiency: f64) -> f64 {
        self.cost_per_stored_j * 3.6e6 / discharge_efficiency.max(1e-9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::battery::{Battery, BatteryChemistry};

    /// Hand calculation for the LFP preset of 1000 kWh at 140 per kWh: value 140,000; fade
    /// budget 0.2 -> 700,000 per unit fade; calendar 1.5 %/year -> 10,500 per year; a full
    /// window cycle (depth 0.9) fades 0.2 * 0.9^1.3 / 6000 and moves 2 * 0.9 * 1000 kWh.
    #[test]
    fn prices_match_a_hand_calculation_for_the_lfp_preset() {
        let cfg = BatteryConfig {
            replacement_cost_per_kwh: 140.0,
            ..BatteryConfig::preset(BatteryChemistry::Lfp, 1000.0)
        };
        let d = DegradationCost::of(&cfg);
        assert!((d.cost_per_unit_fade - 700_000.0).abs() < 1e-6);
        assert!((d.calendar_cost_per_s * YEAR_S - 10_500.0).abs() < 1e-6);
        let cycle_cost = 700_000.0 * 0.2 * 0.9f64.powf(1.3) / 6000.0;
        let per_kwh_moved = cycle_cost / (2.0 * 900.0);
        assert!((d.cost_per_stored_j * 3.6e6 - per_kwh_moved).abs() < 1e-12);
    }

    /// The linear rate prices a full-window cycle of the ageing model exactly: cycle the
    /// battery between the window ends and compare the fade's cost to the rate times the
    /// stored energy moved.
    #[test]
    fn the_linear_rate_prices_a_full_window_cycle_of_the_ageing_model() {
        let cfg = BatteryConfig {
            calendar_fade_per_year: 0.0,
            self_discharge_per_month: 0.0,
            initial_soc: 0.05,
            ..BatteryConfig::default()
        };
        let d = DegradationCost::of(&cfg);
        let mut b = Battery::new(&cfg);
        let mut moved_j = 0.0;
        for _ in 0..10 {
            let s0 = b.stored_j();
            for _ in 0..3 {
                b.step(1e9, 3600.0);
            }
            moved_j += b.stored_j() - s0;
            let s1 = b.stored_j();
            for _ in 0..3 {
                b.step(-1e9, 3600.0);
            }
            moved_j += s1 - b.stored_j();
        }
        let actual = d.cost_of_state_of_health(b.state_of_health());
        let priced = d.cost_per_stored_j * moved_j;
        assert!(
            (actual - priced).abs() < 1e-3 * priced,
            "{actual} vs {priced}"
        );
    }
}
