//! Performance curves in the EnergyPlus form (EnergyPlus Input Output Reference, "Curve:Quadratic"
//! and "Curve:Biquadratic"): inputs are clamped to the curve's documented validity range before
//! evaluation, as EnergyPlus does with the curve minimum/maximum values of x and y.

use serde::{Deserialize, Serialize};

/// `z = c0 + c1 x + c2 x^2 + c3 y + c4 y^2 + c5 x y` with x, y clamped to their ranges.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Biquadratic {
    /// Coefficients c0..c5 (dimensionless result, inputs in the curve's units, here degC).
    pub coefficients: [f64; 6],
    /// Minimum and maximum of the first input x.
    pub x_range: [f64; 2],
    /// Minimum and maximum of the second input y.
    pub y_range: [f64; 2],
}

impl Biquadratic {
    /// Evaluate at (x, y) after clamping both into their validity ranges.
    pub fn eval(&self, x: f64, y: f64) -> f64 {
        let x = x.clamp(self.x_range[0], self.x_range[1]);
        let y = y.clamp(self.y_range[0], self.y_range[1]);
        let c = &self.coefficients;
        c[0] + c[1] * x + c[2] * x * x + c[3] * y + c[4] * y * y + c[5] * x * y
    }
    /// Clamp (x, y) into the validity ranges.
    pub fn clamp(&self, x: f64, y: f64) -> (f64, f64) {
        (
            x.clamp(self.x_range[0], self.x_range[1]),
            y.clamp(self.y_range[0], self.y_range[1]),
        )
    }
}

/// `z = c0 + c1 x + c2 x^2` with x clamped to its range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quadratic {
    /// Coefficients c0..c2.
    pub coefficients: [f64; 3],
    /// Minimum and maximum of the input x.
    pub x_range: [f64; 2],
}

impl Quadratic {
    /// Evaluate at x after clamping it into the validity range.
    pub fn eval(&self, x: f64) -> f64 {
        let x = x.clamp(self.x_range[0], self.x_range[1]);
        let c = &self.coefficients;
        c[0] + c[1] * x + c[2] * x * x
    }
}

/// Check that a curve's ranges are ordered and finite.
pub(crate) fn check_range_pair(
    issues: &mut Vec<sim_core::ConfigIssue>,
    path: &str,
    range: [f64; 2],
) {
    if !(range[0].is_finite() && range[1].is_finite() && range[0] <= range[1]) {
        issues.push(sim_core::ConfigIssue::error(
            path,
            format!(
                "range [{}, {}] must be finite with min <= max",
                range[0], range[1]
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_inputs() {
        let b = Biquadratic {
            coefficients: [0.0, 1.0, 0.0, 1.0, 0.0, 0.0],
            x_range: [0.0, 1.0],
            y_range: [0.0, 2.0],
        };
        assert_eq!(b.eval(5.0, 5.0), 3.0);
        assert_eq!(b.eval(0.5, 1.0), 1.5);
        let q = Quadratic {
            coefficients: [1.0, 0.0, 1.0],
            x_range: [0.0, 1.0],
        };
        assert_eq!(q.eval(-3.0), 1.0);
        assert_eq!(q.eval(0.5), 1.25);
    }
}
