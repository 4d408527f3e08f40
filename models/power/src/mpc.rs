//! Receding-horizon (model predictive) storage policy: every `replan_interval_min` it solves
//! the SoC-grid dynamic programme of [`crate::oracle`] over the next `horizon_h` hours on the
//! forecasts, and follows the first part of the plan (J. B. Rawlings, D. Q. Mayne, M. Diehl,
//! "Model Predictive Control: Theory, Computation, and Design", 2nd ed., 2017, ch. 1; for
//! storage dispatch e.g. Parisio, Rikos, Glielmo, "A model predictive control approach to
//! microgrid operation optimization", IEEE Trans. Control Syst. Technol. 22(5), 2014).
//!
//! Forecasts: price and carbon from [`GridSignals::price_forecast`] and
//! [`GridSignals::carbon_forecast`] (their error is `[power.grid.forecast] noise_fraction`);
//! load by the seasonal-naive rule (the net demand seen at the same time of day yesterday,
//! the current one before a day of history), times `1 + load_forecast_error_fraction * z` with
//! `z` standard normal from the named stream `power.storage.load_forecast`, so runs are
//! deterministic per seed. Objective per step: energy at price plus carbon priced at
//! `carbon_price_per_kg`, the cycle wear of [`crate::degradation`], and the demand charge per W
//! of import above the running billed peak (a per-step surrogate of the monthly peak).
//! Stored energy left at the horizon end is valued at the lowest forecast value in the horizon
//! (times the discharge efficiency), nothing when the run ends inside the horizon.

use crate::grid::GridSignals;
use crate::oracle::{backward, stage_costs, Grid, Stage};
use crate::policy::{StorageObservation, StoragePolicy};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use sim_core::validate::check_range;
use sim_core::{ConfigIssue, RngStreams, SimDuration, SimTime, StreamRng};

/// The `storage_policy.receding_horizon` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecedingHorizonConfig {
    /// Re-plan every this many minutes. Default 15.
    pub replan_interval_min: u32,
    /// Planning step in minutes. Default 15.
    pub plan_step_min: u32,
    /// SoC grid levels of the plan. Default 50.
    pub soc_levels: usize,
    /// Relative standard deviation of the multiplicative Gaussian load-forecast error (-).
    /// Default 0 (the seasonal-naive forecast itself).
    pub load_forecast_error_fraction: f64,
}

impl Default for RecedingHorizonConfig {
    fn default() -> Self {
        RecedingHorizonConfig {
            replan_interval_min: 15,
            plan_step_min: 15,
            soc_levels: 50,
            load_forecast_error_fraction: 0.0,
        }
    }
}

impl RecedingHorizonConfig {
    /// All problems, paths relative to this section.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        let replan = f64::from(self.replan_interval_min);
        check_range(&mut v, "replan_interval_min", replan, 1.0, 1440.0, "min");
        let step = f64::from(self.plan_step_min);
        check_range(&mut v, "plan_step_min", step, 1.0, 1440.0, "min");
        let levels = self.soc_levels as f64;
        check_range(&mut v, "soc_levels", levels, 2.0, 1000.0, "-");
        let e = self.load_forecast_error_fraction;
        check_range(&mut v, "load_forecast_error_fraction", e, 0.0, 1.0, "-");
        v
    }
}

/// The receding-horizon policy.
pub struct RecedingHorizon {
    cfg: RecedingHorizonConfig,
    carbon_price_per_kg: f64,
    horizon: SimDuration,
    rng: StreamRng,
    /// Net demand seen per plan slot of the day (seasonal-naive memory), W.
    day_memory: Vec<Option<f64>>,
    /// Planned SoC at the end of each plan slot, from `plan_start`.
    plan: Vec<f64>,
    plan_start: SimTime,
    next_replan: SimTime,
}

impl RecedingHorizon {
    /// A policy with forecast errors drawn from `streams`.
    pub fn new(
        cfg: &RecedingHorizonConfig,
        carbon_price_per_kg: f64,
        horizon: SimDuration,
        streams: &RngStreams,
    ) -> Self {
        let slots = (1440 / cfg.plan_step_min.clamp(1, 1440)) as usize;
        RecedingHorizon {
            cfg: cfg.clone(),
            carbon_price_per_kg,
            horizon,
            rng: streams.stream("power.storage.load_forecast"),
            day_memory: vec![None; slots.max(1)],
            plan: Vec::new(),
            plan_start: SimTime::ZERO,
            next_replan: SimTime::ZERO,
        }
    }

    fn step(&self) -> SimDuration {
        SimDuration::from_secs(u64::from(self.cfg.plan_step_min.clamp(1, 1440)) * 60)
    }

    fn slot_of_day(&self, t: SimTime) -> usize {
        ((t.0 % 86_400_000_000) / self.step().0.max(1)) as usize % self.day_memory.len()
    }

    fn value(&self, s: &GridSignals, t: SimTime) -> f64 {
        s.price_forecast.value_at(t)
            + self.carbon_price_per_kg * s.carbon_forecast.value_at(t) / 1000.0
    }

    fn stages(&mut self, o: &StorageObservation<'_>) -> Vec<Stage> {
        let step = self.step();
        let n = ((o.horizon_end(self.horizon) - o.now).0 / step.0.max(1)) as usize;
        let penalty = o.signals.demand_charge_per_kw_month / 1000.0;
        let sigma = self.cfg.load_forecast_error_fraction;
        (0..n.max(1))
            .map(|k| {
                let t = o.now + SimDuration(step.0 * k as u64);
                let seasonal = self.day_memory[self.slot_of_day(t)];
                let base = if k == 0 {
                    o.net_demand_w
                } else {
                    seasonal.unwrap_or(o.net_demand_w)
                };
                let z: f64 = if sigma > 0.0 {
                    StandardNormal.sample(&mut self.rng)
                } else {
                    0.0
                };
                Stage {
                    net_w: base * (1.0 + sigma * z),
                    value_per_kwh: self.value(o.signals, t),
                    cap_w: f64::INFINITY,
                    over_penalty_per_w: penalty,
                    soft_cap_w: o.month_peak_w,
                }
            })
            .collect()
    }

    fn replan(&mut self, o: &StorageObservation<'_>) {
        let stages = self.stages(o);
        let step_s = self.step().as_secs_f64();
        let g = Grid::new(o.battery, self.cfg.soc_levels.max(2), step_s);
        let ends_inside = o.run_end.is_some_and(|r| r <= o.now + self.horizon);
        let floor_value = stages
            .iter()
            .map(|s| s.value_per_kwh)
            .fold(f64::INFINITY, f64::min);
        let per_level = if ends_inside {
            0.0
        } else {
            floor_value * g.level_j / 3.6e6
        };
        let eta_d = o.battery.discharge_efficiency;
        let mut v_next: Vec<f64> = (0..g.levels)
            .map(|i| -(i as f64) * per_level * eta_d)
            .collect();
        let mut v = vec![0.0; g.levels];
        let mut cost = vec![0.0; g.moves()];
        let mut args = vec![0i16; stages.len() * g.levels];
        for (k, s) in stages.iter().enumerate().rev() {
            stage_costs(&g, o.transformer, s, step_s, &mut cost);
            let a = &mut args[k * g.levels..(k + 1) * g.levels];
            backward(&g, &cost, &v_next, &mut v, Some(a));
            std::mem::swap(&mut v, &mut v_next);
        }
        let mut level = g.level_of(o.soc);
        self.plan.clear();
        for k in 0..stages.len() {
            level = (level as isize + args[k * g.levels + level] as isize)
                .clamp(0, g.levels as isize - 1) as usize;
            self.plan.push(g.soc_of(level));
        }
        self.plan_start = o.now;
    }
}

impl StoragePolicy for RecedingHorizon {
    fn name(&self) -> &str {
        "receding_horizon"
    }
    fn request_w(&mut self, o: &StorageObservation<'_>) -> f64 {
        let slot = self.slot_of_day(o.now);
        self.day_memory[slot] = Some(o.net_demand_w);
        if o.now >= self.next_replan || self.plan.is_empty() {
            self.replan(o);
            let every = u64::from(self.cfg.replan_interval_min.max(1)) * 60;
            self.next_replan = o.now + SimDuration::from_secs(every);
        }
        let step = self.step();
        let k = ((o.now - self.plan_start).0 / step.0.max(1)) as usize;
        let Some(&target) = self.plan.get(k.min(self.plan.len().saturating_sub(1))) else {
            return 0.0;
        };
        let slot_end = self.plan_start + SimDuration(step.0 * (k as u64 + 1));
        let left_s = (slot_end - o.now)
            .as_secs_f64()
            .max(o.dt.as_secs_f64())
            .max(1e-9);
        let stored_w = (target - o.soc) * o.battery.capacity_kwh * 3.6e6 / left_s;
        if stored_w >= 0.0 {
            stored_w / o.battery.charge_efficiency
        } else {
            stored_w * o.battery.discharge_efficiency
        }
    }
}
