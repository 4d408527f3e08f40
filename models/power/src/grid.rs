//! Grid signals: electricity price and carbon intensity as step series, demand charges, green
//! power purchase share, and forecasts for storage policies.
//!
//! Signals come from a constant, a CSV file (hourly, 15-minute or any strictly increasing
//! times) or a daily time-of-use table. Demand charges follow the usual US commercial tariff
//! form (e.g. PG&E B-19): a rate per kW applied to the highest average demand over a fixed
//! interval (15 min) in each billing month. Calendar: the run starts on 1 January 00:00 of a
//! 365-day year; month lengths are those of a non-leap year.

use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use sim_core::validate::check_range;
use sim_core::{ConfigIssue, RngStreams, SimDuration, SimTime, StepSeries};
use std::path::{Path, PathBuf};

/// Error loading grid signals.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// File path.
        file: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// A line of the file is malformed.
    #[error("{file}:{line}: {message}")]
    Parse {
        /// File path.
        file: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The points do not form a valid series.
    #[error("{origin}: {message}")]
    Series {
        /// File path or source description.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// One row of a daily time-of-use table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TouPeriod {
    /// Hour of day at which this value starts, in h (0 <= start < 24).
    pub start_hour: f64,
    /// Value from `start_hour` until the next period's start.
    pub value: f64,
}

/// Where a signal comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SignalSource {
    /// The same value all the time.
    Constant {
        /// The value.
        value: f64,
    },
    /// A CSV file of `time_h,value` rows (time in hours from the start of the run; an optional
    /// header line and `#` comment lines are skipped).
    Csv {
        /// File path, relative to the scenario directory.
        path: PathBuf,
    },
    /// A daily periodic table; before the first `start_hour` the last period of the previous
    /// day holds.
    TimeOfUse {
        /// Periods sorted by `start_hour`.
        periods: Vec<TouPeriod>,
    },
}

impl SignalSource {
    fn validate(&self, issues: &mut Vec<ConfigIssue>, path: &str, min: f64, unit: &str) {
        match self {
            SignalSource::Constant { value } => check_range(
                issues,
                &format!("{path}.value"),
                *value,
                min,
                f64::MAX,
                unit,
            ),
            SignalSource::Csv { path: p } => {
                if p.as_os_str().is_empty() {
                    issues.push(ConfigIssue::error(
                        format!("{path}.path"),
                        "a CSV path is required",
                    ));
                }
            }
            SignalSource::TimeOfUse { periods } => {
                if periods.is_empty() {
                    issues.push(ConfigIssue::error(
                        format!("{path}.periods"),
                        "a time-of-use table needs at least one period",
                    ));
                }
                for (i, p) in periods.iter().enumerate() {
                    let k = format!("{path}.periods[{i}]");
                    if !(0.0..24.0).contains(&p.start_hour) {
                        issues.push(ConfigIssue::error(
                            format!("{k}.start_hour"),
                            format!("{} h must be in [0, 24)", p.start_hour),
                        ));
                    }
                    if i > 0 && p.start_hour <= periods[i - 1].start_hour {
                        issues.push(ConfigIssue::error(
                            format!("{k}.start_hour"),
                            "periods must be sorted by strictly increasing start_hour",
                        ));
                    }
                    check_range(issues, &format!("{k}.value"), p.value, min, f64::MAX, unit);
                }
            }
        }
    }

    /// Build the step series (CSV paths relative to `base_dir`).
    pub fn load(&self, base_dir: &Path) -> Result<StepSeries, GridError> {
        match self {
            SignalSource::Constant { value } => Ok(StepSeries::constant(*value)),
            SignalSource::Csv { path } => {
                let file = base_dir.join(path);
                let text = std::fs::read_to_string(&file).map_err(|source| GridError::Io {
                    file: file.clone(),
                    source,
                })?;
                parse_csv(&text, &file)
            }
            SignalSource::TimeOfUse { periods } => {
                let mut pts: Vec<(SimTime, f64)> = Vec::with_capacity(periods.len() + 1);
                let last = periods.last().map_or(0.0, |p| p.value);
                if periods.first().is_some_and(|p| p.start_hour > 0.0) {
                    pts.push((SimTime::ZERO, last));
                }
                for p in periods {
                    let t = SimTime::try_from_secs_f64(p.start_hour * 3600.0).map_err(|e| {
                        GridError::Series {
                            origin: "time_of_use".into(),
                            message: e.to_string(),
                        }
                    })?;
                    pts.push((t, p.value));
                }
                StepSeries::new(pts)
                    .map(|s| s.periodic(SimDuration::from_hours(24)))
                    .map_err(|e| GridError::Series {
                        origin: "time_of_use".into(),
                        message: e.to_string(),
                    })
            }
        }
    }
}

fn parse_csv(text: &str, file: &Path) -> Result<StepSeries, GridError> {
    let mut pts: Vec<(SimTime, f64)> = Vec::new();
    let err = |line: usize, message: String| GridError::Parse {
        file: file.to_path_buf(),
        line,
        message,
    };
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split(',').map(str::trim);
        let (Some(a), Some(b)) = (cols.next(), cols.next()) else {
            return Err(err(
                line_no,
                format!("expected two columns `time_h,value`, found `{line}`"),
            ));
        };
        let t: f64 = match a.parse() {
            Ok(t) => t,
            Err(_) if pts.is_empty() && line_no == 1 => continue, // header
            Err(_) => return Err(err(line_no, format!("time `{a}` is not a number of hours"))),
        };
        let v: f64 = b
            .parse()
            .map_err(|_| err(line_no, format!("value `{b}` is not a number")))?;
        if !v.is_finite() {
            return Err(err(line_no, format!("value `{b}` is not finite")));
        }
        let time = SimTime::try_from_secs_f64(t * 3600.0)
            .map_err(|e| err(line_no, format!("time {t} h: {e}")))?;
        if let Some(&(prev, _)) = pts.last() {
            if time <= prev {
                return Err(err(
                    line_no,
                    format!("time {t} h is not after the previous row's time"),
                ));
            }
        }
        pts.push((time, v));
    }
    StepSeries::new(pts).map_err(|e| GridError::Series {
        origin: file.display().to_string(),
        message: e.to_string(),
    })
}

/// Forecasts handed to storage policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForecastConfig {
    /// Relative standard deviation of the multiplicative Gaussian error put on each point of the
    /// forecast series (0 = perfect foresight). Drawn from the named streams
    /// `power.grid.price_forecast` and `power.grid.carbon_forecast`. Default 0.
    pub noise_fraction: f64,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        ForecastConfig {
            noise_fraction: 0.0,
        }
    }
}

/// The `grid` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GridConfig {
    /// Energy price in currency per kWh. Default constant 0.10.
    pub price: SignalSource,
    /// Carbon intensity of grid electricity in g CO2e per kWh. Default constant 400.
    pub carbon: SignalSource,
    /// Demand charge in currency per kW of monthly peak demand. Default 0.
    pub demand_charge_per_kw_month: f64,
    /// Demand averaging interval in minutes. Default 15.
    pub demand_interval_min: u32,
    /// Fraction of grid energy covered by a green power purchase agreement (zero carbon,
    /// counted as renewable). Default 0.
    pub green_ppa_fraction: f64,
    /// Forecasts for policies.
    pub forecast: ForecastConfig,
    /// Demand-response requests (`[[power.grid.events]]`). Default none.
    pub events: Vec<crate::demand_response::DemandResponseEvent>,
}

impl Default for GridConfig {
    fn default() -> Self {
        GridConfig {
            price: SignalSource::Constant { value: 0.10 },
            carbon: SignalSource::Constant { value: 400.0 },
            demand_charge_per_kw_month: 0.0,
            demand_interval_min: 15,
            green_ppa_fraction: 0.0,
            forecast: ForecastConfig::default(),
            events: Vec::new(),
        }
    }
}

impl GridConfig {
    /// All problems, paths relative to the `grid` section.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        self.price.validate(&mut v, "price", f64::MIN, "per kWh");
        self.carbon.validate(&mut v, "carbon", 0.0, "g/kWh");
        check_range(
            &mut v,
            "demand_charge_per_kw_month",
            self.demand_charge_per_kw_month,
            0.0,
            f64::MAX,
            "per kW-month",
        );
        if self.demand_interval_min == 0 || 1440 % self.demand_interval_min != 0 {
            v.push(ConfigIssue::error(
                "demand_interval_min",
                format!(
                    "{} min must divide a day (e.g. 15, 30, 60)",
                    self.demand_interval_min
                ),
            ));
        }
        check_range(
            &mut v,
            "green_ppa_fraction",
            self.green_ppa_fraction,
            0.0,
            1.0,
            "-",
        );
        check_range(
            &mut v,
            "forecast.noise_fraction",
            self.forecast.noise_fraction,
            0.0,
            1.0,
            "-",
        );
        for (i, e) in self.events.iter().enumerate() {
            v.extend(
                e.validate()
                    .into_iter()
                    .map(|x| x.prefixed(&format!("events[{i}]"))),
            );
        }
        v
    }
}

/// Loaded grid signals.
#[derive(Debug, Clone)]
pub struct GridSignals {
    /// Price in currency per kWh.
    pub price: StepSeries,
    /// Carbon intensity in g CO2e per kWh.
    pub carbon: StepSeries,
    /// Price forecast seen by policies.
    pub price_forecast: StepSeries,
    /// Carbon forecast seen by policies.
    pub carbon_forecast: StepSeries,
    /// Demand charge per kW-month.
    pub demand_charge_per_kw_month: f64,
    /// Demand averaging interval.
    pub demand_interval: SimDuration,
    /// Green PPA fraction of grid energy.
    pub green_ppa_fraction: f64,
}

fn noisy(
    series: &StepSeries,
    sigma: f64,
    streams: &RngStreams,
    name: &str,
) -> Result<StepSeries, GridError> {
    if sigma <= 0.0 {
        return Ok(series.clone());
    }
    let mut rng = streams.stream(name);
    let pts: Vec<(SimTime, f64)> = series
        .points()
        .map(|(t, v)| {
            let z: f64 = StandardNormal.sample(&mut rng);
            (t, v * (1.0 + sigma * z))
        })
        .collect();
    StepSeries::new(pts).map_err(|e| GridError::Series {
        origin: name.into(),
        message: e.to_string(),
    })
}

impl GridSignals {
    /// Load the signals of `cfg`; CSV paths are relative to `base_dir`.
    pub fn load(
        cfg: &GridConfig,
        base_dir: &Path,
        streams: &RngStreams,
    ) -> Result<Self, GridError> {
        let price = cfg.price.load(base_dir)?;
        let carbon = cfg.carbon.load(base_dir)?;
        let sigma = cfg.forecast.noise_fraction;
        let mut price_forecast = noisy(&price, sigma, streams, "power.grid.price_forecast")?;
        let mut carbon_forecast = noisy(&carbon, sigma, streams, "power.grid.carbon_forecast")?;
        if matches!(cfg.price, SignalSource::TimeOfUse { .. }) {
            price_forecast = price_forecast.periodic(SimDuration::from_hours(24));
        }
        if matches!(cfg.carbon, SignalSource::TimeOfUse { .. }) {
            carbon_forecast = carbon_forecast.periodic(SimDuration::from_hours(24));
        }
        Ok(GridSignals {
            price,
            carbon,
            price_forecast,
            carbon_forecast,
            demand_charge_per_kw_month: cfg.demand_charge_per_kw_month,
            demand_interval: SimDuration::from_secs(u64::from(cfg.demand_interval_min.max(1)) * 60),
            green_ppa_fraction: cfg.green_ppa_fraction,
        })
    }
}

const MONTH_START_DAY: [u64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// Billing month index since the start of the run (year * 12 + month, month 0 = January).
pub fn month_index(t: SimTime) -> usize {
    let day = t.0 / 86_400_000_000;
    let year = day / 365;
    let doy = day % 365;
    let m = MONTH_START_DAY.partition_point(|&d| d <= doy) - 1;
    (year * 12) as usize + m
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    fn h(x: u64) -> SimTime {
        SimTime::from_secs(x * 3600)
    }

    #[test]
    fn csv_hourly_and_quarter_hourly() {
        let s = parse_csv(
            "time_h,price\n0,0.1\n0.25,0.2\n# comment\n1,0.3\n",
            Path::new("p.csv"),
        )
        .expect("valid");
        assert_eq!(s.value_at(SimTime::from_secs(600)), 0.1);
        assert_eq!(s.value_at(SimTime::from_secs(900)), 0.2);
        assert_eq!(s.value_at(h(5)), 0.3);
    }

    #[test]
    fn csv_errors_name_file_and_line() {
        let e = parse_csv("time_h,price\n0,0.1\n1,abc\n", Path::new("prices.csv"))
            .expect_err("must fail");
        assert_eq!(e.to_string(), "prices.csv:3: value `abc` is not a number");
        let e = parse_csv("0,0.1\n0,0.2\n", Path::new("p.csv")).expect_err("must fail");
        assert!(e.to_string().starts_with("p.csv:2:"), "{e}");
        let e = parse_csv("0,0.1\n1\n", Path::new("p.csv")).expect_err("must fail");
        assert!(e.to_string().starts_with("p.csv:2:"), "{e}");
        let e = GridSignals::load(
            &GridConfig {
                price: SignalSource::Csv {
                    path: "missing.csv".into(),
                },
                ..GridConfig::default()
            },
            Path::new("/nonexistent"),
            &RngStreams::new(1),
        )
        .expect_err("must fail");
        assert!(e.to_string().contains("missing.csv"), "{e}");
    }

    #[test]
    fn time_of_use_is_daily_periodic() {
        let src = SignalSource::TimeOfUse {
            periods: vec![
                TouPeriod {
                    start_hour: 8.0,
                    value: 0.3,
                },
                TouPeriod {
                    start_hour: 22.0,
                    value: 0.1,
                },
            ],
        };
        let s = src.load(Path::new(".")).expect("valid");
        assert_eq!(s.value_at(h(3)), 0.1);
        assert_eq!(s.value_at(h(9)), 0.3);
        assert_eq!(s.value_at(h(24 * 40 + 23)), 0.1);
        assert_eq!(s.value_at(h(24 * 40 + 12)), 0.3);
    }

    #[test]
    fn forecast_noise_is_seeded_and_perfect_when_zero() {
        let cfg = GridConfig {
            price: SignalSource::TimeOfUse {
                periods: (0..24)
                    .map(|i| TouPeriod {
                        start_hour: f64::from(i),
                        value: 0.1 + 0.01 * f64::from(i),
                    })
                    .collect(),
            },
            forecast: ForecastConfig {
                noise_fraction: 0.1,
            },
            ..GridConfig::default()
        };
        let a = GridSignals::load(&cfg, Path::new("."), &RngStreams::new(7)).expect("ok");
        let b = GridSignals::load(&cfg, Path::new("."), &RngStreams::new(7)).expect("ok");
        let c = GridSignals::load(&cfg, Path::new("."), &RngStreams::new(8)).expect("ok");
        assert_eq!(a.price_forecast, b.price_forecast);
        assert_ne!(a.price_forecast, c.price_forecast);
        assert_ne!(a.price_forecast, a.price);
        let perfect = GridSignals::load(
            &GridConfig {
                forecast: ForecastConfig::default(),
                ..cfg
            },
            Path::new("."),
            &RngStreams::new(7),
        )
        .expect("ok");
        assert_eq!(perfect.price_forecast, perfect.price);
    }

    #[test]
    fn months_follow_a_non_leap_calendar() {
        assert_eq!(month_index(SimTime::ZERO), 0);
        assert_eq!(month_index(h(24 * 31 - 1)), 0);
        assert_eq!(month_index(h(24 * 31)), 1);
        assert_eq!(month_index(h(24 * 334)), 11);
        assert_eq!(month_index(h(24 * 365)), 12);
    }

    #[test]
    fn validation_reports_all_problems() {
        let cfg = GridConfig {
            carbon: SignalSource::Constant { value: -1.0 },
            demand_interval_min: 7,
            green_ppa_fraction: 1.5,
            price: SignalSource::TimeOfUse {
                periods: vec![TouPeriod {
                    start_hour: 25.0,
                    value: 0.1,
                }],
            },
            ..GridConfig::default()
        };
        let paths: Vec<String> = cfg.validate().into_iter().map(|i| i.path).collect();
        assert_eq!(
            paths,
            vec![
                "price.periods[0].start_hour",
                "carbon.value",
                "demand_interval_min",
                "green_ppa_fraction"
            ]
        );
    }
}
