//! Monthly climate normals shipped as presets for the synthetic weather generator.
//!
//! Each preset holds twelve monthly values (January first) of mean dry bulb, mean daily range
//! (mean daily maximum minus mean daily minimum), mean relative humidity, mean daily global
//! horizontal irradiation and mean wind speed, plus the station location. Values are rounded
//! transcriptions of the cited normals (temperatures to 0.1 K, humidity to 1 %, irradiation to
//! 0.1 kWh/m2/day); they are good enough to size cooling and PV, not a substitute for a station
//! record (use an EPW file for that).
//!
//! Verification (issue 4): every preset except Phoenix was typed from memory. Each station's doc
//! now says, per quantity, what published figures it was checked against and what could not be
//! verified; the tests compare the presets with those figures, with tolerances that allow for a
//! different normals period (a later period is up to a few tenths of a kelvin warmer). The CMA
//! 1991-2020 station tables and NASA POWER could not be retrieved for this check, so the
//! irradiation series of the five Asian presets and the wind series of the four Chinese ones
//! remain **unverified**, as does everything for Ulanqab. Only shapes and a few points are
//! checked there: Singapore's wind against the Meteorological Service Singapore's long-term
//! monthly means (about 3 m/s in January and February, at most about 2.5 m/s otherwise),
//! Beijing's seasonal wind order against a regional study, and Shanghai's June dip of
//! irradiation against a 1961-2000 station analysis.

use crate::Location;

/// Monthly climate normals of one site.
#[derive(Debug, Clone, PartialEq)]
pub struct ClimateNormals {
    /// Preset name (lower case).
    pub name: &'static str,
    /// Station location (latitude/longitude deg, time zone h east of UTC, elevation m).
    pub location: Location,
    /// Monthly mean dry-bulb temperature, C.
    pub mean_dry_bulb_c: [f64; 12],
    /// Monthly mean daily temperature range (daily max minus daily min), K.
    pub mean_daily_range_k: [f64; 12],
    /// Monthly mean relative humidity, fraction 0..1.
    pub mean_relative_humidity: [f64; 12],
    /// Monthly mean daily global horizontal irradiation, kWh/m2/day.
    pub mean_daily_ghi_kwh_m2: [f64; 12],
    /// Monthly mean wind speed at 10 m, m/s.
    pub mean_wind_speed_m_s: [f64; 12],
    /// Standard deviation of the day-to-day anomaly of the daily mean temperature, K. Not a
    /// published normal: an estimate of typical synoptic variability (about 1 K in the
    /// tropics, 2-3.5 K at continental mid-latitudes) used by the synthetic generator.
    pub daily_temp_anomaly_sd_k: f64,
}

/// Names of all presets, in the order [`preset`] knows them.
pub const PRESET_NAMES: [&str; 6] = [
    "shanghai",
    "beijing",
    "guiyang",
    "ulanqab",
    "singapore",
    "phoenix",
];

/// The preset called `name` (case-insensitive), or `None` if unknown (see [`PRESET_NAMES`]).
pub fn preset(name: &str) -> Option<ClimateNormals> {
    match name.to_ascii_lowercase().as_str() {
        "shanghai" => Some(shanghai()),
        "beijing" => Some(beijing()),
        "guiyang" => Some(guiyang()),
        "ulanqab" => Some(ulanqab()),
        "singapore" => Some(singapore()),
        "phoenix" => Some(phoenix()),
        _ => None,
    }
}

/// Shanghai (Xujiahui, WMO 58367, 31.20 N 121.43 E, 4 m, UTC+8).
/// Intended source: China Meteorological Administration 1991-2020 station normals (temperature,
/// daily range, humidity) and NASA POWER monthly climatology (irradiation, wind).
/// Checked against:
/// - mean dry bulb: the monthly mean of the average daily maximum and minimum of the Shanghai
///   normals on travelguide-en.org "Shanghai climate" (period not stated; annual 14.1 / 20.6 C):
///   every month within 0.3 K, annual mean 17.3 C;
/// - daily range: the CMA 1971-2000 climate chart (whole degrees, Wikipedia "Geography of
///   Shanghai" as mirrored by liquisearch.com): every month within 1 K; the travelguide-en.org
///   table gives ranges about 0.7 K smaller;
/// - relative humidity: **not verified** against CMA; two secondary tables of unstated period
///   (cool-world.net, klimatabelle.de) give 2-5 % higher values (annual about 76 %);
/// - irradiation: values **not verified**; only the seasonal shape is checked: Zhang, Qin &
///   Chen (2004), "Analysis of 40 year records of solar radiation data in Shanghai, Nanjing and
///   Hangzhou in Eastern China", Theor. Appl. Climatol. (1961-2000 station records; abstract
///   read at sparrho.com), find global radiation relatively low in June because of the Meiyu
///   rains; the preset's June (4.4 kWh/m2/day) lies below both May (5.0) and July (5.3);
/// - wind: **not verified**.
pub fn shanghai() -> ClimateNormals {
    ClimateNormals {
        name: "shanghai",
        location: Location {
            latitude_deg: 31.20,
            longitude_deg: 121.43,
            timezone_h: 8.0,
            elevation_m: 4.0,
        },
        mean_dry_bulb_c: [
            4.8, 6.8, 10.5, 15.8, 21.0, 24.6, 28.9, 28.6, 25.0, 19.9, 14.1, 7.6,
        ],
        mean_daily_range_k: [6.8, 7.0, 7.6, 8.0, 7.8, 6.6, 7.0, 6.9, 6.8, 7.4, 7.5, 7.2],
        mean_relative_humidity: [
            0.73, 0.73, 0.72, 0.71, 0.71, 0.79, 0.77, 0.77, 0.75, 0.71, 0.72, 0.70,
        ],
        mean_daily_ghi_kwh_m2: [2.6, 3.1, 3.7, 4.6, 5.0, 4.4, 5.3, 5.0, 4.2, 3.6, 2.8, 2.5],
        mean_wind_speed_m_s: [3.0, 3.2, 3.4, 3.3, 3.1, 3.0, 3.4, 3.4, 3.2, 2.9, 2.9, 2.9],
        daily_temp_anomaly_sd_k: 2.2,
    }
}

/// Beijing (WMO 54511, 39.93 N 116.28 E, 55 m, UTC+8).
/// Intended source: CMA 1991-2020 station normals and NASA POWER, as for Shanghai.
/// Checked against:
/// - mean dry bulb: January -2.9 C and July 26.9 C, the monthly daily means of the CMA normals
///   as quoted from Wikipedia "Beijing" (nomadpub.com "Beijing Weather"); July corrected from
///   26.6 C. The CMA 1971-2000 table (Wikipedia "Geography of Beijing", liquisearch.com:
///   annual mean high 17.9 C, low 7.2 C) gives an annual mean 0.5 K below this preset, as
///   expected from the older period;
/// - daily range: CMA 1971-2000 January 10.2 K (1.8 / -8.4 C), within 1 K;
/// - relative humidity: checked only against the extremes of the monthly means quoted by
///   weather-atlas.com/en/china/beijing-climate (period not stated; its monthly mean daily
///   maximum and minimum are those of the CMA 1971-2000 table): lowest 44 % in winter,
///   highest 77 % in August. The preset (lowest 42-43 % from January to April, highest 74 % in
///   August) is 1-3 % drier, as expected of a later, automated-observation period (the
///   ChinaRHv1.0 homogenisation, Li et al. 2020, Adv. Atmos. Sci., doi 10.1007/s00376-020-9180-0,
///   finds the manual records before the early-2000s automation biased moist at most biased
///   stations); kept. The other months are **not verified**;
/// - wind: **not verified** as station normals; only the seasonal order is checked against the
///   regional figures of "Spatiotemporal Variability of Surface Wind Speed during 1961-2017 in
///   the Jing-Jin-Ji Region, China" (J. Meteor. Res., doi 10.1007/s13351-020-9119-5; abstract
///   read at jmr.cmsjournal.net; mean of 26 stations, not this one): spring windiest
///   (2.98 m/s), then winter, summer and autumn. The preset has spring 3.1 m/s and winter
///   2.7 m/s, but autumn (2.3 m/s) 0.1 m/s above summer (2.2 m/s), a difference well inside
///   the 0.5 m/s a station-versus-region comparison allows; kept;
/// - irradiation: **not verified**.
pub fn beijing() -> ClimateNormals {
    ClimateNormals {
        name: "beijing",
        location: Location {
            latitude_deg: 39.93,
            longitude_deg: 116.28,
            timezone_h: 8.0,
            elevation_m: 55.0,
        },
        mean_dry_bulb_c: [
            -2.9, 0.4, 7.0, 14.5, 20.4, 24.6, 26.9, 25.5, 20.8, 13.7, 5.4, -0.9,
        ],
        mean_daily_range_k: [
            11.0, 11.5, 12.0, 13.0, 12.5, 11.0, 8.5, 8.5, 10.0, 11.0, 11.0, 10.5,
        ],
        mean_relative_humidity: [
            0.43, 0.43, 0.42, 0.43, 0.49, 0.60, 0.72, 0.74, 0.66, 0.59, 0.54, 0.46,
        ],
        mean_daily_ghi_kwh_m2: [2.5, 3.3, 4.4, 5.4, 6.0, 5.8, 5.0, 4.8, 4.4, 3.5, 2.6, 2.2],
        mean_wind_speed_m_s: [2.6, 2.8, 3.1, 3.3, 2.9, 2.5, 2.2, 2.0, 2.1, 2.3, 2.6, 2.6],
        daily_temp_anomaly_sd_k: 3.0,
    }
}

/// Guiyang (WMO 57816, 26.58 N 106.72 E, 1224 m, UTC+8).
/// Intended source: CMA 1991-2020 station normals and NASA POWER, as for Shanghai.
/// Checked against:
/// - mean dry bulb: the Guiyang meteorological figures quoted by the city's travel pages
///   (chinawuxiaworld.com, onlinechinatours.com; period not stated): annual mean 15.3 C,
///   January 4.6 C, July 24 C. Preset: 15.6 C, 5.0 C, 24.0 C (kept; within 0.4 K);
/// - relative humidity: annual mean 77-78 % (same pages, chinatouradvisors.com); preset 78 %;
///   Guiyang observatory, summers 2014-2023: 80.2 % (english.guiyang.gov.cn, 2024-06-04);
/// - daily range, irradiation: **not verified**;
/// - wind: **not verified** as a normal; the observatory gives a 2.3 m/s summer mean for
///   2014-2023 against 2.0 m/s here.
pub fn guiyang() -> ClimateNormals {
    ClimateNormals {
        name: "guiyang",
        location: Location {
            latitude_deg: 26.58,
            longitude_deg: 106.72,
            timezone_h: 8.0,
            elevation_m: 1224.0,
        },
        mean_dry_bulb_c: [
            5.0, 7.6, 11.6, 16.5, 20.1, 22.3, 24.0, 23.7, 21.1, 16.5, 12.1, 6.9,
        ],
        mean_daily_range_k: [6.0, 7.2, 8.2, 8.6, 8.0, 7.0, 7.6, 7.8, 7.4, 6.4, 6.6, 6.2],
        mean_relative_humidity: [
            0.81, 0.78, 0.76, 0.76, 0.76, 0.81, 0.79, 0.78, 0.77, 0.80, 0.79, 0.78,
        ],
        mean_daily_ghi_kwh_m2: [1.9, 2.4, 3.1, 3.9, 4.2, 3.8, 4.7, 4.6, 3.8, 2.8, 2.4, 1.9],
        mean_wind_speed_m_s: [2.1, 2.2, 2.3, 2.3, 2.1, 2.0, 2.1, 1.9, 1.9, 1.9, 2.0, 2.0],
        daily_temp_anomaly_sd_k: 2.0,
    }
}

/// Ulanqab (Jining, WMO 53480, 41.03 N 113.07 E, 1419 m, UTC+8).
/// Intended source: CMA 1991-2020 station normals and NASA POWER, as for Shanghai.
/// **Not verified**: no published normals for the Jining station could be retrieved for the
/// issue-4 check (mean dry bulb, daily range, humidity, irradiation and wind are all as first
/// typed; annual mean 4.8 C). The tests only check that the series are physical and that the
/// annual mean lies in the 4-5.5 C band expected for the site. Use an EPW file for studies
/// where Ulanqab's climate matters.
pub fn ulanqab() -> ClimateNormals {
    ClimateNormals {
        name: "ulanqab",
        location: Location {
            latitude_deg: 41.03,
            longitude_deg: 113.07,
            timezone_h: 8.0,
            elevation_m: 1419.0,
        },
        mean_dry_bulb_c: [
            -13.0, -9.0, -1.8, 6.5, 13.9, 18.2, 20.3, 18.4, 12.9, 5.6, -3.2, -10.8,
        ],
        mean_daily_range_k: [
            13.0, 13.5, 13.5, 14.0, 14.0, 13.0, 11.5, 11.5, 12.5, 13.5, 13.0, 12.5,
        ],
        mean_relative_humidity: [
            0.55, 0.48, 0.42, 0.36, 0.37, 0.47, 0.60, 0.64, 0.58, 0.53, 0.53, 0.56,
        ],
        mean_daily_ghi_kwh_m2: [2.7, 3.6, 4.9, 6.1, 6.7, 6.6, 6.1, 5.5, 4.8, 3.8, 2.8, 2.3],
        mean_wind_speed_m_s: [3.4, 3.6, 4.0, 4.4, 4.0, 3.4, 2.9, 2.7, 3.0, 3.3, 3.6, 3.5],
        daily_temp_anomaly_sd_k: 3.5,
    }
}

/// Singapore (Changi, WMO 48698, 1.37 N 103.98 E, 15 m, UTC+8).
/// Intended source: Meteorological Service Singapore (MSS) 1991-2020 normals for Changi and
/// NASA POWER. Checked against:
/// - mean dry bulb: MSS "Annual Climate Assessment 2018" (Changi, 1981-2010 averages implied
///   by its anomalies): annual 27.5 C, January 26.5 C, December 26.4 C. The preset (annual
///   27.7 C, January 26.6 C, December 26.5 C) is 0.1-0.2 K warmer, as expected of 1991-2020;
///   kept;
/// - daily range: NEA FAQ "What is the coldest temperature recorded in Singapore?" (2007):
///   mean daily maximum / minimum 29.9 / 23.1 C in December and January (range 6.8 K) and
///   31.5 / 24.3 C in April and May (7.2 K). January and December corrected from 6.4 and
///   6.1 K to 6.8 K, April kept at 7.2 K, May corrected from 6.8 to 7.2 K;
/// - wind: Meteorological Service Singapore, quoted in The Straits Times "More wind usually
///   common in January and February" (copy read at paradigma.id; period not stated): the
///   long-term average monthly surface wind speed at the Changi climate station is about
///   3 m/s in January and February and usually does not exceed 2.5 m/s in other months. The
///   preset (3.1 and 3.0 m/s; other months 1.8-2.7 m/s, June to August 2.6-2.7 m/s) agrees
///   within 0.2 m/s; kept;
/// - relative humidity and irradiation: **not verified**. The only published humidity figures
///   found are the NEA record-low monthly means, 74.5 % in February 2014 and 74.6 % in June
///   2013 (Channel NewsAsia report, March 2014, copy read at themuslimchronicle.com), which
///   every preset month exceeds.
pub fn singapore() -> ClimateNormals {
    ClimateNormals {
        name: "singapore",
        location: Location {
            latitude_deg: 1.37,
            longitude_deg: 103.98,
            timezone_h: 8.0,
            elevation_m: 15.0,
        },
        mean_dry_bulb_c: [
            26.6, 27.2, 27.7, 28.2, 28.6, 28.5, 28.1, 28.0, 27.8, 27.8, 27.0, 26.5,
        ],
        mean_daily_range_k: [6.8, 7.1, 7.3, 7.2, 7.2, 6.4, 6.3, 6.4, 6.5, 6.8, 6.5, 6.8],
        mean_relative_humidity: [
            0.82, 0.79, 0.80, 0.82, 0.81, 0.79, 0.79, 0.79, 0.80, 0.81, 0.85, 0.85,
        ],
        mean_daily_ghi_kwh_m2: [4.3, 5.0, 4.9, 4.7, 4.5, 4.4, 4.5, 4.6, 4.6, 4.5, 4.1, 3.9],
        mean_wind_speed_m_s: [3.1, 3.0, 2.4, 1.8, 2.0, 2.6, 2.7, 2.6, 2.3, 1.9, 1.8, 2.5],
        daily_temp_anomaly_sd_k: 0.8,
    }
}

/// Phoenix (Sky Harbor Airport, WBAN 23183, 33.43 N 112.01 W, 337 m, UTC-7, no daylight
/// saving). Temperature and daily range: NOAA NCEI U.S. Climate Normals 1991-2020 (monthly
/// mean daily maximum and minimum in whole F, converted: mean = (max + min)/2, range =
/// max - min). Humidity: NOAA NCEI Comparative Climatic Data
/// (mean of morning and afternoon RH). Irradiation and wind: NASA POWER monthly climatology.
pub fn phoenix() -> ClimateNormals {
    ClimateNormals {
        name: "phoenix",
        location: Location {
            latitude_deg: 33.43,
            longitude_deg: -112.01,
            timezone_h: -7.0,
            elevation_m: 337.0,
        },
        mean_dry_bulb_c: [
            13.9, 15.6, 19.2, 23.1, 28.1, 33.1, 35.6, 34.7, 31.7, 25.3, 18.6, 13.1,
        ],
        mean_daily_range_k: [
            12.2, 12.2, 12.8, 13.9, 13.9, 13.9, 12.2, 11.7, 12.2, 12.8, 12.8, 11.7,
        ],
        mean_relative_humidity: [
            0.51, 0.44, 0.39, 0.28, 0.21, 0.17, 0.28, 0.33, 0.32, 0.33, 0.41, 0.51,
        ],
        mean_daily_ghi_kwh_m2: [3.3, 4.3, 5.6, 7.0, 7.9, 8.2, 7.4, 6.9, 6.1, 4.9, 3.7, 3.1],
        mean_wind_speed_m_s: [2.4, 2.7, 3.1, 3.3, 3.3, 3.2, 3.4, 3.2, 3.0, 2.7, 2.5, 2.4],
        daily_temp_anomaly_sd_k: 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annual_mean(v: &[f64; 12]) -> f64 {
        v.iter().sum::<f64>() / 12.0
    }

    /// Annual means quoted in the sources: Ulanqab (Jining) 4-5.5 C, Singapore about 27.7 C,
    /// Shanghai about 17.3 C, Beijing about 13 C, Guiyang about 15.6 C, Phoenix about 24.2 C.
    #[test]
    fn annual_means_are_realistic() {
        for (name, lo, hi) in [
            ("ulanqab", 4.0, 5.5),
            ("singapore", 27.2, 28.0),
            ("shanghai", 16.5, 18.0),
            ("beijing", 12.3, 13.8),
            ("guiyang", 15.0, 16.3),
            ("phoenix", 23.5, 25.0),
        ] {
            let c = preset(name).unwrap_or_else(|| panic!("preset {name}"));
            let m = annual_mean(&c.mean_dry_bulb_c);
            assert!((lo..=hi).contains(&m), "{name}: {m}");
        }
    }

    fn check(name: &str, what: &str, got: f64, published: f64, tol: f64) {
        assert!(
            (got - published).abs() <= tol,
            "{name} {what}: preset {got}, published {published} (+-{tol})"
        );
    }

    fn get(name: &str) -> ClimateNormals {
        preset(name).unwrap_or_else(|| panic!("preset {name}"))
    }

    /// Shanghai: travelguide-en.org normals (mean of daily max and min), the CMA 1971-2000
    /// chart for the July range (32 - 25 C, whole degrees) and the June (Meiyu) dip of global
    /// radiation reported by Zhang, Qin & Chen (2004).
    #[test]
    fn shanghai_matches_published_points() {
        let c = get("shanghai");
        check(
            "shanghai",
            "annual mean",
            annual_mean(&c.mean_dry_bulb_c),
            17.35,
            0.3,
        );
        check("shanghai", "January", c.mean_dry_bulb_c[0], 5.1, 0.4);
        check("shanghai", "July", c.mean_dry_bulb_c[6], 29.0, 0.3);
        check("shanghai", "July range", c.mean_daily_range_k[6], 7.0, 1.0);
        // Meiyu dip of global radiation in June (Zhang, Qin & Chen 2004).
        let ghi = &c.mean_daily_ghi_kwh_m2;
        assert!(ghi[5] < ghi[4] && ghi[5] < ghi[6], "June {ghi:?}");
    }

    /// Beijing: CMA daily means as quoted from Wikipedia (January -2.9 C, July 26.9 C), the
    /// CMA 1971-2000 January range (10.2 K), the relative-humidity extremes quoted by
    /// weather-atlas.com (44 % in winter, 77 % in August) and the seasonal order of the
    /// Jing-Jin-Ji regional mean wind speed (spring 2.98 m/s, then winter).
    #[test]
    fn beijing_matches_published_points() {
        let c = get("beijing");
        check("beijing", "January", c.mean_dry_bulb_c[0], -2.9, 0.2);
        check("beijing", "July", c.mean_dry_bulb_c[6], 26.9, 0.2);
        check(
            "beijing",
            "January range",
            c.mean_daily_range_k[0],
            10.2,
            1.0,
        );
        // 1971-2000 annual mean (17.9 + 7.2) / 2 C; a later period is warmer by up to 1 K.
        let annual = annual_mean(&c.mean_dry_bulb_c);
        assert!((12.55..=13.55).contains(&annual), "{annual}");
        // Relative humidity: a few % either way for the period and observing method.
        let rh = &c.mean_relative_humidity;
        let driest = rh.iter().cloned().fold(f64::INFINITY, f64::min);
        check("beijing", "driest-month humidity", driest, 0.44, 0.03);
        check("beijing", "August humidity", rh[7], 0.77, 0.04);
        let wettest = rh.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(wettest, rh[7], "August should be the most humid month");
        for m in [0, 11] {
            check("beijing", "winter humidity", rh[m], 0.44, 0.04);
        }
        // Wind, seasonal order of the Jing-Jin-Ji regional means: spring windiest, then
        // winter; spring within 0.5 m/s of the regional 2.98 m/s.
        let w = &c.mean_wind_speed_m_s;
        let season = |ms: [usize; 3]| ms.iter().map(|&m| w[m]).sum::<f64>() / 3.0;
        let (djf, mam, jja, son) = (
            season([11, 0, 1]),
            season([2, 3, 4]),
            season([5, 6, 7]),
            season([8, 9, 10]),
        );
        assert!(mam > djf && djf > jja.max(son), "{mam} {djf} {jja} {son}");
        check("beijing", "spring wind", mam, 2.98, 0.5);
    }

    /// Guiyang: meteorological figures quoted by the city's travel pages (annual 15.3 C,
    /// January 4.6 C, July 24 C, annual relative humidity 77-78 %).
    #[test]
    fn guiyang_matches_published_points() {
        let c = get("guiyang");
        check(
            "guiyang",
            "annual mean",
            annual_mean(&c.mean_dry_bulb_c),
            15.3,
            0.4,
        );
        check("guiyang", "January", c.mean_dry_bulb_c[0], 4.6, 0.5);
        check("guiyang", "July", c.mean_dry_bulb_c[6], 24.0, 0.3);
        let rh = annual_mean(&c.mean_relative_humidity);
        check("guiyang", "annual relative humidity", rh, 0.775, 0.015);
    }

    /// Singapore: MSS 1981-2010 Changi means (annual 27.5 C, January 26.5 C, December 26.4 C)
    /// plus 0-0.4 K for the later period, the NEA mean daily ranges (6.8 K in December and
    /// January, 7.2 K in April and May), the MSS long-term monthly wind speeds (about 3 m/s in
    /// January and February, usually at most 2.5 m/s otherwise) and the NEA record-low monthly
    /// mean relative humidity (74.5 %).
    #[test]
    fn singapore_matches_published_points() {
        let c = get("singapore");
        check(
            "singapore",
            "annual mean",
            annual_mean(&c.mean_dry_bulb_c),
            27.7,
            0.2,
        );
        check("singapore", "January", c.mean_dry_bulb_c[0], 26.7, 0.2);
        check("singapore", "December", c.mean_dry_bulb_c[11], 26.6, 0.2);
        for (m, range) in [(0, 6.8), (11, 6.8), (3, 7.2), (4, 7.2)] {
            check(
                "singapore",
                "daily range",
                c.mean_daily_range_k[m],
                range,
                0.1,
            );
        }
        // Wind: +-0.5 m/s for "about 3 m/s"; other months at most 2.5 m/s + 0.5 m/s, and
        // January and February the windiest months.
        let wind = &c.mean_wind_speed_m_s;
        for m in [0, 1] {
            check("singapore", "monsoon wind", wind[m], 3.0, 0.5);
        }
        for m in 2..12 {
            assert!(wind[m] <= 3.0, "singapore month {m} wind {}", wind[m]);
            assert!(
                wind[m] < wind[0].min(wind[1]),
                "singapore month {m} windier"
            );
        }
        // Humidity: every monthly mean above the record-low monthly mean.
        for m in 0..12 {
            assert!(c.mean_relative_humidity[m] > 0.745, "singapore month {m}");
        }
    }

    /// Ulanqab is unverified (see its doc): only the expected band of the annual mean and a
    /// continental seasonal swing are checked.
    #[test]
    fn ulanqab_is_in_its_expected_band() {
        let c = get("ulanqab");
        let annual = annual_mean(&c.mean_dry_bulb_c);
        assert!((4.0..=5.5).contains(&annual), "{annual}");
        assert!(c.mean_dry_bulb_c[6] - c.mean_dry_bulb_c[0] > 25.0);
    }

    #[test]
    fn every_named_preset_exists_and_is_physical() {
        for name in PRESET_NAMES {
            let c = preset(name).unwrap_or_else(|| panic!("preset {name}"));
            assert_eq!(c.name, name);
            for m in 0..12 {
                assert!((0.05..=1.0).contains(&c.mean_relative_humidity[m]));
                assert!(c.mean_daily_range_k[m] > 0.0 && c.mean_daily_range_k[m] < 25.0);
                assert!(c.mean_daily_ghi_kwh_m2[m] > 0.5 && c.mean_daily_ghi_kwh_m2[m] < 9.0);
                assert!(c.mean_wind_speed_m_s[m] > 0.0);
            }
        }
        assert!(preset("SHANGHAI").is_some());
        assert!(preset("atlantis").is_none());
    }
}
