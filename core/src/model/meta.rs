//! `metav1.ObjectMeta`: the fields kroute uses.

use crate::decode::{Obj, Read};
use alloc::{collections::BTreeMap, string::String};
use core::cmp::Ordering;

/// Object metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectMeta {
    /// `name` (or `generateName` + a deterministic suffix when only that is given).
    pub name: String,
    /// `namespace` (defaulted by the loader for namespaced kinds).
    pub namespace: String,
    /// `labels`.
    pub labels: BTreeMap<String, String>,
    /// `annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `creationTimestamp` as written (RFC 3339), if any.
    pub creation_timestamp: Option<String>,
    /// `deletionTimestamp`: set means terminating (spec §4.3).
    pub deletion_timestamp: Option<String>,
    /// `generateName`.
    pub generate_name: String,
    /// `uid`.
    pub uid: String,
}

impl ObjectMeta {
    /// Reads `metadata`.
    pub(crate) fn decode(o: Obj<'_>) -> Read<Self> {
        Ok(Self {
            name: o.string("name")?,
            namespace: o.string("namespace")?,
            labels: o.string_map("labels")?.unwrap_or_default(),
            annotations: o.string_map("annotations")?.unwrap_or_default(),
            creation_timestamp: o.str("creationTimestamp")?,
            deletion_timestamp: o.str("deletionTimestamp")?,
            generate_name: o.string("generateName")?,
            uid: o.string("uid")?,
        })
    }
}

/// Where `namespace/name` is, or would go, in `list` ordered by namespace and name (the order
/// the Cluster keeps every namespaced kind in).
pub(crate) fn position<T>(
    list: &[T],
    meta: impl Fn(&T) -> &ObjectMeta,
    namespace: &str,
    name: &str,
) -> Result<usize, usize> {
    list.binary_search_by(order_against(meta, namespace, name))
}

/// How an element of a list in namespace and name order compares with `namespace/name`.
fn order_against<'k, T>(
    meta: impl Fn(&T) -> &ObjectMeta + 'k,
    namespace: &'k str,
    name: &'k str,
) -> impl Fn(&T) -> Ordering + 'k {
    move |x| {
        let m = meta(x);
        (m.namespace.as_str(), m.name.as_str()).cmp(&(namespace, name))
    }
}

/// [`position`], searched outwards from `near` (where the last search ended): steps of 1, 2,
/// 4, … until a bracket holds the key, then a binary search inside it. A key `d` places away
/// costs about 2·log₂(d) comparisons, so lookups in the list's own order (the backends of
/// Ingresses read by name) touch a few neighbours instead of `log₂(n)` scattered objects.
pub(crate) fn position_near<T>(
    list: &[T],
    meta: impl Fn(&T) -> &ObjectMeta,
    namespace: &str,
    name: &str,
    near: usize,
) -> Result<usize, usize> {
    let cmp = order_against(meta, namespace, name);
    let n = list.len();
    let near = near.min(n.saturating_sub(1));
    let (lo, hi) = match list.get(near).map(&cmp) {
        None => return Err(0),
        Some(Ordering::Equal) => return Ok(near),
        // After `near`: the key is at or before the first probe not below it.
        Some(Ordering::Less) => {
            let (mut lo, mut step) = (near + 1, 1);
            loop {
                match list.get(near + step).map(&cmp) {
                    None => break (lo, n),
                    Some(Ordering::Less) => lo = near + step + 1,
                    Some(_) => break (lo, near + step + 1),
                }
                step *= 2;
            }
        }
        // Before `near`: the key is at or after the first probe not above it.
        Some(Ordering::Greater) => {
            let (mut hi, mut step) = (near, 1);
            loop {
                match near.checked_sub(step).and_then(|i| Some((i, cmp(list.get(i)?)))) {
                    None => break (0, hi),
                    Some((i, Ordering::Greater)) => hi = i,
                    Some((i, _)) => break (i, hi),
                }
                step *= 2;
            }
        }
    };
    match list.get(lo..hi).unwrap_or_default().binary_search_by(&cmp) {
        Ok(i) => Ok(lo + i),
        Err(i) => Err(lo + i),
    }
}

/// The position of `namespace/name` in `list`: found by binary search when the list is in
/// that order, by a scan when it is not (objects an embedder passes as they come).
pub(crate) fn find_named<T>(
    list: &[T],
    meta: impl Fn(&T) -> &ObjectMeta,
    namespace: &str,
    name: &str,
) -> Option<usize> {
    position(list, &meta, namespace, name).ok().or_else(|| scan(list, meta, namespace, name))
}

/// [`find_named`] searching from `near` ([`position_near`]), which it moves to where the
/// search ended.
pub(crate) fn find_named_near<T>(
    list: &[T],
    meta: impl Fn(&T) -> &ObjectMeta,
    namespace: &str,
    name: &str,
    near: &mut usize,
) -> Option<usize> {
    let at = position_near(list, &meta, namespace, name, *near);
    *near = at.unwrap_or_else(|i| i);
    at.ok().or_else(|| scan(list, meta, namespace, name))
}

/// `namespace/name` in `list` in any order.
fn scan<T>(list: &[T], meta: impl Fn(&T) -> &ObjectMeta, namespace: &str, name: &str) -> Option<usize> {
    list.iter().position(|x| {
        let m = meta(x);
        m.namespace == namespace && m.name == name
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{string::ToString, vec::Vec};

    proptest::proptest! {
        /// Searching outwards from any start finds what the binary search finds, present or not.
        #[test]
        fn near_as_binary_search(
            mut keys in proptest::collection::vec((0u8..4, 0u16..300), 0..60),
            key in (0u8..5, 0u16..320),
            near in 0usize..70,
        ) {
            keys.sort_unstable();
            keys.dedup();
            let list: Vec<ObjectMeta> = keys
                .iter()
                .map(|(ns, n)| ObjectMeta { namespace: ns.to_string(), name: alloc::format!("{n:03}"), ..ObjectMeta::default() })
                .collect();
            let (ns, name) = (key.0.to_string(), alloc::format!("{:03}", key.1));
            let want = position(&list, |m| m, &ns, &name);
            proptest::prop_assert_eq!(position_near(&list, |m| m, &ns, &name, near), want);
            let mut at = near;
            proptest::prop_assert_eq!(find_named_near(&list, |m| m, &ns, &name, &mut at), want.ok());
            proptest::prop_assert_eq!(at, want.unwrap_or_else(|i| i));
        }
    }
}
