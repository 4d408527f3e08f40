//! The pending-event set.
//!
//! Events are ordered by `(time, insertion sequence)`: two events at the same instant run in the
//! order they were scheduled (first scheduled, first run). This is the engine's one rule for
//! simultaneous events, and it makes every run reproducible without any tie-breaking by payload.
//!
//! Storage is a *radix heap* (Ahuja, Mehlhorn, Orlin & Tarjan, "Faster algorithms for the shortest
//! path problem", JACM 37(2), 1990) over the 128-bit key `(time, seq)`. A radix heap is a monotone
//! priority queue: it requires every new key to be no smaller than the last one popped, which a
//! discrete-event simulation guarantees (time never goes backwards, and the sequence number only
//! grows). Entries live in 129 buckets by the highest bit in which their key differs from the last
//! popped key; pushes are O(1) appends and each entry moves to a lower bucket at most a few times
//! over its life, so the cost per event is small and nearly independent of the number pending,
//! and buckets are scanned sequentially (cache-friendly) instead of sifted. Keys are 16 bytes per
//! pending event, plus the payload.
//!
//! Cancellation is lazy: only events scheduled with [`EventQueue::schedule_cancellable`] are
//! tracked in a set of live timers; plain events carry no extra cost. A cancelled timer stays
//! stored until it would be popped, where it is dropped without being returned, so
//! [`EventQueue::len`] counts live events only.
//!
//! The queue itself accepts any time (an event earlier than the radix base costs one O(n) re-bucketing,
//! see `rebase`); the engine's [`crate::Context`] clamps events to the current time so simulated
//! time never goes backwards.

use std::collections::HashSet;

use crate::time::SimTime;

/// Handle to a cancellable event (a timer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(u64);

struct Entry<T> {
    time: u64,
    /// Insertion counter shifted left by one; the low bit marks a cancellable timer.
    seq: u64,
    payload: T,
}

const BUCKETS: usize = 129;

/// A time-ordered queue of pending events with cancellable timers.
pub struct EventQueue<T> {
    buckets: Vec<Vec<Entry<T>>>,
    /// Bit `b` set when bucket `b` may be non-empty (exact after every push and settle).
    occupied: [u64; 3],
    last_time: u64,
    last_seq: u64,
    stored: usize,
    next_seq: u64,
    live_timers: HashSet<u64>,
    cancelled_stored: usize,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Bucket of key `(t, s)` relative to the last popped key `(lt, ls)`: 0 when equal, otherwise
/// one plus the index of the highest differing bit of the 128-bit key.
#[inline(always)]
fn bucket_of(t: u64, s: u64, lt: u64, ls: u64) -> usize {
    let dt = t ^ lt;
    if dt != 0 {
        128 - dt.leading_zeros() as usize
    } else {
        let ds = s ^ ls;
        64 - ds.leading_zeros() as usize
    }
}

impl<T> EventQueue<T> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue; `n` is a hint of how many events will be pending.
    pub fn with_capacity(n: usize) -> Self {
        // Entries spread over the buckets, so the hint cannot be given to any one of them.
        let _ = n;
        let buckets: Vec<Vec<Entry<T>>> = (0..BUCKETS).map(|_| Vec::new()).collect();
        EventQueue {
            buckets,
            occupied: [0; 3],
            last_time: 0,
            last_seq: 0,
            stored: 0,
            next_seq: 0,
            live_timers: HashSet::new(),
            cancelled_stored: 0,
        }
    }

    #[inline]
    fn push_entry(&mut self, time: SimTime, cancellable: bool, payload: T) -> u64 {
        let seq = (self.next_seq << 1) | u64::from(cancellable);
        self.next_seq += 1;
        let time = time.0;
        if (time, seq) < (self.last_time, self.last_seq) {
            self.rebase(time, seq);
        }
        let b = bucket_of(time, seq, self.last_time, self.last_seq);
        self.buckets[b].push(Entry { time, seq, payload });
        self.occupied[b >> 6] |= 1 << (b & 63);
        self.stored += 1;
        seq
    }

    /// Move the radix base down to `(time, seq)` and re-bucket everything stored: O(n). Needed
    /// only when a key below the base arrives, which happens after [`EventQueue::peek_time`] or a
    /// discarded cancelled timer moved the base past the clock and an event is then scheduled in
    /// between (e.g. between two `run_until` calls). Never on the hot pop/schedule path.
    #[cold]
    fn rebase(&mut self, time: u64, seq: u64) {
        self.last_time = time;
        self.last_seq = seq;
        let all: Vec<Entry<T>> = self.buckets.iter_mut().flat_map(|b| b.drain(..)).collect();
        self.occupied = [0; 3];
        for e in all {
            let b = bucket_of(e.time, e.seq, time, seq);
            self.buckets[b].push(e);
            self.occupied[b >> 6] |= 1 << (b & 63);
        }
    }

    /// Schedule `payload` at `time`. It cannot be cancelled.
    #[inline]
    pub fn schedule(&mut self, time: SimTime, payload: T) {
        self.push_entry(time, false, payload);
    }

    /// Schedule `payload` at `time` and return a handle that can cancel it.
    pub fn schedule_cancellable(&mut self, time: SimTime, payload: T) -> TimerId {
        let seq = self.push_entry(time, true, payload);
        self.live_timers.insert(seq);
        TimerId(seq)
    }

    /// Cancel a timer. Returns `true` if it was pending, `false` if it had already fired or been
    /// cancelled (cancelling twice is harmless).
    pub fn cancel(&mut self, id: TimerId) -> bool {
        let was_live = self.live_timers.remove(&id.0);
        if was_live {
            self.cancelled_stored += 1;
        }
        was_live
    }

    /// Make sure bucket 0 holds the minimum entry (if any is stored). Returns false when empty.
    #[inline]
    fn settle(&mut self) -> bool {
        if !self.buckets[0].is_empty() {
            return true;
        }
        if self.stored == 0 {
            return false;
        }
        // Bucket 0 is empty here; find the lowest occupied bucket from the bitmap.
        self.occupied[0] &= !1;
        let i = match self.occupied.iter().position(|&w| w != 0) {
            Some(w) => (w << 6) + self.occupied[w].trailing_zeros() as usize,
            None => return false,
        };
        self.occupied[i >> 6] &= !(1 << (i & 63));
        let mut bucket = std::mem::take(&mut self.buckets[i]);
        let (mut mt, mut ms) = (u64::MAX, u64::MAX);
        for e in &bucket {
            if (e.time, e.seq) < (mt, ms) {
                mt = e.time;
                ms = e.seq;
            }
        }
        self.last_time = mt;
        self.last_seq = ms;
        for e in bucket.drain(..) {
            let b = bucket_of(e.time, e.seq, mt, ms);
            self.buckets[b].push(e);
            self.occupied[b >> 6] |= 1 << (b & 63);
        }
        // Give the emptied bucket its capacity back for reuse. (Halving it here cut the reserved
        // memory by about a third but halved the hold-model throughput; see benches/README.md.)
        self.buckets[i] = bucket;
        true
    }

    /// Remove and return the earliest live event with its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, T)> {
        loop {
            if !self.settle() {
                return None;
            }
            let e = self.buckets[0].pop()?;
            self.stored -= 1;
            if e.seq & 1 == 1 && !self.live_timers.remove(&e.seq) {
                self.cancelled_stored -= 1;
                continue;
            }
            return Some((SimTime(e.time), e.payload));
        }
    }

    /// Time of the earliest live event, without removing it.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        loop {
            if !self.settle() {
                return None;
            }
            let e = self.buckets[0].last()?;
            if e.seq & 1 == 1 && !self.live_timers.contains(&e.seq) {
                self.buckets[0].pop();
                self.stored -= 1;
                self.cancelled_stored -= 1;
                continue;
            }
            return Some(SimTime(e.time));
        }
    }

    /// Number of live (not cancelled) pending events.
    pub fn len(&self) -> usize {
        self.stored - self.cancelled_stored
    }

    /// True when no live event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of storage currently reserved by the buckets (entries including payloads, counting
    /// spare capacity), for memory reports.
    pub fn reserved_bytes(&self) -> usize {
        self.buckets.iter().map(|b| b.capacity()).sum::<usize>() * std::mem::size_of::<Entry<T>>()
    }

    /// Bytes of key per pending event, excluding the payload (for memory reports).
    pub const KEY_OVERHEAD_BYTES: usize = 2 * std::mem::size_of::<u64>();
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

    /// Regression: peeking (or discarding a cancelled timer) moved the radix base to a future
    /// time, and an event scheduled before it was then clamped to that later time.
    #[test]
    fn event_scheduled_after_peek_before_base_keeps_its_time() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(100), "late");
        assert_eq!(q.peek_time(), Some(SimTime(100)));
        q.schedule(SimTime(50), "early");
        let t = q.schedule_cancellable(SimTime(10), "cancelled");
        q.cancel(t);
        assert_eq!(q.pop(), Some((SimTime(50), "early")));
        q.schedule(SimTime(60), "after discard");
        assert_eq!(q.pop(), Some((SimTime(60), "after discard")));
        assert_eq!(q.pop(), Some((SimTime(100), "late")));
    }

    const _: () = assert!(EventQueue::<()>::KEY_OVERHEAD_BYTES <= 32);

    #[test]
    fn entry_is_key_plus_payload() {
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
