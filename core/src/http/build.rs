//! Compiling Ingresses into a [`RouteTable`]: class selection, claims in creation order,
//! servers and default backends, paths into the hash table (upstream profile) or
//! nginx locations (ingress-nginx profile), canaries, affinity and TLS, and the findings
//! about rules that can never win.

use super::answers::Answers;
use super::class::{Classes, LEGACY_ANNOTATION};
use super::decision::{BackendPort, ResourceRef};
use super::hash::StrMap;
use super::nginx::{self, Annotations};
use super::normalize::canonical_rule_path;
use super::order::claim_order;
use super::regex::Regex;
use super::table::{
    elements, prefix_key, scope, BackendDef, Fallback, IngressInfo, LocKind, Location, PathShape, Route, RouteState,
    RouteTable, Server, SmallIndex, SmallKind, Target, NONE, SMALL_MAX,
};
use super::tls::{check_secret, SecretProblem, TlsEntry};
use super::{HttpOptions, Profile};
use crate::diagnostic::Severity;
use crate::load::{At, Findings};
use crate::model::{
    Ingress, IngressBackend, IngressClass, IntOrString, ObjectMeta, PathType, Secret, Service, ServiceType,
};
use alloc::{borrow::Cow, collections::BTreeSet, format, string::String, vec::Vec};

/// The controller string ingress-nginx watches for.
const NGINX_CONTROLLER: &str = "k8s.io/ingress-nginx";

struct Builder<'a, 'f, 's> {
    t: RouteTable,
    f: &'f mut Findings<'s>,
    services: &'a [Service],
    nginx: bool,
    /// The served Ingresses, parallel to `t.ingresses`, with their source index.
    served: Vec<(&'a Ingress, usize)>,
    /// Backends by (namespace, service, port as written).
    /// Backends by namespace, Service and port as written (a build-time index).
    backend_keys: StrMap,
    /// Scratch for `backend_keys` keys.
    key: Vec<u8>,
    /// ingress-nginx: each server's locations before expansion, in claim order.
    pending: Vec<Vec<u32>>,
    /// ingress-nginx: (server, path, type) already configured.
    configured: BTreeSet<(u32, String, PathType)>,
    /// Where the last backend's Service was found in `services` (the next search starts there).
    near: usize,
}

/// A small server's precedence (§2.4), ascending: longest first, Exact first, more elements
/// first, claim order.
type Rank = (core::cmp::Reverse<usize>, bool, core::cmp::Reverse<usize>, u32);

fn at<'m>(meta: &'m ObjectMeta, src: usize) -> At<'m> {
    At { kind: "Ingress", meta, src }
}

/// Compiles the table. `ingresses` carry their source index (for findings' positions).
pub(crate) fn compile(
    ingresses: &[(&Ingress, usize)],
    classes: &[IngressClass],
    secrets: &[Secret],
    services: &[Service],
    opts: &HttpOptions,
    f: &mut Findings<'_>,
) -> RouteTable {
    let nginx = opts.profile == Profile::IngressNginx;
    let class = Classes::select(classes, opts.ingress_class.as_deref());
    class_findings(&class, classes, opts, f);
    // Room for every rule's host and paths, so the tables never grow (a bound: unclaimed
    // Ingresses count too).
    let (rules, paths) = ingresses
        .iter()
        .flat_map(|(i, _)| &i.rules)
        .fold((0, 0), |(r, p), rule| (r + 1, p + rule.paths.as_ref().map_or(0, Vec::len)));
    let mut b = Builder {
        t: RouteTable {
            options: opts.clone(),
            map: StrMap::with_capacity(rules + paths),
            ingresses: Vec::with_capacity(ingresses.len()),
            // Bounds too (backends are shared, rules share hosts): trimmed when compiled.
            backends: Vec::with_capacity(paths + ingresses.len()),
            routes: Vec::with_capacity(paths),
            servers: Vec::with_capacity(rules + 1),
            locations: Vec::new(),
            regexes: Vec::new(),
            tls: Vec::new(),
            default_server: 0,
            answers: Answers::default(),
            class_note: String::new(),
        },
        f,
        services,
        nginx,
        served: Vec::new(),
        // Build-time only: room for one key per path and per default backend.
        backend_keys: StrMap::with_capacity(paths + ingresses.len()),
        key: Vec::new(),
        pending: Vec::new(),
        configured: BTreeSet::new(),
        near: 0,
    };
    b.t.default_server = b.new_server(String::new());
    let refs: Vec<&Ingress> = ingresses.iter().map(|(i, _)| *i).collect();
    let mut canaries = Vec::new();
    let mut unclaimed = 0usize;
    for k in claim_order(&refs, opts.profile) {
        let Some(&(ing, src)) = ingresses.get(k) else {
            continue;
        };
        let here = at(&ing.metadata, src);
        if let (Some(a), Some(l)) = (
            ing.ingress_class_name.as_deref().filter(|c| !c.is_empty()),
            ing.metadata.annotations.get(LEGACY_ANNOTATION),
        ) {
            if a != l {
                b.f.add(Some(here), Some("metadata.annotations[kubernetes.io/ingress.class]"), Severity::Error, "ingress-class-conflict",
                    format!("the annotation kubernetes.io/ingress.class {l:?} differs from spec.ingressClassName {a:?}; the API server rejects this, and kroute uses spec.ingressClassName"));
            }
        }
        if let Err(why) = class.claims(ing) {
            unclaimed += 1;
            b.f.add(Some(here), None, Severity::Warning, "ingress-unclaimed", format!("not routed: {why}"));
            continue;
        }
        let ann = if nginx {
            let (ann, issues) = nginx::parse(&ing.metadata.annotations);
            for (k, msg) in issues {
                b.f.add(
                    Some(here),
                    Some(&format!("metadata.annotations[{}{k}]", nginx::PREFIX)),
                    Severity::Warning,
                    "nginx-annotation-invalid",
                    format!("{}{k}: {msg}", nginx::PREFIX),
                );
            }
            if !b.strict_paths_ok(ing, here) {
                continue;
            }
            ann
        } else {
            Annotations::default()
        };
        let canary = ann.canary.is_some();
        let ii = b.t.ingresses.len() as u32;
        b.t.ingresses.push(IngressInfo {
            namespace: ing.metadata.namespace.clone(),
            name: ing.metadata.name.clone(),
            ann,
        });
        b.served.push((ing, src));
        if canary {
            canaries.push(ii);
        } else {
            b.add_ingress(ii);
        }
    }
    if nginx {
        b.build_locations();
        for ci in canaries {
            b.merge_canary(ci);
        }
    }
    b.assign_tls(secrets);
    b.report_routes();
    if !nginx {
        b.compact();
    }
    b.t.class_note = format!("{}; {} Ingress(es) routed, {unclaimed} left out", class.how, b.t.ingresses.len());
    b.t.backends.shrink_to_fit();
    b.t.servers.shrink_to_fit();
    b.t.answers = Answers::of(&b.t);
    b.t
}

fn class_findings(class: &Classes, classes: &[IngressClass], opts: &HttpOptions, f: &mut Findings<'_>) {
    fn class_at(c: &IngressClass) -> At<'_> {
        At { kind: "IngressClass", meta: &c.metadata, src: usize::MAX }
    }
    if class.defaults.len() > 1 {
        for c in classes.iter().filter(|c| c.is_default()) {
            f.add(Some(class_at(c)), Some("metadata.annotations[ingressclass.kubernetes.io/is-default-class]"), Severity::Warning, "ingress-class-multiple-defaults",
                format!("{} IngressClasses are marked default ({}); the API server then rejects new Ingresses without a class, and kroute uses no default", class.defaults.len(), class.defaults.join(", ")));
        }
    }
    if let Some(wanted) = &opts.ingress_class {
        match classes.iter().find(|c| &c.metadata.name == wanted) {
            None => f.add(None, None, Severity::Info, "ingress-class-not-found",
                format!("no IngressClass {wanted:?} exists: only Ingresses naming it in the kubernetes.io/ingress.class annotation are routed")),
            Some(c) if opts.profile == Profile::IngressNginx && c.controller != NGINX_CONTROLLER => f.add(Some(class_at(c)), Some("spec.controller"), Severity::Warning, "nginx-class-controller",
                format!("IngressClass {wanted:?} has controller {:?}; ingress-nginx only serves classes with controller {NGINX_CONTROLLER:?}", c.controller)),
            Some(_) => {}
        }
    } else if opts.profile == Profile::IngressNginx {
        if let Some(c) = class.selected.as_ref().and_then(|s| classes.iter().find(|c| &c.metadata.name == s)) {
            if c.controller != NGINX_CONTROLLER {
                f.add(Some(class_at(c)), Some("spec.controller"), Severity::Warning, "nginx-class-controller",
                    format!("IngressClass {:?} has controller {:?}; ingress-nginx only serves classes with controller {NGINX_CONTROLLER:?}", c.metadata.name, c.controller));
            }
        }
    }
}

/// Whether a path looks like a regular expression (for the upstream profile's hint).
fn regex_like(p: &str) -> bool {
    p.contains(['(', ')', '[', ']', '*', '+', '?', '|', '$', '^', '\\', '{'])
}

impl<'a> Builder<'a, '_, '_> {
    fn new_server(&mut self, host: String) -> u32 {
        let id = self.t.servers.len() as u32;
        self.t.servers.push(Server {
            host,
            shape: PathShape::default(),
            fallback: None,
            first_ingress: None,
            tls: None,
            routes: Vec::new(),
            locations: Vec::new(),
            prefixes: Vec::new(),
            regex_mode: false,
            small: None,
        });
        self.pending.push(Vec::new());
        id
    }

    /// The server for rule host `host` (lower-cased), created on first use.
    fn server_id(&mut self, host: &str, create: bool) -> Option<u32> {
        if host.is_empty() {
            return Some(self.t.default_server);
        }
        let (scope, key) = match host.strip_prefix("*.") {
            Some(rest) => (scope::WILDCARD, rest),
            None => (scope::HOST, host),
        };
        if let Some(s) = self.t.map.get(scope, key.as_bytes()) {
            return Some(s);
        }
        if !create {
            return None;
        }
        let id = self.new_server(String::from(host));
        let _ = self.t.map.insert_new(scope, key.as_bytes(), id);
        Some(id)
    }

    /// ingress-nginx's strict path validation; reports and returns false when the Ingress is
    /// rejected.
    fn strict_paths_ok(&mut self, ing: &Ingress, here: At<'_>) -> bool {
        let mut ok = true;
        for (i, rule) in ing.rules.iter().enumerate() {
            for (j, p) in rule.paths.iter().flatten().enumerate() {
                let implementation_specific = p.path_type.as_deref() == Some("ImplementationSpecific");
                if !implementation_specific && !nginx::strict_path_ok(&p.path) {
                    ok = false;
                    self.f.add(Some(here), Some(&format!("spec.rules[{i}].http.paths[{j}].path")), Severity::Error, "nginx-invalid-path",
                        format!("path {:?} cannot be used with pathType {}: ingress-nginx's strict path validation (default since v1.12.0) allows only letters, digits, '.', '_', '-' and '/' there, and rejects the whole Ingress; use pathType ImplementationSpecific for regular expressions",
                            p.path, p.path_type.as_deref().unwrap_or("(none)")));
                }
            }
        }
        ok
    }

    /// The backend for `b` in Ingress `ii`, shared by (namespace, Service, port as written).
    fn backend(&mut self, ii: u32, b: &IngressBackend) -> u32 {
        let namespace = self.t.ingresses.get(ii as usize).map(|i| i.namespace.as_str()).unwrap_or_default();
        if let Some(s) = &b.service {
            self.key.clear();
            self.key.extend_from_slice(namespace.as_bytes());
            self.key.push(0);
            self.key.extend_from_slice(s.name.as_bytes());
            match &s.port {
                Some(IntOrString::Int(n)) => {
                    self.key.push(1);
                    self.key.extend_from_slice(&n.to_le_bytes());
                }
                Some(IntOrString::Str(n)) => {
                    self.key.push(2);
                    self.key.extend_from_slice(n.as_bytes());
                }
                None => self.key.push(3),
            }
            if let Some(id) = self.backend_keys.get(0, &self.key) {
                return id;
            }
        }
        let namespace = String::from(namespace);
        let (service, port, target) = match (&b.service, &b.resource) {
            (Some(s), _) => {
                let written = s.port.as_ref().map(|p| match p {
                    IntOrString::Int(n) => BackendPort::Number(*n),
                    IntOrString::Str(n) => BackendPort::Name(n.clone()),
                });
                let target = service_target(self.services, &namespace, &s.name, written.as_ref(), &mut self.near);
                let id = self.t.backends.len() as u32;
                let _ = self.backend_keys.insert_new(0, &self.key, id);
                (Some(s.name.clone()), written, target)
            }
            (None, Some(r)) => (
                None,
                None,
                Target::Resource(ResourceRef {
                    api_group: r.api_group.clone(),
                    kind: r.kind.clone(),
                    name: r.name.clone(),
                }),
            ),
            (None, None) => (None, None, Target::MissingService),
        };
        let id = self.t.backends.len() as u32;
        self.t.backends.push(BackendDef {
            namespace,
            service,
            port,
            target,
            alternatives: Vec::new(),
            canary_of: None,
            affinity: None,
            affinity_mode: None,
        });
        id
    }

    fn add_ingress(&mut self, ii: u32) {
        let Some(&(ing, src)) = self.served.get(ii as usize) else {
            return;
        };
        let here = at(&ing.metadata, src);
        let nginx = self.nginx;
        // A default backend the profile can use (ingress-nginx: Services only).
        let default_backend = ing.default_backend.as_ref().filter(|d| !nginx || d.service.is_some());
        if nginx && ing.default_backend.as_ref().is_some_and(|d| d.service.is_none()) {
            self.f.add(
                Some(here),
                Some("spec.defaultBackend"),
                Severity::Info,
                "nginx-resource-backend-skipped",
                String::from(
                    "ingress-nginx ignores non-Service backends; the controller's default backend answers instead",
                ),
            );
        }
        if ing.rules.is_empty() {
            if let Some(db) = default_backend {
                let ds = self.t.default_server;
                if self.t.servers.get(ds as usize).is_some_and(|s| s.fallback.is_some()) {
                    self.f.add(Some(here), Some("spec.defaultBackend"), Severity::Info, "ingress-default-backend-ignored",
                        String::from("an older Ingress without rules already provides the catch-all default backend; this one is not used"));
                } else {
                    let backend = self.backend(ii, db);
                    if let Some(s) = self.t.servers.get_mut(ds as usize) {
                        s.fallback = Some(Fallback { ingress: ii, backend });
                    }
                }
            }
        }
        for (ri, rule) in ing.rules.iter().enumerate() {
            let host = rule.host.to_ascii_lowercase();
            let existed = host.is_empty() || self.server_id(&host, false).is_some();
            let Some(sid) = self.server_id(&host, true) else {
                continue;
            };
            if !host.is_empty() {
                // ingress-nginx: the first Ingress naming a host owns its `/` (its default
                // backend or the controller's). Upstream: the first Ingress naming the host
                // that has a default backend.
                let wants = if nginx {
                    !existed
                } else {
                    self.t.servers.get(sid as usize).is_some_and(|s| s.fallback.is_none())
                };
                let fallback = match default_backend {
                    Some(db) if wants => Some(self.backend(ii, db)),
                    _ => None,
                };
                if let Some(s) = self.t.servers.get_mut(sid as usize) {
                    if !existed {
                        s.first_ingress = Some(ii);
                    }
                    if let Some(backend) = fallback {
                        s.fallback = Some(Fallback { ingress: ii, backend });
                    }
                }
            }
            let Some(paths) = &rule.paths else {
                continue;
            };
            if let Some(s) = self.t.servers.get_mut(sid as usize) {
                s.routes.reserve(paths.len());
            }
            for (pi, p) in paths.iter().enumerate() {
                let Some(path_type) = p.path_type.as_deref().and_then(PathType::parse) else {
                    continue; // reported by validation (§3.1: pathType is required)
                };
                let raw = if p.path.is_empty() && path_type == PathType::ImplementationSpecific {
                    "/"
                } else {
                    p.path.as_str()
                };
                if !raw.starts_with('/') {
                    continue; // reported by validation
                }
                let field = |leaf: &str| format!("spec.rules[{ri}].http.paths[{pi}].{leaf}");
                if nginx && p.backend.service.is_none() {
                    self.f.add(Some(here), Some(&field("backend")), Severity::Info, "nginx-resource-backend-skipped",
                        format!("ingress-nginx ignores non-Service backends: path {raw:?} is not configured, other paths or the default backend answer"));
                    continue;
                }
                if !nginx && path_type == PathType::ImplementationSpecific && regex_like(raw) {
                    self.f.add(Some(here), Some(&field("path")), Severity::Info, "ingress-path-regex-like",
                        format!("ImplementationSpecific path {raw:?} looks like a regular expression; the upstream profile matches it as a Prefix, literally (profile ingress-nginx reproduces use-regex)"));
                }
                let backend = self.backend(ii, &p.backend);
                let affinity = self.t.ingresses.get(ii as usize).and_then(|i| i.ann.affinity.clone());
                let rid = self.t.routes.len() as u32;
                self.t.routes.push(Route {
                    ingress: ii,
                    rule: ri as u32,
                    path_index: pi as u32,
                    path: canonical_rule_path(raw),
                    path_type,
                    backend,
                    server: sid,
                    state: RouteState::Active,
                    affinity: affinity.is_some(),
                });
                if let Some(s) = self.t.servers.get_mut(sid as usize) {
                    s.routes.push(rid);
                }
                if nginx {
                    self.add_location(sid, rid);
                    if let Some(def) = self.t.backends.get_mut(backend as usize) {
                        if let Some(a) = affinity {
                            def.affinity_mode.get_or_insert(a.mode);
                            def.affinity = Some(a);
                        }
                    }
                } else {
                    self.insert_upstream(sid, rid);
                }
            }
        }
    }

    fn set_state(&mut self, rid: u32, state: RouteState) {
        if let Some(r) = self.t.routes.get_mut(rid as usize) {
            r.state = state;
        }
    }

    /// Upstream profile: Exact paths into the hash table under the path, the others under
    /// their [`prefix_key`], the best of each key kept.
    fn insert_upstream(&mut self, sid: u32, rid: u32) {
        // The path is moved out while the table is updated, and put back.
        let Some(route) = self.t.routes.get_mut(rid as usize) else {
            return;
        };
        let path = core::mem::take(&mut route.path);
        let exact = !route.prefix_like();
        self.insert_path(sid, rid, &path, exact);
        if let Some(route) = self.t.routes.get_mut(rid as usize) {
            route.path = path;
        }
    }

    fn insert_path(&mut self, sid: u32, rid: u32, path: &str, exact: bool) {
        let Some(shape) = self.t.servers.get_mut(sid as usize).map(|s| &mut s.shape) else {
            return;
        };
        if exact {
            shape.exact = true;
            if let Err(winner) = self.t.map.insert_new(scope::EXACT | sid, path.as_bytes(), rid) {
                self.set_state(rid, RouteState::Conflict(winner));
            }
            return;
        }
        let key = prefix_key(path);
        shape.add_prefix(path, &key);
        let Err(current) = self.t.map.insert_new(scope::PREFIX | sid, key.as_bytes(), rid) else {
            return;
        };
        match self.t.routes.get(current as usize).map(|r| r.path.as_str()) {
            Some(p) if p == path => self.set_state(rid, RouteState::Conflict(current)),
            // Same elements, longer string (`/foo/` over `/foo`): the longer path wins every
            // request both match (types.go, PathTypePrefix).
            Some(p) if path.len() > p.len() => {
                self.set_state(current, RouteState::Shadowed(rid));
                self.t.map.replace(scope::PREFIX | sid, key.as_bytes(), rid);
            }
            _ => self.set_state(rid, RouteState::Shadowed(current)),
        }
    }

    /// ingress-nginx: records a location for (server, path, type) unless one exists
    /// ("Location already configured"); a Prefix or ImplementationSpecific `/` replaces the
    /// server's default `/`.
    fn add_location(&mut self, sid: u32, rid: u32) {
        let Some(route) = self.t.routes.get(rid as usize) else {
            return;
        };
        let key_type = if route.path == "/" && route.path_type == PathType::ImplementationSpecific {
            PathType::Prefix
        } else {
            route.path_type
        };
        let key = (sid, route.path.clone(), key_type);
        if self.configured.contains(&key) {
            let winner = self
                .pending
                .get(sid as usize)
                .and_then(|p| {
                    p.iter().copied().find(|&w| {
                        self.t
                            .routes
                            .get(w as usize)
                            .is_some_and(|r| r.path == key.1 && (r.path_type == key.2 || r.path == "/"))
                    })
                })
                .unwrap_or(NONE);
            self.set_state(rid, RouteState::Conflict(winner));
            return;
        }
        self.configured.insert(key);
        if let Some(p) = self.pending.get_mut(sid as usize) {
            p.push(rid);
        }
    }

    fn needs_rewrite(&self, rid: u32) -> bool {
        self.t.routes.get(rid as usize).is_some_and(|r| {
            self.t
                .ingresses
                .get(r.ingress as usize)
                .and_then(|i| i.ann.rewrite_target.as_deref())
                .is_some_and(|t| t != r.path)
        })
    }

    fn uses_regex(&self, rid: u32) -> bool {
        self.t
            .routes
            .get(rid as usize)
            .and_then(|r| self.t.ingresses.get(r.ingress as usize))
            .is_some_and(|i| i.ann.use_regex)
    }

    /// ingress-nginx: orders each server's locations (`getBackendServers`: by path
    /// descending, then by length descending), expands them (`updateServerLocations`:
    /// Prefix `/foo` becomes `/foo/` plus `= /foo`), and in regex mode compiles every path as
    /// `~* "^path"` (`buildLocation`).
    fn build_locations(&mut self) {
        for sid in 0..self.t.servers.len() as u32 {
            let mut pending = self.pending.get(sid as usize).cloned().unwrap_or_default();
            if pending.is_empty() {
                continue;
            }
            let regex_mode = pending.iter().any(|&r| self.needs_rewrite(r) || self.uses_regex(r));
            // Longest path first, then descending: one sort, comparing the paths in place.
            let routes = &self.t.routes;
            let path_of = |r: u32| routes.get(r as usize).map_or("", |r| r.path.as_str());
            crate::sort::sort_by(&mut pending, |&a, &b| {
                let (a, b) = (path_of(a), path_of(b));
                b.len().cmp(&a.len()).then_with(|| b.cmp(a))
            });
            let mut exact_paths: BTreeSet<String> = BTreeSet::new();
            exact_paths.extend(
                pending
                    .iter()
                    .filter_map(|&r| self.t.routes.get(r as usize))
                    .filter(|r| r.path_type == PathType::Exact)
                    .map(|r| r.path.clone()),
            );
            let mut locs: Vec<(u32, String, LocKind)> = Vec::new();
            for &rid in &pending {
                let Some(route) = self.t.routes.get(rid as usize) else {
                    continue;
                };
                let path = route.path.clone();
                let static_kind = if route.path_type == PathType::Exact { LocKind::Exact } else { LocKind::Prefix };
                if path == "/" || route.path_type != PathType::Prefix || self.needs_rewrite(rid) || self.uses_regex(rid)
                {
                    locs.push((rid, path, static_kind));
                } else {
                    let slashed = if path.ends_with('/') { path.clone() } else { format!("{path}/") };
                    let add_exact = !exact_paths.contains(&path);
                    locs.push((rid, slashed, LocKind::Prefix));
                    if add_exact {
                        locs.push((rid, path, LocKind::Exact));
                    }
                }
            }
            let mut order = Vec::new();
            let mut prefixes = Vec::new();
            for (rid, path, kind) in locs {
                let kind = if regex_mode {
                    match Regex::new(&path, true, true) {
                        Ok(re) => {
                            self.t.regexes.push(re);
                            LocKind::Regex(self.t.regexes.len() as u32 - 1)
                        }
                        Err(e) => {
                            self.report_route(rid, Severity::Error, "nginx-regex-unsupported", format!(
                                "path {path:?} is used as a case-insensitive regular expression on this host (use-regex or rewrite-target is set by an Ingress for it), and kroute cannot run it: {}; the path is skipped", e.message()));
                            continue;
                        }
                    }
                } else {
                    kind
                };
                let lid = self.t.locations.len() as u32;
                match kind {
                    LocKind::Exact => {
                        let _ = self.t.map.insert_new(scope::NGX_EXACT | sid, path.as_bytes(), lid);
                    }
                    LocKind::Prefix => {
                        let _ = self.t.map.insert_new(scope::NGX_PREFIX | sid, path.as_bytes(), lid);
                        prefixes.push(lid);
                    }
                    LocKind::Regex(_) => {}
                }
                // nginx's auto-redirect: a static location ending in `/` answers its path
                // without the slash with a 301.
                if let Some(stripped) =
                    path.strip_suffix('/').filter(|s| !s.is_empty() && !matches!(kind, LocKind::Regex(_)))
                {
                    let _ = self.t.map.insert_new(scope::NGX_SLASH | sid, stripped.as_bytes(), lid);
                }
                self.t.locations.push(Location { route: rid, path, kind });
                order.push(lid);
            }
            let locations = &self.t.locations;
            crate::sort::sort_by_key(&mut prefixes, |&l| {
                core::cmp::Reverse(locations.get(l as usize).map_or(0, |l| l.path.len()))
            });
            if let Some(s) = self.t.servers.get_mut(sid as usize) {
                s.regex_mode = regex_mode;
                s.locations = order;
                s.prefixes = prefixes;
            }
        }
    }

    /// ingress-nginx `mergeAlternativeBackends`: a canary path joins the primary backend of
    /// the location with the same host, path and type; the canary then applies wherever that
    /// backend is used. A canary `defaultBackend` joins every backend of the server of rules
    /// without host.
    fn merge_canary(&mut self, ci: u32) {
        let Some(&(ing, src)) = self.served.get(ci as usize) else {
            return;
        };
        let here = at(&ing.metadata, src);
        if let Some(db) = ing.default_backend.as_ref().filter(|d| d.service.is_some()) {
            let alt = self.backend(ci, db);
            self.mark_canary(alt, ci);
            let ds = self.t.default_server;
            let candidates = self.pending.get(ds as usize).cloned().unwrap_or_default();
            let (merged, same) = self.merge_into(alt, &candidates, None);
            if !merged && !same {
                self.f.add(Some(here), Some("spec.defaultBackend"), Severity::Warning, "nginx-canary-unmerged",
                    String::from("no path of the rules without host uses another Service to merge this canary default backend into; it is ignored"));
            }
        }
        for (ri, rule) in ing.rules.iter().enumerate() {
            let host = rule.host.to_ascii_lowercase();
            for (pi, p) in rule.paths.iter().flatten().enumerate() {
                if p.backend.service.is_none() {
                    continue;
                }
                let field = format!("spec.rules[{ri}].http.paths[{pi}]");
                let Some(sid) = self.server_id(&host, false) else {
                    self.f.add(
                        Some(here),
                        Some(&field),
                        Severity::Warning,
                        "nginx-canary-unmerged",
                        format!("no non-canary Ingress serves host {:?}; this canary path is ignored", rule.host),
                    );
                    continue;
                };
                let Some(path_type) = p.path_type.as_deref().and_then(PathType::parse) else {
                    continue;
                };
                let raw = if p.path.is_empty() { "/" } else { p.path.as_str() };
                let path = canonical_rule_path(raw);
                let alt = self.backend(ci, &p.backend);
                self.mark_canary(alt, ci);
                let candidates = self.pending.get(sid as usize).cloned().unwrap_or_default();
                let (merged, same) = self.merge_into(alt, &candidates, Some((&path, path_type)));
                if same {
                    self.f.add(Some(here), Some(&format!("{field}.backend")), Severity::Warning, "nginx-canary-unmerged",
                        format!("the canary backend is the primary backend of another Ingress on host {:?}; it is not used as a canary", rule.host));
                } else if !merged {
                    self.f.add(Some(here), Some(&field), Severity::Warning, "nginx-canary-unmerged",
                        format!("no non-canary Ingress has path {raw:?} ({path_type:?}) on host {:?} with another Service; this canary path is ignored", rule.host));
                }
            }
        }
    }

    /// Merges canary backend `alt` into the primary backends of `candidates` (routes, in
    /// claim order) with the same path and type (any, when `exact` is `None`). Returns
    /// whether it merged, and whether it met a route whose primary backend is `alt` itself.
    fn merge_into(&mut self, alt: u32, candidates: &[u32], exact: Option<(&str, PathType)>) -> (bool, bool) {
        let mut merged = false;
        for &rid in candidates {
            let Some(route) = self.t.routes.get(rid as usize) else {
                continue;
            };
            let pri = route.backend;
            if pri == alt {
                return (merged, true);
            }
            let mergeable = self.t.backends.get(pri as usize).is_some_and(|d| d.canary_of.is_none());
            let same = exact.is_none_or(|(p, t)| route.path == p && route.path_type == t);
            if mergeable && same {
                if let Some(d) = self.t.backends.get_mut(pri as usize) {
                    if !d.alternatives.contains(&alt) {
                        d.alternatives.push(alt);
                    }
                }
                merged = true;
            }
        }
        (merged, false)
    }

    fn mark_canary(&mut self, alt: u32, ci: u32) {
        if let Some(d) = self.t.backends.get_mut(alt as usize) {
            d.canary_of.get_or_insert(ci);
        }
    }

    /// TLS per server (see `tls.rs`), with findings for missing Secrets and TLS hosts no rule
    /// of the Ingress serves.
    fn assign_tls(&mut self, secrets: &[Secret]) {
        for ii in 0..self.served.len() as u32 {
            let Some(&(ing, src)) = self.served.get(ii as usize) else {
                continue;
            };
            // Canary Ingresses configure no server (createServers skips them).
            if self.t.ingresses.get(ii as usize).is_some_and(|i| i.ann.canary.is_some()) {
                continue;
            }
            let here = at(&ing.metadata, src);
            let mut reported = BTreeSet::new();
            for rule in &ing.rules {
                let host = rule.host.to_ascii_lowercase();
                if host.is_empty() {
                    continue;
                }
                let Some(sid) = self.server_id(&host, false) else {
                    continue;
                };
                let listed =
                    ing.tls.iter().enumerate().find(|(_, t)| t.hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)));
                let Some((ti, tls)) = listed else {
                    continue;
                };
                let existing = self.t.servers.get(sid as usize).and_then(|s| s.tls);
                if let Some(e) = existing.and_then(|e| self.t.tls.get(e as usize)) {
                    let same =
                        e.namespace == ing.metadata.namespace && e.secret.as_deref() == Some(tls.secret_name.as_str());
                    if !same && reported.insert(ti) {
                        self.f.add(Some(here), Some(&format!("spec.tls[{ti}]")), Severity::Info, "ingress-tls-conflict",
                            format!("host {host:?} already gets its certificate from an older Ingress ({}); this TLS entry is not used for it",
                                e.secret.as_deref().map_or_else(|| String::from("the default certificate"), |s| format!("Secret {}/{s}", e.namespace))));
                    }
                    continue;
                }
                let secret = Some(tls.secret_name.clone()).filter(|s| !s.is_empty());
                let usable = match &secret {
                    None => false,
                    Some(name) => match check_secret(secrets, &ing.metadata.namespace, name) {
                        Ok(()) => true,
                        Err(problem) => {
                            if reported.insert(ti) {
                                let (code, what) = match problem {
                                    SecretProblem::Missing => ("ingress-tls-secret-missing", "does not exist"),
                                    SecretProblem::NotTls => {
                                        ("ingress-tls-secret-invalid", "has no tls.crt and tls.key")
                                    }
                                };
                                self.f.add(Some(here), Some(&format!("spec.tls[{ti}].secretName")), Severity::Warning, code,
                                    format!("Secret {}/{name} {what}; HTTPS for {host:?} gets the controller's default (self-signed) certificate", ing.metadata.namespace));
                            }
                            false
                        }
                    },
                };
                let id = self.t.tls.len() as u32;
                self.t.tls.push(TlsEntry {
                    host: host.clone(),
                    namespace: ing.metadata.namespace.clone(),
                    secret,
                    usable,
                });
                if let Some(s) = self.t.servers.get_mut(sid as usize) {
                    s.tls = Some(id);
                }
            }
            for (ti, tls) in ing.tls.iter().enumerate() {
                if tls.hosts.is_empty() {
                    self.f.add(Some(here), Some(&format!("spec.tls[{ti}]")), Severity::Info, "ingress-tls-no-hosts",
                        String::from("a TLS entry without hosts: controllers match it by the certificate's names, which kroute does not read; it is not used"));
                }
                for (j, h) in tls.hosts.iter().enumerate() {
                    if !ing.rules.iter().any(|r| r.host.eq_ignore_ascii_case(h)) {
                        self.f.add(Some(here), Some(&format!("spec.tls[{ti}].hosts[{j}]")), Severity::Warning, "ingress-tls-host-unserved",
                            format!("TLS host {h:?} is not the host of any rule of this Ingress; hosts in the tls section must match the rules' hosts, so it is not used"));
                    }
                }
            }
        }
    }

    /// Upstream profile, after the findings: servers with few paths get a [`SmallIndex`];
    /// the hash table is rebuilt with the other servers' active paths only.
    fn compact(&mut self) {
        let servers = &mut self.t.servers;
        let big = |s: &Server| s.routes.len() > SMALL_MAX;
        let (hosts, big_paths) = servers.iter().fold((0, 0), |(h, p), s| {
            (h + usize::from(!s.host.is_empty()), p + if big(s) { s.routes.len() } else { 0 })
        });
        self.t.map = StrMap::with_capacity(hosts + big_paths);
        for (sid, server) in servers.iter_mut().enumerate() {
            server.shape = PathShape::default();
            if server.host.is_empty() {
                continue;
            }
            let (scope, key) = match server.host.strip_prefix("*.") {
                Some(rest) => (scope::WILDCARD, rest),
                None => (scope::HOST, server.host.as_str()),
            };
            let _ = self.t.map.insert_new(scope, key.as_bytes(), sid as u32);
        }
        let mut order: Vec<(Rank, u32)> = Vec::new();
        for sid in 0..self.t.servers.len() as u32 {
            let Some(server) = self.t.servers.get(sid as usize) else {
                continue;
            };
            let routes = &self.t.routes;
            order.clear();
            order.extend(server.routes.iter().filter_map(|&rid| {
                let r = routes.get(rid as usize).filter(|r| r.state == RouteState::Active)?;
                let rank = (
                    core::cmp::Reverse(r.path.len()),
                    r.prefix_like(),
                    core::cmp::Reverse(elements(&r.path).count()),
                    rid,
                );
                Some((rank, rid))
            }));
            if order.len() > SMALL_MAX {
                for &(_, rid) in &order {
                    self.insert_upstream(sid, rid);
                }
                continue;
            }
            crate::sort::sort(&mut order);
            let mut small = SmallIndex {
                entries: Vec::with_capacity(order.len()),
                paths: String::with_capacity(order.iter().map(|(k, _)| k.0 .0).sum()),
            };
            for &(_, rid) in &order {
                let Some(r) = routes.get(rid as usize) else {
                    continue;
                };
                let (stored, kind) = match prefix_key(&r.path) {
                    _ if !r.prefix_like() => (r.path.as_str(), SmallKind::Exact),
                    // `/` becomes empty: every path starts with it at a boundary.
                    Cow::Borrowed(key) => (key, SmallKind::Prefix),
                    Cow::Owned(_) => (r.path.as_str(), SmallKind::PrefixSlow),
                };
                let tail = super::table::tail_word(stored.as_bytes(), stored.len()).unwrap_or(0);
                small.entries.push((rid, small.paths.len() as u32, stored.len() as u32, kind, tail));
                small.paths.push_str(stored);
            }
            if let Some(s) = self.t.servers.get_mut(sid as usize) {
                s.small = Some(small);
            }
        }
    }

    fn report_route(&mut self, rid: u32, severity: Severity, code: &'static str, message: String) {
        let Some(route) = self.t.routes.get(rid as usize) else {
            return;
        };
        let field = format!("spec.rules[{}].http.paths[{}].path", route.rule, route.path_index);
        if let Some(&(ing, src)) = self.served.get(route.ingress as usize) {
            self.f.add(Some(at(&ing.metadata, src)), Some(&field), severity, code, message);
        }
    }

    fn describe(&self, rid: u32) -> String {
        match self.t.routes.get(rid as usize) {
            Some(r) => {
                let (ns, name) = self
                    .t
                    .ingresses
                    .get(r.ingress as usize)
                    .map_or(("", ""), |i| (i.namespace.as_str(), i.name.as_str()));
                format!(
                    "{:?} {:?} of Ingress {ns}/{name} (rules[{}].paths[{}])",
                    r.path_type, r.path, r.rule, r.path_index
                )
            }
            None => String::from("another path"),
        }
    }

    /// Upstream profile: an Exact path loses every request to a longer Prefix on the same
    /// elements (`/foo/` over Exact `/foo`). Then reports conflicts and shadowed paths.
    fn report_routes(&mut self) {
        if !self.nginx {
            for rid in 0..self.t.routes.len() as u32 {
                let Some(r) = self.t.routes.get(rid as usize) else {
                    continue;
                };
                if r.prefix_like() || r.state != RouteState::Active {
                    continue;
                }
                let (sid, path) = (r.server, r.path.clone());
                if let Some(w) = self.t.match_upstream(sid, &path).filter(|w| *w != rid) {
                    self.set_state(rid, RouteState::Shadowed(w));
                }
            }
        }
        for rid in 0..self.t.routes.len() as u32 {
            let Some(state) = self.t.routes.get(rid as usize).map(|r| r.state) else {
                continue;
            };
            match state {
                RouteState::Active => {}
                RouteState::Conflict(w) => {
                    let msg = format!("host {:?} already has this path and type from {}, which claimed it first (oldest creationTimestamp, then namespace/name {}); this path is ignored",
                        self.t.routes.get(rid as usize).and_then(|r| self.t.servers.get(r.server as usize)).map_or("", |s| s.host.as_str()),
                        self.describe(w),
                        if self.nginx { "descending, as ingress-nginx sorts" } else { "ascending" });
                    self.report_route(rid, Severity::Warning, "ingress-path-conflict", msg);
                }
                RouteState::Shadowed(w) => {
                    let msg = format!("this path can never win: every request it matches goes to {} (the longest matching path wins, then Exact over Prefix)", self.describe(w));
                    self.report_route(rid, Severity::Warning, "ingress-rule-shadowed", msg);
                }
            }
        }
    }
}

/// What a backend naming Service `namespace/name` and `port` (as written) resolves to among
/// `services` (kubernetes-semantics §3.3: `port.name` xor `port.number`; an ExternalName
/// Service takes any number). The search starts `near` the last Service found (backends come
/// mostly in the Services' own order) and moves it.
fn service_target(
    services: &[Service],
    namespace: &str,
    name: &str,
    port: Option<&BackendPort>,
    near: &mut usize,
) -> Target {
    let Some(idx) = crate::model::find_named_near(services, |s| &s.metadata, namespace, name, near) else {
        return Target::MissingService;
    };
    let svc = services.get(idx);
    let external = svc.is_some_and(|s| s.service_type() == ServiceType::ExternalName);
    let found = svc.and_then(|svc| match port {
        Some(BackendPort::Number(n)) => {
            svc.ports.iter().find(|p| p.port == *n).map(|p| p.port).or_else(|| external.then_some(*n))
        }
        Some(BackendPort::Name(name)) => svc.ports.iter().find(|p| &p.name == name).map(|p| p.port),
        None => None,
    });
    match found.and_then(|p| u16::try_from(p).ok()) {
        Some(port) => Target::Service { service: idx as u32, port, external_name: external },
        None => Target::MissingPort,
    }
}

impl RouteTable {
    /// Resolves again the backends naming Service `namespace/name` after it changed in place
    /// (same position in `services`): the only thing the table reads from a Service, so a
    /// Service update need not compile the whole table again.
    pub(crate) fn retarget_service(&mut self, services: &[Service], namespace: &str, name: &str) {
        let mut near = services.len() / 2;
        for b in &mut self.backends {
            if b.namespace == namespace && b.service.as_deref() == Some(name) {
                b.target = service_target(services, namespace, name, b.port.as_ref(), &mut near);
            }
        }
        self.answers = Answers::of(self);
    }
}
