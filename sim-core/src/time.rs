//! Integer simulation time.
//!
//! Time is a count of microseconds in a `u64` (about 584,000 years of range), so there is no
//! float clock and no drift: adding a 60 s control interval a million times lands exactly on
//! 60,000,000 s. Instants ([`SimTime`]) and spans ([`SimDuration`]) are distinct types, so an
//! absolute time can never be passed where a duration is meant (the same discipline the models
//! keep between absolute temperatures and temperature differences).

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

use serde::{Deserialize, Serialize};

/// Microseconds per second.
pub const MICROS_PER_SEC: u64 = 1_000_000;

/// Error converting a floating-point number of seconds into integer time.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TimeError {
    /// The value was negative, NaN or infinite.
    #[error("time value {0} s is not a finite non-negative number")]
    NotFiniteNonNegative(f64),
    /// The value does not fit in the u64 microsecond range.
    #[error("time value {0} s is too large (maximum about 1.8e13 s)")]
    Overflow(f64),
}

fn secs_to_micros(secs: f64) -> Result<u64, TimeError> {
    if !secs.is_finite() || secs < 0.0 {
        return Err(TimeError::NotFiniteNonNegative(secs));
    }
    let micros = (secs * MICROS_PER_SEC as f64).round();
    if micros >= u64::MAX as f64 {
        return Err(TimeError::Overflow(secs));
    }
    Ok(micros as u64)
}

/// An instant of simulated time, in integer microseconds since the start of the run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct SimTime(pub u64);

/// A span of simulated time, in integer microseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable instant (used as "never").
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Instant at `micros` microseconds.
    pub const fn from_micros(micros: u64) -> Self {
        SimTime(micros)
    }
    /// Instant at a whole number of seconds.
    pub const fn from_secs(secs: u64) -> Self {
        SimTime(secs * MICROS_PER_SEC)
    }
    /// Instant at a float number of seconds, rounded to the nearest microsecond.
    pub fn try_from_secs_f64(secs: f64) -> Result<Self, TimeError> {
        secs_to_micros(secs).map(SimTime)
    }
    /// Microseconds since the start.
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// Seconds since the start as f64 (for output and physics; never fed back into the clock).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SEC as f64
    }
    /// Hours since the start as f64.
    pub fn as_hours_f64(self) -> f64 {
        self.as_secs_f64() / 3600.0
    }
    /// Span from `earlier` to `self`; zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
    /// `self + d`, saturating at [`SimTime::MAX`].
    pub fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl SimDuration {
    /// Zero length.
    pub const ZERO: SimDuration = SimDuration(0);

    /// Span of `micros` microseconds.
    pub const fn from_micros(micros: u64) -> Self {
        SimDuration(micros)
    }
    /// Span of whole seconds.
    pub const fn from_secs(secs: u64) -> Self {
        SimDuration(secs * MICROS_PER_SEC)
    }
    /// Span of whole minutes.
    pub const fn from_minutes(minutes: u64) -> Self {
        SimDuration(minutes * 60 * MICROS_PER_SEC)
    }
    /// Span of whole hours.
    pub const fn from_hours(hours: u64) -> Self {
        SimDuration(hours * 3600 * MICROS_PER_SEC)
    }
    /// Span of a float number of seconds, rounded to the nearest microsecond.
    pub fn try_from_secs_f64(secs: f64) -> Result<Self, TimeError> {
        secs_to_micros(secs).map(SimDuration)
    }
    /// Length in microseconds.
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// Length in seconds as f64.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SEC as f64
    }
    /// Length in hours as f64.
    pub fn as_hours_f64(self) -> f64 {
        self.as_secs_f64() / 3600.0
    }
    /// True for a zero-length span.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0 + rhs.0)
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        self.0 += rhs.0;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    /// Span between two instants. Panics in debug builds if `rhs` is later (a logic error).
    fn sub(self, rhs: SimTime) -> SimDuration {
        SimDuration(self.0 - rhs.0)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0 + rhs.0)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.as_secs_f64())
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_control_interval_has_no_drift() {
        let step = SimDuration::from_minutes(1);
        let mut t = SimTime::ZERO;
        for _ in 0..525_600 {
            t += step;
        }
        assert_eq!(t, SimTime::from_secs(365 * 24 * 3600));
    }

    #[test]
    fn float_conversion_rejects_negative_and_nan() {
        assert!(SimDuration::try_from_secs_f64(-1.0).is_err());
        assert!(SimDuration::try_from_secs_f64(f64::NAN).is_err());
        assert!(SimDuration::try_from_secs_f64(f64::INFINITY).is_err());
        assert_eq!(
            SimDuration::try_from_secs_f64(1.5).ok(),
            Some(SimDuration(1_500_000))
        );
    }

    #[test]
    fn unit_constructors_agree() {
        assert_eq!(SimDuration::from_hours(1), SimDuration::from_minutes(60));
        assert_eq!(SimDuration::from_minutes(1), SimDuration::from_secs(60));
        assert_eq!(SimTime::from_secs(7200).as_hours_f64(), 2.0);
    }
}
