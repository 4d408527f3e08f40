//! An IEC plant over a synthetic year: free cooling (dry or wet, no trim) most of the year in a
//! cold climate, and less plant energy there than in a hot, humid one.

use dctwin_heat_rejection::{
    CoolingMode, HeatRejectionPlant, PlantConfig, PlantKind, RejectionRequest,
};
use dctwin_weather::{climate, synthetic::synthetic_year};
use sim_core::rng::RngStreams;

/// (free-cooling hours, partial hours, plant energy / IT energy, unmet hours) of a 1 MW hall on
/// four 400 kW IEC units (N+1) over a synthetic year of `normals`, with hall air supplied at
/// `supply_c` and returning `rise_k` warmer.
fn year(normals: &climate::ClimateNormals, supply_c: f64, rise_k: f64) -> (f64, f64, f64, f64) {
    let cfg = PlantConfig {
        kind: PlantKind::Iec,
        design_load_w: 1.0e6,
        iec_count: 4,
        ..PlantConfig::default()
    };
    let mut plant = HeatRejectionPlant::new(cfg).expect("valid IEC plant");
    let weather = synthetic_year(normals, &mut RngStreams::new(7).stream("weather"));
    let load_w = 1.0e6;
    let cp = 1006.0 + 1860.0 * 0.0093;
    let (mut free, mut partial, mut energy, mut unmet) = (0.0, 0.0, 0.0, 0.0);
    for w in &weather {
        let s = plant.step(&RejectionRequest {
            load_w,
            supply_setpoint_c: supply_c,
            return_temp_c: supply_c + rise_k,
            flow_kg_s: load_w / (cp * rise_k),
            weather: w,
            dt_s: 3600.0,
            chillers_down: 0,
            fans_down: 0,
        });
        match s.mode {
            CoolingMode::Free => free += 1.0,
            CoolingMode::Partial => partial += 1.0,
            CoolingMode::Mechanical => {}
        }
        if s.unmet_load_w > 1.0 {
            unmet += 1.0;
        }
        energy += s.total_power_w();
    }
    (
        free,
        partial,
        energy / (load_w * weather.len() as f64),
        unmet,
    )
}

#[test]
fn cold_climate_free_cools_most_of_the_year() {
    let (free_c, part_c, e_c, unmet_c) = year(&climate::ulanqab(), 24.0, 12.0);
    let (free_h, part_h, e_h, unmet_h) = year(&climate::singapore(), 24.0, 12.0);
    eprintln!(
        "ulanqab: free {free_c} h, partial {part_c} h, plant/IT {e_c:.4}, unmet {unmet_c} h; \
         singapore: free {free_h} h, partial {part_h} h, plant/IT {e_h:.4}, unmet {unmet_h} h"
    );
    assert!(free_c > 0.5 * 8760.0, "{free_c} free hours");
    assert!(free_c > free_h);
    // The same plant: cooling overhead (a PUE contribution) lower in the cold climate.
    assert!(e_c < e_h, "{e_c} vs {e_h}");
    assert_eq!(unmet_c, 0.0);
}
