//! Indirect evaporative cooler (IEC) for data-hall air with dry, wet and hybrid modes
//! (ASHRAE Handbook HVAC Systems and Equipment 2020, ch. 41 "Evaporative Air-Cooling Equipment":
//! indirect units cool the primary (hall) air through a plate exchanger whose secondary
//! (scavenger) side is outdoor air, dry or wetted; wet-bulb depression efficiency 0.6-0.8).
//!
//! - dry mode: `T_out = T_ret - eps_dry (T_ret - T_db)`;
//! - wet mode: `T_out = T_ret - eps_wb (T_ret - T_wb)`; evaporated water = heat / latent heat,
//!   blowdown = evaporation / (cycles - 1);
//! - hybrid: wet mode plus a DX trim coil ([`crate::dx::DxUnit`]) for the rest of the load.
//!
//! The unit runs dry when dry mode meets the load, otherwise wet, otherwise hybrid. When the
//! exchanger has more capacity than needed the scavenger fan slows; capacity is taken as
//! proportional to scavenger flow (a linearisation) and fan power follows the affinity law.

use crate::dx::{DxUnit, DxUnitConfig};
use crate::psychro::LATENT_HEAT_J_KG;
use crate::CP_AIR_J_KG_K;
use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::ConfigIssue;

/// Configuration of one IEC unit (all units identical).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IecConfig {
    /// Nominal cooling capacity of one unit (for sizing checks and the DX trim), W. Default 400,000.
    pub capacity_w: f64,
    /// Dry-bulb effectiveness in dry mode, -. Default 0.55.
    pub dry_effectiveness: f64,
    /// Wet-bulb depression efficiency in wet mode, -. Default 0.75.
    pub wet_bulb_effectiveness: f64,
    /// Scavenger fan power of one unit at full speed, W. Default 10,000.
    pub fan_power_w: f64,
    /// Cycles of concentration of the spray water, -. Default 3.
    pub cycles_of_concentration: f64,
    /// DX trim coil of one unit. Default: 40 % of the unit's default capacity, COP 3.5.
    pub trim_dx: DxUnitConfig,
}

impl Default for IecConfig {
    fn default() -> Self {
        IecConfig {
            capacity_w: 400_000.0,
            dry_effectiveness: 0.55,
            wet_bulb_effectiveness: 0.75,
            fan_power_w: 10_000.0,
            cycles_of_concentration: 3.0,
            trim_dx: DxUnitConfig {
                capacity_w: 160_000.0,
                ..DxUnitConfig::default()
            },
        }
    }
}

impl IecConfig {
    /// All problems of this configuration.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_positive(&mut v, "capacity_w", self.capacity_w, "W");
        check_range(
            &mut v,
            "dry_effectiveness",
            self.dry_effectiveness,
            0.0,
            1.0,
            "-",
        );
        check_range(
            &mut v,
            "wet_bulb_effectiveness",
            self.wet_bulb_effectiveness,
            0.0,
            1.0,
            "-",
        );
        check_range(&mut v, "fan_power_w", self.fan_power_w, 0.0, f64::MAX, "W");
        if !(self.cycles_of_concentration.is_finite() && self.cycles_of_concentration > 1.0) {
            v.push(ConfigIssue::error(
                "cycles_of_concentration",
                format!("{} must be greater than 1", self.cycles_of_concentration),
            ));
        }
        v.extend(
            self.trim_dx
                .validate()
                .into_iter()
                .map(|i| i.prefixed("trim_dx")),
        );
        v
    }
}

/// Which way the IEC ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IecMode {
    /// Nothing to do (no load).
    Off,
    /// Dry heat exchange only.
    Dry,
    /// Wetted secondary side.
    Wet,
    /// Wet plus DX trim.
    Hybrid,
}

/// Operating point of a bank of IEC units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IecOutput {
    /// Mode.
    pub mode: IecMode,
    /// Heat removed by the exchanger, W.
    pub exchanger_w: f64,
    /// Heat removed by the DX trim, W.
    pub trim_w: f64,
    /// DX trim electric power, W.
    pub trim_power_w: f64,
    /// Scavenger fan power, W.
    pub fan_power_w: f64,
    /// Heat rejected outdoors (exchanger + DX condenser), W.
    pub heat_rejected_w: f64,
    /// Spray water (evaporation + blowdown) over the step, kg.
    pub water_kg: f64,
    /// Load not met, W.
    pub unmet_w: f64,
}

/// A bank of identical IEC units.
#[derive(Debug, Clone)]
pub struct IndirectEvaporativeCooler {
    cfg: IecConfig,
    trim: DxUnit,
}

impl IndirectEvaporativeCooler {
    /// A bank of `cfg`.
    pub fn new(cfg: IecConfig) -> Self {
        let trim = DxUnit::new(cfg.trim_dx.clone());
        IndirectEvaporativeCooler { cfg, trim }
    }

    /// Remove `load_w` from hall air returning at `return_air_c` with `air_kg_s`, with `available`
    /// units and outdoor `dry_bulb_c`/`wet_bulb_c`, over `dt_s`.
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &self,
        load_w: f64,
        return_air_c: f64,
        air_kg_s: f64,
        dry_bulb_c: f64,
        wet_bulb_c: f64,
        available: u32,
        dt_s: f64,
    ) -> IecOutput {
        let load_w = load_w.max(0.0);
        let mut out = IecOutput {
            mode: IecMode::Off,
            exchanger_w: 0.0,
            trim_w: 0.0,
            trim_power_w: 0.0,
            fan_power_w: 0.0,
            heat_rejected_w: 0.0,
            water_kg: 0.0,
            unmet_w: load_w,
        };
        if load_w <= 0.0 || available == 0 || air_kg_s <= 0.0 {
            return out;
        }
        let c = air_kg_s * CP_AIR_J_KG_K;
        let dry_w = (self.cfg.dry_effectiveness * c * (return_air_c - dry_bulb_c)).max(0.0);
        let wet_w = (self.cfg.wet_bulb_effectiveness * c * (return_air_c - wet_bulb_c)).max(0.0);
        let fan_full = self.cfg.fan_power_w * available as f64;
        let (mode, ex_w, fan_w) = if dry_w >= load_w {
            let f = load_w / dry_w;
            (IecMode::Dry, load_w, fan_full * f.powi(3))
        } else if wet_w >= load_w {
            let f = load_w / wet_w;
            (IecMode::Wet, load_w, fan_full * f.powi(3))
        } else if wet_w > dry_w {
            (IecMode::Hybrid, wet_w, fan_full)
        } else {
            (IecMode::Hybrid, dry_w, fan_full)
        };
        out.mode = mode;
        out.exchanger_w = ex_w;
        out.fan_power_w = fan_w;
        let wet = matches!(mode, IecMode::Wet) || (mode == IecMode::Hybrid && wet_w > dry_w);
        if wet {
            let evap = ex_w / LATENT_HEAT_J_KG * dt_s;
            out.water_kg = evap * (1.0 + 1.0 / (self.cfg.cycles_of_concentration - 1.0));
        }
        let rest = load_w - ex_w;
        let mut trim_heat = 0.0;
        if rest > 0.0 {
            let after_c = return_air_c - ex_w / c;
            let dx = self.trim.run(rest, after_c, dry_bulb_c, available);
            out.trim_w = dx.cooling_w;
            out.trim_power_w = dx.power_w;
            trim_heat = dx.condenser_heat_w;
        }
        out.unmet_w = (load_w - ex_w - out.trim_w).max(0.0);
        out.heat_rejected_w = ex_w + trim_heat;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank() -> IndirectEvaporativeCooler {
        IndirectEvaporativeCooler::new(IecConfig::default())
    }

    #[test]
    fn modes_follow_weather() {
        let iec = bank();
        // 100 kg/s of hall air returning at 36 C, 1 MW (about a 10 K drop).
        let cold = iec.run(1e6, 36.0, 100.0, 5.0, 2.0, 4, 60.0);
        assert_eq!(cold.mode, IecMode::Dry);
        assert_eq!(cold.water_kg, 0.0);
        let mild = iec.run(1e6, 36.0, 100.0, 25.0, 15.0, 4, 60.0);
        assert_eq!(mild.mode, IecMode::Wet);
        assert!(mild.water_kg > 0.0);
        let hot = iec.run(1e6, 36.0, 100.0, 38.0, 28.0, 4, 60.0);
        assert_eq!(hot.mode, IecMode::Hybrid);
        assert!(hot.trim_power_w > 0.0);
    }

    #[test]
    fn conservation_and_water() {
        let iec = bank();
        for &(db, wb) in &[(5.0, 2.0), (25.0, 15.0), (38.0, 28.0)] {
            let o = iec.run(1e6, 36.0, 100.0, db, wb, 4, 60.0);
            assert!((o.exchanger_w + o.trim_w + o.unmet_w - 1e6).abs() < 1e-6);
            assert!((o.heat_rejected_w - (o.exchanger_w + o.trim_w + o.trim_power_w)).abs() < 1e-6);
        }
        // Wet mode water: 1 MW evaporates 1e6 / 2.454e6 kg/s; with 3 cycles x1.5 including blowdown.
        let o = iec.run(1e6, 36.0, 100.0, 25.0, 15.0, 4, 60.0);
        assert!((o.water_kg - 1e6 / LATENT_HEAT_J_KG * 60.0 * 1.5).abs() < 1e-9);
    }

    #[test]
    fn exchanger_never_beats_wet_bulb() {
        let iec = bank();
        let o = iec.run(1e7, 36.0, 100.0, 30.0, 20.0, 4, 60.0);
        // Air can be cooled at most to the wet bulb by the exchanger.
        assert!(o.exchanger_w <= 100.0 * CP_AIR_J_KG_K * (36.0 - 20.0));
    }
}
