//! The probe state of each pod, by namespace and name. A connection looks up every endpoint's
//! pod here: nested hash maps answer borrowed names with one hash and one comparison each,
//! where a `BTreeMap` keyed by `(String, String)` copies both names into a key and compares
//! strings all the way down.

use super::probe::ProbeState;
use crate::fast_map::{new_map, FastMap};
use alloc::{string::String, vec::Vec};

/// Pod `namespace/name` → its probe state. Iterated only where the order cannot show:
/// `Router::set_cluster` sorts the names, `Router::advance` its readiness changes.
#[derive(Clone, Debug)]
pub(crate) struct ProbeMap(FastMap<String, FastMap<String, ProbeState>>);

impl Default for ProbeMap {
    fn default() -> Self {
        Self(new_map())
    }
}

impl ProbeMap {
    /// No pod is probed.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The state of pod `namespace/pod`.
    pub(crate) fn get(&self, namespace: &str, pod: &str) -> Option<&ProbeState> {
        self.0.get(namespace)?.get(pod)
    }

    /// The state of pod `namespace/pod`, to change.
    pub(crate) fn get_mut(&mut self, namespace: &str, pod: &str) -> Option<&mut ProbeState> {
        self.0.get_mut(namespace)?.get_mut(pod)
    }

    /// Sets the state of pod `namespace/pod`.
    pub(crate) fn insert(&mut self, namespace: &str, pod: &str, state: ProbeState) {
        self.0.entry_ref(namespace).or_insert_with(new_map).insert(String::from(pod), state);
    }

    /// Forgets pod `namespace/pod` (and its namespace once it holds no other pod, so that
    /// [`ProbeMap::is_empty`] stays exact).
    pub(crate) fn remove(&mut self, namespace: &str, pod: &str) {
        if let Some(pods) = self.0.get_mut(namespace) {
            pods.remove(pod);
            if pods.is_empty() {
                self.0.remove(namespace);
            }
        }
    }

    /// The probed pods as `(namespace, name)`, in no particular order.
    pub(crate) fn names(&self) -> Vec<(String, String)> {
        self.0.iter().flat_map(|(ns, pods)| pods.keys().map(move |p| (ns.clone(), p.clone()))).collect()
    }

    /// Every probed pod with its state, in no particular order.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &str, &mut ProbeState)> {
        self.0.iter_mut().flat_map(|(ns, pods)| pods.iter_mut().map(move |(p, s)| (ns.as_str(), p.as_str(), s)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::Probe;

    /// Every pod is named and visited once; removing a namespace's last pod empties the map
    /// (the router's fast path for clusters without probes).
    #[test]
    fn order_and_emptiness() {
        let mut m = ProbeMap::default();
        for (ns, pod) in [("shop", "web-1"), ("default", "b"), ("shop", "api"), ("default", "a")] {
            m.insert(ns, pod, ProbeState::new(Probe::default(), true));
        }
        let mut names = m.names();
        crate::sort::sort(&mut names);
        let want = [("default", "a"), ("default", "b"), ("shop", "api"), ("shop", "web-1")];
        assert_eq!(names.iter().map(|(n, p)| (n.as_str(), p.as_str())).collect::<Vec<_>>(), want);
        let mut visited: Vec<(&str, &str)> = m.iter_mut().map(|(n, p, _)| (n, p)).collect();
        crate::sort::sort(&mut visited);
        assert_eq!(visited, want);
        m.get_mut("shop", "api").unwrap().ready = false;
        assert!(!m.get("shop", "api").unwrap().ready);
        assert!(m.get("shop", "nope").is_none() && m.get("nope", "api").is_none());
        for (ns, pod) in want {
            assert!(!m.is_empty());
            m.remove(ns, pod);
        }
        assert!(m.is_empty());
    }
}
