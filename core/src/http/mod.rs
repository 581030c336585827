//! HTTP routing through Ingress (`spec/http-routing.md`, `spec/kubernetes-semantics.md` §3).
//!
//! A [`RouteTable`] is compiled once from a cluster's Ingresses, IngressClasses, Secrets and
//! Services, for one IngressClass and one [`Profile`]; [`RouteTable::route`] then answers
//! "where does this request go, and why" with an [`HttpDecision`].
//!
//! Behaviour, by source:
//! - Hosts (§3.2): exact names in a hash table; `*.foo.com` covers exactly one label (never
//!   the apex); rules without host serve every other host. Once a host matches a server there
//!   is no fall-through to less specific hosts.
//! - Paths (§3.1): Exact in a hash table, Prefix element by element in a trie (trailing
//!   slashes ignored, `/foo` does not match `/foobar`), ImplementationSpecific as Prefix. The
//!   longest matching path wins, then Exact over Prefix (`http-routing.md` §2.4), so Prefix
//!   `/foo/` beats Exact `/foo` for the request `/foo` (reported as shadowing).
//! - Several Ingresses on one host: the oldest `creationTimestamp` claims a host + path +
//!   type, ties by `namespace/name` (see `order.rs`); later duplicates are reported.
//! - Default backends (§3.3): an Ingress's `defaultBackend` answers for the hosts of its
//!   rules when no path matches; an Ingress without rules is the catch-all; otherwise 404. A
//!   matched rule whose Service or port does not exist answers 500 (503 in the ingress-nginx
//!   profile, as the controller does); a backend without ready endpoints 503; `resource`
//!   backends are reported (200, no endpoints) — ingress-nginx skips them.
//! - IngressClass: see `class.rs`. TLS by SNI: see `tls.rs`. Normalisation: see
//!   [`normalize_path`].
//! - [`Profile::IngressNginx`] (`http-routing.md` §3.2, §3.3): nginx locations (Exact
//!   `location =`, Prefix as `/foo/` plus `= /foo`, ImplementationSpecific as a string
//!   prefix, nginx's 301 to `uri/`), `use-regex` / `rewrite-target` turning every path of the
//!   host into a case-insensitive regex tried by descending length (linear-time engine,
//!   `regex.rs`), the strict path validation, the http→https 308 redirect when the host has
//!   TLS (`ssl-redirect`, `force-ssl-redirect`), canaries and cookie affinity. The upstream
//!   profile does not redirect: the Ingress API says nothing about it.

mod answers;
mod build;
mod bytes;
mod class;
mod decision;
mod hash;
mod lookup;
mod nginx;
mod normalize;
mod order;
mod plain_url;
mod regex;
mod request;
mod route;
mod table;
mod tls;

#[cfg(test)]
mod tests;

pub use decision::{
    Backend, BackendPort, CanaryDecision, CookieAffinity, HostMatch, HttpDecision, Match, Redirect, ResourceRef,
    Source, Tls, TraceStep, UpstreamRequest,
};
pub use lookup::{LookupBuffers, UrlLookup};
pub use normalize::{normalize_path, EscapedSlashes};
pub use request::HttpRequest;
pub use route::EndpointsOf;
pub use table::{RouteRef, RouteTable};

use crate::diagnostic::Diagnostic;
use crate::load::{Findings, Sources};
use crate::model::{Ingress, IngressClass, Secret, Service};
use alloc::{string::String, vec::Vec};

/// Whose behaviour routing reproduces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// The Ingress API as specified (`upstream`, default).
    #[default]
    Upstream,
    /// ingress-nginx (`ingress-nginx`): nginx locations, regex paths, annotations.
    IngressNginx,
}

/// How a [`RouteTable`] is built and how requests are read.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct HttpOptions {
    /// Whose behaviour to reproduce.
    pub profile: Profile,
    /// Serve this IngressClass (default: the default class, else the only class, else every
    /// Ingress).
    pub ingress_class: Option<String>,
    /// Merge runs of `/` in request paths before matching and forwarding (nginx's default;
    /// off by default, as Envoy and RFC 3986).
    pub merge_slashes: bool,
    /// What `%2F` / `%5C` in request paths do.
    pub escaped_slashes: EscapedSlashes,
}

impl RouteTable {
    /// Builds the table from a cluster's objects (each slice sorted by namespace and name, as
    /// `Cluster` keeps them), each Ingress with its source index so findings point at lines.
    /// Findings: Ingresses no class claims, conflicting claims, shadowed paths, TLS Secrets
    /// missing, TLS hosts no rule serves, and (ingress-nginx) strict-validation failures,
    /// invalid annotations, regexes kroute cannot run and canaries without a mainline.
    pub(crate) fn build(
        ingresses: &[(&Ingress, usize)],
        classes: &[IngressClass],
        secrets: &[Secret],
        services: &[Service],
        opts: &HttpOptions,
        findings: &mut Findings<'_>,
    ) -> Self {
        build::compile(ingresses, classes, secrets, services, opts, findings)
    }

    /// Builds a table from objects without source positions (for embedders holding typed
    /// objects): the same as the Cluster's table, with the findings returned.
    pub fn new(
        ingresses: &[Ingress],
        classes: &[IngressClass],
        secrets: &[Secret],
        services: &[Service],
        opts: &HttpOptions,
    ) -> (Self, Vec<Diagnostic>) {
        let sources = Sources::default();
        let mut f = Findings::new(&sources);
        let refs: Vec<(&Ingress, usize)> = ingresses.iter().map(|i| (i, usize::MAX)).collect();
        let table = build::compile(&refs, classes, secrets, services, opts, &mut f);
        (table, f.out)
    }
}
