//! The variables kubelet injects for Services (spec §1: `envvars.FromServices`,
//! `getServiceEnvVarMap`, `makeEnvironmentVariables`).

use crate::model::{Pod, Service};
use alloc::{format, string::String, vec::Vec};
use core::net::IpAddr;

/// One variable and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    /// Name, like `KUBIA_SERVICE_HOST`.
    pub name: String,
    /// Value.
    pub value: String,
    /// `service` (injected by kubelet) or `env` (the container's explicit `env`).
    pub source: &'static str,
    /// For service variables, the Service (`namespace/name`) they describe.
    pub service: Option<String>,
}

/// `makeEnvVariableName`: upper-case, `-` → `_`, nothing else (§1.1). Names the API server
/// accepts (DNS-1035 labels, IANA service names) are ASCII, where Go's `strings.ToUpper` is
/// ASCII upper-casing (and Unicode's tables would cost the `.wasm` a few KB).
pub fn env_name(name: &str) -> String {
    name.replace('-', "_").to_ascii_uppercase()
}

/// `envvars.FromServices` for one Service (§1.1), appended to `out`. Services without a
/// cluster IP (headless, ExternalName) give nothing.
pub(crate) fn from_service(svc: &Service, out: &mut Vec<EnvVar>) {
    if !svc.has_cluster_ip() {
        return;
    }
    let Some(first) = svc.ports.first() else {
        return;
    };
    let n = env_name(&svc.metadata.name);
    let ip = &svc.cluster_ip;
    let origin = Some(format!("{}/{}", svc.metadata.namespace, svc.metadata.name));
    let mut push = |name: String, value: String| {
        out.push(EnvVar { name, value, source: "service", service: origin.clone() });
    };
    push(format!("{n}_SERVICE_HOST"), ip.clone());
    push(format!("{n}_SERVICE_PORT"), format!("{}", first.port));
    for p in svc.ports.iter().filter(|p| !p.name.is_empty()) {
        push(format!("{n}_SERVICE_PORT_{}", env_name(&p.name)), format!("{}", p.port));
    }
    // net.JoinHostPort: IPv6 in brackets inside URLs only.
    let host_port = |port: i64| match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(_)) => format!("[{ip}]:{port}"),
        _ => format!("{ip}:{port}"),
    };
    for (i, p) in svc.ports.iter().enumerate() {
        let proto = p.protocol.as_str();
        let lower = proto.to_ascii_lowercase();
        let url = format!("{lower}://{}", host_port(p.port));
        if i == 0 {
            push(format!("{n}_PORT"), url.clone());
        }
        let prefix = format!("{n}_PORT_{}_{proto}", p.port);
        push(prefix.clone(), url);
        push(format!("{prefix}_PROTO"), lower);
        push(format!("{prefix}_PORT"), format!("{}", p.port));
        push(format!("{prefix}_ADDR"), ip.clone());
    }
}

/// `getServiceEnvVarMap` (§1.2): the Services a pod in `namespace` sees. The master
/// `default/kubernetes` always; with service links, every Service of the namespace, where a
/// same-namespace `kubernetes` wins. Returned sorted by name (kubelet's order is a Go map's).
pub(crate) fn visible<'a>(services: &'a [Service], namespace: &str, enable_service_links: bool) -> Vec<&'a Service> {
    // (name, rank, Service): the namespace's own Service ranks 0, the master 1; sorted by name
    // and rank, the first of each name wins.
    let mut seen: Vec<(&str, u8, &Service)> = Vec::new();
    for svc in services.iter().filter(|s| s.has_cluster_ip()) {
        let (ns, name) = (svc.metadata.namespace.as_str(), svc.metadata.name.as_str());
        if ns == "default" && name == "kubernetes" {
            seen.push((name, 1, svc));
        } else if ns == namespace && enable_service_links {
            seen.push((name, 0, svc));
        }
    }
    crate::sort::sort_by(&mut seen, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    seen.dedup_by(|later, first| later.0 == first.0);
    seen.into_iter().map(|(_, _, svc)| svc).collect()
}

/// All service variables for a pod in `namespace`.
pub(crate) fn for_namespace(services: &[Service], namespace: &str, enable_service_links: bool) -> Vec<EnvVar> {
    let mut out = Vec::new();
    for svc in visible(services, namespace, enable_service_links) {
        from_service(svc, &mut out);
    }
    out
}

/// A container's environment as kubelet builds it (§1.2): explicit `env` first (with
/// `$(VAR)` references expanded), then service variables whose names are not taken.
pub(crate) fn for_container(services: &[Service], pod: &Pod, container: usize) -> Vec<EnvVar> {
    let links = pod.enable_service_links.unwrap_or(true);
    let service_vars = for_namespace(services, &pod.metadata.namespace, links);
    let mut out: Vec<EnvVar> = Vec::new();
    if let Some(c) = pod.containers.get(container) {
        for e in &c.env {
            let value = if e.value_from { String::new() } else { expand(&e.value, &out, &service_vars) };
            match out.iter_mut().find(|x| x.name == e.name) {
                Some(slot) => slot.value = value,
                None => out.push(EnvVar { name: e.name.clone(), value, source: "env", service: None }),
            }
        }
    }
    for v in service_vars {
        if !out.iter().any(|x| x.name == v.name) {
            out.push(v);
        }
    }
    out
}

/// `$(VAR)` expansion as kubelet does it: defined names are replaced, `$$` escapes a `$`,
/// unknown references stay as written.
fn expand(value: &str, defined: &[EnvVar], services: &[EnvVar]) -> String {
    let lookup = |name: &str| {
        defined
            .iter()
            .rev()
            .find(|v| v.name == name)
            .or_else(|| services.iter().find(|v| v.name == name))
            .map(|v| v.value.as_str())
    };
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 1..).unwrap_or("");
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('(') {
            match inner.find(')') {
                Some(end) => {
                    let name = inner.get(..end).unwrap_or("");
                    match lookup(name) {
                        Some(v) => out.push_str(v),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = inner.get(end + 1..).unwrap_or("");
                }
                None => {
                    out.push_str("$(");
                    rest = inner;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Software whose images read `<NAME>_PORT` or `<NAME>_HOST` as a plain value: a Service
/// with one of these names sets `<NAME>_PORT=tcp://…` and breaks them (a known trap).
pub(crate) const SHADOWED_NAMES: &[&str] = &[
    "redis",
    "mysql",
    "postgres",
    "postgresql",
    "mongo",
    "mongodb",
    "memcached",
    "rabbitmq",
    "elasticsearch",
    "kafka",
    "zookeeper",
    "consul",
    "etcd",
    "nats",
    "cassandra",
    "mariadb",
    "minio",
    "vault",
    "jenkins",
    "grafana",
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn v(name: &str, value: &str) -> EnvVar {
        EnvVar { name: name.into(), value: value.into(), source: "env", service: None }
    }

    #[test]
    fn make_env_variable_name_only_replaces_dashes() {
        // §1.1: no handling of dots or leading digits.
        assert_eq!(env_name("redis-primary"), "REDIS_PRIMARY");
        assert_eq!(env_name("a.b-1"), "A.B_1");
    }

    #[test]
    fn expansion_follows_kubelet() {
        let defined = [v("A", "x")];
        let services = [v("KUBIA_SERVICE_HOST", "10.0.0.1")];
        assert_eq!(expand("$(A)-$(KUBIA_SERVICE_HOST)", &defined, &services), "x-10.0.0.1");
        assert_eq!(expand("$$(A) $(B) $(", &defined, &services), "$(A) $(B) $(");
        assert_eq!(expand("cost: $5", &defined, &services), "cost: $5");
    }
}
