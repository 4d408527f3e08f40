//! Server node power: CPU and GPU utilisation curves, fixed parts, inlet-dependent fan power,
//! and the DVFS power-performance curve used by power capping.
//!
//! Power of a powered, working node (server input power, which is also its heat):
//!
//! `P = other_w + cpu_idle_w + ((cpu_max_w - cpu_idle_w) f(u_cpu) + other_load_w u_cpu) * c
//!      + gpus * (gpu_idle_w + (gpu_max_w - gpu_idle_w) f(u_gpu) * c) + P_fan(T_inlet)`
//!
//! where `f` is the utilisation curve ([`UtilisationCurve`]: linear, power law or a
//! SPECpower_ssj2008-style table of (load, fraction) points, SPEC 2008 "SPECpower_ssj2008 Run and
//! Reporting Rules"), and `c` in `(0, 1]` is the fraction of dynamic power allowed by a power cap.
//! GPU power states: a GPU of a down node draws nothing (off), of an idle node `gpu_idle_w`
//! (idle), of a busy node the utilisation-dependent active power.
//!
//! Fan power follows the structure of the EnergyPlus `ElectricEquipment:ITE:AirCooled` object
//! (EnergyPlus Engineering Reference, "Electric Equipment ITE (Air-Cooled)", fan power as a
//! function of inlet temperature): fan speed stays at `fan_nominal_speed_frac` up to
//! `fan_ramp_start_c`, rises linearly to full speed at `fan_full_speed_c`, and fan power follows
//! the fan affinity law `P = fan_max_w * speed^3` (ASHRAE Handbook - HVAC Systems and Equipment,
//! ch. 21 "Fans").

use serde::{Deserialize, Serialize};
use sim_core::{validate::check_range, ConfigIssue};

/// Shape `f(u)` of dynamic power versus utilisation, `f(0) = 0`, `f(1) = 1`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum UtilisationCurve {
    /// `f(u) = u` (the default).
    #[default]
    Linear,
    /// `f(u) = u^exponent` (exponent < 1: concave, as measured on many servers).
    PowerLaw {
        /// Exponent, dimensionless, > 0.
        exponent: f64,
    },
    /// SPECpower-style table of `[load, fraction_of_dynamic_range]` points, loads strictly
    /// increasing from 0 to 1, linearly interpolated.
    Table {
        /// `[load 0..1, fraction 0..1]` pairs.
        points: Vec<[f64; 2]>,
    },
}

impl UtilisationCurve {
    /// `f(u)` for `u` clamped to `[0, 1]`.
    pub fn eval(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match self {
            UtilisationCurve::Linear => u,
            UtilisationCurve::PowerLaw { exponent } => u.powf(*exponent),
            UtilisationCurve::Table { points } => {
                if points.is_empty() {
                    return u;
                }
                let i = points.partition_point(|p| p[0] <= u);
                if i == 0 {
                    return points[0][1];
                }
                if i == points.len() {
                    return points[points.len() - 1][1];
                }
                let (a, b) = (points[i - 1], points[i]);
                a[1] + (b[1] - a[1]) * (u - a[0]) / (b[0] - a[0])
            }
        }
    }

    fn validate(&self, path: &str, issues: &mut Vec<ConfigIssue>) {
        match self {
            UtilisationCurve::Linear => {}
            UtilisationCurve::PowerLaw { exponent } => {
                sim_core::validate::check_positive(
                    issues,
                    &format!("{path}.exponent"),
                    *exponent,
                    "-",
                );
            }
            UtilisationCurve::Table { points } => {
                if points.len() < 2 {
                    issues.push(ConfigIssue::error(
                        format!("{path}.points"),
                        "a utilisation table needs at least 2 points, from load 0 to load 1",
                    ));
                    return;
                }
                for (i, p) in points.iter().enumerate() {
                    check_range(
                        issues,
                        &format!("{path}.points[{i}][0]"),
                        p[0],
                        0.0,
                        1.0,
                        "-",
                    );
                    check_range(
                        issues,
                        &format!("{path}.points[{i}][1]"),
                        p[1],
                        0.0,
                        1.0,
                        "-",
                    );
                    if i > 0 && p[0] <= points[i - 1][0] {
                        issues.push(ConfigIssue::error(
                            format!("{path}.points[{i}][0]"),
                            "loads must be strictly increasing",
                        ));
                    }
                }
                let first = points[0];
                let last = points[points.len() - 1];
                if first[0] != 0.0 || last[0] != 1.0 {
                    issues.push(ConfigIssue::error(
                        format!("{path}.points"),
                        "the table must start at load 0 and end at load 1",
                    ));
                }
            }
        }
    }
}

/// Power model of one server node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NodeSpec {
    /// CPU package power at zero utilisation, W (all sockets). Default 60 W.
    pub cpu_idle_w: f64,
    /// CPU package power at full utilisation, W. Default 380 W.
    pub cpu_max_w: f64,
    /// CPU dynamic-power curve. Default linear.
    pub cpu_curve: UtilisationCurve,
    /// Accelerators (GPUs) per node. Default 0.
    pub gpus: u32,
    /// Power of one idle GPU, W. Default 0 W.
    pub gpu_idle_w: f64,
    /// Power of one GPU at full utilisation (its board power limit), W. Default 0 W.
    pub gpu_max_w: f64,
    /// GPU dynamic-power curve. Default linear.
    pub gpu_curve: UtilisationCurve,
    /// Fixed power of memory, NICs, storage, switches and PSU standby, W. Default 30 W.
    pub other_w: f64,
    /// Load-dependent part of memory/NIC power, W at full CPU utilisation, linear in CPU
    /// utilisation (capped with the dynamic power). Default 0 W.
    pub other_load_w: f64,
    /// Fan power at full fan speed, W. Default 40 W.
    pub fan_max_w: f64,
    /// Fan speed as a fraction of full speed at cool inlet, 0..1. Default 0.6.
    pub fan_nominal_speed_frac: f64,
    /// Inlet temperature above which fan speed rises, degC. Default 25 degC.
    pub fan_ramp_start_c: f64,
    /// Inlet temperature at which fans reach full speed, degC. Default 35 degC.
    pub fan_full_speed_c: f64,
}

impl Default for NodeSpec {
    fn default() -> Self {
        NodeSpec::cpu_dual_socket()
    }
}

/// Names of the built-in node presets.
pub const NODE_PRESETS: &[&str] = &["cpu_dual_socket", "gpu_8x_h100"];

impl NodeSpec {
    /// Dual-socket CPU server: about 100 W idle and 450 W at full load (with fans at full
    /// speed). Typical of published SPECpower_ssj2008 results for 2-socket Xeon servers
    /// (spec.org/power_ssj2008/results), whose idle is 20-30 % of full-load power and whose
    /// curve is close to linear; the split into CPU / other / fan is an assumption.
    pub fn cpu_dual_socket() -> Self {
        NodeSpec {
            cpu_idle_w: 60.0,
            cpu_max_w: 380.0,
            cpu_curve: UtilisationCurve::Linear,
            gpus: 0,
            gpu_idle_w: 0.0,
            gpu_max_w: 0.0,
            gpu_curve: UtilisationCurve::Linear,
            other_w: 30.0,
            other_load_w: 0.0,
            fan_max_w: 40.0,
            fan_nominal_speed_frac: 0.6,
            fan_ramp_start_c: 25.0,
            fan_full_speed_c: 35.0,
        }
    }

    /// 8-GPU AI training node in the class of the NVIDIA DGX H100: 8 x H100 SXM5 at 700 W board
    /// power (NVIDIA H100 Tensor Core GPU datasheet), about 10.2 kW maximum system power (NVIDIA
    /// DGX H100 datasheet) reached with fans at full speed; 2 x 56-core CPUs, NVSwitches, NICs
    /// and memory make up the rest. GPU idle about 75 W (typical `nvidia-smi` idle reading of an
    /// H100 SXM; an assumption).
    pub fn gpu_8x_h100() -> Self {
        NodeSpec {
            cpu_idle_w: 250.0,
            cpu_max_w: 900.0,
            cpu_curve: UtilisationCurve::Linear,
            gpus: 8,
            gpu_idle_w: 75.0,
            gpu_max_w: 700.0,
            gpu_curve: UtilisationCurve::Linear,
            other_w: 2000.0,
            other_load_w: 0.0,
            fan_max_w: 1700.0,
            fan_nominal_speed_frac: 0.6,
            fan_ramp_start_c: 25.0,
            fan_full_speed_c: 35.0,
        }
    }

    /// The preset called `name`, if any (see [`NODE_PRESETS`]).
    pub fn preset(name: &str) -> Option<Self> {
        match name {
            "cpu_dual_socket" => Some(Self::cpu_dual_socket()),
            "gpu_8x_h100" => Some(Self::gpu_8x_h100()),
            _ => None,
        }
    }

    /// Power that does not depend on utilisation or caps (idle CPU, idle GPUs, other), W.
    pub fn static_w(&self) -> f64 {
        self.other_w + self.cpu_idle_w + f64::from(self.gpus) * self.gpu_idle_w
    }

    /// Dynamic power at utilisations `cpu_util`, `gpu_util` without a cap, W.
    pub fn dynamic_w(&self, cpu_util: f64, gpu_util: f64) -> f64 {
        (self.cpu_max_w - self.cpu_idle_w) * self.cpu_curve.eval(cpu_util)
            + self.other_load_w * cpu_util.clamp(0.0, 1.0)
            + f64::from(self.gpus)
                * (self.gpu_max_w - self.gpu_idle_w)
                * self.gpu_curve.eval(gpu_util)
    }

    /// Fan power at inlet temperature `inlet_c`, W.
    pub fn fan_w(&self, inlet_c: f64) -> f64 {
        let span_k = self.fan_full_speed_c - self.fan_ramp_start_c;
        let x = if span_k > 0.0 {
            ((inlet_c - self.fan_ramp_start_c) / span_k).clamp(0.0, 1.0)
        } else if inlet_c >= self.fan_full_speed_c {
            1.0
        } else {
            0.0
        };
        let speed = self.fan_nominal_speed_frac + (1.0 - self.fan_nominal_speed_frac) * x;
        self.fan_max_w * speed * speed * speed
    }

    /// Total node power, W, at the given utilisations, dynamic-power fraction `cap_frac` and
    /// inlet temperature.
    pub fn power_w(&self, cpu_util: f64, gpu_util: f64, cap_frac: f64, inlet_c: f64) -> f64 {
        self.static_w() + self.dynamic_w(cpu_util, gpu_util) * cap_frac + self.fan_w(inlet_c)
    }

    /// Maximum power (full load, no cap, fans at full speed), W.
    pub fn max_w(&self) -> f64 {
        self.static_w() + self.dynamic_w(1.0, 1.0) + self.fan_max_w
    }

    /// All problems with this spec; paths relative to the spec.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        for (k, x) in [
            ("cpu_idle_w", self.cpu_idle_w),
            ("cpu_max_w", self.cpu_max_w),
            ("gpu_idle_w", self.gpu_idle_w),
            ("gpu_max_w", self.gpu_max_w),
            ("other_w", self.other_w),
            ("other_load_w", self.other_load_w),
            ("fan_max_w", self.fan_max_w),
        ] {
            check_range(&mut v, k, x, 0.0, 1e6, "W");
        }
        if self.cpu_max_w < self.cpu_idle_w {
            v.push(ConfigIssue::error(
                "cpu_max_w",
                format!(
                    "{} W is below cpu_idle_w = {} W: maximum power must be at least idle power",
                    self.cpu_max_w, self.cpu_idle_w
                ),
            ));
        }
        if self.gpus > 0 && self.gpu_max_w < self.gpu_idle_w {
            v.push(ConfigIssue::error(
                "gpu_max_w",
                format!(
                    "{} W is below gpu_idle_w = {} W: maximum power must be at least idle power",
                    self.gpu_max_w, self.gpu_idle_w
                ),
            ));
        }
        if self.fan_ramp_start_c < 15.0 {
            v.push(ConfigIssue::warning(
                "fan_ramp_start_c",
                format!(
                    "{} degC is below the ASHRAE recommended inlet range (18-27 degC): fans would ramp at normal inlets",
                    self.fan_ramp_start_c
                ),
            ));
        }
        if self.gpus > 0 && self.gpu_max_w == 0.0 {
            v.push(ConfigIssue::warning(
                "gpu_max_w",
                "the node has GPUs but gpu_max_w is 0 W",
            ));
        }
        check_range(
            &mut v,
            "fan_nominal_speed_frac",
            self.fan_nominal_speed_frac,
            0.0,
            1.0,
            "-",
        );
        if self.fan_full_speed_c < self.fan_ramp_start_c {
            v.push(ConfigIssue::error(
                "fan_full_speed_c",
                format!(
                    "{} degC is below fan_ramp_start_c = {} degC: expected full speed at or above the ramp start",
                    self.fan_full_speed_c, self.fan_ramp_start_c
                ),
            ));
        }
        self.cpu_curve.validate("cpu_curve", &mut v);
        self.gpu_curve.validate("gpu_curve", &mut v);
        v
    }
}

/// DVFS power-performance curve used by power capping.
///
/// Dynamic CMOS power is `P = a C V^2 f` and voltage scales roughly with frequency in the DVFS
/// range, so `P_dyn ~ f^power_exponent` with `power_exponent` about 3 (Rabaey, Chandrakasan &
/// Nikolic, "Digital Integrated Circuits", 2nd ed., ch. 5). A cap that leaves a fraction `c` of
/// the dynamic power gives the clock ratio `r = max(c^(1/power_exponent), min_clock_ratio)`.
/// Run time follows the beta model of Hsu & Feng (SC 2005, "A power-aware run-time system for
/// high-performance computing"): `T(r) / T(1) = beta (1 / r - 1) + 1`, where `beta = 1` for a
/// CPU-bound job and smaller for memory- or I/O-bound work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PowerPerformance {
    /// Exponent of dynamic power versus clock frequency, dimensionless. Default 3.
    pub power_exponent: f64,
    /// Lowest clock ratio DVFS can reach, 0..1. Default 0.4.
    pub min_clock_ratio: f64,
    /// Hsu & Feng frequency sensitivity of run time, 0..1 (1 = CPU-bound). Default 1.
    pub beta: f64,
}

impl Default for PowerPerformance {
    fn default() -> Self {
        PowerPerformance {
            power_exponent: 3.0,
            min_clock_ratio: 0.4,
            beta: 1.0,
        }
    }
}

impl PowerPerformance {
    /// Clock ratio for dynamic-power fraction `cap_frac`.
    pub fn clock_ratio(&self, cap_frac: f64) -> f64 {
        cap_frac
            .clamp(0.0, 1.0)
            .powf(1.0 / self.power_exponent)
            .max(self.min_clock_ratio)
    }

    /// Lowest dynamic-power fraction reachable (at the minimum clock ratio).
    pub fn min_cap_frac(&self) -> f64 {
        self.min_clock_ratio.powf(self.power_exponent)
    }

    /// Work speed (work seconds per wall second) at dynamic-power fraction `cap_frac`.
    pub fn speed(&self, cap_frac: f64) -> f64 {
        let r = self.clock_ratio(cap_frac);
        1.0 / (self.beta * (1.0 / r - 1.0) + 1.0)
    }

    /// All problems; paths relative to this section.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_range(&mut v, "power_exponent", self.power_exponent, 1.0, 4.0, "-");
        check_range(
            &mut v,
            "min_clock_ratio",
            self.min_clock_ratio,
            0.05,
            1.0,
            "-",
        );
        check_range(&mut v, "beta", self.beta, 0.0, 1.0, "-");
        v
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_their_sources() {
        // Dual-socket CPU node: ~100 W idle, ~450 W max (SPECpower-style figures quoted in the
        // preset's doc); tolerance 5 %.
        let c = NodeSpec::cpu_dual_socket();
        let idle = c.power_w(0.0, 0.0, 1.0, 20.0);
        assert!((idle - 100.0).abs() < 5.0, "idle {idle}");
        assert!((c.max_w() - 450.0).abs() < 1e-9);
        // DGX H100 datasheet: 10.2 kW max system power; 8 x 700 W GPUs.
        let g = NodeSpec::gpu_8x_h100();
        assert!((g.max_w() - 10_200.0).abs() < 1e-9);
        assert_eq!(g.gpus, 8);
        assert!(c.validate().is_empty() && g.validate().is_empty());
    }

    #[test]
    fn power_is_monotone_in_utilisation_and_inlet() {
        let g = NodeSpec::gpu_8x_h100();
        let mut last = 0.0;
        for i in 0..=10 {
            let p = g.power_w(0.5, f64::from(i) / 10.0, 1.0, 22.0);
            assert!(p > last);
            last = p;
        }
        // fan power flat below the ramp start, rising above it, capped at full speed.
        assert_eq!(g.fan_w(18.0), g.fan_w(25.0));
        assert!(g.fan_w(30.0) > g.fan_w(25.0));
        assert_eq!(g.fan_w(35.0), g.fan_max_w);
        assert_eq!(g.fan_w(45.0), g.fan_max_w);
    }

    #[test]
    fn table_curve_interpolates() {
        let t = UtilisationCurve::Table {
            points: vec![[0.0, 0.0], [0.5, 0.7], [1.0, 1.0]],
        };
        assert!((t.eval(0.25) - 0.35).abs() < 1e-12);
        assert!((t.eval(0.75) - 0.85).abs() < 1e-12);
        assert_eq!(t.eval(1.5), 1.0);
        let bad = UtilisationCurve::Table {
            points: vec![[0.0, 0.0], [0.0, 0.5]],
        };
        let mut v = Vec::new();
        bad.validate("cpu_curve", &mut v);
        assert!(v.iter().any(|i| i.path == "cpu_curve.points[1][0]"));
    }

    #[test]
    fn halving_dynamic_power_follows_the_cube_law() {
        // Cap to 50 % dynamic power: clock ratio 0.5^(1/3) = 0.7937, CPU-bound (beta = 1) run
        // time stretches by 1/0.7937 = 1.2599 (Hsu & Feng beta model).
        let pp = PowerPerformance::default();
        assert!((pp.clock_ratio(0.5) - 0.793_700_5).abs() < 1e-6);
        assert!((1.0 / pp.speed(0.5) - 1.259_921).abs() < 1e-5);
        let mem = PowerPerformance {
            beta: 0.5,
            ..pp.clone()
        };
        assert!(mem.speed(0.5) > pp.speed(0.5));
        assert_eq!(pp.speed(1.0), 1.0);
        assert_eq!(pp.clock_ratio(0.0), pp.min_clock_ratio);
    }
}
