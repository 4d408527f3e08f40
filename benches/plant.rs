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

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "whole_site.rs"]
mod whole_site;

/// Simulated days per benchmark iteration.
const DAYS: u64 = 30;

fn plant_1000_racks(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scaling/plant-1000-racks.toml");
    let loaded = whole_site::load_days(&file, DAYS);
    // The benchmark is only meaningful for the specified site: 1,000 racks, valid, no warnings.
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let racks: u32 = loaded.scenario.it.rows.iter().map(|r| r.racks).sum();
    assert_eq!(racks, 1_000);
    assert_eq!(loaded.scenario.run.control_interval_s, 60.0);
    whole_site::bench_runs(c, "plant", "plant_1000_racks_30d", &loaded, DAYS);
}

criterion_group!(benches, plant_1000_racks);
criterion_main!(benches);
