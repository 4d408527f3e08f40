//! Sun position, extraterrestrial and clear-sky irradiance, diffuse split and plane-of-array
//! irradiance.
//!
//! - Declination, equation of time and the Earth-Sun distance factor: Fourier series of
//!   J. W. Spencer, "Fourier series representation of the position of the sun", Search 2(5),
//!   1971, as used by the NOAA Global Monitoring Laboratory "General Solar Position
//!   Calculations" note. Accuracy about 0.1-0.2 deg in declination, 1-2 min in time.
//! - Zenith and azimuth from the hour angle by the standard spherical-astronomy relations
//!   (Duffie & Beckman, "Solar Engineering of Thermal Processes", 4th ed., ch. 1).
//! - Solar constant 1361 W/m2 (Kopp & Lean, Geophys. Res. Lett. 38, 2011).
//! - Clear-sky global horizontal irradiance by B. Haurwitz, "Insolation in relation to cloud
//!   type", J. Meteorology 3, 1946: GHI = 1098 cos(z) exp(-0.057 / cos z) W/m2.
//! - Diffuse fraction by D. G. Erbs, S. A. Klein, J. A. Duffie, "Estimation of the diffuse
//!   radiation fraction for hourly, daily and monthly-average global radiation", Solar Energy
//!   28(4), 1982.
//! - Plane-of-array irradiance by the isotropic-sky model of B. Y. H. Liu & R. C. Jordan
//!   (Solar Energy 7, 1963) with isotropic ground reflection (Duffie & Beckman eq. 2.15.1), or
//!   the anisotropic Hay & Davies (1980) model (Duffie & Beckman eq. 2.16.4).
//!
//! Angles in degrees at the interface; azimuths clockwise from north (180 = south).

use std::f64::consts::PI;

/// Solar constant, W/m2 (Kopp & Lean 2011).
pub const SOLAR_CONSTANT_W_M2: f64 = 1361.0;

/// Zenith angle (deg) beyond which beam irradiance is treated as zero when splitting GHI.
const MAX_BEAM_ZENITH_DEG: f64 = 87.0;

/// Position of the sun at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SunPosition {
    /// Solar zenith angle, deg (0 = overhead, > 90 = below the horizon).
    pub zenith_deg: f64,
    /// Solar azimuth, deg clockwise from north (90 = east, 180 = south).
    pub azimuth_deg: f64,
    /// Solar declination, deg.
    pub declination_deg: f64,
    /// Hour angle, deg (0 at solar noon, negative in the morning).
    pub hour_angle_deg: f64,
    /// Equation of time, minutes (apparent minus mean solar time).
    pub equation_of_time_min: f64,
}

/// Fractional-year angle (rad) of the NOAA/Spencer series for day `day_of_year` (1 = 1 January)
/// at local standard hour `hour` (0..24).
fn fractional_year_rad(day_of_year: f64, hour: f64) -> f64 {
    2.0 * PI / 365.0 * (day_of_year - 1.0 + (hour - 12.0) / 24.0)
}

/// Equation of time (minutes) for fractional-year angle `g` (Spencer 1971).
fn equation_of_time_min(g: f64) -> f64 {
    229.18
        * (0.000_075 + 0.001_868 * g.cos()
            - 0.032_077 * g.sin()
            - 0.014_615 * (2.0 * g).cos()
            - 0.040_849 * (2.0 * g).sin())
}

/// Declination (rad) for fractional-year angle `g` (Spencer 1971).
fn declination_rad(g: f64) -> f64 {
    0.006_918 - 0.399_912 * g.cos() + 0.070_257 * g.sin() - 0.006_758 * (2.0 * g).cos()
        + 0.000_907 * (2.0 * g).sin()
        - 0.002_697 * (3.0 * g).cos()
        + 0.001_48 * (3.0 * g).sin()
}

/// Solar declination (deg) on `day_of_year` at local standard `hour`.
pub fn declination_deg(day_of_year: f64, hour: f64) -> f64 {
    declination_rad(fractional_year_rad(day_of_year, hour)).to_degrees()
}

/// Local apparent solar time (hours, may leave 0..24) at local standard `hour` on
/// `day_of_year`, for a site at `longitude_deg` (east positive) in time zone `timezone_h`
/// (hours east of UTC).
pub fn solar_time_h(day_of_year: f64, hour: f64, longitude_deg: f64, timezone_h: f64) -> f64 {
    let eot = equation_of_time_min(fractional_year_rad(day_of_year, hour));
    hour + (eot + 4.0 * longitude_deg - 60.0 * timezone_h) / 60.0
}

impl SunPosition {
    /// Sun position at local standard `hour` (0..24, fractional) of `day_of_year` (1..=366) for
    /// a site at `latitude_deg` (north positive), `longitude_deg` (east positive) and time zone
    /// `timezone_h` (hours east of UTC).
    pub fn at(
        latitude_deg: f64,
        longitude_deg: f64,
        timezone_h: f64,
        day_of_year: f64,
        hour: f64,
    ) -> SunPosition {
        let g = fractional_year_rad(day_of_year, hour);
        let eot = equation_of_time_min(g);
        let decl = declination_rad(g);
        let tst_min = hour * 60.0 + eot + 4.0 * longitude_deg - 60.0 * timezone_h;
        let ha_deg = tst_min / 4.0 - 180.0;
        let ha_deg = (ha_deg + 180.0).rem_euclid(360.0) - 180.0;
        let (lat, ha) = (latitude_deg.to_radians(), ha_deg.to_radians());
        let cos_z = (lat.sin() * decl.sin() + lat.cos() * decl.cos() * ha.cos()).clamp(-1.0, 1.0);
        let zenith = cos_z.acos();
        let az = ha
            .sin()
            .atan2(ha.cos() * lat.sin() - decl.tan() * lat.cos())
            .to_degrees()
            + 180.0;
        SunPosition {
            zenith_deg: zenith.to_degrees(),
            azimuth_deg: az.rem_euclid(360.0),
            declination_deg: decl.to_degrees(),
            hour_angle_deg: ha_deg,
            equation_of_time_min: eot,
        }
    }

    /// Cosine of the zenith angle (negative when the sun is below the horizon).
    pub fn cos_zenith(&self) -> f64 {
        self.zenith_deg.to_radians().cos()
    }
}

/// Extraterrestrial normal irradiance (W/m2) on `day_of_year`: the solar constant times
/// Spencer's (1971) Earth-Sun distance factor.
pub fn extraterrestrial_normal_w_m2(day_of_year: f64) -> f64 {
    let g = fractional_year_rad(day_of_year, 12.0);
    SOLAR_CONSTANT_W_M2
        * (1.000_110
            + 0.034_221 * g.cos()
            + 0.001_280 * g.sin()
            + 0.000_719 * (2.0 * g).cos()
            + 0.000_077 * (2.0 * g).sin())
}

/// Clear-sky global horizontal irradiance (W/m2) by Haurwitz (1946) for the sun at
/// `zenith_deg`; zero with the sun below the horizon.
pub fn clear_sky_ghi_haurwitz_w_m2(zenith_deg: f64) -> f64 {
    let cz = zenith_deg.to_radians().cos();
    if cz <= 1e-3 {
        0.0
    } else {
        1098.0 * cz * (-0.057 / cz).exp()
    }
}

/// Diffuse fraction DHI/GHI of the Erbs et al. (1982) correlation for hourly clearness index
/// `kt` = GHI / (extraterrestrial normal x cos zenith).
pub fn erbs_diffuse_fraction(kt: f64) -> f64 {
    let kt = kt.max(0.0);
    if kt <= 0.22 {
        1.0 - 0.09 * kt
    } else if kt <= 0.80 {
        0.9511 - 0.1604 * kt + 4.388 * kt.powi(2) - 16.638 * kt.powi(3) + 12.336 * kt.powi(4)
    } else {
        0.165
    }
}

/// Beam and diffuse components of a global horizontal irradiance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IrradianceSplit {
    /// Direct normal irradiance, W/m2.
    pub dni_w_m2: f64,
    /// Diffuse horizontal irradiance, W/m2.
    pub dhi_w_m2: f64,
}

/// Split `ghi_w_m2` into DNI and DHI with the Erbs et al. (1982) correlation, so that
/// DNI cos(z) + DHI = GHI exactly. With the sun lower than 87 deg zenith all of it is diffuse.
pub fn erbs_split(ghi_w_m2: f64, zenith_deg: f64, day_of_year: f64) -> IrradianceSplit {
    let ghi = ghi_w_m2.max(0.0);
    let cz = zenith_deg.to_radians().cos();
    if ghi <= 0.0 || zenith_deg >= MAX_BEAM_ZENITH_DEG {
        return IrradianceSplit {
            dni_w_m2: 0.0,
            dhi_w_m2: ghi,
        };
    }
    let kt = ghi / (extraterrestrial_normal_w_m2(day_of_year) * cz);
    let dhi = (ghi * erbs_diffuse_fraction(kt)).min(ghi);
    IrradianceSplit {
        dni_w_m2: (ghi - dhi) / cz,
        dhi_w_m2: dhi,
    }
}

/// Orientation of a tilted surface (PV array).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurfaceOrientation {
    /// Tilt from horizontal, deg (0 = horizontal, 90 = vertical).
    pub tilt_deg: f64,
    /// Azimuth the surface faces, deg clockwise from north (180 = south).
    pub azimuth_deg: f64,
    /// Ground reflectance (albedo), 0..1 (0.2 is the usual grass/concrete value).
    pub albedo: f64,
}

/// Cosine of the angle of incidence of the beam on `surface` (may be negative: sun behind).
pub fn cos_incidence(sun: &SunPosition, surface: &SurfaceOrientation) -> f64 {
    let (z, b) = (sun.zenith_deg.to_radians(), surface.tilt_deg.to_radians());
    let daz = (sun.azimuth_deg - surface.azimuth_deg).to_radians();
    z.cos() * b.cos() + z.sin() * b.sin() * daz.cos()
}

/// Plane-of-array irradiance (W/m2) on `surface` by the isotropic-sky (Liu-Jordan) model:
/// `DNI max(cos AOI, 0) + DHI (1 + cos tilt)/2 + GHI albedo (1 - cos tilt)/2`; no beam with the
/// sun below the horizon.
pub fn plane_of_array_w_m2(
    sun: &SunPosition,
    surface: &SurfaceOrientation,
    ghi_w_m2: f64,
    dni_w_m2: f64,
    dhi_w_m2: f64,
) -> f64 {
    let cb = surface.tilt_deg.to_radians().cos();
    let beam = if sun.zenith_deg < 90.0 {
        dni_w_m2 * cos_incidence(sun, surface).max(0.0)
    } else {
        0.0
    };
    beam + dhi_w_m2 * (1.0 + cb) / 2.0 + ghi_w_m2 * surface.albedo * (1.0 - cb) / 2.0
}

/// Plane-of-array irradiance (W/m2) on `surface` by the anisotropic Hay-Davies model (J. E. Hay
/// & J. A. Davies, "Calculation of the solar radiation incident on an inclined surface", Proc.
/// First Canadian Solar Radiation Data Workshop, 1980; Duffie & Beckman eq. 2.16.4): the
/// circumsolar part of the diffuse light, weighted by the anisotropy index
/// `A = DNI / extraterrestrial normal`, is treated as beam; the rest is isotropic. Ground
/// reflection as in [`plane_of_array_w_m2`]. `cos(zenith)` is floored at 0.087 (85 deg) in the
/// beam ratio to avoid division blow-up at sunrise.
pub fn plane_of_array_hay_davies_w_m2(
    sun: &SunPosition,
    surface: &SurfaceOrientation,
    ghi_w_m2: f64,
    dni_w_m2: f64,
    dhi_w_m2: f64,
    day_of_year: f64,
) -> f64 {
    if sun.zenith_deg >= 90.0 {
        return plane_of_array_w_m2(sun, surface, ghi_w_m2, dni_w_m2, dhi_w_m2);
    }
    let cb = surface.tilt_deg.to_radians().cos();
    let cos_aoi = cos_incidence(sun, surface).max(0.0);
    let rb = cos_aoi / sun.cos_zenith().max(0.087);
    let a = (dni_w_m2 / extraterrestrial_normal_w_m2(day_of_year)).clamp(0.0, 1.0);
    dni_w_m2 * cos_aoi
        + dhi_w_m2 * (a * rb + (1.0 - a) * (1.0 + cb) / 2.0)
        + ghi_w_m2 * surface.albedo * (1.0 - cb) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At solar noon on the March equinox (day 80) the zenith equals |latitude| within 0.5 deg
    /// (declination is within ~0.4 deg of zero that day).
    #[test]
    fn equinox_noon_zenith_equals_latitude() {
        for (lat, lon, tz) in [
            (31.2, 121.5, 8.0),
            (41.0, 113.1, 8.0),
            (1.37, 103.98, 8.0),
            (33.43, -112.01, -7.0),
            (-33.9, 151.2, 10.0),
        ] {
            // Find the local standard time of solar noon: hour angle 0.
            let h0 = SunPosition::at(lat, lon, tz, 80.0, 12.0);
            let noon = 12.0 - h0.hour_angle_deg / 15.0;
            let s = SunPosition::at(lat, lon, tz, 80.0, noon);
            assert!(s.hour_angle_deg.abs() < 0.05);
            assert!(
                (s.zenith_deg - lat.abs()).abs() < 0.5,
                "{lat}: {}",
                s.zenith_deg
            );
            let expect_az = if lat > 0.0 { 180.0 } else { 0.0 };
            let daz = (s.azimuth_deg - expect_az + 180.0).rem_euclid(360.0) - 180.0;
            assert!(daz.abs() < 1.0, "{lat}: azimuth {}", s.azimuth_deg);
        }
    }

    /// NOAA solar calculator: Shanghai (31.23 N, 121.47 E, UTC+8) 21 June (day 172): solar
    /// noon near 11:54 local time, declination 23.44 deg, zenith at noon 7.8 deg; sun rises in
    /// the north-east (morning azimuth < 90) and is below the horizon at midnight.
    #[test]
    fn summer_solstice_shanghai() {
        let s = SunPosition::at(31.23, 121.47, 8.0, 172.0, 11.9);
        assert!(
            (s.declination_deg - 23.44).abs() < 0.2,
            "{}",
            s.declination_deg
        );
        assert!((s.zenith_deg - 7.8).abs() < 0.5, "{}", s.zenith_deg);
        let m = SunPosition::at(31.23, 121.47, 8.0, 172.0, 6.0);
        assert!(m.zenith_deg < 90.0 && m.azimuth_deg < 90.0, "{m:?}");
        assert!(SunPosition::at(31.23, 121.47, 8.0, 172.0, 0.0).zenith_deg > 90.0);
    }

    /// Hand computation: sun at zenith 30 deg due south, surface tilted 30 deg facing south
    /// (angle of incidence 0), DNI 800, DHI 100, GHI = 800 cos 30 + 100 = 792.820, albedo 0.2:
    /// POA = 800 + 100 x 0.9330127 + 792.820 x 0.2 x 0.0669873 = 903.923 W/m2.
    #[test]
    fn plane_of_array_hand_computed() {
        let sun = SunPosition {
            zenith_deg: 30.0,
            azimuth_deg: 180.0,
            declination_deg: 0.0,
            hour_angle_deg: 0.0,
            equation_of_time_min: 0.0,
        };
        let surf = SurfaceOrientation {
            tilt_deg: 30.0,
            azimuth_deg: 180.0,
            albedo: 0.2,
        };
        let ghi = 800.0 * 30f64.to_radians().cos() + 100.0;
        let poa = plane_of_array_w_m2(&sun, &surf, ghi, 800.0, 100.0);
        assert!((poa - 903.923).abs() < 0.01, "poa {poa}");
        // A horizontal surface sees exactly GHI.
        let flat = SurfaceOrientation {
            tilt_deg: 0.0,
            ..surf
        };
        assert!((plane_of_array_w_m2(&sun, &flat, ghi, 800.0, 100.0) - ghi).abs() < 1e-9);
    }

    /// Erbs et al. (1982): fraction 0.9802 at kt = 0.22 (low branch), 0.165 above 0.8; the
    /// split conserves GHI and the diffuse fraction falls as the sky clears.
    #[test]
    fn erbs_split_conserves_and_is_monotone() {
        assert!((erbs_diffuse_fraction(0.22) - 0.9802).abs() < 1e-4);
        assert!((erbs_diffuse_fraction(0.9) - 0.165).abs() < 1e-12);
        let mut last = 1.1;
        for i in 0..=20 {
            let f = erbs_diffuse_fraction(0.05 * f64::from(i));
            assert!(f <= last + 1e-3 && (0.0..=1.0).contains(&f));
            last = f;
        }
        for ghi in [0.0, 50.0, 300.0, 900.0] {
            let s = erbs_split(ghi, 40.0, 100.0);
            let back = s.dni_w_m2 * 40f64.to_radians().cos() + s.dhi_w_m2;
            assert!((back - ghi).abs() < 1e-9 && s.dni_w_m2 >= 0.0 && s.dhi_w_m2 >= 0.0);
        }
    }

    /// Haurwitz: 1098 exp(-0.057) = 1037.2 W/m2 with the sun overhead; zero below the horizon.
    #[test]
    fn clear_sky_and_extraterrestrial() {
        assert!((clear_sky_ghi_haurwitz_w_m2(0.0) - 1037.16).abs() < 0.1);
        assert_eq!(clear_sky_ghi_haurwitz_w_m2(95.0), 0.0);
        // Perihelion (early January) ~ 1.034 x, aphelion (early July) ~ 0.967 x the constant.
        assert!((extraterrestrial_normal_w_m2(3.0) / SOLAR_CONSTANT_W_M2 - 1.034).abs() < 0.002);
        assert!((extraterrestrial_normal_w_m2(185.0) / SOLAR_CONSTANT_W_M2 - 0.967).abs() < 0.002);
    }

    /// Hay-Davies: with no beam (A = 0) it equals the isotropic model; with a beam it adds the
    /// circumsolar term. Hand computation, same geometry as the isotropic test, day 80 (E0 =
    /// 1361 x 1.00797 = 1371.8): A = 800/1371.8 = 0.58317, Rb = 1/cos 30 = 1.154701;
    /// diffuse = 100 (0.58317 x 1.154701 + 0.41683 x 0.9330127) = 106.229; POA = 800 + 106.229
    /// + 10.622 = 916.85 W/m2.
    #[test]
    fn hay_davies_hand_computed() {
        let sun = SunPosition {
            zenith_deg: 30.0,
            azimuth_deg: 180.0,
            declination_deg: 0.0,
            hour_angle_deg: 0.0,
            equation_of_time_min: 0.0,
        };
        let surf = SurfaceOrientation {
            tilt_deg: 30.0,
            azimuth_deg: 180.0,
            albedo: 0.2,
        };
        let e0 = extraterrestrial_normal_w_m2(80.0);
        assert!((e0 / SOLAR_CONSTANT_W_M2 - 1.00797).abs() < 5e-4, "{e0}");
        let ghi = 800.0 * 30f64.to_radians().cos() + 100.0;
        let poa = plane_of_array_hay_davies_w_m2(&sun, &surf, ghi, 800.0, 100.0, 80.0);
        assert!((poa - 916.85).abs() < 0.5, "poa {poa}");
        let iso = plane_of_array_w_m2(&sun, &surf, 100.0, 0.0, 100.0);
        let hd = plane_of_array_hay_davies_w_m2(&sun, &surf, 100.0, 0.0, 100.0, 80.0);
        assert!((iso - hd).abs() < 1e-12);
    }
}
