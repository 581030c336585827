//! Hash maps for lookups on the hot path: hashbrown with foldhash seeded by a fixed key, so
//! the tables behave the same on every platform. Never iterated where order reaches output.

/// A hash map with the fixed-seed hasher.
pub(crate) type FastMap<K, V> = hashbrown::HashMap<K, V, foldhash::fast::FixedState>;

/// An empty [`FastMap`].
pub(crate) fn new_map<K, V>() -> FastMap<K, V> {
    FastMap::with_hasher(foldhash::fast::FixedState::with_seed(0x6b72_6f75_7465_0001))
}
