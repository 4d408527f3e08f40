//! Reader for EnergyPlus Weather (EPW) files.
//!
//! Format per the EnergyPlus "Auxiliary Programs" documentation, section "Weather Converter
//! Program / EnergyPlus Weather File (EPW) Data Dictionary":
//! - 8 header lines: `LOCATION`, `DESIGN CONDITIONS`, `TYPICAL/EXTREME PERIODS`,
//!   `GROUND TEMPERATURES`, `HOLIDAYS/DAYLIGHT SAVINGS`, `COMMENTS 1`, `COMMENTS 2`,
//!   `DATA PERIODS`. Only `LOCATION` (N1 latitude deg N+, N2 longitude deg E+, N3 time zone h,
//!   N4 elevation m) and the records-per-hour field of `DATA PERIODS` are used.
//! - Data lines, comma separated, 0-based fields: 0 year, 1 month, 2 day, 3 hour (1..24, the
//!   hour *ending* at that time), 4 minute, 5 source flags, 6 dry bulb C, 7 dew point C,
//!   8 relative humidity %, 9 station pressure Pa, 13 global horizontal radiation Wh/m2,
//!   14 direct normal radiation Wh/m2, 15 diffuse horizontal radiation Wh/m2, 21 wind speed m/s.
//! - Missing-value markers: dry bulb and dew point >= 99.9, RH 999, pressure 999999,
//!   radiation >= 9999, wind speed 999.
//!
//! Conventions of this reader:
//! - Only hourly files (1 record per hour). Files shorter than a year are accepted (e.g. a
//!   design week); the table then repeats after its last record. A full-year file (8760 or, for
//!   a leap year, 8784 records) wraps the same way.
//! - Record `k` (hour `k + 1`) describes the instant `t = k + 1` h; so the table is rotated by
//!   one: `t = 0` takes the last record (for a year: 31 December 24:00 = 1 January 00:00).
//!   The hour-integrated radiation is thus placed at the end of its hour (up to 30 min late).
//! - Missing values are filled by linear interpolation between the nearest valid records of
//!   the same field (held constant at the ends). Humidity comes from the dew point when valid,
//!   else from RH. A missing pressure column falls back to the standard atmosphere at the
//!   station elevation; missing radiation or wind columns become 0. A file with no valid dry
//!   bulb or no valid humidity at all is an error.
//! - The sun position is computed from each record's own month, day and hour.

use std::path::Path;

use crate::solar::SunPosition;
use crate::{psychro, Location, WeatherError, WeatherSample};

/// Number of header lines before the data.
const HEADER_LINES: usize = 8;
/// Cumulative days before each month (non-leap).
const DAYS_BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// A parsed EPW file.
#[derive(Debug, Clone)]
pub struct EpwFile {
    /// City name from the LOCATION line.
    pub city: String,
    /// Station location from the LOCATION line.
    pub location: Location,
    /// Hourly samples, sample `j` at `t = j` h (rotated by one record, see the module docs).
    pub samples: Vec<WeatherSample>,
}

/// Read and parse the EPW file at `path`.
pub fn read_epw(path: &Path) -> Result<EpwFile, WeatherError> {
    let text = std::fs::read_to_string(path).map_err(|source| WeatherError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_epw(&text, path)
}

fn parse_err(path: &Path, line: usize, message: impl Into<String>) -> WeatherError {
    WeatherError::Parse {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

fn field_f64(
    fields: &[&str],
    i: usize,
    name: &str,
    path: &Path,
    line: usize,
) -> Result<f64, WeatherError> {
    let s = fields.get(i).map(|s| s.trim()).ok_or_else(|| {
        parse_err(
            path,
            line,
            format!(
                "missing field {} ({name}): the line has only {} fields",
                i + 1,
                fields.len()
            ),
        )
    })?;
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(parse_err(
            path,
            line,
            format!("field {} ({name}) is \"{s}\": expected a number", i + 1),
        )),
    }
}

/// One raw data record; `None` marks a missing value.
struct RawRecord {
    month: u32,
    day: u32,
    hour: u32,
    dry_bulb_c: Option<f64>,
    dew_point_c: Option<f64>,
    rh_percent: Option<f64>,
    pressure_pa: Option<f64>,
    ghi: Option<f64>,
    dni: Option<f64>,
    dhi: Option<f64>,
    wind_m_s: Option<f64>,
}

/// Fill `None`s by linear interpolation between the nearest valid neighbours (constant at the
/// ends). Returns `None` if no value is valid.
fn fill_gaps(values: &[Option<f64>]) -> Option<Vec<f64>> {
    let valid: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_some()).collect();
    let first = *valid.first()?;
    let last = *valid.last()?;
    let mut out = vec![0.0; values.len()];
    let mut prev = first;
    for i in 0..values.len() {
        out[i] = match values[i] {
            Some(v) => {
                prev = i;
                v
            }
            None if i < first => values[first].unwrap_or(0.0),
            None if i > last => values[last].unwrap_or(0.0),
            None => {
                let next = valid.iter().copied().find(|&k| k > i).unwrap_or(last);
                let (a, b) = (values[prev].unwrap_or(0.0), values[next].unwrap_or(0.0));
                a + (b - a) * (i - prev) as f64 / (next - prev) as f64
            }
        };
    }
    Some(out)
}

/// Parse EPW text; `path` is used in error messages only.
pub fn parse_epw(text: &str, path: &Path) -> Result<EpwFile, WeatherError> {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= HEADER_LINES {
        return Err(parse_err(
            path,
            lines.len(),
            format!(
                "file has {} lines: expected {HEADER_LINES} header lines followed by hourly data",
                lines.len()
            ),
        ));
    }
    // LOCATION,City,State,Country,Source,WMO,Lat,Lon,TZ,Elev
    let loc: Vec<&str> = lines[0].split(',').collect();
    if !loc[0].trim().eq_ignore_ascii_case("LOCATION") {
        return Err(parse_err(
            path,
            1,
            format!(
                "first line starts with \"{}\": expected LOCATION",
                loc[0].trim()
            ),
        ));
    }
    let location = Location {
        latitude_deg: field_f64(&loc, 6, "latitude", path, 1)?,
        longitude_deg: field_f64(&loc, 7, "longitude", path, 1)?,
        timezone_h: field_f64(&loc, 8, "time zone", path, 1)?,
        elevation_m: field_f64(&loc, 9, "elevation", path, 1)?,
    };
    if !(-90.0..=90.0).contains(&location.latitude_deg)
        || !(-180.0..=180.0).contains(&location.longitude_deg)
        || !(-12.0..=14.0).contains(&location.timezone_h)
    {
        return Err(parse_err(
            path,
            1,
            format!(
                "location lat {} lon {} tz {} out of range: expected -90..90, -180..180, -12..14",
                location.latitude_deg, location.longitude_deg, location.timezone_h
            ),
        ));
    }
    let city = loc.get(1).map(|s| s.trim().to_owned()).unwrap_or_default();
    // DATA PERIODS,N,records per hour,...
    let dp: Vec<&str> = lines[HEADER_LINES - 1].split(',').collect();
    if !dp[0].trim().eq_ignore_ascii_case("DATA PERIODS") {
        return Err(parse_err(
            path,
            HEADER_LINES,
            format!(
                "line starts with \"{}\": expected DATA PERIODS",
                dp[0].trim()
            ),
        ));
    }
    let per_hour = field_f64(&dp, 2, "records per hour", path, HEADER_LINES)?;
    if per_hour != 1.0 {
        return Err(parse_err(
            path,
            HEADER_LINES,
            format!("{per_hour} records per hour: only hourly EPW files (1) are supported"),
        ));
    }

    let mut raw = Vec::new();
    for (idx, l) in lines.iter().enumerate().skip(HEADER_LINES) {
        let line = idx + 1;
        if l.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = l.split(',').collect();
        if f.len() < 22 {
            return Err(parse_err(
                path,
                line,
                format!(
                    "{} fields: expected at least 22 (35 in a full EPW record)",
                    f.len()
                ),
            ));
        }
        let month = field_f64(&f, 1, "month", path, line)?;
        let day = field_f64(&f, 2, "day", path, line)?;
        let hour = field_f64(&f, 3, "hour", path, line)?;
        if !(1.0..=12.0).contains(&month)
            || !(1.0..=31.0).contains(&day)
            || !(1.0..=24.0).contains(&hour)
        {
            return Err(parse_err(
                path,
                line,
                format!("date month {month} day {day} hour {hour}: expected month 1-12, day 1-31, hour 1-24"),
            ));
        }
        let opt = |i: usize,
                   name: &str,
                   missing: &dyn Fn(f64) -> bool|
         -> Result<Option<f64>, WeatherError> {
            let v = field_f64(&f, i, name, path, line)?;
            Ok(if missing(v) { None } else { Some(v) })
        };
        let rec = RawRecord {
            month: month as u32,
            day: day as u32,
            hour: hour as u32,
            dry_bulb_c: opt(6, "dry bulb", &|v| !(-90.0..99.9).contains(&v))?,
            dew_point_c: opt(7, "dew point", &|v| !(-90.0..99.9).contains(&v))?,
            rh_percent: opt(8, "relative humidity", &|v| !(0.0..=110.0).contains(&v))?,
            pressure_pa: opt(9, "pressure", &|v| !(31_000.0..120_000.0).contains(&v))?,
            ghi: opt(13, "global horizontal radiation", &|v| {
                !(0.0..9999.0).contains(&v)
            })?,
            dni: opt(14, "direct normal radiation", &|v| {
                !(0.0..9999.0).contains(&v)
            })?,
            dhi: opt(15, "diffuse horizontal radiation", &|v| {
                !(0.0..9999.0).contains(&v)
            })?,
            wind_m_s: opt(21, "wind speed", &|v| !(0.0..40.0).contains(&v))?,
        };
        raw.push(rec);
    }
    if raw.is_empty() {
        return Err(parse_err(
            path,
            lines.len(),
            "no data records after the 8 header lines",
        ));
    }
    build(raw, location, city, path)
}

fn build(
    raw: Vec<RawRecord>,
    location: Location,
    city: String,
    path: &Path,
) -> Result<EpwFile, WeatherError> {
    let col = |f: &dyn Fn(&RawRecord) -> Option<f64>| raw.iter().map(f).collect::<Vec<_>>();
    let dry_bulb = fill_gaps(&col(&|r| r.dry_bulb_c))
        .ok_or_else(|| parse_err(path, 0, "every dry-bulb value is missing (99.9)"))?;
    let std_p = psychro::pressure_from_elevation_pa(location.elevation_m);
    let pressure = fill_gaps(&col(&|r| r.pressure_pa)).unwrap_or_else(|| vec![std_p; raw.len()]);
    // Humidity ratio per record: from the dew point when valid, else from RH.
    let w_raw: Vec<Option<f64>> = raw
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let p = pressure[k];
            match (r.dew_point_c, r.rh_percent) {
                (Some(td), _) => Some(psychro::humidity_ratio_from_vapour_pressure(
                    psychro::saturation_pressure_pa(td.min(dry_bulb[k])),
                    p,
                )),
                (None, Some(rh)) => {
                    Some(psychro::humidity_ratio_from_rh(dry_bulb[k], rh / 100.0, p))
                }
                (None, None) => None,
            }
        })
        .collect();
    let w = fill_gaps(&w_raw).ok_or_else(|| {
        parse_err(
            path,
            0,
            "every dew-point (99.9) and relative-humidity (999) value is missing",
        )
    })?;
    let zeros = || vec![0.0; raw.len()];
    let ghi = fill_gaps(&col(&|r| r.ghi)).unwrap_or_else(zeros);
    let dni = fill_gaps(&col(&|r| r.dni)).unwrap_or_else(zeros);
    let dhi = fill_gaps(&col(&|r| r.dhi)).unwrap_or_else(zeros);
    let wind = fill_gaps(&col(&|r| r.wind_m_s)).unwrap_or_else(zeros);

    let n = raw.len();
    let samples = (0..n)
        .map(|j| {
            // Sample j (t = j h) is the record ending at that instant: record j - 1 (wrapping).
            let k = (j + n - 1) % n;
            let r = &raw[k];
            let doy = DAYS_BEFORE_MONTH[(r.month as usize - 1).min(11)] + r.day;
            let sun = SunPosition::at(
                location.latitude_deg,
                location.longitude_deg,
                location.timezone_h,
                f64::from(doy),
                f64::from(r.hour),
            );
            WeatherSample::from_state(
                dry_bulb[k],
                w[k],
                pressure[k],
                ghi[k],
                dni[k],
                dhi[k],
                wind[k],
                &sun,
            )
        })
        .collect();
    Ok(EpwFile {
        city,
        location,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EpwWeatherConfig, Weather, WeatherConfig};
    use sim_core::{RngStreams, SimDuration, SimTime};
    use std::path::PathBuf;

    fn data_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
    }

    fn test_file() -> EpwFile {
        match read_epw(&data_dir().join("shanghai_48h.epw")) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        }
    }

    /// Replace data line `k` (0-based record) of the test file with `f(line)`.
    fn edited(k: usize, f: impl Fn(&str) -> String) -> String {
        let text = std::fs::read_to_string(data_dir().join("shanghai_48h.epw")).unwrap_or_default();
        text.lines()
            .enumerate()
            .map(|(i, l)| {
                if i == HEADER_LINES + k {
                    f(l)
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn set_field(line: &str, i: usize, v: &str) -> String {
        let mut f: Vec<&str> = line.split(',').collect();
        f[i] = v;
        f.join(",")
    }

    #[test]
    fn reads_location_and_records_with_hour_ending_rotation() {
        let f = test_file();
        assert_eq!(f.city, "Shanghai Test");
        assert_eq!(f.location.latitude_deg, 31.20);
        assert_eq!(f.location.longitude_deg, 121.43);
        assert_eq!(f.location.timezone_h, 8.0);
        assert_eq!(f.location.elevation_m, 4.0);
        assert_eq!(f.samples.len(), 48);
        // Record 0 (1 Jan hour 1, 2.4 C) is the state at t = 1 h; t = 0 takes the last record
        // (2 Jan hour 24 = 00:00, 2.9 C) and record 14 (hour 15, the maximum 8.0 C)
        // is at t = 15 h.
        assert!((f.samples[1].dry_bulb_c - 2.4).abs() < 1e-12);
        assert!((f.samples[15].dry_bulb_c - 8.0).abs() < 1e-12);
        assert!((f.samples[0].dry_bulb_c - 2.9).abs() < 1e-12);
        assert!((f.samples[1].pressure_pa - 101_200.0).abs() < 1e-9);
        assert!((f.samples[1].wind_speed_m_s - 3.0).abs() < 1e-12);
        // Dew point 0 C in the file is reproduced (through the humidity ratio).
        assert!(f.samples[1].dew_point_c.abs() < 1e-6);
        // Sun: below the horizon at midnight, up at noon (winter noon zenith ~54 deg at 31 N).
        assert!(f.samples[0].sun_zenith_deg > 90.0);
        assert!((f.samples[12].sun_zenith_deg - 54.2).abs() < 1.5);
    }

    #[test]
    fn missing_values_are_interpolated() {
        let f = test_file();
        let s = &f.samples;
        // Record 13 GHI missing -> mean of records 12 and 14 (samples 13 and 15).
        assert!((s[14].ghi_w_m2 - 0.5 * (s[13].ghi_w_m2 + s[15].ghi_w_m2)).abs() < 1e-9);
        assert!(s[14].ghi_w_m2 > 300.0);
        // Record 30 dry bulb missing -> mean of neighbours.
        assert!((s[31].dry_bulb_c - 0.5 * (s[30].dry_bulb_c + s[32].dry_bulb_c)).abs() < 1e-9);
        // Record 31 wind missing -> mean of neighbours.
        assert!(
            (s[32].wind_speed_m_s - 0.5 * (s[31].wind_speed_m_s + s[33].wind_speed_m_s)).abs()
                < 1e-9
        );
        // Record 10 dew point missing -> from its integer RH (file made with the Magnus
        // formula): dew point within 0.3 K of the true 0 C.
        assert!(s[11].dew_point_c.abs() < 0.3, "{}", s[11].dew_point_c);
    }

    #[test]
    fn errors_name_file_and_line() {
        let p = Path::new("bad.epw");
        let text = edited(3, |l| set_field(l, 6, "abc"));
        let e = parse_epw(&text, p)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("bad.epw:12:") && e.contains("dry bulb") && e.contains("abc"),
            "{e}"
        );
        let text = edited(0, |l| l.split(',').take(10).collect::<Vec<_>>().join(","));
        let e = parse_epw(&text, p)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("bad.epw:9:") && e.contains("10 fields"),
            "{e}"
        );
        let text = edited(5, |l| set_field(l, 1, "13"));
        let e = parse_epw(&text, p)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with("bad.epw:14:") && e.contains("month"), "{e}");
        let text = std::fs::read_to_string(data_dir().join("shanghai_48h.epw"))
            .unwrap_or_default()
            .replace("DATA PERIODS,1,1,", "DATA PERIODS,1,4,");
        let e = parse_epw(&text, p)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with("bad.epw:8:") && e.contains("hourly"), "{e}");
        let e = parse_epw("LOCATION,x\n", p)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("header"), "{e}");
        let e = read_epw(Path::new("/nonexistent/x.epw"))
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("/nonexistent/x.epw")));
    }

    #[test]
    fn all_missing_humidity_is_an_error() {
        let mut text =
            std::fs::read_to_string(data_dir().join("shanghai_48h.epw")).unwrap_or_default();
        for k in 0..48 {
            text = {
                let t = text.clone();
                let lines: Vec<String> = t
                    .lines()
                    .enumerate()
                    .map(|(i, l)| {
                        if i == HEADER_LINES + k {
                            set_field(&set_field(l, 7, "99.9"), 8, "999")
                        } else {
                            l.to_owned()
                        }
                    })
                    .collect();
                lines.join("\n")
            };
        }
        let e = parse_epw(&text, Path::new("h.epw"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("dew-point"), "{e}");
    }

    #[test]
    fn loads_relative_to_base_dir_and_wraps() {
        let cfg = WeatherConfig::Epw(EpwWeatherConfig {
            path: "data/shanghai_48h.epw".into(),
        });
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let w = match Weather::load(&cfg, &base, &RngStreams::new(1)) {
            Ok(w) => w,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(w.hours(), 48);
        let t = SimTime::from_secs(14 * 3600 + 1800);
        let s = w.at(t);
        assert_eq!(s, w.at(t + SimDuration::from_hours(48)));
        // Halfway between 14:00 (record 13, 7.9 C) and 15:00 (8.0 C).
        assert!((s.dry_bulb_c - 7.95).abs() < 1e-9, "{}", s.dry_bulb_c);
        let missing = WeatherConfig::Epw(EpwWeatherConfig {
            path: "nope.epw".into(),
        });
        assert!(matches!(
            Weather::load(&missing, &base, &RngStreams::new(1)),
            Err(crate::WeatherError::Io { .. })
        ));
    }
}
