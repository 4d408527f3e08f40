//! Storage policies: control decisions for the site battery, separate from the battery plant.
//!
//! A policy sees a [`StorageObservation`] and returns a terminal power request (> 0 charge,
//! < 0 discharge); the [`crate::Battery`] then enforces its C-rate and SoC window, and the
//! electrical system prevents export to the grid. Built-ins: peak shaving below a demand
//! target, price (time-of-use) arbitrage, carbon-aware charging, each optionally keeping a
//! backup reserve. User policies implement the same trait.

use crate::grid::GridSignals;
use serde::{Deserialize, Serialize};
use sim_core::validate::check_range;
use sim_core::{ConfigIssue, SimDuration, SimTime};

/// What a storage policy sees at a control step.
#[derive(Debug, Clone, Copy)]
pub struct StorageObservation<'a> {
    /// Start of the step.
    pub now: SimTime,
    /// Step length.
    pub dt: SimDuration,
    /// Site demand on the LV bus minus available on-site renewables, before storage, in W
    /// (negative when renewables exceed the load).
    pub net_demand_w: f64,
    /// Battery state of charge (-).
    pub soc: f64,
    /// Lower end of the usable SoC window (-).
    pub soc_min: f64,
    /// Upper end of the usable SoC window (-).
    pub soc_max: f64,
    /// Maximum charge power in W.
    pub max_charge_w: f64,
    /// Maximum discharge power in W.
    pub max_discharge_w: f64,
    /// Current price per kWh.
    pub price_per_kwh: f64,
    /// Current grid carbon intensity in g CO2e/kWh.
    pub carbon_g_per_kwh: f64,
    /// Highest demand-interval average grid import so far this month in W.
    pub month_peak_w: f64,
    /// Whether the utility is available.
    pub utility_available: bool,
    /// Grid signals, including the forecasts the policy may look ahead in.
    pub signals: &'a GridSignals,
}

/// A storage control policy.
pub trait StoragePolicy: Send {
    /// Short name for reports.
    fn name(&self) -> &str;
    /// Requested battery terminal power in W (> 0 charge, < 0 discharge).
    fn request_w(&mut self, obs: &StorageObservation<'_>) -> f64;
}

/// Which built-in policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StoragePolicyKind {
    /// Do nothing (the battery only self-discharges).
    #[default]
    Idle,
    /// Discharge to keep grid demand below `demand_target_w`, recharge below it (only at or
    /// below `charge_below_price` when that is set: valley charging under a time-of-use tariff).
    PeakShaving,
    /// Charge at low prices, discharge at high prices.
    PriceArbitrage,
    /// Charge when grid carbon intensity is low, discharge when high.
    CarbonAware,
}

/// The `storage_policy` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoragePolicyConfig {
    /// "idle", "peak_shaving", "price_arbitrage" or "carbon_aware". Default "idle".
    pub kind: StoragePolicyKind,
    /// Peak shaving: demand target in W (LV bus, before the transformer). Default 1,000,000.
    pub demand_target_w: f64,
    /// Arbitrage: charge when price <= this (per kWh). Absent: automatic, below the forecast
    /// mean of the next 24 h by `auto_band_fraction`. Peak shaving: recharge only when the
    /// price is at or below this; absent, recharge whenever there is headroom. Default absent.
    pub charge_below_price: Option<f64>,
    /// Arbitrage: discharge when price >= this (per kWh). Absent: automatic. Default absent.
    pub discharge_above_price: Option<f64>,
    /// Automatic thresholds: relative band around the 24 h forecast mean (-). Default 0.1.
    pub auto_band_fraction: f64,
    /// Carbon-aware: charge when intensity <= this, g CO2e/kWh. Default 200.
    pub charge_below_g_per_kwh: f64,
    /// Carbon-aware: discharge when intensity >= this, g CO2e/kWh. Default 500.
    pub discharge_above_g_per_kwh: f64,
    /// Backup reserve: never discharge below this SoC for economic reasons, and recharge to it
    /// first (0 = no reserve). Default 0.
    pub reserve_soc: f64,
}

impl Default for StoragePolicyConfig {
    fn default() -> Self {
        StoragePolicyConfig {
            kind: StoragePolicyKind::Idle,
            demand_target_w: 1.0e6,
            charge_below_price: None,
            discharge_above_price: None,
            auto_band_fraction: 0.1,
            charge_below_g_per_kwh: 200.0,
            discharge_above_g_per_kwh: 500.0,
            reserve_soc: 0.0,
        }
    }
}

impl StoragePolicyConfig {
    /// All problems, paths relative to the `storage_policy` section.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_range(
            &mut v,
            "demand_target_w",
            self.demand_target_w,
            0.0,
            f64::MAX,
            "W",
        );
        check_range(
            &mut v,
            "auto_band_fraction",
            self.auto_band_fraction,
            0.0,
            1.0,
            "-",
        );
        check_range(&mut v, "reserve_soc", self.reserve_soc, 0.0, 1.0, "-");
        if let (Some(lo), Some(hi)) = (self.charge_below_price, self.discharge_above_price) {
            if lo > hi {
                v.push(ConfigIssue::error(
                    "charge_below_price",
                    format!("charge threshold {lo} is above the discharge threshold {hi}"),
                ));
            }
        }
        if self.charge_below_g_per_kwh > self.discharge_above_g_per_kwh {
            v.push(ConfigIssue::error(
                "charge_below_g_per_kwh",
                "charge threshold must not exceed discharge_above_g_per_kwh",
            ));
        }
        v
    }

    /// The policy object.
    pub fn build(&self) -> Box<dyn StoragePolicy> {
        let inner: Box<dyn StoragePolicy> = match self.kind {
            StoragePolicyKind::Idle => Box::new(Idle),
            StoragePolicyKind::PeakShaving => Box::new(PeakShaving {
                demand_target_w: self.demand_target_w,
                charge_below_price: self.charge_below_price,
            }),
            StoragePolicyKind::PriceArbitrage => Box::new(PriceArbitrage {
                charge_below_price: self.charge_below_price,
                discharge_above_price: self.discharge_above_price,
                auto_band_fraction: self.auto_band_fraction,
            }),
            StoragePolicyKind::CarbonAware => Box::new(CarbonAware {
                charge_below_g_per_kwh: self.charge_below_g_per_kwh,
                discharge_above_g_per_kwh: self.discharge_above_g_per_kwh,
            }),
        };
        if self.reserve_soc > 0.0 {
            Box::new(BackupReserve {
                reserve_soc: self.reserve_soc,
                inner,
            })
        } else {
            inner
        }
    }
}

/// Never charges or discharges.
#[derive(Debug, Clone, Copy)]
pub struct Idle;

impl StoragePolicy for Idle {
    fn name(&self) -> &str {
        "idle"
    }
    fn request_w(&mut self, _: &StorageObservation<'_>) -> f64 {
        0.0
    }
}

/// Peak shaving: discharge the excess above the target; recharge with the headroom below it,
/// never raising the import above the target. With `charge_below_price` set, recharging waits
/// for prices at or below it (the valley of a time-of-use tariff), the usual operation of
/// commercial storage that both caps the monthly demand and charges cheaply ("削峰填谷").
#[derive(Debug, Clone, Copy)]
pub struct PeakShaving {
    /// Demand target in W.
    pub demand_target_w: f64,
    /// Recharge only at or below this price per kWh; `None`: whenever there is headroom.
    pub charge_below_price: Option<f64>,
}

impl StoragePolicy for PeakShaving {
    fn name(&self) -> &str {
        "peak_shaving"
    }
    fn request_w(&mut self, o: &StorageObservation<'_>) -> f64 {
        if o.net_demand_w > self.demand_target_w {
            -(o.net_demand_w - self.demand_target_w)
        } else if self
            .charge_below_price
            .is_some_and(|lo| o.signals.price_forecast.value_at(o.now) > lo)
        {
            0.0
        } else {
            self.demand_target_w - o.net_demand_w
        }
    }
}

/// Price arbitrage between a low and a high price threshold (fixed or from the forecast).
#[derive(Debug, Clone, Copy)]
pub struct PriceArbitrage {
    /// Fixed charge threshold, or automatic.
    pub charge_below_price: Option<f64>,
    /// Fixed discharge threshold, or automatic.
    pub discharge_above_price: Option<f64>,
    /// Band around the 24 h forecast mean for automatic thresholds.
    pub auto_band_fraction: f64,
}

impl StoragePolicy for PriceArbitrage {
    fn name(&self) -> &str {
        "price_arbitrage"
    }
    fn request_w(&mut self, o: &StorageObservation<'_>) -> f64 {
        let (lo, hi) = match (self.charge_below_price, self.discharge_above_price) {
            (Some(lo), Some(hi)) => (lo, hi),
            (lo, hi) => {
                let mean = o
                    .signals
                    .price_forecast
                    .mean_over(o.now, o.now + SimDuration::from_hours(24));
                let band = self.auto_band_fraction * mean.abs();
                (lo.unwrap_or(mean - band), hi.unwrap_or(mean + band))
            }
        };
        let price = o.signals.price_forecast.value_at(o.now);
        if price <= lo {
            o.max_charge_w
        } else if price >= hi {
            -o.max_discharge_w.min(o.net_demand_w.max(0.0))
        } else {
            0.0
        }
    }
}

/// Carbon-aware charging: charge on clean grid power, discharge on dirty.
#[derive(Debug, Clone, Copy)]
pub struct CarbonAware {
    /// Charge at or below this intensity (g CO2e/kWh).
    pub charge_below_g_per_kwh: f64,
    /// Discharge at or above this intensity (g CO2e/kWh).
    pub discharge_above_g_per_kwh: f64,
}

impl StoragePolicy for CarbonAware {
    fn name(&self) -> &str {
        "carbon_aware"
    }
    fn request_w(&mut self, o: &StorageObservation<'_>) -> f64 {
        let c = o.signals.carbon_forecast.value_at(o.now);
        if c <= self.charge_below_g_per_kwh {
            o.max_charge_w
        } else if c >= self.discharge_above_g_per_kwh {
            -o.max_discharge_w.min(o.net_demand_w.max(0.0))
        } else {
            0.0
        }
    }
}

/// Keeps a backup reserve under any inner policy: no discharge at or below `reserve_soc`
/// while the utility is up, recharge to it at full rate first.
pub struct BackupReserve {
    /// Reserve SoC (-).
    pub reserve_soc: f64,
    /// The economic policy.
    pub inner: Box<dyn StoragePolicy>,
}

impl StoragePolicy for BackupReserve {
    fn name(&self) -> &str {
        "backup_reserve"
    }
    fn request_w(&mut self, o: &StorageObservation<'_>) -> f64 {
        let r = self.inner.request_w(o);
        if !o.utility_available {
            return r;
        }
        if o.soc < self.reserve_soc {
            return r.max(o.max_charge_w);
        }
        // At or below the reserve no discharge (a step that starts above may end up to one
        // step's energy below it).
        if r < 0.0 && o.soc <= self.reserve_soc {
            return 0.0;
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::{GridConfig, SignalSource, TouPeriod};
    use sim_core::RngStreams;
    use std::path::Path;

    fn signals(carbon: SignalSource) -> GridSignals {
        let cfg = GridConfig {
            carbon,
            ..GridConfig::default()
        };
        GridSignals::load(&cfg, Path::new("."), &RngStreams::new(1)).expect("ok")
    }

    fn obs(
        signals: &GridSignals,
        now_h: u64,
        net_demand_w: f64,
        soc: f64,
    ) -> StorageObservation<'_> {
        StorageObservation {
            now: SimTime::from_secs(now_h * 3600),
            dt: SimDuration::from_secs(60),
            net_demand_w,
            soc,
            soc_min: 0.05,
            soc_max: 0.95,
            max_charge_w: 5e5,
            max_discharge_w: 5e5,
            price_per_kwh: 0.1,
            carbon_g_per_kwh: 400.0,
            month_peak_w: 0.0,
            utility_available: true,
            signals,
        }
    }

    #[test]
    fn peak_shaving_discharges_excess_and_recharges_headroom() {
        let s = signals(SignalSource::Constant { value: 400.0 });
        let mut p = PeakShaving {
            demand_target_w: 1e6,
            charge_below_price: None,
        };
        assert_eq!(p.request_w(&obs(&s, 0, 1.3e6, 0.5)), -3e5);
        assert_eq!(p.request_w(&obs(&s, 0, 0.8e6, 0.5)), 2e5);
    }

    #[test]
    fn peak_shaving_with_a_price_gate_recharges_only_in_the_valley() {
        let cfg = GridConfig {
            price: SignalSource::TimeOfUse {
                periods: vec![
                    TouPeriod {
                        start_hour: 0.0,
                        value: 0.3,
                    },
                    TouPeriod {
                        start_hour: 8.0,
                        value: 1.1,
                    },
                ],
            },
            ..GridConfig::default()
        };
        let s = GridSignals::load(&cfg, Path::new("."), &RngStreams::new(1)).expect("ok");
        let mut p = StoragePolicyConfig {
            kind: StoragePolicyKind::PeakShaving,
            demand_target_w: 1e6,
            charge_below_price: Some(0.5),
            ..StoragePolicyConfig::default()
        }
        .build();
        // Valley: recharge with the headroom; peak price: hold, but still shave the excess.
        assert_eq!(p.request_w(&obs(&s, 3, 0.8e6, 0.5)), 2e5);
        assert_eq!(p.request_w(&obs(&s, 10, 0.8e6, 0.5)), 0.0);
        assert_eq!(p.request_w(&obs(&s, 10, 1.3e6, 0.5)), -3e5);
    }

    #[test]
    fn carbon_aware_follows_the_carbon_forecast() {
        let tou = SignalSource::TimeOfUse {
            periods: vec![
                TouPeriod {
                    start_hour: 0.0,
                    value: 100.0,
                },
                TouPeriod {
                    start_hour: 12.0,
                    value: 600.0,
                },
            ],
        };
        let s = signals(tou);
        let mut p = CarbonAware {
            charge_below_g_per_kwh: 200.0,
            discharge_above_g_per_kwh: 500.0,
        };
        assert_eq!(p.request_w(&obs(&s, 3, 1e6, 0.5)), 5e5);
        assert_eq!(p.request_w(&obs(&s, 13, 1e6, 0.5)), -5e5);
        // Never discharges more than the site demand (no export).
        assert_eq!(p.request_w(&obs(&s, 13, 2e5, 0.5)), -2e5);
    }

    #[test]
    fn backup_reserve_blocks_discharge_and_recharges_first() {
        let s = signals(SignalSource::Constant { value: 900.0 });
        let cfg = StoragePolicyConfig {
            kind: StoragePolicyKind::CarbonAware,
            reserve_soc: 0.4,
            ..StoragePolicyConfig::default()
        };
        let mut p = cfg.build();
        assert_eq!(p.request_w(&obs(&s, 1, 1e6, 0.6)), -5e5);
        assert_eq!(p.request_w(&obs(&s, 1, 1e6, 0.4)), 0.0);
        assert_eq!(p.request_w(&obs(&s, 1, 1e6, 0.3)), 5e5);
    }

    #[test]
    fn arbitrage_auto_thresholds_from_the_forecast_mean() {
        let cfg = GridConfig {
            price: SignalSource::TimeOfUse {
                periods: vec![
                    TouPeriod {
                        start_hour: 0.0,
                        value: 0.05,
                    },
                    TouPeriod {
                        start_hour: 12.0,
                        value: 0.25,
                    },
                ],
            },
            ..GridConfig::default()
        };
        let s = GridSignals::load(&cfg, Path::new("."), &RngStreams::new(1)).expect("ok");
        let mut p = PriceArbitrage {
            charge_below_price: None,
            discharge_above_price: None,
            auto_band_fraction: 0.1,
        };
        assert_eq!(p.request_w(&obs(&s, 2, 1e6, 0.5)), 5e5);
        assert_eq!(p.request_w(&obs(&s, 14, 1e6, 0.5)), -5e5);
    }
}
