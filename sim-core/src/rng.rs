//! Named random streams.
//!
//! Every random stream in a run is derived from the scenario seed and the stream's name, never
//! from a shared global generator. Adding a component (a new stream name) therefore does not
//! shift any other component's numbers, which is what makes common-random-number A/B
//! comparisons and reproducible runs possible.
//!
//! Derivation (portable, documented, independent of Rust's `std` hasher):
//! 1. `h = FNV-1a-64(name bytes)` (offset basis 0xcbf29ce484222325, prime 0x100000001b3);
//! 2. a SplitMix64 generator (Steele, Lea & Flood, OOPSLA 2014) is seeded with `seed ^ h` and
//!    its first four outputs, little-endian, form the 32-byte key;
//! 3. the stream is ChaCha with 8 rounds (`rand_chacha::ChaCha8Rng`), whose output sequence is
//!    specified and identical on every platform.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator type of every stream.
pub type StreamRng = ChaCha8Rng;

/// FNV-1a, 64-bit.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// One SplitMix64 step: advances `state` and returns the next output.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Factory of named streams for one scenario seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RngStreams {
    seed: u64,
}

impl RngStreams {
    /// Streams for scenario seed `seed`.
    pub fn new(seed: u64) -> Self {
        RngStreams { seed }
    }
    /// The scenario seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The stream called `name` (the same name always gives the same sequence for this seed).
    pub fn stream(&self, name: &str) -> StreamRng {
        let mut state = self.seed ^ fnv1a64(name.as_bytes());
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        ChaCha8Rng::from_seed(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn fnv_reference_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn same_name_same_numbers_other_name_other_numbers() {
        let s = RngStreams::new(42);
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("arrivals"), |r, _| Some(r.gen()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("arrivals"), |r, _| Some(r.gen()))
            .collect();
        let c: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream("failures"), |r, _| Some(r.gen()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let d: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(RngStreams::new(43).stream("arrivals"), |r, _| Some(r.gen()))
            .collect();
        assert_ne!(a, d);
    }

    /// Golden values: a change here silently changes every run's numbers.
    #[test]
    fn stream_derivation_is_stable() {
        let mut r = RngStreams::new(1).stream("golden");
        let first: u64 = r.gen();
        let mut r2 = RngStreams::new(1).stream("golden");
        assert_eq!(first, r2.gen::<u64>());
        // Recorded from the first run of this derivation (rand_chacha 0.3, ChaCha8).
        assert_eq!(
            first, 0xb864_0f94_1a68_7d1a,
            "stream derivation changed: got {first:#x}"
        );
    }
}
