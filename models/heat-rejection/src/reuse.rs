//! Heat reuse as a model: an exchanger from the data centre's return water to a reuse loop
//! (district heating, a neighbouring building) that needs a given supply temperature, a heat
//! pump in series that gives the lift where the return water is too cold, and a demand that
//! varies with the season.
//!
//! Sources:
//! - Exchanger: counterflow, characterised by its approach (reuse water leaves at most
//!   `exchanger_approach_k` below the source water entering), as the plant's plate exchangers
//!   ([`crate::economizer::PlateHeatExchanger`]; Incropera & DeWitt table 11.3).
//! - Heat pump COP: a fraction of the Carnot COP between condensing and evaporating
//!   temperatures, `COP = eta * T_cond / (T_cond - T_evap)` (kelvin), with `eta` about 0.5 for
//!   large electric heat pumps (Jesper et al., "Large-scale heat pumps: uptake and performance
//!   modelling of market-available devices", Renewable and Sustainable Energy Reviews 137
//!   (2021) 110646, who find second-law efficiencies of 0.4-0.6), or a quadratic curve of the
//!   lift `COP = c0 + c1 dT + c2 dT^2` from a data sheet. Condensing at the reuse supply plus an
//!   approach, evaporating at the cooled source water minus an approach; lift floored at 5 K.
//! - Demand: constant, an hourly profile (for example read from a CSV file with
//!   [`HeatDemand::profile_from_csv`]), or the degree-day (degree-hour) method of ASHRAE
//!   Handbook Fundamentals 2017 ch. 19 "Energy Estimating and Modeling Methods": space-heating
//!   load proportional to `T_balance - T_outdoor` when positive, reaching the design load at the
//!   design outdoor temperature, plus a constant base (domestic hot water).
//! - Metrics: ERE `= (facility energy - reused energy) / IT energy` (The Green Grid, White
//!   Paper 29, "ERE: a metric for measuring the benefit of reuse energy from a data center",
//!   2010) and ERF `= reused energy / facility energy` (ISO/IEC 30134-6:2021).
//!
//! In series: the exchanger preheats the reuse water from `return_temp_c` to
//! `min(source - approach, supply_temp_c)`; the heat pump lifts it the rest of the way, its
//! evaporator cooling the source water further. The heat taken from the data centre (the
//! "reused" energy: exchanger plus evaporator) never exceeds the available heat nor the
//! demand; what is not taken goes to the heat-rejection plant.

use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::{ConfigIssue, Severity};

/// Errors building a heat-reuse model or reading its demand.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeatReuseError {
    /// The configuration has errors (warnings are not fatal).
    #[error("invalid heat-reuse configuration: {}", .0.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("; "))]
    InvalidConfig(Vec<ConfigIssue>),
    /// A line of a demand CSV is not a number (or `hour,demand_w`).
    #[error("heat demand CSV line {line}: {reason}")]
    Csv {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// How the heat pump's COP is found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeatPumpConfig {
    /// Fraction of the Carnot COP (second-law efficiency), - (0.1..0.9). Default 0.5.
    pub carnot_fraction: f64,
    /// Optional COP curve of the lift `T_cond - T_evap` in K: `[c0, c1, c2]` for
    /// `c0 + c1 dT + c2 dT^2`; replaces the Carnot fraction when given. Default: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cop_curve_lift_k: Option<[f64; 3]>,
    /// Condensing temperature above the reuse supply, K (0..15). Default 3.
    pub condenser_approach_k: f64,
    /// Evaporating temperature below the source water leaving the evaporator, K (0..15).
    /// Default 3.
    pub evaporator_approach_k: f64,
    /// Largest heat the heat pump delivers (condenser), W (> 0). Default: none (unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_w: Option<f64>,
}

impl Default for HeatPumpConfig {
    fn default() -> Self {
        HeatPumpConfig {
            carnot_fraction: 0.5,
            cop_curve_lift_k: None,
            condenser_approach_k: 3.0,
            evaporator_approach_k: 3.0,
            capacity_w: None,
        }
    }
}

impl HeatPumpConfig {
    /// COP (heating: condenser heat / electric power) between the reuse supply
    /// `supply_c` and source water leaving the evaporator at `source_out_c`, W/W (>= 1).
    pub fn cop(&self, supply_c: f64, source_out_c: f64) -> f64 {
        let t_cond_k = supply_c + self.condenser_approach_k + 273.15;
        let t_evap_k = source_out_c - self.evaporator_approach_k + 273.15;
        let lift_k = (t_cond_k - t_evap_k).max(5.0);
        let cop = match self.cop_curve_lift_k {
            Some([c0, c1, c2]) => c0 + lift_k * (c1 + lift_k * c2),
            None => self.carnot_fraction * t_cond_k / lift_k,
        };
        if cop.is_finite() {
            cop.max(1.0)
        } else {
            1.0
        }
    }
}

/// The reuse consumer's heat demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum HeatDemand {
    /// Always the same.
    Constant {
        /// Demand, W (>= 0).
        demand_w: f64,
    },
    /// Hourly values over the year, repeated (hour of year modulo the length).
    Profile {
        /// Demand of each hour, W (>= 0).
        hourly_w: Vec<f64>,
    },
    /// Degree-hour method (module doc).
    DegreeDays {
        /// Space-heating demand at the design outdoor temperature, W (>= 0).
        design_demand_w: f64,
        /// Balance (base) temperature below which the consumer heats, C. Default 15.5.
        #[serde(default = "default_balance_c")]
        balance_temp_c: f64,
        /// Design outdoor temperature, C (below the balance temperature). Default -10.
        #[serde(default = "default_design_c")]
        design_outdoor_c: f64,
        /// Demand at any outdoor temperature (domestic hot water), W (>= 0). Default 0.
        #[serde(default)]
        base_demand_w: f64,
    },
}

fn default_balance_c() -> f64 {
    15.5
}
fn default_design_c() -> f64 {
    -10.0
}

impl Default for HeatDemand {
    fn default() -> Self {
        HeatDemand::Constant { demand_w: 0.0 }
    }
}

impl HeatDemand {
    /// Demand at `hour_of_year` with outdoor dry bulb `outdoor_c`, W (>= 0).
    pub fn demand_w(&self, hour_of_year: usize, outdoor_c: f64) -> f64 {
        let d = match self {
            HeatDemand::Constant { demand_w } => *demand_w,
            HeatDemand::Profile { hourly_w } => {
                if hourly_w.is_empty() {
                    0.0
                } else {
                    hourly_w[hour_of_year % hourly_w.len()]
                }
            }
            HeatDemand::DegreeDays {
                design_demand_w,
                balance_temp_c,
                design_outdoor_c,
                base_demand_w,
            } => {
                let span = balance_temp_c - design_outdoor_c;
                let x = if span > 0.0 && outdoor_c.is_finite() {
                    ((balance_temp_c - outdoor_c) / span).max(0.0)
                } else {
                    0.0
                };
                base_demand_w + design_demand_w * x
            }
        };
        if d.is_finite() {
            d.max(0.0)
        } else {
            0.0
        }
    }

    /// An hourly profile from CSV text: one value per line (W), or `hour,demand_w` lines in
    /// hour order; `#` comments, blank lines and a non-numeric first line (header) skipped.
    pub fn profile_from_csv(text: &str) -> Result<Self, HeatReuseError> {
        let mut hourly_w = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let field = l.rsplit(',').next().unwrap_or(l).trim();
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => hourly_w.push(v),
                Ok(v) => {
                    return Err(HeatReuseError::Csv {
                        line: i + 1,
                        reason: format!("demand {v} W must be finite and >= 0"),
                    })
                }
                Err(_) if hourly_w.is_empty() => continue, // header
                Err(e) => {
                    return Err(HeatReuseError::Csv {
                        line: i + 1,
                        reason: format!("`{field}`: {e}"),
                    })
                }
            }
        }
        if hourly_w.is_empty() {
            return Err(HeatReuseError::Csv {
                line: 0,
                reason: "no demand values".to_owned(),
            });
        }
        Ok(HeatDemand::Profile { hourly_w })
    }

    fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        match self {
            HeatDemand::Constant { demand_w } => {
                check_range(&mut v, "demand_w", *demand_w, 0.0, f64::MAX, "W")
            }
            HeatDemand::Profile { hourly_w } => {
                if hourly_w.is_empty() {
                    v.push(ConfigIssue::error(
                        "hourly_w",
                        "expected at least one value",
                    ));
                }
                if let Some(i) = hourly_w.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
                    v.push(ConfigIssue::error(
                        format!("hourly_w[{i}]"),
                        "demand must be finite and >= 0 W",
                    ));
                }
            }
            HeatDemand::DegreeDays {
                design_demand_w,
                balance_temp_c,
                design_outdoor_c,
                base_demand_w,
            } => {
                check_range(
                    &mut v,
                    "design_demand_w",
                    *design_demand_w,
                    0.0,
                    f64::MAX,
                    "W",
                );
                check_range(&mut v, "base_demand_w", *base_demand_w, 0.0, f64::MAX, "W");
                check_range(&mut v, "balance_temp_c", *balance_temp_c, -10.0, 30.0, "C");
                if !(design_outdoor_c.is_finite() && *design_outdoor_c < *balance_temp_c) {
                    v.push(ConfigIssue::error(
                        "design_outdoor_c",
                        format!(
                            "{design_outdoor_c} C must be below the balance temperature {balance_temp_c} C"
                        ),
                    ));
                }
            }
        }
        v
    }
}

/// Configuration of a heat-reuse connection (`[reuse]`-style table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeatReuseConfig {
    /// Supply temperature the reuse loop requires, C (20..95). Default 55 (low-temperature
    /// district heating).
    pub supply_temp_c: f64,
    /// Temperature of the reuse loop's water returning to the exchanger, C (below the
    /// supply). Default 35.
    pub return_temp_c: f64,
    /// Exchanger approach: reuse water leaves at most this far below the source water, K
    /// (0.5..20). Default 3.
    pub exchanger_approach_k: f64,
    /// Heat pump for the lift; none: only what the exchanger reaches is reused (and then only
    /// when it reaches the supply temperature). Default: a heat pump with the defaults of
    /// [`HeatPumpConfig`].
    pub heat_pump: Option<HeatPumpConfig>,
    /// The consumer's demand. Default: constant 0 W.
    pub demand: HeatDemand,
}

impl Default for HeatReuseConfig {
    fn default() -> Self {
        HeatReuseConfig {
            supply_temp_c: 55.0,
            return_temp_c: 35.0,
            exchanger_approach_k: 3.0,
            heat_pump: Some(HeatPumpConfig::default()),
            demand: HeatDemand::default(),
        }
    }
}

impl HeatReuseConfig {
    /// All problems of this configuration.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_range(&mut v, "supply_temp_c", self.supply_temp_c, 20.0, 95.0, "C");
        check_range(&mut v, "return_temp_c", self.return_temp_c, 5.0, 90.0, "C");
        if v.is_empty() && self.return_temp_c >= self.supply_temp_c {
            v.push(ConfigIssue::error(
                "return_temp_c",
                format!(
                    "{} C must be below supply_temp_c {} C",
                    self.return_temp_c, self.supply_temp_c
                ),
            ));
        }
        check_range(
            &mut v,
            "exchanger_approach_k",
            self.exchanger_approach_k,
            0.5,
            20.0,
            "K",
        );
        if let Some(hp) = &self.heat_pump {
            let mut h = Vec::new();
            if hp.cop_curve_lift_k.is_none() {
                check_range(&mut h, "carnot_fraction", hp.carnot_fraction, 0.1, 0.9, "-");
            } else if let Some(c) = hp.cop_curve_lift_k {
                if c.iter().any(|x| !x.is_finite()) {
                    h.push(ConfigIssue::error(
                        "cop_curve_lift_k",
                        "coefficients must be finite",
                    ));
                }
            }
            check_range(
                &mut h,
                "condenser_approach_k",
                hp.condenser_approach_k,
                0.0,
                15.0,
                "K",
            );
            check_range(
                &mut h,
                "evaporator_approach_k",
                hp.evaporator_approach_k,
                0.0,
                15.0,
                "K",
            );
            if let Some(c) = hp.capacity_w {
                check_positive(&mut h, "capacity_w", c, "W");
            }
            v.extend(h.into_iter().map(|i| i.prefixed("heat_pump")));
        }
        v.extend(
            self.demand
                .validate()
                .into_iter()
                .map(|i| i.prefixed("demand")),
        );
        v
    }
}

/// What the site offers the reuse connection for one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReuseRequest {
    /// Heat the data centre's return water carries and could give up, W (IT heat and pump
    /// heat reaching the loop).
    pub available_heat_w: f64,
    /// Temperature of that return water entering the reuse exchanger, C.
    pub source_temp_c: f64,
    /// Outdoor dry bulb (for a degree-day demand), C.
    pub outdoor_dry_bulb_c: f64,
    /// Hour of the year (for a profile demand), 0-based.
    pub hour_of_year: usize,
}

/// What the reuse connection did over one step (powers are averages).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReuseStep {
    /// Consumer demand this step, W.
    pub demand_w: f64,
    /// Heat delivered to the reuse loop at its supply temperature (exchanger + heat-pump
    /// condenser), W (<= demand).
    pub delivered_w: f64,
    /// Heat taken from the data centre (exchanger + heat-pump evaporator), W: the reused
    /// energy of ERE / ERF (<= available heat and <= demand).
    pub reused_w: f64,
    /// Of `reused_w`: through the exchanger directly, W.
    pub exchanger_w: f64,
    /// Heat-pump condenser heat, W.
    pub heat_pump_heat_w: f64,
    /// Heat-pump electric power, W (facility energy).
    pub heat_pump_power_w: f64,
    /// Heat-pump COP (heating), W/W (0 when off).
    pub heat_pump_cop: f64,
    /// Available heat not reused, left to the heat-rejection plant, W.
    pub to_plant_w: f64,
    /// Demand not met, W.
    pub unmet_demand_w: f64,
}

/// The heat-reuse connection.
#[derive(Debug, Clone)]
pub struct HeatReuse {
    cfg: HeatReuseConfig,
}

impl HeatReuse {
    /// Build from `cfg`; fails with every configuration error at once.
    pub fn new(cfg: HeatReuseConfig) -> Result<Self, HeatReuseError> {
        let errors: Vec<_> = cfg
            .validate()
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(HeatReuseError::InvalidConfig(errors));
        }
        Ok(HeatReuse { cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &HeatReuseConfig {
        &self.cfg
    }

    /// One step (module doc). Steady state: the model holds no state, `&mut self` leaves room
    /// for storage on the reuse side.
    pub fn step(&mut self, r: &ReuseRequest) -> ReuseStep {
        let c = &self.cfg;
        let demand_w = c.demand.demand_w(r.hour_of_year, r.outdoor_dry_bulb_c);
        let available_w = if r.available_heat_w.is_finite() {
            r.available_heat_w.max(0.0)
        } else {
            0.0
        };
        let mut out = ReuseStep {
            demand_w,
            to_plant_w: available_w,
            unmet_demand_w: demand_w,
            ..ReuseStep::default()
        };
        if demand_w <= 0.0 || available_w <= 0.0 || !r.source_temp_c.is_finite() {
            return out;
        }
        let span_k = c.supply_temp_c - c.return_temp_c;
        // Exchanger preheat: reuse water up to source - approach, at most the supply.
        let preheat_c = (r.source_temp_c - c.exchanger_approach_k).min(c.supply_temp_c);
        let direct_fraction = ((preheat_c - c.return_temp_c) / span_k).clamp(0.0, 1.0);
        let (cop, hp_limit_w) = match &c.heat_pump {
            Some(hp) if direct_fraction < 1.0 => {
                // The evaporator cools the source water; it leaves about the exchanger's
                // approach above the reuse return (the source side's coldest point).
                let source_out_c = (c.return_temp_c + c.exchanger_approach_k).min(r.source_temp_c);
                (
                    hp.cop(c.supply_temp_c, source_out_c),
                    hp.capacity_w.unwrap_or(f64::INFINITY),
                )
            }
            _ => (f64::INFINITY, 0.0),
        };
        if c.heat_pump.is_none() && direct_fraction < 1.0 {
            // Without a heat pump the loop cannot be brought to its supply temperature.
            return out;
        }
        // Per W delivered: direct f, heat pump (1 - f) of which (1 - 1/COP) from the source.
        let hp_share = 1.0 - direct_fraction;
        let evap_per_w = if hp_share > 0.0 {
            hp_share * (1.0 - 1.0 / cop)
        } else {
            0.0
        };
        let source_per_w = direct_fraction + evap_per_w;
        let mut delivered = demand_w;
        if source_per_w > 0.0 {
            delivered = delivered.min(available_w / source_per_w);
        }
        if hp_share > 0.0 {
            delivered = delivered.min(hp_limit_w / hp_share);
        }
        let hp_heat = hp_share * delivered;
        out.delivered_w = delivered;
        out.exchanger_w = direct_fraction * delivered;
        out.heat_pump_heat_w = hp_heat;
        if hp_heat > 0.0 {
            out.heat_pump_power_w = hp_heat / cop;
            out.heat_pump_cop = cop;
        }
        out.reused_w = (out.exchanger_w + hp_heat - out.heat_pump_power_w)
            .min(available_w)
            .min(demand_w);
        out.to_plant_w = available_w - out.reused_w;
        out.unmet_demand_w = (demand_w - delivered).max(0.0);
        out
    }
}

/// Energy Reuse Effectiveness `(facility - reused) / IT`, - (The Green Grid WP 29); NaN
/// without IT energy.
pub fn ere(facility_energy_j: f64, reused_energy_j: f64, it_energy_j: f64) -> f64 {
    if it_energy_j > 0.0 {
        (facility_energy_j - reused_energy_j) / it_energy_j
    } else {
        f64::NAN
    }
}

/// Energy Reuse Factor `reused / facility`, - (ISO/IEC 30134-6); NaN without facility energy.
pub fn erf(facility_energy_j: f64, reused_energy_j: f64) -> f64 {
    if facility_energy_j > 0.0 {
        reused_energy_j / facility_energy_j
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reuse(demand_w: f64, supply_c: f64) -> HeatReuse {
        HeatReuse::new(HeatReuseConfig {
            supply_temp_c: supply_c,
            demand: HeatDemand::Constant { demand_w },
            ..HeatReuseConfig::default()
        })
        .expect("valid")
    }

    fn req(available_w: f64, source_c: f64) -> ReuseRequest {
        ReuseRequest {
            available_heat_w: available_w,
            source_temp_c: source_c,
            outdoor_dry_bulb_c: 0.0,
            hour_of_year: 0,
        }
    }

    #[test]
    fn reused_never_exceeds_available_or_demand_and_energy_balances() {
        for &demand in &[0.0, 1e5, 5e5, 1e6, 3e6] {
            for &avail in &[0.0, 2e5, 1e6, 2e6] {
                for &src in &[25.0, 40.0, 45.0, 60.0, 70.0] {
                    let s = reuse(demand, 55.0).step(&req(avail, src));
                    assert!(
                        s.reused_w <= avail + 1e-9 && s.reused_w <= demand + 1e-9,
                        "{s:?}"
                    );
                    assert!(s.delivered_w <= demand + 1e-9);
                    // Delivered = exchanger + condenser; condenser = evaporator + power.
                    assert!(
                        (s.delivered_w - (s.reused_w + s.heat_pump_power_w)).abs()
                            < 1e-9 * demand.max(1.0)
                    );
                    assert!((s.reused_w + s.to_plant_w - avail).abs() < 1e-9 * avail.max(1.0));
                    assert!(s.unmet_demand_w >= 0.0);
                }
            }
        }
    }

    #[test]
    fn hot_source_is_direct_cold_source_needs_the_heat_pump() {
        // Return water at 62 C (e.g. warm-water liquid cooling) into a 55 C loop: direct.
        let s = reuse(1e6, 55.0).step(&req(2e6, 62.0));
        assert_eq!(s.heat_pump_power_w, 0.0);
        assert!((s.reused_w - 1e6).abs() < 1e-6);
        // Reuse loop hotter than the return water (45 C into 55 C): heat pump lift, power shows.
        let s = reuse(1e6, 55.0).step(&req(2e6, 45.0));
        assert!(s.heat_pump_power_w > 0.0 && s.heat_pump_heat_w > 0.0);
        assert!(s.exchanger_w > 0.0, "the exchanger still preheats");
        assert!((s.delivered_w - 1e6).abs() < 1e-6);
        // Without a heat pump that loop gets nothing.
        let mut none = HeatReuse::new(HeatReuseConfig {
            heat_pump: None,
            demand: HeatDemand::Constant { demand_w: 1e6 },
            ..HeatReuseConfig::default()
        })
        .expect("valid");
        let s = none.step(&req(2e6, 45.0));
        assert_eq!(s.reused_w, 0.0);
        assert_eq!(s.to_plant_w, 2e6);
    }

    #[test]
    fn carnot_cop_and_curve() {
        let hp = HeatPumpConfig::default();
        // Condensing 58 C, evaporating 35 C: 0.5 * 331.15 / 23 = 7.20.
        let cop = hp.cop(55.0, 38.0);
        assert!((cop - 0.5 * 331.15 / 23.0).abs() < 1e-9, "{cop}");
        // Higher lift, lower COP.
        assert!(hp.cop(70.0, 20.0) < cop);
        let curve = HeatPumpConfig {
            cop_curve_lift_k: Some([8.0, -0.1, 0.0]),
            ..HeatPumpConfig::default()
        };
        assert!((curve.cop(55.0, 38.0) - (8.0 - 2.3)).abs() < 1e-9);
    }

    #[test]
    fn ere_falls_as_demand_rises() {
        // 1 MW IT, facility 1.3 MW before the heat pump; return water at 40 C into 55 C.
        let mut last = f64::INFINITY;
        for demand in [0.0, 2e5, 4e5, 8e5, 1.2e6] {
            let s = reuse(demand, 55.0).step(&req(1e6, 40.0));
            let facility = 1.3e6 + s.heat_pump_power_w;
            let e = ere(facility, s.reused_w, 1e6);
            assert!(e < last || demand == 0.0, "{demand}: {e}");
            last = e;
            assert!(erf(facility, s.reused_w) <= 1.0);
        }
    }

    #[test]
    fn degree_day_and_profile_demand() {
        let d = HeatDemand::DegreeDays {
            design_demand_w: 1e6,
            balance_temp_c: 15.5,
            design_outdoor_c: -10.0,
            base_demand_w: 1e5,
        };
        assert_eq!(d.demand_w(0, 20.0), 1e5);
        assert!((d.demand_w(0, -10.0) - 1.1e6).abs() < 1e-6);
        assert!((d.demand_w(0, 2.75) - 6e5).abs() < 1e-6);
        assert!(d.demand_w(0, -5.0) > d.demand_w(0, 5.0));
        let p = HeatDemand::profile_from_csv("hour,demand_w\n0,100\n1,200\n# c\n2,300\n")
            .expect("valid CSV");
        assert_eq!(p.demand_w(1, 0.0), 200.0);
        assert_eq!(p.demand_w(4, 0.0), 200.0);
        assert!(matches!(
            HeatDemand::profile_from_csv("100\nabc\n"),
            Err(HeatReuseError::Csv { line: 2, .. })
        ));
        assert!(HeatDemand::profile_from_csv("100\n-5\n").is_err());
        let toml_cfg: HeatReuseConfig = toml::from_str(
            r#"
            supply_temp_c = 60.0
            [demand]
            kind = "degree_days"
            design_demand_w = 5e5
            [heat_pump]
            carnot_fraction = 0.45
            "#,
        )
        .expect("parses");
        assert!(toml_cfg.validate().is_empty());
        let bad = HeatReuseConfig {
            return_temp_c: 60.0,
            ..HeatReuseConfig::default()
        };
        assert!(matches!(
            HeatReuse::new(bad),
            Err(HeatReuseError::InvalidConfig(_))
        ));
    }

    #[test]
    fn heat_pump_capacity_limits_delivery() {
        let mut r = HeatReuse::new(HeatReuseConfig {
            heat_pump: Some(HeatPumpConfig {
                capacity_w: Some(2e5),
                ..HeatPumpConfig::default()
            }),
            demand: HeatDemand::Constant { demand_w: 1e6 },
            ..HeatReuseConfig::default()
        })
        .expect("valid");
        let s = r.step(&req(2e6, 45.0));
        assert!((s.heat_pump_heat_w - 2e5).abs() < 1e-6);
        assert!(s.unmet_demand_w > 0.0);
    }
}
