//! # dctwin — scenarios, runs, comparisons, sweeps and reports
//!
//! - [`scenario`]: the scenario file format, `extends` chains, and validation that reports
//!   every problem at once with file, key path and line;
//! - [`site`]: the site runner (`site::run`), which assembles the models and runs a scenario;
//! - [`output`]: `timeseries.csv`, `events.csv`, `summary.json`, plots and `report.html`;
//! - [`compare`]: A/B comparison with common random numbers and paired t intervals;
//! - [`sweep`]: parameter grids over any key of the scenario, run in parallel;
//! - [`cases`]: the case library of published figures;
//! - [`stats`], [`tomlpath`], [`summary`]: helpers.

pub mod cases;
pub mod compare;
pub mod output;
pub mod scenario;
pub mod site;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod tomlpath;

pub use scenario::{load_scenario, LoadedScenario, Override, Scenario, ScenarioError};
pub use summary::{Metric, Summary};
