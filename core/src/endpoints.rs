//! The endpoints of a Service, as the EndpointSlice controller computes them
//! (spec §4.1–§4.3), or as written by hand in Endpoints / EndpointSlices for Services
//! without a selector.

use crate::diagnostic::Severity;
use crate::load::{At, Findings};
use crate::model::{EndpointSlice, Endpoints, IntOrString, Pod, Protocol, Service, ServicePort, ServiceType};
use crate::short_eq::same;
use alloc::{collections::BTreeMap, format, string::String, vec::Vec};
use core::net::IpAddr;

/// EndpointSlice conditions of one endpoint (§4.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Conditions {
    /// Ready to receive traffic: `publishNotReadyAddresses || (serving && !terminating)`.
    pub ready: bool,
    /// The pod's `Ready` condition is true (even while terminating).
    pub serving: bool,
    /// The pod has a deletion timestamp.
    pub terminating: bool,
}

/// One address × one port backing a Service.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The address.
    #[serde(serialize_with = "crate::endpoints::display")]
    pub ip: IpAddr,
    /// The port on the address (the resolved `targetPort`).
    pub port: u16,
    /// The Service port's name (empty for a single unnamed port).
    pub port_name: String,
    /// The Service port number this endpoint serves.
    pub service_port: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// Conditions.
    pub conditions: Conditions,
    /// The backing pod's name, when known.
    pub pod: Option<String>,
    /// The node the endpoint runs on, when known.
    pub node: Option<String>,
    /// The DNS hostname (`spec.hostname` when `spec.subdomain` names this Service).
    pub hostname: Option<String>,
    /// The node's zone, when known.
    pub zone: Option<String>,
    /// Topology hints: zones.
    pub zone_hints: Vec<String>,
    /// Topology hints: nodes.
    pub node_hints: Vec<String>,
}

/// Serialises through `Display` (IP addresses as text in every binding).
pub(crate) fn display<T: core::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// What endpoints are computed from.
pub(crate) struct Inputs<'a> {
    /// Pods, with source indexes.
    pub(crate) pods: &'a [Pod],
    /// An index over `pods`, when one is at hand (a scan otherwise).
    pub(crate) index: Option<&'a crate::pod_index::PodIndex>,
    /// Manual Endpoints objects by `(namespace, name)`.
    pub(crate) endpoints: &'a BTreeMap<(String, String), (Endpoints, usize)>,
    /// EndpointSlices by `(namespace, service)`.
    pub(crate) slices: &'a BTreeMap<(String, String), Vec<(EndpointSlice, usize)>>,
    /// Zone of each node, by node name.
    pub(crate) zones: &'a BTreeMap<String, String>,
}

/// Computes the endpoints of `svc`, ordered by Service port, then address. Pods whose named
/// port cannot be resolved are skipped for that port and reported.
pub(crate) fn compute(svc: &Service, inputs: &Inputs<'_>, f: &mut Findings<'_>) -> Vec<Endpoint> {
    if svc.service_type() == ServiceType::ExternalName {
        return Vec::new();
    }
    let mut out = match &svc.selector {
        Some(selector) => with_hints(svc, from_pods(svc, selector, inputs)),
        None => {
            let key = (svc.metadata.namespace.clone(), svc.metadata.name.clone());
            match inputs.slices.get(&key) {
                Some(slices) => from_slices(svc, slices, inputs.zones, f),
                None => match inputs.endpoints.get(&key) {
                    Some((eps, src)) => from_endpoints(svc, eps, *src, inputs.zones, f),
                    None => Vec::new(),
                },
            }
        }
    };
    // The key names the Service port by position: computed once per endpoint, not per comparison.
    crate::sort::sort_by_cached_key(&mut out, |e| (port_index(svc, e), e.ip, e.port));
    out.dedup_by(|a, b| {
        a.ip == b.ip && a.port == b.port && same(&a.port_name, &b.port_name) && a.protocol == b.protocol
    });
    out
}

fn port_index(svc: &Service, e: &Endpoint) -> usize {
    svc.ports.iter().position(|p| p.protocol == e.protocol && same(&p.name, &e.port_name)).unwrap_or(usize::MAX)
}

/// Topology hints as the EndpointSlice controller sets them for `trafficDistribution`
/// (`PreferClose`/`PreferSameZone`: the endpoint's zone; `PreferSameNode`: its node and zone)
/// and for `service.kubernetes.io/topology-mode: Auto` (approximated as same-zone hints), only
/// when every endpoint has the needed zone or node (spec §4.6).
fn with_hints(svc: &Service, mut eps: Vec<Endpoint>) -> Vec<Endpoint> {
    let auto = svc
        .metadata
        .annotations
        .get("service.kubernetes.io/topology-mode")
        .is_some_and(|m| m.eq_ignore_ascii_case("auto"));
    let mode = if auto { "PreferSameZone" } else { svc.traffic_distribution.as_str() };
    let zones =
        matches!(mode, "PreferClose" | "PreferSameZone" | "PreferSameNode") && eps.iter().all(|e| e.zone.is_some());
    let nodes = mode == "PreferSameNode" && eps.iter().all(|e| e.node.is_some());
    for e in &mut eps {
        if zones {
            e.zone_hints = e.zone.iter().cloned().collect();
        }
        if nodes {
            e.node_hints = e.node.iter().cloned().collect();
        }
    }
    eps
}

/// `ShouldPodBeInEndpoints(pod, includeTerminating = true)`: not terminal, has an IP (§4.3).
fn eligible(pod: &Pod) -> Option<IpAddr> {
    if pod.is_terminal() {
        return None;
    }
    crate::ip_text::parse_ip(pod.primary_ip()?)
}

/// `findPort` (§4.2): a number as is; a name looked up in containers, then sidecars, by name
/// and protocol.
pub(crate) fn find_port(pod: &Pod, port: &ServicePort) -> Option<u16> {
    match port.target_port.as_ref()? {
        IntOrString::Int(n) => u16::try_from(*n).ok().filter(|n| *n != 0),
        IntOrString::Str(name) => {
            let sidecars = pod.init_containers.iter().filter(|c| c.restart_policy == "Always");
            pod.containers
                .iter()
                .chain(sidecars)
                .flat_map(|c| c.ports.iter())
                .find(|p| p.name == *name && p.protocol == port.protocol)
                .and_then(|p| u16::try_from(p.container_port).ok())
        }
    }
}

fn from_pods(svc: &Service, selector: &BTreeMap<String, String>, inputs: &Inputs<'_>) -> Vec<Endpoint> {
    let pods = crate::pod_index::selected_pods(inputs.index, inputs.pods, &svc.metadata.namespace, selector);
    let mut out = Vec::with_capacity(pods.len() * svc.ports.len());
    for pod in pods {
        let Some(ip) = eligible(pod) else { continue };
        // podToEndpoint (§4.3).
        let serving = pod.is_ready();
        let terminating = pod.metadata.deletion_timestamp.is_some();
        let ready = svc.publish_not_ready_addresses || (serving && !terminating);
        let node = (!pod.node_name.is_empty()).then(|| pod.node_name.clone());
        let zone = node.as_ref().and_then(|n| inputs.zones.get(n)).cloned();
        // ShouldSetHostname (§2.3).
        let hostname = (!pod.hostname.is_empty() && pod.subdomain == svc.metadata.name).then(|| pod.hostname.clone());
        for sp in &svc.ports {
            let Some(port) = find_port(pod, sp) else {
                continue;
            };
            out.push(Endpoint {
                ip,
                port,
                port_name: sp.name.clone(),
                service_port: u16::try_from(sp.port).unwrap_or(0),
                protocol: sp.protocol,
                conditions: Conditions { ready, serving, terminating },
                pod: Some(pod.metadata.name.clone()),
                node: node.clone(),
                hostname: hostname.clone(),
                zone: zone.clone(),
                zone_hints: Vec::new(),
                node_hints: Vec::new(),
            });
        }
    }
    out
}

/// `name` or the number of a Service port, for messages.
pub(crate) fn port_label(sp: &ServicePort, i: usize) -> String {
    if sp.name.is_empty() {
        format!("{} (#{i})", sp.port)
    } else {
        format!("{:?} ({})", sp.name, sp.port)
    }
}

/// Equality-based selection: every pair must match (§4.1).
pub(crate) fn selects(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

fn service_port_for<'s>(svc: &'s Service, name: &str, protocol: Protocol) -> Option<&'s ServicePort> {
    svc.ports.iter().find(|p| p.protocol == protocol && same(&p.name, name))
}

fn from_endpoints(
    svc: &Service,
    eps: &Endpoints,
    src: usize,
    zones: &BTreeMap<String, String>,
    f: &mut Findings<'_>,
) -> Vec<Endpoint> {
    let at = At { kind: "Endpoints", meta: &eps.metadata, src };
    let mut out = Vec::new();
    for (s, subset) in eps.subsets.iter().enumerate() {
        let ready = subset.addresses.iter().map(|a| (a, true, "addresses"));
        let not_ready = subset.not_ready_addresses.iter().map(|a| (a, false, "notReadyAddresses"));
        for (a_index, (addr, is_ready, list)) in ready.chain(not_ready).enumerate() {
            let a_index = if is_ready { a_index } else { a_index - subset.addresses.len() };
            let Some(ip) = manual_ip(&addr.ip, &format!("subsets[{s}].{list}[{a_index}].ip"), at, f) else {
                continue;
            };
            for (p, port) in subset.ports.iter().enumerate() {
                let Ok(number) = u16::try_from(port.port) else {
                    f.add(
                        Some(at),
                        Some(&format!("subsets[{s}].ports[{p}].port")),
                        Severity::Error,
                        "invalid-value",
                        format!("port {} is not a valid port number", port.port),
                    );
                    continue;
                };
                let sp = service_port_for(svc, &port.name, port.protocol);
                let node = (!addr.node_name.is_empty()).then(|| addr.node_name.clone());
                out.push(Endpoint {
                    ip,
                    port: number,
                    port_name: port.name.clone(),
                    service_port: sp.and_then(|sp| u16::try_from(sp.port).ok()).unwrap_or(0),
                    protocol: port.protocol,
                    conditions: Conditions { ready: is_ready, serving: is_ready, terminating: false },
                    pod: (!addr.pod.is_empty()).then(|| addr.pod.clone()),
                    zone: node.as_ref().and_then(|n| zones.get(n)).cloned(),
                    node,
                    hostname: (!addr.hostname.is_empty()).then(|| addr.hostname.clone()),
                    zone_hints: Vec::new(),
                    node_hints: Vec::new(),
                });
            }
        }
    }
    out
}

/// Parses a hand-written endpoint IP, rejecting loopback and link-local addresses (§4.1).
fn manual_ip(text: &str, field: &str, at: At<'_>, f: &mut Findings<'_>) -> Option<IpAddr> {
    let Ok(ip) = text.parse::<IpAddr>() else {
        f.add(
            Some(at),
            Some(field),
            Severity::Error,
            "invalid-value",
            format!("{field}: Invalid value: {text:?}: must be a valid IP address"),
        );
        return None;
    };
    let forbidden = match ip {
        IpAddr::V4(a) => a.is_loopback() || a.is_link_local() || matches!(a.octets(), [224, 0, 0, _]),
        IpAddr::V6(a) => a.is_loopback() || matches!(a.segments(), [s0, ..] if s0 & 0xffc0 == 0xfe80),
    };
    if forbidden {
        f.add(Some(at), Some(field), Severity::Error, "invalid-value", format!(
            "{field}: Invalid value: {text:?}: may not be in the loopback range (127.0.0.0/8, ::1/128) or link-local (169.254.0.0/16, 224.0.0.0/24, fe80::/64)"));
        return None;
    }
    Some(ip)
}

fn from_slices(
    svc: &Service,
    slices: &[(EndpointSlice, usize)],
    zones: &BTreeMap<String, String>,
    f: &mut Findings<'_>,
) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for (slice, src) in slices {
        let at = At { kind: "EndpointSlice", meta: &slice.metadata, src: *src };
        if slice.address_type == "FQDN" {
            continue;
        }
        for (e, ep) in slice.endpoints.iter().enumerate() {
            // API nil semantics: ready/serving nil ⇒ true, terminating nil ⇒ false (§4.3).
            let conditions = Conditions {
                ready: ep.conditions.ready.unwrap_or(true),
                serving: ep.conditions.serving.unwrap_or(true),
                terminating: ep.conditions.terminating.unwrap_or(false),
            };
            for (a, text) in ep.addresses.iter().enumerate() {
                let Some(ip) = manual_ip(text, &format!("endpoints[{e}].addresses[{a}]"), at, f) else {
                    continue;
                };
                for port in &slice.ports {
                    let Some(number) = port.port.and_then(|p| u16::try_from(p).ok()) else {
                        continue;
                    };
                    let sp = service_port_for(svc, &port.name, port.protocol);
                    let node = (!ep.node_name.is_empty()).then(|| ep.node_name.clone());
                    let zone = (!ep.zone.is_empty())
                        .then(|| ep.zone.clone())
                        .or_else(|| node.as_ref().and_then(|n| zones.get(n)).cloned());
                    out.push(Endpoint {
                        ip,
                        port: number,
                        port_name: port.name.clone(),
                        service_port: sp.and_then(|sp| u16::try_from(sp.port).ok()).unwrap_or(0),
                        protocol: port.protocol,
                        conditions,
                        pod: (!ep.pod.is_empty()).then(|| ep.pod.clone()),
                        node,
                        hostname: (!ep.hostname.is_empty()).then(|| ep.hostname.clone()),
                        zone,
                        zone_hints: ep.zone_hints.clone(),
                        node_hints: ep.node_hints.clone(),
                    });
                }
            }
        }
    }
    out
}
