//! Piecewise-constant time series (step signals): prices, carbon intensity, setpoint schedules.

use crate::time::{SimDuration, SimTime};

/// Error building a [`StepSeries`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeriesError {
    /// No points were given.
    #[error("a step series needs at least one point")]
    Empty,
    /// Times must increase strictly.
    #[error(
        "step series times must increase strictly (point {index} is not after the one before)"
    )]
    NotIncreasing {
        /// Index of the offending point.
        index: usize,
    },
    /// A value was NaN or infinite.
    #[error("step series value at point {index} is not finite")]
    NotFinite {
        /// Index of the offending point.
        index: usize,
    },
}

/// A signal that holds `values[i]` from `times[i]` until `times[i + 1]`; before the first point
/// it holds the first value, after the last point the last value, unless the series is periodic,
/// in which case time wraps modulo `period`.
#[derive(Debug, Clone, PartialEq)]
pub struct StepSeries {
    times: Vec<SimTime>,
    values: Vec<f64>,
    period: Option<SimDuration>,
}

impl StepSeries {
    /// A series from `(time, value)` points with strictly increasing times.
    pub fn new(points: Vec<(SimTime, f64)>) -> Result<Self, SeriesError> {
        if points.is_empty() {
            return Err(SeriesError::Empty);
        }
        for (i, w) in points.windows(2).enumerate() {
            if w[1].0 <= w[0].0 {
                return Err(SeriesError::NotIncreasing { index: i + 1 });
            }
        }
        if let Some(i) = points.iter().position(|p| !p.1.is_finite()) {
            return Err(SeriesError::NotFinite { index: i });
        }
        let (times, values) = points.into_iter().unzip();
        Ok(StepSeries {
            times,
            values,
            period: None,
        })
    }

    /// A constant signal.
    pub fn constant(value: f64) -> Self {
        StepSeries {
            times: vec![SimTime::ZERO],
            values: vec![value],
            period: None,
        }
    }

    /// Repeat the series with the given period (e.g. a daily tariff, period 24 h).
    pub fn periodic(mut self, period: SimDuration) -> Self {
        if !period.is_zero() {
            self.period = Some(period);
        }
        self
    }

    fn wrap(&self, t: SimTime) -> SimTime {
        match self.period {
            Some(p) => SimTime(t.0 % p.0),
            None => t,
        }
    }

    /// Value holding at `t`.
    pub fn value_at(&self, t: SimTime) -> f64 {
        let t = self.wrap(t);
        let i = self.times.partition_point(|&x| x <= t);
        self.values[i.saturating_sub(1)]
    }

    /// The first instant after `t` at which the value may change (for scheduling step events).
    pub fn next_change_after(&self, t: SimTime) -> Option<SimTime> {
        let local = self.wrap(t);
        let i = self.times.partition_point(|&x| x <= local);
        match (self.times.get(i), self.period) {
            (Some(&next), _) => Some(t + (next - local)),
            (None, Some(p)) => Some(t + (SimTime(p.0) - local) + (self.times[0] - SimTime::ZERO)),
            (None, None) => None,
        }
    }

    /// Mean value over `[from, to)`, exact for the step signal.
    pub fn mean_over(&self, from: SimTime, to: SimTime) -> f64 {
        if to <= from {
            return self.value_at(from);
        }
        let mut acc = crate::integrate::CompensatedSum::default();
        let mut t = from;
        while t < to {
            let next = self.next_change_after(t).map_or(to, |n| n.min(to));
            acc.add(self.value_at(t) * (next - t).as_secs_f64());
            t = next;
        }
        acc.value() / (to - from).as_secs_f64()
    }

    /// The points of one period (or of the whole series).
    pub fn points(&self) -> impl Iterator<Item = (SimTime, f64)> + '_ {
        self.times.iter().copied().zip(self.values.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(x: u64) -> SimTime {
        SimTime::from_secs(x * 3600)
    }

    #[test]
    fn holds_values_between_points() {
        let s = StepSeries::new(vec![(h(0), 1.0), (h(8), 3.0), (h(20), 2.0)]).expect("valid");
        assert_eq!(s.value_at(h(0)), 1.0);
        assert_eq!(s.value_at(SimTime(h(8).0 - 1)), 1.0);
        assert_eq!(s.value_at(h(8)), 3.0);
        assert_eq!(s.value_at(h(100)), 2.0);
        assert_eq!(s.next_change_after(h(1)), Some(h(8)));
        assert_eq!(s.next_change_after(h(21)), None);
    }

    #[test]
    fn periodic_tariff_wraps_daily() {
        let s = StepSeries::new(vec![(h(0), 0.3), (h(8), 1.0), (h(22), 0.3)])
            .expect("valid")
            .periodic(SimDuration::from_hours(24));
        assert_eq!(s.value_at(h(24 + 9)), 1.0);
        assert_eq!(s.value_at(h(48 + 23)), 0.3);
        assert_eq!(s.next_change_after(h(23)), Some(h(24)));
        assert_eq!(s.next_change_after(h(24)), Some(h(32)));
        let mean = s.mean_over(h(0), h(24));
        assert!((mean - (0.3 * 10.0 + 14.0) / 24.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_points() {
        assert_eq!(StepSeries::new(vec![]), Err(SeriesError::Empty));
        assert_eq!(
            StepSeries::new(vec![(h(1), 1.0), (h(1), 2.0)]),
            Err(SeriesError::NotIncreasing { index: 1 })
        );
        assert_eq!(
            StepSeries::new(vec![(h(1), f64::NAN)]),
            Err(SeriesError::NotFinite { index: 0 })
        );
    }
}
