//! API-server defaulting (spec §4.7, §4.8; K-DEF `SetDefaults_Service`, `SetDefaults_Pod`).

use crate::model::{IntOrString, Object, PodCondition, Service, ServiceType};
use alloc::string::String;

/// The default ClientIP affinity timeout, 3 hours (§4.7).
pub const DEFAULT_AFFINITY_TIMEOUT: i64 = 10_800;

/// Applies defaulting in place. `assume_running` makes status-less pods Running and Ready.
pub(crate) fn apply(object: &mut Object, assume_running: bool) {
    match object {
        Object::Service(svc) => service(svc),
        Object::Pod(pod) => {
            if pod.enable_service_links.is_none() {
                pod.enable_service_links = Some(true);
            }
            if assume_running && !pod.has_status {
                pod.phase = String::from("Running");
                pod.conditions.push(PodCondition { type_: String::from("Ready"), status: String::from("True") });
            }
        }
        _ => {}
    }
}

fn service(svc: &mut Service) {
    let t = svc.service_type();
    if svc.type_.is_none() && svc.unknown_type.is_none() {
        svc.type_ = Some(ServiceType::ClusterIP);
    }
    if svc.session_affinity.is_empty() {
        svc.session_affinity = String::from("None");
    }
    if svc.session_affinity == "None" {
        svc.affinity_timeout = None;
    } else if svc.session_affinity == "ClientIP" && svc.affinity_timeout.is_none() {
        svc.affinity_timeout = Some(DEFAULT_AFFINITY_TIMEOUT);
    }
    for port in &mut svc.ports {
        // `targetPort` = `port` when 0 or "" (§4.2).
        let unset = matches!(&port.target_port, None | Some(IntOrString::Int(0)))
            || matches!(&port.target_port, Some(IntOrString::Str(s)) if s.is_empty());
        if unset {
            port.target_port = Some(IntOrString::Int(port.port));
        }
    }
    let externally_accessible =
        matches!(t, ServiceType::NodePort | ServiceType::LoadBalancer) || !svc.external_ips.is_empty();
    if externally_accessible && svc.external_traffic_policy.is_empty() {
        svc.external_traffic_policy = String::from("Cluster");
    }
    if t != ServiceType::ExternalName && svc.internal_traffic_policy.is_empty() {
        svc.internal_traffic_policy = String::from("Cluster");
    }
    if t == ServiceType::LoadBalancer && svc.allocate_load_balancer_node_ports.is_none() {
        svc.allocate_load_balancer_node_ports = Some(true);
    }
    for ingress in &mut svc.load_balancer_ingress {
        if !ingress.ip.is_empty() && ingress.ip_mode.is_empty() {
            ingress.ip_mode = String::from("VIP");
        }
    }
}
