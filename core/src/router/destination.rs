//! Where a packet's destination leads (spec §4.4, §4.8): a cluster IP and port, any node's
//! address and a nodePort, a load balancer's IP (`ipMode: VIP`), or an external IP.

use crate::alloc_ip::wants_node_ports;
use crate::fast_map::{new_map, FastMap};
use crate::model::{Node, Protocol, Service, ServiceType};
use alloc::{collections::BTreeMap, vec::Vec};
use core::net::IpAddr;

/// How a connection reached a Service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Via {
    /// The Service's cluster IP.
    ClusterIP,
    /// A node's address and the port's nodePort.
    NodePort,
    /// A `status.loadBalancer.ingress` IP.
    LoadBalancer,
    /// One of `spec.externalIPs`.
    ExternalIP,
}

impl Via {
    /// Traffic arriving from outside the Service's virtual IP: external traffic policy applies.
    pub(crate) fn is_external(self) -> bool {
        self != Self::ClusterIP
    }
}

/// A Service port a destination leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// Index of the Service in the cluster's sorted Services.
    pub(crate) service: usize,
    /// Index of the port in the Service.
    pub(crate) port: usize,
    /// How it was reached.
    pub(crate) via: Via,
    /// For NodePort: the node whose address was used.
    pub(crate) node: Option<usize>,
}

/// The destination index of a cluster.
#[derive(Clone, Debug)]
pub(crate) struct Destinations {
    map: FastMap<(IpAddr, u16, Protocol), Target>,
    /// Node addresses → node index.
    pub(crate) node_ips: BTreeMap<IpAddr, usize>,
}

impl Destinations {
    /// Indexes every Service address. The first Service (by namespace/name) claiming an
    /// address and port keeps it.
    pub(crate) fn build(services: &[Service], nodes: &[Node]) -> Self {
        let mut d = Self { map: new_map(), node_ips: BTreeMap::new() };
        for (n, node) in nodes.iter().enumerate() {
            for a in &node.addresses {
                if let Ok(ip) = a.address.parse() {
                    d.node_ips.entry(ip).or_insert(n);
                }
            }
        }
        for (s, svc) in services.iter().enumerate() {
            if svc.service_type() == ServiceType::ExternalName {
                continue;
            }
            let node_ports = wants_node_ports(svc);
            for (p, port) in svc.ports.iter().enumerate() {
                let Ok(number) = u16::try_from(port.port) else {
                    continue;
                };
                let mut add = |ip: IpAddr, number: u16, via: Via, node: Option<usize>| {
                    d.map.entry((ip, number, port.protocol)).or_insert(Target { service: s, port: p, via, node });
                };
                if svc.has_cluster_ip() {
                    for ip in core::iter::once(&svc.cluster_ip).chain(&svc.cluster_ips).filter_map(|i| i.parse().ok()) {
                        add(ip, number, Via::ClusterIP, None);
                    }
                }
                for ip in svc.external_ips.iter().filter_map(|i| i.parse().ok()) {
                    add(ip, number, Via::ExternalIP, None);
                }
                if svc.service_type() == ServiceType::LoadBalancer {
                    // kube-proxy only programs VIP-mode addresses (§4.8).
                    for ing in svc.load_balancer_ingress.iter().filter(|i| i.ip_mode != "Proxy") {
                        if let Ok(ip) = ing.ip.parse() {
                            add(ip, number, Via::LoadBalancer, None);
                        }
                    }
                }
                if let (true, Some(np)) = (node_ports, port.node_port.and_then(|n| u16::try_from(n).ok())) {
                    let node_ips: Vec<(IpAddr, usize)> = d.node_ips.iter().map(|(ip, n)| (*ip, *n)).collect();
                    for (ip, n) in node_ips {
                        d.map.entry((ip, np, port.protocol)).or_insert(Target {
                            service: s,
                            port: p,
                            via: Via::NodePort,
                            node: Some(n),
                        });
                    }
                }
            }
        }
        d
    }

    /// The Service port at `ip:port/protocol`.
    pub(crate) fn lookup(&self, ip: IpAddr, port: u16, protocol: Protocol) -> Option<Target> {
        self.map.get(&(ip, port, protocol)).copied()
    }
}
