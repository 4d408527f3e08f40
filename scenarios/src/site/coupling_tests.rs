//! Whole-site tests of the coupling: step convergence, off-tick faults, causal cooling on a dead
//! bus, generators that never flap, every fault kind biting, and the first law.

use proptest::prelude::*;

use super::testkit::{metric, ov, run_quickstart, try_run_quickstart};
use crate::scenario::Override;
use crate::summary::Summary;

/// The event log as (source, kind) pairs.
fn alarms(out: &super::RunOutput) -> Vec<(String, String)> {
    out.recorder
        .events()
        .iter()
        .map(|e| (e.source.clone(), e.kind.clone()))
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        a.abs()
    } else {
        ((a - b) / b).abs()
    }
}

/// The acceptance scenario: a day of the quickstart with a 2 h outage carried by a 500 kW
/// generator behind an 8 kWh UPS battery (too small to carry the load: the IT drops at the
/// outage and comes back on the generator), a chiller trip, the site battery and the demand
/// charge, at control interval = physics step `dt_s`.
fn convergence_case(dt_s: u32) -> (Summary, Vec<(String, String)>) {
    let o = [
        ov("run.duration_h", "24"),
        ov("run.control_interval_s", &dt_s.to_string()),
        ov("outputs.sample_interval_s", "900"),
        ov("power.generator.enabled", "true"),
        ov("power.generator.rated_power_w", "500000.0"),
        ov("power.ups_battery.capacity_kwh", "8.0"),
        ov(
            "faults",
            r#"[{ kind = "utility_outage", component = "utility", start_h = 10.0, duration_h = 2.0 },
                { kind = "chiller_trip", component = "chw.chiller-1", start_h = 14.0, duration_h = 3.0 }]"#,
        ),
    ];
    let out = match try_run_quickstart(&o) {
        Ok(out) => out,
        Err(e) => panic!("dt {dt_s}: {e}"),
    };
    // The generator-backed bus passes through a shed state for milliseconds while the
    // generator ramps (at 250 kW/s); whether a step sees it depends on the load peaks it
    // resolved, so the alarms compared are those of the IT and the faults.
    let mut ev = alarms(&out);
    ev.retain(|(_, kind)| kind != "backed_bus");
    (out.summary, ev)
}

#[test]
fn step_convergence_from_10_to_900_s_with_outage_chiller_trip_battery_and_demand_charge() {
    let (reference, ref_alarms) = convergence_case(10);
    assert!(
        metric(&reference, "work_lost_node_h") > 0.0,
        "the outage bites"
    );
    assert_eq!(metric(&reference, "power_interruptions"), 1.0);
    for dt in [60, 300, 900] {
        let (s, alarms) = convergence_case(dt);
        for (m, tol) in [
            ("it_energy_kwh", 0.01),
            ("facility_energy_kwh", 0.01),
            ("peak_demand_kw", 0.02),
            ("demand_cost", 0.02),
            ("work_lost_node_h", 0.01),
        ] {
            let (a, b) = (metric(&s, m), metric(&reference, m));
            assert!(rel(a, b) < tol, "dt {dt} s: {m} {a} against {b} at 10 s");
        }
        assert_eq!(
            metric(&s, "power_interruptions"),
            metric(&reference, "power_interruptions"),
            "dt {dt} s"
        );
        assert_eq!(alarms, ref_alarms, "dt {dt} s: the same alarms");
        for r in ["heat_balance_residual", "energy_balance_residual"] {
            assert!(
                metric(&s, r).abs() < 1e-9,
                "dt {dt} s: {r} {}",
                metric(&s, r)
            );
        }
    }
}

/// The defect of the first report: a utility outage ending 0.36 s off a tick made a 0.36 s
/// step that divided the last step's losses by it, and the state blew up to 1e159 with exit 0.
#[test]
fn an_outage_a_hair_off_a_tick_stays_physical() {
    for dur in ["0.0833333", "2.0000001"] {
        let (s, _) = run_quickstart(&[
            ov("run.duration_h", "14"),
            ov(
                "faults",
                &format!(
                    r#"[{{ kind = "utility_outage", component = "utility", start_h = 10.0, duration_h = {dur} }}]"#
                ),
            ),
        ]);
        let pue = metric(&s, "pue");
        assert!(pue > 1.0 && pue < 2.0, "{dur}: pue {pue}");
        assert!(metric(&s, "max_chip_c") < 100.0, "{dur}");
        assert!(metric(&s, "peak_demand_kw") < 400.0, "{dur}");
        assert!(metric(&s, "heat_balance_residual").abs() < 1e-9);
    }
}

/// Metrics a plain quickstart run leaves undefined (none today; kept so a deliberate NaN
/// metric is listed here rather than hidden by the property test).
fn undefined_on_a_plain_run() -> Vec<String> {
    let (s, _) = run_quickstart(&[ov("run.duration_h", "3")]);
    s.metrics
        .iter()
        .filter(|(_, m)| !m.value.is_finite())
        .map(|(k, _)| k.clone())
        .collect()
}

const FAULTABLE: [(&str, &str); 7] = [
    ("utility_outage", "utility"),
    ("cdu_pump_loss", "cdu-1"),
    ("cdu_pump_loss", "cdu-2"),
    ("chiller_trip", "fw.chiller-1"),
    ("crah_failure", "crah-2"),
    ("fw_pump_loss", "fw-pump-1"),
    ("heat_rejection_fan_loss", "chw.tower-1"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Faults starting and ending down to 1e-7 h off a tick, runs ending off a tick: every
    /// metric finite, temperatures physical, both ledgers closed to 1e-9.
    #[test]
    fn off_tick_faults_and_run_ends_stay_finite_inside_bounds_and_closed(
        start_min in 0u32..180,
        start_off_h in prop_oneof![Just(0.0), Just(1e-7), Just(-1e-7), 0.0..0.01f64],
        dur_h in prop_oneof![Just(1e-7), Just(0.0833333), 1e-7..2.0f64],
        fault in 0usize..FAULTABLE.len(),
        end_off_h in prop_oneof![Just(0.0), Just(1e-7), 0.0..0.5f64],
    ) {
        let start_h = (f64::from(start_min) / 60.0 + start_off_h).max(0.0);
        let (kind, unit) = FAULTABLE[fault];
        let o: Vec<Override> = vec![
            ov("run.duration_h", &format!("{}", 3.0 + end_off_h)),
            ov("faults", &format!(
                r#"[{{ kind = "{kind}", component = "{unit}", start_h = {start_h}, duration_h = {dur_h} }}]"#
            )),
        ];
        let (s, _) = run_quickstart(&o);
        let allowed = undefined_on_a_plain_run();
        for (k, m) in &s.metrics {
            prop_assert!(m.value.is_finite() || allowed.contains(k), "{k} = {}", m.value);
        }
        prop_assert!(metric(&s, "max_inlet_c") < 60.0);
        prop_assert!(metric(&s, "max_chip_c") < 150.0);
        let pue = metric(&s, "pue");
        prop_assert!(pue > 1.0 && pue < 3.0, "pue {}", pue);
        prop_assert!(metric(&s, "heat_balance_residual").abs() < 1e-9,
            "heat {}", metric(&s, "heat_balance_residual"));
        prop_assert!(metric(&s, "energy_balance_residual").abs() < 1e-9);
    }
}

fn outage(hours: &str, extra: &[Override]) -> (Summary, Vec<(String, String)>) {
    let mut o = vec![
        ov("run.duration_h", "6"),
        ov(
            "faults",
            &format!(
                r#"[{{ kind = "utility_outage", component = "utility", start_h = 1.0, duration_h = {hours} }}]"#
            ),
        ),
    ];
    o.extend_from_slice(extra);
    let out = match try_run_quickstart(&o) {
        Ok(out) => out,
        Err(e) => panic!("{e}"),
    };
    let ev = alarms(&out);
    (out.summary, ev)
}

#[test]
fn an_outage_without_a_generator_stops_the_cooling_and_the_temperatures_rise() {
    let (base, _) = run_quickstart(&[ov("run.duration_h", "6")]);
    let (s, ev) = outage("2.0", &[]);
    assert!(
        ev.contains(&("power".into(), "backed_bus".into())),
        "{ev:?}"
    );
    // CRAH fans stopped: the room heats until the servers trip on inlet over-temperature.
    assert!(
        metric(&s, "max_inlet_c") > metric(&base, "max_inlet_c") + 10.0,
        "inlet {}",
        metric(&s, "max_inlet_c")
    );
    assert!(metric(&s, "power_interruptions") + metric(&s, "thermal_trips") >= 1.0);
    assert!(metric(&s, "work_lost_node_h") > 0.0);
    // Unserved IT energy is integrated over the outage, not one interval: most of 2 h of
    // a ~250 kW load.
    assert!(
        metric(&s, "unserved_it_kwh") > 200.0,
        "{}",
        metric(&s, "unserved_it_kwh")
    );
    // And it never makes the metrics look better.
    assert!(metric(&s, "cooling_energy_kwh") < metric(&base, "cooling_energy_kwh"));
    assert!(metric(&s, "heat_balance_residual").abs() < 1e-9);
}

#[test]
fn an_undersized_generator_sheds_load_without_flapping() {
    let (s, ev) = outage(
        "3.0",
        &[
            ov("power.generator.enabled", "true"),
            ov("power.generator.rated_power_w", "150000.0"),
        ],
    );
    // The UPS battery carries the IT until it runs empty; the generator cannot take it back.
    assert_eq!(metric(&s, "power_interruptions"), 1.0);
    let changes = ev.iter().filter(|(_, k)| k == "backed_bus").count();
    assert!(changes <= 4, "bus changes {changes}: {ev:?}");
    let lost = ev.iter().filter(|(_, k)| k == "power_lost").count();
    assert_eq!(lost, 1, "{ev:?}");
    assert!(metric(&s, "unserved_it_kwh") > 0.0);
}

/// Six hours of the quickstart with `faults`, against the same run without.
fn with_faults(faults: &str) -> (Summary, Summary, Vec<(String, String)>) {
    let (base, _) = run_quickstart(&[ov("run.duration_h", "6")]);
    let out = match try_run_quickstart(&[ov("run.duration_h", "6"), ov("faults", faults)]) {
        Ok(o) => o,
        Err(e) => panic!("{faults}: {e}"),
    };
    let ev = alarms(&out);
    (base, out.summary, ev)
}

fn fault(kind: &str, unit: &str) -> String {
    format!(r#"{{ kind = "{kind}", component = "{unit}", start_h = 1.0, duration_h = 3.0 }}"#)
}

#[test]
fn a_crah_failure_is_taken_by_the_spare_and_losing_all_heats_the_room() {
    let (base, one, ev) = with_faults(&format!("[{}]", fault("crah_failure", "crah-1")));
    assert!(ev.contains(&("crah-1".into(), "fault_start".into())));
    assert!((metric(&one, "max_inlet_c") - metric(&base, "max_inlet_c")).abs() < 1.0);
    let all = format!(
        "[{}, {}, {}]",
        fault("crah_failure", "crah-1"),
        fault("crah_failure", "crah-2"),
        fault("crah_failure", "crah-3")
    );
    let (_, s, _) = with_faults(&all);
    assert!(metric(&s, "max_inlet_c") > metric(&base, "max_inlet_c") + 5.0);
}

#[test]
fn a_cdu_pump_loss_is_taken_by_the_spare_and_both_stop_the_coolant() {
    let (base, one, _) = with_faults(&format!("[{}]", fault("cdu_pump_loss", "cdu-2")));
    assert!((metric(&one, "max_chip_c") - metric(&base, "max_chip_c")).abs() < 1.0);
    let both = format!(
        "[{}, {}]",
        fault("cdu_pump_loss", "cdu-1"),
        fault("cdu_pump_loss", "cdu-2")
    );
    let (_, s, _) = with_faults(&both);
    assert!(metric(&s, "chip_without_coolant_flow_h") > 2.0);
}

#[test]
fn losing_both_facility_water_pumps_stops_the_coolant() {
    let both = format!(
        "[{}, {}]",
        fault("fw_pump_loss", "fw-pump-1"),
        fault("fw_pump_loss", "fw-pump-2")
    );
    let (base, s, ev) = with_faults(&both);
    assert!(ev.contains(&("fw-pump-2".into(), "fault_start".into())));
    assert!(metric(&s, "max_chip_c") > metric(&base, "max_chip_c") + 1.0);
}

#[test]
fn tripping_every_chiller_of_a_plant_warms_its_loop_and_the_inlets() {
    let all = format!(
        "[{}, {}]",
        fault("chiller_trip", "chw.chiller-1"),
        fault("chiller_trip", "chw.chiller-2")
    );
    let (base, s, _) = with_faults(&all);
    assert!(metric(&s, "unmet_cooling_kwh") > 0.0);
    assert!(metric(&s, "chw_supply_over_setpoint_h") > 0.5);
    assert!(metric(&s, "max_inlet_c") > metric(&base, "max_inlet_c") + 1.0);
    // An undersized plant never improves PUE while the temperatures rise.
    assert!(metric(&s, "pue") >= metric(&base, "pue") - 0.02);
    assert!(metric(&s, "heat_balance_residual").abs() < 1e-9);
}

#[test]
fn losing_the_dry_coolers_moves_the_load_to_the_trim_chillers() {
    let all = format!(
        "[{}, {}]",
        fault("heat_rejection_fan_loss", "fw.dry-cooler-1"),
        fault("heat_rejection_fan_loss", "fw.dry-cooler-2")
    );
    let (base, s, _) = with_faults(&all);
    assert!(metric(&s, "compressor_energy_kwh") > metric(&base, "compressor_energy_kwh"));
}

#[test]
fn a_ups_module_failure_shares_the_load_on_the_others() {
    let (base, s, ev) = with_faults(&format!(
        "[{}]",
        fault("ups_module_failure", "ups-module-1")
    ));
    assert!(ev.contains(&("ups-module-1".into(), "fault_start".into())));
    // Fewer modules at a higher load fraction: a different conversion loss, same work.
    assert_ne!(
        metric(&s, "power_chain_loss_kwh"),
        metric(&base, "power_chain_loss_kwh")
    );
    assert_eq!(metric(&s, "node_hours"), metric(&base, "node_hours"));
}

#[test]
fn an_unknown_fault_target_is_an_error_naming_the_valid_ones() {
    let o = [ov(
        "faults",
        &format!("[{}]", fault("crah_failure", "crah99")),
    )];
    match crate::scenario::load_scenario(&super::testkit::quickstart(), &o) {
        Err(e) => {
            let m = e.to_string();
            assert!(
                m.contains("faults[0].component") && m.contains("crah-1, crah-2, crah-3"),
                "{m}"
            );
        }
        Ok(_) => panic!("crah99 must be rejected at load"),
    }
}

const POLICIES: [&str; 4] = ["fixed", "supply_reset", "pid", "pid_inlet"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// The first law on varied valid sites: every cooling policy, immersion instead of cold
    /// plates, plants sized down to a fraction of the load (heat they cannot remove stays in
    /// the loops), a CDU lost: the heat balance closes to 1e-9 and PUE is never flattered.
    #[test]
    fn the_heat_balance_closes_on_varied_sites(
        policy in 0usize..POLICIES.len(),
        immersion in any::<bool>(),
        plant_scale in prop_oneof![Just(1.0), 0.05..1.0f64],
        cdu_fault in any::<bool>(),
        interval in prop_oneof![Just(60u32), Just(300u32), Just(30u32)],
    ) {
        let mut o = vec![
            ov("run.duration_h", "4"),
            ov("run.control_interval_s", &interval.to_string()),
            ov("outputs.sample_interval_s", "300"),
            ov("cooling.control.policy", &format!("\"{}\"", POLICIES[policy])),
        ];
        if immersion {
            o.push(ov("cooling.liquid.rows", "[]"));
            o.push(ov("cooling.immersion.rows", r#"["gpu-a"]"#));
        }
        for plant in ["chw", "fw"] {
            let kw = if plant == "chw" { 250_000.0 } else { 150_000.0 };
            o.push(ov(
                &format!("heat_rejection.plants.{plant}.chiller.capacity_w"),
                &format!("{:.1}", kw * plant_scale),
            ));
        }
        if cdu_fault {
            o.push(ov("faults", &format!("[{}]", fault("cdu_pump_loss", "cdu-1"))));
        }
        let out = try_run_quickstart(&o);
        let s = match out {
            Ok(out) => out.summary,
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        };
        let heat = metric(&s, "heat_balance_residual");
        prop_assert!(heat.abs() < 1e-9, "heat residual {heat:e}");
        prop_assert!(metric(&s, "energy_balance_residual").abs() < 1e-9);
        prop_assert!(metric(&s, "pue") > 1.0);
    }
}

/// The chilled-water tank was inert: now its dispatch rule discharges it through a chiller
/// trip, the loop stays at its setpoint and the inlets hold, and the first law still closes.
#[test]
fn a_chilled_water_tank_rides_a_chiller_trip_through() {
    let trip = r#"[{ kind = "chiller_trip", component = "chw.chiller-1", start_h = 5.0, duration_h = 0.5 },
            { kind = "chiller_trip", component = "chw.chiller-2", start_h = 5.0, duration_h = 0.5 }]"#;
    let base = [ov("run.duration_h", "8"), ov("faults", trip)];
    let (bare, _) = run_quickstart(&base);
    let mut with = base.to_vec();
    with.push(ov(
        "heat_rejection.plants.chw.tank",
        "{ capacity_minutes = 30.0, full_load_w = 250000.0, max_charge_w = 100000.0, \
         max_discharge_w = 250000.0, initial_soc = 1.0 }",
    ));
    let (tank, _) = run_quickstart(&with);
    assert!(metric(&bare, "chw_supply_over_setpoint_h") > 0.3);
    assert!(metric(&tank, "chw_supply_over_setpoint_h") < 0.05);
    assert!(metric(&tank, "max_inlet_c") < metric(&bare, "max_inlet_c") - 2.0);
    assert!(metric(&tank, "unmet_cooling_kwh") < 0.1 * metric(&bare, "unmet_cooling_kwh"));
    assert!(metric(&tank, "heat_balance_residual").abs() < 1e-9);
}

/// A demand-response request (cut 80 kW for 3 h, in hours after the run start): the battery
/// answers it alone; with power-capped admission the IT holds new jobs back too, and the
/// shortfall falls at the price of longer waits.
#[test]
fn demand_response_is_met_by_the_battery_and_held_jobs() {
    let dr = ov(
        "power.grid.events",
        "[{ start_h = 14.0, duration_h = 3.0, reduce_by_kw = 80.0 }]",
    );
    let (battery, _) = run_quickstart(&[ov("run.duration_h", "24"), dr.clone()]);
    let (held, _) = run_quickstart(&[
        ov("run.duration_h", "24"),
        dr,
        ov("it.scheduler.power_capped_admission", "true"),
    ]);
    assert!((metric(&battery, "demand_response_h") - 3.0).abs() < 1e-9);
    assert!((metric(&battery, "demand_response_requested_kwh") - 240.0).abs() < 1e-6);
    assert!(metric(&battery, "demand_response_delivered_kwh") > 0.0);
    assert!(
        metric(&held, "demand_response_shortfall_kwh")
            < metric(&battery, "demand_response_shortfall_kwh")
    );
    assert!(metric(&held, "mean_wait_s") > metric(&battery, "mean_wait_s"));
    assert!(metric(&held, "max_chip_c") <= 86.0);
}

/// Issue 16's report: sweeping the TCS supply over 30/35/40 °C gave the same `max_chip_c`
/// (the air rows' inlet + 45 K). The cold-plate chips are reported on their own and follow the
/// setpoint, degree for degree at this load.
#[test]
fn liquid_chip_maxima_follow_the_tcs_setpoint_unmasked_by_the_air_rows() {
    let chip = |t: &str| {
        let (s, _) = run_quickstart(&[
            ov("run.duration_h", "3"),
            ov("cooling.liquid.tcs_supply_setpoint_c", t),
        ]);
        (
            metric(&s, "max_chip_cold_plate_c"),
            metric(&s, "max_chip_air_c"),
        )
    };
    let (c30, a30) = chip("30.0");
    let (c35, a35) = chip("35.0");
    let (c40, _) = chip("40.0");
    assert!(c30 < c35 && c35 < c40, "{c30} {c35} {c40}");
    assert!((c35 - c30 - 5.0).abs() < 0.5, "{c30} {c35}");
    assert_eq!(a30, a35, "the air rows do not see the TCS setpoint");
}

/// Determinism on whole site runs through the sweep runner (the code path of `dctwin sweep`,
/// `compare` and `cases check`): several different site runs, with outages, a tank and the
/// storage oracle, on one thread and interleaved on two, give byte-identical summaries and time
/// series. Any state shared between runs, or an order-dependent reduction, breaks it.
#[test]
fn site_runs_are_byte_identical_on_one_and_two_threads() {
    let points: Vec<Vec<Override>> = (1..=4)
        .map(|k| {
            vec![
                ov("run.duration_h", "3"),
                ov("run.seed", &k.to_string()),
                ov(
                    "faults",
                    &format!(
                        r#"[{{ kind = "utility_outage", component = "utility", start_h = {}, duration_h = 0.3 }}]"#,
                        0.2 * f64::from(k)
                    ),
                ),
            ]
        })
        .collect();
    let one_run = |o: &Vec<Override>| -> Result<Summary, String> {
        let (s, csv) = run_quickstart(o);
        let mut s = s;
        s.meta.insert(
            "csv_fnv".into(),
            format!("{:016x}", sim_core::rng::fnv1a64(&csv)),
        );
        Ok(s)
    };
    let mut results = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let r = pool.install(|| crate::sweep::run_points(&points, one_run, &|| ()));
        let json: Vec<String> = r
            .into_iter()
            .map(|s| serde_json::to_string(&s.expect("runs")).expect("json"))
            .collect();
        results.push(json);
    }
    assert_eq!(results[0], results[1]);
    assert_ne!(results[0][0], results[0][1], "the points differ");
}

/// Issue 19's acceptance at site level: a request to cut a quarter of the import (75 kW of
/// ~285 kW) for 3 h is met in full by a battery sized for it, with the chips within limits.
#[test]
fn a_quarter_of_the_import_for_three_hours_is_met_on_a_site_sized_for_it() {
    let (s, _) = run_quickstart(&[
        ov("run.duration_h", "24"),
        ov("power.battery.capacity_kwh", "800.0"),
        ov(
            "power.grid.events",
            "[{ start_h = 14.0, duration_h = 3.0, reduce_by_kw = 75.0 }]",
        ),
    ]);
    assert!((metric(&s, "demand_response_requested_kwh") - 225.0).abs() < 1e-6);
    assert!(metric(&s, "demand_response_shortfall_kwh") < 1.0);
    assert!(metric(&s, "max_chip_c") <= 85.0);
}
