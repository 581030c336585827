//! Which endpoints kube-proxy uses for a Service port on a node: `CategorizeEndpoints`
//! (spec §4.4, §4.6; PROXY `pkg/proxy/topology.go`).

use crate::endpoints::Endpoint;
use alloc::vec::Vec;

/// The facts about a Service port that decide the categories (spec §4.4).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PolicyFacts {
    /// `ExternallyAccessible`: nodePort, load-balancer IPs or external IPs.
    pub(crate) externally_accessible: bool,
    /// `externalTrafficPolicy: Local` (and externally accessible).
    pub(crate) external_local: bool,
    /// `internalTrafficPolicy: Local`.
    pub(crate) internal_local: bool,
}

impl PolicyFacts {
    /// `UsesClusterEndpoints`: "Even if the external traffic policy is Local, we need Cluster
    /// endpoints to implement short circuiting."
    pub(crate) fn uses_cluster(&self) -> bool {
        !self.internal_local || self.externally_accessible
    }

    /// `UsesLocalEndpoints`.
    pub(crate) fn uses_local(&self) -> bool {
        self.internal_local || (self.external_local && self.externally_accessible)
    }
}

/// kube-proxy's categorisation, as indexes into the endpoint list it was given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Categories {
    /// Usable for Cluster policy; `None` when the Service never uses Cluster policy.
    pub(crate) cluster: Option<Vec<usize>>,
    /// Usable for Local policy; `None` when the Service never uses Local policy.
    pub(crate) local: Option<Vec<usize>>,
    /// The union of both.
    pub(crate) all_reachable: Vec<usize>,
    /// Any usable endpoint anywhere in the cluster.
    pub(crate) has_any: bool,
    /// The topology mode applied to Cluster endpoints (`""`, `PreferSameZone`, `PreferSameNode`).
    pub(crate) topology: &'static str,
}

/// `topologyModeFromHints` with PreferSameTrafficDistribution enabled (§4.6).
fn topology_mode(eps: &[(&Endpoint, bool)], node: &str, zone: &str) -> &'static str {
    let ready = || eps.iter().filter(|(_, r)| *r).map(|(e, _)| *e);
    if ready().next().is_none() {
        return "";
    }
    if ready().all(|e| !e.node_hints.is_empty()) && ready().any(|e| e.node_hints.iter().any(|h| h == node)) {
        return "PreferSameNode";
    }
    if ready().all(|e| !e.zone_hints.is_empty()) && ready().any(|e| e.zone_hints.iter().any(|h| h == zone)) {
        return "PreferSameZone";
    }
    ""
}

fn available(e: &Endpoint, mode: &str, node: &str, zone: &str) -> bool {
    match mode {
        "PreferSameNode" => e.node_hints.iter().any(|h| h == node),
        "PreferSameZone" => e.zone_hints.iter().any(|h| h == zone),
        _ => true,
    }
}

/// `CategorizeEndpoints` over `eps`, each with its effective readiness (the router may
/// override it from probes). `node` is this node's name, `zone` its zone label.
pub(crate) fn categorize(eps: &[(&Endpoint, bool)], facts: PolicyFacts, node: &str, zone: &str) -> Categories {
    let mut out = Categories::default();
    if eps.is_empty() {
        return out;
    }
    let serving_terminating = |e: &Endpoint| e.conditions.serving && e.conditions.terminating;
    let is_local = |e: &Endpoint| e.node.as_deref() == Some(node);
    let mut use_serving_terminating = false;
    if facts.uses_cluster() {
        out.topology = topology_mode(eps, node, zone);
        let mut cluster: Vec<usize> = Vec::with_capacity(eps.len());
        cluster.extend(
            (0..eps.len()).filter(|&i| eps.get(i).is_some_and(|(e, r)| *r && available(e, out.topology, node, zone))),
        );
        // "If we didn't get any endpoints, try again using terminating endpoints."
        if cluster.is_empty() {
            cluster = (0..eps.len()).filter(|&i| eps.get(i).is_some_and(|(e, _)| serving_terminating(e))).collect();
        }
        out.has_any = !cluster.is_empty();
        out.cluster = Some(cluster);
    }
    if !facts.uses_local() {
        out.all_reachable = out.cluster.clone().unwrap_or_default();
        return out;
    }
    let (mut local_ready, mut local_st) = (false, false);
    for (e, ready) in eps {
        if *ready {
            out.has_any = true;
            local_ready |= is_local(e);
        } else if serving_terminating(e) {
            out.has_any = true;
            local_st |= is_local(e);
        }
    }
    let local: Vec<usize> = if local_ready {
        (0..eps.len()).filter(|&i| eps.get(i).is_some_and(|(e, r)| is_local(e) && *r)).collect()
    } else if local_st {
        use_serving_terminating = true;
        (0..eps.len()).filter(|&i| eps.get(i).is_some_and(|(e, _)| is_local(e) && serving_terminating(e))).collect()
    } else {
        Vec::new()
    };
    out.local = Some(local);
    match (&out.cluster, &out.local) {
        (None, Some(l)) => out.all_reachable = l.clone(),
        (Some(c), _) if out.topology.is_empty() && !use_serving_terminating => out.all_reachable = c.clone(),
        (Some(c), Some(l)) => {
            let mut all: Vec<usize> = c.iter().chain(l).copied().collect();
            crate::sort::sort(&mut all);
            all.dedup();
            out.all_reachable = all;
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::endpoints::Conditions;
    use crate::model::Protocol;

    fn ep(ip: &str, node: &str, ready: bool, serving: bool, terminating: bool, zone_hint: Option<&str>) -> Endpoint {
        Endpoint {
            ip: ip.parse().unwrap(),
            port: 80,
            port_name: alloc::string::String::new(),
            service_port: 80,
            protocol: Protocol::TCP,
            conditions: Conditions { ready, serving, terminating },
            pod: None,
            node: Some(node.into()),
            hostname: None,
            zone: None,
            zone_hints: zone_hint.map(|z| alloc::vec![z.into()]).unwrap_or_default(),
            node_hints: Vec::new(),
        }
    }

    const CLUSTER: PolicyFacts =
        PolicyFacts { externally_accessible: false, external_local: false, internal_local: false };

    fn run(eps: &[Endpoint], facts: PolicyFacts) -> Categories {
        let pairs: Vec<(&Endpoint, bool)> = eps.iter().map(|e| (e, e.conditions.ready)).collect();
        categorize(&pairs, facts, "node-a", "zone-a")
    }

    // Cases after PROXY topology_test.go TestCategorizeEndpoints.
    #[test]
    fn cluster_policy_uses_all_ready_endpoints() {
        let eps =
            [ep("10.0.0.1", "node-a", true, true, false, None), ep("10.0.0.2", "node-b", true, true, false, None)];
        let c = run(&eps, CLUSTER);
        assert_eq!(c.cluster, Some(alloc::vec![0, 1]));
        assert_eq!(c.local, None);
        assert!(c.has_any);
    }

    #[test]
    fn falls_back_to_serving_terminating() {
        let eps =
            [ep("10.0.0.1", "node-a", false, true, true, None), ep("10.0.0.2", "node-b", false, false, true, None)];
        assert_eq!(run(&eps, CLUSTER).cluster, Some(alloc::vec![0]));
    }

    #[test]
    fn zone_hints_filter_only_when_all_ready_endpoints_have_them() {
        let hinted = [
            ep("10.0.0.1", "node-b", true, true, false, Some("zone-a")),
            ep("10.0.0.2", "node-c", true, true, false, Some("zone-b")),
        ];
        let c = run(&hinted, CLUSTER);
        assert_eq!((c.cluster, c.topology), (Some(alloc::vec![0]), "PreferSameZone"));
        let partly = [
            ep("10.0.0.1", "node-b", true, true, false, Some("zone-a")),
            ep("10.0.0.2", "node-c", true, true, false, None),
        ];
        assert_eq!(run(&partly, CLUSTER).cluster, Some(alloc::vec![0, 1]));
    }

    #[test]
    fn internal_local_without_local_endpoints_has_any_but_none_reachable() {
        let eps = [ep("10.0.0.2", "node-b", true, true, false, None)];
        let c = run(&eps, PolicyFacts { internal_local: true, ..CLUSTER });
        assert_eq!((c.cluster, c.local.clone(), c.has_any), (None, Some(Vec::new()), true));
        assert!(c.all_reachable.is_empty());
    }

    #[test]
    fn external_local_keeps_cluster_endpoints_for_short_circuit() {
        let eps =
            [ep("10.0.0.1", "node-a", true, true, false, None), ep("10.0.0.2", "node-b", true, true, false, None)];
        let c = run(&eps, PolicyFacts { externally_accessible: true, external_local: true, internal_local: false });
        assert_eq!(c.cluster, Some(alloc::vec![0, 1]));
        assert_eq!(c.local, Some(alloc::vec![0]));
        assert_eq!(c.all_reachable, alloc::vec![0, 1]);
    }
}
