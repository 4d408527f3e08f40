//! Full-size IT benchmark: about 1 million jobs over one simulated year on a 10,000-node
//! cluster with EASY backfill, driven with one `advance_to` per simulated minute as the site
//! runner does. Prints wall time and job statistics; measure peak memory with
//! `/usr/bin/time -v`.

use dctwin_it::{
    Cluster, ItConfig, ItEnvironment, NodeChoice, PoissonWorkload, RowConfig, WorkloadConfig,
    WorkloadSource,
};
use sim_core::{RngStreams, SimTime, StepSeries};
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cfg = ItConfig {
        rows: vec![RowConfig {
            name: "hall".into(),
            racks: 313,
            nodes_per_rack: 32,
            node: NodeChoice::Preset("cpu_dual_socket".into()),
            partition: "default".into(),
        }],
        workload: WorkloadConfig {
            sources: vec![WorkloadSource::Poisson(PoissonWorkload {
                mean_rate_per_h: 114.0,
                max_nodes: 64,
                mean_runtime_h: 4.0,
                checkpoint_interval_h: 1.0,
                ..Default::default()
            })],
        },
        ..Default::default()
    };
    let minutes = 365 * 24 * 60;
    let t0 = Instant::now();
    let mut cl = Cluster::new(
        &cfg,
        Path::new("."),
        &RngStreams::new(1),
        SimTime::from_secs(minutes * 60),
    )?;
    let built = t0.elapsed();
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
    let total = t0.elapsed();
    println!(
        "jobs generated: {} (build {:.2} s)",
        cl.jobs().len(),
        built.as_secs_f64()
    );
    println!("wall time: {:.2} s", total.as_secs_f64());
    println!("{}", serde_json::to_string_pretty(&cl.stats())?);
    Ok(())
}
