use super::*;
use crate::battery::BatteryChemistry;
use crate::grid::{GridConfig, SignalSource, TouPeriod};
use sim_core::RngStreams;
use std::path::Path;

fn signals(demand_charge_per_kw_month: f64) -> GridSignals {
    let cfg = GridConfig {
        price: SignalSource::TimeOfUse {
            periods: vec![
                TouPeriod {
                    start_hour: 0.0,
                    value: 0.05,
                },
                TouPeriod {
                    start_hour: 2.0,
                    value: 0.30,
                },
                TouPeriod {
                    start_hour: 4.0,
                    value: 0.10,
                },
            ],
        },
        demand_charge_per_kw_month,
        ..GridConfig::default()
    };
    GridSignals::load(&cfg, Path::new("."), &RngStreams::new(1)).expect("signals")
}

fn battery() -> BatteryConfig {
    BatteryConfig {
        max_charge_c_rate: 1.0,
        max_discharge_c_rate: 1.0,
        initial_soc: 0.05,
        ..BatteryConfig::preset(BatteryChemistry::Lfp, 400.0)
    }
}

/// Cost of every feasible level path, computed from first principles (not through the
/// oracle's stage costs or `evaluate`): returns the minimum.
fn brute_force(input: &OracleInput<'_>, levels: usize) -> f64 {
    let b = input.battery;
    let span_j = (b.soc_max - b.soc_min) * b.capacity_kwh * 3.6e6;
    let level_j = span_j / (levels - 1) as f64;
    let dt = input.step_s;
    let wear = DegradationCost::of(b);
    let steps = input.net_demand_w.len();
    let start = ((input.initial_soc - b.soc_min) / (b.soc_max - b.soc_min) * (levels - 1) as f64)
        .round() as usize;
    let mut best = f64::INFINITY;
    let total = levels.pow(steps as u32);
    'paths: for code in 0..total {
        let mut c = code;
        let (mut level, mut energy, mut peak, mut moved) = (start, 0.0, 0.0f64, 0.0);
        for j in 0..steps {
            let next = c % levels;
            c /= levels;
            let d = next as f64 - level as f64;
            let p = if d >= 0.0 {
                d * level_j / (b.charge_efficiency * dt)
            } else {
                d * level_j * b.discharge_efficiency / dt
            };
            let net = input.net_demand_w[j];
            let too_fast = p > b.max_charge_c_rate * b.capacity_kwh * 1000.0 + 1e-6
                || -p > b.max_discharge_c_rate * b.capacity_kwh * 1000.0 + 1e-6;
            if too_fast || -p > net.max(0.0) + 1e-9 {
                continue 'paths;
            }
            let lv = (net + p).max(0.0);
            let tr = input.transformer;
            let s = tr.rated_power_va * tr.power_factor;
            let import = lv + tr.no_load_loss_w + tr.full_load_loss_w * (lv / s).powi(2);
            let t = input.start + SimDuration((j as f64 * dt * 1e6).round() as u64);
            energy += input.signals.price.value_at(t) * import * dt / 3.6e6;
            peak = peak.max(import);
            moved += d.abs() * level_j;
            level = next;
        }
        let demand = input.signals.demand_charge_per_kw_month * peak / 1000.0;
        let calendar = wear.calendar_cost_per_s * dt * steps as f64;
        best = best.min(energy + demand + wear.cost_per_stored_j * moved + calendar);
    }
    best
}

fn case<'a>(
    b: &'a BatteryConfig,
    tr: &'a Transformer,
    s: &'a GridSignals,
    net: &'a [f64],
) -> OracleInput<'a> {
    OracleInput {
        battery: b,
        transformer: tr,
        signals: s,
        start: SimTime::ZERO,
        step_s: 3600.0,
        net_demand_w: net,
        initial_soc: b.initial_soc,
    }
}

const NET_W: [f64; 6] = [3.0e5, 2.5e5, 6.0e5, 7.0e5, 4.0e5, 3.0e5];

#[test]
fn oracle_matches_brute_force_without_a_demand_charge() {
    let (b, tr, s) = (battery(), Transformer::default(), signals(0.0));
    let input = case(&b, &tr, &s, &NET_W);
    let opts = OracleOptions {
        soc_levels: 5,
        peak_levels: 1,
    };
    let r = solve(&input, &opts).expect("solves");
    let bf = brute_force(&input, 5);
    assert!((r.cost - bf).abs() < 1e-9 * bf, "{} vs {bf}", r.cost);
    // It buys at 0.05 and sells at 0.30: a saving.
    assert!(r.saving_vs_idle > 0.0);
    assert_eq!(r.soc.len(), NET_W.len() + 1);
}

#[test]
fn oracle_is_within_the_peak_grid_of_brute_force_with_a_demand_charge() {
    let (b, tr, s) = (battery(), Transformer::default(), signals(20.0));
    let input = case(&b, &tr, &s, &NET_W);
    let bf = brute_force(&input, 5);
    for peak_levels in [4, 40, 400] {
        let opts = OracleOptions {
            soc_levels: 5,
            peak_levels,
        };
        let r = solve(&input, &opts).expect("solves");
        // Never below the true optimum; above it by at most one cap step's demand charge
        // (the range from the deepest cut to the idle peak is under 450 kW).
        let step_cost = 20.0 * 450.0 / peak_levels as f64;
        assert!(r.cost >= bf - 1e-9 * bf, "{peak_levels}: {} < {bf}", r.cost);
        assert!(
            r.cost <= bf + step_cost,
            "{peak_levels}: {} vs {bf}",
            r.cost
        );
    }
}

/// Hand calculation of `evaluate` on two one-hour steps: 100 kW LV demand, the battery
/// discharging 50 kW in the second hour at 0.30 after idling at 0.05.
#[test]
fn evaluate_matches_a_hand_calculation() {
    let b = BatteryConfig {
        replacement_cost_per_kwh: 0.0,
        ..battery()
    };
    let tr = Transformer {
        no_load_loss_w: 0.0,
        full_load_loss_w: 0.0,
        ..Transformer::default()
    };
    let s = signals(10.0);
    let net = [1.0e5, 1.0e5, 1.0e5];
    let input = case(&b, &tr, &s, &net);
    let (c, peaks) = evaluate(&input, &[0.0, 0.0, -5.0e4]);
    // 100 kWh at 0.05, 100 kWh at 0.05, 50 kWh at 0.30; peak 100 kW at 10 per kW.
    assert!((c.energy_cost - (5.0 + 5.0 + 15.0)).abs() < 1e-9);
    assert_eq!(peaks, vec![1.0e5]);
    assert!((c.demand_cost - 1000.0).abs() < 1e-9);
    assert_eq!(c.degradation_cost, 0.0);
}

#[test]
fn bad_grids_and_steps_are_typed_errors() {
    let (b, tr, s) = (battery(), Transformer::default(), signals(0.0));
    let input = case(&b, &tr, &s, &NET_W);
    let one = OracleOptions {
        soc_levels: 1,
        peak_levels: 1,
    };
    assert!(matches!(solve(&input, &one), Err(OracleError::Grid { .. })));
    let bad_step = OracleInput {
        step_s: 0.0,
        ..input
    };
    assert_eq!(
        solve(&bad_step, &OracleOptions::default()),
        Err(OracleError::Step(0.0))
    );
    let nan = [1.0, f64::NAN];
    let bad = OracleInput {
        net_demand_w: &nan,
        ..input
    };
    assert_eq!(
        solve(&bad, &OracleOptions::default()),
        Err(OracleError::Demand(1))
    );
}
