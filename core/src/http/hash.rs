//! A compact open-addressing hash map from `(scope, bytes)` to `u32`, built once and read
//! without allocating. One table holds host names, exact paths and Prefix path keys, told
//! apart by `scope`. The hash is fixed (no random seed): the same table on every platform,
//! and the keys come from manifests, not from requests, so probe chains are bounded by the
//! configuration.

use crate::short_eq::{eq_bytes, word};
use alloc::vec::Vec;

/// Marks a free slot.
const EMPTY: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Slot {
    /// High bits of the hash, compared before the key bytes.
    tag: u32,
    scope: u32,
    start: u32,
    len: u32,
    value: u32,
}

const FREE: Slot = Slot { tag: 0, scope: 0, start: 0, len: 0, value: EMPTY };

/// `(scope, key) → value`, linear probing, load factor at most 1/2.
#[derive(Clone, Debug, Default)]
pub(crate) struct StrMap {
    slots: Vec<Slot>,
    keys: Vec<u8>,
    len: usize,
    /// Which kinds of scope hold any key (bit [`kind`]): a table without host rules, say,
    /// answers a host lookup without hashing.
    kinds: u16,
}

/// A scope's kind: its high bits (`table::scope`), with the two host scopes apart.
#[inline]
fn kind(scope: u32) -> u32 {
    if scope < 1 << 28 {
        scope.min(1)
    } else {
        (scope >> 28).min(15)
    }
}

/// Hashes `key` within `scope`: two lanes of 8 bytes, each a 64-bit multiply and a rotation
/// (no widening multiply, which wasm32 lacks), then a murmur3-style finish (fold, multiply,
/// fold) so that both the low bits (the slot) and the high bits (the tag) depend on every byte.
#[inline]
pub(crate) fn hash(scope: u32, key: &[u8]) -> u64 {
    const K0: u64 = 0x9e37_79b9_7f4a_7c15;
    const K1: u64 = 0xc2b2_ae3d_27d4_eb4f;
    let mut a = u64::from(scope) ^ ((key.len() as u64) << 32);
    let mut b = K0;
    let mut chunks = key.chunks_exact(16);
    for c in &mut chunks {
        let (x, y) = c.split_at(8);
        a = (a ^ word(x)).wrapping_mul(K0).rotate_left(32);
        b = (b ^ word(y)).wrapping_mul(K1).rotate_left(32);
    }
    let rest = chunks.remainder();
    let (x, y) = rest.split_at(rest.len().min(8));
    a = (a ^ word(x)).wrapping_mul(K0);
    b = (b ^ word(y)).wrapping_mul(K1);
    let h = a ^ b.rotate_left(32);
    let h = (h ^ (h >> 32)).wrapping_mul(K1);
    h ^ (h >> 29)
}

impl StrMap {
    /// The value stored under `(scope, key)`.
    #[inline]
    pub(crate) fn get(&self, scope: u32, key: &[u8]) -> Option<u32> {
        self.find(scope, key).and_then(|i| self.slots.get(i)).map(|s| s.value)
    }

    /// Replaces the value stored under `(scope, key)`, when there is one.
    pub(crate) fn replace(&mut self, scope: u32, key: &[u8], value: u32) {
        if let Some(s) = self.find(scope, key).and_then(|i| self.slots.get_mut(i)) {
            s.value = value;
        }
    }

    /// Whether any key of `scope`'s kind is stored: a lookup that cannot hit is skipped
    /// before its key is even computed.
    #[inline]
    pub(crate) fn holds(&self, scope: u32) -> bool {
        self.kinds & (1 << kind(scope)) != 0
    }

    /// The slot holding `(scope, key)`.
    #[inline]
    fn find(&self, scope: u32, key: &[u8]) -> Option<usize> {
        if !self.holds(scope) {
            return None;
        }
        let h = hash(scope, key);
        let mask = self.slots.len() - 1;
        let tag = (h >> 32) as u32;
        let mut i = (h as usize) & mask;
        loop {
            let s = self.slots.get(i)?;
            if s.value == EMPTY {
                return None;
            }
            if s.tag == tag && s.scope == scope && s.len as usize == key.len() {
                let start = s.start as usize;
                if self.keys.get(start..start + key.len()).is_some_and(|k| eq_bytes(k, key)) {
                    return Some(i);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// An empty map with room for `entries` keys without growing.
    pub(crate) fn with_capacity(entries: usize) -> Self {
        let slots = (entries * 2).next_power_of_two().max(16);
        StrMap { slots: alloc::vec![FREE; slots], ..StrMap::default() }
    }

    /// Stores `value` under `(scope, key)` unless the key is present; returns the value
    /// already there in that case.
    pub(crate) fn insert_new(&mut self, scope: u32, key: &[u8], value: u32) -> Result<(), u32> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let h = hash(scope, key);
        let tag = (h >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        loop {
            let Some(s) = self.slots.get(i) else {
                return Ok(());
            };
            if s.value == EMPTY {
                break;
            }
            if s.tag == tag && s.scope == scope && s.len as usize == key.len() {
                let start = s.start as usize;
                if self.keys.get(start..start + key.len()) == Some(key) {
                    return Err(s.value);
                }
            }
            i = (i + 1) & mask;
        }
        let start = self.keys.len() as u32;
        self.kinds |= 1 << kind(scope);
        self.keys.extend_from_slice(key);
        if let Some(s) = self.slots.get_mut(i) {
            *s = Slot { tag, scope, start, len: key.len() as u32, value };
        }
        self.len += 1;
        Ok(())
    }

    /// Number of entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn place(&mut self, slot: Slot) {
        let mask = self.slots.len() - 1;
        let start = slot.start as usize;
        let key = self.keys.get(start..start + slot.len as usize).unwrap_or(&[]);
        let mut i = (hash(slot.scope, key) as usize) & mask;
        while let Some(s) = self.slots.get_mut(i) {
            if s.value == EMPTY {
                *s = slot;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let old = core::mem::replace(&mut self.slots, alloc::vec![FREE; size]);
        for s in old.into_iter().filter(|s| s.value != EMPTY) {
            self.place(s);
        }
    }

    /// Bytes held by the table (for memory reports).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.slots.capacity() * core::mem::size_of::<Slot>() + self.keys.capacity()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn insert_get_and_scopes() {
        let mut m = StrMap::default();
        for i in 0..1000u32 {
            let k = alloc::format!("/path/{i}");
            assert!(m.insert_new(i % 3, k.as_bytes(), i).is_ok());
        }
        assert_eq!(m.len(), 1000);
        for i in 0..1000u32 {
            let k = alloc::format!("/path/{i}");
            assert_eq!(m.get(i % 3, k.as_bytes()), Some(i));
            assert_eq!(m.get(i % 3 + 1, k.as_bytes()), None);
        }
        assert_eq!(m.insert_new(0, b"/path/0", 7), Err(0));
        assert_eq!(m.get(0, b""), None);
        assert!(m.insert_new(9, b"", 5).is_ok());
        assert_eq!(m.get(9, b""), Some(5));
    }

    /// Keys that differ in one byte anywhere (as generated paths and hosts do) spread over
    /// the slots: no long probe runs, and few shared tags.
    #[test]
    fn similar_keys_spread() {
        for shape in ["/api/v1/users/{i}", "{i}.example.com", "/p{i}", "/static/assets/{i}/logo.png"] {
            let keys: alloc::vec::Vec<alloc::string::String> =
                (0..4096).map(|i| shape.replace("{i}", &alloc::format!("{i:05}"))).collect();
            let mut m = StrMap::with_capacity(keys.len());
            for (i, k) in keys.iter().enumerate() {
                assert!(m.insert_new(0, k.as_bytes(), i as u32).is_ok());
            }
            let mask = m.slots.len() - 1;
            let longest = keys
                .iter()
                .map(|k| {
                    let home = hash(0, k.as_bytes()) as usize & mask;
                    let at = m.find(0, k.as_bytes()).unwrap();
                    (at + m.slots.len() - home) & mask
                })
                .max()
                .unwrap();
            assert!(longest < 48, "{shape}: a probe run of {longest}");
            let mut tags: alloc::vec::Vec<u32> = keys.iter().map(|k| (hash(0, k.as_bytes()) >> 32) as u32).collect();
            tags.sort_unstable();
            tags.dedup();
            assert!(tags.len() > 4090, "{shape}: {} distinct tags", tags.len());
        }
    }

    #[test]
    fn eq_bytes_is_slice_equality() {
        let words: [&[u8]; 9] = [
            b"",
            b"a",
            b"abcdefgh",
            b"abcdefgi",
            b"abcdefghij",
            b"abcdefghik",
            b"bbcdefghij",
            b"abcdefghijklmnopq",
            b"abcdefghijklmnopr",
        ];
        for a in words {
            for b in words {
                assert_eq!(eq_bytes(a, b), a == b, "{a:?} {b:?}");
            }
        }
        // Zero padding never makes a shorter key equal to a longer one.
        assert!(!eq_bytes(b"ab\0", b"ab"));
        assert_ne!(hash(0, b"ab\0"), hash(0, b"ab"));
    }
}
