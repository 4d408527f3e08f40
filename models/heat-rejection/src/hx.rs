//! Effectiveness-NTU relations (Incropera & DeWitt, Fundamentals of Heat and Mass Transfer,
//! 6th ed., table 11.3 and 11.4): counterflow and crossflow with both fluids unmixed.

/// Counterflow effectiveness for `ntu` and capacity ratio `cr = Cmin/Cmax` (0..=1).
pub fn counterflow_effectiveness(ntu: f64, cr: f64) -> f64 {
    if ntu <= 0.0 {
        return 0.0;
    }
    if (1.0 - cr).abs() < 1e-9 {
        return ntu / (1.0 + ntu);
    }
    let e = (-ntu * (1.0 - cr)).exp();
    ((1.0 - e) / (1.0 - cr * e)).clamp(0.0, 1.0)
}

/// NTU giving counterflow effectiveness `eps` (< 1) at capacity ratio `cr`.
pub fn counterflow_ntu(eps: f64, cr: f64) -> f64 {
    let eps = eps.clamp(0.0, 1.0 - 1e-12);
    if (1.0 - cr).abs() < 1e-9 {
        return eps / (1.0 - eps);
    }
    ((1.0 - eps * cr) / (1.0 - eps)).ln() / (1.0 - cr)
}

/// Crossflow, both fluids unmixed (Incropera eq. 11.32, an approximation exact at cr = 0).
pub fn crossflow_unmixed_effectiveness(ntu: f64, cr: f64) -> f64 {
    if ntu <= 0.0 {
        return 0.0;
    }
    if cr < 1e-9 {
        return 1.0 - (-ntu).exp();
    }
    let eps = 1.0 - ((1.0 / cr) * ntu.powf(0.22) * ((-cr * ntu.powf(0.78)).exp() - 1.0)).exp();
    eps.clamp(0.0, 1.0)
}

/// NTU giving crossflow-unmixed effectiveness `eps` at `cr`, by bisection on the log of NTU.
/// Returns `None` when `eps` is not reachable (>= 1).
pub fn crossflow_unmixed_ntu(eps: f64, cr: f64) -> Option<f64> {
    if !(0.0..1.0).contains(&eps) {
        return None;
    }
    let (mut lo, mut hi) = (1e-6_f64.ln(), 100.0_f64.ln());
    if crossflow_unmixed_effectiveness(hi.exp(), cr) < eps {
        return None;
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if crossflow_unmixed_effectiveness(mid.exp(), cr) < eps {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((0.5 * (lo + hi)).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effectiveness_bounded_and_monotonic() {
        for &cr in &[0.0, 0.3, 0.7, 1.0] {
            let mut last = 0.0;
            for i in 1..200 {
                let ntu = i as f64 * 0.05;
                let e1 = counterflow_effectiveness(ntu, cr);
                let e2 = crossflow_unmixed_effectiveness(ntu, cr);
                assert!((0.0..=1.0).contains(&e1) && (0.0..=1.0).contains(&e2));
                assert!(e2 <= e1 + 1e-9, "crossflow never beats counterflow");
                assert!(e1 >= last);
                last = e1;
            }
        }
    }

    #[test]
    fn inverses_round_trip() {
        // Incropera table 11.3 by hand: NTU = 2, Cr = 0.5 -> (1 - e^-1) / (1 - 0.5 e^-1) = 0.7746.
        let e = counterflow_effectiveness(2.0, 0.5);
        assert!((e - 0.7746).abs() < 1e-4, "{e}");
        assert!((counterflow_ntu(e, 0.5) - 2.0).abs() < 1e-9);
        let e = crossflow_unmixed_effectiveness(1.5, 0.6);
        let ntu = crossflow_unmixed_ntu(e, 0.6).unwrap_or(f64::NAN);
        assert!((ntu - 1.5).abs() < 1e-6);
    }
}
