//! ASHRAE TC 9.9 environmental classes for IT equipment and exceedance hours.
//!
//! Source: ASHRAE TC 9.9, *Thermal Guidelines for Data Processing Environments*, 5th ed.
//! (2021), table 2-1 (air-cooled equipment, dry-bulb at the IT inlet): recommended envelope
//! 18–27 °C for classes A1–A4 and 18–22 °C for the high-density class H1; allowable
//! A1 15–32 °C, A2 10–35 °C, A3 5–40 °C, A4 5–45 °C, H1 5–25 °C.

use serde::{Deserialize, Serialize};

/// An ASHRAE environmental class for air-cooled IT equipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub enum AshraeClass {
    /// Enterprise servers, tightly controlled (allowable 15–32 °C).
    #[default]
    A1,
    /// Volume servers (allowable 10–35 °C).
    A2,
    /// Allowable 5–40 °C.
    A3,
    /// Allowable 5–45 °C.
    A4,
    /// High-density equipment (allowable 5–25 °C, recommended 18–22 °C).
    H1,
}

/// A dry-bulb temperature band `[min_c, max_c]`, °C.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TemperatureBand {
    /// Lower bound, °C.
    pub min_c: f64,
    /// Upper bound, °C.
    pub max_c: f64,
}

impl TemperatureBand {
    /// Whether `temp_c` lies inside the band (bounds included).
    pub fn contains(&self, temp_c: f64) -> bool {
        temp_c >= self.min_c && temp_c <= self.max_c
    }
}

impl AshraeClass {
    /// The recommended inlet dry-bulb band.
    pub fn recommended(self) -> TemperatureBand {
        match self {
            AshraeClass::H1 => TemperatureBand {
                min_c: 18.0,
                max_c: 22.0,
            },
            _ => TemperatureBand {
                min_c: 18.0,
                max_c: 27.0,
            },
        }
    }

    /// The allowable inlet dry-bulb band.
    pub fn allowable(self) -> TemperatureBand {
        let (min_c, max_c) = match self {
            AshraeClass::A1 => (15.0, 32.0),
            AshraeClass::A2 => (10.0, 35.0),
            AshraeClass::A3 => (5.0, 40.0),
            AshraeClass::A4 => (5.0, 45.0),
            AshraeClass::H1 => (5.0, 25.0),
        };
        TemperatureBand { min_c, max_c }
    }
}

/// Hours spent outside the recommended and allowable bands and above the chip limit.
///
/// "Hours" count time during which *any* rack was outside the band; "rack-hours" sum over
/// racks, so 10 racks outside for one hour give 1 hour and 10 rack-hours.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Exceedance {
    /// Hours with any rack inlet outside the recommended band, h.
    pub outside_recommended_h: f64,
    /// Hours with any rack inlet outside the allowable band, h.
    pub outside_allowable_h: f64,
    /// Rack-hours with the rack inlet outside the allowable band, rack·h.
    pub outside_allowable_rack_h: f64,
    /// Hours with any chip above the chip temperature limit, h.
    pub chip_over_limit_h: f64,
}

impl Exceedance {
    /// Add one interval of `hours` with the given inlet temperatures and maximum chip
    /// temperature.
    pub fn accumulate(
        &mut self,
        class: AshraeClass,
        inlets_c: &[f64],
        max_chip_c: f64,
        chip_limit_c: f64,
        hours: f64,
    ) {
        let groups = inlets_c.iter().map(|&t| (t, 1));
        self.add(class, groups, max_chip_c, chip_limit_c, hours);
    }

    /// As [`Exceedance::accumulate`] with the inlets given as `(inlet_c, racks)` groups of racks
    /// sharing one inlet temperature (O(groups); the same result as the expanded list).
    pub fn accumulate_groups(
        &mut self,
        class: AshraeClass,
        groups: &[(f64, usize)],
        max_chip_c: f64,
        chip_limit_c: f64,
        hours: f64,
    ) {
        self.add(
            class,
            groups.iter().copied(),
            max_chip_c,
            chip_limit_c,
            hours,
        );
    }

    fn add(
        &mut self,
        class: AshraeClass,
        groups: impl Iterator<Item = (f64, usize)>,
        max_chip_c: f64,
        chip_limit_c: f64,
        hours: f64,
    ) {
        let (rec, allow) = (class.recommended(), class.allowable());
        let mut any_rec = false;
        let mut n_allow = 0usize;
        for (t, racks) in groups {
            if racks == 0 {
                continue;
            }
            any_rec |= !rec.contains(t);
            if !allow.contains(t) {
                n_allow += racks;
            }
        }
        if any_rec {
            self.outside_recommended_h += hours;
        }
        if n_allow > 0 {
            self.outside_allowable_h += hours;
        }
        self.outside_allowable_rack_h += n_allow as f64 * hours;
        if max_chip_c > chip_limit_c {
            self.chip_over_limit_h += hours;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_2021_guideline_table() {
        // ASHRAE TC 9.9 5th ed. table 2-1.
        assert_eq!(AshraeClass::A1.allowable().max_c, 32.0);
        assert_eq!(AshraeClass::A2.allowable().min_c, 10.0);
        assert_eq!(AshraeClass::A4.allowable().max_c, 45.0);
        assert_eq!(AshraeClass::H1.recommended().max_c, 22.0);
        for c in [
            AshraeClass::A1,
            AshraeClass::A2,
            AshraeClass::A3,
            AshraeClass::A4,
        ] {
            assert_eq!(c.recommended().max_c, 27.0);
            // recommended lies inside allowable
            assert!(c.allowable().min_c <= 18.0 && c.allowable().max_c >= 27.0);
        }
    }

    #[test]
    fn exceedance_counts_hours_and_rack_hours() {
        let mut e = Exceedance::default();
        e.accumulate(AshraeClass::A1, &[25.0, 30.0, 33.0, 34.0], 80.0, 85.0, 0.5);
        e.accumulate(AshraeClass::A1, &[22.0, 22.0], 90.0, 85.0, 0.25);
        assert_eq!(e.outside_recommended_h, 0.5);
        assert_eq!(e.outside_allowable_h, 0.5);
        assert_eq!(e.outside_allowable_rack_h, 1.0);
        assert_eq!(e.chip_over_limit_h, 0.25);
        let mut grouped = Exceedance::default();
        let mut listed = Exceedance::default();
        for (t, chip) in [(10.0, 80.0), (20.0, 90.0), (30.0, 80.0), (33.0, 80.0)] {
            grouped.accumulate_groups(
                AshraeClass::A1,
                &[(t, 2), (22.0, 0), (25.0, 3), (t + 1.0, 1)],
                chip,
                85.0,
                0.5,
            );
            listed.accumulate(
                AshraeClass::A1,
                &[t, t, 25.0, 25.0, 25.0, t + 1.0],
                chip,
                85.0,
                0.5,
            );
        }
        assert_eq!(grouped, listed);
        // 10/11 C and 33/34 C are outside A1's 15-32 C: three racks for two half hours.
        assert_eq!(listed.outside_allowable_rack_h, 3.0);
    }
}
