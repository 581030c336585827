//! The compiled routing table (`spec/http-routing.md` §2.4, `spec/kubernetes-semantics.md`
//! §3.1–§3.2): servers by host (exact names and single-label wildcards in one hash table, a
//! server for rules without host), Exact paths and Prefix path keys in the same hash table
//! (see [`prefix_key`]), and the ingress-nginx locations. Lookups do not allocate.

use super::answers::Answers;
use super::decision::{BackendPort, HostMatch, ResourceRef};
use super::hash::StrMap;
use super::nginx::{Affinity, Annotations};
use super::regex::Regex;
use super::tls::TlsEntry;
use super::{HttpOptions, Profile};
use crate::model::PathType;
use crate::short_eq::{eq_bytes, word};
use alloc::{borrow::Cow, string::String, vec::Vec};

/// "No such entry" in `u32` indexes.
pub(crate) const NONE: u32 = u32::MAX;

/// Hash-table scopes: the high bits say what a key is, the low bits whose it is.
pub(crate) mod scope {
    /// An exact host name → server.
    pub(crate) const HOST: u32 = 0;
    /// The part of a `*.foo.com` host after `*.` → server.
    pub(crate) const WILDCARD: u32 = 1;
    /// An Exact path of server `id` → route.
    pub(crate) const EXACT: u32 = 2 << 28;
    /// The [`prefix_key`](super::prefix_key) of Prefix paths of server `id` → the best route
    /// among them.
    pub(crate) const PREFIX: u32 = 3 << 28;
    /// An nginx exact location (`= /foo`) of server `id` → location.
    pub(crate) const NGX_EXACT: u32 = 4 << 28;
    /// An nginx prefix location of server `id` → location.
    pub(crate) const NGX_PREFIX: u32 = 5 << 28;
    /// An nginx static location ending in `/`, keyed without it (auto-redirect) → location.
    pub(crate) const NGX_SLASH: u32 = 6 << 28;
}

/// An Ingress the table serves.
#[derive(Clone, Debug)]
pub(crate) struct IngressInfo {
    pub(crate) namespace: String,
    pub(crate) name: String,
    /// ingress-nginx annotations (defaults in the upstream profile).
    pub(crate) ann: Annotations,
}

/// What a backend resolves to.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// A Service port (index into the services slice the table was built from).
    Service { service: u32, port: u16, external_name: bool },
    /// No such Service (or no `service` and no `resource` at all).
    MissingService,
    /// The Service has no such port.
    MissingPort,
    /// A `resource` backend.
    Resource(ResourceRef),
}

/// A backend (an nginx "upstream": one per namespace, Service and port as written).
#[derive(Clone, Debug)]
pub(crate) struct BackendDef {
    pub(crate) namespace: String,
    pub(crate) service: Option<String>,
    pub(crate) port: Option<BackendPort>,
    pub(crate) target: Target,
    /// ingress-nginx: canary backends merged into this one (the first is used).
    pub(crate) alternatives: Vec<u32>,
    /// ingress-nginx: this is a canary backend of that Ingress (whose annotations hold the
    /// traffic-shaping policy).
    pub(crate) canary_of: Option<u32>,
    /// ingress-nginx: the cookie settings (the last Ingress with `affinity: cookie` on this
    /// backend), and the mode (the first such Ingress's).
    pub(crate) affinity: Option<Affinity>,
    pub(crate) affinity_mode: Option<&'static str>,
}

impl BackendDef {
    /// The Service port number, when the Service and its port exist.
    pub(crate) fn service_port(&self) -> Option<u16> {
        match self.target {
            Target::Service { port, .. } => Some(port),
            _ => None,
        }
    }
}

/// Whether a route can win.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RouteState {
    /// In the table.
    Active,
    /// An older claim has the same host, path and type (the route it lost to).
    Conflict(u32),
    /// Every request it matches goes to another route (that route).
    Shadowed(u32),
}

/// One `rules[].http.paths[]` entry of a served Ingress.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    pub(crate) ingress: u32,
    pub(crate) rule: u32,
    pub(crate) path_index: u32,
    /// The path, canonicalised (`/` for an empty ImplementationSpecific path).
    pub(crate) path: String,
    pub(crate) path_type: PathType,
    pub(crate) backend: u32,
    pub(crate) server: u32,
    pub(crate) state: RouteState,
    /// ingress-nginx: the Ingress has `affinity: cookie` (the location is recorded for
    /// cookies).
    pub(crate) affinity: bool,
}

impl Route {
    /// Matched element by element (Prefix, and ImplementationSpecific in the upstream
    /// profile) rather than exactly.
    pub(crate) fn prefix_like(&self) -> bool {
        self.path_type != PathType::Exact
    }
}

/// How an nginx location matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LocKind {
    /// `location = /foo`.
    Exact,
    /// `location /foo/` (string prefix).
    Prefix,
    /// `location ~* "^/foo"` (index into the table's regexes).
    Regex(u32),
}

/// An nginx location.
#[derive(Clone, Debug)]
pub(crate) struct Location {
    pub(crate) route: u32,
    pub(crate) path: String,
    pub(crate) kind: LocKind,
}

impl Location {
    /// As nginx.conf spells it.
    pub(crate) fn label(&self) -> String {
        match self.kind {
            LocKind::Exact => alloc::format!("= {}", self.path),
            LocKind::Prefix => self.path.clone(),
            LocKind::Regex(_) => alloc::format!("~* \"^{}\"", self.path),
        }
    }
}

/// What answers when no path of a server matches: an Ingress's `defaultBackend`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fallback {
    pub(crate) ingress: u32,
    pub(crate) backend: u32,
}

/// A virtual host: every rule naming the same host, or the rules without host.
#[derive(Clone, Debug)]
pub(crate) struct Server {
    /// The host as written (lower-cased); `""` for the server of rules without host.
    pub(crate) host: String,
    /// Upstream profile: what the server's hashed paths look like.
    pub(crate) shape: PathShape,
    pub(crate) fallback: Option<Fallback>,
    /// The first Ingress naming the host (ingress-nginx: its annotations apply to `/`).
    pub(crate) first_ingress: Option<u32>,
    pub(crate) tls: Option<u32>,
    /// Every route of the server, in claim order.
    pub(crate) routes: Vec<u32>,
    /// ingress-nginx: locations in nginx.conf order (the order regexes are tried).
    pub(crate) locations: Vec<u32>,
    /// ingress-nginx: prefix locations, longest first.
    pub(crate) prefixes: Vec<u32>,
    /// ingress-nginx: `use-regex` / `rewrite-target` on any path made every path a
    /// case-insensitive regex.
    pub(crate) regex_mode: bool,
    /// Upstream profile, servers with few paths: the paths in precedence order, side by
    /// side, scanned instead of hashed (one or two cache lines instead of a hash probe per
    /// path element).
    pub(crate) small: Option<SmallIndex>,
}

/// The hashed paths of a big server (upstream profile), so that lookups skip probes that
/// cannot hit.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PathShape {
    /// Some Exact path.
    pub(crate) exact: bool,
    /// A filter of the Prefix keys' lengths and last bytes ([`key_bit`]): most candidate
    /// keys no path has are skipped without hashing.
    pub(crate) keys: [u64; 4],
    /// The longest Prefix key; `None` without Prefix paths.
    pub(crate) max: Option<u32>,
    /// The most bytes a Prefix path has beyond its key: 1 for `/foo/`, more only with empty
    /// elements (`/foo//`, which validation allows for ImplementationSpecific).
    pub(crate) extra: u32,
}

/// The [`PathShape::keys`] bit of a key: its length and last byte, mixed.
#[inline]
fn key_bit(key: &[u8]) -> usize {
    let last = key.last().copied().unwrap_or(0);
    let x = ((key.len() as u32) << 8 | u32::from(last)).wrapping_mul(0x9E37_79B1);
    (x >> 24) as usize
}

impl PathShape {
    /// Whether some Prefix key may be `key`.
    #[inline]
    fn may_have(&self, key: &[u8]) -> bool {
        let bit = key_bit(key);
        self.keys.get(bit / 64).is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }

    /// Records a Prefix path and its key.
    pub(crate) fn add_prefix(&mut self, path: &str, key: &str) {
        let bit = key_bit(key.as_bytes());
        if let Some(w) = self.keys.get_mut(bit / 64) {
            *w |= 1 << (bit % 64);
        }
        self.max = self.max.max(Some(key.len() as u32));
        self.extra = self.extra.max(path.len().saturating_sub(key.len()) as u32);
    }
}

/// The hash key of a Prefix (or ImplementationSpecific) path: its elements, each after one
/// `/`; `""` for `/`. Paths with the same elements match the same requests
/// (`spec/kubernetes-semantics.md` §3.1), so they share a key, and a request's candidate
/// keys are its own element-boundary prefixes. Borrowed unless the path has empty elements.
pub(crate) fn prefix_key(path: &str) -> Cow<'_, str> {
    let trimmed = path.trim_end_matches('/');
    if (trimmed.is_empty() || trimmed.starts_with('/')) && !trimmed.as_bytes().windows(2).any(|w| w == b"//") {
        return Cow::Borrowed(trimmed);
    }
    let mut key = String::with_capacity(trimmed.len());
    for e in elements(trimmed) {
        key.push('/');
        key.push_str(e);
    }
    Cow::Owned(key)
}

/// The request had empty elements (or no leading `/`) where Prefix keys are compared.
struct Unclean;

/// Bytes of a request's canonical form kept on the stack to probe Prefix keys when the
/// request has empty elements; servers with longer keys scan their paths instead.
const COMPACT_MAX: usize = 512;

/// Up to this many active paths, a server is scanned linearly.
pub(crate) const SMALL_MAX: usize = 16;

/// How a [`SmallIndex`] entry matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SmallKind {
    /// The whole path.
    Exact,
    /// Element-wise, the rule stored without its trailing `/` and free of empty elements:
    /// a byte prefix ending at an element boundary.
    Prefix,
    /// Element-wise, the rule has empty elements (`//`, ImplementationSpecific only).
    PrefixSlow,
}

/// A small server's paths, in precedence order: longest first, then Exact before Prefix,
/// then more elements, then claim order. The first that matches wins.
#[derive(Clone, Debug, Default)]
pub(crate) struct SmallIndex {
    /// (route, start in `paths`, length, kind, the stored path's last 8 bytes as a word: a
    /// cheap first test).
    pub(crate) entries: Vec<(u32, u32, u32, SmallKind, u64)>,
    /// The paths, concatenated.
    pub(crate) paths: String,
}

/// Element-wise prefix (§3.1): the rule's elements begin the request's.
pub(crate) fn element_prefix(rule: &str, path: &str) -> bool {
    let mut req = elements(path);
    elements(rule).all(|e| req.next() == Some(e))
}

/// The last (up to) 8 bytes of `b[..end]` as a word ([`word`]: distinct for distinct byte
/// strings of the same length, loaded without a copy).
#[inline]
pub(crate) fn tail_word(b: &[u8], end: usize) -> Option<u64> {
    b.get(end.saturating_sub(8)..end).map(word)
}

impl SmallIndex {
    fn find(&self, path: &str) -> Option<u32> {
        // A request with empty elements (`//`, kept without mergeSlashes) needs the
        // element-wise comparison; others a byte prefix at an element boundary.
        let mut plain = None;
        let bytes = path.as_bytes();
        self.entries.iter().find_map(|&(route, start, len, kind, tail)| {
            let rule = self.paths.get(start as usize..(start + len) as usize)?;
            let hit = match kind {
                SmallKind::Exact => {
                    rule.len() == path.len()
                        && tail_word(bytes, path.len()) == Some(tail)
                        && eq_bytes(rule.as_bytes(), bytes)
                }
                SmallKind::Prefix => {
                    let fast = tail_word(bytes, rule.len()) == Some(tail)
                        && bytes.get(..rule.len()).is_some_and(|head| eq_bytes(head, rule.as_bytes()))
                        && matches!(bytes.get(rule.len()), None | Some(b'/'));
                    fast || (!*plain.get_or_insert_with(|| !bytes.windows(2).any(|w| w == b"//"))
                        && element_prefix(rule, path))
                }
                SmallKind::PrefixSlow => element_prefix(rule, path),
            };
            hit.then_some(route)
        })
    }
}

/// The compiled routing table of one Cluster and one IngressClass. `Send + Sync`, immutable;
/// build it once, query it from any thread. The default table routes nothing.
#[derive(Clone, Debug, Default)]
pub struct RouteTable {
    pub(crate) options: HttpOptions,
    pub(crate) map: StrMap,
    pub(crate) ingresses: Vec<IngressInfo>,
    pub(crate) backends: Vec<BackendDef>,
    pub(crate) routes: Vec<Route>,
    pub(crate) servers: Vec<Server>,
    pub(crate) locations: Vec<Location>,
    pub(crate) regexes: Vec<Regex>,
    pub(crate) tls: Vec<TlsEntry>,
    /// The server of rules without host (and the catch-all `defaultBackend`).
    pub(crate) default_server: u32,
    /// What a lookup returns for each route (kept in step with routes, Ingresses and
    /// backends).
    pub(crate) answers: Answers,
    /// How the IngressClass was chosen and what was served, for traces.
    pub(crate) class_note: String,
}

/// Path elements: split on `/`, empty elements dropped (`spec/kubernetes-semantics.md` §3.1,
/// derived: this is what makes trailing slashes irrelevant for Prefix).
pub(crate) fn elements(path: &str) -> Elements<'_> {
    Elements { rest: path }
}

/// The iterator of [`elements`]: a byte scan for `/` (ASCII, so every cut is a character
/// boundary), cheaper than `str::split` on the hot path.
pub(crate) struct Elements<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Elements<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let b = self.rest.as_bytes();
        let start = b.iter().position(|c| *c != b'/')?;
        let len = b.get(start..).and_then(|t| t.iter().position(|c| *c == b'/')).unwrap_or(b.len() - start);
        let e = self.rest.get(start..start + len)?;
        self.rest = self.rest.get(start + len..).unwrap_or("");
        Some(e)
    }
}

/// The reference matcher, one route at a time (used for explanations and tests).
pub(crate) fn route_matches(route: &Route, path: &str) -> bool {
    if route.prefix_like() {
        element_prefix(&route.path, path)
    } else {
        route.path == path
    }
}

/// `*.foo.com` covers `bar.foo.com`: one non-empty label, then the rest (never the apex).
/// ingress-nginx's `server_name ~^(?<subdomain>[\w-]+)\.foo\.com$` also limits the label to
/// `[A-Za-z0-9_-]`.
pub(crate) fn wildcard_rest(host: &str, nginx: bool) -> Option<&str> {
    let (label, rest) = host.split_once('.')?;
    if label.is_empty() || rest.is_empty() {
        return None;
    }
    if nginx && !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return None;
    }
    Some(rest)
}

/// A match without a decision (see [`RouteTable::lookup`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteRef<'t> {
    /// The Ingress's namespace.
    pub namespace: &'t str,
    /// The Ingress's name.
    pub ingress: &'t str,
    /// Index in `spec.rules`; `None` for the `defaultBackend`.
    pub rule: Option<usize>,
    /// Index in the rule's paths; `None` for the `defaultBackend`.
    pub path: Option<usize>,
    /// How the host matched.
    pub host_match: HostMatch,
    /// The backend Service (`None` for a resource backend).
    pub service: Option<&'t str>,
    /// The Service port, when the Service and port exist.
    pub service_port: Option<u16>,
}

/// What an ingress-nginx server answers for a URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NginxHit {
    /// A location.
    Location(u32),
    /// nginx's 301 to `uri/`: the URI is a static location ending in `/` minus that slash.
    SlashRedirect(u32),
    /// Only the server's `/` (its default) answers.
    Root,
}

impl RouteTable {
    pub(crate) fn server(&self, id: u32) -> Option<&Server> {
        self.servers.get(id as usize)
    }

    pub(crate) fn route_at(&self, id: u32) -> Option<&Route> {
        self.routes.get(id as usize)
    }

    /// The server for a normalised host: exact name, else single-label wildcard, else the
    /// server of rules without host (§3.2). No fall-through between them once one matches.
    pub(crate) fn server_for(&self, host: &str) -> (u32, HostMatch) {
        let nginx = self.options.profile == Profile::IngressNginx;
        if let Some(s) = self.map.get(scope::HOST, host.as_bytes()) {
            return (s, HostMatch::Exact);
        }
        if let Some(s) = self.wildcard_server(host, nginx) {
            return (s, HostMatch::Wildcard);
        }
        (self.default_server, HostMatch::Any)
    }

    /// The server of the single-label wildcard covering `host`, if any (ingress-nginx's label
    /// characters with `nginx`). A table without wildcard hosts answers without cutting `host`.
    fn wildcard_server(&self, host: &str, nginx: bool) -> Option<u32> {
        if !self.map.holds(scope::WILDCARD) {
            return None;
        }
        wildcard_rest(host, nginx).and_then(|rest| self.map.get(scope::WILDCARD, rest.as_bytes()))
    }

    /// The certificate for a (normalised) name: the exact server's, else the wildcard
    /// server's (`certificate.lua` `get_pem_cert_uid`).
    pub(crate) fn tls_for(&self, name: &str) -> Option<&TlsEntry> {
        let with_tls = |s: u32| self.server(s).and_then(|s| s.tls).and_then(|t| self.tls.get(t as usize));
        self.map
            .get(scope::HOST, name.as_bytes())
            .and_then(with_tls)
            .or_else(|| self.wildcard_server(name, false).and_then(with_tls))
    }

    /// The upstream profile's match in server `sid` for normalised `path` (no query): the
    /// longest matching path, then Exact over Prefix, then the Prefix with more elements
    /// (`spec/http-routing.md` §2.4; claim order is settled when the table is built).
    /// Allocation-free: one probe for an Exact path, one per Prefix key length the server
    /// has, longest first, usually stopping at the first hit.
    pub(crate) fn match_upstream(&self, sid: u32, path: &str) -> Option<u32> {
        let server = self.server(sid)?;
        if let Some(small) = &server.small {
            return small.find(path);
        }
        let shape = &server.shape;
        let exact = if shape.exact { self.map.get(scope::EXACT | sid, path.as_bytes()) } else { None };
        if shape.max.is_none() {
            return exact;
        }
        // An Exact path is as long as the request: a Prefix path must be longer to win.
        let best = exact.map(|e| (e, path.len()));
        let found = match self.probe_prefixes(sid, shape, path.as_bytes(), best) {
            Ok(found) => found,
            Err(Unclean) => self.probe_compacted(sid, shape, path, best),
        };
        found.map(|(r, _)| r)
    }

    /// Probes the server's Prefix keys that are element-boundary prefixes of `path`, longest
    /// first (§3.1), keeping the longest written path that beats `best` (route, length);
    /// among equally long ones the first found, which has more elements (§2.4). A key is at
    /// most `shape.extra` bytes shorter than its paths, so the probes stop once no shorter
    /// key can win. `Err` when the request has empty elements where keys are compared
    /// (`//`, kept without mergeSlashes) or no leading `/`.
    fn probe_prefixes(
        &self,
        sid: u32,
        shape: &PathShape,
        path: &[u8],
        mut best: Option<(u32, usize)>,
    ) -> Result<Option<(u32, usize)>, Unclean> {
        let max = shape.max.unwrap_or(0) as usize;
        let extra = shape.extra as usize;
        // With `extra` > 1 the probes may stop before the scan reaches a `//` that changes
        // the keys on its right: look for one first.
        if path.first() != Some(&b'/') || (extra > 1 && path.windows(2).any(|w| w == b"//")) {
            return Err(Unclean);
        }
        let end = path.iter().rposition(|c| *c != b'/').map_or(0, |i| i + 1);
        // The longest candidate no longer than `max`: the whole path, else the last `/` cut
        // within `max` bytes (`path[0]` is one).
        let mut cut = if end <= max {
            end
        } else {
            path.get(..=max).and_then(|p| p.iter().rposition(|c| *c == b'/')).unwrap_or(0)
        };
        loop {
            if cut > 0 && path.get(cut - 1) == Some(&b'/') {
                return Err(Unclean);
            }
            if best.is_some_and(|(_, w)| cut + extra <= w) {
                break;
            }
            let key = path.get(..cut).unwrap_or_default();
            if shape.may_have(key) {
                if let Some(r) = self.map.get(scope::PREFIX | sid, key) {
                    let w = self.route_at(r).map_or(0, |r| r.path.len());
                    if best.is_none_or(|(_, b)| w > b) {
                        best = Some((r, w));
                    }
                }
            }
            match path.get(..cut).and_then(|p| p.iter().rposition(|c| *c == b'/')) {
                Some(next) => cut = next,
                None => break,
            }
        }
        Ok(best)
    }

    /// [`Self::probe_prefixes`] for a request with empty elements: on its canonical form
    /// (`/` + elements joined by `/`), as far as keys reach, built on the stack. A server
    /// whose keys reach beyond [`COMPACT_MAX`] scans its Prefix paths instead.
    #[cold]
    fn probe_compacted(
        &self,
        sid: u32,
        shape: &PathShape,
        path: &str,
        best: Option<(u32, usize)>,
    ) -> Option<(u32, usize)> {
        let want = shape.max.unwrap_or(0) as usize + 1;
        let mut buf = [0u8; COMPACT_MAX];
        let mut len = 0;
        let mut push = |b: u8| -> bool {
            match buf.get_mut(len).filter(|_| len < want) {
                Some(slot) => {
                    *slot = b;
                    len += 1;
                    true
                }
                None => len >= want,
            }
        };
        let mut fits = push(b'/');
        for (i, e) in elements(path).enumerate() {
            if i > 0 {
                fits &= push(b'/');
            }
            for b in e.bytes() {
                fits &= push(b);
            }
        }
        if fits {
            return buf.get(..len).and_then(|p| self.probe_prefixes(sid, shape, p, best).ok()).flatten();
        }
        let server = self.server(sid)?;
        let mut best = best;
        for &rid in &server.routes {
            let Some(r) = self.route_at(rid).filter(|r| r.state == RouteState::Active && r.prefix_like()) else {
                continue;
            };
            if route_matches(r, path) && self.beats(r, best) {
                best = Some((rid, r.path.len()));
            }
        }
        best
    }

    /// Whether Prefix route `r` (matching) goes before `best` (§2.4): longer, or as long as a
    /// Prefix route with fewer elements.
    fn beats(&self, r: &Route, best: Option<(u32, usize)>) -> bool {
        match best.and_then(|(b, w)| Some((self.route_at(b)?, w))) {
            None => true,
            Some((b, w)) => {
                r.path.len() > w
                    || (r.path.len() == w && b.prefix_like() && elements(&r.path).count() > elements(&b.path).count())
            }
        }
    }

    /// The ingress-nginx profile's location in server `sid` for normalised `uri` (nginx
    /// `ngx_http_core_find_location`): an exact location; else the 301 to `uri/` when that
    /// is a static location and `uri` is not; else the first regex in order; else the longest
    /// prefix; else the server's `/`.
    pub(crate) fn match_nginx(&self, sid: u32, uri: &str) -> NginxHit {
        let Some(server) = self.server(sid) else {
            return NginxHit::Root;
        };
        if let Some(l) = self.map.get(scope::NGX_EXACT | sid, uri.as_bytes()) {
            return NginxHit::Location(l);
        }
        if self.map.get(scope::NGX_PREFIX | sid, uri.as_bytes()).is_none() {
            if let Some(l) = self.map.get(scope::NGX_SLASH | sid, uri.as_bytes()) {
                return NginxHit::SlashRedirect(l);
            }
        }
        if server.regex_mode {
            for &l in &server.locations {
                if let Some(LocKind::Regex(r)) = self.locations.get(l as usize).map(|l| l.kind) {
                    if self.regexes.get(r as usize).is_some_and(|re| re.is_match(uri.as_bytes())) {
                        return NginxHit::Location(l);
                    }
                }
            }
        }
        for &l in &server.prefixes {
            if self.locations.get(l as usize).is_some_and(|loc| uri.starts_with(loc.path.as_str())) {
                return NginxHit::Location(l);
            }
        }
        NginxHit::Root
    }

    /// The match for an already normalised host (lower case, no port) and path (no query),
    /// without building a decision: the Ingress and rule path that answer (or the
    /// `defaultBackend`), and the backend Service. `None` when the controller's default
    /// backend answers (404). Allocation-free; redirects, canaries, TLS and endpoints are
    /// [`RouteTable::route`]'s business.
    pub fn lookup(&self, host: &str, path: &str) -> Option<RouteRef<'_>> {
        let (sid, host_match) = self.server_for(host);
        let route = match self.options.profile {
            Profile::Upstream => self.match_upstream(sid, path),
            Profile::IngressNginx => match self.match_nginx(sid, path) {
                NginxHit::Location(l) | NginxHit::SlashRedirect(l) => self.locations.get(l as usize).map(|l| l.route),
                NginxHit::Root => None,
            },
        };
        if let Some(r) = route {
            return self.answers.get(r, host_match);
        }
        let fb = self.server(sid)?.fallback?;
        let ing = self.ingresses.get(fb.ingress as usize)?;
        let def = self.backends.get(fb.backend as usize);
        Some(RouteRef {
            namespace: &ing.namespace,
            ingress: &ing.name,
            rule: None,
            path: None,
            host_match,
            service: def.and_then(|d| d.service.as_deref()),
            service_port: def.and_then(BackendDef::service_port),
        })
    }

    /// The options the table was built with.
    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// Number of paths the table routes (rules' paths of served Ingresses, including those
    /// that lost a claim).
    pub fn route_count(&self) -> usize {
        self.routes.len()
    }

    /// Approximate heap bytes held (for the benchmarks' bytes-per-rule figure).
    pub fn heap_bytes(&self) -> usize {
        use core::mem::size_of;
        let strings: usize = self.routes.iter().map(|r| r.path.capacity()).sum::<usize>()
            + self
                .servers
                .iter()
                .map(|s| {
                    s.host.capacity() + s.routes.capacity() * 4 + s.locations.capacity() * 4 + s.prefixes.capacity() * 4
                })
                .sum::<usize>()
            + self.ingresses.iter().map(|i| i.namespace.capacity() + i.name.capacity()).sum::<usize>()
            + self
                .backends
                .iter()
                .map(|b| b.namespace.capacity() + b.service.as_ref().map_or(0, String::capacity))
                .sum::<usize>()
            + self.locations.iter().map(|l| l.path.capacity()).sum::<usize>();
        self.map.heap_bytes()
            + strings
            + self.routes.capacity() * size_of::<Route>()
            + self.servers.capacity() * size_of::<Server>()
            + self.ingresses.capacity() * size_of::<IngressInfo>()
            + self.backends.capacity() * size_of::<BackendDef>()
            + self.locations.capacity() * size_of::<Location>()
            + self.answers.heap_bytes()
    }
}

#[cfg(test)]
mod element_tests {
    use super::elements;
    use alloc::vec::Vec;

    #[test]
    fn elements_as_split_without_empties() {
        for p in ["", "/", "//", "/a", "/a/", "a/b", "/a//b/", "/ü/ß//x", "///a///b///"] {
            let want: Vec<&str> = p.split('/').filter(|e| !e.is_empty()).collect();
            assert_eq!(elements(p).collect::<Vec<_>>(), want, "{p:?}");
        }
    }
}
