//! Exact integration between events.
//!
//! Between two events every input is constant, so:
//! - the energy of a piecewise-constant power is a sum of `power * duration` products, computed
//!   here with integer microsecond durations and Neumaier-compensated summation, so a year of
//!   one-minute steps loses no precision to rounding ([`EnergyMeter`]);
//! - a linear time-invariant system `dx/dt = A x + B u` with constant `u` over a step `h` has the
//!   exact solution `x(h) = Phi x(0) + Gamma u`, `Phi = exp(A h)`,
//!   `Gamma = integral_0^h exp(A s) ds B`. Both come from one matrix exponential of the augmented
//!   matrix `[[A, B], [0, 0]] h` (Van Loan, "Computing integrals involving the matrix
//!   exponential", IEEE TAC 23(3), 1978). This is how lumped RC thermal networks are advanced
//!   exactly rather than by small fixed steps ([`LinearSystem`]);
//! - a single thermal mass has the closed form [`first_order_step`].

use nalgebra::{DMatrix, DVector};

use crate::time::SimDuration;

/// Neumaier-compensated running sum (Kahan–Babuška): the error does not grow with the number of
/// terms.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    /// Add one term.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }
    /// The compensated total.
    #[inline]
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// Energy of a piecewise-constant power, in joules.
///
/// Call [`EnergyMeter::accumulate`] with the power that held over each interval; the meter keeps
/// the total energy (J) and the peak power seen (W).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EnergyMeter {
    energy_j: CompensatedSum,
    peak_w: f64,
}

impl EnergyMeter {
    /// Add `power_w` held for `dt`.
    #[inline]
    pub fn accumulate(&mut self, power_w: f64, dt: SimDuration) {
        self.energy_j.add(power_w * dt.as_secs_f64());
        if power_w > self.peak_w {
            self.peak_w = power_w;
        }
    }
    /// Total energy in joules.
    pub fn energy_j(&self) -> f64 {
        self.energy_j.value()
    }
    /// Total energy in kilowatt-hours.
    pub fn energy_kwh(&self) -> f64 {
        self.energy_j.value() / 3.6e6
    }
    /// Largest power held over any interval, in watts.
    pub fn peak_w(&self) -> f64 {
        self.peak_w
    }
}

/// Exact step of a single first-order lag (one thermal mass `C` coupled through conductance `G`
/// to a constant driving temperature, with a constant heat input): the state relaxes towards
/// `target` with time constant `tau_s = C / G`:
/// `x(h) = target + (x0 - target) * exp(-h / tau_s)`.
#[inline]
pub fn first_order_step(x0: f64, target: f64, tau_s: f64, h_s: f64) -> f64 {
    if tau_s <= 0.0 {
        return target;
    }
    target + (x0 - target) * (-h_s / tau_s).exp()
}

/// A linear time-invariant system `dx/dt = A x + B u`, advanced exactly over steps with constant
/// input `u`. The discretisation for the last step length is cached, so a fixed control interval
/// costs one matrix-vector product per step.
#[derive(Debug, Clone)]
pub struct LinearSystem {
    a: DMatrix<f64>,
    b: DMatrix<f64>,
    cached: Option<(SimDuration, DMatrix<f64>, DMatrix<f64>)>,
}

impl LinearSystem {
    /// A system with state matrix `a` (n x n) and input matrix `b` (n x m).
    ///
    /// # Panics
    /// If `a` is not square or `b` has a different number of rows (a programming error, not
    /// user input: models build these matrices from validated parameters).
    pub fn new(a: DMatrix<f64>, b: DMatrix<f64>) -> Self {
        assert!(a.is_square(), "A must be square");
        assert_eq!(a.nrows(), b.nrows(), "B must have as many rows as A");
        LinearSystem { a, b, cached: None }
    }

    /// Number of states.
    pub fn states(&self) -> usize {
        self.a.nrows()
    }

    /// Discretisation `(Phi, Gamma)` for step `h` by the augmented matrix exponential.
    pub fn discretise(&self, h: SimDuration) -> (DMatrix<f64>, DMatrix<f64>) {
        let n = self.a.nrows();
        let m = self.b.ncols();
        let hs = h.as_secs_f64();
        let mut aug = DMatrix::<f64>::zeros(n + m, n + m);
        aug.view_mut((0, 0), (n, n)).copy_from(&(&self.a * hs));
        aug.view_mut((0, n), (n, m)).copy_from(&(&self.b * hs));
        let e = aug.exp();
        (
            e.view((0, 0), (n, n)).into_owned(),
            e.view((0, n), (n, m)).into_owned(),
        )
    }

    /// Advance state `x` over `h` with input `u` held constant.
    pub fn step(&mut self, x: &DVector<f64>, u: &DVector<f64>, h: SimDuration) -> DVector<f64> {
        let fresh = !matches!(&self.cached, Some((ch, _, _)) if *ch == h);
        if fresh {
            let (phi, gamma) = self.discretise(h);
            self.cached = Some((h, phi, gamma));
        }
        match &self.cached {
            Some((_, phi, gamma)) => phi * x + gamma * u,
            None => x.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energy_of_piecewise_constant_power_is_exact() {
        let mut m = EnergyMeter::default();
        // 1 kW for 1 h, 2.5 kW for 30 min, 0 for 10 min: 2.25 kWh.
        m.accumulate(1000.0, SimDuration::from_hours(1));
        m.accumulate(2500.0, SimDuration::from_minutes(30));
        m.accumulate(0.0, SimDuration::from_minutes(10));
        assert_eq!(m.energy_j(), 8.1e6);
        assert_eq!(m.energy_kwh(), 2.25);
        assert_eq!(m.peak_w(), 2500.0);
    }

    #[test]
    fn a_year_of_minutes_sums_without_drift() {
        let mut m = EnergyMeter::default();
        for _ in 0..525_600 {
            m.accumulate(0.1, SimDuration::from_minutes(1));
        }
        let exact = 0.1 * 525_600.0 * 60.0;
        assert!((m.energy_j() - exact).abs() / exact < 1e-15);
    }

    #[test]
    fn single_thermal_mass_matches_analytic_solution() {
        // C dT/dt = G (T_amb - T) + Q  ->  A = -G/C, B = [G/C, 1/C], u = [T_amb, Q].
        let c_j_per_k = 5.0e5;
        let g_w_per_k = 250.0;
        let (t_amb_c, q_w) = (24.0, 3000.0);
        let mut sys = LinearSystem::new(
            DMatrix::from_element(1, 1, -g_w_per_k / c_j_per_k),
            DMatrix::from_row_slice(1, 2, &[g_w_per_k / c_j_per_k, 1.0 / c_j_per_k]),
        );
        let u = DVector::from_vec(vec![t_amb_c, q_w]);
        let tau_s = c_j_per_k / g_w_per_k;
        let t_inf = t_amb_c + q_w / g_w_per_k;
        let mut x = DVector::from_element(1, 20.0);
        for k in 1..=50u64 {
            x = sys.step(&x, &u, SimDuration::from_secs(60));
            let t = (k * 60) as f64;
            let analytic = t_inf + (20.0 - t_inf) * (-t / tau_s).exp();
            let rel = (x[0] - analytic).abs() / analytic.abs();
            assert!(rel < 1e-12, "step {k}: {} vs {analytic} ({rel:e})", x[0]);
            let closed = first_order_step(20.0, t_inf, tau_s, t);
            assert!((closed - analytic).abs() / analytic < 1e-14);
        }
    }

    #[test]
    fn two_mass_network_conserves_energy_without_losses() {
        // Two masses exchanging heat only with each other: total heat content is constant.
        let (c1, c2, g) = (1.0e5, 3.0e5, 80.0);
        let a = DMatrix::from_row_slice(2, 2, &[-g / c1, g / c1, g / c2, -g / c2]);
        let b = DMatrix::zeros(2, 1);
        let mut sys = LinearSystem::new(a, b);
        let mut x = DVector::from_vec(vec![60.0, 20.0]);
        let u = DVector::zeros(1);
        let h0 = c1 * x[0] + c2 * x[1];
        for _ in 0..100 {
            x = sys.step(&x, &u, SimDuration::from_secs(300));
        }
        let h1 = c1 * x[0] + c2 * x[1];
        assert!((h1 - h0).abs() / h0 < 1e-12);
        assert!((x[0] - x[1]).abs() < 1e-6, "reached equilibrium");
    }
}
