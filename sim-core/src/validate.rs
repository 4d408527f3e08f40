//! Configuration issues reported by model validation.
//!
//! Every model configuration validates itself and returns *all* its problems at once as
//! [`ConfigIssue`]s whose `path` is the dotted key path relative to the section it was given
//! (e.g. `rows[2].racks`). The scenario layer prefixes the section name and adds file and line.

use std::fmt;

/// How serious an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Legal but suspicious (e.g. a supply temperature outside the recommended range).
    Warning,
    /// Impossible or inconsistent: the run must not start.
    Error,
}

/// One problem with a configuration value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    /// Dotted key path relative to the validated section, e.g. `cdu.approach_k`.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// Error or warning.
    pub severity: Severity,
}

impl ConfigIssue {
    /// An error at `path`.
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigIssue {
            path: path.into(),
            message: message.into(),
            severity: Severity::Error,
        }
    }
    /// A warning at `path`.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigIssue {
            path: path.into(),
            message: message.into(),
            severity: Severity::Warning,
        }
    }
    /// The same issue with `prefix.` put in front of its path.
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.path = if self.path.is_empty() {
            prefix.to_owned()
        } else if self.path.starts_with('[') {
            format!("{prefix}{}", self.path)
        } else {
            format!("{prefix}.{}", self.path)
        };
        self
    }
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{kind}: `{}`: {}", self.path, self.message)
    }
}

/// Push an error unless `value` is finite and within `[min, max]`.
pub fn check_range(
    issues: &mut Vec<ConfigIssue>,
    path: &str,
    value: f64,
    min: f64,
    max: f64,
    unit: &str,
) {
    if !value.is_finite() || value < min || value > max {
        issues.push(ConfigIssue::error(
            path,
            format!("{value} {unit} is out of range: expected {min} to {max} {unit}"),
        ));
    }
}

/// Push an error unless `value` is finite and strictly positive.
pub fn check_positive(issues: &mut Vec<ConfigIssue>, path: &str, value: f64, unit: &str) {
    if !value.is_finite() || value <= 0.0 {
        issues.push(ConfigIssue::error(
            path,
            format!("{value} {unit} must be a finite number greater than zero"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_formats() {
        let i = ConfigIssue::error("approach_k", "must be > 0").prefixed("cooling.cdu");
        assert_eq!(i.path, "cooling.cdu.approach_k");
        assert_eq!(
            i.to_string(),
            "error: `cooling.cdu.approach_k`: must be > 0"
        );
        let j = ConfigIssue::warning("[2].racks", "x").prefixed("rows");
        assert_eq!(j.path, "rows[2].racks");
    }

    #[test]
    fn range_checks() {
        let mut v = Vec::new();
        check_range(&mut v, "a", 1.5, 0.0, 1.0, "-");
        check_range(&mut v, "b", 0.5, 0.0, 1.0, "-");
        check_positive(&mut v, "c", 0.0, "kg/s");
        check_positive(&mut v, "d", f64::NAN, "kg/s");
        assert_eq!(
            v.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(),
            vec!["a", "c", "d"]
        );
    }
}
