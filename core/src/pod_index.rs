//! An index of pods by namespace and label, so a Service's pods are found from the shortest
//! posting list of its selector pairs instead of a scan of every pod (spec §4.1 semantics:
//! equality AND over all pairs, own namespace only).

use crate::endpoints::selects;
use crate::fast_map::{new_map, FastMap};
use crate::model::Pod;
use crate::selector::{Operator, Selector};
use alloc::{collections::BTreeMap, string::String, vec::Vec};

/// Label key → value → posting list number, in hash maps with a fixed seed (looked up, never
/// iterated).
type Lists = FastMap<String, FastMap<String, u32>>;

/// Pods (sorted by namespace, name, as [`crate::Cluster::pods`] keeps them) indexed by
/// `namespace → key → value → positions`, for selecting pods with any [`Selector`] without a
/// scan of every pod.
#[derive(Clone, Debug, Default)]
pub struct PodIndex {
    /// The posting list of each namespace, key and value.
    labels: FastMap<String, Lists>,
    /// Where each posting list starts in `positions`, and where the last one ends.
    starts: Vec<u32>,
    /// The posting lists one after another, each in ascending pod position.
    positions: Vec<u32>,
}

impl PodIndex {
    /// Indexes `pods` (sorted by namespace and name). Each namespace, key and value string is
    /// copied once, not once per pod; the posting lists share one allocation.
    pub fn build(pods: &[Pod]) -> Self {
        let mut labels: FastMap<String, Lists> = new_map();
        // First pass: a list number for each label, and each list's length.
        let mut entries: Vec<(u32, u32)> = Vec::new();
        let mut lengths: Vec<u32> = Vec::new();
        let mut at = 0u32;
        for group in pods.chunk_by(|a, b| a.metadata.namespace == b.metadata.namespace) {
            let Some(namespace) = group.first().map(|p| p.metadata.namespace.as_str()) else { continue };
            let ns = labels.entry_ref(namespace).or_insert_with(new_map);
            for pod in group {
                for (k, v) in &pod.metadata.labels {
                    let next = u32::try_from(lengths.len()).unwrap_or(u32::MAX);
                    let list = *ns.entry_ref(k.as_str()).or_insert_with(new_map).entry_ref(v.as_str()).or_insert(next);
                    if list == next {
                        lengths.push(0);
                    }
                    if let Some(n) = lengths.get_mut(list as usize) {
                        *n += 1;
                    }
                    entries.push((list, at));
                }
                at += 1;
            }
        }
        // Second pass: the positions, list by list (in pod order within each list).
        let mut starts = Vec::with_capacity(lengths.len() + 1);
        let mut end = 0u32;
        starts.push(0);
        for n in &lengths {
            end = end.saturating_add(*n);
            starts.push(end);
        }
        let mut next = starts.clone();
        let mut positions = alloc::vec![0u32; entries.len()];
        for (list, at) in entries {
            if let Some(slot) = next.get_mut(list as usize) {
                if let Some(p) = positions.get_mut(*slot as usize) {
                    *p = at;
                }
                *slot += 1;
            }
        }
        Self { labels, starts, positions }
    }

    /// The positions of the pods of `namespace` labelled `key=value`, ascending.
    fn list(&self, namespace: Option<&Lists>, key: &str, value: &str) -> &[u32] {
        let Some(list) = namespace.and_then(|n| n.get(key)).and_then(|m| m.get(value)) else { return &[] };
        let (start, end) = (self.starts.get(*list as usize), self.starts.get(*list as usize + 1));
        match (start, end) {
            (Some(s), Some(e)) => self.positions.get(*s as usize..*e as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The pods of `namespace` selected by the equality `selector` (non-empty), in pod order:
    /// the shortest posting list of its pairs, less what any other pair's list lacks (binary
    /// search in the ascending lists: no pod's labels are read).
    fn selected<'p>(&self, pods: &'p [Pod], namespace: &str, selector: &BTreeMap<String, String>) -> Vec<&'p Pod> {
        let ns = self.labels.get(namespace);
        let mut lists: Vec<&[u32]> = selector.iter().map(|(k, v)| self.list(ns, k, v)).collect();
        crate::sort::sort_few_by_key(&mut lists, |list| list.len());
        let Some((shortest, others)) = lists.split_first() else { return Vec::new() };
        shortest
            .iter()
            .filter(|i| others.iter().all(|list| list.binary_search(i).is_ok()))
            .filter_map(|i| pods.get(*i as usize))
            .collect()
    }

    /// The pods of `namespace` that `selector` selects, in pod order (`pods` as indexed). Each
    /// `=`/`==`/`in` requirement allows a sorted set of positions (its posting lists, merged);
    /// the sets are intersected smallest first, and every requirement is then checked on what
    /// remains. A selector without such a requirement scans the namespace.
    pub fn select<'p>(&self, pods: &'p [Pod], namespace: &str, selector: &Selector) -> Vec<&'p Pod> {
        let ns = self.labels.get(namespace);
        let mut sets: Vec<Vec<&[u32]>> = Vec::new();
        for r in selector.requirements() {
            if matches!(r.operator(), Operator::Equals | Operator::DoubleEquals | Operator::In) {
                sets.push(r.values().iter().map(|v| self.list(ns, r.key(), v)).filter(|l| !l.is_empty()).collect());
            }
        }
        let matches = |p: &&Pod| selector.matches(&p.metadata.labels);
        if sets.is_empty() {
            let start = pods.partition_point(|p| p.metadata.namespace.as_str() < namespace);
            let end = pods.partition_point(|p| p.metadata.namespace.as_str() <= namespace);
            return pods.get(start..end).unwrap_or(&[]).iter().filter(matches).collect();
        }
        let size = |s: &Vec<&[u32]>| s.iter().map(|l| l.len()).sum::<usize>();
        crate::sort::sort_few_by_key(&mut sets, size);
        let merged = |lists: &[&[u32]]| -> Vec<u32> {
            match lists {
                [one] => one.to_vec(),
                _ => {
                    let mut v: Vec<u32> = lists.iter().flat_map(|l| l.iter().copied()).collect();
                    // The hot path of set-based selectors: the standard sort, compiled for `u32`.
                    v.sort_unstable();
                    v.dedup();
                    v
                }
            }
        };
        let mut ids = sets.first().map_or(Vec::new(), |s| merged(s));
        for set in sets.iter().skip(1) {
            if ids.is_empty() {
                break;
            }
            // A large set is probed by binary search in each of its lists; a small one merged.
            if size(set) > ids.len() * 8 {
                ids.retain(|i| set.iter().any(|l| l.binary_search(i).is_ok()));
            } else {
                let other = merged(set);
                ids.retain(|i| other.binary_search(i).is_ok());
            }
        }
        ids.into_iter().filter_map(|i| pods.get(i as usize)).filter(matches).collect()
    }
}

/// The pods of `namespace` selected by `selector`, in pod order: through `index` when given,
/// else by a scan.
pub(crate) fn selected_pods<'p>(
    index: Option<&PodIndex>,
    pods: &'p [Pod],
    namespace: &str,
    selector: &BTreeMap<String, String>,
) -> Vec<&'p Pod> {
    match index {
        Some(ix) => ix.selected(pods, namespace, selector),
        None => {
            pods.iter().filter(|p| p.metadata.namespace == namespace && selects(selector, &p.metadata.labels)).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::ObjectMeta;

    /// `select` answers as a scan with `Selector::matches`, for every kind of requirement.
    #[test]
    fn select_matches_a_scan() {
        let mut pods: Vec<Pod> = (0..300u32)
            .map(|i| {
                let mut labels = BTreeMap::new();
                labels.insert("app".into(), alloc::format!("a{}", i % 7));
                if i % 3 != 0 {
                    labels.insert("tier".into(), if i % 3 == 1 { "api" } else { "db" }.into());
                }
                labels.insert("n".into(), alloc::format!("{}", i % 11));
                let metadata = ObjectMeta {
                    namespace: alloc::format!("ns{}", i % 4),
                    name: alloc::format!("p{i:03}"),
                    labels,
                    ..ObjectMeta::default()
                };
                Pod { metadata, ..Pod::default() }
            })
            .collect();
        crate::sort::sort_by(&mut pods, |a, b| {
            (&a.metadata.namespace, &a.metadata.name).cmp(&(&b.metadata.namespace, &b.metadata.name))
        });
        let index = PodIndex::build(&pods);
        for text in [
            "app=a1",
            "app==a2,tier=api",
            "app in (a1,a3,a9),tier!=web",
            "tier,app notin (a0)",
            "!tier",
            "n>5,app=a4",
            "tier in (db),n<3",
            "",
            "app=missing",
        ] {
            let sel = Selector::parse(text).unwrap();
            for ns in ["ns0", "ns1", "ns3", "nope"] {
                let want: Vec<&Pod> =
                    pods.iter().filter(|p| p.metadata.namespace == ns && sel.matches(&p.metadata.labels)).collect();
                let got = index.select(&pods, ns, &sel);
                let names = |v: &[&Pod]| v.iter().map(|p| p.metadata.name.clone()).collect::<Vec<_>>();
                assert_eq!(names(&got), names(&want), "{text} in {ns}");
            }
        }
        assert!(index.select(&pods, "ns0", &Selector::nothing()).is_empty());
        // Equality maps (Service selectors, §4.1): the index's posting-list intersection
        // answers as the scan, with one, two and three pairs, and pairs no pod has.
        for pairs in [
            &[("app", "a1")][..],
            &[("app", "a2"), ("tier", "api")],
            &[("app", "a4"), ("n", "4"), ("tier", "db")],
            &[("tier", "db"), ("n", "7")],
            &[("app", "a1"), ("tier", "web")],
            &[("zone", "z1")],
        ] {
            let selector: BTreeMap<String, String> = pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
            for ns in ["ns0", "ns2", "nope"] {
                let names = |v: Vec<&Pod>| v.into_iter().map(|p| p.metadata.name.clone()).collect::<Vec<_>>();
                let want = names(selected_pods(None, &pods, ns, &selector));
                assert_eq!(names(selected_pods(Some(&index), &pods, ns, &selector)), want, "{pairs:?} in {ns}");
            }
        }
    }
}
