//! The pending-event set.
//!
//! Events are ordered by `(time, insertion sequence)`: two events at the same instant run in the
//! order they were scheduled (first scheduled, first run). This is the engine's one rule for
//! simultaneous events, and it makes every run reproducible without any tie-breaking by payload.
//!
//! Storage is a *radix heap* (Ahuja, Mehlhorn, Orlin & Tarjan, "Faster algorithms for the shortest
//! path problem", JACM 37(2), 1990) over the 64-bit event time, in its multi-level form with
//! 4-bit digits (Cherkassky, Goldberg & Silverstein, "Buckets, heaps, lists, and monotone priority
//! queues", SIAM J. Comput. 28(4), 1999), in front of which sits a short sorted run. A radix heap
//! is a monotone priority queue: entries live in buckets indexed by the most significant digit in
//! which their time differs from a base no later than any of them (the level) and their value of
//! that digit, 16 levels of 16 buckets. Pushes are O(1) appends; an entry moves to a lower level
//! at most a few times over its life, so the cost per event is small and nearly independent of
//! the number pending, and buckets are scanned sequentially (cache-friendly) instead of sifted.
//! With one-bit digits (64 buckets, the textbook form) an entry moved about three times as often
//! in the hold model at 1e6 events pending.
//!
//! The front run holds every entry at or before the base, sorted. When it runs dry, the lowest
//! occupied bucket is settled: if it holds at most `SORT_MAX` entries it is sorted into the front
//! run whole and its latest time becomes the base (this saves the last, small redistributions);
//! otherwise its earliest time becomes the base, the entries at that time form the front run and
//! the rest move to lower buckets. Either way the higher buckets stay valid, because the new base
//! lies in the settled bucket. The sort orders keys made of the time bits below the bucket's
//! digit and the entry's position with a sorting network (no data-dependent branches: a
//! comparison sort of a few entries mispredicts about every other comparison, which cost more
//! than the comparisons). An event scheduled at or before the base (the engine never schedules
//! before the last popped time, but the queue accepts it) is inserted into the front run. The
//! front run is stored latest first and popped from its back, so events due soon are inserted
//! near its back and events at the base time are pushed on its front, both cheaply.
//!
//! Ties need no sequence number: events of equal time always sit in the same bucket (the bucket
//! depends on the time only), every bucket is appended to and drained in order, the sort keys
//! carry the position (so sorting is stable) and an insertion goes after the equal times already
//! there, so equal-time events stay in insertion order. An entry is the 8-byte time, a 4-byte
//! timer tag and the payload (16 bytes with a `u32` payload).
//!
//! Buckets are linked lists of chunks in one table shared by all buckets (a bucket is two chunk
//! indices), so the storage reserved follows the number of events pending (plus at most a
//! partial chunk per occupied bucket) instead of the sum of every bucket's largest size, which
//! growable per-bucket vectors keep (about 3.7 entries reserved per pending event in the hold
//! model). Chunks hold about 1/256 of the events pending (16 to 1024 entries), long enough for
//! sequential scans at 1e6 pending, short enough that partial chunks cost little at 1e3.
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

/// Bits of the time per digit: each level of buckets splits its span `RADIX` ways.
const DIGIT_BITS: u32 = 4;
/// Buckets per level.
const RADIX: usize = 1 << DIGIT_BITS;
/// Levels: digits of a 64-bit time.
const LEVELS: usize = 64_usize.div_ceil(DIGIT_BITS as usize);
/// Buckets: `RADIX` per level (those whose digit is not above the base's stay unused).
const BUCKETS: usize = LEVELS * RADIX;
/// Words of the occupancy bitmap.
const WORDS: usize = BUCKETS.div_ceil(64);

/// Shortest chunk, entries. Small, so that the partial last chunk of each occupied bucket
/// (dozens are occupied in the hold model) costs little memory at 1e3 events pending.
const MIN_CHUNK: usize = 16;

/// Longest chunk, entries.
const MAX_CHUNK: usize = 1024;

/// A bucket with at most this many entries is sorted into the front run instead of being
/// redistributed over the buckets below it.
const SORT_MAX: usize = 64;

/// Bits of a sort key that hold an entry's position in its bucket.
const POSITION_BITS: u32 = SORT_MAX.trailing_zeros();
const _: () = assert!(SORT_MAX.is_power_of_two() && SORT_MAX >= 32 && SORT_MAX <= 64);

/// Sort `keys` (a power of two long) in descending order with Batcher's odd-even merge sort
/// network (Knuth, TAOCP vol. 3, 5.3.4, algorithm M): the compare-exchanges do not depend on the
/// data, so they compile to conditional moves, where a comparison sort of a few entries
/// mispredicts a branch for about every other comparison. `N` is a constant so that the loops
/// unroll into the network itself.
#[inline(always)]
fn sort_descending<const N: usize>(keys: &mut [u64; N]) {
    let n = N;
    let mut p = 1;
    while p < n {
        let mut k = p;
        while k >= 1 {
            let mut j = k % p;
            while j + k < n {
                for i in 0..k.min(n - j - k) {
                    let (a, b) = (i + j, i + j + k);
                    if a / (2 * p) == b / (2 * p) {
                        let (x, y) = (keys[a], keys[b]);
                        keys[a] = x.max(y);
                        keys[b] = x.min(y);
                    }
                }
                j += 2 * k;
            }
            k /= 2;
        }
        p *= 2;
    }
}

/// Sort the first `count` of `keys` (the rest 0) in descending order, with the shortest network
/// that covers them.
fn sort_small_descending(keys: &mut [u64; SORT_MAX], count: usize) {
    fn part<const N: usize>(keys: &mut [u64; SORT_MAX]) {
        if let Some(head) = keys.first_chunk_mut::<N>() {
            sort_descending(head);
        }
    }
    match count {
        0..=2 => part::<2>(keys),
        3..=4 => part::<4>(keys),
        5..=8 => part::<8>(keys),
        9..=16 => part::<16>(keys),
        17..=32 => part::<32>(keys),
        _ => sort_descending(keys),
    }
}

/// No chunk (end of a bucket's list, or an empty bucket).
const NONE: u32 = u32::MAX;

/// A chunk of a bucket, in the queue's chunk table.
struct Chunk<T> {
    entries: Vec<Entry<T>>,
    /// The bucket's next chunk, or `NONE`.
    next: u32,
}

/// A bucket: a list of chunks linked through the chunk table, appended to at its last chunk.
#[derive(Clone, Copy)]
struct Bucket {
    first: u32,
    last: u32,
}

impl Bucket {
    const EMPTY: Bucket = Bucket {
        first: NONE,
        last: NONE,
    };
}

/// A time-ordered queue of pending events with cancellable timers.
pub struct EventQueue<T> {
    /// The front run: every entry with time <= `base`, latest first: sorted by time descending,
    /// equal times in reverse insertion order. Popped from its back, so events scheduled for
    /// soon (inserted near the back) and at the base time (pushed on the front) move little.
    front: VecDeque<Entry<T>>,
    /// Bucket `level * RADIX + digit`. Every entry in a bucket is later than `base`.
    buckets: [Bucket; BUCKETS],
    /// Every chunk allocated, in buckets or free.
    chunks: Vec<Chunk<T>>,
    /// Empty chunks ready for reuse (indices into `chunks`).
    free_chunks: Vec<u32>,
    /// Bit `b` set when bucket `b` is non-empty.
    occupied: [u64; WORDS],
    /// The radix base: the latest time in the front run (or of the last settle).
    base: u64,
    /// Entries stored in buckets (not in `front`).
    in_buckets: usize,
    /// Length of new chunks, from the number stored at the last settle (see `chunk_len_for`).
    chunk_len: usize,
    timers: Vec<TimerSlot>,
    free_timers: Vec<u32>,
    cancelled_stored: usize,
    /// A small bucket's entries in insertion order while it is sorted into the front run.
    scratch: Vec<Option<Entry<T>>>,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Bucket of time `t` relative to the base (`t > base`): the level is the digit in which `t`
/// first differs from the base, counted from the least significant; the bucket within the level
/// is `t`'s value of that digit (always above the base's).
#[inline(always)]
fn bucket_of(t: u64, base: u64) -> usize {
    let high = 63 - (t ^ base).leading_zeros();
    let level = high / DIGIT_BITS;
    let digit = (t >> (level * DIGIT_BITS)) as usize & (RADIX - 1);
    level as usize * RADIX + digit
}

/// Chunk length for a queue holding `stored` entries: about `stored / 256` (a power of two from
/// `MIN_CHUNK` to `MAX_CHUNK`). Longer chunks for more events keep the buckets' scans sequential
/// in memory, while the partial chunk each occupied bucket leaves stays a small share of the
/// storage. Free chunks shorter than this are reallocated when next taken.
fn chunk_len_for(stored: usize) -> usize {
    (stored / 256)
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
        let chunk = chunk_len_for(n);
        let chunks: Vec<Chunk<T>> = (0..n.div_ceil(chunk))
            .map(|_| Chunk {
                entries: Vec::with_capacity(chunk),
                next: NONE,
            })
            .collect();
        let free_chunks = (0..chunks.len() as u32).rev().collect();
        EventQueue {
            front: VecDeque::new(),
            buckets: [Bucket::EMPTY; BUCKETS],
            chunks,
            free_chunks,
            occupied: [0; WORDS],
            base: 0,
            in_buckets: 0,
            chunk_len: chunk,
            timers: Vec::new(),
            free_timers: Vec::new(),
            cancelled_stored: 0,
            scratch: Vec::with_capacity(SORT_MAX),
        }
    }

    /// Put `e` into the front run (time <= base) or its bucket relative to the base.
    #[inline(always)]
    fn place(&mut self, e: Entry<T>) {
        if e.time > self.base {
            self.push_to_bucket(bucket_of(e.time, self.base), e);
            self.in_buckets += 1;
        } else {
            self.insert_front(e);
        }
    }

    /// Append `e` to bucket `b` and mark the bucket occupied.
    #[inline(always)]
    fn push_to_bucket(&mut self, b: usize, e: Entry<T>) {
        self.occupied[b >> 6] |= 1 << (b & 63);
        // `NONE` is past the end of the chunk table, so an empty bucket takes the slow path.
        if let Some(c) = self.chunks.get_mut(self.buckets[b].last as usize) {
            if c.entries.len() < c.entries.capacity() {
                c.entries.push(e);
                return;
            }
        }
        self.push_to_new_chunk(b, e);
    }

    /// Append `e` to bucket `b` in a new last chunk: a free one if one is long enough, else a
    /// newly allocated one.
    #[cold]
    fn push_to_new_chunk(&mut self, b: usize, e: Entry<T>) {
        let chunk_len = self.chunk_len;
        let k = match self.free_chunks.pop() {
            Some(k) => {
                let c = &mut self.chunks[k as usize];
                if c.entries.capacity() < chunk_len {
                    c.entries = Vec::with_capacity(chunk_len);
                }
                c.next = NONE;
                k
            }
            None => {
                // More than 2^32 - 1 chunks would not fit in memory.
                let k = u32::try_from(self.chunks.len()).unwrap_or(NONE - 1);
                self.chunks.push(Chunk {
                    entries: Vec::with_capacity(chunk_len),
                    next: NONE,
                });
                k
            }
        };
        self.chunks[k as usize].entries.push(e);
        let bucket = &mut self.buckets[b];
        match self.chunks.get_mut(bucket.last as usize) {
            Some(last) => last.next = k,
            None => bucket.first = k,
        }
        bucket.last = k;
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
        let mut w = 0;
        while self.occupied[w] == 0 {
            w += 1;
        }
        let i = w * 64 + self.occupied[w].trailing_zeros() as usize;
        self.occupied[w] &= !(1 << (i & 63));
        let first = std::mem::replace(&mut self.buckets[i], Bucket::EMPTY).first;
        let mut count = 0;
        let mut k = first;
        while let Some(c) = self.chunks.get(k as usize) {
            count += c.entries.len();
            k = c.next;
        }
        self.in_buckets -= count;
        self.chunk_len = chunk_len_for(self.in_buckets + count);
        // The run is empty: clearing it lets the pushes below fill one contiguous stretch of its
        // buffer.
        self.front.clear();
        if count <= SORT_MAX {
            // The entries share every bit of their time above the bucket's digit, so the bits
            // below it order them; with the entry's position below those, the sort keys are
            // unique and ordering them orders the entries stably. Keys are 1 + that, so the
            // padding (0) sorts last.
            let low_bits = (i / RADIX) as u32 * DIGIT_BITS;
            let keyed = low_bits + POSITION_BITS < 64;
            let low_mask = if keyed { (1u64 << low_bits) - 1 } else { 0 };
            let mut keys = [0u64; SORT_MAX];
            let mut hi = 0;
            let mut k = first;
            while let Some(c) = self.chunks.get_mut(k as usize) {
                for e in c.entries.drain(..) {
                    hi = hi.max(e.time);
                    let p = self.scratch.len();
                    if let Some(key) = keys.get_mut(p) {
                        *key = (((e.time & low_mask) << POSITION_BITS) | p as u64) + 1;
                    }
                    self.scratch.push(Some(e));
                }
                self.free_chunks.push(k);
                k = c.next;
            }
            self.base = hi;
            if keyed {
                sort_small_descending(&mut keys, count);
                for &key in &keys[..count] {
                    let p = ((key - 1) & ((1 << POSITION_BITS) - 1)) as usize;
                    if let Some(e) = self.scratch.get_mut(p).and_then(Option::take) {
                        self.front.push_back(e);
                    }
                }
            } else {
                // A top-level bucket (times 2^60 ticks or more past the base, some 36,000 years
                // of microseconds) leaves no room for the position in the keys: a stable sort of
                // the run, pushed in reverse insertion order and sorted latest first.
                for e in self.scratch.drain(..).rev().flatten() {
                    self.front.push_back(e);
                }
                let run = self.front.make_contiguous();
                run.sort_by_key(|e| std::cmp::Reverse(e.time));
            }
            self.scratch.clear();
        } else {
            let mut mt = u64::MAX;
            let mut k = first;
            while let Some(c) = self.chunks.get(k as usize) {
                for e in &c.entries {
                    mt = mt.min(e.time);
                }
                k = c.next;
            }
            self.base = mt;
            // The entries at `mt` are pushed on the run's front in order (so they pop in order);
            // every other entry is later than `mt` and moves to a lower bucket.
            let mut k = first;
            while let Some(c) = self.chunks.get_mut(k as usize) {
                let next = c.next;
                let mut entries = std::mem::take(&mut c.entries);
                for e in entries.drain(..) {
                    if e.time == mt {
                        self.front.push_front(e);
                    } else {
                        self.push_to_bucket(bucket_of(e.time, mt), e);
                    }
                }
                self.chunks[k as usize].entries = entries;
                self.free_chunks.push(k);
                k = next;
            }
            self.in_buckets += count - self.front.len();
        }
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
    /// (including payloads) in chunks (used or free) and the front run, the chunk table and the
    /// buckets, the sort scratch and the timer table. For memory reports.
    pub fn reserved_bytes(&self) -> usize {
        let entry = std::mem::size_of::<Entry<T>>();
        let in_chunks: usize = self
            .chunks
            .iter()
            .map(|c| c.entries.capacity() * entry)
            .sum();
        let lists = self.chunks.capacity() * std::mem::size_of::<Chunk<T>>()
            + self.free_chunks.capacity() * std::mem::size_of::<u32>()
            + BUCKETS * std::mem::size_of::<Bucket>();
        let timers = self.timers.capacity() * std::mem::size_of::<TimerSlot>()
            + self.free_timers.capacity() * std::mem::size_of::<u32>();
        let scratch = self.scratch.capacity() * std::mem::size_of::<Option<Entry<T>>>();
        in_chunks + lists + self.front.capacity() * entry + scratch + timers
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

    /// Times in a top-level bucket (2^60 ticks or more past the base) leave no room for the
    /// position in the sort keys; they take the stable comparison sort instead, ties still in
    /// order.
    #[test]
    fn far_future_ties_keep_insertion_order() {
        let mut q = EventQueue::new();
        let far = 1u64 << 62;
        for (i, dt) in [5u64, 1, 5, 3, 5].into_iter().enumerate() {
            q.schedule(SimTime(far + dt), i);
        }
        q.schedule(SimTime(7), 99);
        let popped: Vec<(u64, usize)> = std::iter::from_fn(|| q.pop())
            .map(|(t, i)| (t.0, i))
            .collect();
        let expected = vec![
            (7, 99),
            (far + 1, 1),
            (far + 3, 3),
            (far + 5, 0),
            (far + 5, 2),
            (far + 5, 4),
        ];
        assert_eq!(popped, expected);
    }

    proptest! {
        /// The sorting network sorts every power-of-two length it is used for, like `sort`.
        #[test]
        fn sorting_network_sorts(
            keys in proptest::collection::vec(0u64..40, SORT_MAX),
            count in 0usize..=SORT_MAX,
        ) {
            let mut padded = [0u64; SORT_MAX];
            padded[..count].copy_from_slice(&keys[..count]);
            let mut expected = padded[..count].to_vec();
            expected.sort_unstable_by(|a, b| b.cmp(a));
            sort_small_descending(&mut padded, count);
            prop_assert_eq!(&padded[..count], &expected[..]);
        }
    }

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
            // Far ahead: the levels whose buckets are too wide for the sort keys.
            1 => (any::<u64>(), any::<bool>()).prop_map(|(x, c)| Op::Schedule(x >> 3, c)),
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
                    let t = now.saturating_add(dt);
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
                    let until = now.saturating_add(dt);
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
