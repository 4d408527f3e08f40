//! The power chain from the utility transformer to the server input, its conversion losses and
//! where each loss is dissipated.
//!
//! Three architectures ([`ChainArchitecture`]):
//! - `ac_ups`: transformer -> UPS (double conversion or ECO) -> PDU -> server PSU -> IT;
//! - `hvdc`: transformer -> 240/336 V DC rectifier -> DC distribution -> server PSU -> IT
//!   (China's YD/T 2378 240 V HVDC, the 336 V variant of the Open Data Center Committee);
//! - `rack_power_shelf`: transformer -> PDU -> rack power shelf (AC -> 48/54 V DC busbar) with
//!   battery backup units in the rack -> IT (Open Compute Open Rack V3; the ODCC Green
//!   Computing white paper 2023 reports ~96 % system efficiency for this distributed supply).
//!   There is no server AC PSU: each server takes DC from the busbar through a DC front end
//!   (48/54 V -> 12 V intermediate bus converter). The IT model gives AC wall power (SPECpower
//!   is metered at the AC input of the server's PSU), so the site runner turns it into busbar
//!   power with [`PowerChain::server_input_factor`]: `P_busbar = P_ac * eta_psu / eta_dc_fe`,
//!   the AC PSU's loss removed and the DC front end's loss added.
//!
//! Sources: transformer loss = no-load loss + full-load loss * (load / rated)^2 as in the
//! EnergyPlus Engineering Reference, "Electric Load Center Transformers" (IEEE C57.12.00 loss
//! definitions); converter efficiencies from [`crate::curves`].

use crate::curves::{EfficiencyCurve, PsuEfficiencyCurve, UpsEfficiencyCurve};
use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::ConfigIssue;

/// The UPS operating mode is the choice of its efficiency curve.
pub type UpsMode = UpsEfficiencyCurve;

/// Which conversion chain feeds the IT load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ChainArchitecture {
    /// Central AC UPS, PDU, server PSU.
    #[default]
    AcUps,
    /// High-voltage DC rectifier (240 or 336 V), DC distribution, server PSU.
    Hvdc,
    /// Rack power shelves with battery backup units, no server PSU.
    RackPowerShelf,
}

/// Module redundancy of a converter stage: how many modules are installed for `N` needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Redundancy {
    /// Exactly the modules needed.
    #[serde(rename = "n")]
    N,
    /// One spare module sharing the load.
    #[default]
    #[serde(rename = "n+1")]
    NPlus1,
    /// Two complete systems sharing the load.
    #[serde(rename = "2n")]
    TwoN,
}

impl Redundancy {
    /// Installed modules for `required` needed modules.
    pub fn installed(self, required: u32) -> u32 {
        match self {
            Redundancy::N => required,
            Redundancy::NPlus1 => required + 1,
            Redundancy::TwoN => 2 * required,
        }
    }
}

/// Where "IT energy" is metered for PUE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MeteringBoundary {
    /// UPS (or rectifier) output: PDU and shelf losses count as IT.
    UpsOutput,
    /// PDU output: rack power-shelf losses count as IT, PDU losses do not.
    PduOutput,
    /// Server input: wall power including the PSU loss (`ac_ups`, `hvdc`); for
    /// `rack_power_shelf` the servers' DC busbar input (DC front-end loss included).
    #[default]
    ServerInput,
}

/// The space in which a loss is dissipated as heat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossSpace {
    /// Electrical room (transformer, UPS, rectifiers, central batteries).
    ElectricalRoom,
    /// White space (PDUs, rack power shelves, rack batteries).
    WhiteSpace,
}

/// Medium-voltage transformer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Transformer {
    /// Rated apparent power in VA. Default 3,000,000 (3 MVA).
    pub rated_power_va: f64,
    /// Power factor of the load, used to turn real power into apparent power (-). Default 0.95.
    pub power_factor: f64,
    /// No-load (core) loss in W, present whenever energised. Default 3,500 W.
    pub no_load_loss_w: f64,
    /// Load (winding) loss at rated load in W; scales with (load / rated)^2. Default 24,000 W.
    /// (Defaults are typical of a 3 MVA dry-type unit meeting the US DOE 2016 efficiency level
    /// of ~99.2 % at 50 % load, 10 CFR 431.196.)
    pub full_load_loss_w: f64,
}

impl Default for Transformer {
    fn default() -> Self {
        Transformer {
            rated_power_va: 3.0e6,
            power_factor: 0.95,
            no_load_loss_w: 3_500.0,
            full_load_loss_w: 24_000.0,
        }
    }
}

impl Transformer {
    /// Loss in W when the secondary delivers `output_w` of real power.
    pub fn loss_w(&self, output_w: f64) -> f64 {
        let frac = output_w.abs() / (self.rated_power_va * self.power_factor);
        self.no_load_loss_w + self.full_load_loss_w * frac * frac
    }

    /// Primary (utility) input in W for a secondary demand of `output_w` (negative: zero
    /// output, the transformer only draws its no-load loss).
    pub fn input_for_output_w(&self, output_w: f64) -> f64 {
        let out = output_w.max(0.0);
        out + self.loss_w(out)
    }

    /// Secondary output in W that draws `input_w` at the primary: the inverse of
    /// [`Self::input_for_output_w`], solving `out + a + b out^2 = input` in closed form
    /// (0 when `input_w` does not cover the no-load loss).
    pub fn output_for_input_w(&self, input_w: f64) -> f64 {
        let s = self.rated_power_va * self.power_factor;
        let b = self.full_load_loss_w / (s * s);
        let x = input_w - self.no_load_loss_w;
        if x <= 0.0 {
            0.0
        } else {
            2.0 * x / (1.0 + (1.0 + 4.0 * b * x).sqrt())
        }
    }

    fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_positive(&mut v, "rated_power_va", self.rated_power_va, "VA");
        check_range(&mut v, "power_factor", self.power_factor, 0.01, 1.0, "-");
        check_range(
            &mut v,
            "no_load_loss_w",
            self.no_load_loss_w,
            0.0,
            f64::MAX,
            "W",
        );
        check_range(
            &mut v,
            "full_load_loss_w",
            self.full_load_loss_w,
            0.0,
            f64::MAX,
            "W",
        );
        if self.no_load_loss_w + self.full_load_loss_w > 0.05 * self.rated_power_va {
            v.push(ConfigIssue::warning(
                "full_load_loss_w",
                "total transformer loss above 5 % of rating is unusual (expected < 2 %)",
            ));
        }
        v
    }
}

/// A modular converter stage (UPS, HVDC rectifier or rack power shelves).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConverterStageConfig {
    /// Rated output power of one module in W. Default 500,000 W.
    pub module_rated_power_w: f64,
    /// Modules needed to carry the design load (N). Default 4.
    pub modules_required: u32,
    /// Redundancy: "n", "n+1" or "2n". Default "n+1". All installed modules share the load, so
    /// more redundancy lowers each module's load fraction and changes its efficiency.
    pub redundancy: Redundancy,
    /// UPS mode / preset curve: "double_conversion", "legacy_double_conversion" or "eco".
    /// Default "double_conversion". Used by the `ac_ups` architecture only.
    pub mode: UpsMode,
    /// Custom `(load_fraction, efficiency)` points replacing the preset. Default none.
    pub custom_curve: Option<EfficiencyCurve>,
}

impl Default for ConverterStageConfig {
    fn default() -> Self {
        ConverterStageConfig {
            module_rated_power_w: 500_000.0,
            modules_required: 4,
            redundancy: Redundancy::NPlus1,
            mode: UpsMode::DoubleConversion,
            custom_curve: None,
        }
    }
}

impl ConverterStageConfig {
    fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_positive(
            &mut v,
            "module_rated_power_w",
            self.module_rated_power_w,
            "W",
        );
        if self.modules_required == 0 {
            v.push(ConfigIssue::error(
                "modules_required",
                "at least one module is needed (N >= 1)",
            ));
        }
        if let Some(c) = &self.custom_curve {
            v.extend(c.validate().into_iter().map(|i| i.prefixed("custom_curve")));
        }
        v
    }
}

/// 240/336 V HVDC rectifier efficiency preset: 25/50/75/100 % -> 95.5/96.5/96.6/96.3 %.
/// Source: representative of high-frequency switch-mode rectifier modules for 240 V DC systems
/// (YD/T 2378-2011 requires >= 95 % above 50 % load; vendor modules publish 96-96.5 %).
pub fn hvdc_rectifier_curve() -> EfficiencyCurve {
    EfficiencyCurve::new(vec![
        (0.25, 0.955),
        (0.5, 0.965),
        (0.75, 0.966),
        (1.0, 0.963),
    ])
}

/// Rack power-shelf (AC -> 54 V DC) efficiency preset: 10/20/50/100 % -> 94.0/96.5/97.5/97.0 %.
/// Source: Open Compute Project, Open Rack V3 PSU specification (peak efficiency >= 97.5 %,
/// 80 PLUS Titanium-class curve shape).
pub fn rack_power_shelf_curve() -> EfficiencyCurve {
    EfficiencyCurve::new(vec![(0.1, 0.94), (0.2, 0.965), (0.5, 0.975), (1.0, 0.97)])
}

/// PDU / distribution losses (cables, breakers and, for AC, the PDU transformer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Pdu {
    /// Total rated output of all PDUs in W. Default 2,000,000 W.
    pub rated_power_w: f64,
    /// Load-independent loss in W (PDU transformers' core loss, monitoring). Default 2,000 W.
    pub no_load_loss_w: f64,
    /// Resistive loss at rated load in W, scaling with (load / rated)^2. Default 20,000 W (1 %).
    pub full_load_loss_w: f64,
}

impl Default for Pdu {
    fn default() -> Self {
        Pdu {
            rated_power_w: 2.0e6,
            no_load_loss_w: 2_000.0,
            full_load_loss_w: 20_000.0,
        }
    }
}

/// Default efficiency of a server's DC front end behind rack power shelves (see
/// [`PsuConfig::dc_front_end_efficiency`]).
pub const DEFAULT_DC_FRONT_END_EFFICIENCY: f64 = 0.975;

/// Server power supplies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PsuConfig {
    /// 80 PLUS level: "gold", "platinum" or "titanium". Default "titanium".
    pub level: PsuEfficiencyCurve,
    /// Custom `(load_fraction, efficiency)` points replacing the preset. Default none.
    pub custom_curve: Option<EfficiencyCurve>,
    /// Sum of the nameplate output of all load-sharing PSUs in W (with 1+1 PSUs per server this
    /// is twice the servers' peak). Default 3,200,000 W.
    pub installed_capacity_w: f64,
    /// Efficiency of the servers' DC front end (54/48 V busbar -> 12 V intermediate bus
    /// converter) that replaces the AC PSU on a `rack_power_shelf` site (-). Not used by `ac_ups`
    /// and `hvdc`. Default 0.975.
    ///
    /// Source: fixed-ratio 48 V intermediate bus converters of the two-stage OCP Open Rack V3
    /// power path report peak efficiencies of 98.0 % (8:1) to 98.4 % (4:1) (Flex Power Modules,
    /// "IBC conversion ratios: how to choose between 4:1 and 8:1", citing a 48 V two-stage VRM
    /// study); 97.5 % is taken as the efficiency over a server's operating range, half a point
    /// below the peak.
    pub dc_front_end_efficiency: f64,
}

impl Default for PsuConfig {
    fn default() -> Self {
        PsuConfig {
            level: PsuEfficiencyCurve::Titanium,
            custom_curve: None,
            installed_capacity_w: 3.2e6,
            dc_front_end_efficiency: DEFAULT_DC_FRONT_END_EFFICIENCY,
        }
    }
}

/// The `chain` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChainConfig {
    /// Architecture: "ac_ups", "hvdc" or "rack_power_shelf". Default "ac_ups".
    pub architecture: ChainArchitecture,
    /// Where IT energy is metered: "ups_output", "pdu_output" or "server_input". Default
    /// "server_input".
    pub metering_boundary: MeteringBoundary,
    /// Utility transformer.
    pub transformer: Transformer,
    /// Central converter stage: the UPS (`ac_ups`), the HVDC rectifier (`hvdc`) or the rack
    /// power shelves (`rack_power_shelf`).
    pub converter: ConverterStageConfig,
    /// HVDC bus voltage in V (240 or 336; used by `hvdc`). Distribution I^2R loss scales with
    /// (240 / bus)^2 for the same conductors. Default 240.
    pub hvdc_bus_voltage_v: f64,
    /// PDU / distribution.
    pub pdu: Pdu,
    /// Server PSUs. With `rack_power_shelf` the curve and capacity describe the AC PSUs the
    /// servers' DC front ends replace (the IT model's power is AC wall power behind them), and
    /// `dc_front_end_efficiency` the DC front end.
    pub psu: PsuConfig,
    /// Time constant with which the chain's losses reach the air of the space the gear stands
    /// in (transformer, UPS, PDU enclosures and their surroundings as one lumped thermal
    /// mass), s. The site couples the losses to the cooling through this mass, so a loss is
    /// never handed on as joules divided by the next step. Range 1-3600; default 120 (the
    /// order of a dry-type transformer's enclosure air; IEEE C57.96 gives hours for the
    /// windings, whose heat still reaches the room through the enclosure air).
    pub loss_time_constant_s: f64,
}

impl Default for ChainConfig {
    fn default() -> Self {
        ChainConfig {
            architecture: ChainArchitecture::AcUps,
            metering_boundary: MeteringBoundary::ServerInput,
            transformer: Transformer::default(),
            converter: ConverterStageConfig::default(),
            hvdc_bus_voltage_v: 240.0,
            pdu: Pdu::default(),
            psu: PsuConfig::default(),
            loss_time_constant_s: 120.0,
        }
    }
}

impl ChainConfig {
    /// All problems, paths relative to the `chain` section.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        v.extend(
            self.transformer
                .validate()
                .into_iter()
                .map(|i| i.prefixed("transformer")),
        );
        v.extend(
            self.converter
                .validate()
                .into_iter()
                .map(|i| i.prefixed("converter")),
        );
        check_range(
            &mut v,
            "loss_time_constant_s",
            self.loss_time_constant_s,
            1.0,
            3600.0,
            "s",
        );
        check_range(
            &mut v,
            "hvdc_bus_voltage_v",
            self.hvdc_bus_voltage_v,
            48.0,
            1500.0,
            "V",
        );
        check_positive(&mut v, "pdu.rated_power_w", self.pdu.rated_power_w, "W");
        check_range(
            &mut v,
            "pdu.no_load_loss_w",
            self.pdu.no_load_loss_w,
            0.0,
            f64::MAX,
            "W",
        );
        check_range(
            &mut v,
            "pdu.full_load_loss_w",
            self.pdu.full_load_loss_w,
            0.0,
            f64::MAX,
            "W",
        );
        check_positive(
            &mut v,
            "psu.installed_capacity_w",
            self.psu.installed_capacity_w,
            "W",
        );
        check_range(
            &mut v,
            "psu.dc_front_end_efficiency",
            self.psu.dc_front_end_efficiency,
            0.5,
            1.0,
            "-",
        );
        if let Some(c) = &self.psu.custom_curve {
            v.extend(
                c.validate()
                    .into_iter()
                    .map(|i| i.prefixed("psu.custom_curve")),
            );
        }
        if self.architecture == ChainArchitecture::RackPowerShelf
            && self.metering_boundary == MeteringBoundary::ServerInput
        {
            v.push(ConfigIssue::warning(
                "metering_boundary",
                "with rack power shelves the server input is the DC busbar: shelf losses fall \
                 outside IT energy (PUE not comparable with an ac_ups site metered at server input)",
            ));
        }
        v
    }
}

/// Losses of one evaluation of the chain, all in W.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChainLosses {
    /// Server PSU loss (part of the IT power; white space; informational). For
    /// `rack_power_shelf` the loss of the servers' DC front ends (also part of the IT power).
    pub psu_loss_w: f64,
    /// Rack power-shelf loss (white space; `rack_power_shelf` only).
    pub shelf_loss_w: f64,
    /// PDU / distribution loss (white space).
    pub pdu_loss_w: f64,
    /// UPS loss (`ac_ups`, electrical room).
    pub ups_loss_w: f64,
    /// HVDC rectifier loss (`hvdc`, electrical room).
    pub rectifier_loss_w: f64,
    /// Power at the PDU output in W.
    pub pdu_output_w: f64,
    /// Power at the UPS / rectifier output in W (IT branch plus UPS-fed mechanical load; for
    /// rack shelves, the PDU input).
    pub ups_output_w: f64,
    /// Power drawn by the central converter from the LV bus in W (for rack shelves the PDU input).
    pub central_input_w: f64,
    /// True when the load exceeds the capacity of the modules in service.
    pub overloaded: bool,
}

/// The assembled chain with its curves resolved (no allocation per evaluation).
#[derive(Debug, Clone)]
pub struct PowerChain {
    cfg: ChainConfig,
    converter_curve: EfficiencyCurve,
    psu_curve: EfficiencyCurve,
    failed_modules: u32,
    pdu_loss_scale: f64,
}

impl PowerChain {
    /// The chain described by `cfg` (assumed validated).
    pub fn new(cfg: &ChainConfig) -> Self {
        let converter_curve = match (&cfg.converter.custom_curve, cfg.architecture) {
            (Some(c), _) => c.clone(),
            (None, ChainArchitecture::AcUps) => cfg.converter.mode.curve(),
            (None, ChainArchitecture::Hvdc) => hvdc_rectifier_curve(),
            (None, ChainArchitecture::RackPowerShelf) => rack_power_shelf_curve(),
        };
        let psu_curve = cfg
            .psu
            .custom_curve
            .clone()
            .unwrap_or_else(|| cfg.psu.level.curve());
        let pdu_loss_scale = if cfg.architecture == ChainArchitecture::Hvdc {
            let r = 240.0 / cfg.hvdc_bus_voltage_v;
            r * r
        } else {
            1.0
        };
        PowerChain {
            cfg: cfg.clone(),
            converter_curve,
            psu_curve,
            failed_modules: 0,
            pdu_loss_scale,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ChainConfig {
        &self.cfg
    }

    /// Mark `n` converter modules as failed (e.g. a UPS module failure under N+1); the others
    /// share the load.
    pub fn set_failed_modules(&mut self, n: u32) {
        self.failed_modules = n;
    }

    /// Converter modules in service.
    pub fn modules_in_service(&self) -> u32 {
        let c = &self.cfg.converter;
        c.redundancy
            .installed(c.modules_required)
            .saturating_sub(self.failed_modules)
    }

    /// Efficiency curve of the central converter.
    pub fn converter_curve(&self) -> &EfficiencyCurve {
        &self.converter_curve
    }

    /// Capacity of the converter modules in service in W.
    pub fn converter_capacity_w(&self) -> f64 {
        f64::from(self.modules_in_service()) * self.cfg.converter.module_rated_power_w
    }

    fn pdu_loss(&self, output_w: f64) -> f64 {
        if output_w <= 0.0 {
            return self.cfg.pdu.no_load_loss_w;
        }
        let f = output_w / self.cfg.pdu.rated_power_w;
        self.cfg.pdu.no_load_loss_w + self.pdu_loss_scale * self.cfg.pdu.full_load_loss_w * f * f
    }

    /// Losses to deliver `it_w` at the server input and `ups_fed_mechanical_w` at the UPS
    /// output (mechanical loads on UPS, e.g. CDU pumps; for rack shelves they hang on the LV bus
    /// through the PDU level and are counted at the same point).
    pub fn evaluate(&self, it_w: f64, ups_fed_mechanical_w: f64) -> ChainLosses {
        let it_w = it_w.max(0.0);
        let mech = ups_fed_mechanical_w.max(0.0);
        let cap = self.converter_capacity_w();
        let mut out = ChainLosses::default();
        match self.cfg.architecture {
            ChainArchitecture::AcUps | ChainArchitecture::Hvdc => {
                let eta = self
                    .psu_curve
                    .efficiency(it_w / self.cfg.psu.installed_capacity_w);
                out.psu_loss_w = it_w * (1.0 - eta);
                out.pdu_output_w = it_w;
                out.pdu_loss_w = self.pdu_loss(it_w);
                out.ups_output_w = it_w + out.pdu_loss_w + mech;
                let (input, loss) = self.converter_curve.input_for_output(out.ups_output_w, cap);
                if self.cfg.architecture == ChainArchitecture::AcUps {
                    out.ups_loss_w = loss;
                } else {
                    out.rectifier_loss_w = loss;
                }
                out.central_input_w = input;
                out.overloaded = out.ups_output_w > cap;
            }
            ChainArchitecture::RackPowerShelf => {
                out.psu_loss_w = it_w * (1.0 - self.cfg.psu.dc_front_end_efficiency);
                let (shelf_in, shelf_loss) = self.converter_curve.input_for_output(it_w, cap);
                out.shelf_loss_w = shelf_loss;
                out.pdu_output_w = shelf_in;
                out.pdu_loss_w = self.pdu_loss(shelf_in);
                out.ups_output_w = shelf_in + out.pdu_loss_w + mech;
                out.central_input_w = out.ups_output_w;
                out.overloaded = it_w > cap;
            }
        }
        out
    }

    /// True when the servers' input differs from the IT model's AC wall power, so that the
    /// runner must scale the IT power by [`PowerChain::server_input_factor`] (only
    /// `rack_power_shelf`; AC sites skip the scaling pass entirely).
    pub fn converts_server_input(&self) -> bool {
        self.cfg.architecture == ChainArchitecture::RackPowerShelf
    }

    /// Ratio of the power the servers draw at this chain's server input to their AC wall power
    /// `server_ac_w` (the IT model's node power: SPECpower meters it at the AC input of the
    /// server PSU, so it includes the PSU's loss).
    ///
    /// - `ac_ups`, `hvdc`: 1 (the servers keep their PSU; the server input is the wall power).
    /// - `rack_power_shelf`: `eta_psu(load) / eta_dc_front_end`: the AC PSU's output
    ///   `P_ac * eta_psu` is what the server's boards use, and the DC front end draws that over
    ///   its efficiency from the busbar. `eta_psu` is the configured PSU curve at the load
    ///   fraction `server_ac_w / psu.installed_capacity_w`, as in [`PowerChain::evaluate`].
    pub fn server_input_factor(&self, server_ac_w: f64) -> f64 {
        if !self.converts_server_input() {
            return 1.0;
        }
        let eta_psu = self
            .psu_curve
            .efficiency(server_ac_w.max(0.0) / self.cfg.psu.installed_capacity_w);
        eta_psu / self.cfg.psu.dc_front_end_efficiency
    }

    /// IT power at the metering boundary for the given evaluation and server input power.
    pub fn metered_it_w(&self, it_w: f64, l: &ChainLosses) -> f64 {
        match self.cfg.metering_boundary {
            MeteringBoundary::ServerInput => it_w,
            MeteringBoundary::PduOutput => l.pdu_output_w,
            MeteringBoundary::UpsOutput => l.pdu_output_w + l.pdu_loss_w,
        }
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    #[test]
    fn transformer_loss_is_quadratic_in_load() {
        // EnergyPlus Engineering Reference, Electric Load Center Transformers: P_loss =
        // P_nl + P_ll,rated * (load / rated)^2.
        let t = Transformer::default();
        let rated_w = t.rated_power_va * t.power_factor;
        assert!((t.loss_w(0.0) - 3_500.0).abs() < 1e-9);
        assert!((t.loss_w(rated_w) - 27_500.0).abs() < 1e-9);
        assert!((t.loss_w(0.5 * rated_w) - (3_500.0 + 6_000.0)).abs() < 1e-9);
        // Efficiency at 50 % load ~ 99.3 %, the DOE 2016 level for this size.
        let eff = 0.5 * rated_w / (0.5 * rated_w + t.loss_w(0.5 * rated_w));
        assert!(eff > 0.992 && eff < 0.995, "{eff}");
    }

    #[test]
    fn redundancy_lowers_module_load_fraction() {
        let mut cfg = ChainConfig::default();
        cfg.converter.redundancy = Redundancy::N;
        let n = PowerChain::new(&cfg);
        cfg.converter.redundancy = Redundancy::TwoN;
        let two_n = PowerChain::new(&cfg);
        assert_eq!(n.modules_in_service(), 4);
        assert_eq!(two_n.modules_in_service(), 8);
        // 1.6 MW IT: N runs modules near 80 % (96.5 %), 2N near 40 % (~95.8 %).
        let ln = n.evaluate(1.6e6, 0.0);
        let l2 = two_n.evaluate(1.6e6, 0.0);
        assert!(l2.ups_loss_w > ln.ups_loss_w);
    }

    #[test]
    fn module_failure_raises_load_fraction_and_can_overload() {
        let cfg = ChainConfig::default();
        let mut c = PowerChain::new(&cfg);
        assert!(!c.evaluate(1.9e6, 0.0).overloaded);
        c.set_failed_modules(1);
        assert_eq!(c.modules_in_service(), 4);
        assert!(!c.evaluate(1.9e6, 0.0).overloaded);
        c.set_failed_modules(2);
        assert!(c.evaluate(1.9e6, 0.0).overloaded);
    }

    #[test]
    fn chain_losses_close_and_metering_moves_the_boundary() {
        for arch in [
            ChainArchitecture::AcUps,
            ChainArchitecture::Hvdc,
            ChainArchitecture::RackPowerShelf,
        ] {
            let cfg = ChainConfig {
                architecture: arch,
                ..ChainConfig::default()
            };
            let c = PowerChain::new(&cfg);
            let it = 1.2e6;
            let mech = 30_000.0;
            let l = c.evaluate(it, mech);
            let sum = it + mech + l.shelf_loss_w + l.pdu_loss_w + l.ups_loss_w + l.rectifier_loss_w;
            assert!((l.central_input_w - sum).abs() < 1e-6 * sum, "{arch:?}");
            let server = c.metered_it_w(it, &l);
            let mut c2 = cfg.clone();
            c2.metering_boundary = MeteringBoundary::UpsOutput;
            let ups = PowerChain::new(&c2).metered_it_w(it, &l);
            assert!(ups > server);
            // Whole-chain efficiency from LV bus to IT between 88 and 97 %.
            let eff = it / l.central_input_w;
            assert!(eff > 0.88 && eff < 0.975, "{arch:?} {eff}");
        }
    }

    #[test]
    fn server_input_factor_is_one_for_ac_ups_and_hvdc() {
        for arch in [ChainArchitecture::AcUps, ChainArchitecture::Hvdc] {
            let cfg = ChainConfig {
                architecture: arch,
                ..ChainConfig::default()
            };
            let c = PowerChain::new(&cfg);
            assert!(!c.converts_server_input());
            for p in [0.0, 0.3e6, 1.6e6, 5.0e6] {
                assert_eq!(c.server_input_factor(p), 1.0, "{arch:?} {p}");
            }
        }
    }

    #[test]
    fn rack_shelf_factor_swaps_the_psu_for_the_dc_front_end() {
        let mut cfg = ChainConfig {
            architecture: ChainArchitecture::RackPowerShelf,
            ..ChainConfig::default()
        };
        let c = PowerChain::new(&cfg);
        assert!(c.converts_server_input());
        // Titanium at 50 % of the 3.2 MW installed PSUs: 96 %; DC front end 97.5 %.
        let f = c.server_input_factor(1.6e6);
        assert!((f - 0.96 / 0.975).abs() < 1e-12, "{f}");
        // At 10 % load the PSU is at 90 %: the busbar saves more.
        let f_low = c.server_input_factor(0.32e6);
        assert!((f_low - 0.90 / 0.975).abs() < 1e-12, "{f_low}");
        // A perfect front end behind a perfect PSU changes nothing.
        cfg.psu.custom_curve = Some(EfficiencyCurve::constant(1.0));
        cfg.psu.dc_front_end_efficiency = 1.0;
        assert!((PowerChain::new(&cfg).server_input_factor(1.6e6) - 1.0).abs() < 1e-15);
        // The front end's loss is reported as the servers' converter loss.
        let l = c.evaluate(1.0e6, 0.0);
        assert!((l.psu_loss_w - 25_000.0).abs() < 1e-6, "{}", l.psu_loss_w);
    }

    #[test]
    fn dc_front_end_efficiency_is_validated() {
        let mut cfg = ChainConfig::default();
        assert_eq!(
            cfg.psu.dc_front_end_efficiency,
            DEFAULT_DC_FRONT_END_EFFICIENCY
        );
        for bad in [0.0, 0.3, 1.01, f64::NAN] {
            cfg.psu.dc_front_end_efficiency = bad;
            let paths: Vec<String> = cfg.validate().into_iter().map(|i| i.path).collect();
            assert!(
                paths.iter().any(|p| p == "psu.dc_front_end_efficiency"),
                "{bad}: {paths:?}"
            );
        }
    }

    #[test]
    fn validation_reports_every_problem() {
        let mut cfg = ChainConfig::default();
        cfg.transformer.power_factor = 1.5;
        cfg.converter.modules_required = 0;
        cfg.psu.installed_capacity_w = -1.0;
        let paths: Vec<String> = cfg.validate().into_iter().map(|i| i.path).collect();
        assert_eq!(
            paths,
            vec![
                "transformer.power_factor",
                "converter.modules_required",
                "psu.installed_capacity_w"
            ]
        );
    }
}
