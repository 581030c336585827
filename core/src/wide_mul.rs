//! 64×64→128-bit multiplication, for the range reductions of random draws, and hash table
//! slots. Native targets multiply once; wasm32 has no widening multiply (a `u128` product
//! becomes a call to compiler-builtins' `__multi3`), so there it is computed from 32-bit
//! halves inline. The result is the same on every target.

/// The high and low 64 bits of `a × b`.
#[inline]
pub(crate) fn mul_wide(a: u64, b: u64) -> (u64, u64) {
    if cfg!(target_family = "wasm") {
        by_halves(a, b)
    } else {
        let r = u128::from(a) * u128::from(b);
        ((r >> 64) as u64, r as u64)
    }
}

/// [`mul_wide`] from four 32×32→64-bit products (no partial sum overflows).
#[inline]
fn by_halves(a: u64, b: u64) -> (u64, u64) {
    const LOW: u64 = 0xffff_ffff;
    let (a0, a1, b0, b1) = (a & LOW, a >> 32, b & LOW, b >> 32);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let mid = (p00 >> 32) + (p01 & LOW) + (p10 & LOW);
    (p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (p00 & LOW) | (mid << 32))
}

/// `⌊h × n / 2⁶⁴⌋`: a 64-bit hash or draw mapped onto `0..n` (Lemire's range reduction).
#[inline]
pub(crate) fn reduce(h: u64, n: usize) -> usize {
    mul_wide(h, n as u64).0 as usize
}

/// A hash table slot for hash `h` in a table of `n` slots: the hash's top 32 bits scaled to
/// `0..n` (Lemire's reduction at 32 bits: one 64-bit multiply on every target, wasm32
/// included). Tables of more than `u32::MAX` slots take [`reduce`].
#[inline]
pub(crate) fn slot_of(h: u64, n: usize) -> usize {
    match u32::try_from(n) {
        Ok(n) => (((h >> 32) * u64::from(n)) >> 32) as usize,
        Err(_) => reduce(h, n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Slots stay within the table, the largest hash takes the last slot, and tables of
        /// 32-bit sizes (every real one) scale the hash's top bits.
        #[test]
        fn slots_within_the_table(h in proptest::prelude::any::<u64>(), n in 1usize..=u32::MAX as usize, big in 1usize << 32..1 << 40) {
            for n in [n, big] {
                proptest::prop_assert!(slot_of(h, n) < n);
                proptest::prop_assert_eq!(slot_of(u64::MAX, n), n - 1);
            }
            proptest::prop_assert_eq!(slot_of(h, n) as u64, ((h >> 32) * n as u64) >> 32);
        }

        /// The halves agree with the 128-bit product, edges included.
        #[test]
        fn halves_agree_with_u128(a in proptest::prelude::any::<u64>(), b in proptest::prelude::any::<u64>()) {
            for (x, y) in [(a, b), (u64::MAX, b), (a, u64::MAX), (u64::MAX, u64::MAX), (0, b)] {
                let r = u128::from(x) * u128::from(y);
                proptest::prop_assert_eq!(by_halves(x, y), ((r >> 64) as u64, r as u64));
            }
        }
    }
}
