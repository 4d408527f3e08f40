//! The pending-event set.
//!
//! Events are ordered by `(time, insertion sequence)`: two events at the same instant run in the
//! order they were scheduled (first scheduled, first run). This is the engine's one rule for
//! simultaneous events, and it makes every run reproducible without any tie-breaking by payload.
//!
//! Storage is a *radix heap* (Ahuja, Mehlhorn, Orlin & Tarjan, "Faster algorithms for the shortest
//! path problem", JACM 37(2), 1990) over the 64-bit event time, in front of which sits a short
//! sorted run. A radix heap is a monotone priority queue: entries live in 64 buckets by the
//! highest bit in which their time differs from a base no later than any of them; pushes are O(1)
//! appends and each entry moves to a lower bucket at most a few times over its life, so the cost
//! per event is small and nearly independent of the number pending, and buckets are scanned
//! sequentially (cache-friendly) instead of sifted.
//!
//! The front run holds every entry at or before the base, sorted. When it runs dry, the lowest
//! occupied bucket is settled: if it holds at most `SORT_MAX` entries it is sorted into the front
//! run whole and its latest time becomes the base (this saves the last, small redistributions,
//! which dominated at 1e3 events pending); otherwise its earliest time becomes the base, the
//! entries at that time form the front run and the rest move to lower buckets. Either way the
//! higher buckets stay valid, because the new base lies in the settled bucket. An event scheduled
//! at or before the base (the engine never schedules before the last popped time, but the queue
//! accepts it) is inserted into the front run. The front run is stored latest first and popped
//! from its back, so events due soon are inserted near its back and events at the base time are
//! pushed on its front, both cheaply.
//!
//! Ties need no sequence number: events of equal time always sit in the same bucket (the bucket
//! depends on the time only), every bucket is appended to and drained in order, sorting is
//! stable and an insertion goes after the equal times already there, so equal-time events stay
//! in insertion order. An entry is the 8-byte time, a 4-byte timer tag and the payload (16 bytes
//! with a `u32` payload).
//!
//! Buckets are lists of chunks drawn from one shared pool, so the storage reserved follows the
//! number of events pending (plus at most a partial chunk per occupied bucket) instead of the sum
//! of every bucket's largest size, which growable per-bucket vectors keep (about 3.7 entries
//! reserved per pending event in the hold model). Chunks hold about 1/64 of the events pending
//! (16 to 1024 entries), long enough for sequential scans at 1e6 pending, short enough that
//! partial chunks cost little at 1e3.
//!
//! Cancellation is lazy: only events scheduled with [`EventQueue::schedule_cancellable`] carry a
//! tag, the index of a slot in a table of timers (with a generation counter, so a stale handle
//! never cancels a later timer in the same slot; a handle kept across 2^32 reuses of one slot
//! could alias). Plain events carry no extra cost. A cancelled timer stays stored until it would
//! be popped, where it is dropped without being returned, so [`EventQueue::len`] counts live
//! events only.

use std::collections::VecDeque;

use crate::time::SimTime;

/// Handle to a cancellable event (a timer): its slot in the timer table and the slot's
/// generation when it was scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(u64);

struct Entry<T> {
    time: u64,
    /// 0 for a plain event, else 1 + the index of the event's slot in the timer table.
    timer: u32,
    payload: T,
}

/// A slot of the timer table.
#[derive(Clone, Copy)]
struct TimerSlot {
    /// Bumped whenever the slot's timer leaves the queue, so older handles go stale.
    generation: u32,
    /// Scheduled and neither cancelled nor fired.
    live: bool,
}

/// Buckets 1..=64 relative to the base (index 0 unused: time == base belongs to the front run).
const BUCKETS: usize = 65;

/// Shortest chunk of a bucket, entries. Small, so that the partial last chunk of each occupied
/// bucket (about 20 buckets are occupied in the hold model) costs little memory at 1e3 events
/// pending.
const MIN_CHUNK: usize = 16;

/// Longest chunk of a bucket, entries.
const MAX_CHUNK: usize = 1024;

/// A bucket with at most this many entries is sorted into the front run instead of being
/// redistributed over the buckets below it.
const SORT_MAX: usize = 32;

/// A time-ordered queue of pending events with cancellable timers.
pub struct EventQueue<T> {
    /// The front run: every entry with time <= `base`, latest first: sorted by time descending,
    /// equal times in reverse insertion order. Popped from its back, so events scheduled for
    /// soon (inserted near the back) and at the base time (pushed on the front) move little.
    front: VecDeque<Entry<T>>,
    /// Bucket `b` (index `b`; index 0 unused) as a list of chunks.
    /// Every entry in a bucket is later than `base`.
    buckets: Vec<Vec<Vec<Entry<T>>>>,
    /// Empty chunks ready for reuse.
    pool: Vec<Vec<Entry<T>>>,
    /// Bit `b` set when bucket `b` is non-empty.
    occupied: [u64; 2],
    /// The radix base: the latest time in the front run (or of the last settle).
    base: u64,
    /// Entries stored in buckets 1..=64 (not in `front`).
    in_buckets: usize,
    /// Length of new chunks, from the number stored at the last settle (see `chunk_len_for`).
    chunk_len: usize,
    timers: Vec<TimerSlot>,
    free_timers: Vec<u32>,
    cancelled_stored: usize,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Bucket of time `t` relative to the last popped time `lt`: 0 when equal, otherwise one plus the
/// index of the highest differing bit.
#[inline(always)]
fn bucket_of(t: u64, lt: u64) -> usize {
    64 - (t ^ lt).leading_zeros() as usize
}

/// Append `e` to the chunk list `chunks`, starting a new chunk when the last one is full.
#[inline(always)]
fn append<T>(
    chunks: &mut Vec<Vec<Entry<T>>>,
    pool: &mut Vec<Vec<Entry<T>>>,
    e: Entry<T>,
    chunk_len: usize,
) {
    if let Some(c) = chunks.last_mut() {
        if c.len() < c.capacity() {
            c.push(e);
            return;
        }
    }
    let mut c = match pool.pop() {
        Some(c) if c.capacity() >= chunk_len => c,
        _ => Vec::with_capacity(chunk_len),
    };
    c.push(e);
    chunks.push(c);
}

/// Chunk length for a queue holding `stored` entries: about `stored / 64` (a power of two from
/// `MIN_CHUNK` to `MAX_CHUNK`). Longer chunks for more events keep the buckets' scans sequential
/// in memory, while the partial chunk each occupied bucket leaves stays a small share of the
/// storage. Pooled chunks shorter than this are dropped when next taken.
fn chunk_len_for(stored: usize) -> usize {
    (stored / 64)
        .next_power_of_two()
        .clamp(MIN_CHUNK, MAX_CHUNK)
}

impl<T> EventQueue<T> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue; `n` is a hint of how many events will be pending (chunks for them are
    /// allocated up front).
    pub fn with_capacity(n: usize) -> Self {
        let buckets: Vec<Vec<Vec<Entry<T>>>> = (0..BUCKETS).map(|_| Vec::new()).collect();
        let chunk = chunk_len_for(n);
        let pool = (0..n.div_ceil(chunk))
            .map(|_| Vec::with_capacity(chunk))
            .collect();
        EventQueue {
            front: VecDeque::new(),
            buckets,
            pool,
            occupied: [0; 2],
            base: 0,
            in_buckets: 0,
            chunk_len: chunk,
            timers: Vec::new(),
            free_timers: Vec::new(),
            cancelled_stored: 0,
        }
    }

    /// Put `e` into the front run (time <= base) or its bucket relative to the base.
    #[inline(always)]
    fn place(&mut self, e: Entry<T>) {
        let b = bucket_of(e.time, self.base);
        if e.time > self.base {
            append(&mut self.buckets[b], &mut self.pool, e, self.chunk_len);
            self.occupied[b >> 6] |= 1 << (b & 63);
            self.in_buckets += 1;
        } else {
            self.insert_front(e);
        }
    }

    /// Insert `e` into the front run so that it pops after every entry of the same or an
    /// earlier time. At the base time it is pushed on the front; otherwise the run is at most
    /// `SORT_MAX` long plus what was inserted since it was formed.
    #[inline]
    fn insert_front(&mut self, e: Entry<T>) {
        match self.front.front() {
            Some(latest) if latest.time > e.time => {
                // Entries that pop before `e` (time <= e.time) sit at the back: count them from
                // there (few when `e` is due soon), then rotate `e` in from the back.
                let t = e.time;
                let (first, second) = self.front.as_slices();
                let mut behind = second.iter().rev().take_while(|x| x.time <= t).count();
                if behind == second.len() {
                    behind += first.iter().rev().take_while(|x| x.time <= t).count();
                }
                self.front.push_back(e);
                let (first, second) = self.front.as_mut_slices();
                if behind <= 4 {
                    // Due very soon (the common case): a few swaps.
                    let last = first.len() + second.len() - 1;
                    for k in 0..behind {
                        self.front.swap(last - k, last - k - 1);
                    }
                } else if behind < second.len() {
                    let at = second.len() - 1 - behind;
                    second[at..].rotate_right(1);
                } else if second.is_empty() {
                    let at = first.len() - 1 - behind;
                    first[at..].rotate_right(1);
                } else {
                    let run = self.front.make_contiguous();
                    let at = run.len() - 1 - behind;
                    run[at..].rotate_right(1);
                }
            }
            _ => self.front.push_front(e),
        }
    }

    #[inline]
    fn push_entry(&mut self, time: SimTime, timer: u32, payload: T) {
        self.place(Entry {
            time: time.0,
            timer,
            payload,
        });
    }

    /// Schedule `payload` at `time`. It cannot be cancelled.
    #[inline]
    pub fn schedule(&mut self, time: SimTime, payload: T) {
        self.push_entry(time, 0, payload);
    }

    /// Schedule `payload` at `time` and return a handle that can cancel it.
    pub fn schedule_cancellable(&mut self, time: SimTime, payload: T) -> TimerId {
        let slot = match self.free_timers.pop() {
            Some(s) => s,
            None => {
                self.timers.push(TimerSlot {
                    generation: 0,
                    live: false,
                });
                // More than 2^32 - 1 timers pending at once would not fit in memory anyway.
                u32::try_from(self.timers.len() - 1).unwrap_or(u32::MAX - 1)
            }
        };
        let s = &mut self.timers[slot as usize];
        s.live = true;
        let id = TimerId((u64::from(slot) << 32) | u64::from(s.generation));
        self.push_entry(time, slot + 1, payload);
        id
    }

    /// Cancel a timer. Returns `true` if it was pending, `false` if it had already fired or been
    /// cancelled (cancelling twice is harmless).
    pub fn cancel(&mut self, id: TimerId) -> bool {
        let slot = (id.0 >> 32) as usize;
        let generation = id.0 as u32;
        match self.timers.get_mut(slot) {
            Some(s) if s.live && s.generation == generation => {
                s.live = false;
                self.cancelled_stored += 1;
                true
            }
            _ => false,
        }
    }

    /// Release the timer slot of an entry leaving the queue; true if the entry is live.
    #[inline]
    fn release(&mut self, timer: u32) -> bool {
        if timer == 0 {
            return true;
        }
        let slot = timer - 1;
        let s = &mut self.timers[slot as usize];
        let live = s.live;
        s.live = false;
        s.generation = s.generation.wrapping_add(1);
        self.free_timers.push(slot);
        if !live {
            self.cancelled_stored -= 1;
        }
        live
    }

    /// Make sure the front run holds the earliest entry (if any is stored). Returns false when
    /// empty.
    #[inline]
    fn settle(&mut self) -> bool {
        if !self.front.is_empty() {
            return true;
        }
        if self.in_buckets == 0 {
            return false;
        }
        self.settle_from_buckets();
        true
    }

    /// Refill the empty front run from the lowest occupied bucket. A small bucket is sorted
    /// into the front run whole and its latest time becomes the base; a larger one is
    /// redistributed: its earliest time becomes the base, the entries at that time go to the
    /// front run (in order) and the rest to lower buckets. Either way the buckets above stay
    /// valid, since the new base lies in the settled bucket.
    fn settle_from_buckets(&mut self) {
        let i = if self.occupied[0] != 0 {
            self.occupied[0].trailing_zeros() as usize
        } else {
            64 + self.occupied[1].trailing_zeros() as usize
        };
        self.occupied[i >> 6] &= !(1 << (i & 63));
        let mut chunks = std::mem::take(&mut self.buckets[i]);
        let count: usize = chunks.iter().map(Vec::len).sum();
        self.in_buckets -= count;
        self.chunk_len = chunk_len_for(self.in_buckets + count);
        if count <= SORT_MAX {
            let mut max_t = 0;
            // The run is empty: clearing it puts its head at the start of its buffer, so the
            // pushes below stay contiguous.
            self.front.clear();
            // Pushed in reverse insertion order and sorted latest first by a stable sort, equal
            // times end in reverse insertion order: the run pops from its back in insertion order.
            for mut c in chunks.drain(..).rev() {
                for e in c.drain(..).rev() {
                    max_t = max_t.max(e.time);
                    self.front.push_back(e);
                }
                self.pool.push(c);
            }
            let run = self.front.make_contiguous();
            run.sort_by_key(|e| std::cmp::Reverse(e.time));
            self.base = max_t;
        } else {
            let mut mt = u64::MAX;
            for c in &chunks {
                for e in c {
                    mt = mt.min(e.time);
                }
            }
            self.base = mt;
            // The front run is empty here: the entries at `mt` are pushed on its front in order
            // (so they pop in order); every other entry is later than `mt`.
            let chunk_len = self.chunk_len;
            for mut c in chunks.drain(..) {
                for e in c.drain(..) {
                    if e.time == mt {
                        self.front.push_front(e);
                    } else {
                        let b = bucket_of(e.time, mt);
                        append(&mut self.buckets[b], &mut self.pool, e, chunk_len);
                        self.occupied[b >> 6] |= 1 << (b & 63);
                    }
                }
                self.pool.push(c);
            }
            self.in_buckets += count - self.front.len();
        }
        // Give the emptied chunk list its capacity back for reuse.
        self.buckets[i] = chunks;
    }

    /// Remove and return the earliest live event with its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, T)> {
        loop {
            if !self.settle() {
                return None;
            }
            let e = self.front.pop_back()?;
            if !self.release(e.timer) {
                continue;
            }
            return Some((SimTime(e.time), e.payload));
        }
    }

    /// Remove and return the earliest live event if its time is at most `until`; `None` when
    /// the queue is empty or the earliest live event lies after `until` (it then stays queued).
    #[inline]
    pub fn pop_until(&mut self, until: SimTime) -> Option<(SimTime, T)> {
        loop {
            if !self.settle() {
                return None;
            }
            let e = self.front.back()?;
            if e.time > until.0 {
                // A cancelled timer after `until` stays stored: it is discarded when reached.
                return None;
            }
            let e = self.front.pop_back()?;
            if !self.release(e.timer) {
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
            let e = self.front.back()?;
            let (time, timer) = (e.time, e.timer);
            if timer != 0 && !self.timers[(timer - 1) as usize].live {
                self.front.pop_back();
                self.release(timer);
                continue;
            }
            return Some(SimTime(time));
        }
    }

    /// Number of live (not cancelled) pending events.
    pub fn len(&self) -> usize {
        self.front.len() + self.in_buckets - self.cancelled_stored
    }

    /// True when no live event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of storage currently reserved by the queue, counting spare capacity: entries
    /// (including payloads) in chunks, pooled chunks and the front run, the chunk lists and the
    /// timer table. For memory reports.
    pub fn reserved_bytes(&self) -> usize {
        let entry = std::mem::size_of::<Entry<T>>();
        let chunk_header = std::mem::size_of::<Vec<Entry<T>>>();
        let in_chunks: usize = self
            .buckets
            .iter()
            .flatten()
            .chain(self.pool.iter())
            .map(|c| c.capacity() * entry)
            .sum();
        let lists: usize = self
            .buckets
            .iter()
            .map(|b| b.capacity() * chunk_header)
            .sum::<usize>()
            + self.pool.capacity() * chunk_header
            + BUCKETS * std::mem::size_of::<Vec<Vec<Entry<T>>>>();
        let timers = self.timers.capacity() * std::mem::size_of::<TimerSlot>()
            + self.free_timers.capacity() * std::mem::size_of::<u32>();
        in_chunks + lists + self.front.capacity() * entry + timers
    }

    /// Bytes of key per pending event, excluding the payload (for memory reports): the time and
    /// the timer tag.
    pub const KEY_OVERHEAD_BYTES: usize = std::mem::size_of::<u64>() + std::mem::size_of::<u32>();
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

    #[test]
    fn pop_until_leaves_later_events_and_skips_cancelled_ones() {
        let mut q = EventQueue::new();
        let a = q.schedule_cancellable(SimTime(5), "cancelled");
        q.schedule(SimTime(10), "b");
        q.schedule(SimTime(30), "c");
        q.cancel(a);
        assert_eq!(q.pop_until(SimTime(20)), Some((SimTime(10), "b")));
        assert_eq!(q.pop_until(SimTime(20)), None);
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop_until(SimTime(30)), Some((SimTime(30), "c")));
        assert_eq!(q.pop_until(SimTime(u64::MAX)), None);
    }

    const _: () = assert!(EventQueue::<()>::KEY_OVERHEAD_BYTES <= 32);

    #[test]
    fn entry_is_key_plus_payload() {
        assert_eq!(std::mem::size_of::<Entry<u32>>(), 16);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Schedule(u64, bool),
        Cancel(usize),
        Peek,
        Pop,
        /// Pop if the earliest event is at most this far ahead of the last popped time.
        PopUntil(u64),
    }

    /// Events 0..20 ticks ahead: many ties, small buckets (the sorted front run).
    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u64..20, any::<bool>()).prop_map(|(t, c)| Op::Schedule(t, c)),
            1 => (0usize..64).prop_map(Op::Cancel),
            2 => Just(Op::Pop),
        ]
    }

    /// Events up to 2^40 ticks ahead, mixed with ties, in long runs: buckets too large to sort
    /// (redistribution), chunks of several lengths, peeks that discard cancelled timers.
    fn op_wide() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0u32..41, any::<u64>(), any::<bool>())
                .prop_map(|(bits, x, c)| Op::Schedule(x & ((1u64 << bits) - 1), c)),
            2 => Just(Op::Schedule(0, false)),
            1 => (0usize..2000).prop_map(Op::Cancel),
            1 => Just(Op::Peek),
            4 => Just(Op::Pop),
            2 => (0u32..41, any::<u64>()).prop_map(|(bits, x)| Op::PopUntil(x & ((1u64 << bits) - 1))),
        ]
    }

    /// Run `ops` on a queue and on a sorted reference list; they must agree at every step.
    fn check(ops: Vec<Op>) -> Result<(), TestCaseError> {
        let mut q = EventQueue::new();
        // Reference: live events as (time, seq, id); timers by creation index.
        let mut reference: Vec<(u64, u64, usize)> = Vec::new();
        let mut timers: Vec<(TimerId, usize)> = Vec::new();
        let mut seq = 0u64;
        let mut now = 0u64;
        for op in ops {
            match op {
                Op::Schedule(dt, cancellable) => {
                    let t = now + dt;
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
                Op::Peek => {
                    reference.sort();
                    prop_assert_eq!(q.peek_time().map(|t| t.0), reference.first().map(|r| r.0));
                }
                Op::PopUntil(dt) => {
                    reference.sort();
                    let until = now + dt;
                    let expected = match reference.first() {
                        Some(r) if r.0 <= until => Some(reference.remove(0)),
                        _ => None,
                    };
                    let got = q.pop_until(SimTime(until));
                    prop_assert_eq!(
                        got.map(|(t, id)| (t.0, id)),
                        expected.map(|(t, _, id)| (t, id))
                    );
                    if let Some((t, _)) = got {
                        now = t.0;
                    }
                }
                Op::Pop => {
                    reference.sort();
                    let expected = if reference.is_empty() {
                        None
                    } else {
                        Some(reference.remove(0))
                    };
                    let got = q.pop();
                    prop_assert_eq!(
                        got.map(|(t, id)| (t.0, id)),
                        expected.map(|(t, _, id)| (t, id))
                    );
                    if let Some((t, _)) = got {
                        prop_assert!(t.0 >= now, "time went backwards");
                        now = t.0;
                    }
                }
            }
            prop_assert_eq!(q.len(), reference.len());
        }
        Ok(())
    }

    proptest! {
        /// Any interleaving of schedule/cancel/pop gives the order of a sorted reference list.
        #[test]
        fn matches_sorted_reference(ops in proptest::collection::vec(op(), 0..300)) {
            check(ops)?;
        }

        /// The same with far-apart times and thousands of events pending.
        #[test]
        fn matches_sorted_reference_wide(ops in proptest::collection::vec(op_wide(), 0..4000)) {
            check(ops)?;
        }
    }
}
