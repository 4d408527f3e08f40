//! A user-defined scheduling policy: shortest-estimate-first among the first 64 queued jobs,
//! plugged into the cluster with `Cluster::with_scheduler`, compared with the built-in EASY
//! backfill on the same workload and seed.

use dctwin_it::{
    Cluster, ItConfig, ItEnvironment, Job, NodeChoice, PoissonWorkload, RowConfig, Scheduler,
    SchedulerView, WorkloadConfig, WorkloadSource,
};
use sim_core::{RngStreams, SimTime, StepSeries};
use std::path::Path;

/// Start the queued jobs with the shortest user estimates first (may starve long jobs; a real
/// policy would age them).
struct ShortestFirst {
    window: usize,
}

impl Scheduler for ShortestFirst {
    fn name(&self) -> &str {
        "shortest_first"
    }

    fn select(&mut self, view: &SchedulerView<'_>, start: &mut Vec<usize>) {
        let mut candidates: Vec<(usize, &Job)> = view.queued().take(self.window).collect();
        candidates.sort_by(|a, b| {
            a.1.estimate_s
                .total_cmp(&b.1.estimate_s)
                .then(a.0.cmp(&b.0))
        });
        let mut free: Vec<u32> = (0..view.partitions())
            .map(|p| view.free_nodes_in(p as u16))
            .collect();
        for (idx, job) in candidates {
            let p = usize::from(job.partition);
            if p < free.len() && job.nodes <= free[p] {
                start.push(idx);
                free[p] -= job.nodes;
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cfg = ItConfig {
        rows: vec![RowConfig {
            name: "a".into(),
            racks: 8,
            nodes_per_rack: 16,
            node: NodeChoice::Preset("cpu_dual_socket".into()),
            partition: "default".into(),
        }],
        workload: WorkloadConfig {
            sources: vec![WorkloadSource::Poisson(PoissonWorkload {
                mean_rate_per_h: 5.0,
                max_nodes: 32,
                ..Default::default()
            })],
        },
        ..Default::default()
    };
    let horizon = SimTime::from_secs(14 * 86_400);
    let streams = RngStreams::new(7);
    let inlet = vec![22.0; 8];
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
    let builtin = Cluster::new(&cfg, Path::new("."), &streams, horizon)?;
    let custom = Cluster::with_scheduler(
        &cfg,
        Path::new("."),
        &streams,
        horizon,
        Box::new(ShortestFirst { window: 64 }),
    )?;
    for mut cl in [builtin, custom] {
        for m in 1..=(14 * 24 * 60) {
            cl.advance_to(SimTime::from_secs(m * 60), &env);
        }
        let s = cl.stats();
        println!(
            "{:>15}: completed {} mean wait {:.0} s p95 wait {:.0} s bounded slowdown {:.2}",
            cl.scheduler_name(),
            s.completed,
            s.mean_wait_s,
            s.p95_wait_s,
            s.mean_bounded_slowdown
        );
    }
    Ok(())
}
