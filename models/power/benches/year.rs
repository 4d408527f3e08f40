//! A year at a 1-minute interval of a site with its chain, a 32 MWh battery under price
//! arbitrage, PV, wind and a time-of-use price / constant carbon signal.

use criterion::{criterion_main, Criterion};
use dctwin_power::grid::{SignalSource, TouPeriod};
use dctwin_power::{
    BatteryConfig, ElectricalInputs, ElectricalSystem, GridSignals, PowerConfig, StoragePolicyKind,
};
use sim_core::{RngStreams, SimDuration, SimTime};
use std::hint::black_box;
use std::path::Path;

fn site() -> ElectricalSystem {
    let mut cfg = PowerConfig {
        battery: Some(BatteryConfig {
            capacity_kwh: 32_000.0,
            ..BatteryConfig::default()
        }),
        ..PowerConfig::default()
    };
    cfg.pv.dc_capacity_w = 2.0e6;
    cfg.wind.turbines = 1;
    cfg.grid.price = SignalSource::TimeOfUse {
        periods: vec![
            TouPeriod {
                start_hour: 0.0,
                value: 0.05,
            },
            TouPeriod {
                start_hour: 7.0,
                value: 0.25,
            },
            TouPeriod {
                start_hour: 22.0,
                value: 0.05,
            },
        ],
    };
    cfg.storage_policy.kind = StoragePolicyKind::PriceArbitrage;
    let signals =
        GridSignals::load(&cfg.grid, Path::new("."), &RngStreams::new(1)).expect("signals");
    ElectricalSystem::new(&cfg, signals).expect("valid")
}

fn year(c: &mut Criterion) {
    let mut g = c.benchmark_group("power");
    g.sample_size(10);
    g.bench_function("year_1min_32mwh_pv_wind_tou", |b| {
        b.iter(|| {
            let mut sys = site();
            let dt = SimDuration::from_secs(60);
            for m in 0..525_600u64 {
                let hour = (m % 1440) as f64 / 60.0;
                let sun = (std::f64::consts::PI * (hour - 6.0) / 12.0).sin().max(0.0);
                let inp = ElectricalInputs {
                    it_power_w: 1.5e6 + 2.0e5 * sun,
                    cooling_power_w: 3.0e5,
                    ghi_w_m2: 900.0 * sun,
                    dni_w_m2: 800.0 * sun,
                    dhi_w_m2: 100.0 * sun,
                    sun_zenith_deg: 90.0 - 70.0 * sun,
                    wind_speed_m_s: 5.0,
                    ..ElectricalInputs::default()
                };
                black_box(sys.step(SimTime(m * 60_000_000), dt, &inp));
            }
            black_box(sys.finish().total_cost())
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
