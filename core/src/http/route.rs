//! Routing one request through a [`RouteTable`]: read and normalise it, pick the server by
//! Host and the certificate by SNI, match the path per the profile, then the redirects, the
//! canary, the backend and its endpoints. Without `explain` nothing is allocated beyond the
//! decision itself (its strings); `rewrite-target` captures are the one exception.

use super::decision::{
    Backend, CanaryDecision, HostMatch, HttpDecision, Match, Redirect, Source, Tls, TraceStep, UpstreamRequest,
};
use super::nginx::Annotations;
use super::normalize::{normalize_into, Reject};
use super::request::{check_headers, normalize_host, parse_target, HttpRequest};
use super::table::{route_matches, LocKind, NginxHit, Route, RouteState, RouteTable, Server, Target};
use super::{tls, Profile};
use crate::endpoints::Endpoint;
use crate::error::Error;
use crate::model::Service;
use alloc::{format, string::String, vec::Vec};

/// The lookup of a Service's endpoints: `(namespace, name) → endpoints`.
pub type EndpointsOf<'e> = dyn Fn(&str, &str) -> Option<&'e [Endpoint]> + 'e;

/// Collects trace steps only when explaining.
struct Trace(Option<Vec<TraceStep>>);

impl Trace {
    fn note(&mut self, step: &'static str, message: impl FnOnce() -> String) {
        if let Some(v) = &mut self.0 {
            v.push(TraceStep { step, message: message() });
        }
    }
}

/// A request after reading and normalisation.
struct Ctx {
    host: String,
    /// Normalised path with `?query`.
    path: String,
    uri_len: usize,
    https: bool,
    tls: Option<Tls>,
    trace: Trace,
}

impl Ctx {
    fn uri(&self) -> &str {
        self.path.get(..self.uri_len).unwrap_or("/")
    }

    fn query(&self) -> Option<&str> {
        self.path.get(self.uri_len..).and_then(|q| q.strip_prefix('?'))
    }

    fn decision(self, status: u16, reason: &'static str) -> HttpDecision {
        HttpDecision {
            status,
            reason,
            source: None,
            match_: None,
            backend: None,
            tls: self.tls,
            redirect: None,
            affinity: None,
            canary: None,
            upstream_request: Some(UpstreamRequest { host: self.host, path: self.path }),
            trace: self.trace.0,
        }
    }
}

/// How healthy a backend is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Health {
    /// Routable; the reason code.
    Ok(&'static str),
    /// A Service port without ready endpoints.
    NoEndpoints,
    /// No such Service or port.
    Invalid,
}

fn refused(r: Reject, mut trace: Trace) -> HttpDecision {
    trace.note("normalize", || format!("refused with {}: {}", r.status(), r.message()));
    HttpDecision {
        status: r.status(),
        reason: "bad-request",
        source: None,
        match_: None,
        backend: None,
        tls: None,
        redirect: None,
        affinity: None,
        canary: None,
        upstream_request: None,
        trace: trace.0,
    }
}

impl RouteTable {
    /// Routes one request (see [`RouteTable::route_with_draw`]); a weighted canary choice is
    /// left open (`canary.selected: null`).
    pub fn route<'e>(
        &self,
        req: &HttpRequest,
        services: &[Service],
        endpoints_of: &EndpointsOf<'e>,
        explain: bool,
    ) -> Result<HttpDecision, Error> {
        self.route_with_draw(req, services, endpoints_of, explain, None)
    }

    /// Routes one request. `services` must be the slice the table was built from;
    /// `endpoints_of(namespace, service)` gives a Service's endpoints (a backend without a
    /// ready endpoint on its port answers 503). Pure: the endpoint itself is picked later by
    /// the router. `canary_draw` is the random number an ingress-nginx weighted canary uses
    /// (`draw % total + 1 <= weight` goes to the canary), so results stay deterministic.
    ///
    /// Errors only for misuse: a `url` that is not an `http(s)://` URL, `host/path` or
    /// `/path`, or an SNI name with an `http://` URL. Requests a proxy refuses are decisions
    /// with status 400.
    pub fn route_with_draw<'e>(
        &self,
        req: &HttpRequest,
        services: &[Service],
        endpoints_of: &EndpointsOf<'e>,
        explain: bool,
        canary_draw: Option<u64>,
    ) -> Result<HttpDecision, Error> {
        let mut trace = Trace(explain.then(Vec::new));
        trace.note("request", || {
            let m = if req.method.is_empty() { "GET" } else { req.method.as_str() };
            format!("{m} {}", req.url)
        });
        let target = match parse_target(&req.url, req.sni.is_some())? {
            Ok(t) => t,
            Err(r) => return Ok(refused(r, trace)),
        };
        let host_header = match check_headers(req) {
            Ok(h) => h,
            Err(r) => return Ok(refused(r, trace)),
        };
        let raw_host = if target.absolute { target.authority } else { host_header.unwrap_or("") };
        let mut host = String::with_capacity(raw_host.len() + 2);
        if let Err(r) = normalize_host(raw_host, &mut host) {
            return Ok(refused(r, trace));
        }
        if target.absolute && host.is_empty() {
            return Ok(refused(Reject::BadHost, trace));
        }
        let mut path = String::with_capacity(target.path.len() + target.query.map_or(0, |q| q.len() + 1) + 1);
        if let Err(r) = normalize_into(
            target.path,
            target.query,
            self.options.merge_slashes,
            self.options.escaped_slashes,
            &mut path,
        ) {
            return Ok(refused(r, trace));
        }
        let uri_len = path.find('?').unwrap_or(path.len());
        trace.note("normalize", || {
            format!(
                "host {raw_host:?} is {host:?}; path {:?} is {path:?}, matched and forwarded as such (mergeSlashes: {}, escapedSlashes: {:?})",
                target.path, self.options.merge_slashes, self.options.escaped_slashes
            )
        });
        trace.note("class", || self.class_note.clone());
        let mut tls = None;
        if target.https {
            let mut sni = String::new();
            match req.sni.as_deref() {
                Some(s) => {
                    if let Err(r) = normalize_host(s, &mut sni) {
                        return Ok(refused(r, trace));
                    }
                }
                None => sni.clone_from(&host),
            }
            let entry = self.tls_for(&sni);
            trace.note("tls", || match entry {
                Some(e) => format!(
                    "SNI {sni:?} is covered by TLS host {:?}: {}",
                    e.host,
                    match (&e.secret, e.usable) {
                        (Some(s), true) => format!("Secret {}/{s}", e.namespace),
                        (Some(s), false) => format!(
                            "Secret {}/{s} is missing or not a TLS Secret: the default certificate",
                            e.namespace
                        ),
                        (None, _) => String::from("no secretName: the default certificate"),
                    }
                ),
                None => format!("no TLS host covers SNI {sni:?}: the controller's default certificate"),
            });
            if sni != host {
                trace.note("tls", || format!("SNI {sni:?} differs from Host {host:?}: the certificate follows SNI, routing follows Host (the Ingress API has no 421 rule)"));
            }
            tls = Some(tls::describe(&sni, entry));
        }
        let ctx = Ctx { host, path, uri_len, https: target.https, tls, trace };
        Ok(match self.options.profile {
            Profile::Upstream => self.finish_upstream(ctx, services, endpoints_of),
            Profile::IngressNginx => self.finish_nginx(ctx, req, services, endpoints_of, canary_draw),
        })
    }

    fn source(&self, r: &Route) -> Source {
        let (namespace, name) = self
            .ingresses
            .get(r.ingress as usize)
            .map_or((String::new(), String::new()), |i| (i.namespace.clone(), i.name.clone()));
        Source { kind: "Ingress", namespace, name, rule: Some(r.rule as usize), path: Some(r.path_index as usize) }
    }

    fn default_source(&self, ingress: u32) -> Source {
        let (namespace, name) = self
            .ingresses
            .get(ingress as usize)
            .map_or((String::new(), String::new()), |i| (i.namespace.clone(), i.name.clone()));
        Source { kind: "Ingress", namespace, name, rule: None, path: None }
    }

    fn describe_route(&self, r: &Route) -> String {
        let (ns, name) =
            self.ingresses.get(r.ingress as usize).map_or(("", ""), |i| (i.namespace.as_str(), i.name.as_str()));
        format!("{:?} {:?} (Ingress {ns}/{name}, rules[{}].paths[{}])", r.path_type, r.path, r.rule, r.path_index)
    }

    /// The backend as reported, and its health.
    fn backend_out(&self, id: u32, services: &[Service], endpoints_of: &EndpointsOf<'_>) -> (Backend, Health) {
        let Some(def) = self.backends.get(id as usize) else {
            return (
                Backend {
                    namespace: String::new(),
                    service: None,
                    port: None,
                    service_port: None,
                    resource: None,
                    usable_endpoints: 0,
                },
                Health::Invalid,
            );
        };
        let mut out = Backend {
            namespace: def.namespace.clone(),
            service: def.service.clone(),
            port: def.port.clone(),
            service_port: None,
            resource: None,
            usable_endpoints: 0,
        };
        let health = match &def.target {
            Target::Service { port, external_name, .. } => {
                out.service_port = Some(*port);
                let name = def.service.as_deref().unwrap_or("");
                out.usable_endpoints = endpoints_of(&def.namespace, name)
                    .map_or(0, |eps| eps.iter().filter(|e| e.service_port == *port && e.conditions.ready).count());
                if *external_name {
                    Health::Ok("external-name")
                } else if out.usable_endpoints > 0 {
                    Health::Ok("routed")
                } else {
                    Health::NoEndpoints
                }
            }
            Target::Resource(r) => {
                out.resource = Some(r.clone());
                Health::Ok("resource-backend")
            }
            Target::MissingService | Target::MissingPort => Health::Invalid,
        };
        // `services` is consulted only to confirm the Service still exists.
        if let Target::Service { service, .. } = &def.target {
            let known = services.get(*service as usize).is_some_and(|s| {
                Some(s.metadata.name.as_str()) == def.service.as_deref() && s.metadata.namespace == def.namespace
            });
            if !known
                && !services.iter().any(|s| {
                    Some(s.metadata.name.as_str()) == def.service.as_deref() && s.metadata.namespace == def.namespace
                })
            {
                return (out, Health::Invalid);
            }
        }
        (out, health)
    }

    /// Status and reason for a backend's health; `default` marks a default backend.
    fn status_of(&self, health: Health, default: bool) -> (u16, &'static str) {
        match health {
            Health::Ok("routed") if default => (200, "default-backend"),
            Health::Ok(reason) => (200, reason),
            Health::NoEndpoints => (503, "no-endpoints"),
            // ingress-nginx: an upstream without endpoints (the Service or port is missing)
            // answers 503; the Ingress/Gateway reading of an invalid backend is 500.
            Health::Invalid if self.options.profile == Profile::IngressNginx => (503, "backend-invalid"),
            Health::Invalid => (500, "backend-invalid"),
        }
    }

    fn trace_backend(ctx: &mut Ctx, b: &Backend, health: Health) {
        ctx.trace.note("backend", || {
            let what = match (&b.service, &b.resource) {
                (Some(s), _) => format!(
                    "Service {}/{s} port {}",
                    b.namespace,
                    b.port.as_ref().map_or_else(String::new, |p| format!("{p:?}"))
                ),
                (None, Some(r)) => format!("resource {}/{} {}", r.api_group, r.kind, r.name),
                (None, None) => String::from("an empty backend"),
            };
            match health {
                Health::Ok("external-name") => format!("{what}: an ExternalName Service, proxied to its external name"),
                Health::Ok("resource-backend") => format!("{what}: served by the resource (no endpoints involved)"),
                Health::Ok(_) => format!(
                    "{what} → Service port {}: {} ready endpoint(s)",
                    b.service_port.unwrap_or(0),
                    b.usable_endpoints
                ),
                Health::NoEndpoints => {
                    format!("{what} → Service port {}: no ready endpoint", b.service_port.unwrap_or(0))
                }
                Health::Invalid => format!("{what}: the Service or the port does not exist"),
            }
        });
    }

    fn host_note(ctx: &mut Ctx, server: &Server, how: HostMatch) {
        ctx.trace.note("host", || match how {
            HostMatch::Exact => format!("host {:?} matches rule host {:?} exactly", ctx.host, server.host),
            HostMatch::Wildcard => format!("host {:?} matches wildcard {:?} (one label)", ctx.host, server.host),
            HostMatch::Any => format!(
                "no rule host matches {:?} (exact, then one-label wildcard): the rules without host apply",
                ctx.host
            ),
        });
    }

    /// The upstream profile (`spec/kubernetes-semantics.md` §3.1–§3.3).
    fn finish_upstream(&self, mut ctx: Ctx, services: &[Service], endpoints_of: &EndpointsOf<'_>) -> HttpDecision {
        let (sid, how) = self.server_for(&ctx.host);
        let Some(server) = self.server(sid) else {
            return ctx.decision(404, "no-match");
        };
        Self::host_note(&mut ctx, server, how);
        let hit = self.match_upstream(sid, ctx.uri());
        if ctx.trace.0.is_some() {
            self.explain_upstream(&mut ctx, server, hit);
        }
        let (backend, source, route) = match hit.and_then(|r| self.route_at(r)) {
            Some(r) => (r.backend, self.source(r), Some(r)),
            None => match server.fallback {
                Some(fb) => {
                    ctx.trace
                        .note("path", || String::from("no path matched: the Ingress's spec.defaultBackend answers"));
                    (fb.backend, self.default_source(fb.ingress), None)
                }
                None => {
                    ctx.trace.note("path", || {
                        String::from(
                            "no path matched and no defaultBackend: the controller's default backend answers 404",
                        )
                    });
                    return ctx.decision(404, "no-match");
                }
            },
        };
        let m = Match {
            host: server.host.clone(),
            host_match: how,
            path: route.map(|r| r.path.clone()),
            path_type: route.map(|r| r.path_type),
            location: None,
        };
        let (b, health) = self.backend_out(backend, services, endpoints_of);
        Self::trace_backend(&mut ctx, &b, health);
        let (status, reason) = self.status_of(health, route.is_none());
        let mut d = ctx.decision(status, reason);
        d.source = Some(source);
        d.match_ = Some(m);
        d.backend = Some(b);
        d
    }

    fn explain_upstream(&self, ctx: &mut Ctx, server: &Server, hit: Option<u32>) {
        let uri = String::from(ctx.uri());
        for &rid in &server.routes {
            let Some(r) = self.route_at(rid) else {
                continue;
            };
            let outcome = match r.state {
                RouteState::Conflict(w) => format!(
                    "not in the table: an older Ingress claimed it ({})",
                    self.route_at(w).map_or_else(String::new, |w| self.describe_route(w))
                ),
                _ if !route_matches(r, &uri) => String::from(if r.prefix_like() {
                    "does not match (element-wise prefix)"
                } else {
                    "does not match (exact)"
                }),
                _ if Some(rid) == hit => format!("matches; wins (length {})", r.path.len()),
                _ => format!(
                    "matches (length {}) but loses to {} (the longest path wins, then Exact over Prefix)",
                    r.path.len(),
                    hit.and_then(|h| self.route_at(h)).map_or_else(String::new, |h| self.describe_route(h))
                ),
            };
            let d = self.describe_route(r);
            ctx.trace.note("path", || format!("{d}: {outcome}"));
        }
    }

    fn annotations(&self, ingress: Option<u32>) -> Option<&Annotations> {
        ingress.and_then(|i| self.ingresses.get(i as usize)).map(|i| &i.ann)
    }

    /// The ingress-nginx profile (`spec/http-routing.md` §3.2, §3.3).
    fn finish_nginx(
        &self,
        mut ctx: Ctx,
        req: &HttpRequest,
        services: &[Service],
        endpoints_of: &EndpointsOf<'_>,
        draw: Option<u64>,
    ) -> HttpDecision {
        let (sid, how) = self.server_for(&ctx.host);
        let Some(server) = self.server(sid) else {
            return ctx.decision(404, "no-match");
        };
        Self::host_note(&mut ctx, server, how);
        let hit = self.match_nginx(sid, ctx.uri());
        if ctx.trace.0.is_some() {
            self.explain_nginx(&mut ctx, server, hit);
        }
        let loc = match hit {
            NginxHit::Location(l) | NginxHit::SlashRedirect(l) => self.locations.get(l as usize),
            NginxHit::Root => None,
        };
        let route = loc.and_then(|l| self.route_at(l.route));
        let m = Match {
            host: server.host.clone(),
            host_match: how,
            path: route.map(|r| r.path.clone()),
            path_type: route.map(|r| r.path_type),
            location: loc.map(super::table::Location::label),
        };
        if let (NginxHit::SlashRedirect(_), Some(r)) = (hit, route) {
            let scheme = if ctx.https { "https" } else { "http" };
            let location = format!(
                "{scheme}://{}{}/{}",
                ctx.host,
                ctx.uri(),
                ctx.query().map_or_else(String::new, |q| format!("?{q}"))
            );
            ctx.trace.note("redirect", || {
                format!("nginx answers 301 to {location:?}: the URI is a location ending in '/' without that slash")
            });
            let source = self.source(r);
            let mut d = ctx.decision(301, "slash-redirect");
            d.source = Some(source);
            d.match_ = Some(m);
            d.redirect = Some(Redirect { location, status: 301 });
            d.upstream_request = None;
            return d;
        }
        // The location's annotations; for `/` the first Ingress of the host's (the catch-all
        // server keeps the defaults).
        let defaults = Annotations::default();
        let ann = self
            .annotations(route.map(|r| r.ingress))
            .or_else(|| self.annotations(server.first_ingress))
            .unwrap_or(&defaults);
        if !ctx.https {
            let certificate = self.tls_for(&ctx.host).is_some();
            if ann.force_ssl_redirect || (ann.ssl_redirect && certificate) {
                let mut uri = String::from(ctx.path.as_str());
                if !ann.preserve_trailing_slash && uri.ends_with('/') {
                    uri.pop();
                }
                let location = format!("https://{}{uri}", ctx.host);
                ctx.trace.note("redirect", || {
                    format!(
                        "{}: 308 to {location:?}",
                        if ann.force_ssl_redirect {
                            "force-ssl-redirect"
                        } else {
                            "TLS is configured for this host (ssl-redirect defaults to true)"
                        }
                    )
                });
                let source = route.map(|r| self.source(r));
                let mut d = ctx.decision(308, "https-redirect");
                d.source = source;
                d.match_ = Some(m);
                d.redirect = Some(Redirect { location, status: 308 });
                d.upstream_request = None;
                return d;
            }
        }
        let (backend, source) = match route {
            Some(r) => (r.backend, self.source(r)),
            None => match server.fallback {
                Some(fb) => {
                    ctx.trace.note("path", || {
                        String::from("only the server's `/` matches: the Ingress's spec.defaultBackend answers")
                    });
                    (fb.backend, self.default_source(fb.ingress))
                }
                None => {
                    ctx.trace.note("path", || {
                        String::from("only the server's `/` matches: the controller's default backend answers 404")
                    });
                    return ctx.decision(404, "no-match");
                }
            },
        };
        // rewrite-target: the location regex's captures expanded into the target.
        if let (Some(r), Some(l)) = (route, loc) {
            let target =
                self.annotations(Some(r.ingress)).and_then(|a| a.rewrite_target.as_deref()).filter(|t| *t != r.path);
            if let (Some(target), LocKind::Regex(re)) = (target, l.kind) {
                let rewritten = self
                    .regexes
                    .get(re as usize)
                    .and_then(|re| super::nginx::rewrite(re, target, ctx.uri(), ctx.query()));
                if let Some(new) = rewritten {
                    ctx.trace.note("rewrite", || {
                        format!("rewrite-target {target:?}: {:?} is forwarded as {new:?}", ctx.path)
                    });
                    ctx.path = new;
                }
            }
        }
        let (mut b, mut health) = self.backend_out(backend, services, endpoints_of);
        let mut canary = None;
        if let Some(&alt) = self.backends.get(backend as usize).and_then(|d| d.alternatives.first()) {
            let policy = self
                .backends
                .get(alt as usize)
                .and_then(|d| d.canary_of)
                .and_then(|ci| self.ingresses.get(ci as usize));
            if let Some((ci, cfg)) = policy.and_then(|i| i.ann.canary.as_ref().map(|c| (i, c))) {
                let choice = cfg.choose(req, draw);
                let (cb, ch) = self.backend_out(alt, services, endpoints_of);
                ctx.trace.note("canary", || {
                    format!(
                        "canary Ingress {}/{}: {} (by {})",
                        ci.namespace,
                        ci.name,
                        match choice.selected {
                            Some(true) => "to the canary",
                            Some(false) => "to the mainline",
                            None => "weighted; the router draws",
                        },
                        choice.by
                    )
                });
                if choice.selected == Some(true) {
                    b = cb.clone();
                    health = ch;
                }
                canary = Some(CanaryDecision {
                    namespace: ci.namespace.clone(),
                    ingress: ci.name.clone(),
                    backend: cb,
                    selected: choice.selected,
                    by: choice.by,
                    weight: cfg.weight,
                    weight_total: cfg.total(),
                });
            }
        }
        let affinity = route.filter(|r| r.affinity).and_then(|r| {
            let def = self.backends.get(r.backend as usize)?;
            let a = def.affinity.as_ref()?;
            let mut out = a.for_request(&r.path, ctx.https);
            out.mode = def.affinity_mode.unwrap_or(out.mode);
            Some(out)
        });
        if let Some(a) = &affinity {
            ctx.trace.note("affinity", || {
                format!("cookie affinity: cookie {:?}, path {:?}, mode {}", a.name, a.path, a.mode)
            });
        }
        Self::trace_backend(&mut ctx, &b, health);
        let (status, reason) = self.status_of(health, route.is_none());
        let mut d = ctx.decision(status, reason);
        d.source = Some(source);
        d.match_ = Some(m);
        d.backend = Some(b);
        d.canary = canary;
        d.affinity = affinity;
        d
    }

    fn explain_nginx(&self, ctx: &mut Ctx, server: &Server, hit: NginxHit) {
        let uri = String::from(ctx.uri());
        let mode = server.regex_mode;
        ctx.trace.note("path", || {
            if mode {
                String::from("use-regex or rewrite-target on this host: every path is a case-insensitive regex anchored at the start, tried in order of descending length; the first match wins")
            } else {
                String::from("nginx locations: an exact (=) match wins, else the longest prefix")
            }
        });
        for &lid in &server.locations {
            let Some(l) = self.locations.get(lid as usize) else {
                continue;
            };
            let matches = match l.kind {
                LocKind::Exact => l.path == uri,
                LocKind::Prefix => uri.starts_with(l.path.as_str()),
                LocKind::Regex(r) => self.regexes.get(r as usize).is_some_and(|re| re.is_match(uri.as_bytes())),
            };
            let wins = hit == NginxHit::Location(lid);
            let label = l.label();
            let from = self.route_at(l.route).map_or_else(String::new, |r| self.describe_route(r));
            ctx.trace.note("path", || {
                format!(
                    "location {label} from {from}: {}",
                    match (matches, wins) {
                        (_, true) => "matches; wins",
                        (true, false) => "matches but another location takes precedence",
                        (false, _) => "does not match",
                    }
                )
            });
        }
        for &rid in &server.routes {
            if let Some(r) = self.route_at(rid).filter(|r| matches!(r.state, RouteState::Conflict(_))) {
                let d = self.describe_route(r);
                ctx.trace.note("path", || {
                    format!("{d}: not configured (\"Location already configured\" by an older Ingress)")
                });
            }
        }
    }
}
