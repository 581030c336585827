//! An index of pods by namespace and label, so a Service's pods are found from the shortest
//! posting list of its selector pairs instead of a scan of every pod (spec §4.1 semantics:
//! equality AND over all pairs, own namespace only).

use crate::endpoints::selects;
use crate::model::Pod;
use alloc::{collections::BTreeMap, string::String, vec::Vec};

type Postings = BTreeMap<String, BTreeMap<String, Vec<u32>>>;

/// Pods (sorted by namespace, name) indexed by `namespace → key → value → positions`.
#[derive(Clone, Debug, Default)]
pub(crate) struct PodIndex {
    labels: BTreeMap<String, Postings>,
}

impl PodIndex {
    /// Indexes `pods`.
    pub(crate) fn build(pods: &[Pod]) -> Self {
        let mut labels: BTreeMap<String, Postings> = BTreeMap::new();
        for (i, pod) in pods.iter().enumerate() {
            let ns = labels.entry(pod.metadata.namespace.clone()).or_default();
            for (k, v) in &pod.metadata.labels {
                ns.entry(k.clone()).or_default().entry(v.clone()).or_default().push(i as u32);
            }
        }
        Self { labels }
    }

    /// The pods of `namespace` selected by the equality `selector` (non-empty), in pod order.
    pub(crate) fn selected<'p>(
        &self,
        pods: &'p [Pod],
        namespace: &str,
        selector: &BTreeMap<String, String>,
    ) -> impl Iterator<Item = &'p Pod> + 'p {
        let ns = self.labels.get(namespace);
        let shortest: &[u32] = selector
            .iter()
            .map(|(k, v)| {
                ns.and_then(|n| n.get(k.as_str())).and_then(|m| m.get(v.as_str())).map_or(&[][..], Vec::as_slice)
            })
            .min_by_key(|list| list.len())
            .unwrap_or(&[]);
        let selector = selector.clone();
        let list: Vec<u32> = shortest.to_vec();
        list.into_iter()
            .filter_map(move |i| pods.get(i as usize))
            .filter(move |p| selects(&selector, &p.metadata.labels))
    }
}

/// The pods of `namespace` selected by `selector`: through `index` when given, else by a scan.
pub(crate) fn selected_pods<'p>(
    index: Option<&PodIndex>,
    pods: &'p [Pod],
    namespace: &str,
    selector: &BTreeMap<String, String>,
) -> Vec<&'p Pod> {
    match index {
        Some(ix) => ix.selected(pods, namespace, selector).collect(),
        None => {
            pods.iter().filter(|p| p.metadata.namespace == namespace && selects(selector, &p.metadata.labels)).collect()
        }
    }
}
