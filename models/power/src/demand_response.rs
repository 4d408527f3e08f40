//! Demand-response requests: `[[power.grid.events]]`, each asking the site to cut its metered
//! import by `reduce_by_kw`, or to `limit_kw`, from `start_h` for `duration_h` hours (the form
//! of utility curtailment programmes, e.g. PJM Emergency and Pre-Emergency Load Management,
//! PJM Manual 11 §10; "reduce by" is measured against a baseline).
//!
//! Baseline: the metered import averaged over the last closed demand interval before the
//! event starts, frozen for the event (a "day-of" baseline with no adjustment; PJM Manual 19
//! describes the family). The electrical system meets the request with battery discharge
//! (overriding the storage policy while the event lasts) and reports the requested and
//! delivered reduction and the shortfall against the limit; IT power capping and pre-cooling
//! are up to the site, which reads the limit with
//! [`crate::ElectricalSystem::import_limit_w`].

use serde::{Deserialize, Serialize};
use sim_core::validate::{check_positive, check_range};
use sim_core::{ConfigIssue, SimTime};

/// One demand-response request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandResponseEvent {
    /// Start in hours on the clock of the grid signals (the time handed to
    /// [`crate::ElectricalSystem::step`]).
    pub start_h: f64,
    /// Duration in hours.
    pub duration_h: f64,
    /// Cut the import by this much below the baseline, in kW.
    #[serde(default)]
    pub reduce_by_kw: Option<f64>,
    /// Keep the import at or below this, in kW.
    #[serde(default)]
    pub limit_kw: Option<f64>,
}

impl DemandResponseEvent {
    /// All problems, paths relative to this event.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        check_range(&mut v, "start_h", self.start_h, 0.0, 1.0e7, "h");
        check_positive(&mut v, "duration_h", self.duration_h, "h");
        match (self.reduce_by_kw, self.limit_kw) {
            (Some(x), None) => check_range(&mut v, "reduce_by_kw", x, 0.0, f64::MAX, "kW"),
            (None, Some(y)) => check_range(&mut v, "limit_kw", y, 0.0, f64::MAX, "kW"),
            _ => v.push(ConfigIssue::error(
                "reduce_by_kw",
                "give exactly one of reduce_by_kw and limit_kw",
            )),
        }
        v
    }

    /// Whether the event is on at `t`.
    pub fn active_at(&self, t: SimTime) -> bool {
        let h = t.as_secs_f64() / 3600.0;
        h >= self.start_h && h < self.start_h + self.duration_h
    }

    /// Requested import limit in W for a baseline import of `baseline_w`.
    pub fn limit_w(&self, baseline_w: f64) -> f64 {
        match (self.limit_kw, self.reduce_by_kw) {
            (Some(y), _) => y * 1000.0,
            (None, Some(x)) => (baseline_w - x * 1000.0).max(0.0),
            (None, None) => f64::INFINITY,
        }
    }
}

/// Index of the first event active at `t`.
pub fn active_event(events: &[DemandResponseEvent], t: SimTime) -> Option<usize> {
    events.iter().position(|e| e.active_at(t))
}
