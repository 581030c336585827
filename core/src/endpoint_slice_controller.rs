//! The EndpointSlice controller for embedders: the endpoints of Services with a selector,
//! computed from typed Pods and Nodes without building a [`crate::Cluster`] (spec §4.1–§4.3,
//! topology hints §4.6). The Cluster computes its endpoints with the same code.

use crate::endpoints::{compute, Endpoint, Inputs};
use crate::load::{Findings, Sources};
use crate::model::{Node, Pod, Service};
use crate::pod_index::PodIndex;
use alloc::{collections::BTreeMap, string::String, vec::Vec};

/// Pods indexed by namespace and labels, with the zone of each node: ask it for the endpoints
/// of any number of Services.
#[derive(Clone, Debug)]
pub struct EndpointSliceController<'p> {
    pods: &'p [Pod],
    index: PodIndex,
    zones: BTreeMap<String, String>,
}

impl<'p> EndpointSliceController<'p> {
    /// Indexes `pods` (defaulted, as [`crate::Cluster::pods`] holds them) and reads the zone of
    /// each of `nodes` (`topology.kubernetes.io/zone`).
    pub fn new(pods: &'p [Pod], nodes: &[Node]) -> Self {
        let mut zones = BTreeMap::new();
        zones.extend(nodes.iter().filter_map(|n| n.zone().map(|z| (n.metadata.name.clone(), String::from(z)))));
        Self { pods, index: PodIndex::build(pods), zones }
    }

    /// The endpoints the controller publishes for `service`, ordered by Service port, then
    /// address. A Service without a selector gets none here: its endpoints are the Endpoints
    /// and EndpointSlices written for it (see [`crate::Cluster::endpoints`]).
    pub fn endpoints(&self, service: &Service) -> Vec<Endpoint> {
        if service.selector.is_none() {
            return Vec::new();
        }
        let (endpoints, slices) = (BTreeMap::new(), BTreeMap::new());
        let inputs = Inputs {
            pods: self.pods,
            index: Some(&self.index),
            endpoints: &endpoints,
            slices: &slices,
            zones: &self.zones,
        };
        let sources = Sources::default();
        compute(service, &inputs, &mut Findings::new(&sources))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Cluster, Options};

    /// Every Service with a selector gets the same endpoints as the Cluster computes: named
    /// and numbered target ports, not-ready and terminating pods, zones with topology hints,
    /// hostnames, pods in other namespaces.
    #[test]
    fn agrees_with_the_cluster() {
        let yaml = "
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {topology.kubernetes.io/zone: z1}}
---
apiVersion: v1
kind: Node
metadata: {name: n2, labels: {topology.kubernetes.io/zone: z2}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  trafficDistribution: PreferClose
  ports: [{name: http, port: 80, targetPort: http}, {name: admin, port: 9000, targetPort: 9001}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  publishNotReadyAddresses: true
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: shop}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: shop, labels: {app: web}}
spec: {nodeName: n1, hostname: web-0, subdomain: web, containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.1.0.2, conditions: [{type: Ready, status: 'True'}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}, deletionTimestamp: '2024-01-01T00:00:00Z'}
spec: {nodeName: n2, containers: [{name: c}]}
status: {podIP: 10.1.0.3, conditions: [{type: Ready, status: 'True'}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {nodeName: n2, containers: [{name: c}]}
status: {podIP: 10.1.0.4, conditions: [{type: Ready, status: 'False'}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-x, namespace: other, labels: {app: web}}
spec: {containers: [{name: c}]}
status: {podIP: 10.1.0.5}
";
        let c = Cluster::from_yaml(yaml, &Options::default()).unwrap();
        let controller = EndpointSliceController::new(c.pods(), c.nodes());
        let mut nonempty = 0;
        for s in c.services() {
            let got = controller.endpoints(s);
            if s.selector.is_some() {
                assert_eq!(got, c.endpoints(&s.metadata.namespace, &s.metadata.name).unwrap(), "{}", s.metadata.name);
            } else {
                assert!(got.is_empty());
            }
            nonempty += usize::from(!got.is_empty());
        }
        assert_eq!(nonempty, 2);
        let web = c.service("shop", "web").unwrap();
        let eps = controller.endpoints(web);
        assert_eq!(eps.len(), 3, "web-0 on both ports, web-1 on the numbered port only");
        assert_eq!(eps.first().map(|e| (e.port, e.zone_hints.clone())), Some((8080, alloc::vec![String::from("z1")])));
    }
}
