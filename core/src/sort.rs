//! One sort for the whole crate, and small sets kept as sorted `Vec`s. `slice::sort_by` is
//! compiled again for every element type and comparison (about 4 KB of wasm each, 19 of them);
//! here only a list of positions is sorted, once, through a `dyn` comparison, and each element
//! type gets a few lines that move the elements into that order. Likewise a `BTreeSet` compiles
//! a B-tree per element type (about 4.5 KB), where [`firsts`] reuses the sort (issue 6: the
//! `.wasm` size). Stable, like `slice::sort_by`.

use alloc::vec::Vec;
use core::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal elements in their order.
pub(crate) fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = order_by(v, cmp);
    permute(v, order);
}

/// The positions of `v` in the order `cmp` puts its elements (equal ones in their order), for
/// [`permute`]: lists that move together sort once.
pub(crate) fn order_by<T>(v: &[T], cmp: impl Fn(&T, &T) -> Ordering) -> Vec<usize> {
    order(v.len(), &|a, b| match (v.get(a), v.get(b)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Ordering::Equal,
    })
}

/// Sorts `v` by the key `key` gives each element, keeping equal elements in their order.
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` by a key computed once per element, keeping equal elements in their order.
pub(crate) fn sort_by_cached_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    let keys: Vec<K> = v.iter().map(key).collect();
    permute(v, order_by(&keys, K::cmp));
}

/// Sorts `v` in ascending order.
pub(crate) fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts a handful of elements by key in place (insertion sort: no allocation, little code),
/// keeping equal elements in their order; more than 16 are sorted as [`sort_by_cached_key`]
/// does. For the per-call lists of a selector's terms.
pub(crate) fn sort_few_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    if v.len() > 16 {
        return sort_by_cached_key(v, key);
    }
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v.get(j - 1).map(&key) > v.get(j).map(&key) {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// For each element of `v`, whether it is the first with its key (O(n log n): a sort of
/// positions, instead of a `BTreeSet` of the keys seen).
pub(crate) fn firsts<T, K: Ord>(v: &[T], key: impl Fn(&T) -> K) -> Vec<bool> {
    let keys: Vec<K> = v.iter().map(key).collect();
    let order = order_by(&keys, K::cmp);
    let mut first = alloc::vec![false; keys.len()];
    for group in order.chunk_by(|a, b| keys.get(*a) == keys.get(*b)) {
        if let Some(slot) = group.first().and_then(|i| first.get_mut(*i)) {
            *slot = true;
        }
    }
    first
}

/// The positions `0..n` in the order `cmp` puts them (the one compiled sort).
fn order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..n).collect();
    positions.sort_by(|&a, &b| cmp(a, b));
    positions
}

/// Moves `v[order[k]]` to position `k`, one cycle of the permutation at a time.
pub(crate) fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        while let Some(slot) = order.get_mut(at) {
            let from = core::mem::replace(slot, at);
            if from == start || from == at || from >= v.len() || at >= v.len() {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same result as the standard library's stable sort, equal keys in their order.
        #[test]
        fn matches_slice_sort_by(v in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut ours = v.clone();
            sort_by_key(&mut ours, |e| e.0);
            let mut std = v;
            std.sort_by_key(|e| e.0);
            prop_assert_eq!(&ours, &std);
            let mut few = ours.clone();
            few.reverse();
            sort_few_by_key(&mut few, |e| e.0);
            let mut reversed = ours;
            reversed.reverse();
            reversed.sort_by_key(|e| e.0);
            prop_assert_eq!(few, reversed);
        }

        /// `firsts` marks what a `BTreeSet` of the keys seen so far would let through.
        #[test]
        fn firsts_matches_a_set(v in proptest::collection::vec(0u8..20, 0..100)) {
            let mut seen = alloc::collections::BTreeSet::new();
            let expected: Vec<bool> = v.iter().map(|x| seen.insert(*x)).collect();
            prop_assert_eq!(firsts(&v, |x| *x), expected);
        }
    }
}
