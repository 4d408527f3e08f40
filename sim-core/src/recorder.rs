//! Recording: named signals sampled on a fixed interval, an event log, and a JSON summary.
//!
//! Numbers are written with Rust's shortest round-trip float formatting, which is exact and
//! identical on every platform, so two runs of the same scenario and seed give byte-identical
//! files. JSON objects are written with sorted keys.

use std::io::{self, Write};

use crate::time::{SimDuration, SimTime};

/// One entry of the event log.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedEvent {
    /// When it happened.
    pub time: SimTime,
    /// Which component reported it (e.g. `chiller-1`).
    pub source: String,
    /// What kind of event (e.g. `trip`, `job_start`).
    pub kind: String,
    /// Free text detail.
    pub detail: String,
}

/// Error recording a sample.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// The sample had a different number of values than there are signals.
    #[error("sample has {got} values but the recorder has {expected} signals")]
    WidthMismatch {
        /// Number of signals.
        expected: usize,
        /// Number of values given.
        got: usize,
    },
}

/// Fixed-interval signal recorder plus event log.
#[derive(Debug, Clone)]
pub struct Recorder {
    interval: SimDuration,
    names: Vec<String>,
    times: Vec<SimTime>,
    values: Vec<f64>,
    events: Vec<LoggedEvent>,
    next_due: SimTime,
}

impl Recorder {
    /// A recorder sampling `names` every `interval` (a zero interval records every offered sample).
    pub fn new(interval: SimDuration, names: Vec<String>) -> Self {
        Recorder {
            interval,
            names,
            times: Vec::new(),
            values: Vec::new(),
            events: Vec::new(),
            next_due: SimTime::ZERO,
        }
    }

    /// The signal names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// True when a sample is due at `now`.
    pub fn is_due(&self, now: SimTime) -> bool {
        now >= self.next_due
    }

    /// Store one sample of every signal at `now` and move the next due time on by one interval.
    pub fn record(&mut self, now: SimTime, sample: &[f64]) -> Result<(), RecordError> {
        if sample.len() != self.names.len() {
            return Err(RecordError::WidthMismatch {
                expected: self.names.len(),
                got: sample.len(),
            });
        }
        self.times.push(now);
        self.values.extend_from_slice(sample);
        while self.next_due <= now {
            if self.interval.is_zero() {
                self.next_due = SimTime(now.0 + 1);
                break;
            }
            self.next_due += self.interval;
        }
        Ok(())
    }

    /// Add an entry to the event log.
    pub fn log_event(&mut self, time: SimTime, source: &str, kind: &str, detail: String) {
        self.events.push(LoggedEvent {
            time,
            source: source.to_owned(),
            kind: kind.to_owned(),
            detail,
        });
    }

    /// Number of samples stored.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// True when no sample is stored.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The values of one signal over time, by name.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let j = self.names.iter().position(|n| n == name)?;
        let w = self.names.len();
        Some(self.values.iter().skip(j).step_by(w).copied().collect())
    }

    /// Sample times.
    pub fn times(&self) -> &[SimTime] {
        &self.times
    }

    /// The event log.
    pub fn events(&self) -> &[LoggedEvent] {
        &self.events
    }

    /// Write `time_s,<signals...>` as CSV.
    pub fn write_timeseries_csv<W: Write>(&self, mut w: W) -> io::Result<()> {
        write!(w, "time_s")?;
        for n in &self.names {
            write!(w, ",{}", csv_field(n))?;
        }
        writeln!(w)?;
        let width = self.names.len();
        for (i, t) in self.times.iter().enumerate() {
            write!(w, "{}", t.as_secs_f64())?;
            for v in &self.values[i * width..(i + 1) * width] {
                write!(w, ",{v}")?;
            }
            writeln!(w)?;
        }
        w.flush()
    }

    /// Write the event log as CSV: `time_s,source,kind,detail`.
    pub fn write_events_csv<W: Write>(&self, mut w: W) -> io::Result<()> {
        writeln!(w, "time_s,source,kind,detail")?;
        for e in &self.events {
            writeln!(
                w,
                "{},{},{},{}",
                e.time.as_secs_f64(),
                csv_field(&e.source),
                csv_field(&e.kind),
                csv_field(&e.detail)
            )?;
        }
        w.flush()
    }
}

/// Quote a CSV field when it holds a comma, quote or newline (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Write a JSON summary with sorted keys and a trailing newline.
pub fn write_summary_json<W: Write>(mut w: W, summary: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut w, summary)?;
    writeln!(w)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_on_interval_and_writes_csv() {
        let mut r = Recorder::new(
            SimDuration::from_secs(60),
            vec!["it_power_kw".into(), "note,with comma".into()],
        );
        assert!(r.is_due(SimTime::ZERO));
        r.record(SimTime::ZERO, &[1.5, 2.0]).expect("width ok");
        assert!(!r.is_due(SimTime::from_secs(30)));
        assert!(r.is_due(SimTime::from_secs(60)));
        r.record(SimTime::from_secs(60), &[0.1, -3.0])
            .expect("width ok");
        assert!(r.record(SimTime::from_secs(120), &[1.0]).is_err());
        let mut out = Vec::new();
        r.write_timeseries_csv(&mut out).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "time_s,it_power_kw,\"note,with comma\"\n0,1.5,2\n60,0.1,-3\n"
        );
        assert_eq!(r.column("it_power_kw"), Some(vec![1.5, 0.1]));
    }

    #[test]
    fn event_log_csv_quotes_fields() {
        let mut r = Recorder::new(SimDuration::from_secs(1), vec![]);
        r.log_event(
            SimTime::from_secs(5),
            "chiller-1",
            "trip",
            "a \"b\", c".into(),
        );
        let mut out = Vec::new();
        r.write_events_csv(&mut out).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "time_s,source,kind,detail\n5,chiller-1,trip,\"a \"\"b\"\", c\"\n"
        );
    }

    #[test]
    fn summary_json_keys_are_sorted() {
        let v = serde_json::json!({"b": 1, "a": {"z": 2.5, "c": "x"}});
        let mut out = Vec::new();
        write_summary_json(&mut out, &v).expect("write");
        let s = String::from_utf8(out).expect("utf8");
        assert!(s.find("\"a\"") < s.find("\"b\""));
        assert!(s.find("\"c\"") < s.find("\"z\""));
    }
}
