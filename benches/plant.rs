//! Issue 4's plant benchmark: the 1,000-rack air + liquid site with a chiller/tower plant
//! (`benches/scaling/plant-1000-racks.toml`, light steady IT load so the cooling side
//! dominates) at a 1-minute control interval, shortened to 30 days, loaded and run through the
//! library as the CLI does.
//!
//! Run: `cargo bench -p dctwin-benches --bench plant`. The reported time is one 30-day run
//! (43,200 control steps); the year figure is measured on the CLI, see `benches/README.md`.

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dctwin::{load_scenario, Override};

/// Simulated days per benchmark iteration.
const DAYS: u64 = 30;

fn plant_1000_racks(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scaling/plant-1000-racks.toml");
    let overrides = [
        Override {
            key: "run.duration_h".into(),
            value: Override::parse_value(&(DAYS * 24).to_string()),
        },
        Override {
            key: "outputs.plots".into(),
            value: Override::parse_value("false"),
        },
    ];
    let loaded = match load_scenario(&file, &overrides) {
        Ok(l) => l,
        Err(e) => panic!("cannot load {}: {e}", file.display()),
    };
    // The benchmark is only meaningful for the specified site: 1,000 racks, valid, no warnings.
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let racks: u32 = loaded.scenario.it.rows.iter().map(|r| r.racks).sum();
    assert_eq!(racks, 1_000);
    assert_eq!(loaded.scenario.run.control_interval_s, 60.0);
    let mut group = c.benchmark_group("plant");
    group.sample_size(10);
    // Throughput in simulated hours: criterion then prints simulated hours per wall second.
    group.throughput(Throughput::Elements(DAYS * 24));
    group.bench_function("plant_1000_racks_30d", |b| {
        b.iter(|| {
            let out = dctwin::site::run(&loaded.scenario, &loaded.base_dir, 1, &|_| {});
            match out {
                Ok(o) => std::hint::black_box(o.summary),
                Err(e) => panic!("run failed: {e}"),
            }
        });
    });
    group.finish();
}

criterion_group!(benches, plant_1000_racks);
criterion_main!(benches);
