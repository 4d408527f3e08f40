//! Perfect-foresight bound on storage dispatch: dynamic programming over a state-of-charge
//! grid (Bellman's backward recursion; for battery scheduling e.g. Bhattacharya, Kharoufeh,
//! Zeng, "Managing energy storage in microgrids: a multistage stochastic programming
//! approach", IEEE Trans. Smart Grid 9(1), 2018, and the deterministic SoC-grid DP of
//! Koller et al., "Defining a degradation cost function for optimal control of a battery
//! energy storage system", IEEE PowerTech 2013).
//!
//! Given the battery, the grid signals and the site's net LV demand per step (load minus
//! renewables, before storage), [`solve`] returns the lowest cost this battery could achieve
//! with the whole series known in advance: energy cost, demand charges and the cycle wear of
//! [`crate::degradation`] (plus calendar ageing, the same with or without dispatch). It is the
//! yardstick for storage policies: a policy's saving against `idle` over the oracle's saving.
//!
//! Model (stated so that the bound is read correctly):
//! - Stored energy on `soc_levels` equally spaced levels spanning the SoC window of the
//!   nameplate capacity; per step the store moves by whole levels within the C-rate limits
//!   (charge: `level * dE / (eta_c dt)` at the terminals, discharge: `level * dE * eta_d / dt`);
//!   the start SoC is rounded to the nearest level. No export: discharge is limited to the net
//!   demand. Self-discharge and capacity fade are left out (the bound is optimistic by at most
//!   the self-discharge, ~2 % of stored energy per month for LFP).
//! - Wear: the linear cycle rate of [`DegradationCost`] per stored joule moved (an upper bound
//!   of the rainflow wear for `k >= 1`).
//! - Demand charge: each step's import counts as a demand sample; give the demand interval as
//!   the step (as [`crate::ElectricalSystem::oracle_report`] does) for the billed peak.
//! - Billing months from [`month_index`]. Within a month the peak is handled exactly for a cap
//!   on a grid of `peak_levels` candidate values: the DP is run under each cap, and the month's
//!   start value is the minimum over caps of (DP cost + demand charge at the cap). The reported
//!   cost is re-evaluated on the dispatch found, with its actual peaks.
//!
//! Run time: `O(months * peak_levels * steps * soc_levels * moves)` with a vectorisable inner
//! loop; a year of 15-minute steps with 100 levels: see `benches/oracle.rs`.

use crate::battery::BatteryConfig;
use crate::chain::Transformer;
use crate::degradation::DegradationCost;
use crate::grid::{month_index, GridSignals};
use sim_core::{SimDuration, SimTime};

/// Error of an oracle run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OracleError {
    /// Fewer than two SoC levels, or no peak level.
    #[error("the oracle needs at least 2 SoC levels and 1 peak level (got {soc} and {peak})")]
    Grid {
        /// SoC levels asked for.
        soc: usize,
        /// Peak levels asked for.
        peak: usize,
    },
    /// The step is not a positive finite number of seconds.
    #[error("oracle step {0} s must be positive and finite")]
    Step(f64),
    /// A demand value is not finite.
    #[error("net demand at step {0} is not finite")]
    Demand(usize),
}

/// Resolution of the oracle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OracleOptions {
    /// SoC grid levels (>= 2). Default 100.
    pub soc_levels: usize,
    /// Candidate monthly peak caps (>= 1). Default 12.
    pub peak_levels: usize,
}

impl Default for OracleOptions {
    fn default() -> Self {
        OracleOptions {
            soc_levels: 100,
            peak_levels: 12,
        }
    }
}

/// The problem: battery, tariff and the recorded demand.
#[derive(Debug, Clone, Copy)]
pub struct OracleInput<'a> {
    /// The battery.
    pub battery: &'a BatteryConfig,
    /// The transformer between the meter and the LV bus.
    pub transformer: &'a Transformer,
    /// Price, demand charge (and carbon, for reporting only).
    pub signals: &'a GridSignals,
    /// Time of the first step (for prices and billing months).
    pub start: SimTime,
    /// Step length in s.
    pub step_s: f64,
    /// Net LV-bus demand before storage per step in W.
    pub net_demand_w: &'a [f64],
    /// SoC at the start (-).
    pub initial_soc: f64,
}

/// Cost breakdown of one dispatch (currency).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DispatchCost {
    /// Energy cost.
    pub energy_cost: f64,
    /// Demand charges.
    pub demand_cost: f64,
    /// Cycle wear (linear rate) plus calendar ageing.
    pub degradation_cost: f64,
}

impl DispatchCost {
    /// Sum of the parts.
    pub fn total(&self) -> f64 {
        self.energy_cost + self.demand_cost + self.degradation_cost
    }
}

/// The oracle's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct OracleResult {
    /// Lowest cost found (energy + demand + degradation), currency.
    pub cost: f64,
    /// Its breakdown.
    pub breakdown: DispatchCost,
    /// Cost of the same series with the battery idle (same model), currency.
    pub idle_cost: f64,
    /// `idle_cost - cost` (>= 0), currency.
    pub saving_vs_idle: f64,
    /// Battery terminal power per step in W (> 0 charge, < 0 discharge).
    pub battery_w: Vec<f64>,
    /// SoC at each step boundary (length steps + 1).
    pub soc: Vec<f64>,
    /// Peak import of each billing month touched, in W.
    pub monthly_peak_w: Vec<f64>,
}

impl OracleResult {
    /// A policy's saving against idle as a fraction of the oracle's saving (1 = as good as
    /// perfect foresight); `None` when the oracle saves nothing.
    pub fn fraction_of_saving(&self, policy_saving: f64) -> Option<f64> {
        (self.saving_vs_idle > 0.0).then(|| policy_saving / self.saving_vs_idle)
    }
}

/// The SoC grid and the per-step moves it allows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    pub(crate) levels: usize,
    pub(crate) level_j: f64,
    pub(crate) floor_soc: f64,
    pub(crate) soc_per_level: f64,
    pub(crate) max_up: usize,
    pub(crate) max_down: usize,
    eta_c: f64,
    eta_d: f64,
    wear_per_level: f64,
}

impl Grid {
    pub(crate) fn new(b: &BatteryConfig, levels: usize, step_s: f64) -> Self {
        let span = (b.soc_max - b.soc_min).max(0.0);
        let level_j = (span * b.capacity_kwh * 3.6e6 / (levels - 1) as f64).max(1e-9);
        let charge_w = b.max_charge_c_rate * b.capacity_kwh * 1000.0;
        let discharge_w = b.max_discharge_c_rate * b.capacity_kwh * 1000.0;
        let cap = levels - 1;
        let up = (charge_w * b.charge_efficiency * step_s / level_j + 1e-9).floor();
        let down = (discharge_w * step_s / (b.discharge_efficiency * level_j) + 1e-9).floor();
        Grid {
            levels,
            level_j,
            floor_soc: b.soc_min,
            soc_per_level: span / (levels - 1) as f64,
            max_up: (up as usize).min(cap),
            max_down: (down as usize).min(cap),
            eta_c: b.charge_efficiency,
            eta_d: b.discharge_efficiency,
            wear_per_level: DegradationCost::of(b).cost_per_stored_j * level_j,
        }
    }

    /// Terminal power in W of a move of `d` levels in one step of `step_s`.
    pub(crate) fn power_w(&self, d: isize, step_s: f64) -> f64 {
        let e = d as f64 * self.level_j / step_s;
        if d >= 0 {
            e / self.eta_c
        } else {
            e * self.eta_d
        }
    }

    pub(crate) fn level_of(&self, soc: f64) -> usize {
        let x = ((soc - self.floor_soc) / self.soc_per_level.max(1e-12)).round();
        (x.max(0.0) as usize).min(self.levels - 1)
    }

    pub(crate) fn soc_of(&self, level: usize) -> f64 {
        self.floor_soc + level as f64 * self.soc_per_level
    }

    pub(crate) fn moves(&self) -> usize {
        self.max_up + self.max_down + 1
    }
}

/// One step of the problem as the DP sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stage {
    /// Net LV demand in W.
    pub(crate) net_w: f64,
    /// Value of imported energy per kWh (price, plus carbon for the receding horizon).
    pub(crate) value_per_kwh: f64,
    /// Import cap in W (infinity: none).
    pub(crate) cap_w: f64,
    /// Penalty per W of import above `soft_cap_w` (receding horizon).
    pub(crate) over_penalty_per_w: f64,
    /// Soft cap in W.
    pub(crate) soft_cap_w: f64,
}

/// Fill `cost[d + max_down]` with the cost of a move of `d` levels (infinity if infeasible).
pub(crate) fn stage_costs(g: &Grid, tr: &Transformer, s: &Stage, step_s: f64, cost: &mut [f64]) {
    let hours = step_s / 3600.0;
    for (k, c) in cost.iter_mut().enumerate() {
        let d = k as isize - g.max_down as isize;
        let p = g.power_w(d, step_s);
        let lv = s.net_w + p;
        let import = tr.input_for_output_w(lv);
        let feasible = (d >= 0 || -p <= s.net_w.max(0.0) + 1e-9) && import <= s.cap_w;
        *c = if feasible {
            let over = (import - s.soft_cap_w).max(0.0) * s.over_penalty_per_w;
            s.value_per_kwh * import / 1000.0 * hours
                + g.wear_per_level * d.unsigned_abs() as f64
                + over
        } else {
            f64::INFINITY
        };
    }
}

/// One backward Bellman step: `v[i] = min_d cost[d] + v_next[i + d]`; with `arg`, the best
/// move of each level is recorded (ties to the smallest move in magnitude order of `d`).
pub(crate) fn backward(
    g: &Grid,
    cost: &[f64],
    v_next: &[f64],
    v: &mut [f64],
    arg: Option<&mut [i16]>,
) {
    let n = g.levels;
    v.fill(f64::INFINITY);
    let md = g.max_down as isize;
    match arg {
        None => {
            for (k, &c) in cost.iter().enumerate() {
                if c == f64::INFINITY {
                    continue;
                }
                let d = k as isize - md;
                let (lo, hi) = range(n, d);
                let shift = (lo as isize + d) as usize;
                for (vi, &vn) in v[lo..hi].iter_mut().zip(&v_next[shift..]) {
                    *vi = vi.min(c + vn);
                }
            }
        }
        Some(a) => {
            a.fill(0);
            for (k, &c) in cost.iter().enumerate() {
                if c == f64::INFINITY {
                    continue;
                }
                let d = k as isize - md;
                let (lo, hi) = range(n, d);
                for i in lo..hi {
                    let x = c + v_next[(i as isize + d) as usize];
                    if x < v[i] {
                        v[i] = x;
                        a[i] = d as i16;
                    }
                }
            }
        }
    }
}

/// Levels `i` for which `i + d` is on the grid.
fn range(n: usize, d: isize) -> (usize, usize) {
    if d >= 0 {
        (0, n.saturating_sub(d as usize))
    } else {
        ((-d) as usize, n)
    }
}

fn validate(input: &OracleInput<'_>, o: &OracleOptions) -> Result<(), OracleError> {
    if o.soc_levels < 2 || o.peak_levels < 1 || o.soc_levels > i16::MAX as usize {
        return Err(OracleError::Grid {
            soc: o.soc_levels,
            peak: o.peak_levels,
        });
    }
    if !(input.step_s.is_finite() && input.step_s > 0.0) {
        return Err(OracleError::Step(input.step_s));
    }
    match input.net_demand_w.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(OracleError::Demand(i)),
        None => Ok(()),
    }
}

fn step_time(input: &OracleInput<'_>, j: usize) -> SimTime {
    input.start + SimDuration((j as f64 * input.step_s * 1e6).round() as u64)
}

/// Step ranges of the billing months, in order.
fn months(input: &OracleInput<'_>) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut out: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    for j in 0..input.net_demand_w.len() {
        let m = month_index(step_time(input, j));
        match out.last_mut() {
            Some((lm, r)) if *lm == m => r.end = j + 1,
            _ => out.push((m, j..j + 1)),
        }
    }
    out
}

/// Candidate peak caps of one month (ascending), infinity alone without a demand charge.
fn caps(input: &OracleInput<'_>, g: &Grid, r: &std::ops::Range<usize>, levels: usize) -> Vec<f64> {
    if input.signals.demand_charge_per_kw_month <= 0.0 {
        return vec![f64::INFINITY];
    }
    let tr = input.transformer;
    let dn = g.power_w(-(g.max_down as isize), input.step_s);
    let up = g.power_w(g.max_up as isize, input.step_s);
    let (mut lo, mut idle, mut hi) = (0.0f64, 0.0f64, 0.0f64);
    for &net in &input.net_demand_w[r.clone()] {
        lo = lo.max(tr.input_for_output_w(net + dn.max(-net.max(0.0))));
        idle = idle.max(tr.input_for_output_w(net));
        hi = hi.max(tr.input_for_output_w(net + up));
    }
    let below = levels.max(1);
    let mut out: Vec<f64> = (0..below)
        .map(|k| lo + (idle - lo) * (k as f64 + 1.0) / below as f64)
        .collect();
    let above = levels.div_ceil(4);
    // The top cap `hi` is the largest import any dispatch can draw: effectively uncapped.
    out.extend((1..=above).map(|k| idle + (hi - idle) * k as f64 / above as f64));
    out
}

struct MonthPlan {
    caps: Vec<f64>,
    /// Value at the month start per cap (row-major, caps x levels).
    start_values: Vec<f64>,
}

fn stage_of(input: &OracleInput<'_>, j: usize, cap_w: f64) -> Stage {
    Stage {
        net_w: input.net_demand_w[j],
        value_per_kwh: input.signals.price.value_at(step_time(input, j)),
        cap_w,
        over_penalty_per_w: 0.0,
        soft_cap_w: f64::INFINITY,
    }
}

/// Backward DP over one month under one cap; `arg` receives the decisions when given.
fn month_dp(
    input: &OracleInput<'_>,
    g: &Grid,
    r: &std::ops::Range<usize>,
    cap_w: f64,
    v_end: &[f64],
    mut arg: Option<&mut [i16]>,
) -> Vec<f64> {
    let n = g.levels;
    let mut cost = vec![0.0; g.moves()];
    let mut v_next = v_end.to_vec();
    let mut v = vec![0.0; n];
    for j in r.clone().rev() {
        stage_costs(
            g,
            input.transformer,
            &stage_of(input, j, cap_w),
            input.step_s,
            &mut cost,
        );
        let a = arg
            .as_deref_mut()
            .map(|a| &mut a[(j - r.start) * n..(j - r.start + 1) * n]);
        backward(g, &cost, &v_next, &mut v, a);
        std::mem::swap(&mut v, &mut v_next);
    }
    v_next
}

/// Lowest-cost dispatch of `input` with perfect foresight.
pub fn solve(
    input: &OracleInput<'_>,
    options: &OracleOptions,
) -> Result<OracleResult, OracleError> {
    validate(input, options)?;
    let g = Grid::new(input.battery, options.soc_levels, input.step_s);
    let n = g.levels;
    let dc = input.signals.demand_charge_per_kw_month / 1000.0;
    let ms = months(input);
    // Backward over months: value at each month boundary, and per-cap start values.
    let mut boundary = vec![vec![0.0; n]; ms.len() + 1];
    let mut plans = Vec::with_capacity(ms.len());
    for (mi, (_, r)) in ms.iter().enumerate().rev() {
        let caps = caps(input, &g, r, options.peak_levels);
        let mut start_values = Vec::with_capacity(caps.len() * n);
        let mut best = vec![f64::INFINITY; n];
        for &cap in &caps {
            let v = month_dp(input, &g, r, cap, &boundary[mi + 1], None);
            let charge = if cap.is_finite() { dc * cap } else { 0.0 };
            for (b, x) in best.iter_mut().zip(&v) {
                *b = b.min(x + charge);
            }
            start_values.extend_from_slice(&v);
        }
        boundary[mi] = best;
        plans.push(MonthPlan { caps, start_values });
    }
    plans.reverse();
    let levels = forward(input, &g, &ms, &plans, &boundary, dc);
    Ok(result(input, &g, &levels))
}

/// Forward pass: pick each month's cap for its start level and follow the decisions.
fn forward(
    input: &OracleInput<'_>,
    g: &Grid,
    ms: &[(usize, std::ops::Range<usize>)],
    plans: &[MonthPlan],
    boundary: &[Vec<f64>],
    dc: f64,
) -> Vec<usize> {
    let n = g.levels;
    let mut level = g.level_of(input.initial_soc);
    let mut levels = vec![level];
    for (mi, (_, r)) in ms.iter().enumerate() {
        let p = &plans[mi];
        let score = |k: usize| {
            let charge = if p.caps[k].is_finite() {
                dc * p.caps[k]
            } else {
                0.0
            };
            p.start_values[k * n + level] + charge
        };
        let k = (0..p.caps.len())
            .min_by(|&a, &b| score(a).total_cmp(&score(b)))
            .unwrap_or(0);
        let mut arg = vec![0i16; r.len() * n];
        month_dp(input, g, r, p.caps[k], &boundary[mi + 1], Some(&mut arg));
        for j in 0..r.len() {
            let d = arg[j * n + level] as isize;
            level = (level as isize + d).clamp(0, n as isize - 1) as usize;
            levels.push(level);
        }
    }
    levels
}

fn result(input: &OracleInput<'_>, g: &Grid, levels: &[usize]) -> OracleResult {
    let battery_w: Vec<f64> = levels
        .windows(2)
        .map(|w| g.power_w(w[1] as isize - w[0] as isize, input.step_s))
        .collect();
    let (breakdown, monthly_peak_w) = evaluate(input, &battery_w);
    let (idle, _) = evaluate(input, &vec![0.0; battery_w.len()]);
    let cost = breakdown.total();
    OracleResult {
        cost,
        breakdown,
        idle_cost: idle.total(),
        saving_vs_idle: idle.total() - cost,
        battery_w,
        soc: levels.iter().map(|&l| g.soc_of(l)).collect(),
        monthly_peak_w,
    }
}

/// Cost of a dispatch (`battery_w` per step, terminal, > 0 charge) on the oracle's model:
/// energy at the price of each step, demand charge on each month's highest step import, cycle
/// wear at the linear rate on the stored energy moved, and calendar ageing over the series.
/// Returns the breakdown and the monthly peaks in W.
pub fn evaluate(input: &OracleInput<'_>, battery_w: &[f64]) -> (DispatchCost, Vec<f64>) {
    let b = input.battery;
    let wear = DegradationCost::of(b);
    let hours = input.step_s / 3600.0;
    let mut c = DispatchCost::default();
    let mut peaks: Vec<(usize, f64)> = Vec::new();
    for (j, (&net, &p)) in input.net_demand_w.iter().zip(battery_w).enumerate() {
        let t = step_time(input, j);
        let import = input.transformer.input_for_output_w(net + p);
        c.energy_cost += input.signals.price.value_at(t) * import / 1000.0 * hours;
        let stored_j = if p >= 0.0 {
            p * b.charge_efficiency
        } else {
            -p / b.discharge_efficiency
        } * input.step_s;
        c.degradation_cost += wear.cost_per_stored_j * stored_j;
        let m = month_index(t);
        match peaks.last_mut() {
            Some((lm, pk)) if *lm == m => *pk = pk.max(import),
            _ => peaks.push((m, import)),
        }
    }
    let dc = input.signals.demand_charge_per_kw_month / 1000.0;
    c.demand_cost = peaks.iter().map(|p| p.1 * dc).sum();
    c.degradation_cost += wear.calendar_cost_per_s * input.step_s * input.net_demand_w.len() as f64;
    (c, peaks.into_iter().map(|p| p.1).collect())
}

#[cfg(test)]
mod tests;
