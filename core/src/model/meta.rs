//! `metav1.ObjectMeta`: the fields kroute uses.

use crate::decode::{Obj, Read};
use alloc::{collections::BTreeMap, string::String};

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
    list.binary_search_by(|x| {
        let m = meta(x);
        (m.namespace.as_str(), m.name.as_str()).cmp(&(namespace, name))
    })
}

/// The position of `namespace/name` in `list`: found by binary search when the list is in
/// that order, by a scan when it is not (objects an embedder passes as they come).
pub(crate) fn find_named<T>(
    list: &[T],
    meta: impl Fn(&T) -> &ObjectMeta,
    namespace: &str,
    name: &str,
) -> Option<usize> {
    position(list, &meta, namespace, name).ok().or_else(|| {
        list.iter().position(|x| {
            let m = meta(x);
            m.namespace == namespace && m.name == name
        })
    })
}
