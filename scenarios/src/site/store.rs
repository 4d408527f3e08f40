//! Heat held between stages: the lags of the site's coupling sit on these states, never on a
//! rate, so no step length can amplify them (ARCHITECTURE.md, "Lags").

/// Heat that one stage hands to another through a thermal mass with time constant `T`: the
/// stored energy `E` is released as `E (1 - e^(-h/T))` over a step of length `h`, and what the
/// producer adds during the step is stored for the following steps.
///
/// This is the exact solution of `dE/dt = -E / T` over the step with the producer's heat
/// entering at the step's end (lumped capacitance, Incropera & DeWitt, *Fundamentals of Heat and
/// Mass Transfer*, 6th ed., section 5.1). The release is bounded by what is stored, the first
/// law closes for every `h` (`E1 = E0 - released + produced`), and a 1 µs step releases a 1 µs
/// share: none of today's `joules / dt` spikes. In steady state the release equals the
/// production whatever the step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaggedHeat {
    /// Heat stored, J (may be negative for a store that a sink can overdraw, e.g. a loop that
    /// was cooled below its setpoint).
    pub stored_j: f64,
    /// Time constant of the release, s (> 0).
    pub time_constant_s: f64,
}

impl LaggedHeat {
    /// An empty store with time constant `time_constant_s` (values <= 0 are taken as 1 µs: a
    /// store that releases at once).
    pub fn new(time_constant_s: f64) -> Self {
        LaggedHeat {
            stored_j: 0.0,
            time_constant_s: if time_constant_s > 0.0 {
                time_constant_s
            } else {
                1e-6
            },
        }
    }

    /// Share of the stored heat released over a step of `h_s` seconds.
    pub fn release_fraction(&self, h_s: f64) -> f64 {
        -(-h_s / self.time_constant_s).exp_m1()
    }

    /// Heat released over the next `h_s` seconds if nothing is added, J.
    pub fn release_j(&self, h_s: f64) -> f64 {
        self.stored_j * self.release_fraction(h_s)
    }

    /// Close a step: `released_j` left the store, `produced_j` entered it.
    pub fn close(&mut self, released_j: f64, produced_j: f64) {
        self.stored_j = self.stored_j - released_j + produced_j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_is_bounded_by_the_store_and_closes_for_any_step() {
        for h in [1e-6, 1e-3, 0.36e-3, 1.0, 60.0, 900.0, 3600.0, 1e7] {
            let mut s = LaggedHeat::new(120.0);
            s.stored_j = 5e6;
            let r = s.release_j(h);
            assert!((0.0..=5e6).contains(&r), "h {h}: {r}");
            s.close(r, 1e3);
            assert!((s.stored_j - (5e6 - r + 1e3)).abs() < 1e-6);
        }
    }

    #[test]
    fn steady_release_equals_production_whatever_the_step() {
        for h in [10.0, 60.0, 300.0, 900.0] {
            let mut s = LaggedHeat::new(120.0);
            let p = 4000.0;
            let mut released = 0.0;
            for _ in 0..(200_000.0 / h) as usize {
                released = s.release_j(h);
                s.close(released, p * h);
            }
            assert!(
                (released / h - p).abs() < 1e-6 * p,
                "h {h}: {}",
                released / h
            );
        }
    }

    #[test]
    fn a_microsecond_step_releases_a_microsecond_share() {
        let mut s = LaggedHeat::new(120.0);
        s.stored_j = 60.0 * 4000.0;
        // 1 µs of a 120 s release of 240 kJ: 2 mJ, i.e. 2 kW, not the 2.4e11 W of J / dt.
        let r = s.release_j(1e-6);
        assert!((r / 1e-6 - 2000.0).abs() < 1.0, "{}", r / 1e-6);
    }
}
