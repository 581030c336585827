//! A router following its cluster: watch events applied through the router, or a newer
//! snapshot swapped in, keep the balancer, affinity and probe state that still applies
//! (state is keyed by Service ids, which survive events, and by pod names).

use super::probe::ProbeState;
use super::Router;
use crate::error::Error;
use crate::model::{Pod, Probe};
use crate::tree::Tree;
use crate::watch::EventOutcome;
use crate::Cluster;
use alloc::{string::String, sync::Arc, vec::Vec};

/// What the router's probe state takes from a pod: its probe and its reported readiness.
fn probe_facts(pod: Option<&Pod>) -> Option<(Option<Probe>, bool)> {
    pod.map(|p| (p.readiness_probe(), p.is_ready()))
}

fn find<'c>(cluster: &'c Cluster, ns: &str, name: &str) -> Option<&'c Pod> {
    let pods = cluster.pods();
    let at = pods.binary_search_by(|p| (p.metadata.namespace.as_str(), p.metadata.name.as_str()).cmp(&(ns, name)));
    at.ok().and_then(|i| pods.get(i))
}

impl Router {
    /// Applies a watch event to this router's snapshot (copied first when shared, so other
    /// holders keep theirs), then brings the changed pod's probe state in step.
    pub fn apply_event(&mut self, event: &Tree) -> Result<EventOutcome, Error> {
        let before = Arc::clone(&self.cluster);
        let outcome = Arc::make_mut(&mut self.cluster).apply_event(event)?;
        if outcome.kind == "Pod" {
            let (ns, pod) = outcome.object.split_once('/').unwrap_or(("", outcome.object.as_str()));
            self.sync_probe(&before, ns, pod);
        }
        Ok(outcome)
    }

    /// Routes over `cluster` from now on (a newer snapshot of the same cluster): balancer and
    /// affinity state are kept, and the probe state of every pod that changed follows it.
    pub fn set_cluster(&mut self, cluster: Arc<Cluster>) {
        let before = core::mem::replace(&mut self.cluster, cluster);
        let mut names: Vec<(String, String)> = self.probes.names();
        names.extend(
            self.cluster
                .pods()
                .iter()
                .filter(|p| p.readiness_probe().is_some())
                .map(|p| (p.metadata.namespace.clone(), p.metadata.name.clone())),
        );
        crate::sort::sort(&mut names);
        names.dedup();
        for (ns, pod) in names {
            self.sync_probe(&before, &ns, &pod);
        }
    }

    /// Brings pod `ns/name`'s probe state in step when its probe or reported readiness differs
    /// from `before`: a deleted pod's state goes, a new pod (or a changed probe) starts probing
    /// from the reported readiness, an existing state takes the reported readiness.
    fn sync_probe(&mut self, before: &Cluster, ns: &str, name: &str) {
        let now = probe_facts(find(&self.cluster, ns, name));
        if now == probe_facts(find(before, ns, name)) {
            return;
        }
        match now {
            None => self.probes.remove(ns, name),
            Some((probe, ready)) => match (self.probes.get_mut(ns, name), probe) {
                (Some(state), Some(p)) if state.probes_with(&p) => state.set_reported(ready),
                (_, Some(p)) => self.probes.insert(ns, name, ProbeState::new(p, ready)),
                (Some(state), None) => state.set_reported(ready),
                (None, None) => {}
            },
        }
    }
}
