//! Equality of short byte strings without a call to `memcmp`, and the word loads it and the
//! route table's hash share.
//!
//! glibc's AVX-512 `memcmp` reads its inputs with masked loads. For an empty string the
//! pointer is Rust's dangling `0x1` and the mask is zero; on AMD Zen 4 (this machine's EPYC)
//! such a load takes a fault-suppression microcode assist: comparing two empty `String`s with
//! `==` costs 80 ns instead of 3. Empty names are common (a Service's single port is unnamed),
//! so the hot comparisons of names go through [`same`].

/// A word of the first 8 bytes, or of all of up to 8 bytes: distinct for distinct inputs of
/// the same length (two overlapping loads, wyhash's way), without a call to `memcpy`.
#[inline]
pub(crate) fn word(b: &[u8]) -> u64 {
    let n = b.len();
    let u32_at = |i: usize| b.get(i..i + 4).and_then(|s| s.try_into().ok()).map_or(0, u32::from_le_bytes);
    let byte = |i: usize| b.get(i).map_or(0, |c| u64::from(*c));
    match n {
        8.. => b.get(..8).and_then(|s| s.try_into().ok()).map_or(0, u64::from_le_bytes),
        4..=7 => u64::from(u32_at(0)) | u64::from(u32_at(n - 4)) << 32,
        1..=3 => byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16,
        0 => 0,
    }
}

/// Byte equality without a call to `memcmp` for keys up to 64 bytes (path elements, most
/// hosts and paths): word by word, the last word overlapping.
#[inline]
pub(crate) fn eq_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    if n <= 8 {
        return word(a) == word(b);
    }
    if n <= 64 {
        let tail = |x: &[u8]| x.get(n - 8..).map(word);
        return a.chunks_exact(8).zip(b.chunks_exact(8)).all(|(x, y)| word(x) == word(y)) && tail(a) == tail(b);
    }
    a == b
}

/// `a == b`, through [`eq_bytes`]: never a `memcmp` call for an empty string.
#[inline]
pub(crate) fn same(a: &str, b: &str) -> bool {
    eq_bytes(a.as_bytes(), b.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same answer as `==`, for equal, unequal, empty and long inputs.
        #[test]
        fn as_equality(a in "[ab]{0,80}", b in "[ab]{0,80}") {
            prop_assert_eq!(same(&a, &b), a == b);
            prop_assert!(same(&a, &a.clone()));
        }

        /// Inputs of the same length that differ in one byte anywhere (the word loop, the
        /// overlapping last word, the longer-than-64 fallback) are told apart.
        #[test]
        fn one_byte_apart(a in "[a-z]{1,100}", at in any::<prop::sample::Index>()) {
            let mut b = a.clone().into_bytes();
            let i = at.index(b.len());
            if let Some(c) = b.get_mut(i) {
                *c = if *c == b'z' { b'a' } else { *c + 1 };
            }
            prop_assert!(!eq_bytes(a.as_bytes(), &b));
        }
    }
}
