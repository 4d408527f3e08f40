//! Criterion bench of the IT plant: EASY backfill on a 10,000-node cluster driven like the site
//! runner drives it (one `advance_to` per simulated minute). The full-size run (1 million jobs,
//! one year) is `cargo run --release -p dctwin-it --example year_run`; its numbers are in
//! benches/README.md.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{criterion_group, criterion_main, Criterion};
use dctwin_it::{
    Cluster, ItConfig, ItEnvironment, NodeChoice, PoissonWorkload, RowConfig, WorkloadConfig,
    WorkloadSource,
};
use sim_core::{RngStreams, SimTime, StepSeries};
use std::path::Path;

/// 10,000 nodes in 313 racks of 32; Poisson jobs at `rate_per_h`, mean 4 h, 1-64 nodes.
fn config(rate_per_h: f64) -> ItConfig {
    ItConfig {
        rows: vec![RowConfig {
            name: "hall".into(),
            racks: 313,
            nodes_per_rack: 32,
            node: NodeChoice::Preset("cpu_dual_socket".into()),
            partition: "default".into(),
        }],
        workload: WorkloadConfig {
            sources: vec![WorkloadSource::Poisson(PoissonWorkload {
                mean_rate_per_h: rate_per_h,
                max_nodes: 64,
                mean_runtime_h: 4.0,
                checkpoint_interval_h: 1.0,
                ..Default::default()
            })],
        },
        ..Default::default()
    }
}

fn run(cfg: &ItConfig, minutes: u64) -> u64 {
    let horizon = SimTime::from_secs(minutes * 60);
    let Ok(mut cl) = Cluster::new(cfg, Path::new("."), &RngStreams::new(1), horizon) else {
        return 0;
    };
    let inlet = vec![22.0; cl.racks().len()];
    let carbon = StepSeries::constant(300.0);
    let price = StepSeries::constant(0.1);
    let env = ItEnvironment {
        rack_inlet_c: &inlet,
        rack_power_cap_w: None,
        it_power_limit_w: None,
        carbon_g_per_kwh: &carbon,
        price_per_kwh: &price,
        power_available: true,
    };
    for m in 1..=minutes {
        cl.advance_to(SimTime::from_secs(m * 60), &env);
    }
    cl.stats().completed
}

fn bench(c: &mut Criterion) {
    // 1/20 of the full case: 50,000 jobs over 18.25 days at the same load.
    let cfg = config(114.0);
    let mut g = c.benchmark_group("it");
    g.sample_size(10);
    g.bench_function("easy_backfill_10k_nodes_50k_jobs", |b| {
        b.iter(|| run(&cfg, 26_280))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
