//! Efficiency curves of power converters as functions of the load fraction.
//!
//! A converter's efficiency is given at a few load fractions (output power / rated output
//! power) and linearly interpolated between them; outside the defined range the nearest end
//! point's efficiency holds. This is how manufacturers publish UPS curves (efficiency at 25, 50,
//! 75 and 100 % load) and how the 80 PLUS programme certifies power supplies (10, 20, 50 and
//! 100 % load points).

use serde::{Deserialize, Serialize};
use sim_core::ConfigIssue;

/// Efficiency (output / input, in (0, 1]) against load fraction (output / rated output, >= 0),
/// piecewise linear between points sorted by load fraction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EfficiencyCurve {
    /// `(load_fraction, efficiency)` points, load fraction strictly increasing; at least one.
    pub points: Vec<(f64, f64)>,
}

impl EfficiencyCurve {
    /// A curve from points (validated with [`EfficiencyCurve::validate`]).
    pub fn new(points: Vec<(f64, f64)>) -> Self {
        EfficiencyCurve { points }
    }

    /// A flat curve: the same efficiency at every load.
    pub fn constant(efficiency: f64) -> Self {
        EfficiencyCurve {
            points: vec![(1.0, efficiency)],
        }
    }

    /// All problems with the points, paths relative to this curve (`points[i]`).
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        if self.points.is_empty() {
            issues.push(ConfigIssue::error(
                "points",
                "an efficiency curve needs at least one (load_fraction, efficiency) point",
            ));
        }
        for (i, &(x, e)) in self.points.iter().enumerate() {
            if !x.is_finite() || x < 0.0 {
                issues.push(ConfigIssue::error(
                    format!("points[{i}]"),
                    format!("load fraction {x} must be a finite number >= 0"),
                ));
            }
            if !e.is_finite() || e <= 0.0 || e > 1.0 {
                issues.push(ConfigIssue::error(
                    format!("points[{i}]"),
                    format!("efficiency {e} must be in (0, 1]"),
                ));
            } else if e < 0.5 {
                issues.push(ConfigIssue::warning(
                    format!("points[{i}]"),
                    format!(
                        "efficiency {e} is unusually low for a power converter (expected > 0.5)"
                    ),
                ));
            }
            if i > 0 && x <= self.points[i - 1].0 {
                issues.push(ConfigIssue::error(
                    format!("points[{i}]"),
                    "load fractions must increase strictly from one point to the next",
                ));
            }
        }
        issues
    }

    /// Efficiency at `load_fraction` (linear interpolation, flat beyond the end points).
    pub fn efficiency(&self, load_fraction: f64) -> f64 {
        let p = &self.points;
        let Some(&(x0, e0)) = p.first() else {
            return 1.0;
        };
        if load_fraction <= x0 {
            return e0;
        }
        let i = p.partition_point(|&(x, _)| x <= load_fraction);
        if i >= p.len() {
            return p[p.len() - 1].1;
        }
        let (xa, ea) = p[i - 1];
        let (xb, eb) = p[i];
        ea + (eb - ea) * (load_fraction - xa) / (xb - xa)
    }

    /// Input power and loss `(input_w, loss_w)` to deliver `output_w` from a converter rated
    /// `rated_output_w`. Zero output gives zero loss (the converter's standby loss is not modelled).
    pub fn input_for_output(&self, output_w: f64, rated_output_w: f64) -> (f64, f64) {
        if output_w <= 0.0 || rated_output_w <= 0.0 {
            return (0.0, 0.0);
        }
        let eta = self.efficiency(output_w / rated_output_w);
        let input = output_w / eta;
        (input, input - output_w)
    }
}

/// Published UPS efficiency curves (efficiency against load fraction of the modules in service).
///
/// Source: representative values for modern transformerless three-phase double-conversion UPS
/// as measured by LBNL (M. Ton, B. Fortenbery, W. Tschudi, "DC Power for Improved Data Center
/// Efficiency", Lawrence Berkeley National Laboratory, 2008, UPS efficiency curves, Fig. 4) and
/// published in manufacturers' datasheets for 250-1500 kVA units (Eaton 93PM, Schneider Galaxy
/// VX: 95.5-97 % in double conversion between 25 and 100 % load, up to 99 % in ECO mode).
/// Replace the points with the curve of the installed unit for a specific site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpsEfficiencyCurve {
    /// Double conversion (VFI, IEC 62040-3): 25/50/75/100 % -> 95.0/96.3/96.5/96.2 %.
    DoubleConversion,
    /// Legacy transformer-based double conversion (pre-2010 fleet): 25/50/75/100 % ->
    /// 89.0/92.0/93.0/93.0 % (LBNL 2008 measured range).
    LegacyDoubleConversion,
    /// ECO / bypass mode (VFD): 25/50/75/100 % -> 98.6/99.0/99.1/99.1 %.
    Eco,
}

impl UpsEfficiencyCurve {
    /// The curve's points.
    pub fn curve(self) -> EfficiencyCurve {
        let pts = match self {
            UpsEfficiencyCurve::DoubleConversion => {
                vec![(0.25, 0.950), (0.50, 0.963), (0.75, 0.965), (1.0, 0.962)]
            }
            UpsEfficiencyCurve::LegacyDoubleConversion => {
                vec![(0.25, 0.89), (0.50, 0.92), (0.75, 0.93), (1.0, 0.93)]
            }
            UpsEfficiencyCurve::Eco => {
                vec![(0.25, 0.986), (0.50, 0.990), (0.75, 0.991), (1.0, 0.991)]
            }
        };
        EfficiencyCurve::new(pts)
    }
}

/// Server power-supply efficiency levels of the 80 PLUS programme, "230 V internal redundant"
/// (data-center) category.
///
/// Source: CLEAResult / 80 PLUS programme, "80 PLUS Certified Power Supplies and Manufacturers",
/// efficiency requirements table, 230 V Internal Redundant: Gold 88/92/88 %, Platinum 90/94/91 %,
/// Titanium 90/94/96/91 % at 10/20/50/100 % load. Gold and Platinum have no 10 % requirement;
/// their 10 % point here is an assumption (the 20 % value minus 4 points, the Titanium drop from
/// 20 % to 10 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PsuEfficiencyCurve {
    /// 80 PLUS Gold.
    Gold,
    /// 80 PLUS Platinum.
    Platinum,
    /// 80 PLUS Titanium.
    Titanium,
}

impl PsuEfficiencyCurve {
    /// The curve's points at 10/20/50/100 % load.
    pub fn curve(self) -> EfficiencyCurve {
        let pts = match self {
            PsuEfficiencyCurve::Gold => vec![(0.1, 0.84), (0.2, 0.88), (0.5, 0.92), (1.0, 0.88)],
            PsuEfficiencyCurve::Platinum => {
                vec![(0.1, 0.86), (0.2, 0.90), (0.5, 0.94), (1.0, 0.91)]
            }
            PsuEfficiencyCurve::Titanium => {
                vec![(0.1, 0.90), (0.2, 0.94), (0.5, 0.96), (1.0, 0.91)]
            }
        };
        EfficiencyCurve::new(pts)
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    #[test]
    fn psu_presets_hit_80plus_points() {
        // 80 PLUS 230 V internal redundant table (see PsuEfficiencyCurve doc).
        let t = PsuEfficiencyCurve::Titanium.curve();
        for (x, e) in [(0.1, 0.90), (0.2, 0.94), (0.5, 0.96), (1.0, 0.91)] {
            assert!((t.efficiency(x) - e).abs() < 1e-12);
        }
        let g = PsuEfficiencyCurve::Gold.curve();
        for (x, e) in [(0.2, 0.88), (0.5, 0.92), (1.0, 0.88)] {
            assert!((g.efficiency(x) - e).abs() < 1e-12);
        }
        let p = PsuEfficiencyCurve::Platinum.curve();
        for (x, e) in [(0.2, 0.90), (0.5, 0.94), (1.0, 0.91)] {
            assert!((p.efficiency(x) - e).abs() < 1e-12);
        }
    }

    #[test]
    fn ups_presets_hit_their_documented_points() {
        let dc = UpsEfficiencyCurve::DoubleConversion.curve();
        for (x, e) in [(0.25, 0.950), (0.5, 0.963), (0.75, 0.965), (1.0, 0.962)] {
            assert!((dc.efficiency(x) - e).abs() < 1e-12);
        }
        let eco = UpsEfficiencyCurve::Eco.curve();
        for (x, e) in [(0.25, 0.986), (0.5, 0.990), (0.75, 0.991), (1.0, 0.991)] {
            assert!((eco.efficiency(x) - e).abs() < 1e-12);
        }
        let legacy = UpsEfficiencyCurve::LegacyDoubleConversion.curve();
        assert!((legacy.efficiency(0.25) - 0.89).abs() < 1e-12);
    }

    #[test]
    fn every_preset_stays_in_unit_interval_and_validates() {
        let mut curves: Vec<EfficiencyCurve> = [
            UpsEfficiencyCurve::DoubleConversion,
            UpsEfficiencyCurve::LegacyDoubleConversion,
            UpsEfficiencyCurve::Eco,
        ]
        .iter()
        .map(|c| c.curve())
        .collect();
        curves.extend(
            [
                PsuEfficiencyCurve::Gold,
                PsuEfficiencyCurve::Platinum,
                PsuEfficiencyCurve::Titanium,
            ]
            .iter()
            .map(|c| c.curve()),
        );
        for c in &curves {
            assert!(c.validate().is_empty());
            for i in 0..=150 {
                let e = c.efficiency(i as f64 / 100.0);
                assert!(e > 0.0 && e < 1.0, "{e}");
            }
        }
    }

    #[test]
    fn interpolates_between_points_and_is_flat_outside() {
        let c = EfficiencyCurve::new(vec![(0.25, 0.90), (0.75, 0.96)]);
        assert!((c.efficiency(0.5) - 0.93).abs() < 1e-12);
        assert_eq!(c.efficiency(0.0), 0.90);
        assert_eq!(c.efficiency(2.0), 0.96);
        let (input, loss) = c.input_for_output(500.0, 1000.0);
        assert!((input - 500.0 / 0.93).abs() < 1e-9);
        assert!((input - loss - 500.0).abs() < 1e-9);
    }

    #[test]
    fn validation_reports_all_problems() {
        let c = EfficiencyCurve::new(vec![(0.5, 1.2), (0.4, 0.9), (-1.0, 0.0)]);
        let issues = c.validate();
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "points[0]",
                "points[1]",
                "points[2]",
                "points[2]",
                "points[2]"
            ]
        );
    }
}
