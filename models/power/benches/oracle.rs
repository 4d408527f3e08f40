//! The perfect-foresight oracle for a year at 15-minute steps with 100 SoC levels: a 1 MW
//! site with a diurnal load, a 4 MWh LFP battery at 0.5 C, a three-period TOU price and a
//! demand charge (12 cap levels per month). Target: under 2 s.

use criterion::{criterion_main, Criterion};
use dctwin_power::chain::Transformer;
use dctwin_power::grid::{GridConfig, SignalSource, TouPeriod};
use dctwin_power::oracle::{solve, OracleInput, OracleOptions};
use dctwin_power::{BatteryConfig, GridSignals};
use sim_core::{RngStreams, SimTime};
use std::hint::black_box;
use std::path::Path;

fn year(c: &mut Criterion) {
    let p = |start_hour, value| TouPeriod { start_hour, value };
    let grid = GridConfig {
        price: SignalSource::TimeOfUse {
            periods: vec![p(0.0, 0.06), p(8.0, 0.16), p(22.0, 0.06)],
        },
        demand_charge_per_kw_month: 12.0,
        ..GridConfig::default()
    };
    let signals = GridSignals::load(&grid, Path::new("."), &RngStreams::new(1)).expect("signals");
    let battery = BatteryConfig {
        capacity_kwh: 4000.0,
        ..BatteryConfig::default()
    };
    let transformer = Transformer::default();
    let net: Vec<f64> = (0..365 * 96)
        .map(|k| {
            let hour = (k % 96) as f64 / 4.0;
            1.0e6 + 3.0e5 * (std::f64::consts::PI * (hour - 8.0) / 12.0).sin().max(0.0)
        })
        .collect();
    let input = OracleInput {
        battery: &battery,
        transformer: &transformer,
        signals: &signals,
        start: SimTime::ZERO,
        step_s: 900.0,
        net_demand_w: &net,
        initial_soc: 0.5,
    };
    let mut g = c.benchmark_group("oracle");
    g.sample_size(10);
    g.bench_function("year_15min_100_soc_levels", |b| {
        b.iter(|| {
            black_box(
                solve(&input, &OracleOptions::default())
                    .expect("solves")
                    .cost,
            )
        })
    });
    g.finish();
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::year);
}
use group::benches;
criterion_main!(benches);
