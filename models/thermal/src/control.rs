//! Cooling controls, kept apart from the plant they control.
//!
//! A [`CoolingPolicy`] maps [`Observations`] (what the plant reported last step and the
//! outdoor conditions) to [`Actions`] (setpoints and speeds). Built-ins:
//! - [`FixedSetpoints`]: constant actions;
//! - [`SupplyReset`]: the technology-loop supply temperature reset linearly with outdoor dry
//!   bulb or with IT load (ASHRAE Guideline 36-2021, "supply air/water temperature reset"
//!   sequences: trim the setpoint between a low and a high value over a signal range);
//! - [`PidPumpSpeed`]: a PI(D) loop on the hottest chip temperature driving the TCS pump speed,
//!   with conditional-integration anti-windup (Åström & Hägglund, *Advanced PID Control*,
//!   ISA 2006, §3.5);
//! - [`PidSupplyAir`]: the same PI form on the hottest rack inlet driving the CRAH supply-air
//!   setpoint.
//!
//! The [`Guard`] clamps every action into its safe range and, when a policy returns a
//! non-finite action or the plant is over a limit (chip above its limit or an inlet above the
//! allowable maximum), replaces the policy's action by a safe rule (coldest setpoints, full
//! pump speed, full airflow) until the plant is back below the limits; it counts both.

use serde::{Deserialize, Serialize};

/// What a policy sees, from the last plant step. Before the first step the plant passes the
/// first step's IT heat (as `it_heat_w` and `design_it_heat_w`) and NaN temperatures (nothing
/// measured yet): the built-in PI loops then hold their initial output.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Observations {
    /// Hottest rack inlet, °C.
    pub max_inlet_c: f64,
    /// Hottest chip (liquid, immersion or estimated air-cooled), °C.
    pub max_chip_c: f64,
    /// Total IT heat, W.
    pub it_heat_w: f64,
    /// Design IT heat of the site (for load fractions): the plant passes the largest IT heat
    /// seen so far, W.
    pub design_it_heat_w: f64,
    /// Outdoor dry-bulb temperature, °C.
    pub outdoor_dry_bulb_c: f64,
    /// Achieved chilled-water supply, °C.
    pub chw_supply_c: f64,
    /// Achieved facility-water supply, °C.
    pub fw_supply_c: f64,
    /// Length of the coming control step, s.
    pub dt_s: f64,
}

/// What a policy commands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Actions {
    /// CRAH supply-air setpoint, °C.
    pub crah_supply_c: f64,
    /// CRAH airflow as a multiple of the airflow the IT needs (≥ 1 over-provisions), -.
    pub crah_airflow_ratio: f64,
    /// Technology cooling loop (CDU secondary) supply setpoint, °C.
    pub tcs_supply_c: f64,
    /// TCS pump speed as a fraction of design rack flow, -.
    pub tcs_pump_speed: f64,
}

/// A cooling control policy.
pub trait CoolingPolicy: std::fmt::Debug {
    /// Short name for reports.
    fn name(&self) -> &str;
    /// Decide the actions for the coming step.
    fn decide(&mut self, obs: &Observations) -> Actions;
}

/// Constant setpoints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedSetpoints(pub Actions);

impl CoolingPolicy for FixedSetpoints {
    fn name(&self) -> &str {
        "fixed"
    }
    fn decide(&mut self, _obs: &Observations) -> Actions {
        self.0
    }
}

/// Which signal a [`SupplyReset`] follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ResetSignal {
    /// Outdoor dry bulb, °C.
    #[default]
    OutdoorDryBulb,
    /// IT load as a fraction of design, 0..1.
    LoadFraction,
}

/// Linear reset of the TCS supply setpoint: `signal_low -> tcs_at_low_c`,
/// `signal_high -> tcs_at_high_c`, held at the ends. Other actions come from `base`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupplyReset {
    /// Actions other than the reset setpoint.
    pub base: Actions,
    /// Signal followed.
    pub signal: ResetSignal,
    /// Signal value at the low end (°C or fraction).
    pub signal_low: f64,
    /// Signal value at the high end (°C or fraction).
    pub signal_high: f64,
    /// TCS supply at the low end, °C.
    pub tcs_at_low_c: f64,
    /// TCS supply at the high end, °C.
    pub tcs_at_high_c: f64,
}

impl CoolingPolicy for SupplyReset {
    fn name(&self) -> &str {
        "supply_reset"
    }
    fn decide(&mut self, obs: &Observations) -> Actions {
        let x = match self.signal {
            ResetSignal::OutdoorDryBulb => obs.outdoor_dry_bulb_c,
            ResetSignal::LoadFraction => {
                if obs.design_it_heat_w > 0.0 {
                    obs.it_heat_w / obs.design_it_heat_w
                } else {
                    0.0
                }
            }
        };
        let span = self.signal_high - self.signal_low;
        let w = if span.abs() > 0.0 {
            ((x - self.signal_low) / span).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Actions {
            tcs_supply_c: self.tcs_at_low_c + w * (self.tcs_at_high_c - self.tcs_at_low_c),
            ..self.base
        }
    }
}

/// PI controller on the hottest chip temperature driving the TCS pump speed (direct acting:
/// hotter chip -> faster pump), with conditional-integration anti-windup: the integrator
/// does not integrate while the output is saturated in the direction of the error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PidPumpSpeed {
    /// Actions other than the pump speed.
    pub base: Actions,
    /// Chip temperature setpoint, °C.
    pub target_chip_c: f64,
    /// Proportional gain, speed fraction per K.
    pub kp_per_k: f64,
    /// Integral gain, speed fraction per K·s.
    pub ki_per_k_s: f64,
    /// Lowest speed, fraction.
    pub min_speed: f64,
    /// Highest speed, fraction.
    pub max_speed: f64,
    /// Integrator state (speed fraction).
    pub integral: f64,
}

impl CoolingPolicy for PidPumpSpeed {
    fn name(&self) -> &str {
        "pid"
    }
    fn decide(&mut self, obs: &Observations) -> Actions {
        let err_k = obs.max_chip_c - self.target_chip_c;
        let err_k = if err_k.is_finite() { err_k } else { 0.0 };
        let unsat = self.kp_per_k * err_k + self.integral;
        let saturated_high = unsat >= self.max_speed && err_k > 0.0;
        let saturated_low = unsat <= self.min_speed && err_k < 0.0;
        if !(saturated_high || saturated_low) {
            self.integral += self.ki_per_k_s * err_k * obs.dt_s;
        }
        let speed = (self.kp_per_k * err_k + self.integral).clamp(self.min_speed, self.max_speed);
        Actions {
            tcs_pump_speed: speed,
            ..self.base
        }
    }
}

/// PI controller on the hottest rack inlet driving the CRAH supply-air setpoint (reverse
/// acting: hotter inlet -> colder supply), with the same conditional-integration anti-windup
/// as [`PidPumpSpeed`]. The controller output `u = kp e + I` is the cooling demand in K below
/// the warmest allowed supply: `supply = max_supply_c - u`, clamped to the range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PidSupplyAir {
    /// Actions other than the supply-air setpoint.
    pub base: Actions,
    /// Rack inlet setpoint, °C.
    pub target_inlet_c: f64,
    /// Proportional gain, K of supply per K of inlet error.
    pub kp: f64,
    /// Integral gain, K of supply per K·s of inlet error.
    pub ki_per_s: f64,
    /// Coldest supply setpoint, °C.
    pub min_supply_c: f64,
    /// Warmest supply setpoint, °C.
    pub max_supply_c: f64,
    /// Integrator state, K.
    pub integral_k: f64,
}

impl CoolingPolicy for PidSupplyAir {
    fn name(&self) -> &str {
        "pid_inlet"
    }
    fn decide(&mut self, obs: &Observations) -> Actions {
        let err_k = obs.max_inlet_c - self.target_inlet_c;
        let err_k = if err_k.is_finite() { err_k } else { 0.0 };
        let span_k = self.max_supply_c - self.min_supply_c;
        let unsat = self.kp * err_k + self.integral_k;
        let saturated_high = unsat >= span_k && err_k > 0.0;
        let saturated_low = unsat <= 0.0 && err_k < 0.0;
        if !(saturated_high || saturated_low) {
            self.integral_k += self.ki_per_s * err_k * obs.dt_s;
        }
        let u = (self.kp * err_k + self.integral_k).clamp(0.0, span_k);
        Actions {
            crah_supply_c: self.max_supply_c - u,
            ..self.base
        }
    }
}

/// Safe ranges for every action and the limits that trigger the safe rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SafeRanges {
    /// CRAH supply setpoint range, °C.
    pub crah_supply_c: (f64, f64),
    /// CRAH airflow ratio range, -.
    pub crah_airflow_ratio: (f64, f64),
    /// TCS supply setpoint range, °C.
    pub tcs_supply_c: (f64, f64),
    /// TCS pump speed range, -.
    pub tcs_pump_speed: (f64, f64),
    /// Chip temperature above which the safe rule takes over, °C.
    pub chip_limit_c: f64,
    /// Rack inlet temperature above which the safe rule takes over, °C.
    pub inlet_limit_c: f64,
    /// Hysteresis: the policy is given back control once chip and inlet are this far below
    /// their limits, K.
    pub release_margin_k: f64,
}

/// Clamps actions and falls back to a safe rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guard {
    /// The ranges and limits.
    pub ranges: SafeRanges,
    /// Steps in which at least one action was clamped.
    pub clamped_steps: u64,
    /// Steps in which the safe rule replaced the policy.
    pub fallback_steps: u64,
    /// Whether the safe rule is in force.
    pub in_fallback: bool,
}

impl Guard {
    /// A guard with the given ranges and zeroed counters.
    pub fn new(ranges: SafeRanges) -> Self {
        Guard {
            ranges,
            clamped_steps: 0,
            fallback_steps: 0,
            in_fallback: false,
        }
    }

    /// The safe rule: coldest setpoints, full pump speed and the largest airflow ratio.
    pub fn safe_rule(&self) -> Actions {
        let r = &self.ranges;
        Actions {
            crah_supply_c: r.crah_supply_c.0,
            crah_airflow_ratio: r.crah_airflow_ratio.1,
            tcs_supply_c: r.tcs_supply_c.0,
            tcs_pump_speed: r.tcs_pump_speed.1,
        }
    }

    /// Check and correct the policy's `proposed` actions given the observations.
    pub fn apply(&mut self, proposed: Actions, obs: &Observations) -> Actions {
        let r = self.ranges;
        let over = obs.max_chip_c > r.chip_limit_c || obs.max_inlet_c > r.inlet_limit_c;
        let clear = obs.max_chip_c <= r.chip_limit_c - r.release_margin_k
            && obs.max_inlet_c <= r.inlet_limit_c - r.release_margin_k;
        let non_finite = !(proposed.crah_supply_c.is_finite()
            && proposed.crah_airflow_ratio.is_finite()
            && proposed.tcs_supply_c.is_finite()
            && proposed.tcs_pump_speed.is_finite());
        if over || non_finite {
            self.in_fallback = true;
        } else if clear {
            self.in_fallback = false;
        }
        if self.in_fallback {
            self.fallback_steps += 1;
            return self.safe_rule();
        }
        let clamp = |v: f64, (lo, hi): (f64, f64)| v.clamp(lo, hi);
        let out = Actions {
            crah_supply_c: clamp(proposed.crah_supply_c, r.crah_supply_c),
            crah_airflow_ratio: clamp(proposed.crah_airflow_ratio, r.crah_airflow_ratio),
            tcs_supply_c: clamp(proposed.tcs_supply_c, r.tcs_supply_c),
            tcs_pump_speed: clamp(proposed.tcs_pump_speed, r.tcs_pump_speed),
        };
        if out != proposed {
            self.clamped_steps += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Actions {
        Actions {
            crah_supply_c: 22.0,
            crah_airflow_ratio: 1.1,
            tcs_supply_c: 32.0,
            tcs_pump_speed: 0.8,
        }
    }

    fn ranges() -> SafeRanges {
        SafeRanges {
            crah_supply_c: (16.0, 27.0),
            crah_airflow_ratio: (1.0, 1.5),
            tcs_supply_c: (18.0, 45.0),
            tcs_pump_speed: (0.3, 1.0),
            chip_limit_c: 85.0,
            inlet_limit_c: 32.0,
            release_margin_k: 2.0,
        }
    }

    #[test]
    fn reset_is_linear_and_held_at_the_ends() {
        let mut p = SupplyReset {
            base: base(),
            signal: ResetSignal::OutdoorDryBulb,
            signal_low: 10.0,
            signal_high: 30.0,
            tcs_at_low_c: 30.0,
            tcs_at_high_c: 40.0,
        };
        let mut o = Observations::default();
        for (t, want) in [(0.0, 30.0), (20.0, 35.0), (40.0, 40.0)] {
            o.outdoor_dry_bulb_c = t;
            assert!((p.decide(&o).tcs_supply_c - want).abs() < 1e-12);
        }
        p.signal = ResetSignal::LoadFraction;
        p.signal_low = 0.0;
        p.signal_high = 1.0;
        o.it_heat_w = 250.0;
        o.design_it_heat_w = 1000.0;
        assert!((p.decide(&o).tcs_supply_c - 32.5).abs() < 1e-12);
    }

    #[test]
    fn pid_speeds_up_when_hot_and_does_not_wind_up() {
        let mut p = PidPumpSpeed {
            base: base(),
            target_chip_c: 70.0,
            kp_per_k: 0.05,
            ki_per_k_s: 0.001,
            min_speed: 0.3,
            max_speed: 1.0,
            integral: 0.5,
        };
        let mut o = Observations {
            dt_s: 60.0,
            max_chip_c: 90.0,
            ..Observations::default()
        };
        for _ in 0..1000 {
            assert!(p.decide(&o).tcs_pump_speed <= 1.0);
        }
        let wound = p.integral;
        assert!(
            wound < 1.0 + 0.05 * 20.0 + 1e-9,
            "integrator bounded: {wound}"
        );
        // Once the chip cools, the speed leaves saturation within a few steps.
        o.max_chip_c = 60.0;
        let mut steps = 0;
        while p.decide(&o).tcs_pump_speed >= 1.0 {
            steps += 1;
            assert!(steps < 30, "wound up");
        }
    }

    #[test]
    fn inlet_pid_cools_the_supply_when_inlets_run_hot() {
        let mut p = PidSupplyAir {
            base: base(),
            target_inlet_c: 25.0,
            kp: 0.5,
            ki_per_s: 0.002,
            min_supply_c: 16.0,
            max_supply_c: 27.0,
            integral_k: 5.0,
        };
        let mut o = Observations {
            dt_s: 60.0,
            max_inlet_c: 25.0,
            ..Observations::default()
        };
        assert_eq!(p.decide(&o).crah_supply_c, 22.0);
        o.max_inlet_c = 28.0;
        let mut prev = f64::INFINITY;
        for _ in 0..200 {
            let sp = p.decide(&o).crah_supply_c;
            assert!(sp <= prev && sp >= 16.0);
            prev = sp;
        }
        assert_eq!(prev, 16.0);
        // bounded integrator: back at target, it leaves the floor quickly
        o.max_inlet_c = 23.0;
        let mut steps = 0;
        while p.decide(&o).crah_supply_c <= 16.0 {
            steps += 1;
            assert!(steps < 30, "wound up");
        }
    }

    #[test]
    fn guard_clamps_and_falls_back() {
        let mut g = Guard::new(ranges());
        let o = Observations {
            max_chip_c: 70.0,
            max_inlet_c: 25.0,
            ..Observations::default()
        };
        let a = g.apply(
            Actions {
                tcs_supply_c: 60.0,
                ..base()
            },
            &o,
        );
        assert_eq!(a.tcs_supply_c, 45.0);
        assert_eq!((g.clamped_steps, g.fallback_steps), (1, 0));
        let a = g.apply(
            Actions {
                tcs_pump_speed: f64::NAN,
                ..base()
            },
            &o,
        );
        assert_eq!(a, g.safe_rule());
        assert_eq!(g.fallback_steps, 1);
        // Hot chip keeps the safe rule even for a sane policy.
        let hot = Observations {
            max_chip_c: 90.0,
            ..o
        };
        assert_eq!(g.apply(base(), &hot), g.safe_rule());
        // Back below limit minus margin: the policy is given control again.
        assert_eq!(g.apply(base(), &o), base());
        assert_eq!(g.fallback_steps, 2);
    }
}
