//! Validation the API server would do, as findings (spec §3.2, §3.3, §4.7, §4.8, §6).

use crate::diagnostic::Severity;
use crate::load::{At, Findings, Loaded};
use crate::model::{IngressBackend, IntOrString, Object, Pod, Service, ServiceType};
use crate::names;
use alloc::{format, string::String, vec::Vec};
use core::net::IpAddr;

/// The largest accepted ClientIP timeout (§4.7: 86400 itself is accepted).
const MAX_AFFINITY_TIMEOUT: i64 = 86_400;

/// Validates one object.
pub(crate) fn check(l: &Loaded, f: &mut Findings<'_>) {
    let at = l.at();
    let name_check: fn(&str) -> Vec<String> = match &l.object {
        Object::Service(_) => names::dns1035_label,
        _ => names::dns1123_subdomain,
    };
    invalid(f, at, "metadata.name", &at.meta.name, name_check(&at.meta.name));
    if l.object.is_namespaced() {
        invalid(f, at, "metadata.namespace", &at.meta.namespace, names::dns1123_label(&at.meta.namespace));
    }
    for (k, v) in &at.meta.labels {
        let field = format!("metadata.labels[{k}]");
        invalid(f, at, &field, k, names::qualified_name(k));
        invalid(f, at, &field, v, names::label_value(v));
    }
    match &l.object {
        Object::Service(svc) => service(svc, at, f),
        Object::Pod(pod) => pod_ports(pod, at, f),
        Object::Ingress(ing) => ingress(ing, at, f),
        _ => {}
    }
}

/// Reports each message of a validator as an error on `field`.
fn invalid(f: &mut Findings<'_>, at: At<'_>, field: &str, value: &dyn core::fmt::Debug, errors: Vec<String>) {
    for e in errors {
        f.add(
            Some(at),
            Some(field),
            Severity::Error,
            "invalid-value",
            format!("{field}: Invalid value: {value:?}: {e}"),
        );
    }
}

fn error(f: &mut Findings<'_>, at: At<'_>, field: &str, code: &'static str, message: String) {
    f.add(Some(at), Some(field), Severity::Error, code, message);
}

fn service(svc: &Service, at: At<'_>, f: &mut Findings<'_>) {
    let t = svc.service_type();
    if let Some(u) = &svc.unknown_type {
        error(f, at, "spec.type", "invalid-service-type",
            format!("spec.type: Unsupported value: {u:?}: supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
    }
    if t == ServiceType::ExternalName {
        if svc.external_name.is_empty() {
            error(
                f,
                at,
                "spec.externalName",
                "missing-external-name",
                String::from("spec.externalName: Required value"),
            );
        } else {
            let name = svc.external_name.strip_suffix('.').unwrap_or(&svc.external_name);
            invalid(f, at, "spec.externalName", &svc.external_name, names::dns1123_subdomain(name));
        }
        if !svc.cluster_ip.is_empty() && !svc.cluster_ip.eq_ignore_ascii_case("None") {
            error(
                f,
                at,
                "spec.clusterIP",
                "invalid-value",
                String::from("spec.clusterIP: Forbidden: may not be set for ExternalName services"),
            );
        }
    } else if svc.ports.is_empty() && !svc.is_headless() {
        error(f, at, "spec.ports", "missing-ports", String::from("spec.ports: Required value"));
    }
    if svc.is_headless() && matches!(t, ServiceType::NodePort | ServiceType::LoadBalancer) {
        error(
            f,
            at,
            "spec.clusterIP",
            "invalid-value",
            format!("spec.clusterIP: Invalid value: \"None\": may not be set to 'None' for {t:?} services"),
        );
    }
    let names: Vec<&str> = svc.ports.iter().map(|p| p.name.as_str()).collect();
    let first = crate::sort::firsts(&names, |n| *n);
    for (i, port) in svc.ports.iter().enumerate() {
        let base = format!("spec.ports[{i}]");
        if svc.ports.len() > 1 && port.name.is_empty() {
            error(
                f,
                at,
                &format!("{base}.name"),
                "missing-port-name",
                format!("{base}.name: Required value (every port needs a name when there are several)"),
            );
        } else if !port.name.is_empty() {
            invalid(f, at, &format!("{base}.name"), &port.name, names::dns1123_label(&port.name));
        }
        if !first.get(i).copied().unwrap_or(true) {
            error(
                f,
                at,
                &format!("{base}.name"),
                "duplicate-port-name",
                format!("{base}.name: Duplicate value: {:?}", port.name),
            );
        }
        invalid(f, at, &format!("{base}.port"), &port.port, names::port_number(port.port));
        match &port.target_port {
            Some(IntOrString::Int(n)) => invalid(f, at, &format!("{base}.targetPort"), n, names::port_number(*n)),
            Some(IntOrString::Str(s)) => invalid(f, at, &format!("{base}.targetPort"), s, names::port_name(s)),
            None => {}
        }
    }
    match svc.session_affinity.as_str() {
        "None" => {}
        "ClientIP" => {
            if let Some(t) = svc.affinity_timeout.filter(|t| *t <= 0 || *t > MAX_AFFINITY_TIMEOUT) {
                error(f, at, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "invalid-affinity-timeout",
                    format!("spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: {t}: must be greater than 0 and less than {MAX_AFFINITY_TIMEOUT}"));
            }
        }
        other => error(
            f,
            at,
            "spec.sessionAffinity",
            "invalid-value",
            format!("spec.sessionAffinity: Unsupported value: {other:?}: supported values: \"ClientIP\", \"None\""),
        ),
    }
    for (field, value) in [
        ("spec.externalTrafficPolicy", &svc.external_traffic_policy),
        ("spec.internalTrafficPolicy", &svc.internal_traffic_policy),
    ] {
        if !value.is_empty() && value != "Cluster" && value != "Local" {
            error(
                f,
                at,
                field,
                "invalid-value",
                format!("{field}: Unsupported value: {value:?}: supported values: \"Cluster\", \"Local\""),
            );
        }
    }
    if !svc.traffic_distribution.is_empty()
        && !matches!(svc.traffic_distribution.as_str(), "PreferClose" | "PreferSameZone" | "PreferSameNode")
    {
        error(f, at, "spec.trafficDistribution", "invalid-value",
            format!("spec.trafficDistribution: Unsupported value: {:?}: supported values: \"PreferClose\", \"PreferSameNode\", \"PreferSameZone\"", svc.traffic_distribution));
    }
    for (i, ip) in svc.external_ips.iter().enumerate() {
        if ip.parse::<IpAddr>().is_err() {
            error(
                f,
                at,
                &format!("spec.externalIPs[{i}]"),
                "invalid-value",
                format!("spec.externalIPs[{i}]: Invalid value: {ip:?}: must be a valid IP address"),
            );
        }
    }
}

fn pod_ports(pod: &Pod, at: At<'_>, f: &mut Findings<'_>) {
    let containers = pod
        .containers
        .iter()
        .map(|c| ("containers", c))
        .chain(pod.init_containers.iter().map(|c| ("initContainers", c)));
    let mut index = (0usize, "");
    for (list, c) in containers {
        if index.1 != list {
            index = (0, list);
        }
        for (j, p) in c.ports.iter().enumerate() {
            let base = format!("spec.{list}[{}].ports[{j}]", index.0);
            if !p.name.is_empty() {
                invalid(f, at, &format!("{base}.name"), &p.name, names::port_name(&p.name));
            }
            invalid(f, at, &format!("{base}.containerPort"), &p.container_port, names::port_number(p.container_port));
        }
        index.0 += 1;
    }
    if let Some(ip) = pod.primary_ip() {
        if ip.parse::<IpAddr>().is_err() {
            error(
                f,
                at,
                "status.podIP",
                "invalid-value",
                format!("status.podIP: Invalid value: {ip:?}: must be a valid IP address"),
            );
        }
    }
}

fn ingress(ing: &crate::model::Ingress, at: At<'_>, f: &mut Findings<'_>) {
    if ing.rules.is_empty() && ing.default_backend.is_none() {
        error(
            f,
            at,
            "spec",
            "invalid-ingress",
            String::from("spec: Invalid value: either `defaultBackend` or `rules` must be specified"),
        );
    }
    if let Some(b) = &ing.default_backend {
        backend(b, "spec.defaultBackend", at, f);
    }
    for (i, rule) in ing.rules.iter().enumerate() {
        if !rule.host.is_empty() {
            host(&rule.host, &format!("spec.rules[{i}].host"), at, f);
        }
        for (j, p) in rule.paths.iter().flatten().enumerate() {
            let base = format!("spec.rules[{i}].http.paths[{j}]");
            match p.path_type.as_deref() {
                None => error(f, at, &format!("{base}.pathType"), "missing-path-type", format!("{base}.pathType: Required value: pathType must be specified")),
                Some("Exact" | "Prefix") => path(&p.path, &format!("{base}.path"), at, f),
                Some("ImplementationSpecific") => {
                    if !p.path.is_empty() && !p.path.starts_with('/') {
                        error(f, at, &format!("{base}.path"), "invalid-path", format!("{base}.path: Invalid value: {:?}: must be an absolute path", p.path));
                    }
                }
                Some(other) => error(f, at, &format!("{base}.pathType"), "invalid-value",
                    format!("{base}.pathType: Unsupported value: {other:?}: supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"")),
            }
            backend(&p.backend, &format!("{base}.backend"), at, f);
        }
        if rule.paths.as_ref().is_some_and(Vec::is_empty) {
            error(
                f,
                at,
                &format!("spec.rules[{i}].http.paths"),
                "missing-paths",
                format!("spec.rules[{i}].http.paths: Required value"),
            );
        }
    }
    for (i, tls) in ing.tls.iter().enumerate() {
        for (j, h) in tls.hosts.iter().enumerate() {
            host(h, &format!("spec.tls[{i}].hosts[{j}]"), at, f);
        }
        if !tls.secret_name.is_empty() {
            invalid(
                f,
                at,
                &format!("spec.tls[{i}].secretName"),
                &tls.secret_name,
                names::dns1123_subdomain(&tls.secret_name),
            );
        }
    }
}

/// Ingress hosts: a DNS name, not an IP; `*` only as a leading label (§3.2).
fn host(h: &str, field: &str, at: At<'_>, f: &mut Findings<'_>) {
    if h.parse::<IpAddr>().is_ok() {
        error(
            f,
            at,
            field,
            "invalid-host",
            format!("{field}: Invalid value: {h:?}: must be a DNS name, not an IP address"),
        );
    } else if h.contains('*') {
        invalid(f, at, field, &h, names::wildcard_dns1123_subdomain(h));
    } else {
        invalid(f, at, field, &h, names::dns1123_subdomain(h));
    }
}

/// Exact/Prefix paths (§3.3): absolute, without `//`, `/./`, `/../`, `%2f`, nor ending in `/..` or `/.`.
fn path(p: &str, field: &str, at: At<'_>, f: &mut Findings<'_>) {
    if !p.starts_with('/') {
        error(f, at, field, "invalid-path", format!("{field}: Invalid value: {p:?}: must be an absolute path"));
        return;
    }
    for bad in ["//", "/./", "/../", "%2f", "%2F"] {
        if p.contains(bad) {
            error(f, at, field, "invalid-path", format!("{field}: Invalid value: {p:?}: must not contain '{bad}'"));
        }
    }
    for bad in ["/..", "/."] {
        if p.ends_with(bad) {
            error(f, at, field, "invalid-path", format!("{field}: Invalid value: {p:?}: must not end with '{bad}'"));
        }
    }
}

fn backend(b: &IngressBackend, field: &str, at: At<'_>, f: &mut Findings<'_>) {
    match (&b.service, &b.resource) {
        (Some(_), Some(_)) => error(
            f,
            at,
            field,
            "invalid-backend",
            format!("{field}: Invalid value: cannot set both resource and service backends"),
        ),
        (None, None) => error(
            f,
            at,
            field,
            "invalid-backend",
            format!("{field}: Invalid value: one of service or resource must be specified"),
        ),
        (Some(s), None) => {
            invalid(f, at, &format!("{field}.service.name"), &s.name, names::dns1035_label(&s.name));
            match (&s.port, s.port_both) {
                (_, true) => error(
                    f,
                    at,
                    &format!("{field}.service.port"),
                    "invalid-backend",
                    format!("{field}.service.port: Invalid value: cannot set both port name & port number"),
                ),
                (None, _) => error(
                    f,
                    at,
                    &format!("{field}.service.port"),
                    "invalid-backend",
                    format!("{field}.service.port: Invalid value: port name or number is required"),
                ),
                (Some(IntOrString::Int(n)), _) => {
                    invalid(f, at, &format!("{field}.service.port.number"), n, names::port_number(*n))
                }
                (Some(IntOrString::Str(s)), _) => {
                    invalid(f, at, &format!("{field}.service.port.name"), s, names::port_name(s))
                }
            }
        }
        (None, Some(r)) => {
            if r.kind.is_empty() || r.name.is_empty() {
                error(
                    f,
                    at,
                    &format!("{field}.resource"),
                    "invalid-backend",
                    format!("{field}.resource: Required value: kind and name are required"),
                );
            }
        }
    }
}
