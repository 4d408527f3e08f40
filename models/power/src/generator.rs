//! Standby diesel generator: start delay, load ramp and fuel use.
//!
//! Fuel use is the linear ("Willans line") fuel curve of HOMER Pro (NREL/HOMER Energy, HOMER Pro
//! user manual, "Generator Fuel Curve"): `F [l/h] = F0 * P_rated [kW] + F1 * P_out [kW]` with the
//! manual's default intercept `F0 = 0.08145 l/h/kW` and slope `F1 = 0.246 l/kWh`. The default
//! start delay of 10 s is the NFPA 110 Type 10 requirement for emergency power supplies.

use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::ConfigIssue;

/// Generator parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GeneratorConfig {
    /// Whether the site has a generator. Default false.
    pub enabled: bool,
    /// Rated electrical output in W. Default 2,500,000 W.
    pub rated_power_w: f64,
    /// Time from utility loss to the generator being ready to take load, in s. Default 10.
    pub start_delay_s: f64,
    /// Rate at which the generator can pick up load after it is ready, in W/s. Default
    /// 250,000 W/s (full load in 10 s of block loading).
    pub ramp_rate_w_per_s: f64,
    /// Fuel-curve intercept in l/h per kW of rating. Default 0.08145 (HOMER).
    pub fuel_intercept_l_per_h_per_kw: f64,
    /// Fuel-curve slope in l per kWh of output. Default 0.246 (HOMER).
    pub fuel_slope_l_per_kwh: f64,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            enabled: false,
            rated_power_w: 2.5e6,
            start_delay_s: 10.0,
            ramp_rate_w_per_s: 2.5e5,
            fuel_intercept_l_per_h_per_kw: 0.08145,
            fuel_slope_l_per_kwh: 0.246,
        }
    }
}

impl GeneratorConfig {
    /// All problems, paths relative to the `generator` section.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_positive(&mut v, "rated_power_w", self.rated_power_w, "W");
        check_range(
            &mut v,
            "start_delay_s",
            self.start_delay_s,
            0.0,
            3600.0,
            "s",
        );
        check_positive(&mut v, "ramp_rate_w_per_s", self.ramp_rate_w_per_s, "W/s");
        check_range(
            &mut v,
            "fuel_intercept_l_per_h_per_kw",
            self.fuel_intercept_l_per_h_per_kw,
            0.0,
            1.0,
            "l/h/kW",
        );
        check_range(
            &mut v,
            "fuel_slope_l_per_kwh",
            self.fuel_slope_l_per_kwh,
            0.0,
            2.0,
            "l/kWh",
        );
        if self.enabled && self.start_delay_s > 60.0 {
            v.push(ConfigIssue::warning(
                "start_delay_s",
                format!(
                    "{} s start delay is long for a standby generator (NFPA 110 Type 10: 10 s)",
                    self.start_delay_s
                ),
            ));
        }
        v
    }
}

/// Output of one generator step.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GeneratorOutput {
    /// Electrical output in W (average over the step).
    pub power_w: f64,
    /// Fuel burned during the step in l.
    pub fuel_l: f64,
    /// Load the generator could have carried in W at this step (0 while starting).
    pub available_w: f64,
}

/// Generator state: stopped, or running for some time since the start command.
#[derive(Debug, Clone)]
pub struct Generator {
    cfg: GeneratorConfig,
    /// Seconds since the start command, `None` when stopped.
    running_for_s: Option<f64>,
}

impl Generator {
    /// A stopped generator.
    pub fn new(cfg: &GeneratorConfig) -> Self {
        Generator {
            cfg: cfg.clone(),
            running_for_s: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &GeneratorConfig {
        &self.cfg
    }

    /// True while started (cranking or running).
    pub fn is_running(&self) -> bool {
        self.running_for_s.is_some()
    }

    /// Capacity available at the start of the current step in W.
    pub fn available_w(&self) -> f64 {
        match self.running_for_s {
            Some(t) if self.cfg.enabled && t >= self.cfg.start_delay_s => {
                ((t - self.cfg.start_delay_s) * self.cfg.ramp_rate_w_per_s)
                    .min(self.cfg.rated_power_w)
            }
            _ => 0.0,
        }
    }

    /// Seconds from now until the available capacity reaches `power_w` if the utility stays
    /// out (0 if it already has; counted from the start command if it has not started yet), or
    /// `None` if it never will (disabled, or `power_w` above the rating).
    pub fn seconds_until_available_w(&self, power_w: f64) -> Option<f64> {
        if !self.cfg.enabled || power_w > self.cfg.rated_power_w {
            return None;
        }
        let ramp_s = if self.cfg.ramp_rate_w_per_s > 0.0 {
            power_w.max(0.0) / self.cfg.ramp_rate_w_per_s
        } else {
            0.0
        };
        let elapsed = self.running_for_s.unwrap_or(0.0);
        Some((self.cfg.start_delay_s + ramp_s - elapsed).max(0.0))
    }

    /// Advance by `dt_s`. The generator starts when the utility is lost and stops when it
    /// returns (cool-down running is not modelled); `demand_w` is the load offered to it.
    pub fn step(&mut self, utility_available: bool, demand_w: f64, dt_s: f64) -> GeneratorOutput {
        if !self.cfg.enabled || utility_available {
            self.running_for_s = None;
            return GeneratorOutput::default();
        }
        let t = *self.running_for_s.get_or_insert(0.0);
        let available = self.available_w();
        let power = demand_w.clamp(0.0, available);
        let fuel_l = if t >= self.cfg.start_delay_s {
            (self.cfg.fuel_intercept_l_per_h_per_kw * self.cfg.rated_power_w / 1000.0
                + self.cfg.fuel_slope_l_per_kwh * power / 1000.0)
                * dt_s
                / 3600.0
        } else {
            0.0
        };
        self.running_for_s = Some(t + dt_s);
        GeneratorOutput {
            power_w: power,
            fuel_l,
            available_w: available,
        }
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    #[test]
    fn starts_after_delay_ramps_and_burns_homer_fuel() {
        let cfg = GeneratorConfig {
            enabled: true,
            ..GeneratorConfig::default()
        };
        let mut g = Generator::new(&cfg);
        // Utility present: nothing.
        assert_eq!(g.step(true, 1e6, 1.0).power_w, 0.0);
        // Outage: 10 s of cranking with no output.
        for _ in 0..10 {
            let o = g.step(false, 1e6, 1.0);
            assert_eq!(o.power_w, 0.0);
        }
        // Then 250 kW/s of ramp.
        assert_eq!(g.step(false, 1e6, 1.0).power_w, 0.0);
        assert_eq!(g.step(false, 1e6, 1.0).power_w, 2.5e5);
        assert_eq!(g.step(false, 1e6, 1.0).power_w, 5e5);
        for _ in 0..20 {
            g.step(false, 1e6, 1.0);
        }
        // Steady 1 MW for one hour: F = 0.08145 * 2500 + 0.246 * 1000 = 449.6 l (HOMER curve).
        let o = g.step(false, 1e6, 3600.0);
        assert_eq!(o.power_w, 1e6);
        assert!((o.fuel_l - 449.625).abs() < 1e-9);
        // Cannot exceed its rating.
        assert_eq!(g.step(false, 9e6, 1.0).power_w, 2.5e6);
        // Utility back: stops.
        g.step(true, 1e6, 1.0);
        assert!(!g.is_running());
    }

    #[test]
    fn disabled_generator_never_runs() {
        let mut g = Generator::new(&GeneratorConfig::default());
        for _ in 0..100 {
            assert_eq!(g.step(false, 1e6, 1.0), GeneratorOutput::default());
        }
    }
}
