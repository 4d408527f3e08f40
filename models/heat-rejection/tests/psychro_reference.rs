//! Reference checks against CoolProp's humid-air properties (HAPropsSI), written offline to
//! `tests/data/*.csv` by `tests/data/gen_psychro_reference.py` (not run in CI).

use dctwin_heat_rejection::psychro::AirState;
use dctwin_heat_rejection::{CoolingTower, CoolingTowerConfig};

/// Rows of a reference CSV (comment lines `#` and the header skipped): label and numbers.
fn rows(file: &str) -> Vec<(String, Vec<f64>)> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| {
            let mut it = l.split(',');
            let label = it.next().expect("label").to_owned();
            let nums = it
                .map(|x| {
                    x.trim()
                        .parse::<f64>()
                        .unwrap_or_else(|e| panic!("{x}: {e}"))
                })
                .collect();
            (label, nums)
        })
        .collect()
}

/// Tower evaporation from the air-side balance is within 5 % of CoolProp at every ambient state
/// of the table (cold/dry, temperate, hot/humid, hot/dry at altitude).
#[test]
fn tower_evaporation_matches_coolprop_within_5_percent() {
    let tower = CoolingTower::new(CoolingTowerConfig::default()).expect("default tower");
    let table = rows("tower_evaporation_coolprop.csv");
    assert!(table.len() >= 3, "three ambient states at least");
    for (label, r) in table {
        let (db, wb, p, q, m_a, w_in_ref, evap_ref) = (r[0], r[1], r[2], r[3], r[4], r[5], r[8]);
        let air = AirState::from_wet_bulb(db, wb, p);
        // The inlet humidity itself (ASHRAE perfect-gas relations vs CoolProp real gas).
        assert!(
            (air.humidity_ratio - w_in_ref).abs() / w_in_ref < 0.01,
            "{label}: W_in {} vs {w_in_ref}",
            air.humidity_ratio
        );
        let w = tower.water_use_psychrometric(q, m_a, air, p, 100.0, 1.0);
        let err = (w.evaporation_kg - evap_ref) / evap_ref;
        eprintln!(
            "{label}: evaporation {:.4} kg/s, CoolProp {evap_ref:.4} kg/s ({:+.2} %), latent bound {:.4}",
            w.evaporation_kg,
            100.0 * err,
            q / dctwin_heat_rejection::psychro::LATENT_HEAT_J_KG
        );
        assert!(err.abs() < 0.05, "{label}: {err}");
    }
}
