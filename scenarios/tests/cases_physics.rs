//! The case library must not pass by ignoring its inputs: changing a physically important
//! parameter of a case (DX COP, UPS curve and architecture, coolant supply temperature,
//! climate, heat recovery) must move its metric in the direction physics says, and the
//! secondary claims of the cases (cooling energy halved by the liquid retrofit, ERE below PUE
//! with heat reuse) must hold.
//!
//! Each test loads a case file from `scenarios/cases/` with overrides that shorten the run
//! (two weeks or less at the case's own 300 s control interval), so the suite stays fast in a
//! debug build; the full-year values are checked by `dctwin cases check`.

use std::path::{Path, PathBuf};

use dctwin::{load_scenario, Override, Summary};

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("cases")
        .join(name)
}

/// Run case `name` for `days` days from `start_day` with the extra overrides `(key, TOML value)`.
fn run(name: &str, start_day: u32, days: u32, extra: &[(&str, &str)]) -> Summary {
    let mut overrides = vec![
        Override {
            key: "run.duration_h".into(),
            value: Override::parse_value(&(24 * days).to_string()),
        },
        Override {
            key: "run.start_day_of_year".into(),
            value: Override::parse_value(&start_day.to_string()),
        },
    ];
    overrides.extend(extra.iter().map(|(k, v)| Override {
        key: (*k).into(),
        value: Override::parse_value(v),
    }));
    let loaded =
        load_scenario(&case(name), &overrides).unwrap_or_else(|e| panic!("case {name} loads: {e}"));
    let seed = loaded.scenario.run.seed;
    dctwin::site::run(&loaded.scenario, &loaded.base_dir, seed, &|_| {})
        .unwrap_or_else(|e| panic!("case {name} runs: {e}"))
        .summary
}

fn metric(s: &Summary, name: &str) -> f64 {
    let v = s
        .get(name)
        .unwrap_or_else(|| panic!("metric {name} reported"));
    assert!(v.is_finite(), "{name} = {v}");
    v
}

/// Case 1 (CAICT 2024): converting the DX hall to cold plates cuts the cooling energy by more
/// than half, for the same IT energy. Two weeks each in January and July bracket the year.
#[test]
fn liquid_retrofit_halves_cooling_energy() {
    for day in [15, 196] {
        let air = run("caict_air_dx_hall.toml", day, 14, &[]);
        let liquid = run("caict_liquid_retrofit.toml", day, 14, &[]);
        let it_air = metric(&air, "it_energy_kwh");
        let it_liquid = metric(&liquid, "it_energy_kwh");
        assert!(
            (it_air - it_liquid).abs() <= 1e-9 * it_air,
            "same IT load: {it_air} vs {it_liquid}"
        );
        let c_air = metric(&air, "cooling_energy_kwh");
        let c_liquid = metric(&liquid, "cooling_energy_kwh");
        assert!(
            c_liquid < 0.5 * c_air,
            "day {day}: liquid {c_liquid} kWh vs air {c_air} kWh"
        );
        assert!(metric(&liquid, "pue") < metric(&air, "pue"));
        assert_eq!(metric(&air, "unmet_cooling_kwh"), 0.0);
        assert!(metric(&liquid, "unmet_cooling_kwh") < 1e-6);
    }
}

/// Case 1a: a less efficient DX unit (lower rated COP) raises the PUE; a better one lowers it.
#[test]
fn dx_cop_moves_the_air_hall_pue() {
    let key = "heat_rejection.plants.crac.dx.rated_cop";
    let low = metric(
        &run("caict_air_dx_hall.toml", 105, 7, &[(key, "2.4")]),
        "pue",
    );
    let mid = metric(&run("caict_air_dx_hall.toml", 105, 7, &[]), "pue");
    let high = metric(
        &run("caict_air_dx_hall.toml", 105, 7, &[(key, "3.2")]),
        "pue",
    );
    assert!(
        low > mid && mid > high,
        "COP 2.4: {low}, 2.8: {mid}, 3.2: {high}"
    );
}

/// Case 6 (ODCC 2023): the rack power shelves lose less than the central double-conversion UPS
/// of the same site (the base's 3+1 x 200 kW modules), and their efficiency is near 96 %.
#[test]
fn rack_power_shelf_loses_less_than_central_ups() {
    let shelf = run("odcc_rack_power_shelf.toml", 105, 7, &[]);
    let ups = run(
        "odcc_rack_power_shelf.toml",
        105,
        7,
        &[
            ("power.chain.architecture", "\"ac_ups\""),
            ("power.chain.converter.module_rated_power_w", "200000.0"),
            ("power.chain.converter.modules_required", "3"),
            ("power.chain.converter.redundancy", "\"n+1\""),
        ],
    );
    let p_shelf = metric(&shelf, "ppue_power_chain");
    let p_ups = metric(&ups, "ppue_power_chain");
    assert!(p_shelf < p_ups, "shelf {p_shelf} vs UPS {p_ups}");
    assert!(
        metric(&shelf, "power_chain_loss_kwh") < metric(&ups, "power_chain_loss_kwh"),
        "loss difference"
    );
    // 96 % +- 1 point, as in the case file.
    assert!(
        (1.0 / p_shelf - 0.96).abs() < 0.01,
        "efficiency {}",
        1.0 / p_shelf
    );
}

/// Case 7: the legacy UPS curve loses more than today's double-conversion curve, and 2N
/// redundancy (lower module load) more than N+1, so the power-supply share falls.
#[test]
fn ups_curve_and_redundancy_move_the_power_share() {
    let name = "survey_training_site_power_share.toml";
    let legacy_2n = metric(&run(name, 105, 3, &[]), "power_chain_share");
    let modern_2n = metric(
        &run(
            name,
            105,
            3,
            &[("power.chain.converter.mode", "\"double_conversion\"")],
        ),
        "power_chain_share",
    );
    let modern_n1 = metric(
        &run(
            name,
            105,
            3,
            &[
                ("power.chain.converter.mode", "\"double_conversion\""),
                ("power.chain.converter.redundancy", "\"n+1\""),
            ],
        ),
        "power_chain_share",
    );
    assert!(
        legacy_2n > modern_2n && modern_2n > modern_n1,
        "legacy 2N {legacy_2n}, modern 2N {modern_2n}, modern N+1 {modern_n1}"
    );
}

/// Case 5 (ODCC 2023): with heat recovery the ERE is below the PUE by the reused heat; without
/// it ERE equals PUE. The recovery does not change the PUE.
#[test]
fn heat_reuse_lowers_ere_below_pue() {
    let name = "odcc_warm_water_heat_reuse.toml";
    let reuse = run(name, 15, 7, &[]);
    let none = run(
        name,
        15,
        7,
        &[("heat_rejection.plants.fw.heat_recovery.fraction", "0.0")],
    );
    let (pue, ere) = (metric(&reuse, "pue"), metric(&reuse, "ere"));
    assert!(metric(&reuse, "heat_reused_kwh") > 0.0);
    assert!(ere < pue - 0.05, "ERE {ere} vs PUE {pue}");
    let reused_share = metric(&reuse, "heat_reused_kwh") / metric(&reuse, "it_metered_energy_kwh");
    assert!(
        (pue - ere - reused_share).abs() < 1e-9,
        "ERE = PUE - reused / IT"
    );
    assert_eq!(metric(&none, "heat_reused_kwh"), 0.0);
    assert!((metric(&none, "ere") - metric(&none, "pue")).abs() < 1e-12);
    assert!(
        (metric(&none, "pue") - pue).abs() < 1e-9,
        "reuse leaves PUE alone"
    );
}

/// Case 2: a warmer technology-cooling supply (ASHRAE W40 instead of W32) lets the dry coolers
/// carry more of a Shanghai summer week, so the PUE falls.
#[test]
fn warmer_coolant_supply_lowers_the_cold_plate_pue() {
    let name = "survey_cold_plate_band.toml";
    let hot_week = [("weather.climate", "\"shanghai\"")];
    let w32 = metric(&run(name, 196, 7, &hot_week), "pue");
    let w40 = metric(
        &run(
            name,
            196,
            7,
            &[
                hot_week[0],
                ("cooling.liquid.tcs_supply_setpoint_c", "40.0"),
            ],
        ),
        "pue",
    );
    assert!(w40 < w32, "W40 {w40} vs W32 {w32}");
}

/// Cases 2 and 3: the same site in a hotter climate needs more cooling energy.
#[test]
fn hotter_climate_raises_the_pue() {
    for name in ["survey_cold_plate_band.toml", "odcc_immersion_tank.toml"] {
        let cool = metric(&run(name, 196, 7, &[]), "pue");
        let hot = metric(
            &run(name, 196, 7, &[("weather.climate", "\"singapore\"")]),
            "pue",
        );
        assert!(hot > cool, "{name}: Singapore {hot} vs own climate {cool}");
    }
}

/// Case 9: the liquid-cooling retrofit as an A/B test through the paired comparison of
/// `dctwin compare` (common random numbers: the same seeds for both files). The PUE difference
/// is negative with a 95 % confidence interval that excludes zero, and the cooling energy falls
/// by more than half in every metric summary.
#[test]
fn retrofit_ab_comparison_is_significant() {
    let load = |name: &str| {
        let overrides =
            [("run.duration_h", "168"), ("run.start_day_of_year", "196")].map(|(k, v)| Override {
                key: k.into(),
                value: Override::parse_value(v),
            });
        load_scenario(&case(name), &overrides).unwrap_or_else(|e| panic!("case {name} loads: {e}"))
    };
    let a = load("caict_air_dx_hall.toml");
    let b = load("caict_liquid_retrofit.toml");
    assert_eq!(a.base_dir, b.base_dir);
    let seeds = dctwin::compare::replication_seeds(a.scenario.run.seed, 3);
    let cmp = dctwin::compare::compare_with(
        &a.scenario,
        &b.scenario,
        &seeds,
        |sc, seed| dctwin::site::run(sc, &a.base_dir, seed, &|_| {}).map(|o| o.summary),
        &|| {},
    )
    .unwrap_or_else(|e| panic!("A/B runs: {e}"));
    let get = |m: &str| {
        cmp.metrics
            .iter()
            .find(|p| p.metric == m)
            .unwrap_or_else(|| panic!("{m} compared"))
    };
    let pue = get("pue");
    assert_eq!(pue.n, 3);
    assert!(
        pue.mean_diff < -0.2 && pue.ci_high < 0.0 && pue.significant,
        "PUE B - A = {} [{}, {}]",
        pue.mean_diff,
        pue.ci_low,
        pue.ci_high
    );
    let cooling = get("cooling_energy_kwh");
    assert!(
        cooling.mean_diff < -0.5 * cooling.mean_a,
        "cooling {} -> {}",
        cooling.mean_a,
        cooling.mean_b
    );
}

/// Case 8 (32 MWh battery, Shanghai TOU): over two August weeks the battery holds the grid
/// import at the demand target (plus transformer losses) where the baseline peaks ~1.7 MW above
/// it, cuts the bill, and a battery an eighth the size cannot hold the same target.
#[test]
fn battery_case_saves_money_within_the_arbitrage_bound() {
    let base = run("base/shanghai_ai_center.toml", 215, 14, &[]);
    let with = run("shanghai_battery_peak_shaving.toml", 215, 14, &[]);
    let small = run(
        "shanghai_battery_peak_shaving.toml",
        215,
        14,
        &[("power.battery.capacity_kwh", "4000.0")],
    );
    let target_kw = 12_500.0;
    let peak_base = metric(&base, "peak_demand_kw");
    let peak_with = metric(&with, "peak_demand_kw");
    let peak_small = metric(&small, "peak_demand_kw");
    assert!(
        peak_base > target_kw + 1_000.0,
        "baseline peak {peak_base} kW"
    );
    // The target is on the LV bus; the import adds the transformer's load loss (< 1 %).
    assert!(
        peak_with > target_kw && peak_with < target_kw * 1.01,
        "shaved peak {peak_with} kW"
    );
    assert!(peak_small > peak_with + 200.0, "4 MWh: {peak_small} kW");
    // Same IT energy, a lower bill; the saving cannot exceed what the battery can earn: the
    // demand charge on the shaved kW for the month plus one full valley-to-peak cycle a day.
    // (Equal to rounding: the battery's own thresholds split the physics steps at other
    // instants, so the same energy is summed in other pieces.)
    let (it_base, it_with) = (
        metric(&base, "it_energy_kwh"),
        metric(&with, "it_energy_kwh"),
    );
    assert!(
        (it_base - it_with).abs() < 1e-12 * it_base,
        "{it_base} {it_with}"
    );
    let saving = metric(&base, "total_cost") - metric(&with, "total_cost");
    let usable_kwh = 0.9 * 32_000.0 * 0.975;
    let bound = 40.0 * (peak_base - peak_with) + 14.0 * usable_kwh * (1.10 - 0.29 / 0.95);
    assert!(
        saving > 0.0 && saving < bound,
        "saving {saving}, bound {bound}"
    );
}
