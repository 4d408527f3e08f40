//! # dctwin-weather — outdoor conditions for the data-center twin
//!
//! Weather for every other model: EnergyPlus weather (EPW) files ([`epw`]), a seeded synthetic
//! hourly year built from monthly climate normals ([`synthetic`], [`climate`]), moist-air
//! psychrometrics ([`psychro`]) and solar geometry ([`solar`]).
//!
//! [`Weather::load`] turns a [`WeatherConfig`] into an hourly table, precomputing every field
//! (wet bulb, dew point, enthalpy, sun position, ...) once, so that [`Weather::at`] is O(1): it
//! interpolates linearly between the two neighbouring hourly records and wraps after the last.
//!
//! ```
//! use dctwin_weather::{Weather, WeatherConfig};
//! use sim_core::{RngStreams, SimTime};
//! let w = Weather::load(&WeatherConfig::default(), std::path::Path::new("."), &RngStreams::new(1))
//!     .expect("default weather loads");
//! let s = w.at(SimTime::from_secs(180 * 86_400 + 15 * 3600));
//! assert!(s.wet_bulb_c <= s.dry_bulb_c);
//! assert_eq!(w.hours(), 8760);
//! ```

pub mod climate;
pub mod epw;
pub mod psychro;
pub mod solar;
pub mod synthetic;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sim_core::validate::{check_range, ConfigIssue, Severity};
use sim_core::{RngStreams, SimTime};

/// Geographic location of the site (or weather station).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Latitude, deg, north positive.
    pub latitude_deg: f64,
    /// Longitude, deg, east positive.
    pub longitude_deg: f64,
    /// Time zone of local standard time, hours east of UTC (e.g. 8 for China, -7 for Phoenix).
    pub timezone_h: f64,
    /// Elevation above sea level, m.
    pub elevation_m: f64,
}

/// Outdoor conditions at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WeatherSample {
    /// Dry-bulb temperature, C.
    pub dry_bulb_c: f64,
    /// Thermodynamic wet-bulb temperature, C.
    pub wet_bulb_c: f64,
    /// Dew-point temperature, C (frost point below 0 C).
    pub dew_point_c: f64,
    /// Relative humidity, fraction 0..1.
    pub relative_humidity: f64,
    /// Humidity ratio, kg water vapour per kg dry air.
    pub humidity_ratio_kg_kg: f64,
    /// Barometric pressure, Pa.
    pub pressure_pa: f64,
    /// Moist-air specific enthalpy, J per kg dry air (0 C dry air / liquid water reference).
    pub enthalpy_j_kg: f64,
    /// Global horizontal irradiance, W/m2.
    pub ghi_w_m2: f64,
    /// Direct normal irradiance, W/m2.
    pub dni_w_m2: f64,
    /// Diffuse horizontal irradiance, W/m2.
    pub dhi_w_m2: f64,
    /// Wind speed at 10 m, m/s.
    pub wind_speed_m_s: f64,
    /// Solar zenith angle, deg (> 90 at night).
    pub sun_zenith_deg: f64,
    /// Solar azimuth, deg clockwise from north.
    pub sun_azimuth_deg: f64,
}

impl WeatherSample {
    /// A consistent sample from the independent state: dry bulb, humidity ratio (clamped so
    /// that relative humidity <= 1), pressure, irradiance, wind and sun angles. Wet bulb, dew
    /// point, relative humidity and enthalpy are derived with [`psychro`].
    #[allow(clippy::too_many_arguments)]
    pub fn from_state(
        dry_bulb_c: f64,
        humidity_ratio_kg_kg: f64,
        pressure_pa: f64,
        ghi_w_m2: f64,
        dni_w_m2: f64,
        dhi_w_m2: f64,
        wind_speed_m_s: f64,
        sun: &solar::SunPosition,
    ) -> WeatherSample {
        let w_sat = psychro::saturation_humidity_ratio(dry_bulb_c, pressure_pa);
        let w = humidity_ratio_kg_kg.clamp(0.0, w_sat);
        let rh = psychro::relative_humidity_from_humidity_ratio(dry_bulb_c, w, pressure_pa);
        let dew = psychro::dew_point_c(w, pressure_pa).min(dry_bulb_c);
        WeatherSample {
            dry_bulb_c,
            wet_bulb_c: psychro::wet_bulb_c(dry_bulb_c, w, pressure_pa),
            dew_point_c: dew,
            relative_humidity: rh.clamp(0.0, 1.0),
            humidity_ratio_kg_kg: w,
            pressure_pa,
            enthalpy_j_kg: psychro::enthalpy_j_kg(dry_bulb_c, w),
            ghi_w_m2: ghi_w_m2.max(0.0),
            dni_w_m2: dni_w_m2.max(0.0),
            dhi_w_m2: dhi_w_m2.max(0.0),
            wind_speed_m_s: wind_speed_m_s.max(0.0),
            sun_zenith_deg: sun.zenith_deg,
            sun_azimuth_deg: sun.azimuth_deg,
        }
    }

    /// Linear interpolation `a + f (b - a)`, azimuth along the shorter arc.
    fn lerp(a: &WeatherSample, b: &WeatherSample, f: f64) -> WeatherSample {
        let l = |x: f64, y: f64| x + f * (y - x);
        let daz = (b.sun_azimuth_deg - a.sun_azimuth_deg + 180.0).rem_euclid(360.0) - 180.0;
        WeatherSample {
            dry_bulb_c: l(a.dry_bulb_c, b.dry_bulb_c),
            wet_bulb_c: l(a.wet_bulb_c, b.wet_bulb_c),
            dew_point_c: l(a.dew_point_c, b.dew_point_c),
            relative_humidity: l(a.relative_humidity, b.relative_humidity),
            humidity_ratio_kg_kg: l(a.humidity_ratio_kg_kg, b.humidity_ratio_kg_kg),
            pressure_pa: l(a.pressure_pa, b.pressure_pa),
            enthalpy_j_kg: l(a.enthalpy_j_kg, b.enthalpy_j_kg),
            ghi_w_m2: l(a.ghi_w_m2, b.ghi_w_m2),
            dni_w_m2: l(a.dni_w_m2, b.dni_w_m2),
            dhi_w_m2: l(a.dhi_w_m2, b.dhi_w_m2),
            wind_speed_m_s: l(a.wind_speed_m_s, b.wind_speed_m_s),
            sun_zenith_deg: l(a.sun_zenith_deg, b.sun_zenith_deg),
            sun_azimuth_deg: (a.sun_azimuth_deg + f * daz).rem_euclid(360.0),
        }
    }
}

/// Errors loading weather.
#[derive(Debug, thiserror::Error)]
pub enum WeatherError {
    /// The configuration has errors (all of them are listed).
    #[error("invalid weather configuration:\n{}", issues.iter().map(|i| format!("  {i}")).collect::<Vec<_>>().join("\n"))]
    Config {
        /// Every error-severity issue found by [`WeatherConfig::validate`].
        issues: Vec<ConfigIssue>,
    },
    /// A weather file could not be read.
    #[error("cannot read weather file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A weather file is malformed.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when the problem concerns the whole file).
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// Synthetic-year settings (`source = "synthetic"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyntheticWeatherConfig {
    /// Climate preset name, one of `shanghai`, `beijing`, `guiyang`, `ulanqab`, `singapore`,
    /// `phoenix` (case-insensitive). Default `"shanghai"`.
    pub climate: String,
}

impl Default for SyntheticWeatherConfig {
    fn default() -> Self {
        SyntheticWeatherConfig {
            climate: "shanghai".to_owned(),
        }
    }
}

/// EPW-file settings (`source = "epw"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct EpwWeatherConfig {
    /// Path of the EnergyPlus weather file, relative to the scenario file's folder (or
    /// absolute). Required; default empty (a validation error).
    pub path: String,
}

/// Constant-weather settings (`source = "constant"`): the same conditions every hour of a
/// 8760-hour year; the sun still moves (zenith and azimuth follow the location).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConstantWeatherConfig {
    /// Dry-bulb temperature, C. Default 25.
    pub dry_bulb_c: f64,
    /// Relative humidity, fraction 0..1. Default 0.5.
    pub relative_humidity: f64,
    /// Global horizontal irradiance, W/m2. Default 0.
    pub ghi_w_m2: f64,
    /// Direct normal irradiance, W/m2. Default 0.
    pub dni_w_m2: f64,
    /// Diffuse horizontal irradiance, W/m2. Default 0.
    pub dhi_w_m2: f64,
    /// Wind speed, m/s. Default 0.
    pub wind_speed_m_s: f64,
    /// Latitude, deg north positive. Default 31.2 (Shanghai).
    pub latitude_deg: f64,
    /// Longitude, deg east positive. Default 121.43 (Shanghai).
    pub longitude_deg: f64,
    /// Time zone, hours east of UTC. Default 8.
    pub timezone_h: f64,
    /// Elevation, m; sets the barometric pressure by the standard atmosphere. Default 0.
    pub elevation_m: f64,
}

impl Default for ConstantWeatherConfig {
    fn default() -> Self {
        ConstantWeatherConfig {
            dry_bulb_c: 25.0,
            relative_humidity: 0.5,
            ghi_w_m2: 0.0,
            dni_w_m2: 0.0,
            dhi_w_m2: 0.0,
            wind_speed_m_s: 0.0,
            latitude_deg: 31.2,
            longitude_deg: 121.43,
            timezone_h: 8.0,
            elevation_m: 0.0,
        }
    }
}

/// Where the weather comes from, selected by the `source` key. Default: a synthetic Shanghai
/// year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum WeatherConfig {
    /// Seeded synthetic year from a climate preset.
    Synthetic(SyntheticWeatherConfig),
    /// An EnergyPlus weather file.
    Epw(EpwWeatherConfig),
    /// Constant conditions.
    Constant(ConstantWeatherConfig),
}

impl Default for WeatherConfig {
    fn default() -> Self {
        WeatherConfig::Synthetic(SyntheticWeatherConfig::default())
    }
}

impl WeatherConfig {
    /// Every problem with this configuration (errors and warnings), with key paths relative to
    /// the weather section. File existence is checked by [`Weather::load`], not here.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        match self {
            WeatherConfig::Synthetic(c) => {
                if climate::preset(&c.climate).is_none() {
                    v.push(ConfigIssue::error(
                        "climate",
                        format!(
                            "unknown climate preset \"{}\": expected one of {}",
                            c.climate,
                            climate::PRESET_NAMES.join(", ")
                        ),
                    ));
                }
            }
            WeatherConfig::Epw(c) => {
                if c.path.trim().is_empty() {
                    v.push(ConfigIssue::error(
                        "path",
                        "no EPW file given: expected a path relative to the scenario file",
                    ));
                }
            }
            WeatherConfig::Constant(c) => {
                check_range(&mut v, "dry_bulb_c", c.dry_bulb_c, -90.0, 70.0, "C");
                check_range(
                    &mut v,
                    "relative_humidity",
                    c.relative_humidity,
                    0.0,
                    1.0,
                    "(fraction)",
                );
                for (key, val) in [
                    ("ghi_w_m2", c.ghi_w_m2),
                    ("dni_w_m2", c.dni_w_m2),
                    ("dhi_w_m2", c.dhi_w_m2),
                ] {
                    check_range(&mut v, key, val, 0.0, 1500.0, "W/m2");
                }
                check_range(
                    &mut v,
                    "wind_speed_m_s",
                    c.wind_speed_m_s,
                    0.0,
                    100.0,
                    "m/s",
                );
                check_range(&mut v, "latitude_deg", c.latitude_deg, -90.0, 90.0, "deg");
                check_range(
                    &mut v,
                    "longitude_deg",
                    c.longitude_deg,
                    -180.0,
                    180.0,
                    "deg",
                );
                check_range(&mut v, "timezone_h", c.timezone_h, -12.0, 14.0, "h");
                check_range(&mut v, "elevation_m", c.elevation_m, -500.0, 9000.0, "m");
                if c.dhi_w_m2 > c.ghi_w_m2 {
                    v.push(ConfigIssue::warning(
                        "dhi_w_m2",
                        format!(
                            "diffuse {} W/m2 exceeds global {} W/m2: expected dhi_w_m2 <= ghi_w_m2",
                            c.dhi_w_m2, c.ghi_w_m2
                        ),
                    ));
                }
                if c.dry_bulb_c.is_finite() && !(-50.0..=55.0).contains(&c.dry_bulb_c) {
                    v.push(ConfigIssue::warning(
                        "dry_bulb_c",
                        format!(
                            "{} C is outside observed outdoor extremes (-50..55 C)",
                            c.dry_bulb_c
                        ),
                    ));
                }
            }
        }
        v
    }
}

/// Hourly outdoor conditions of a run, precomputed at load time.
#[derive(Debug, Clone)]
pub struct Weather {
    location: Location,
    /// Sample `j` holds the conditions at `t = j` hours.
    samples: Vec<WeatherSample>,
}

/// Microseconds per hour.
const MICROS_PER_HOUR: u64 = 3_600_000_000;

impl Weather {
    /// Build the weather of a run. `base_dir` is the scenario file's folder (EPW paths are
    /// relative to it); `streams` provides the `"weather"` random stream of the synthetic year.
    /// Errors: configuration errors (all listed), unreadable or malformed EPW files.
    pub fn load(
        cfg: &WeatherConfig,
        base_dir: &Path,
        streams: &RngStreams,
    ) -> Result<Weather, WeatherError> {
        let issues: Vec<ConfigIssue> = cfg
            .validate()
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .collect();
        if !issues.is_empty() {
            return Err(WeatherError::Config { issues });
        }
        match cfg {
            WeatherConfig::Synthetic(c) => {
                let normals = climate::preset(&c.climate).ok_or_else(|| WeatherError::Config {
                    issues: vec![ConfigIssue::error("climate", "unknown climate preset")],
                })?;
                let mut rng = streams.stream("weather");
                Ok(Weather {
                    location: normals.location,
                    samples: synthetic::synthetic_year(&normals, &mut rng),
                })
            }
            WeatherConfig::Epw(c) => {
                let path = base_dir.join(&c.path);
                let f = epw::read_epw(&path)?;
                Ok(Weather {
                    location: f.location,
                    samples: f.samples,
                })
            }
            WeatherConfig::Constant(c) => Ok(Weather::constant(c)),
        }
    }

    /// Weather with hourly `samples` (sample `j` at `t = j` h) at `location`. Returns `None`
    /// for an empty table.
    pub fn from_samples(location: Location, samples: Vec<WeatherSample>) -> Option<Weather> {
        if samples.is_empty() {
            None
        } else {
            Some(Weather { location, samples })
        }
    }

    fn constant(c: &ConstantWeatherConfig) -> Weather {
        let location = Location {
            latitude_deg: c.latitude_deg,
            longitude_deg: c.longitude_deg,
            timezone_h: c.timezone_h,
            elevation_m: c.elevation_m,
        };
        let p = psychro::pressure_from_elevation_pa(c.elevation_m);
        let w = psychro::humidity_ratio_from_rh(c.dry_bulb_c, c.relative_humidity, p);
        let mut base = WeatherSample::from_state(
            c.dry_bulb_c,
            w,
            p,
            c.ghi_w_m2,
            c.dni_w_m2,
            c.dhi_w_m2,
            c.wind_speed_m_s,
            &solar::SunPosition::at(c.latitude_deg, c.longitude_deg, c.timezone_h, 1.0, 0.0),
        );
        let samples = (0..synthetic::HOURS_PER_YEAR)
            .map(|j| {
                let sun = synthetic::sun_at_hour(&location, j);
                base.sun_zenith_deg = sun.zenith_deg;
                base.sun_azimuth_deg = sun.azimuth_deg;
                base
            })
            .collect();
        Weather { location, samples }
    }

    /// Conditions at `t` (t = 0 is the start of the first record: 1 January 00:00 local
    /// standard time for synthetic, constant and whole-year EPW weather), linearly interpolated
    /// between hourly records and wrapping after the last one. O(1).
    pub fn at(&self, t: SimTime) -> WeatherSample {
        let n = self.samples.len() as u64;
        let micros = t.as_micros();
        let hour = micros / MICROS_PER_HOUR;
        let frac = (micros % MICROS_PER_HOUR) as f64 / MICROS_PER_HOUR as f64;
        let i = (hour % n) as usize;
        let j = ((hour + 1) % n) as usize;
        let a = &self.samples[i];
        if frac == 0.0 {
            return *a;
        }
        WeatherSample::lerp(a, &self.samples[j], frac)
    }

    /// The site location.
    pub fn location(&self) -> Location {
        self.location
    }

    /// Number of hourly records (8760 for a synthetic or constant year, the record count of an
    /// EPW file); the weather repeats after this many hours.
    pub fn hours(&self) -> usize {
        self.samples.len()
    }

    /// The hourly records (record `j` holds the conditions at `t = j` h).
    pub fn samples(&self) -> &[WeatherSample] {
        &self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::SimDuration;

    #[derive(Deserialize)]
    struct Scenario {
        weather: WeatherConfig,
    }

    fn parse(s: &str) -> Result<WeatherConfig, toml::de::Error> {
        toml::from_str::<Scenario>(s).map(|x| x.weather)
    }

    #[test]
    fn toml_forms_parse_and_unknown_keys_are_rejected() {
        let c = parse("[weather]\nsource = \"synthetic\"\nclimate = \"ulanqab\"\n");
        assert!(matches!(c, Ok(WeatherConfig::Synthetic(ref s)) if s.climate == "ulanqab"));
        let c = parse("[weather]\nsource = \"epw\"\npath = \"x.epw\"\n");
        assert!(matches!(c, Ok(WeatherConfig::Epw(ref s)) if s.path == "x.epw"));
        let c = parse("[weather]\nsource = \"constant\"\ndry_bulb_c = 30.0\n");
        match c {
            Ok(WeatherConfig::Constant(k)) => {
                assert_eq!(k.dry_bulb_c, 30.0);
                assert_eq!(k.relative_humidity, 0.5);
            }
            other => panic!("{other:?}"),
        }
        assert!(parse("[weather]\nsource = \"synthetic\"\nclimat = \"x\"\n").is_err());
        assert!(parse("[weather]\nsource = \"satellite\"\n").is_err());
        // Round trip of the default.
        let s = toml::to_string(&WeatherConfig::default()).unwrap_or_default();
        assert!(s.contains("source = \"synthetic\""), "{s}");
    }

    #[test]
    fn validation_lists_all_problems() {
        let bad = WeatherConfig::Synthetic(SyntheticWeatherConfig {
            climate: "atlantis".into(),
        });
        let v = bad.validate();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].path, "climate");
        assert!(v[0].message.contains("shanghai") && v[0].message.contains("phoenix"));
        let bad = WeatherConfig::Constant(ConstantWeatherConfig {
            relative_humidity: 1.5,
            wind_speed_m_s: -1.0,
            latitude_deg: 95.0,
            ..Default::default()
        });
        let paths: Vec<_> = bad.validate().into_iter().map(|i| i.path).collect();
        assert_eq!(
            paths,
            vec!["relative_humidity", "wind_speed_m_s", "latitude_deg"]
        );
        assert!(WeatherConfig::default().validate().is_empty());
        assert_eq!(
            WeatherConfig::Epw(EpwWeatherConfig::default()).validate()[0].path,
            "path"
        );
        let err = Weather::load(&bad, Path::new("."), &RngStreams::new(1));
        assert!(matches!(err, Err(WeatherError::Config { ref issues }) if issues.len() == 3));
    }

    #[test]
    fn constant_weather_interpolates_and_wraps() {
        let cfg = WeatherConfig::Constant(ConstantWeatherConfig {
            dry_bulb_c: 35.0,
            relative_humidity: 0.4,
            ..Default::default()
        });
        let w = Weather::load(&cfg, Path::new("."), &RngStreams::new(1)).expect("loads");
        assert_eq!(w.hours(), 8760);
        let s = w.at(SimTime::from_secs(1800));
        assert!((s.dry_bulb_c - 35.0).abs() < 1e-12);
        assert!((s.wet_bulb_c - 23.9).abs() < 0.2);
        assert!((s.relative_humidity - 0.4).abs() < 1e-9);
        // Wraps after a year.
        let year = SimDuration::from_hours(8760);
        let t = SimTime::from_secs(12 * 3600 + 600);
        assert_eq!(w.at(t), w.at(t + year));
        // Sun moves: night and day.
        assert!(w.at(SimTime::ZERO).sun_zenith_deg > 90.0);
        assert!(w.at(SimTime::from_secs(12 * 3600)).sun_zenith_deg < 60.0);
    }

    #[test]
    fn interpolation_is_linear_between_records() {
        let sun = solar::SunPosition::at(0.0, 0.0, 0.0, 1.0, 0.0);
        let a = WeatherSample::from_state(10.0, 0.005, 101_325.0, 0.0, 0.0, 0.0, 1.0, &sun);
        let mut b =
            WeatherSample::from_state(20.0, 0.008, 101_325.0, 500.0, 300.0, 200.0, 3.0, &sun);
        b.sun_azimuth_deg = 10.0;
        let mut a2 = a;
        a2.sun_azimuth_deg = 350.0;
        let loc = Location {
            latitude_deg: 0.0,
            longitude_deg: 0.0,
            timezone_h: 0.0,
            elevation_m: 0.0,
        };
        let w = Weather::from_samples(loc, vec![a2, b]).expect("non-empty");
        let m = w.at(SimTime::from_secs(900));
        assert!((m.dry_bulb_c - 12.5).abs() < 1e-12);
        assert!((m.ghi_w_m2 - 125.0).abs() < 1e-9);
        assert!(
            (m.sun_azimuth_deg - 355.0).abs() < 1e-9,
            "{}",
            m.sun_azimuth_deg
        );
        // Between the last and (wrapped) first record.
        let m = w.at(SimTime::from_secs(3600 + 1800));
        assert!((m.dry_bulb_c - 15.0).abs() < 1e-12);
        assert!(m.sun_azimuth_deg.abs() < 1e-9 || (m.sun_azimuth_deg - 360.0).abs() < 1e-9);
        assert!(Weather::from_samples(loc, Vec::new()).is_none());
    }
}
