//! A small deterministic generator (SplitMix64): the same seed gives the same draws on every
//! platform, natively, in wasm and in Python.

/// SplitMix64 state.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform draw in `0..n` (`n > 0`), without modulo bias worth noting (Lemire's method).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        crate::wide_mul::reduce(self.next_u64(), n)
    }
}

/// A 64-bit hash of bytes (FNV-1a then a SplitMix finaliser), stable everywhere.
pub fn hash64(bytes: &[u8], salt: u64) -> u64 {
    let h = crate::alloc_ip::fnv1a(bytes) ^ salt;
    Rng::new(h).next_u64()
}
