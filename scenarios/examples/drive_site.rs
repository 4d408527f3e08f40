//! Drive a site step by step from outside: observe every sensor at each decision instant, act
//! on the actuators, inject a fault while the run is going, and finish with the summary.
//!
//!     cargo run --release -p dctwin --example drive_site -- examples/quickstart.toml
//!
//! The controller here is deliberately simple: it lowers the IT power limit (power-capped
//! admission) while the hottest inlet is above 25 °C, and it injects a CRAH failure at hour 2.

use std::error::Error;
use std::path::PathBuf;

use dctwin::scenario::{load_scenario, FaultConfig, FaultKind, Override};
use dctwin::site::{SiteActions, SiteSession};

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("examples/quickstart.toml"), PathBuf::from);
    let overrides = [
        Override {
            key: "run.duration_h".into(),
            value: Override::parse_value("6"),
        },
        Override {
            key: "it.scheduler.power_capped_admission".into(),
            value: Override::parse_value("true"),
        },
    ];
    let loaded = load_scenario(&path, &overrides)?;
    let mut site = SiteSession::new(&loaded.scenario, &loaded.base_dir, 1)?;
    site.inject(&FaultConfig {
        kind: FaultKind::CrahFailure,
        component: "crah-1".into(),
        start_h: 2.0,
        duration_h: 1.0,
    })?;
    let mut capped_steps = 0u32;
    while !site.is_done() {
        let obs = site.observe();
        let mut act = SiteActions::default();
        if obs.max_inlet_c > 25.0 {
            act.it_power_limit_w = Some(0.9 * obs.it_power_w);
            capped_steps += 1;
        }
        site.step(&act)?;
    }
    let out = site.finish()?;
    let get = |m: &str| out.summary.get(m).unwrap_or(f64::NAN);
    println!(
        "PUE {:.4}, max inlet {:.2} °C, IT {:.0} kWh, capped decisions {capped_steps}",
        get("pue"),
        get("max_inlet_c"),
        get("it_energy_kwh")
    );
    Ok(())
}
