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

/// An IEC unit configured from its airflow and wet-bulb effectiveness delivers, at its rated
/// conditions, the capacity CoolProp gives for the same primary air (dry-air flow from the
/// specific volume, sensible enthalpy drop to `T_ret - eps (T_ret - T_wb)`), within 2 %.
#[test]
fn iec_rated_capacity_matches_coolprop_within_2_percent() {
    use dctwin_heat_rejection::iec::{IecConfig, IecRequest, IndirectEvaporativeCooler};
    let table = rows("iec_rated_coolprop.csv");
    assert!(!table.is_empty());
    for (label, r) in table {
        let (v, t_ret, w_ret, wb, db, p, eps, cap_ref) =
            (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[9]);
        let cfg = IecConfig {
            airflow_m3_s: Some(v),
            wet_bulb_effectiveness: eps,
            rated_return_air_c: t_ret,
            rated_return_humidity_ratio: w_ret,
            rated_outdoor_wet_bulb_c: wb,
            capacity_w: cap_ref,
            ..IecConfig::default()
        };
        let iec = IndirectEvaporativeCooler::new(cfg.clone());
        let m_da = dctwin_heat_rejection::psychro::dry_air_mass_flow_kg_s(v, t_ret, w_ret, p);
        let o = iec.step(&IecRequest {
            load_w: 10.0 * cap_ref,
            return_air: AirState {
                dry_bulb_c: t_ret,
                humidity_ratio: w_ret,
            },
            airflow_kg_s: m_da,
            outdoor: AirState::from_wet_bulb(db, wb, p),
            pressure_pa: p,
            available: 1,
            dt_s: 60.0,
        });
        let err = o.exchanger_w / cap_ref - 1.0;
        eprintln!(
            "{label}: exchanger {:.0} W, CoolProp {cap_ref:.0} W ({:+.2} %)",
            o.exchanger_w,
            100.0 * err
        );
        assert!(err.abs() < 0.02, "{label}: {err}");
        // The rating check of the configuration agrees (no capacity warning).
        if p == 101_325.0 {
            assert!(cfg.validate().is_empty(), "{:?}", cfg.validate());
        }
    }
}
