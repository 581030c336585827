//! A router following its cluster: watch events applied through the router, or a newer
//! snapshot swapped in, keep the balancer, affinity and probe state that still applies
//! (state is keyed by Service ids, which survive events, and by pod names).

use super::probe::ProbeState;
use super::Router;
use crate::error::Error;
use crate::tree::Tree;
use crate::watch::EventOutcome;
use crate::Cluster;
use alloc::{string::String, sync::Arc};

impl Router {
    /// Applies a watch event to this router's snapshot (copied first when shared, so other
    /// holders keep theirs), then brings the changed pod's probe state in step.
    pub fn apply_event(&mut self, event: &Tree) -> Result<EventOutcome, Error> {
        let outcome = Arc::make_mut(&mut self.cluster).apply_event(event)?;
        if outcome.kind == "Pod" {
            let (ns, pod) = outcome.object.split_once('/').unwrap_or(("", outcome.object.as_str()));
            self.sync_probe(String::from(ns), String::from(pod));
        }
        Ok(outcome)
    }

    /// Routes over `cluster` from now on (a newer snapshot of the same cluster): every pod's
    /// probe state is brought in step, balancer and affinity state are kept.
    pub fn set_cluster(&mut self, cluster: Arc<Cluster>) {
        self.cluster = cluster;
        let gone: alloc::vec::Vec<(String, String)> =
            self.probes.keys().filter(|(ns, pod)| self.pod_index(ns, pod).is_none()).cloned().collect();
        for key in gone {
            self.probes.remove(&key);
        }
        let pods: alloc::vec::Vec<(String, String)> = self
            .cluster
            .pods()
            .iter()
            .filter(|p| p.readiness_probe().is_some())
            .map(|p| (p.metadata.namespace.clone(), p.metadata.name.clone()))
            .collect();
        for (ns, pod) in pods {
            self.sync_probe(ns, pod);
        }
    }

    /// A deleted pod's probe state goes; a new pod, or one whose probe changed, starts probing
    /// from its reported readiness; otherwise the state (and any script) is kept.
    fn sync_probe(&mut self, ns: String, pod: String) {
        let probe = self
            .pod_index(&ns, &pod)
            .and_then(|i| self.cluster.pods().get(i))
            .map(|p| (p.readiness_probe(), p.is_ready()));
        let key = (ns, pod);
        match probe {
            None => {
                self.probes.remove(&key);
            }
            Some((Some(probe), ready)) => {
                if self.probes.get(&key).is_none_or(|s| !s.probes_with(&probe)) {
                    self.probes.insert(key, ProbeState::new(probe, ready));
                }
            }
            Some((None, _)) => {}
        }
    }

    fn pod_index(&self, ns: &str, pod: &str) -> Option<usize> {
        self.cluster
            .pods()
            .binary_search_by(|p| (p.metadata.namespace.as_str(), p.metadata.name.as_str()).cmp(&(ns, pod)))
            .ok()
    }
}
