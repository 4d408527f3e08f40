//! Engine benchmark: the hold model at 1e3, 1e5 and 1e6 pending events.
//!
//! Run: `cargo bench -p dctwin-benches --bench engine`. Events per second = the reported
//! throughput (elements/s).

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dctwin_benches::HoldModel;

fn hold(c: &mut Criterion) {
    let mut group = c.benchmark_group("hold");
    const OPS: u64 = 1_000_000;
    group.throughput(Throughput::Elements(OPS));
    group.sample_size(10);
    for &n in &[1_000usize, 100_000, 1_000_000] {
        let mut model = HoldModel::new(n, 7);
        // Warm the queue into its steady-state shape before measuring.
        model.run(n as u64 * 2);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| std::hint::black_box(model.run(OPS)));
        });
    }
    group.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);
