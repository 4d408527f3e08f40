//! The pending-event set.
//!
//! Events are ordered by `(time, insertion sequence)`: two events at the same instant run in the
//! order they were scheduled (first scheduled, first run). This is the engine's one rule for
//! simultaneous events, and it makes every run reproducible without any tie-breaking by payload.
//!
//! Storage is a binary min-heap of `(time, seq, payload)` entries: 16 bytes of key per pending
//! event plus the payload. Cancellation is lazy: only events scheduled with
//! [`EventQueue::schedule_cancellable`] are tracked in a set of live timers; plain events carry no
//! extra cost. A cancelled timer stays in the heap until it reaches the top, where it is dropped
//! without being returned, so [`EventQueue::len`] counts live events only.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

use crate::time::SimTime;

/// Handle to a cancellable event (a timer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(u64);

struct Entry<T> {
    time: SimTime,
    /// Insertion counter shifted left by one; the low bit marks a cancellable timer.
    seq: u64,
    payload: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    /// Reversed so that `BinaryHeap` (a max-heap) pops the earliest `(time, seq)` first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// A time-ordered queue of pending events with cancellable timers.
pub struct EventQueue<T> {
    heap: BinaryHeap<Entry<T>>,
    next_seq: u64,
    live_timers: HashSet<u64>,
    cancelled_in_heap: usize,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> EventQueue<T> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue with room for `n` pending events.
    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(n),
            next_seq: 0,
            live_timers: HashSet::new(),
            cancelled_in_heap: 0,
        }
    }

    fn next_key(&mut self, cancellable: bool) -> u64 {
        let seq = (self.next_seq << 1) | u64::from(cancellable);
        self.next_seq += 1;
        seq
    }

    /// Schedule `payload` at `time`. It cannot be cancelled.
    #[inline]
    pub fn schedule(&mut self, time: SimTime, payload: T) {
        let seq = self.next_key(false);
        self.heap.push(Entry { time, seq, payload });
    }

    /// Schedule `payload` at `time` and return a handle that can cancel it.
    pub fn schedule_cancellable(&mut self, time: SimTime, payload: T) -> TimerId {
        let seq = self.next_key(true);
        self.live_timers.insert(seq);
        self.heap.push(Entry { time, seq, payload });
        TimerId(seq)
    }

    /// Cancel a timer. Returns `true` if it was pending, `false` if it had already fired or been
    /// cancelled (cancelling twice is harmless).
    pub fn cancel(&mut self, id: TimerId) -> bool {
        let was_live = self.live_timers.remove(&id.0);
        if was_live {
            self.cancelled_in_heap += 1;
        }
        was_live
    }

    /// Remove and return the earliest live event with its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, T)> {
        loop {
            let e = self.heap.pop()?;
            if e.seq & 1 == 1 && !self.live_timers.remove(&e.seq) {
                self.cancelled_in_heap -= 1;
                continue;
            }
            return Some((e.time, e.payload));
        }
    }

    /// Time of the earliest live event, without removing it.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        loop {
            let e = self.heap.peek()?;
            if e.seq & 1 == 1 && !self.live_timers.contains(&e.seq) {
                self.heap.pop();
                self.cancelled_in_heap -= 1;
                continue;
            }
            return Some(e.time);
        }
    }

    /// Number of live (not cancelled) pending events.
    pub fn len(&self) -> usize {
        self.heap.len() - self.cancelled_in_heap
    }

    /// True when no live event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of queue storage per pending event, excluding the payload (for memory reports).
    pub const KEY_OVERHEAD_BYTES: usize = std::mem::size_of::<SimTime>() + std::mem::size_of::<u64>();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn simultaneous_events_run_in_insertion_order() {
        let mut q = EventQueue::new();
        for i in 0..100 {
            q.schedule(SimTime(5), i);
        }
        q.schedule(SimTime(1), -1);
        assert_eq!(q.pop(), Some((SimTime(1), -1)));
        for i in 0..100 {
            assert_eq!(q.pop(), Some((SimTime(5), i)));
        }
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn cancelled_timer_never_fires() {
        let mut q = EventQueue::new();
        let a = q.schedule_cancellable(SimTime(10), "a");
        q.schedule(SimTime(20), "b");
        let c = q.schedule_cancellable(SimTime(30), "c");
        assert!(q.cancel(a));
        assert!(!q.cancel(a), "second cancel is a no-op");
        assert_eq!(q.len(), 2);
        assert_eq!(q.peek_time(), Some(SimTime(20)));
        assert_eq!(q.pop(), Some((SimTime(20), "b")));
        assert_eq!(q.pop(), Some((SimTime(30), "c")));
        assert!(!q.cancel(c), "a fired timer cannot be cancelled");
        assert_eq!(q.pop(), None);
        assert!(q.is_empty());
    }

    #[test]
    fn key_overhead_is_small() {
        assert!(EventQueue::<()>::KEY_OVERHEAD_BYTES <= 32);
        assert_eq!(std::mem::size_of::<Entry<u32>>(), 24);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Schedule(u8, bool),
        Cancel(usize),
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u8..20, any::<bool>()).prop_map(|(t, c)| Op::Schedule(t, c)),
            1 => (0usize..64).prop_map(Op::Cancel),
            2 => Just(Op::Pop),
        ]
    }

    proptest! {
        /// Any interleaving of schedule/cancel/pop gives the order of a sorted reference list.
        #[test]
        fn matches_sorted_reference(ops in proptest::collection::vec(op(), 0..300)) {
            let mut q = EventQueue::new();
            // Reference: live events as (time, seq, id); timers by creation index.
            let mut reference: Vec<(u64, u64, usize)> = Vec::new();
            let mut timers: Vec<(TimerId, usize)> = Vec::new();
            let mut seq = 0u64;
            let mut now = 0u64;
            for op in ops {
                match op {
                    Op::Schedule(dt, cancellable) => {
                        let t = now + u64::from(dt);
                        let id = seq as usize;
                        if cancellable {
                            let h = q.schedule_cancellable(SimTime(t), id);
                            timers.push((h, id));
                        } else {
                            q.schedule(SimTime(t), id);
                        }
                        reference.push((t, seq, id));
                        seq += 1;
                    }
                    Op::Cancel(k) => {
                        if let Some(&(h, id)) = timers.get(k) {
                            let in_ref = reference.iter().position(|r| r.2 == id);
                            let cancelled = q.cancel(h);
                            prop_assert_eq!(cancelled, in_ref.is_some());
                            if let Some(p) = in_ref {
                                reference.remove(p);
                            }
                        }
                    }
                    Op::Pop => {
                        reference.sort();
                        let expected = if reference.is_empty() { None } else { Some(reference.remove(0)) };
                        let got = q.pop();
                        prop_assert_eq!(got.map(|(t, id)| (t.0, id)), expected.map(|(t, _, id)| (t, id)));
                        if let Some((t, _)) = got {
                            prop_assert!(t.0 >= now, "time went backwards");
                            now = t.0;
                        }
                    }
                }
                prop_assert_eq!(q.len(), reference.len());
            }
        }
    }
}
