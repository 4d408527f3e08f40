//! Root finding for the plant's fan-speed solvers (tower and dry cooler: the lowest fan speed
//! that meets a leaving-water target) and for the condenser loop's fixed point.

/// Tolerance of the fan-speed solvers (lowest speed meeting a leaving-water target), fraction of
/// full speed. Tight enough that fan power (cube law) is within ~3e-9 of the exact root's.
pub(crate) const FAN_SPEED_TOLERANCE: f64 = 1e-9;

/// Smallest `x` in `[lo, hi]` at which `g(x) <= 0`, for `g` decreasing in `x` with
/// `g(lo) = g_lo > 0 >= g(hi) = g_hi`, to within `tol`: the returned `x` has `g(x) <= 0` and
/// `g(x - tol) > 0` (or `x = hi` unchanged after `max_iter` evaluations).
///
/// [`illinois`] without the residual test.
pub(crate) fn lowest_passing(
    lo: f64,
    g_lo: f64,
    hi: f64,
    g_hi: f64,
    tol: f64,
    max_iter: u32,
    g: impl FnMut(f64) -> f64,
) -> f64 {
    illinois(lo, g_lo, hi, g_hi, tol, 0.0, max_iter, g)
}

/// Bracketed root of `g` in `[lo, hi]`, `g(lo) = g_lo > 0 >= g(hi) = g_hi`: the first evaluated
/// `x` with `|g(x)| < g_tol` (`g_tol = 0` never stops early), else the bracket's passing end `hi`
/// once `hi - lo <= tol` (`g(hi) <= 0 < g(hi - tol)`), or after `max_iter` evaluations.
///
/// Where `g` jumps across zero instead of crossing it (no root), the bracket closes on the jump
/// and `hi` is its passing side, within `tol`.
///
/// The Illinois variant of regula falsi (M. Dowell and P. Jarratt, "A modified regula falsi
/// method for computing the root of an equation", BIT 11 (1971) 168-174): superlinear
/// convergence while keeping the bracket, so the answer is on the passing side like a bisection's
/// `hi`. A trial point closer than `tol / 4` to either end is moved to `tol / 4` inside (so the
/// final check across the root costs one evaluation), and a bisection step is taken whenever two
/// steps failed to halve the bracket (worst case: bisection's count plus one in three).
#[allow(clippy::too_many_arguments)] // a bracket, its values and the two tolerances
pub(crate) fn illinois(
    mut lo: f64,
    mut g_lo: f64,
    mut hi: f64,
    mut g_hi: f64,
    tol: f64,
    g_tol: f64,
    max_iter: u32,
    mut g: impl FnMut(f64) -> f64,
) -> f64 {
    // Which end the previous step replaced: -1 lo, +1 hi, 0 none yet.
    let mut side = 0i8;
    let mut width_two_ago = f64::INFINITY;
    let mut width_one_ago = f64::INFINITY;
    for _ in 0..max_iter {
        let width = hi - lo;
        if width <= tol || width.is_nan() {
            break;
        }
        let margin = 0.25 * tol;
        let bisect = width > 0.5 * width_two_ago;
        let x = if bisect {
            0.5 * (lo + hi)
        } else {
            let x = hi - g_hi * (width / (g_hi - g_lo));
            if x.is_finite() {
                x.clamp(lo + margin, hi - margin)
            } else {
                0.5 * (lo + hi)
            }
        };
        if bisect {
            (width_two_ago, width_one_ago) = (f64::INFINITY, f64::INFINITY);
        } else {
            (width_two_ago, width_one_ago) = (width_one_ago, width);
        }
        let gx = g(x);
        if gx.abs() < g_tol {
            return x;
        }
        if gx > 0.0 {
            lo = x;
            g_lo = gx;
            if side == -1 {
                g_hi *= 0.5;
            }
            side = -1;
        } else {
            hi = x;
            g_hi = gx;
            if side == 1 {
                g_lo *= 0.5;
            }
            side = 1;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_passing_brackets_the_root_in_few_evaluations() {
        // Smooth, curved: g(x) = 0.8 / (1 + 9 x) - 0.2, root at x = 1/3.
        let g = |x: f64| 0.8 / (1.0 + 9.0 * x) - 0.2;
        let mut evals = 0;
        let x = lowest_passing(0.0, g(0.0), 1.0, g(1.0), 1e-9, 60, |x| {
            evals += 1;
            g(x)
        });
        assert!(g(x) <= 0.0 && g(x - 1e-9) > 0.0, "{x}");
        assert!(evals <= 15, "{evals} evaluations (bisection: 30)");
        // A step: no slope information, so it must fall back to halving and still bracket it.
        let step = |x: f64| if x < 0.123_456 { 1.0 } else { -1.0 };
        let mut evals = 0;
        let x = lowest_passing(0.0, 1.0, 1.0, -1.0, 1e-9, 200, |x| {
            evals += 1;
            step(x)
        });
        assert!(step(x) <= 0.0 && step(x - 1e-9) > 0.0, "{x}");
        assert!(evals <= 60, "{evals} evaluations");
        // Root at an end: the passing end is returned.
        let x = lowest_passing(0.0, 1.0, 1.0, 0.0, 1e-9, 60, |x| 1.0 - x);
        assert!(x <= 1.0 && x > 1.0 - 1e-9);
    }

    #[test]
    fn illinois_stops_on_a_small_residual_and_closes_on_a_jump() {
        // Residual test: g(x) = 1/3 - x stops as soon as |g| < 1e-6, long before the 1e-15
        // bracket (exact root 1/3).
        let mut evals = 0;
        let x = illinois(0.0, 1.0 / 3.0, 1.0, -2.0 / 3.0, 1e-15, 1e-6, 100, |x| {
            evals += 1;
            1.0 / 3.0 - x
        });
        assert!((x - 1.0 / 3.0).abs() < 1e-6, "{x}");
        assert!(evals <= 3, "{evals} evaluations");
        // A jump across zero at 0.4 (no root): the residual test never passes; the bracket
        // closes on the jump, passing side.
        let jump = |x: f64| if x < 0.4 { 0.5 - x } else { -0.1 - x };
        let mut evals = 0;
        let x = illinois(0.0, 0.5, 1.0, -1.1, 1e-12, 1e-12, 200, |x| {
            evals += 1;
            jump(x)
        });
        assert!((0.4..=0.4 + 1e-12).contains(&x), "{x}");
        assert!(evals <= 60, "{evals} evaluations");
    }
}
