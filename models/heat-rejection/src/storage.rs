//! Stratified chilled-water storage tank and heat recovery.
//!
//! The tank stores cooling as sensible heat of water between the return and supply temperatures
//! (ASHRAE Handbook HVAC Applications 2019 ch. 51 "Thermal Storage"): capacity is given in minutes
//! of full-load cooling, `E_max = minutes * 60 * full_load_w`. A policy charges (the plant makes
//! extra cooling into the tank) or discharges (the tank supplies cooling) within rate limits; a
//! standing heat gain (fraction of stored cooling per hour) is lost. Stored energy is tracked so
//! that `E_end = E_start + charged - discharged - lost` exactly.
//!
//! [`HeatRecovery`] delivers a fraction of the rejected heat to a district-heating loop when the
//! source (condenser water leaving the plant) is above a usable temperature, up to a maximum
//! (The Green Grid White Paper 29, "ERE: a metric for measuring the benefit of reuse energy").

use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::ConfigIssue;

/// Configuration of a chilled-water tank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChilledWaterTankConfig {
    /// Storage in minutes of full-load cooling, min. Default 15.
    pub capacity_minutes: f64,
    /// Full-load cooling the minutes refer to, W. Default 1,000,000.
    pub full_load_w: f64,
    /// Maximum charge rate, W. Default 1,000,000.
    pub max_charge_w: f64,
    /// Maximum discharge rate, W. Default 1,000,000.
    pub max_discharge_w: f64,
    /// Standing loss per hour as a fraction of stored cooling, 1/h. Default 0.01.
    pub standby_loss_fraction_per_h: f64,
    /// Initial state of charge, -. Default 1.0 (full).
    pub initial_soc: f64,
}

impl Default for ChilledWaterTankConfig {
    fn default() -> Self {
        ChilledWaterTankConfig {
            capacity_minutes: 15.0,
            full_load_w: 1_000_000.0,
            max_charge_w: 1_000_000.0,
            max_discharge_w: 1_000_000.0,
            standby_loss_fraction_per_h: 0.01,
            initial_soc: 1.0,
        }
    }
}

impl ChilledWaterTankConfig {
    /// All problems of this configuration.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_positive(&mut v, "capacity_minutes", self.capacity_minutes, "min");
        check_positive(&mut v, "full_load_w", self.full_load_w, "W");
        check_range(
            &mut v,
            "max_charge_w",
            self.max_charge_w,
            0.0,
            f64::MAX,
            "W",
        );
        check_range(
            &mut v,
            "max_discharge_w",
            self.max_discharge_w,
            0.0,
            f64::MAX,
            "W",
        );
        check_range(
            &mut v,
            "standby_loss_fraction_per_h",
            self.standby_loss_fraction_per_h,
            0.0,
            1.0,
            "1/h",
        );
        check_range(&mut v, "initial_soc", self.initial_soc, 0.0, 1.0, "-");
        v
    }
}

/// What the tank did over one step (all average powers over the step).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TankStep {
    /// Cooling put into the tank (extra plant load), W.
    pub charge_w: f64,
    /// Cooling delivered from the tank (relieves the plant), W.
    pub discharge_w: f64,
    /// Standing loss, W.
    pub loss_w: f64,
    /// State of charge after the step, -.
    pub soc: f64,
}

/// A chilled-water tank with its state.
#[derive(Debug, Clone)]
pub struct ChilledWaterTank {
    cfg: ChilledWaterTankConfig,
    capacity_j: f64,
    stored_j: f64,
}

impl ChilledWaterTank {
    /// A tank of `cfg` at its initial state of charge.
    pub fn new(cfg: ChilledWaterTankConfig) -> Self {
        let capacity_j = cfg.capacity_minutes * 60.0 * cfg.full_load_w;
        let stored_j = capacity_j * cfg.initial_soc.clamp(0.0, 1.0);
        ChilledWaterTank {
            cfg,
            capacity_j,
            stored_j,
        }
    }

    /// Capacity, J.
    pub fn capacity_j(&self) -> f64 {
        self.capacity_j
    }

    /// Stored cooling, J.
    pub fn stored_j(&self) -> f64 {
        self.stored_j
    }

    /// Apply `command_w` (positive: charge, negative: discharge) for `dt_s`, limited by rates and
    /// by the room left (charge) or the energy stored (discharge).
    pub fn step(&mut self, command_w: f64, dt_s: f64) -> TankStep {
        if dt_s <= 0.0 {
            return TankStep {
                soc: self.stored_j / self.capacity_j,
                ..TankStep::default()
            };
        }
        let loss_j = self.stored_j * self.cfg.standby_loss_fraction_per_h * dt_s / 3600.0;
        let loss_j = loss_j.min(self.stored_j);
        self.stored_j -= loss_j;
        let mut st = TankStep {
            loss_w: loss_j / dt_s,
            ..TankStep::default()
        };
        if command_w > 0.0 {
            let room = (self.capacity_j - self.stored_j).max(0.0);
            let j = (command_w.min(self.cfg.max_charge_w) * dt_s).min(room);
            self.stored_j += j;
            st.charge_w = j / dt_s;
        } else if command_w < 0.0 {
            let j = ((-command_w).min(self.cfg.max_discharge_w) * dt_s).min(self.stored_j);
            self.stored_j -= j;
            st.discharge_w = j / dt_s;
        }
        st.soc = self.stored_j / self.capacity_j;
        st
    }
}

/// Heat recovery to a district loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeatRecovery {
    /// Fraction of the rejected heat the recovery exchanger can take, -. Default 0.0 (none).
    pub fraction: f64,
    /// Minimum source temperature for the heat to be usable, C. Default 30.
    pub usable_temp_c: f64,
    /// Maximum heat the district loop accepts, W. Default 1,000,000.
    pub max_w: f64,
}

impl Default for HeatRecovery {
    fn default() -> Self {
        HeatRecovery {
            fraction: 0.0,
            usable_temp_c: 30.0,
            max_w: 1_000_000.0,
        }
    }
}

impl HeatRecovery {
    /// All problems of this configuration.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_range(&mut v, "fraction", self.fraction, 0.0, 1.0, "-");
        check_range(&mut v, "usable_temp_c", self.usable_temp_c, 0.0, 100.0, "C");
        check_range(&mut v, "max_w", self.max_w, 0.0, f64::MAX, "W");
        v
    }

    /// Heat delivered to the district loop out of `rejected_w` available at `source_temp_c`, W.
    pub fn recovered_w(&self, rejected_w: f64, source_temp_c: f64) -> f64 {
        if source_temp_c < self.usable_temp_c {
            return 0.0;
        }
        (self.fraction * rejected_w.max(0.0)).min(self.max_w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tank_energy_is_conserved_and_soc_stays_in_window() {
        let mut t = ChilledWaterTank::new(ChilledWaterTankConfig {
            initial_soc: 0.5,
            ..ChilledWaterTankConfig::default()
        });
        assert!((t.capacity_j() - 15.0 * 60.0 * 1e6).abs() < 1e-6);
        let start = t.stored_j();
        let (mut charged, mut discharged, mut lost) = (0.0, 0.0, 0.0);
        let commands = [2e6, 2e6, -5e5, -3e6, -3e6, 8e5, 0.0, -1e6];
        for (i, &c) in commands.iter().cycle().take(400).enumerate() {
            let s = t.step(c, 30.0 + (i % 3) as f64);
            let dt = 30.0 + (i % 3) as f64;
            charged += s.charge_w * dt;
            discharged += s.discharge_w * dt;
            lost += s.loss_w * dt;
            assert!((0.0..=1.0).contains(&s.soc));
            assert!(s.charge_w <= 1e6 && s.discharge_w <= 1e6);
        }
        let balance = start + charged - discharged - lost;
        assert!((t.stored_j() - balance).abs() <= 1e-9 * t.capacity_j());
    }

    #[test]
    fn full_tank_lasts_its_minutes() {
        let mut t = ChilledWaterTank::new(ChilledWaterTankConfig {
            standby_loss_fraction_per_h: 0.0,
            ..ChilledWaterTankConfig::default()
        });
        for _ in 0..15 {
            assert!((t.step(-1e6, 60.0).discharge_w - 1e6).abs() < 1e-6);
        }
        assert!(t.step(-1e6, 60.0).discharge_w < 1e-6);
    }

    #[test]
    fn recovery_needs_usable_temperature() {
        let r = HeatRecovery {
            fraction: 0.5,
            usable_temp_c: 30.0,
            max_w: 400_000.0,
        };
        assert_eq!(r.recovered_w(1e6, 25.0), 0.0);
        assert_eq!(r.recovered_w(1e6, 35.0), 400_000.0);
        assert_eq!(r.recovered_w(5e5, 35.0), 250_000.0);
    }
}
