//! The findings users ask for and no offline linter gives: a Service that selects nothing
//! (with the near misses), a named targetPort no pod declares, a Service whose endpoints are
//! all unready, an Ingress backend naming a missing Service or port.

use crate::diagnostic::Severity;
use crate::endpoints::{find_port, port_label, selects, Endpoint};
use crate::load::{At, Findings};
use crate::model::{Ingress, IngressBackend, IntOrString, Pod, Service, ServiceType};
use alloc::{collections::BTreeMap, format, string::String, vec::Vec};

/// Checks one Service against the pods and its computed endpoints.
pub(crate) fn service(
    svc: &Service,
    at: At<'_>,
    pods: &[Pod],
    index: Option<&crate::pod_index::PodIndex>,
    endpoints: &[Endpoint],
    manual: bool,
    f: &mut Findings<'_>,
) {
    // ExternalName has no endpoints; the API server manages `default/kubernetes` itself.
    let master = svc.metadata.namespace == "default" && svc.metadata.name == "kubernetes";
    if svc.service_type() == ServiceType::ExternalName || master {
        return;
    }
    let Some(selector) = &svc.selector else {
        if !manual {
            f.add(
                Some(at),
                Some("spec"),
                Severity::Warning,
                "no-endpoints-source",
                format!(
                "Service {} has no selector and there is no Endpoints or EndpointSlice for it, so it has no endpoints",
                svc.metadata.name),
            );
        }
        return;
    };
    let ns = &svc.metadata.namespace;
    let selected: Vec<&Pod> = crate::pod_index::selected_pods(index, pods, ns, selector);
    if selected.is_empty() {
        f.add(
            Some(at),
            Some("spec.selector"),
            Severity::Warning,
            "service-selects-nothing",
            selects_nothing(svc, selector, pods),
        );
        return;
    }
    for (i, sp) in svc.ports.iter().enumerate() {
        let Some(IntOrString::Str(name)) = &sp.target_port else {
            continue;
        };
        let missing: Vec<&str> =
            selected.iter().filter(|p| find_port(p, sp).is_none()).map(|p| p.metadata.name.as_str()).collect();
        let field = format!("spec.ports[{i}].targetPort");
        if missing.len() == selected.len() {
            f.add(Some(at), Some(&field), Severity::Error, "named-port-undeclared", format!(
                "port {} targets the container port named {name:?} ({}), which none of the {} selected pods declares; this port has no endpoints",
                port_label(sp, i), sp.protocol.as_str(), selected.len()));
        } else if !missing.is_empty() {
            f.add(Some(at), Some(&field), Severity::Warning, "named-port-missing-on-pods", format!(
                "port {} targets the container port named {name:?} ({}), which pods {} do not declare; they are left out of this port's endpoints",
                port_label(sp, i), sp.protocol.as_str(), missing.join(", ")));
        }
    }
    if !endpoints.is_empty() && endpoints.iter().all(|e| !e.conditions.ready) {
        let n = selected.len();
        f.add(Some(at), Some("spec.selector"), Severity::Warning, "all-endpoints-unready", format!(
            "all {n} pods selected by Service {} are unready or terminating; clients get no ready endpoint (kube-proxy falls back to serving-terminating endpoints only)",
            svc.metadata.name));
    }
}

/// The message for a Service that selects no pod, with the pods that miss by one label.
fn selects_nothing(svc: &Service, selector: &BTreeMap<String, String>, pods: &[Pod]) -> String {
    let wanted: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut msg = format!("Service {} selects no pod (selector {})", svc.metadata.name, wanted.join(","));
    let ns = &svc.metadata.namespace;
    let mut near = Vec::new();
    let mut elsewhere = Vec::new();
    for pod in pods {
        let labels = &pod.metadata.labels;
        if &pod.metadata.namespace != ns {
            if selects(selector, labels) {
                elsewhere.push(format!("{}/{}", pod.metadata.namespace, pod.metadata.name));
            }
            continue;
        }
        let misses: Vec<(&String, &String)> = selector.iter().filter(|(k, v)| labels.get(*k) != Some(*v)).collect();
        if let [(k, v)] = misses.as_slice() {
            near.push(match labels.get(*k) {
                Some(actual) => format!("pod {} has {k}={actual}, not {k}={v}", pod.metadata.name),
                None => format!("pod {} lacks the label {k}={v}", pod.metadata.name),
            });
        }
    }
    if !near.is_empty() {
        msg.push_str("; near misses: ");
        msg.push_str(&near.join("; "));
    }
    if !elsewhere.is_empty() {
        msg.push_str(&format!(
            "; pods in other namespaces match ({}), but a Service selects pods of its own namespace only",
            elsewhere.join(", ")
        ));
    }
    msg
}

/// Checks that every Service backend of an Ingress names an existing Service and port.
pub(crate) fn ingress<'s>(
    ing: &Ingress,
    at: At<'_>,
    service: &dyn Fn(&str, &str) -> Option<&'s Service>,
    f: &mut Findings<'_>,
) {
    let ns = &ing.metadata.namespace;
    let mut check = |b: &IngressBackend, field: String| {
        let Some(s) = &b.service else { return };
        let Some(svc) = service(ns, &s.name) else {
            f.add(
                Some(at),
                Some(&format!("{field}.service.name")),
                Severity::Error,
                "ingress-missing-service",
                format!(
                    "backend Service {ns}/{} does not exist; requests routed here get 500 (503 with ingress-nginx)",
                    s.name
                ),
            );
            return;
        };
        let found = match &s.port {
            Some(IntOrString::Int(n)) => svc.ports.iter().any(|p| p.port == *n),
            Some(IntOrString::Str(name)) => svc.ports.iter().any(|p| &p.name == name),
            None => true,
        };
        if !found {
            let ports: Vec<String> = svc.ports.iter().enumerate().map(|(i, p)| port_label(p, i)).collect();
            f.add(
                Some(at),
                Some(&format!("{field}.service.port")),
                Severity::Error,
                "ingress-missing-port",
                format!(
                    "Service {ns}/{} has no port {}; it has {}",
                    s.name,
                    s.port.as_ref().map(|p| format!("{p}")).unwrap_or_default(),
                    ports.join(", ")
                ),
            );
        }
    };
    if let Some(b) = &ing.default_backend {
        check(b, String::from("spec.defaultBackend"));
    }
    for (i, rule) in ing.rules.iter().enumerate() {
        for (j, p) in rule.paths.iter().flatten().enumerate() {
            check(&p.backend, format!("spec.rules[{i}].http.paths[{j}].backend"));
        }
    }
}

/// The env-var traps of a Service (spec §1): its variables collide with a container's explicit
/// `env` (the explicit value wins), or it is named after software that reads `<NAME>_PORT` as
/// a number and gets `tcp://…` instead.
pub(crate) fn env(svc: &Service, at: At<'_>, names: &EnvNames, f: &mut Findings<'_>) {
    if !svc.has_cluster_ip() {
        return;
    }
    let mut vars = Vec::new();
    crate::envvars::from_service(svc, &mut vars);
    let ns = svc.metadata.namespace.as_str();
    // The master `default/kubernetes` reaches every pod; other Services their namespace's linked pods.
    let master = ns == "default" && svc.metadata.name == "kubernetes";
    let scopes: Vec<&NamespaceEnv> = if master {
        names.by_namespace.iter().map(|(_, scope)| scope).collect()
    } else {
        names.scope(ns).into_iter().collect()
    };
    let mut reached = false;
    for scope in scopes {
        reached |= if master { scope.pods > 0 } else { scope.linked_pods > 0 };
        for v in &vars {
            for (pod, container, links) in scope.explicit.get(&v.name).into_iter().flatten() {
                if master || *links {
                    f.add(Some(at), Some("metadata.name"), Severity::Warning, "env-collision", format!(
                        "Service {} sets {} in pod {pod} (container {container}), which also sets it explicitly; the explicit value wins",
                        svc.metadata.name, v.name));
                }
            }
        }
    }
    if reached && !master && crate::envvars::SHADOWED_NAMES.contains(&svc.metadata.name.as_str()) {
        let n = crate::envvars::env_name(&svc.metadata.name);
        let url = vars.iter().find(|v| v.name == format!("{n}_PORT")).map(|v| v.value.clone()).unwrap_or_default();
        f.add(Some(at), Some("metadata.name"), Severity::Warning, "env-shadows-common-variable", format!(
            "Service {} makes kubelet set {n}_PORT={url} in every pod of namespace {ns} with service links; images that read {n}_PORT as a port number break. Rename the Service or set enableServiceLinks: false",
            svc.metadata.name));
    }
}

/// Explicit container env names per namespace, for the env-var checks.
#[derive(Default)]
pub(crate) struct EnvNames {
    /// Sorted by namespace (a `Vec`: pods come grouped by namespace, so it mostly appends).
    by_namespace: Vec<(String, NamespaceEnv)>,
}

#[derive(Default)]
struct NamespaceEnv {
    pods: usize,
    linked_pods: usize,
    /// name → (pod, container, service links on)
    explicit: BTreeMap<String, Vec<(String, String, bool)>>,
}

impl EnvNames {
    /// Collects the explicit env names of every container.
    pub(crate) fn build(pods: &[Pod]) -> Self {
        let mut out = Self::default();
        out.add(pods);
        out
    }

    /// The names of namespace `ns`, when it has pods.
    fn scope(&self, ns: &str) -> Option<&NamespaceEnv> {
        let at = self.by_namespace.binary_search_by(|(n, _)| n.as_str().cmp(ns)).ok()?;
        self.by_namespace.get(at).map(|(_, scope)| scope)
    }

    /// Adds the explicit env names of `pods`.
    pub(crate) fn add(&mut self, pods: &[Pod]) {
        for pod in pods {
            let links = pod.enable_service_links.unwrap_or(true);
            let ns = pod.metadata.namespace.as_str();
            let at = match self.by_namespace.binary_search_by(|(n, _)| n.as_str().cmp(ns)) {
                Ok(at) => at,
                Err(at) => {
                    self.by_namespace.insert(at, (String::from(ns), NamespaceEnv::default()));
                    at
                }
            };
            let Some((_, scope)) = self.by_namespace.get_mut(at) else { continue };
            scope.pods += 1;
            scope.linked_pods += usize::from(links);
            for c in &pod.containers {
                for e in &c.env {
                    scope.explicit.entry(e.name.clone()).or_default().push((
                        pod.metadata.name.clone(),
                        c.name.clone(),
                        links,
                    ));
                }
            }
        }
    }
}
