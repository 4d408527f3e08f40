//! Whole-site benchmark: the reference large site (`examples/large-site.toml`, 10,000 nodes)
//! shortened to 7 days, loaded and run through the library as the CLI does.
//!
//! Run: `cargo bench -p dctwin-benches --bench site`. The reported time is one 7-day run; the
//! year-long figure (wall time, peak memory) is measured on the CLI, see `benches/README.md`.

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "whole_site.rs"]
mod whole_site;

/// Simulated days per benchmark iteration.
const DAYS: u64 = 7;

fn large_site_week(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/large-site.toml");
    let loaded = whole_site::load_days(&file, DAYS);
    whole_site::bench_runs(c, "site", "large_site_7d", &loaded, DAYS);
}

criterion_group!(benches, large_site_week);
criterion_main!(benches);
