//! dctwin's side of the peer comparison (`benches/peers/run.sh`): the hold model and the M/M/c
//! queue on `sim_core`, timed with the wall clock and printed as one JSON object per run.
//!
//! ```text
//! cargo run --release -p dctwin-benches --example peer_engine -- hold 1000000 2000000
//! cargo run --release -p dctwin-benches --example peer_engine -- mmc 1000000 1
//! ```

use std::process::ExitCode;
use std::time::Instant;

use dctwin_benches::{run_mmc, HoldModel, MmcConfig};

fn arg_u64(args: &[String], i: usize, default: u64) -> Result<u64, String> {
    match args.get(i) {
        None => Ok(default),
        Some(s) => s
            .parse::<u64>()
            .map_err(|e| format!("argument {i} `{s}`: {e}")),
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("hold") => {
            let n = arg_u64(args, 1, 1_000)?;
            let ops = arg_u64(args, 2, 2_000_000)?;
            let mut model = HoldModel::new(n as usize, 7);
            // Warm the queue to its steady-state shape (2 n operations), as SimPy's side does.
            model.run(2 * n);
            let t0 = Instant::now();
            let acc = model.run(ops);
            let wall_s = t0.elapsed().as_secs_f64();
            println!(
                "{{\"model\":\"hold\",\"engine\":\"dctwin\",\"pending\":{n},\"ops\":{ops},\
                 \"wall_s\":{wall_s},\"events_per_s\":{},\"checksum\":{acc}}}",
                ops as f64 / wall_s
            );
            Ok(())
        }
        Some("mmc") => {
            let jobs = arg_u64(args, 1, 1_000_000)?;
            let seed = arg_u64(args, 2, 1)?;
            let cfg = MmcConfig {
                jobs,
                ..MmcConfig::default()
            };
            let t0 = Instant::now();
            let r = run_mmc(cfg, seed);
            let wall_s = t0.elapsed().as_secs_f64();
            println!(
                "{{\"model\":\"mmc\",\"engine\":\"dctwin\",\"jobs\":{},\"wall_s\":{wall_s},\
                 \"mean_wait_s\":{},\"mean_wait_se_s\":{},\"mean_busy_servers\":{},\
                 \"mean_power_w\":{},\"end_s\":{},\"events\":{}}}",
                r.jobs_served,
                r.mean_wait_s,
                r.mean_wait_se_s,
                r.mean_busy_servers,
                r.mean_power_w,
                r.end_s,
                r.events
            );
            Ok(())
        }
        _ => Err("usage: peer_engine hold N OPS | peer_engine mmc JOBS SEED".into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peer_engine: {e}");
            ExitCode::FAILURE
        }
    }
}
