//! `v1/Service` (spec §4.7, §4.8).

use super::{read_protocol, IntOrString, ObjectMeta, Protocol};
use crate::decode::{Obj, Read};
use alloc::{collections::BTreeMap, string::String, vec::Vec};

/// `spec.type` (§4.8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub enum ServiceType {
    /// A virtual IP inside the cluster (default).
    #[default]
    ClusterIP,
    /// ClusterIP plus a port on every node.
    NodePort,
    /// NodePort plus an external load balancer.
    LoadBalancer,
    /// A DNS CNAME; no proxying.
    ExternalName,
}

impl ServiceType {
    /// Parses the API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ClusterIP" => Some(Self::ClusterIP),
            "NodePort" => Some(Self::NodePort),
            "LoadBalancer" => Some(Self::LoadBalancer),
            "ExternalName" => Some(Self::ExternalName),
            _ => None,
        }
    }
}

/// A Service.
#[derive(Clone, Debug, Default)]
pub struct Service {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// `spec.type`; `None` when absent (defaulted to ClusterIP).
    pub type_: Option<ServiceType>,
    /// `spec.type` as written when it is not a known type.
    pub unknown_type: Option<String>,
    /// `spec.selector`; `None` when absent or empty (selectorless, §4.1).
    pub selector: Option<BTreeMap<String, String>>,
    /// `spec.ports`.
    pub ports: Vec<ServicePort>,
    /// `spec.clusterIP`: `""` allocate, `None` headless.
    pub cluster_ip: String,
    /// `spec.clusterIPs`.
    pub cluster_ips: Vec<String>,
    /// `spec.externalIPs`.
    pub external_ips: Vec<String>,
    /// `spec.externalName`.
    pub external_name: String,
    /// `spec.sessionAffinity` (`None` default, or `ClientIP`).
    pub session_affinity: String,
    /// `spec.sessionAffinityConfig.clientIP.timeoutSeconds` (default 10800 for ClientIP, §4.7).
    pub affinity_timeout: Option<i64>,
    /// `spec.externalTrafficPolicy` (`Cluster` / `Local`).
    pub external_traffic_policy: String,
    /// `spec.internalTrafficPolicy` (`Cluster` / `Local`).
    pub internal_traffic_policy: String,
    /// `spec.publishNotReadyAddresses`.
    pub publish_not_ready_addresses: bool,
    /// `spec.allocateLoadBalancerNodePorts` (default true for LoadBalancer).
    pub allocate_load_balancer_node_ports: Option<bool>,
    /// `spec.healthCheckNodePort`.
    pub health_check_node_port: Option<i64>,
    /// `spec.trafficDistribution`.
    pub traffic_distribution: String,
    /// `spec.loadBalancerIP` (deprecated).
    pub load_balancer_ip: String,
    /// `status.loadBalancer.ingress`.
    pub load_balancer_ingress: Vec<LoadBalancerIngress>,
}

/// `spec.ports[*]`.
#[derive(Clone, Debug, Default)]
pub struct ServicePort {
    /// `name`.
    pub name: String,
    /// `protocol` (default TCP).
    pub protocol: Protocol,
    /// `appProtocol`.
    pub app_protocol: String,
    /// `port`.
    pub port: i64,
    /// `targetPort` (default = `port`, §4.2).
    pub target_port: Option<IntOrString>,
    /// `nodePort`.
    pub node_port: Option<i64>,
}

/// `status.loadBalancer.ingress[*]`.
#[derive(Clone, Debug, Default)]
pub struct LoadBalancerIngress {
    /// `ip`.
    pub ip: String,
    /// `hostname`.
    pub hostname: String,
    /// `ipMode` (`VIP` default when `ip` is set, or `Proxy`).
    pub ip_mode: String,
}

impl Service {
    /// Reads a Service.
    pub(crate) fn decode(o: Obj<'_>) -> Read<Self> {
        let mut svc = Self { metadata: o.obj("metadata", ObjectMeta::decode)?, ..Self::default() };
        o.obj("spec", |s| {
            if let Some(t) = s.str("type")? {
                match ServiceType::parse(&t) {
                    Some(t) => svc.type_ = Some(t),
                    None => svc.unknown_type = Some(t),
                }
            }
            svc.selector = s.string_map("selector")?.filter(|m| !m.is_empty());
            svc.ports = s.list("ports", |p| {
                Ok(ServicePort {
                    name: p.string("name")?,
                    protocol: read_protocol(&p, "protocol")?.unwrap_or_default(),
                    app_protocol: p.string("appProtocol")?,
                    port: p.int("port")?.unwrap_or(0),
                    target_port: p.int_or_string("targetPort")?,
                    node_port: p.int("nodePort")?,
                })
            })?;
            svc.cluster_ip = s.string("clusterIP")?;
            svc.cluster_ips = s.strings("clusterIPs")?;
            svc.external_ips = s.strings("externalIPs")?;
            svc.external_name = s.string("externalName")?;
            svc.session_affinity = s.string("sessionAffinity")?;
            svc.affinity_timeout =
                s.obj("sessionAffinityConfig", |c| c.obj("clientIP", |ip| ip.int("timeoutSeconds")))?;
            svc.external_traffic_policy = s.string("externalTrafficPolicy")?;
            svc.internal_traffic_policy = s.string("internalTrafficPolicy")?;
            svc.publish_not_ready_addresses = s.bool("publishNotReadyAddresses")?.unwrap_or(false);
            svc.allocate_load_balancer_node_ports = s.bool("allocateLoadBalancerNodePorts")?;
            svc.health_check_node_port = s.int("healthCheckNodePort")?;
            svc.traffic_distribution = s.string("trafficDistribution")?;
            svc.load_balancer_ip = s.string("loadBalancerIP")?;
            Ok(())
        })?;
        svc.load_balancer_ingress = o.obj("status", |st| {
            st.obj("loadBalancer", |lb| {
                lb.list("ingress", |i| {
                    Ok(LoadBalancerIngress {
                        ip: i.string("ip")?,
                        hostname: i.string("hostname")?,
                        ip_mode: i.string("ipMode")?,
                    })
                })
            })
        })?;
        Ok(svc)
    }

    /// The effective type (ClusterIP when unset).
    pub fn service_type(&self) -> ServiceType {
        self.type_.unwrap_or_default()
    }

    /// `IsServiceIPSet`: a cluster IP that is neither empty nor `None`.
    pub fn has_cluster_ip(&self) -> bool {
        !self.cluster_ip.is_empty() && self.cluster_ip != "None"
    }

    /// Headless: `clusterIP: None`.
    pub fn is_headless(&self) -> bool {
        self.cluster_ip == "None"
    }
}
