//! Whole-site benchmark: the reference large site (`examples/large-site.toml`, 10,000 nodes)
//! shortened to 7 days, loaded and run through the library as the CLI does.
//!
//! Run: `cargo bench -p dctwin-benches --bench site`. The reported time is one 7-day run; the
//! year-long figure (wall time, peak memory) is measured on the CLI, see `benches/README.md`.

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dctwin::{load_scenario, Override};

/// Simulated days per benchmark iteration.
const DAYS: u64 = 7;

fn large_site_week(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/large-site.toml");
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
    let mut group = c.benchmark_group("site");
    group.sample_size(10);
    // Throughput in simulated hours: criterion then prints simulated hours per wall second.
    group.throughput(Throughput::Elements(DAYS * 24));
    group.bench_function("large_site_7d", |b| {
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

criterion_group!(benches, large_site_week);
criterion_main!(benches);
