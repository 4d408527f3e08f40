//! Shared workloads for the dctwin benchmarks.
//!
//! The classic *hold* model (Vaucher & Duval 1975; Jones, CACM 29(4), 1986) measures a
//! pending-event set: keep `n` events pending; repeatedly pop the earliest and schedule a
//! replacement at `now + Exp(1)`. Its cost per operation is the engine's cost per event.

use rand::Rng;
use rand_distr::Exp1;
use sim_core::{EventQueue, RngStreams, SimTime, StreamRng};

/// One second of simulated time in engine ticks: hold intervals are Exp(1) seconds.
const TICKS_PER_UNIT: f64 = 1.0e6;

/// A primed hold model: a queue with `n` pending events and its random stream.
pub struct HoldModel {
    queue: EventQueue<u32>,
    rng: StreamRng,
    now: SimTime,
}

impl HoldModel {
    /// A queue primed with `n` events at Exp(1) times, from the stream `hold` of seed `seed`.
    pub fn new(n: usize, seed: u64) -> Self {
        let mut rng = RngStreams::new(seed).stream("hold");
        let mut queue = EventQueue::with_capacity(n);
        for i in 0..n {
            let dt: f64 = rng.sample(Exp1);
            queue.schedule(SimTime((dt * TICKS_PER_UNIT) as u64), i as u32);
        }
        HoldModel {
            queue,
            rng,
            now: SimTime::ZERO,
        }
    }

    /// Perform `ops` hold operations; returns a checksum of popped payloads (keeps the work alive).
    pub fn run(&mut self, ops: u64) -> u64 {
        let mut acc = 0u64;
        for _ in 0..ops {
            let Some((t, id)) = self.queue.pop() else {
                break;
            };
            self.now = t;
            acc = acc.wrapping_add(u64::from(id));
            let dt: f64 = self.rng.sample(Exp1);
            self.queue
                .schedule(SimTime(t.0 + (dt * TICKS_PER_UNIT) as u64), id);
        }
        acc
    }

    /// Pending events.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Bytes the queue has reserved per pending event (key, payload and spare capacity).
    pub fn reserved_bytes_per_event(&self) -> f64 {
        self.queue.reserved_bytes() as f64 / self.queue.len().max(1) as f64
    }

    /// Current time of the model.
    pub fn now(&self) -> SimTime {
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hold_keeps_population_and_advances_time() {
        let mut h = HoldModel::new(1000, 1);
        h.run(10_000);
        assert_eq!(h.pending(), 1000);
        assert!(h.now() > SimTime::ZERO);
        for n in [1_000usize, 100_000, 1_000_000] {
            let mut h = HoldModel::new(n, 3);
            h.run(3 * n as u64);
            println!(
                "n = {n}: {:.1} bytes reserved per pending event",
                h.reserved_bytes_per_event()
            );
        }
    }
}
