//! The scenario file: one TOML document describing a site, its subsystems, the run and the
//! outputs, plus optional case metadata.
//!
//! A scenario may `extends = "base.toml"` (a path relative to the extending file); the chain is
//! loaded base first and deep-merged table by table, so a variant overrides exactly the keys
//! it names (arrays and scalars are replaced whole). Loading reports *every* problem at once:
//! unknown keys, wrong types, and each section's `validate()` issues, each with the file, the
//! dotted key path and the line; see [`load_scenario`].

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sim_core::{ConfigIssue, Severity, SimDuration};

use crate::tomlpath::{self, KeyPath, Segment};

/// The `[weather]` section: synthetic, EPW file or constant, selected by `source`.
pub type WeatherSection = dctwin_models::weather::WeatherConfig;
/// The `[it]` section: nodes, rows, workload, scheduler, failures.
pub type ItSection = dctwin_models::it::ItConfig;
/// The `[heat_rejection]` section: chillers, towers, dry coolers, economizers, storage.
pub type HeatRejectionSection = dctwin_models::heat_rejection::HeatRejectionConfig;
/// The `[cooling]` section: air path, liquid loops, plant and controls.
pub type CoolingSection = dctwin_models::thermal::CoolingConfig;
/// The `[power]` section: power chain, storage, renewables, generator and grid signals.
pub type PowerSection = dctwin_models::power::PowerConfig;

/// A model configuration section that can check itself.
pub trait ModelSection {
    /// Every problem with the section, paths relative to the section.
    fn issues(&self) -> Vec<ConfigIssue>;
}

impl ModelSection for dctwin_models::it::ItConfig {
    fn issues(&self) -> Vec<ConfigIssue> {
        self.validate()
    }
}

impl ModelSection for dctwin_models::heat_rejection::HeatRejectionConfig {
    fn issues(&self) -> Vec<ConfigIssue> {
        self.validate()
    }
}

impl ModelSection for dctwin_models::weather::WeatherConfig {
    fn issues(&self) -> Vec<ConfigIssue> {
        self.validate()
    }
}

impl ModelSection for dctwin_models::power::PowerConfig {
    fn issues(&self) -> Vec<ConfigIssue> {
        self.validate()
    }
}

impl ModelSection for dctwin_models::thermal::CoolingConfig {
    fn issues(&self) -> Vec<ConfigIssue> {
        self.validate()
    }
}

/// A whole scenario: what to simulate, for how long, and what to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// Short name used in reports and file metadata. Default `"unnamed"`.
    pub name: String,
    /// Free text: what this scenario is for. Default empty.
    pub description: String,
    /// Path (relative to this file) of a base scenario whose keys this file overrides.
    /// Default: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Run length, control interval, seed and start day.
    pub run: RunConfig,
    /// What to record and write.
    pub outputs: OutputConfig,
    /// Weather source (EPW file or synthetic), see the weather model. Default: its defaults.
    #[schemars(schema_with = "model_section_schema")]
    pub weather: WeatherSection,
    /// IT: nodes, workload, scheduler, see the IT model. Default: its defaults.
    #[schemars(schema_with = "model_section_schema")]
    pub it: ItSection,
    /// Heat rejection plant: chillers, towers, dry coolers, economizers. Default: its defaults.
    #[schemars(schema_with = "model_section_schema")]
    pub heat_rejection: HeatRejectionSection,
    /// Air and liquid cooling: CRAH, cold plates, CDU, loops, controls. Default: its defaults.
    #[schemars(schema_with = "model_section_schema")]
    pub cooling: CoolingSection,
    /// Power chain, storage, renewables and grid signals. Default: its defaults.
    #[schemars(schema_with = "model_section_schema")]
    pub power: PowerSection,
    /// Faults injected during the run (`[[faults]]`). Default: none.
    pub faults: Vec<FaultConfig>,
    /// Present when this scenario reproduces a published figure (the case library).
    /// Default: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseMeta>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "unnamed".to_owned(),
            description: String::new(),
            extends: None,
            run: RunConfig::default(),
            outputs: OutputConfig::default(),
            weather: WeatherSection::default(),
            it: ItSection::default(),
            heat_rejection: HeatRejectionSection::default(),
            cooling: CoolingSection::default(),
            power: PowerSection::default(),
            faults: Vec::new(),
            case: None,
        }
    }
}

/// JSON Schema of a model section whose type does not derive `JsonSchema`: an object, with a
/// note pointing at the model's documentation.
fn model_section_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    use schemars::schema::{InstanceType, Metadata, SchemaObject};
    SchemaObject {
        instance_type: Some(InstanceType::Object.into()),
        metadata: Some(Box::new(Metadata {
            description: Some(
                "Model section: its keys are defined and checked by the model crate \
                 (see its documentation and `dctwin validate`)."
                    .to_owned(),
            ),
            ..Default::default()
        })),
        ..Default::default()
    }
    .into()
}

/// Run length and timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Simulated time, hours. Default 24.
    pub duration_h: f64,
    /// Control (policy decision) interval, seconds. Default 60.
    pub control_interval_s: f64,
    /// Scenario seed from which every named random stream is derived. Default 1.
    pub seed: u64,
    /// Day of the year at simulation start, 1 = 1 January. Default 1.
    pub start_day_of_year: u32,
    /// Longest physics step, seconds: the engine also steps at every threshold (fault, demand
    /// interval, tariff step, weather hour, battery empty or full, generator ready), so this
    /// only bounds the error of the held inputs between them. Range 0.001 to the control
    /// interval; default: the control interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_step_s: Option<f64>,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            duration_h: 24.0,
            control_interval_s: 60.0,
            seed: 1,
            start_day_of_year: 1,
            max_step_s: None,
        }
    }
}

impl RunConfig {
    /// The run length as integer simulation time (`None` if negative or not finite).
    pub fn duration(&self) -> Option<SimDuration> {
        SimDuration::try_from_secs_f64(self.duration_h * 3600.0).ok()
    }
    /// The control interval as integer simulation time (`None` if negative or not finite).
    pub fn control_interval(&self) -> Option<SimDuration> {
        SimDuration::try_from_secs_f64(self.control_interval_s).ok()
    }
    /// The longest physics step (`None`: not set, or not a valid duration).
    pub fn max_step(&self) -> Option<SimDuration> {
        self.max_step_s
            .and_then(|s| SimDuration::try_from_secs_f64(s).ok())
    }
}

/// What a run writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// Interval between rows of `timeseries.csv`, seconds; a whole multiple of the control
    /// interval. Default 300.
    pub sample_interval_s: f64,
    /// Write PNG and SVG plots and include them in `report.html`. Default true.
    pub plots: bool,
    /// Write `events.csv` (faults, mode changes, job events). Default true.
    pub events: bool,
    /// Report the storage policy against the perfect-foresight bound (a dynamic programme
    /// over the run's demand intervals; about 0.35 s for a year at 15 min). Default true.
    pub storage_oracle: bool,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            sample_interval_s: 300.0,
            plots: true,
            events: true,
            storage_oracle: true,
        }
    }
}

impl OutputConfig {
    /// The sample interval as integer simulation time (`None` if negative or not finite).
    pub fn sample_interval(&self) -> Option<SimDuration> {
        SimDuration::try_from_secs_f64(self.sample_interval_s).ok()
    }
}

/// What kind of fault is injected.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// A chiller trips off (compressor lockout) for the duration.
    ChillerTrip,
    /// A CDU loses its pump: no flow on its technology cooling loop.
    CduPumpLoss,
    /// A cooling tower or dry cooler loses its fan.
    HeatRejectionFanLoss,
    /// A CRAH/CRAC unit stops.
    CrahFailure,
    /// The utility supply is lost: UPS, battery and generator carry the load.
    UtilityOutage,
    /// A compute node fails; its jobs are lost or requeued.
    NodeFailure,
    /// A facility-water pump stops.
    FwPumpLoss,
    /// A UPS (or HVDC rectifier) module fails; the others share the load.
    UpsModuleFailure,
}

impl FaultKind {
    /// Every kind, in documentation order.
    pub const ALL: [FaultKind; 8] = [
        FaultKind::ChillerTrip,
        FaultKind::CduPumpLoss,
        FaultKind::HeatRejectionFanLoss,
        FaultKind::CrahFailure,
        FaultKind::UtilityOutage,
        FaultKind::NodeFailure,
        FaultKind::FwPumpLoss,
        FaultKind::UpsModuleFailure,
    ];

    /// The kind's name in a scenario file.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::ChillerTrip => "chiller_trip",
            FaultKind::CduPumpLoss => "cdu_pump_loss",
            FaultKind::HeatRejectionFanLoss => "heat_rejection_fan_loss",
            FaultKind::CrahFailure => "crah_failure",
            FaultKind::UtilityOutage => "utility_outage",
            FaultKind::NodeFailure => "node_failure",
            FaultKind::FwPumpLoss => "fw_pump_loss",
            FaultKind::UpsModuleFailure => "ups_module_failure",
        }
    }
}

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    /// What fails. Required.
    pub kind: FaultKind,
    /// Which unit fails, by its 1-based name in the site (`crah-2`, `cdu-1`, `fw-pump-1`,
    /// `chw.chiller-2`, `fw.dry-cooler-1`, `ups-module-3`, `utility`; `dctwin list equipment
    /// SCENARIO` prints them). Empty means the first unit the kind applies to. Default empty.
    #[serde(default)]
    pub component: String,
    /// When the fault starts, hours after the run start. Required.
    pub start_h: f64,
    /// How long it lasts, hours. Required.
    pub duration_h: f64,
}

/// The published figure a case scenario reproduces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseMeta {
    /// The published claim in one sentence. Required.
    pub claim: String,
    /// Where it is published (document, table or figure, year). Required.
    pub source: String,
    /// The summary metric compared (e.g. `pue`). Required.
    pub metric: String,
    /// The published value, in the metric's unit. Required.
    pub published_value: f64,
    /// Largest accepted absolute difference between simulated and published value, in the
    /// metric's unit. Required.
    pub tolerance: f64,
    /// Assumptions made where the source is silent. Default none.
    #[serde(default)]
    pub assumptions: Vec<String>,
    /// True when parameters were tuned to hit the published value (then the case only checks
    /// consistency, not prediction). Default false.
    #[serde(default)]
    pub calibrated: bool,
    /// A reference scenario file (path relative to this file) run with the same seed: when
    /// set, the simulated value is this case's metric minus the baseline's (e.g. the peak
    /// reduction a battery brings, as a negative change). Default none.
    #[serde(default)]
    pub baseline: Option<String>,
}

/// Hours in a (leap) year, for the run-length limits.
const HOURS_PER_YEAR: f64 = 24.0 * 366.0;
/// Longest run accepted, h: a hundred years (equipment lives 10-25 years).
const MAX_DURATION_H: f64 = 100.0 * HOURS_PER_YEAR;
/// Runs longer than this get a warning, h: ten years.
const LONG_DURATION_H: f64 = 10.0 * HOURS_PER_YEAR;

impl Scenario {
    /// Scenario-level checks plus every model section's own, paths from the document root.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        let r = &self.run;
        if !r.duration_h.is_finite() || r.duration_h <= 0.0 {
            v.push(ConfigIssue::error(
                "run.duration_h",
                format!(
                    "{} h: the run length must be a finite number of hours greater than zero",
                    r.duration_h
                ),
            ));
        } else if !r.duration().is_some_and(|d| !d.is_zero()) {
            v.push(ConfigIssue::error(
                "run.duration_h",
                format!(
                    "{} h: the run length must lie between one microsecond and the simulation \
                     clock's range (about 500,000 years)",
                    r.duration_h
                ),
            ));
        } else if r.duration_h > MAX_DURATION_H {
            v.push(ConfigIssue::error(
                "run.duration_h",
                format!(
                    "{} h is more than a hundred years: expected at most {} h (run the years \
                     you need to study; equipment lives 10-25 years)",
                    r.duration_h, MAX_DURATION_H
                ),
            ));
        } else if r.duration_h > LONG_DURATION_H {
            v.push(ConfigIssue::warning(
                "run.duration_h",
                format!("{} h is more than ten years", r.duration_h),
            ));
        }
        let control = r.control_interval();
        if !r.control_interval_s.is_finite()
            || r.control_interval_s <= 0.0
            || !control.is_some_and(|c| !c.is_zero())
        {
            v.push(ConfigIssue::error(
                "run.control_interval_s",
                format!(
                    "{} s: the control interval must be at least one microsecond (e.g. 60)",
                    r.control_interval_s
                ),
            ));
        } else if r.control_interval_s > 3600.0 {
            v.push(ConfigIssue::warning(
                "run.control_interval_s",
                format!(
                    "{} s is longer than an hour: controls react slowly",
                    r.control_interval_s
                ),
            ));
        }
        if let (Some(c), Some(d)) = (control, r.duration()) {
            if !c.is_zero() && c > d && r.duration_h > 0.0 {
                v.push(ConfigIssue::warning(
                    "run.control_interval_s",
                    "the control interval is longer than the run",
                ));
            }
        }
        if let Some(m) = r.max_step_s {
            if !m.is_finite() || m < 1e-3 || m > r.control_interval_s {
                v.push(ConfigIssue::error(
                    "run.max_step_s",
                    format!(
                        "{m} s: the physics step must lie between 0.001 s and the control \
                         interval ({} s)",
                        r.control_interval_s
                    ),
                ));
            }
        }
        if !(1..=366).contains(&r.start_day_of_year) {
            v.push(ConfigIssue::error(
                "run.start_day_of_year",
                format!(
                    "{}: expected a day of the year from 1 to 366",
                    r.start_day_of_year
                ),
            ));
        }
        let o = &self.outputs;
        match o.sample_interval() {
            Some(s) if !s.is_zero() => {
                if let Some(c) = control.filter(|c| !c.is_zero()) {
                    if s.as_micros() % c.as_micros() != 0 {
                        v.push(ConfigIssue::error(
                            "outputs.sample_interval_s",
                            format!(
                                "{} s is not a whole multiple of the control interval {} s",
                                o.sample_interval_s, r.control_interval_s
                            ),
                        ));
                    }
                }
            }
            _ => v.push(ConfigIssue::error(
                "outputs.sample_interval_s",
                format!(
                    "{} s: the sample interval must be greater than zero",
                    o.sample_interval_s
                ),
            )),
        }
        for (i, f) in self.faults.iter().enumerate() {
            let p = format!("faults[{i}]");
            if !f.start_h.is_finite() || f.start_h < 0.0 {
                v.push(ConfigIssue::error(
                    format!("{p}.start_h"),
                    format!("{} h: a fault must start at or after 0 h", f.start_h),
                ));
            } else if r.duration_h.is_finite() && f.start_h >= r.duration_h {
                v.push(ConfigIssue::warning(
                    format!("{p}.start_h"),
                    format!(
                        "{} h is at or after the end of the run ({} h): the fault never happens",
                        f.start_h, r.duration_h
                    ),
                ));
            }
            if !f.duration_h.is_finite() || f.duration_h <= 0.0 {
                v.push(ConfigIssue::error(
                    format!("{p}.duration_h"),
                    format!("{} h: a fault must last longer than 0 h", f.duration_h),
                ));
            }
        }
        if let Some(c) = &self.case {
            if c.metric.trim().is_empty() {
                v.push(ConfigIssue::error(
                    "case.metric",
                    "empty: expected a summary metric name such as `pue`",
                ));
            }
            if !c.published_value.is_finite() {
                v.push(ConfigIssue::error(
                    "case.published_value",
                    "expected a finite number",
                ));
            }
            if !c.tolerance.is_finite() || c.tolerance < 0.0 {
                v.push(ConfigIssue::error(
                    "case.tolerance",
                    format!("{}: expected a finite number >= 0", c.tolerance),
                ));
            }
            if c.source.trim().is_empty() {
                v.push(ConfigIssue::warning(
                    "case.source",
                    "empty: a case should name its source",
                ));
            }
        }
        v.extend(self.cross_section_issues());
        v.extend(crate::site::SiteInventory::of(self).check_faults(self));
        let sections: [(&str, &dyn ModelSection); 5] = [
            ("weather", &self.weather),
            ("it", &self.it),
            ("heat_rejection", &self.heat_rejection),
            ("cooling", &self.cooling),
            ("power", &self.power),
        ];
        for (name, s) in sections {
            v.extend(s.issues().into_iter().map(|i| i.prefixed(name)));
        }
        v
    }

    /// Checks that need two sections at once: every liquid- or immersion-cooled row names a
    /// row of `[it]`, no row is cooled both ways, and the CDUs without their spares can carry
    /// the liquid share of the cold-plate racks' peak heat (the N of an N+1 design, as in
    /// ASHRAE TC 9.9, *Liquid Cooling Guidelines for Datacom Equipment Centers*, 2nd ed.,
    /// 2014, which sizes the CDU for the full design heat load of its racks).
    fn cross_section_issues(&self) -> Vec<ConfigIssue> {
        use dctwin_models::it::{NodeChoice, NodeSpec};
        let mut v = Vec::new();
        let liquid = &self.cooling.liquid;
        let row_names: Vec<&str> = self.it.rows.iter().map(|r| r.name.as_str()).collect();
        for (list, key) in [
            (&liquid.rows, "cooling.liquid.rows"),
            (&self.cooling.immersion.rows, "cooling.immersion.rows"),
        ] {
            for (i, name) in list.iter().enumerate() {
                if !row_names.contains(&name.as_str()) {
                    v.push(ConfigIssue::error(
                        format!("{key}[{i}]"),
                        format!(
                            "no row named \"{name}\" in [it].rows (rows: {})",
                            row_names.join(", ")
                        ),
                    ));
                }
            }
        }
        for (i, name) in liquid.rows.iter().enumerate() {
            if self.cooling.immersion.rows.contains(name) {
                v.push(ConfigIssue::error(
                    format!("cooling.liquid.rows[{i}]"),
                    format!("row \"{name}\" is listed as both cold-plate and immersion cooled"),
                ));
            }
        }
        let peak_liquid_heat_w: f64 = self
            .it
            .rows
            .iter()
            .filter(|r| liquid.rows.contains(&r.name))
            .filter_map(|r| {
                let spec = match &r.node {
                    NodeChoice::Spec(s) => Some(s.clone()),
                    NodeChoice::Preset(name) => NodeSpec::preset(name),
                }?;
                Some(f64::from(r.racks) * f64::from(r.nodes_per_rack) * spec.max_w())
            })
            .sum::<f64>()
            * liquid.capture_fraction;
        let duty_cdus = liquid.cdu_count.saturating_sub(liquid.cdu_spare_count);
        let capacity_w = duty_cdus as f64 * liquid.cdu_rated_capacity_w;
        if peak_liquid_heat_w > 0.0 && peak_liquid_heat_w > capacity_w {
            v.push(ConfigIssue::error(
                "cooling.liquid.cdu_rated_capacity_w",
                format!(
                    "the {duty_cdus} duty CDU(s) (cdu_count {} minus {} spare) carry {:.0} kW, \
                     less than the {:.0} kW peak liquid heat of the cold-plate rows: add CDUs \
                     or raise their rated capacity",
                    liquid.cdu_count,
                    liquid.cdu_spare_count,
                    capacity_w / 1e3,
                    peak_liquid_heat_w / 1e3
                ),
            ));
        }
        v
    }

    /// The resolved scenario (all defaults filled in) as TOML text.
    pub fn to_toml(&self) -> Result<String, ScenarioError> {
        toml::to_string(self).map_err(|e| ScenarioError::Serialize(e.to_string()))
    }

    /// FNV-1a (64-bit) of the resolved scenario TOML, as 16 hex digits.
    pub fn hash_hex(&self) -> Result<String, ScenarioError> {
        Ok(format!(
            "{:016x}",
            sim_core::rng::fnv1a64(self.to_toml()?.as_bytes())
        ))
    }
}

/// One located problem of a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioIssue {
    /// The file where the key is set (the last file of the `extends` chain that sets it), or
    /// the top file when no file sets it.
    pub file: PathBuf,
    /// 1-based line of the key, when found.
    pub line: Option<usize>,
    /// Dotted key path from the document root, e.g. `cooling.cdu.approach_k`.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// Error or warning.
    pub severity: Severity,
}

impl fmt::Display for ScenarioIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        write!(f, ": {kind}: `{}`: {}", self.path, self.message)
    }
}

/// The problems that stop a scenario from loading.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A file or folder could not be read.
    #[error("cannot read {}: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not valid TOML.
    #[error("{}:{line}:{column}: TOML syntax error: {message}", file.display())]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// `extends` is not a string, names a missing file, or the chain loops.
    #[error("{}: `extends`: {message}", file.display())]
    Extends {
        /// The file holding the bad `extends`.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A `--set key=value` override is malformed.
    #[error("--set {key}: {message}")]
    Override {
        /// The key path given.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// Unknown keys, wrong types or impossible values: every issue (errors and warnings).
    #[error("{}", format_issues(.0))]
    Invalid(Vec<ScenarioIssue>),
    /// Some files of the case library are not valid case files (each is reported above).
    #[error("{}: {count} case file(s) are invalid", dir.display())]
    InvalidCases {
        /// The case folder.
        dir: PathBuf,
        /// How many files are invalid.
        count: usize,
    },
    /// The resolved scenario could not be written back as TOML.
    #[error("cannot serialise the resolved scenario: {0}")]
    Serialize(String),
}

fn format_issues(issues: &[ScenarioIssue]) -> String {
    let n = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .count();
    let mut s = format!("{n} error(s) in the scenario:");
    for i in issues {
        s.push_str("\n  ");
        s.push_str(&i.to_string());
    }
    s
}

/// One `--set key=value` override, applied to the merged TOML before deserialising.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Dotted key path, e.g. `cooling.cdu.supply_temp_c` or `faults[0].start_h`.
    pub key: String,
    /// The value.
    pub value: toml::Value,
}

impl Override {
    /// Parse `value` as a TOML value (number, bool, string, array, inline table); text that
    /// is not valid TOML is taken as a string.
    pub fn parse_value(text: &str) -> toml::Value {
        let doc = format!("v = {text}");
        match doc.parse::<toml::Table>() {
            Ok(mut t) => t
                .remove("v")
                .unwrap_or(toml::Value::String(text.to_owned())),
            Err(_) => toml::Value::String(text.to_owned()),
        }
    }
}

/// A scenario loaded, merged, checked and ready to run.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The scenario with every default filled in.
    pub scenario: Scenario,
    /// The top file.
    pub file: PathBuf,
    /// The top file's directory: relative paths inside the scenario (EPW files, traces) are
    /// resolved against it.
    pub base_dir: PathBuf,
    /// Warnings (legal but suspicious values).
    pub warnings: Vec<ScenarioIssue>,
}

struct Source {
    file: PathBuf,
    doc: Option<toml_edit::ImDocument<String>>,
}

/// Load `file` (following `extends`), apply `overrides`, deserialise and validate; every
/// problem is reported at once in [`ScenarioError::Invalid`].
pub fn load_scenario(file: &Path, overrides: &[Override]) -> Result<LoadedScenario, ScenarioError> {
    let mut sources = Vec::new();
    let mut chain = Vec::new();
    let mut merged = load_chain(file, &mut chain, &mut sources)?;
    // Sources were pushed base first; look keys up in the most derived file first.
    sources.reverse();
    for o in overrides {
        let path = KeyPath::parse(&o.key).map_err(|m| ScenarioError::Override {
            key: o.key.clone(),
            message: m,
        })?;
        tomlpath::set(&mut merged, &path, o.value.clone()).map_err(|m| {
            ScenarioError::Override {
                key: o.key.clone(),
                message: m,
            }
        })?;
    }
    let (scenario, mut raw_issues) = deserialize_all(merged);
    if let Some(s) = &scenario {
        raw_issues.extend(s.validate());
    }
    let mut issues: Vec<ScenarioIssue> = raw_issues
        .into_iter()
        .map(|i| locate(i, file, &sources, overrides))
        .collect();
    // Errors first, then by file and line, so the report reads top to bottom.
    issues.sort_by(|a, b| {
        (b.severity, &a.file, a.line, &a.path).cmp(&(a.severity, &b.file, b.line, &b.path))
    });
    let has_error = issues.iter().any(|i| i.severity == Severity::Error);
    match scenario {
        Some(scenario) if !has_error => Ok(LoadedScenario {
            scenario,
            file: file.to_path_buf(),
            base_dir: file
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
            warnings: issues,
        }),
        _ => Err(ScenarioError::Invalid(issues)),
    }
}

fn load_chain(
    file: &Path,
    chain: &mut Vec<PathBuf>,
    sources: &mut Vec<Source>,
) -> Result<toml::Table, ScenarioError> {
    let text = std::fs::read_to_string(file).map_err(|e| ScenarioError::Read {
        file: file.to_path_buf(),
        source: e,
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| tomlpath::line_col(&text, s.start))
            .unwrap_or((1, 1));
        ScenarioError::Syntax {
            file: file.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_owned(),
        }
    })?;
    let canonical = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    if chain.contains(&canonical) {
        let names: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
        return Err(ScenarioError::Extends {
            file: file.to_path_buf(),
            message: format!(
                "`extends` chain loops: {} -> {}",
                names.join(" -> "),
                canonical.display()
            ),
        });
    }
    chain.push(canonical);
    let base = match table.get("extends") {
        None => None,
        Some(toml::Value::String(rel)) => {
            let dir = file.parent().unwrap_or_else(|| Path::new("."));
            let parent = dir.join(rel);
            if !parent.is_file() {
                return Err(ScenarioError::Extends {
                    file: file.to_path_buf(),
                    message: format!("base scenario {} does not exist", parent.display()),
                });
            }
            Some(load_chain(&parent, chain, sources)?)
        }
        Some(other) => {
            return Err(ScenarioError::Extends {
                file: file.to_path_buf(),
                message: format!(
                    "expected a relative file path string, found a {}",
                    other.type_str()
                ),
            })
        }
    };
    sources.push(Source {
        file: file.to_path_buf(),
        doc: toml_edit::ImDocument::parse(text).ok(),
    });
    Ok(match base {
        Some(mut b) => {
            merge_into(&mut b, table);
            b
        }
        None => table,
    })
}

/// Deep-merge `over` into `base`: tables merge key by key, everything else is replaced.
pub fn merge_into(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_into(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Deserialise, collecting every unknown key and wrong type: after each error the offending
/// key is removed and deserialisation retried, so all structural errors are found at once.
fn deserialize_all(mut merged: toml::Table) -> (Option<Scenario>, Vec<ConfigIssue>) {
    let mut issues = Vec::new();
    let mut seen = BTreeSet::new();
    // Array elements removed so far: (array path, index at the time of removal). Later paths
    // are mapped back to the indices the user wrote.
    let mut removed: Vec<(KeyPath, usize)> = Vec::new();
    for _ in 0..200 {
        let value = toml::Value::Table(merged.clone());
        match serde_path_to_error::deserialize::<_, Scenario>(value) {
            Ok(s) => return (Some(s), issues),
            Err(e) => {
                let mut path = KeyPath::from_serde(e.path());
                let message = e.inner().message().trim().to_owned();
                if let Some(field) = unknown_field(&message) {
                    // serde_path_to_error usually ends the path with the unknown key already.
                    if path.0.last() != Some(&Segment::Key(field.clone())) {
                        path.push_key(field);
                    }
                }
                let shown = original_indices(&path, &removed).to_string();
                if path.is_empty() || !seen.insert(shown.clone()) {
                    return (None, issues);
                }
                // A required key we removed ourselves (after reporting it) is not a new error.
                let consequence = missing_field(&message).is_some_and(|f| {
                    let mut p = path.clone();
                    p.push_key(f);
                    seen.contains(&original_indices(&p, &removed).to_string())
                });
                if !consequence {
                    issues.push(ConfigIssue::error(shown, describe_serde_error(&message)));
                }
                if !tomlpath::remove(&mut merged, &path) {
                    return (None, issues);
                }
                if let Some((Segment::Index(i), parent)) = path.0.split_last() {
                    removed.push((KeyPath(parent.to_vec()), *i));
                }
            }
        }
    }
    (None, issues)
}

/// Map a path in the repaired document back to the array indices of the original, given the
/// array elements removed so far (in order of removal).
fn original_indices(path: &KeyPath, removed: &[(KeyPath, usize)]) -> KeyPath {
    let mut segs = path.0.clone();
    for (array, at) in removed.iter().rev() {
        let n = array.0.len();
        if segs.len() > n && segs[..n] == array.0[..] {
            if let Segment::Index(j) = &mut segs[n] {
                if *j >= *at {
                    *j += 1;
                }
            }
        }
    }
    KeyPath(segs)
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    let end = rest.find('`')?;
    Some(rest[..end].to_owned())
}

fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let end = rest.find('`')?;
    Some(rest[..end].to_owned())
}

fn describe_serde_error(message: &str) -> String {
    if message.starts_with("unknown field") {
        format!("unknown key: {message}")
    } else if message.starts_with("invalid type") {
        format!("wrong type: {message}")
    } else {
        message.to_owned()
    }
}

fn locate(
    issue: ConfigIssue,
    top: &Path,
    sources: &[Source],
    overrides: &[Override],
) -> ScenarioIssue {
    let mut file = top.to_path_buf();
    let mut line = None;
    if let Ok(path) = KeyPath::parse(&issue.path) {
        let from_override = overrides
            .iter()
            .filter_map(|o| KeyPath::parse(&o.key).ok())
            .any(|k| path.starts_with(&k));
        if from_override {
            file = PathBuf::from("<--set>");
        } else {
            // The most derived file that sets the longest prefix of the path.
            let mut best: Option<(usize, &Source, usize)> = None;
            for s in sources {
                if let Some(doc) = &s.doc {
                    if let Some((depth, l)) = tomlpath::find_line(doc, &path) {
                        if best.map_or(true, |(d, _, _)| depth > d) {
                            best = Some((depth, s, l));
                        }
                    }
                }
            }
            if let Some((_, s, l)) = best {
                file = s.file.clone();
                line = Some(l);
            }
        }
    }
    ScenarioIssue {
        file,
        line,
        path: issue.path,
        message: issue.message,
        severity: issue.severity,
    }
}

/// The JSON Schema of the scenario file, generated from the types.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    fn issues_of(r: Result<LoadedScenario, ScenarioError>) -> Vec<ScenarioIssue> {
        match r {
            Err(ScenarioError::Invalid(v)) => v,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn defaults_load_from_an_empty_file_and_validate_clean() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = write(dir.path(), "a.toml", "");
        let l = load_scenario(&f, &[]).expect("loads");
        assert_eq!(l.scenario, Scenario::default());
        assert!(Scenario::default()
            .validate()
            .iter()
            .all(|i| i.severity == Severity::Warning));
    }

    #[test]
    fn extends_overrides_exactly_the_named_keys() {
        let dir = tempfile::tempdir().expect("tmp");
        write(
            dir.path(),
            "base.toml",
            "name = \"base\"\ndescription = \"d\"\n[run]\nduration_h = 48\nseed = 5\n[outputs]\nplots = false\n",
        );
        std::fs::create_dir(dir.path().join("v")).expect("mkdir");
        write(
            dir.path(),
            "v/mid.toml",
            "extends = \"../base.toml\"\n[run]\nseed = 9\n",
        );
        let f = write(
            dir.path(),
            "v/top.toml",
            "extends = \"mid.toml\"\nname = \"top\"\n[run]\ncontrol_interval_s = 30\n",
        );
        let base = load_scenario(&dir.path().join("base.toml"), &[])
            .expect("base")
            .scenario;
        let top = load_scenario(&f, &[]).expect("top").scenario;
        let mut expected = base.clone();
        expected.name = "top".into();
        expected.extends = Some("mid.toml".into());
        expected.run.seed = 9;
        expected.run.control_interval_s = 30.0;
        assert_eq!(top, expected);
        assert_eq!(top.run.duration_h, 48.0);
        assert!(!top.outputs.plots);
    }

    #[test]
    fn extends_cycles_and_missing_bases_are_reported() {
        let dir = tempfile::tempdir().expect("tmp");
        write(dir.path(), "a.toml", "extends = \"b.toml\"\n");
        let b = write(dir.path(), "b.toml", "extends = \"a.toml\"\n");
        let e = load_scenario(&b, &[]).expect_err("cycle");
        assert!(matches!(e, ScenarioError::Extends { .. }));
        assert!(e.to_string().contains("loops"), "{e}");
        let c = write(dir.path(), "c.toml", "extends = \"nope.toml\"\n");
        let e = load_scenario(&c, &[]).expect_err("missing");
        assert!(e.to_string().contains("nope.toml"), "{e}");
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = write(
            dir.path(),
            "bad.toml",
            "name = \"x\"\n[run]\nduration_h = = 3\n",
        );
        match load_scenario(&f, &[]) {
            Err(ScenarioError::Syntax { line, file, .. }) => {
                assert_eq!(line, 3);
                assert_eq!(file, f);
            }
            other => panic!("{other:?}"),
        }
        let e = load_scenario(&dir.path().join("missing.toml"), &[]).expect_err("missing");
        assert!(matches!(e, ScenarioError::Read { .. }));
    }

    #[test]
    fn all_structural_and_value_errors_are_reported_at_once_with_lines() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = write(
            dir.path(),
            "bad.toml",
            "name = \"x\"\nbogus = 1\n[run]\nduration_h = -5\ncontrol_interval_s = 0\nseed = \"abc\"\n\n[outputs]\nsample_interval_s = 90\nplotz = true\n\n[[faults]]\nkind = \"chiller_trip\"\nstart_h = 1\nduration_h = 0\n",
        );
        let v = issues_of(load_scenario(&f, &[]));
        let find = |p: &str| {
            v.iter()
                .find(|i| i.path == p)
                .unwrap_or_else(|| panic!("no issue for {p} in {v:#?}"))
        };
        assert_eq!(find("bogus").line, Some(2));
        assert!(find("bogus").message.contains("unknown"));
        assert_eq!(find("run.seed").line, Some(6));
        assert!(find("run.seed").message.contains("wrong type"));
        assert_eq!(find("outputs.plotz").line, Some(10));
        // Value checks run too once the structure is repaired (bad keys dropped).
        assert_eq!(find("run.duration_h").line, Some(4));
        assert_eq!(find("run.control_interval_s").line, Some(5));
        assert_eq!(find("faults[0].duration_h").line, Some(15));
        assert!(v.iter().all(|i| i.file == f));
        let text = ScenarioError::Invalid(v.clone()).to_string();
        assert!(text.contains("bad.toml:2: error: `bogus`"), "{text}");
    }

    #[test]
    fn errors_in_several_array_elements_keep_their_own_indices() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = write(
            dir.path(),
            "f.toml",
            "[[faults]]\nkind = \"meteor\"\nstart_h = 1\nduration_h = 1\n\n[[faults]]\nstart_h = 1\nduration_h = 1\n\n[[faults]]\nkind = \"chiller_trip\"\nstart_h = \"soon\"\nduration_h = 1\n",
        );
        let v = issues_of(load_scenario(&f, &[]));
        let paths: Vec<(&str, Option<usize>)> =
            v.iter().map(|i| (i.path.as_str(), i.line)).collect();
        assert!(paths.contains(&("faults[0].kind", Some(2))), "{v:#?}");
        assert!(paths.contains(&("faults[1]", Some(6))), "{v:#?}");
        assert!(paths.contains(&("faults[2].start_h", Some(12))), "{v:#?}");
        // Removing a bad required key does not add a "missing field" error for it.
        assert!(!paths.contains(&("faults[0]", Some(1))), "{v:#?}");
        assert!(!paths.contains(&("faults[2]", Some(10))), "{v:#?}");
        assert_eq!(v.len(), 3, "{v:#?}");
    }

    #[test]
    fn sample_interval_must_be_a_multiple_of_the_control_interval() {
        let mut s = Scenario::default();
        s.outputs.sample_interval_s = 90.0;
        assert!(s
            .validate()
            .iter()
            .any(|i| i.path == "outputs.sample_interval_s" && i.severity == Severity::Error));
        s.outputs.sample_interval_s = 120.0;
        assert!(s.validate().iter().all(|i| i.severity == Severity::Warning));
    }

    #[test]
    fn issues_in_a_base_file_point_at_the_base() {
        let dir = tempfile::tempdir().expect("tmp");
        let base = write(
            dir.path(),
            "base.toml",
            "[run]\nseed = 1\nstart_day_of_year = 400\n",
        );
        let top = write(
            dir.path(),
            "top.toml",
            "extends = \"base.toml\"\nname = \"t\"\n",
        );
        let v = issues_of(load_scenario(&top, &[]));
        let i = v
            .iter()
            .find(|i| i.path == "run.start_day_of_year")
            .expect("issue");
        assert_eq!((i.file.clone(), i.line), (base, Some(3)));
    }

    #[test]
    fn overrides_set_any_key_before_deserialising() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = write(dir.path(), "a.toml", "[run]\nseed = 1\n");
        let o = [
            Override {
                key: "run.seed".into(),
                value: Override::parse_value("42"),
            },
            Override {
                key: "outputs.plots".into(),
                value: Override::parse_value("false"),
            },
        ];
        let l = load_scenario(&f, &o).expect("loads");
        assert_eq!(l.scenario.run.seed, 42);
        assert!(!l.scenario.outputs.plots);
        let bad = [Override {
            key: "run.nonsense".into(),
            value: Override::parse_value("1"),
        }];
        let v = issues_of(load_scenario(&f, &bad));
        assert_eq!(v[0].path, "run.nonsense");
        assert_eq!(v[0].file, PathBuf::from("<--set>"));
    }

    #[test]
    fn cdu_smaller_than_its_racks_heat_is_an_error() {
        let text = |cdus: usize| {
            format!(
                "[[it.rows]]\nname = \"gpu\"\nracks = 10\nnodes_per_rack = 4\nnode = \"gpu_8x_h100\"\n\
                 [cooling.liquid]\nrows = [\"gpu\", \"ghost\"]\ncdu_count = {cdus}\ncdu_spare_count = 1\n\
                 cdu_rated_capacity_w = 100000.0\n"
            )
        };
        let dir = tempfile::tempdir().expect("tmp");
        // 40 nodes of about 10 kW peak, 80 % to liquid: about 330 kW; one duty CDU of 100 kW.
        let small = write(dir.path(), "small.toml", &text(2));
        let v = issues_of(load_scenario(&small, &[]));
        let cap = v
            .iter()
            .find(|i| i.path == "cooling.liquid.cdu_rated_capacity_w")
            .expect("capacity issue");
        assert_eq!(cap.severity, Severity::Error);
        assert_eq!(cap.line, Some(10));
        assert!(v
            .iter()
            .any(|i| i.path == "cooling.liquid.rows[1]" && i.line == Some(7)));
        // Enough duty CDUs: only the unknown row remains.
        let big = write(dir.path(), "big.toml", &text(10));
        let v = issues_of(load_scenario(&big, &[]));
        assert!(
            v.iter()
                .all(|i| i.path != "cooling.liquid.cdu_rated_capacity_w"),
            "{v:?}"
        );
    }

    #[test]
    fn hash_is_stable_and_sensitive() {
        let a = Scenario::default();
        let mut b = Scenario::default();
        assert_eq!(a.hash_hex().expect("h"), b.hash_hex().expect("h"));
        b.run.seed = 2;
        assert_ne!(a.hash_hex().expect("h"), b.hash_hex().expect("h"));
    }

    #[test]
    fn schema_describes_the_sections() {
        let s = json_schema();
        let props = &s["properties"];
        for k in [
            "run", "outputs", "weather", "it", "cooling", "power", "faults", "case",
        ] {
            assert!(props.get(k).is_some(), "schema lacks {k}");
        }
    }
}
