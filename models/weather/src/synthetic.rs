//! Seeded synthetic hourly year (365 days, 8760 hours, 1 January 00:00 local standard time
//! first) built from monthly climate normals.
//!
//! Method (a simplified stochastic weather generator in the spirit of WGEN, C. W. Richardson,
//! "Stochastic simulation of daily precipitation, temperature and solar radiation", Water
//! Resources Research 17(1), 1981):
//! - **Smooth seasonal cycle**: monthly normals are turned into daily values by linear
//!   interpolation between mid-month anchors that are adjusted iteratively so that each
//!   month's mean of the daily values equals its normal (mean-preserving interpolation).
//! - **Daily mean temperature** = seasonal value + AR(1) anomaly (lag-1 correlation 0.7, the
//!   preset's standard deviation); the smooth monthly mean of the anomaly is removed so the
//!   monthly means still match the normals.
//! - **Diurnal cycle**: two half-cosines in local apparent solar time, minimum at sunrise and
//!   maximum at 15:00, peak-to-peak equal to the daily range (the shape of W. J. Parton &
//!   J. A. Logan, Agric. Meteorol. 23, 1981, simplified); its 24-hour mean is zero.
//! - **Humidity**: the water-vapour pressure is constant over each day (interpolated between
//!   day centres, so relative humidity falls as the air warms), chosen so that the day's mean
//!   relative humidity over the *seasonal* temperature cycle equals the seasonal value, scaled
//!   by a small log-normal AR(1) anomaly (which scales the saturation deficit 1 - RH instead
//!   where that gives the smaller value, so humid climates are not pushed past saturation); a warm spell therefore lowers RH instead of raising the
//!   dew point. Capped at saturation (RH <= 1, dew point <= dry bulb); a per-month correction
//!   restores the monthly mean RH after capping.
//! - **Irradiance**: Haurwitz clear-sky GHI from the sun position (see [`crate::solar`]) times a
//!   random daily clearness (log-normal), rescaled per month so that the monthly mean daily
//!   irradiation equals the normal; DNI and DHI by the Erbs et al. (1982) split.
//! - **Wind**: monthly mean x log-normal AR(1) daily factor x a diurnal cycle peaking at
//!   15:00 solar time (+-25 %).
//! - **Pressure**: standard atmosphere at the station elevation.
//!
//! All randomness comes from the caller's stream (the `"weather"` stream in [`crate::Weather`]);
//! draws are made in a fixed order, so the same seed gives the same year bit for bit.

use rand::Rng;
use rand_distr::StandardNormal;

use crate::climate::ClimateNormals;
use crate::solar::{self, SunPosition};
use crate::{psychro, Location, WeatherSample};

/// Days of the synthetic year (no leap day).
pub const DAYS_PER_YEAR: usize = 365;
/// Hours of the synthetic year.
pub const HOURS_PER_YEAR: usize = DAYS_PER_YEAR * 24;
/// Days in each month of a non-leap year.
pub const MONTH_DAYS: [usize; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// Lag-1 autocorrelation of the daily temperature anomaly.
const TEMP_ANOMALY_LAG1: f64 = 0.7;
/// Standard deviation of the log anomaly of the daily humidity (RH or saturation deficit) and
/// its lag-1 autocorrelation.
const HUMIDITY_ANOMALY_SD: f64 = 0.15;
const HUMIDITY_ANOMALY_LAG1: f64 = 0.6;
/// Standard deviation of the log daily clearness factor.
const CLEARNESS_LOG_SD: f64 = 0.35;
/// Largest daily clearness factor relative to the Haurwitz clear sky.
const MAX_CLEARNESS: f64 = 1.15;
/// Smallest daily clearness factor (heavy overcast).
const MIN_CLEARNESS: f64 = 0.05;
/// Standard deviation and lag-1 autocorrelation of the log daily wind factor.
const WIND_LOG_SD: f64 = 0.35;
const WIND_LAG1: f64 = 0.5;
/// Relative amplitude of the diurnal wind cycle.
const WIND_DIURNAL_AMPLITUDE: f64 = 0.25;
/// Solar time of the daily temperature maximum, h.
const T_MAX_SOLAR_H: f64 = 15.0;

/// Month index (0..12) of day `d` (0..365).
pub fn month_of_day(d: usize) -> usize {
    let mut start = 0;
    for (m, len) in MONTH_DAYS.iter().enumerate() {
        if d < start + len {
            return m;
        }
        start += len;
    }
    11
}

/// Sun position at hour `j` (0-based, local standard time) of the non-leap year.
pub fn sun_at_hour(location: &Location, j: usize) -> SunPosition {
    let day = (j / 24) % DAYS_PER_YEAR;
    SunPosition::at(
        location.latitude_deg,
        location.longitude_deg,
        location.timezone_h,
        (day + 1) as f64,
        (j % 24) as f64,
    )
}

/// Linear interpolation, with wrap-around, of 12 values placed at mid-month to 365 days.
fn interpolate_anchors(anchors: &[f64; 12]) -> Vec<f64> {
    let mut centres = [0.0; 12];
    let mut start = 0.0;
    for m in 0..12 {
        centres[m] = start + MONTH_DAYS[m] as f64 / 2.0;
        start += MONTH_DAYS[m] as f64;
    }
    let year = DAYS_PER_YEAR as f64;
    (0..DAYS_PER_YEAR)
        .map(|d| {
            let x = d as f64 + 0.5;
            // Find the anchor pair around x, wrapping December -> January.
            let k = centres.iter().rposition(|&c| c <= x);
            let (x0, v0, x1, v1) = match k {
                None => (centres[11] - year, anchors[11], centres[0], anchors[0]),
                Some(11) => (centres[11], anchors[11], centres[0] + year, anchors[0]),
                Some(k) => (centres[k], anchors[k], centres[k + 1], anchors[k + 1]),
            };
            v0 + (v1 - v0) * (x - x0) / (x1 - x0)
        })
        .collect()
}

/// Monthly means of a 365-day series.
fn monthly_means(daily: &[f64]) -> [f64; 12] {
    let mut sums = [0.0; 12];
    for (d, v) in daily.iter().enumerate().take(DAYS_PER_YEAR) {
        sums[month_of_day(d)] += v;
    }
    let mut out = [0.0; 12];
    for m in 0..12 {
        out[m] = sums[m] / MONTH_DAYS[m] as f64;
    }
    out
}

/// Smooth daily series (365 values) whose monthly means equal `monthly` (to ~1e-9): linear
/// interpolation between mid-month anchors, the anchors corrected by fixed-point iteration.
pub fn mean_preserving_daily(monthly: &[f64; 12]) -> Vec<f64> {
    let mut anchors = *monthly;
    let mut daily = interpolate_anchors(&anchors);
    for _ in 0..60 {
        let means = monthly_means(&daily);
        let mut worst = 0.0_f64;
        for m in 0..12 {
            let e = monthly[m] - means[m];
            anchors[m] += e;
            worst = worst.max(e.abs());
        }
        daily = interpolate_anchors(&anchors);
        if worst < 1e-12 {
            break;
        }
    }
    daily
}

/// AR(1) series of `n` values with stationary standard deviation `sd` and lag-1 correlation
/// `phi`.
fn ar1<R: Rng>(rng: &mut R, n: usize, sd: f64, phi: f64) -> Vec<f64> {
    let innovation = sd * (1.0 - phi * phi).sqrt();
    let mut out = Vec::with_capacity(n);
    let mut a = sd * rng.sample::<f64, _>(StandardNormal);
    out.push(a);
    for _ in 1..n {
        a = phi * a + innovation * rng.sample::<f64, _>(StandardNormal);
        out.push(a);
    }
    out
}

/// Remove the smoothly interpolated monthly mean from a daily series.
fn remove_monthly_mean(daily: &mut [f64]) {
    let smooth = mean_preserving_daily(&monthly_means(daily));
    for (v, s) in daily.iter_mut().zip(smooth) {
        *v -= s;
    }
}

/// Hourly values (hour `j` at `t = j` h) linearly interpolated between daily values placed at
/// each day's centre (12:00), wrapping around the year.
fn daily_to_hourly(daily: &[f64]) -> Vec<f64> {
    let n = daily.len() as f64;
    (0..HOURS_PER_YEAR)
        .map(|j| {
            let x = (j as f64 / 24.0 - 0.5).rem_euclid(n);
            let i0 = x.floor() as usize % daily.len();
            let i1 = (i0 + 1) % daily.len();
            let f = x - x.floor();
            daily[i0] + f * (daily[i1] - daily[i0])
        })
        .collect()
}

/// Diurnal temperature shape (-1 at sunrise, +1 at 15:00 solar time, zero 24-hour mean) at
/// apparent solar time `solar_h` for a day whose sunrise is at `sunrise_h` (solar time).
pub fn diurnal_shape(solar_h: f64, sunrise_h: f64) -> f64 {
    use std::f64::consts::PI;
    let tau = solar_h.rem_euclid(24.0);
    let rise = sunrise_h.clamp(3.0, 10.0);
    if tau >= rise && tau <= T_MAX_SOLAR_H {
        -(PI * (tau - rise) / (T_MAX_SOLAR_H - rise)).cos()
    } else {
        let since_peak = (tau - T_MAX_SOLAR_H).rem_euclid(24.0);
        let fall = 24.0 - (T_MAX_SOLAR_H - rise);
        (PI * since_peak / fall).cos()
    }
}

/// Apparent solar time of sunrise (h) at `latitude_deg` on a day with declination
/// `declination_deg` (Duffie & Beckman eq. 1.6.10: cos w_s = -tan(lat) tan(decl)).
pub fn sunrise_solar_h(latitude_deg: f64, declination_deg: f64) -> f64 {
    let x = -latitude_deg.to_radians().tan() * declination_deg.to_radians().tan();
    12.0 - x.clamp(-1.0, 1.0).acos().to_degrees() / 15.0
}

/// Generate the synthetic hourly year of `normals` from `rng` (use the `"weather"` stream).
pub fn synthetic_year<R: Rng>(normals: &ClimateNormals, rng: &mut R) -> Vec<WeatherSample> {
    let loc = normals.location;
    let p = psychro::pressure_from_elevation_pa(loc.elevation_m);
    let sun: Vec<SunPosition> = (0..HOURS_PER_YEAR).map(|j| sun_at_hour(&loc, j)).collect();

    // Random draws, in a fixed order.
    let mut t_anom = ar1(
        rng,
        DAYS_PER_YEAR,
        normals.daily_temp_anomaly_sd_k.max(0.0),
        TEMP_ANOMALY_LAG1,
    );
    let mut h_anom = ar1(
        rng,
        DAYS_PER_YEAR,
        HUMIDITY_ANOMALY_SD,
        HUMIDITY_ANOMALY_LAG1,
    );
    let cloud: Vec<f64> = (0..DAYS_PER_YEAR)
        .map(|_| rng.sample::<f64, _>(StandardNormal))
        .collect();
    let wind_log = ar1(rng, DAYS_PER_YEAR, WIND_LOG_SD, WIND_LAG1);
    remove_monthly_mean(&mut t_anom);
    remove_monthly_mean(&mut h_anom);

    // Dry bulb.
    let t_season = mean_preserving_daily(&normals.mean_dry_bulb_c);
    let range_daily = mean_preserving_daily(&normals.mean_daily_range_k);
    let t_mean_daily: Vec<f64> = t_season.iter().zip(&t_anom).map(|(s, a)| s + a).collect();
    let t_mean_h = daily_to_hourly(&t_mean_daily);
    let range_h = daily_to_hourly(&range_daily);
    let diurnal: Vec<f64> = (0..HOURS_PER_YEAR)
        .map(|j| {
            let s = &sun[j];
            let solar_h = 12.0 + s.hour_angle_deg / 15.0;
            let rise = sunrise_solar_h(loc.latitude_deg, s.declination_deg);
            0.5 * range_h[j].max(0.0) * diurnal_shape(solar_h, rise)
        })
        .collect();
    let dry_bulb: Vec<f64> = t_mean_h.iter().zip(&diurnal).map(|(t, d)| t + d).collect();

    // Humidity: the daily vapour pressure that gives the seasonal mean RH over the *seasonal*
    // temperature cycle (without the temperature anomaly, so a warm spell lowers RH rather
    // than raising the dew point), times the humidity anomaly; capped at saturation hourly and
    // corrected per month so the monthly mean RH matches the normal after the cap.
    let rh_season = mean_preserving_daily(&normals.mean_relative_humidity);
    let inv_pws: Vec<f64> = dry_bulb
        .iter()
        .map(|&t| 1.0 / psychro::saturation_pressure_pa(t))
        .collect();
    let inv_pws_season: Vec<f64> = daily_to_hourly(&t_season)
        .iter()
        .zip(&diurnal)
        .map(|(t, d)| 1.0 / psychro::saturation_pressure_pa(t + d))
        .collect();
    let mut correction = [1.0_f64; 12];
    let mut pw_h = Vec::new();
    for _ in 0..6 {
        let pw_daily: Vec<f64> = (0..DAYS_PER_YEAR)
            .map(|d| {
                let target = (rh_season[d] * correction[month_of_day(d)]).clamp(0.01, 0.99);
                // The anomaly scales RH itself and, when that is smaller, the saturation
                // deficit 1 - RH: multiplicative in dry climates, shrinking near saturation
                // in humid ones instead of pushing them past it.
                let factor = h_anom[d].exp();
                let rh_day = (target * factor)
                    .min(1.0 - (1.0 - target) / factor)
                    .max(0.01);
                let mean_inv: f64 = inv_pws_season[d * 24..d * 24 + 24].iter().sum::<f64>() / 24.0;
                rh_day / mean_inv
            })
            .collect();
        pw_h = daily_to_hourly(&pw_daily)
            .into_iter()
            .zip(&inv_pws)
            .map(|(pw, inv)| pw.min(1.0 / inv))
            .collect();
        let rh_daily: Vec<f64> = (0..DAYS_PER_YEAR)
            .map(|d| {
                (d * 24..d * 24 + 24)
                    .map(|j| pw_h[j] * inv_pws[j])
                    .sum::<f64>()
                    / 24.0
            })
            .collect();
        let achieved = monthly_means(&rh_daily);
        for m in 0..12 {
            if achieved[m] > 0.0 {
                correction[m] =
                    (correction[m] * normals.mean_relative_humidity[m] / achieved[m]).min(3.0);
            }
        }
    }

    // Irradiance: clear sky x daily clearness, scaled per month to the normal.
    let clear: Vec<f64> = sun
        .iter()
        .map(|s| solar::clear_sky_ghi_haurwitz_w_m2(s.zenith_deg))
        .collect();
    let clear_daily_wh: Vec<f64> = (0..DAYS_PER_YEAR)
        .map(|d| clear[d * 24..d * 24 + 24].iter().sum())
        .collect();
    let mut clearness: Vec<f64> = cloud
        .iter()
        .map(|z| (CLEARNESS_LOG_SD * z - 0.5 * CLEARNESS_LOG_SD * CLEARNESS_LOG_SD).exp())
        .collect();
    for _ in 0..20 {
        let mut sums = [0.0; 12];
        for d in 0..DAYS_PER_YEAR {
            sums[month_of_day(d)] += clearness[d] * clear_daily_wh[d];
        }
        for (d, c) in clearness.iter_mut().enumerate() {
            let m = month_of_day(d);
            let target_wh = normals.mean_daily_ghi_kwh_m2[m] * 1000.0 * MONTH_DAYS[m] as f64;
            if sums[m] > 0.0 {
                *c = (*c * target_wh / sums[m]).clamp(MIN_CLEARNESS, MAX_CLEARNESS);
            }
        }
    }

    // Wind: daily log-normal factor normalised per month, diurnal cycle.
    let wind_season = mean_preserving_daily(&normals.mean_wind_speed_m_s);
    let mut wind_factor: Vec<f64> = wind_log.iter().map(|v| v.exp()).collect();
    let norm = mean_preserving_daily(&monthly_means(&wind_factor));
    for (f, n) in wind_factor.iter_mut().zip(norm) {
        *f /= n;
    }
    let wind_daily: Vec<f64> = wind_season
        .iter()
        .zip(&wind_factor)
        .map(|(s, f)| s * f)
        .collect();
    let wind_h = daily_to_hourly(&wind_daily);

    (0..HOURS_PER_YEAR)
        .map(|j| {
            let d = j / 24;
            let s = &sun[j];
            let ghi = clearness[d] * clear[j];
            let split = solar::erbs_split(ghi, s.zenith_deg, (d + 1) as f64);
            let solar_h = 12.0 + s.hour_angle_deg / 15.0;
            let wind = wind_h[j]
                * (1.0
                    + WIND_DIURNAL_AMPLITUDE
                        * (2.0 * std::f64::consts::PI * (solar_h - T_MAX_SOLAR_H) / 24.0).cos());
            let w = psychro::humidity_ratio_from_vapour_pressure(pw_h[j], p);
            WeatherSample::from_state(
                dry_bulb[j],
                w,
                p,
                ghi,
                split.dni_w_m2,
                split.dhi_w_m2,
                wind,
                s,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::climate::{self, PRESET_NAMES};
    use sim_core::RngStreams;

    fn year(name: &str, seed: u64) -> Vec<WeatherSample> {
        let n = climate::preset(name).unwrap_or_else(|| panic!("{name}"));
        synthetic_year(&n, &mut RngStreams::new(seed).stream("weather"))
    }

    fn monthly_hourly_mean(y: &[WeatherSample], f: impl Fn(&WeatherSample) -> f64) -> [f64; 12] {
        let daily: Vec<f64> = (0..DAYS_PER_YEAR)
            .map(|d| y[d * 24..d * 24 + 24].iter().map(&f).sum::<f64>() / 24.0)
            .collect();
        monthly_means(&daily)
    }

    #[test]
    fn mean_preserving_interpolation_reproduces_monthly_means() {
        let m = [
            1.0, 3.0, 8.0, 14.0, 20.0, 25.0, 27.0, 26.0, 20.0, 13.0, 6.0, 0.0,
        ];
        let d = mean_preserving_daily(&m);
        let back = monthly_means(&d);
        for k in 0..12 {
            assert!((back[k] - m[k]).abs() < 1e-9, "{k}: {}", back[k]);
        }
        // Continuous: no day-to-day jump larger than the largest monthly step / 10 days.
        for w in d.windows(2) {
            assert!((w[1] - w[0]).abs() < 0.5);
        }
    }

    #[test]
    fn diurnal_shape_has_zero_mean_and_right_extremes() {
        for rise in [5.0, 6.0, 7.5] {
            let n = 24_000;
            let mean: f64 = (0..n)
                .map(|i| diurnal_shape(24.0 * i as f64 / n as f64, rise))
                .sum::<f64>()
                / n as f64;
            assert!(mean.abs() < 1e-3, "{mean}");
            assert!((diurnal_shape(rise, rise) + 1.0).abs() < 1e-12);
            assert!((diurnal_shape(15.0, rise) - 1.0).abs() < 1e-12);
        }
    }

    /// The generated year reproduces every preset's monthly normals: dry bulb within 0.3 K,
    /// daily range within 15 %, RH within 3 percentage points, daily GHI within 3 %, wind within
    /// 10 %. (Tolerances cover the diurnal sampling at whole hours, the saturation cap and the
    /// clearness clipping.)
    #[test]
    fn monthly_means_match_normals() {
        for name in PRESET_NAMES {
            let n = climate::preset(name).unwrap_or_else(|| panic!("{name}"));
            let y = year(name, 7);
            assert_eq!(y.len(), HOURS_PER_YEAR);
            let t = monthly_hourly_mean(&y, |s| s.dry_bulb_c);
            let rh = monthly_hourly_mean(&y, |s| s.relative_humidity);
            let ghi = monthly_hourly_mean(&y, |s| s.ghi_w_m2 * 24.0 / 1000.0);
            let wind = monthly_hourly_mean(&y, |s| s.wind_speed_m_s);
            let range_daily: Vec<f64> = (0..DAYS_PER_YEAR)
                .map(|d| {
                    let day = &y[d * 24..d * 24 + 24];
                    let mx = day.iter().map(|s| s.dry_bulb_c).fold(f64::MIN, f64::max);
                    let mn = day.iter().map(|s| s.dry_bulb_c).fold(f64::MAX, f64::min);
                    mx - mn
                })
                .collect();
            let range = monthly_means(&range_daily);
            for m in 0..12 {
                assert!(
                    (t[m] - n.mean_dry_bulb_c[m]).abs() < 0.3,
                    "{name} {m}: T {}",
                    t[m]
                );
                assert!(
                    (rh[m] - n.mean_relative_humidity[m]).abs() < 0.03,
                    "{name} {m}: RH {}",
                    rh[m]
                );
                let g = n.mean_daily_ghi_kwh_m2[m];
                assert!(
                    (ghi[m] - g).abs() / g < 0.03,
                    "{name} {m}: GHI {} vs {g}",
                    ghi[m]
                );
                let wn = n.mean_wind_speed_m_s[m];
                assert!(
                    (wind[m] - wn).abs() / wn < 0.10,
                    "{name} {m}: wind {}",
                    wind[m]
                );
                let rn = n.mean_daily_range_k[m];
                assert!(
                    (range[m] - rn).abs() / rn < 0.15,
                    "{name} {m}: range {}",
                    range[m]
                );
            }
        }
    }

    #[test]
    fn physical_limits_hold_every_hour() {
        for name in ["singapore", "ulanqab"] {
            for s in year(name, 3) {
                assert!(s.relative_humidity <= 1.0 && s.relative_humidity >= 0.0);
                assert!(s.dew_point_c <= s.dry_bulb_c + 1e-9);
                assert!(
                    s.wet_bulb_c <= s.dry_bulb_c + 1e-9 && s.wet_bulb_c >= s.dew_point_c - 1e-6
                );
                assert!(s.ghi_w_m2 >= 0.0 && s.dni_w_m2 >= 0.0 && s.dhi_w_m2 >= 0.0);
                if s.sun_zenith_deg >= 90.0 {
                    assert_eq!(s.ghi_w_m2, 0.0);
                } else {
                    let cz = s.sun_zenith_deg.to_radians().cos();
                    assert!((s.dni_w_m2 * cz + s.dhi_w_m2 - s.ghi_w_m2).abs() < 1e-6);
                }
                assert!(s.wind_speed_m_s >= 0.0);
            }
        }
    }

    /// RH falls as the air warms during a day (humidity ratio roughly conserved): the hottest
    /// hour of a day is, on average over the year, much drier than the coolest.
    #[test]
    fn relative_humidity_falls_as_temperature_rises() {
        let y = year("beijing", 11);
        let mut diff = 0.0;
        for d in 0..DAYS_PER_YEAR {
            let day = &y[d * 24..d * 24 + 24];
            let hot = day
                .iter()
                .max_by(|a, b| a.dry_bulb_c.total_cmp(&b.dry_bulb_c));
            let cold = day
                .iter()
                .min_by(|a, b| a.dry_bulb_c.total_cmp(&b.dry_bulb_c));
            if let (Some(h), Some(c)) = (hot, cold) {
                diff += c.relative_humidity - h.relative_humidity;
            }
        }
        assert!(diff / DAYS_PER_YEAR as f64 > 0.15, "{}", diff / 365.0);
    }

    #[test]
    fn temperature_peaks_in_the_afternoon() {
        let y = year("phoenix", 5);
        let mut hour_means = [0.0; 24];
        for (j, s) in y.iter().enumerate() {
            hour_means[j % 24] += s.dry_bulb_c;
        }
        let hottest = (0..24).max_by(|&a, &b| hour_means[a].total_cmp(&hour_means[b]));
        let coldest = (0..24).min_by(|&a, &b| hour_means[a].total_cmp(&hour_means[b]));
        // Phoenix is 7.3 deg west of its zone meridian: 15:00 solar is about 15:30 local.
        assert!(matches!(hottest, Some(15..=16)), "{hottest:?}");
        assert!(matches!(coldest, Some(5..=7)), "{coldest:?}");
    }

    #[test]
    fn same_seed_same_year_other_seed_other_year() {
        let a = year("shanghai", 42);
        let b = year("shanghai", 42);
        let c = year("shanghai", 43);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let differing = a
            .iter()
            .zip(&c)
            .filter(|(x, y)| x.dry_bulb_c != y.dry_bulb_c)
            .count();
        assert!(differing > HOURS_PER_YEAR / 2);
    }
}
