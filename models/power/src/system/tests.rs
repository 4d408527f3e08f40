#![allow(clippy::field_reassign_with_default)]

use super::*;
use crate::battery::BatteryChemistry;
use crate::grid::{SignalSource, TouPeriod};
use crate::policy::StoragePolicyKind;
use sim_core::RngStreams;
use std::path::Path;

const MIN: SimDuration = SimDuration(60_000_000);

fn system(cfg: &PowerConfig) -> ElectricalSystem {
    let signals =
        GridSignals::load(&cfg.grid, Path::new("."), &RngStreams::new(3)).expect("signals");
    ElectricalSystem::new(cfg, signals).expect("valid config")
}

fn two_price_tou() -> SignalSource {
    SignalSource::TimeOfUse {
        periods: vec![
            TouPeriod {
                start_hour: 0.0,
                value: 0.05,
            },
            TouPeriod {
                start_hour: 7.0,
                value: 0.25,
            },
            TouPeriod {
                start_hour: 22.0,
                value: 0.05,
            },
        ],
    }
}

/// Synthetic inputs at minute `m`: diurnal IT and cooling, a clear-sky-like sun.
fn inputs_at(m: u64) -> ElectricalInputs {
    let hour = (m % 1440) as f64 / 60.0;
    let day = (m / 1440) as f64;
    let diurnal = (std::f64::consts::PI * (hour - 6.0) / 12.0).sin();
    let sun = diurnal.max(0.0);
    ElectricalInputs {
        it_power_w: 1.2e6 + 3.0e5 * diurnal + 5.0e4 * (day * 0.1).sin(),
        ups_fed_mechanical_w: 2.0e4,
        cooling_power_w: 2.5e5 + 5.0e4 * diurnal,
        other_power_w: 3.0e4,
        ghi_w_m2: 900.0 * sun,
        dni_w_m2: 800.0 * sun,
        dhi_w_m2: 100.0 * sun,
        sun_zenith_deg: 90.0 - 70.0 * sun,
        sun_azimuth_deg: 90.0 + 15.0 * hour.clamp(6.0, 18.0) - 90.0,
        air_temp_c: 15.0 + 10.0 * diurnal,
        wind_speed_m_s: 4.0 + 3.0 * (m as f64 / 700.0).sin(),
        ..ElectricalInputs::default()
    }
}

fn full_site() -> PowerConfig {
    let mut cfg = PowerConfig::default();
    cfg.battery = Some(BatteryConfig::preset(BatteryChemistry::Lfp, 32_000.0));
    cfg.pv.dc_capacity_w = 1.5e6;
    cfg.wind.turbines = 1;
    cfg.grid.price = two_price_tou();
    cfg.grid.demand_charge_per_kw_month = 12.0;
    cfg.grid.green_ppa_fraction = 0.2;
    cfg.storage_policy.kind = StoragePolicyKind::PriceArbitrage;
    cfg
}

/// Energy conservation over a year of one-minute steps: utility + renewables used + generator =
/// IT + facility loads + every conversion loss + net energy into both batteries, to 1e-9
/// relative; the batteries' net energy equals their stored change plus their losses.
#[test]
fn energy_is_conserved_over_a_year_of_minute_steps() {
    let cfg = full_site();
    let mut sys = system(&cfg);
    let stored0 = sys.battery().map_or(0.0, Battery::stored_kwh) + sys.ups_battery().stored_kwh();
    let mut worst_step = 0.0f64;
    for m in 0..525_600u64 {
        let mut inp = inputs_at(m);
        // A 30-minute outage on day 100 with no generator, exercising the UPS battery path.
        inp.utility_available = !(144_000..144_030).contains(&m);
        let o = sys.step(SimTime(m * MIN.0), MIN, &inp);
        let r = o.balance_residual_w(&inp).abs() / (o.utility_import_w + 1.0);
        worst_step = worst_step.max(r);
    }
    let t = sys.finish().clone();
    let supply = t.facility_kwh();
    let demand = t.it_kwh.value()
        + t.facility_loads_kwh.value()
        + t.transformer_loss_kwh.value()
        + t.conversion_loss_kwh.value()
        + t.battery_charge_kwh.value()
        - t.battery_discharge_kwh.value()
        + t.ups_battery_net_kwh.value();
    assert!(
        (supply - demand).abs() <= 1e-9 * supply,
        "supply {supply} demand {demand}"
    );
    assert!(worst_step < 1e-9, "{worst_step}");
    // Batteries: net in = stored change + losses.
    let stored1 = sys.battery().map_or(0.0, Battery::stored_kwh) + sys.ups_battery().stored_kwh();
    let net_in = t.battery_charge_kwh.value() - t.battery_discharge_kwh.value()
        + t.ups_battery_net_kwh.value();
    let losses = t.battery_loss_kwh.value() + t.ups_battery_loss_kwh.value();
    assert!((net_in - (stored1 - stored0) - losses).abs() <= 1e-9 * t.battery_charge_kwh.value());
    // Sanity of the year: PUE between 1.1 and 1.6, some PV used, 12 closed months.
    assert!(t.pue() > 1.1 && t.pue() < 1.6, "{}", t.pue());
    assert!(t.pv_kwh.value() > 1.0e6);
    assert_eq!(t.monthly_peak_w.len(), 12);
    assert!(t.renewable_share() > 0.2 && t.renewable_share() < 1.0);
    assert!(sys.battery().map_or(0.0, Battery::state_of_health) < 1.0);
}

fn constant_site(it_w: f64, generator: bool) -> (ElectricalSystem, ElectricalInputs) {
    let mut cfg = PowerConfig::default();
    cfg.generator.enabled = generator;
    let inp = ElectricalInputs {
        it_power_w: it_w,
        cooling_power_w: 2.0e5,
        ..ElectricalInputs::default()
    };
    (system(&cfg), inp)
}

/// Run `outage_min` minutes of outage after an hour of normal operation; returns
/// (unserved IT kWh, minute of first unserved IT since outage start).
fn run_outage(
    sys: &mut ElectricalSystem,
    inp: &ElectricalInputs,
    outage_min: u64,
) -> (f64, Option<u64>) {
    let mut first = None;
    let mut unserved = 0.0;
    for m in 0..(60 + outage_min + 60) {
        let mut i = *inp;
        i.utility_available = !(60..60 + outage_min).contains(&m);
        let o = sys.step(SimTime(m * MIN.0), MIN, &i);
        assert!(o.balance_residual_w(&i).abs() < 1e-6, "{m}");
        if o.unserved_it_w > 0.0 && first.is_none() {
            first = Some(m - 60);
        }
        unserved += o.unserved_it_w / 60_000.0;
    }
    (unserved, first)
}

#[test]
fn outage_shorter_than_ride_through_serves_all_it() {
    let (mut sys, inp) = constant_site(1.0e6, false);
    // Ride-through: 500 kWh * 0.9 window * 0.975 / ~1.04 MW (IT + PDU + UPS loss) ~ 25 min.
    let ride_s = sys.ups_battery().time_to_empty_s(1.0e6 / 0.96);
    assert!(ride_s > 20.0 * 60.0, "{ride_s}");
    let (unserved, first) = run_outage(&mut sys, &inp, 10);
    assert_eq!(unserved, 0.0);
    assert_eq!(first, None);
    // The UPS battery recharges afterwards (0.2 C) but not fully within one hour.
    assert!(sys.ups_battery().soc() < 0.95);
}

#[test]
fn longer_outage_without_generator_drops_it_after_the_battery_empties() {
    let (mut sys, inp) = constant_site(1.0e6, false);
    let ride_s = sys.ride_through_s(&inp);
    let (unserved, first) = run_outage(&mut sys, &inp, 60);
    let predicted_min = ride_s / 60.0;
    let first = first.expect("IT must drop");
    // The threshold prediction for the runner agrees with the stepped result to a step.
    assert!(
        (first as f64 - predicted_min.floor()).abs() <= 1.0,
        "{first} vs {predicted_min}"
    );
    assert!(
        (20..=30).contains(&first),
        "battery emptied after {first} min"
    );
    // From then until the utility returns all IT is unserved: about (60 - first) min at 1 MW.
    let expected = (60 - first) as f64 / 60.0 * 1000.0;
    assert!(
        (unserved - expected).abs() < 1000.0 / 60.0 + 1e-9,
        "{unserved} vs {expected}"
    );
    // Emptied to 0.05, then one hour of 0.2 C recharge: 0.05 + 0.2 * 0.975 = 0.245.
    assert!(
        (sys.ups_battery().soc() - 0.245).abs() < 0.01,
        "{}",
        sys.ups_battery().soc()
    );
}

#[test]
fn generator_takes_the_load_after_an_outage() {
    let (mut sys, inp) = constant_site(1.0e6, true);
    let (unserved, _) = run_outage(&mut sys, &inp, 120);
    assert_eq!(unserved, 0.0);
    assert!(sys.totals().generator_kwh.value() > 1000.0);
    assert!(sys.totals().fuel_l.value() > 0.0);
    // UPS battery only bridged the first minute.
    assert!(sys.ups_battery().soc() > 0.85);
}

#[test]
fn ups_module_failure_under_n_plus_1_keeps_serving() {
    let (mut sys, inp) = constant_site(1.5e6, false);
    let before = sys.step(SimTime::ZERO, MIN, &inp);
    sys.set_failed_converter_modules(1);
    let after = sys.step(SimTime(MIN.0), MIN, &inp);
    assert!(!after.overloaded && after.unserved_w == 0.0);
    // Higher module load fraction on the rising part of the curve: lower UPS loss here.
    assert!(after.ups_loss_w != before.ups_loss_w);
    sys.set_failed_converter_modules(3);
    assert!(sys.step(SimTime(2 * MIN.0), MIN, &inp).overloaded);
}

fn peaky_month(cfg: &PowerConfig) -> f64 {
    let mut sys = system(cfg);
    for m in 0..(31 * 1440u64) {
        let hour = (m % 1440) / 60;
        let it = if (13..17).contains(&hour) {
            1.8e6
        } else {
            1.0e6
        };
        let inp = ElectricalInputs {
            it_power_w: it,
            cooling_power_w: 2.0e5,
            ..ElectricalInputs::default()
        };
        let o = sys.step(SimTime(m * MIN.0), MIN, &inp);
        if let Some(b) = sys.battery() {
            let soc = b.soc();
            assert!(soc >= b.config().soc_min - 1e-9 && soc <= b.config().soc_max + 1e-9);
        }
        assert!(o.balance_residual_w(&inp).abs() < 1e-6);
    }
    sys.finish().monthly_peak_w[0]
}

#[test]
fn peak_shaving_with_a_sized_battery_lowers_the_monthly_peak() {
    let mut cfg = PowerConfig::default();
    let none = peaky_month(&cfg);
    // Peak ~2.1 MW for 4 h a day; a 1.8 MW target needs ~1.2 MWh a day: 4 MWh at 0.5 C is enough.
    cfg.battery = Some(BatteryConfig::preset(BatteryChemistry::Lfp, 4000.0));
    cfg.storage_policy.kind = StoragePolicyKind::PeakShaving;
    cfg.storage_policy.demand_target_w = 1.8e6;
    let shaved = peaky_month(&cfg);
    assert!(none > 2.0e6, "{none}");
    assert!(shaved < none - 2.0e5, "{shaved} vs {none}");
    // Target is on the LV bus; the import adds the transformer loss (~20 kW).
    assert!(shaved < 1.83e6, "{shaved}");
}

#[test]
fn arbitrage_charges_in_low_and_discharges_in_high_price_hours() {
    let mut cfg = PowerConfig::default();
    cfg.grid.price = two_price_tou();
    cfg.battery = Some(BatteryConfig::preset(BatteryChemistry::Lfp, 2000.0));
    cfg.storage_policy.kind = StoragePolicyKind::PriceArbitrage;
    let mut sys = system(&cfg);
    let inp = ElectricalInputs {
        it_power_w: 1.0e6,
        ..ElectricalInputs::default()
    };
    let (mut charged_low, mut charged_high, mut dis_low, mut dis_high) = (0.0, 0.0, 0.0, 0.0);
    let mut cost_with = 0.0;
    for m in 0..(3 * 1440u64) {
        let o = sys.step(SimTime(m * MIN.0), MIN, &inp);
        let low = o.price_per_kwh < 0.1;
        if low {
            charged_low += o.battery_charge_w;
            dis_low += o.battery_discharge_w;
        } else {
            charged_high += o.battery_charge_w;
            dis_high += o.battery_discharge_w;
        }
        cost_with += o.utility_import_w / 60_000.0 * o.price_per_kwh;
    }
    assert!(charged_low > 0.0 && dis_high > 0.0);
    // UPS-battery top-up aside, the site battery never buys high or sells low.
    assert_eq!(charged_high, 0.0);
    assert_eq!(dis_low, 0.0);
    // And it saves money against no battery on the same run.
    let mut base = system(&PowerConfig {
        battery: None,
        storage_policy: StoragePolicyConfig::default(),
        ..cfg
    });
    let mut cost_without = 0.0;
    for m in 0..(3 * 1440u64) {
        let o = base.step(SimTime(m * MIN.0), MIN, &inp);
        cost_without += o.utility_import_w / 60_000.0 * o.price_per_kwh;
    }
    assert!(cost_with < cost_without, "{cost_with} vs {cost_without}");
}

#[test]
fn same_config_and_seed_give_identical_results() {
    let mut cfg = full_site();
    cfg.grid.forecast.noise_fraction = 0.2;
    let run = || {
        let mut sys = system(&cfg);
        let mut v = Vec::new();
        for m in 0..3000u64 {
            v.push(sys.step(SimTime(m * MIN.0), MIN, &inputs_at(m)));
        }
        v
    };
    assert_eq!(run(), run());
}

#[test]
fn rack_power_shelf_moves_losses_across_the_metering_boundary() {
    let inp = ElectricalInputs {
        it_power_w: 1.0e6,
        ..ElectricalInputs::default()
    };
    let mut ac = PowerConfig::default();
    ac.chain.metering_boundary = crate::MeteringBoundary::UpsOutput;
    let mut rack = ac.clone();
    rack.chain.architecture = ChainArchitecture::RackPowerShelf;
    let a = system(&ac).step(SimTime::ZERO, MIN, &inp);
    let r = system(&rack).step(SimTime::ZERO, MIN, &inp);
    // Rack shelf: the shelf loss is inside the metered IT energy, and the site buys less
    // (no double conversion) for the same server load.
    assert!(r.it_metered_w > a.it_metered_w);
    assert!(r.utility_import_w < a.utility_import_w);
    assert!(r.white_space_loss_w > a.white_space_loss_w);
    // System efficiency utility -> IT for the rack architecture ~96 % (ODCC 2023 claim),
    // here with a 1 % PDU and the transformer: within 94-97 %.
    let eff = 1.0e6 / r.utility_import_w;
    assert!(eff > 0.94 && eff < 0.97, "{eff}");
}

#[test]
fn toml_section_parses_validates_and_rejects_unknown_keys() {
    let text = r#"
        [chain]
        architecture = "ac_ups"
        metering_boundary = "ups_output"
        [chain.converter]
        redundancy = "2n"
        mode = "eco"
        [battery]
        capacity_kwh = 32000.0
        max_charge_c_rate = 0.25
        [generator]
        enabled = true
        [pv]
        dc_capacity_w = 2.0e6
        [grid]
        demand_charge_per_kw_month = 15.0
        price = { kind = "time_of_use", periods = [ { start_hour = 0.0, value = 0.05 }, { start_hour = 8.0, value = 0.2 } ] }
        carbon = { kind = "constant", value = 350.0 }
        [storage_policy]
        kind = "peak_shaving"
        demand_target_w = 1.5e6
        reserve_soc = 0.3
    "#;
    let cfg: PowerConfig = toml::from_str(text).expect("parses");
    assert!(cfg.validate().is_empty(), "{:?}", cfg.validate());
    assert_eq!(cfg.battery.as_ref().map(|b| b.capacity_kwh), Some(32_000.0));
    let bad = toml::from_str::<PowerConfig>("[battery]\ncapacity_kw = 1.0\n");
    assert!(bad.is_err());
    let mut cfg2 = cfg.clone();
    if let Some(b) = cfg2.battery.as_mut() {
        b.soc_min = 0.9;
        b.soc_max = 0.1;
    }
    cfg2.pv.system_losses = 2.0;
    let paths: Vec<String> = cfg2
        .validate()
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| i.path)
        .collect();
    assert_eq!(paths, vec!["battery.soc_min", "pv.system_losses"]);
    assert!(matches!(
        ElectricalSystem::new(
            &cfg2,
            GridSignals::load(&GridConfig::default(), Path::new("."), &RngStreams::new(1))
                .expect("ok")
        ),
        Err(PowerError::InvalidConfig(_))
    ));
}

/// A user policy issuing random requests from a named stream.
struct RandomPolicy(sim_core::StreamRng);

impl StoragePolicy for RandomPolicy {
    fn name(&self) -> &str {
        "random"
    }
    fn request_w(&mut self, o: &StorageObservation<'_>) -> f64 {
        use rand::Rng;
        self.0.gen_range(-3.0..3.0) * o.max_charge_w.max(o.max_discharge_w)
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// SoC stays in the window and every step balances under built-in and user policies,
    /// random loads and random outages.
    #[test]
    fn soc_stays_in_window_under_any_policy(
        kind in 0usize..5,
        seed in 0u64..1000,
        loads in proptest::collection::vec((0.0f64..2.5e6, 0.0f64..5e5, proptest::bool::weighted(0.95)), 50..300),
    ) {
        let mut cfg = full_site();
        cfg.battery = Some(BatteryConfig { max_charge_c_rate: 2.0, max_discharge_c_rate: 2.0, ..BatteryConfig::preset(BatteryChemistry::Nmc, 500.0) });
        cfg.storage_policy.kind = [StoragePolicyKind::Idle, StoragePolicyKind::PeakShaving, StoragePolicyKind::PriceArbitrage, StoragePolicyKind::CarbonAware, StoragePolicyKind::PeakShaving][kind];
        cfg.storage_policy.reserve_soc = if kind == 4 { 0.5 } else { 0.0 };
        let mut sys = system(&cfg);
        if kind == 0 {
            sys.set_policy(Box::new(RandomPolicy(RngStreams::new(seed).stream("test.random_policy"))));
        }
        for (m, (it, cooling, up)) in loads.into_iter().enumerate() {
            let mut inp = inputs_at(m as u64 * 37);
            inp.it_power_w = it;
            inp.cooling_power_w = cooling;
            inp.utility_available = up;
            let o = sys.step(SimTime(m as u64 * MIN.0), MIN, &inp);
            for b in [sys.battery().expect("battery"), sys.ups_battery()] {
                let soc = b.soc();
                proptest::prop_assert!(soc >= b.config().soc_min - 1e-9 && soc <= b.config().soc_max + 1e-9, "soc {}", soc);
            }
            proptest::prop_assert!(o.balance_residual_w(&inp).abs() <= 1e-6 * (o.utility_import_w + it + 1.0));
            proptest::prop_assert!(o.utility_import_w >= 0.0 && o.unserved_w >= -1e-6);
        }
    }
}

#[test]
fn weather_sample_drives_pv_through_the_weather_crate_transposition() {
    let w = dctwin_weather::WeatherSample {
        dry_bulb_c: 25.0,
        ghi_w_m2: 800.0 * 30f64.to_radians().cos() + 100.0,
        dni_w_m2: 800.0,
        dhi_w_m2: 100.0,
        wind_speed_m_s: 1.0,
        sun_zenith_deg: 30.0,
        sun_azimuth_deg: 180.0,
        ..dctwin_weather::WeatherSample::default()
    };
    let inp = ElectricalInputs {
        it_power_w: 1.0e6,
        ..ElectricalInputs::default()
    }
    .with_weather(&w);
    assert_eq!(inp.air_temp_c, 25.0);
    assert_eq!(inp.dni_w_m2, 800.0);
    let mut cfg = PowerConfig::default();
    cfg.pv.dc_capacity_w = 1.0e6;
    cfg.pv.tilt_deg = 30.0;
    cfg.pv.transposition = crate::Transposition::Isotropic;
    let o = system(&cfg).step(SimTime::ZERO, MIN, &inp);
    // Isotropic POA 903.9 W/m² (hand value in renewables tests) through PVWatts/Sandia:
    // the same as feeding that POA directly.
    let direct = crate::PvArray::new(&cfg.pv).ac_power_w(903.923, 25.0, 1.0);
    assert!((o.pv_w - direct).abs() < 1.0, "{} vs {direct}", o.pv_w);
    assert!(o.pv_w > 6.0e5);
}

#[test]
fn demand_charge_cost_and_carbon_follow_the_tariff() {
    let mut cfg = PowerConfig::default();
    cfg.grid.demand_charge_per_kw_month = 10.0;
    cfg.grid.green_ppa_fraction = 0.25;
    cfg.grid.price = SignalSource::Constant { value: 0.1 };
    cfg.grid.carbon = SignalSource::Constant { value: 400.0 };
    let mut sys = system(&cfg);
    // Two months (Jan 31 d + Feb 28 d) of constant load with one 15-minute spike in February.
    let minutes = (31 + 28) * 1440u64;
    let mut import_kwh = 0.0;
    let mut spike_import = 0.0;
    for m in 0..minutes {
        let spike = (40 * 1440..40 * 1440 + 15).contains(&m);
        let inp = ElectricalInputs {
            it_power_w: if spike { 2.0e6 } else { 1.0e6 },
            ..ElectricalInputs::default()
        };
        let o = sys.step(SimTime(m * MIN.0), MIN, &inp);
        import_kwh += o.utility_import_w / 60_000.0;
        if spike {
            spike_import += o.utility_import_w / 15.0;
        } else if m == 0 {
            assert!(o.utility_import_w > 1.0e6);
        }
    }
    let t = sys.finish().clone();
    assert_eq!(t.monthly_peak_w.len(), 2);
    // January: constant import; February: the spike fills one whole 15-min interval, whose
    // average import is the month's peak.
    assert!(
        (t.monthly_peak_w[1] - spike_import).abs() < 1e-6 * spike_import,
        "{} vs {spike_import}",
        t.monthly_peak_w[1]
    );
    assert!(t.monthly_peak_w[0] < t.monthly_peak_w[1]);
    let demand = 10.0 * (t.monthly_peak_w[0] + t.monthly_peak_w[1]) / 1000.0;
    assert!((t.demand_cost - demand).abs() < 1e-9);
    assert!((t.energy_cost.value() - 0.1 * import_kwh).abs() < 1e-6 * import_kwh);
    assert!((t.carbon_kg.value() - 0.75 * 0.4 * import_kwh).abs() < 1e-6 * import_kwh);
    assert!((t.renewable_share() - 0.25).abs() < 1e-12);
}

/// Regression: a partial `[power.ups_battery]` table silently took the generic 0.5 C discharge
/// limit, and a short outage then dropped IT load the UPS was meant to carry.
#[test]
fn partial_ups_battery_table_warns_about_its_discharge_rate() {
    let cfg: PowerConfig =
        toml::from_str("[ups_battery]\ncapacity_kwh = 100.0\n").expect("valid TOML section");
    let issues = cfg.validate();
    assert!(
        issues
            .iter()
            .any(|i| i.path == "ups_battery.max_discharge_c_rate"
                && i.severity == sim_core::Severity::Warning),
        "{issues:?}"
    );
    assert!(PowerConfig::default()
        .validate()
        .iter()
        .all(|i| i.path != "ups_battery.max_discharge_c_rate"));
}
