//! [`HttpDecision`]: where a request goes and why, in the canonical JSON shape of
//! `design.md` ("One API, three spellings"): camelCase keys, absent parts as `null`.

use crate::model::PathType;
use alloc::{string::String, vec::Vec};

/// The answer to "where does this HTTP request go, and why?".
///
/// Status codes follow the proxies (`design.md`): 200 routed; 301/308 redirected; 400 (or
/// 414) refused by the normaliser; 404 nothing matched (the controller's default backend);
/// 500 a rule matched but its backend Service or port does not exist; 503 the backend has no
/// usable (ready) endpoint.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpDecision {
    /// The HTTP status the client gets (before the backend answers).
    pub status: u16,
    /// A stable code for the outcome: `routed`, `default-backend`, `resource-backend`,
    /// `external-name`, `no-match`, `backend-invalid`, `no-endpoints`, `bad-request`,
    /// `https-redirect`, `slash-redirect`.
    pub reason: &'static str,
    /// The Ingress (and rule and path index) that decided; `null` for the controller's
    /// default backend and for refused requests.
    pub source: Option<Source>,
    /// How the host and the path matched.
    #[serde(rename = "match")]
    pub match_: Option<Match>,
    /// The backend chosen (a Service port, or a resource).
    pub backend: Option<Backend>,
    /// The certificate for an HTTPS request.
    pub tls: Option<Tls>,
    /// The redirect answered instead of proxying.
    pub redirect: Option<Redirect>,
    /// Cookie affinity for this location (ingress-nginx profile).
    pub affinity: Option<CookieAffinity>,
    /// The canary evaluation (ingress-nginx profile), when the backend has a canary.
    pub canary: Option<CanaryDecision>,
    /// What is forwarded upstream: the normalised host and path (with the query); `null`
    /// when the request is refused.
    pub upstream_request: Option<UpstreamRequest>,
    /// Every step of the decision, when asked to explain.
    pub trace: Option<Vec<TraceStep>>,
}

/// Which Ingress decided.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// Always `Ingress` for now (Gateway API routes later).
    pub kind: &'static str,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Index in `spec.rules`; `null` when `spec.defaultBackend` answered.
    pub rule: Option<usize>,
    /// Index in `spec.rules[rule].http.paths`; `null` when a default backend answered.
    pub path: Option<usize>,
}

/// How a host was matched (`spec/kubernetes-semantics.md` §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum HostMatch {
    /// The rule's host equals the request's.
    Exact,
    /// `*.foo.com` covering exactly one label.
    Wildcard,
    /// A rule without host (every host no other rule names).
    Any,
}

/// How the request matched.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Match {
    /// The rule host as written (`""` for a rule without host).
    pub host: String,
    /// How it matched.
    pub host_match: HostMatch,
    /// The rule path as written; `null` when a default backend answered.
    pub path: Option<String>,
    /// The rule's `pathType`.
    pub path_type: Option<PathType>,
    /// ingress-nginx profile: the nginx location that matched (`= /foo`, `/foo/`,
    /// `~* ^/foo`).
    pub location: Option<String>,
}

/// A backend's port as written in the Ingress: a number or a Service port name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum BackendPort {
    /// `port.number`.
    Number(i64),
    /// `port.name`.
    Name(String),
}

/// A `resource` backend (`spec/kubernetes-semantics.md` §3.3).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    /// `apiGroup`.
    pub api_group: String,
    /// `kind`.
    pub kind: String,
    /// `name`.
    pub name: String,
}

/// The backend a request goes to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backend {
    /// The Ingress's namespace (backends are always local to it).
    pub namespace: String,
    /// The Service name; `null` for a resource backend.
    pub service: Option<String>,
    /// The port as written in the Ingress.
    pub port: Option<BackendPort>,
    /// The Service port it resolves to; `null` when the Service or the port does not exist.
    pub service_port: Option<u16>,
    /// The resource, for a resource backend.
    pub resource: Option<ResourceRef>,
    /// Ready endpoints behind that Service port.
    pub usable_endpoints: usize,
}

/// The certificate served for an HTTPS request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tls {
    /// The server name the client sent (normalised).
    pub sni: String,
    /// The TLS host entry that covers it (`kubia.example.com`, `*.foo.com`); `null` when
    /// none does.
    pub host: Option<String>,
    /// The Secret's namespace.
    pub namespace: Option<String>,
    /// The Secret's name; `null` when the controller's default certificate is served.
    pub secret_name: Option<String>,
    /// The controller's default (self-signed) certificate is served: no TLS entry covers the
    /// name, the entry has no `secretName`, or the Secret is missing or not a TLS Secret.
    pub default_certificate: bool,
}

/// A redirect answered by the proxy itself.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Redirect {
    /// The `Location` header.
    pub location: String,
    /// 308 (ingress-nginx's `http-redirect-code`) or 301 (nginx's trailing-slash redirect).
    pub status: u16,
}

/// What is sent upstream.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpstreamRequest {
    /// The normalised host (`Host` as the backend sees it, without port).
    pub host: String,
    /// The normalised path with the query as sent (after `rewrite-target` in the
    /// ingress-nginx profile).
    pub path: String,
}

/// ingress-nginx cookie affinity for the matched location (`spec/http-routing.md` §3.3).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CookieAffinity {
    /// `session-cookie-name` (default `INGRESSCOOKIE`).
    pub name: String,
    /// `session-cookie-path`, else the matched location's path.
    pub path: String,
    /// `session-cookie-domain`.
    pub domain: Option<String>,
    /// `session-cookie-max-age`, emitted verbatim as `Max-Age=`.
    pub max_age: Option<String>,
    /// `session-cookie-expires`: `Expires=` now plus this many seconds.
    pub expires: Option<String>,
    /// `Secure`: the annotation, or always on HTTPS (`false` cannot switch it off there).
    pub secure: bool,
    /// `session-cookie-samesite` (`None`, `Lax`, `Strict`).
    pub samesite: Option<String>,
    /// `session-cookie-conditional-samesite-none`.
    pub conditional_samesite_none: bool,
    /// `affinity-mode`: `balanced` (default) or `persistent`.
    pub mode: &'static str,
    /// `session-cookie-change-on-failure`.
    pub change_on_failure: bool,
}

/// The canary evaluation (`spec/http-routing.md` §2.4: header, then cookie, then weight).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryDecision {
    /// The canary Ingress's namespace.
    pub namespace: String,
    /// The canary Ingress's name.
    pub ingress: String,
    /// The canary backend.
    pub backend: Backend,
    /// Whether the request goes to the canary; `null` when only a weighted draw can tell and
    /// none was given (the router draws).
    pub selected: Option<bool>,
    /// What decided: `header`, `cookie`, `weight`, or `header-pattern-error`.
    pub by: &'static str,
    /// `canary-weight`.
    pub weight: u64,
    /// `canary-weight-total` (100 unless larger).
    pub weight_total: u64,
}

/// One step of an explanation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceStep {
    /// `request`, `normalize`, `class`, `host`, `tls`, `path`, `redirect`, `canary`,
    /// `backend`, `affinity`.
    pub step: &'static str,
    /// What happened, for humans.
    pub message: String,
}
