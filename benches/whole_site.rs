//! Shared by the whole-site criterion benches (`site`, `plant`): load a scenario shortened to a
//! number of days with plots off, and time complete runs of it through the library as the CLI
//! does (no output files).

use std::path::Path;

use criterion::{Criterion, Throughput};
use dctwin::{load_scenario, LoadedScenario, Override};

/// `file` shortened to `days` with plots off; panics with the file's name if it does not load.
pub fn load_days(file: &Path, days: u64) -> LoadedScenario {
    let overrides = [
        Override {
            key: "run.duration_h".into(),
            value: Override::parse_value(&(days * 24).to_string()),
        },
        Override {
            key: "outputs.plots".into(),
            value: Override::parse_value("false"),
        },
    ];
    match load_scenario(file, &overrides) {
        Ok(l) => l,
        Err(e) => panic!("cannot load {}: {e}", file.display()),
    }
}

/// Benchmark `group/name`: one complete run of `loaded` (seed 1) per iteration, throughput in
/// simulated hours (criterion then prints simulated hours per wall second).
pub fn bench_runs(c: &mut Criterion, group: &str, name: &str, loaded: &LoadedScenario, days: u64) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    g.throughput(Throughput::Elements(days * 24));
    g.bench_function(name, |b| {
        b.iter(
            || match dctwin::site::run(&loaded.scenario, &loaded.base_dir, 1, &|_| {}) {
                Ok(o) => std::hint::black_box(o.summary),
                Err(e) => panic!("run failed: {e}"),
            },
        );
    });
    g.finish();
}
