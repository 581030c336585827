//! The npm package `kroute`: kroute's core through wasm-bindgen.
//!
//! A thin façade: it converts JS values to core types and back, and turns every failure into
//! a `KrouteError` (a real `Error` subclass with `kind`, `document`, `line`, `column` and
//! `field`). Nothing here computes anything the core does not.
//!
//! Conversions, in one place ([`json`]): every object argument is written as JSON text in JS
//! (getters and proxy traps run once, what they throw becomes a `KrouteError`, and a cycle, a
//! pathologically deep object or an enormous one is an error instead of a stack overflow), then
//! read by `serde_json` into the core's types with exactly the native crate's serde rules
//! (manifests into [`kroute::Tree`]s, key order kept; unknown field names of options and
//! requests are errors). Results go out as canonical JSON text, `JSON.parse`d into plain objects.
//!
//! A `Cluster` holds its snapshot as an `Arc`: `applyEvent` changes it copy-on-write, so
//! routers made before keep the snapshot they were made from.

mod json;
mod lookup;
mod request;
mod router;
mod validation;

use core::cell::RefCell;
use core::net::IpAddr;
use js_sys::Array;
use kroute::{ErrorKind, Labels, Options};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

pub use router::Router;

#[wasm_bindgen(inline_js = r#"
/** Every failure of the kroute API: bad manifests, a bad selector or a malformed request. */
export class KrouteError extends Error {
  constructor(message, kind, reason, document, line, column, field) {
    super(message);
    this.kind = kind;
    this.reason = reason;
    this.document = document ?? null;
    this.line = line ?? null;
    this.column = column ?? null;
    this.field = field ?? null;
  }

  /** The canonical JSON shape of the error (the same in Rust, Python and JS). */
  toJSON() {
    return {
      kind: this.kind,
      message: this.reason,
      document: this.document,
      line: this.line,
      column: this.column,
      field: this.field,
    };
  }
}
Object.defineProperty(KrouteError.prototype, "name", {
  value: "KrouteError",
  writable: true,
  configurable: true,
});

/** `Array.isArray`, false where it throws (a revoked proxy). */
export function isArraySafe(value) {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}
"#)]
extern "C" {
    /// The JS class `KrouteError` (defined above, re-exported by the package entries).
    #[wasm_bindgen(js_name = KrouteError)]
    type JsKrouteError;

    /// `new KrouteError(message, kind, reason, document, line, column, field)`.
    #[wasm_bindgen(constructor, js_class = KrouteError)]
    fn new(
        message: &str,
        kind: &str,
        reason: &str,
        document: Option<u32>,
        line: Option<u32>,
        column: Option<u32>,
        field: Option<String>,
    ) -> JsKrouteError;

    /// `Array.isArray`, false where it throws.
    #[wasm_bindgen(js_name = isArraySafe)]
    fn is_array(value: &JsValue) -> bool;

}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** How manifests are read and what the simulated cluster looks like; every field is optional. */
export interface Options {
  /** Namespace for namespaced objects that name none (default `"default"`). */
  namespace?: string;
  /** Service CIDR for cluster IPs (default `"10.96.0.0/12"`). */
  serviceCidr?: string;
  /** Pod CIDR for pods without an IP (default `"10.244.0.0/16"`). */
  podCidr?: string;
  /** Node-port range, inclusive (default `"30000-32767"`). */
  nodePortRange?: string;
  /** Cluster DNS domain (default `"cluster.local"`). */
  clusterDomain?: string;
  /**
   * Pods without any `status` are taken as Running and Ready, with an allocated IP
   * (default `true`). Pods with a `status` are always taken as written.
   */
  assumeRunningPods?: boolean;
  /** CoreDNS `pods` mode for `a-b-c-d.<ns>.pod.<zone>` records (default `"disabled"`). */
  dnsPods?: "disabled" | "insecure" | "verified";
  /**
   * Add the API server's `default/kubernetes` Service (first address of the service CIDR,
   * port 443 `https`) when the manifests lack it, as every real cluster has it (default `true`).
   */
  kubernetesService?: boolean;
  /** Whose HTTP routing to reproduce (default `"upstream"`: the Ingress API as specified). */
  profile?: "upstream" | "ingress-nginx";
  /** Route for this IngressClass only (default: the default class, else all). */
  ingressClass?: string | null;
  /** Merge runs of `/` in request paths (nginx's default; default `false`). */
  mergeSlashes?: boolean;
  /** What `%2F`/`%5C` in request paths do (default `"reject"`: 400). */
  escapedSlashes?: "reject" | "keep" | "unescape";
  /** How much input is read before it is refused with a `KrouteError` naming the limit. */
  limits?: Limits;
}

/** Limits on manifests and watch events; every field is optional. */
export interface Limits {
  /** Bytes of YAML or JSON text (default 32 MiB). */
  maxInputBytes?: number;
  /** Documents in a YAML stream, or objects given to `fromObjects` (default 10 000). */
  maxDocuments?: number;
  /** Objects once `List`s are flattened (default 100 000). */
  maxObjects?: number;
  /** Nesting of lists and maps; a document's top-level map is depth 1 (default 100, at most 128). */
  maxDepth?: number;
  /** Entries in one `labels`, `annotations`, `matchLabels` or `selector` map (default 1 000). */
  maxLabels?: number;
  /** Bytes of one string, key or value (default 2 MiB). */
  maxStringBytes?: number;
  /** YAML nodes that anchors and aliases may copy in all, a bound on "billion laughs" (default 100 000). */
  maxAliasExpansion?: number;
}

/** An HTTP request: the URL (absolute, `host/path`, or `/path`), method, headers, SNI, client. */
export interface HttpRequest {
  /** Absolute URL, `host/path`, or `/path`. */
  url: string;
  /** Method (default `"GET"`). */
  method?: string;
  /** Headers: `{name: value | values[]}` or `[[name, value], ...]`. */
  headers?: Record<string, string | string[]> | [string, string][];
  /** The TLS server name (defaults to the URL's host for `https://`). */
  sni?: string | null;
  /** The client's address. */
  clientIp?: string | null;
}

/** Where an HTTP request goes through the Ingresses, and why (see the core's `HttpDecision`). */
export interface HttpDecision {
  /** 200 routed, 301/308 redirect, 400 rejected request, 404 no rule, 500 bad backend, 503 no endpoint. */
  status: number;
  /** A stable word for why. */
  reason: string;
  /** Which Ingress, rule and path answered. */
  source: { kind: string; namespace: string; name: string; rule: number | null; path: number | null } | null;
  /** How host and path matched. */
  match: Record<string, unknown> | null;
  /** The backend chosen. */
  backend: { namespace: string; service: string | null; port: number | string | null; servicePort: number | null; resource: Record<string, unknown> | null; usableEndpoints: number } | null;
  /** TLS: the Secret serving the SNI name. */
  tls: Record<string, unknown> | null;
  /** A redirect the controller sends. */
  redirect: Record<string, unknown> | null;
  /** Cookie affinity settings (ingress-nginx). */
  affinity: Record<string, unknown> | null;
  /** The canary choice (ingress-nginx). */
  canary: Record<string, unknown> | null;
  /** The request the backend receives (host and normalised path). */
  upstreamRequest: { host: string; path: string } | null;
  /** Every step, when asked for. */
  trace: Record<string, unknown>[] | null;
}

/** An HTTP request routed on to an endpoint by a {@link Router}. */
export interface HttpRouted extends HttpDecision {
  /** The endpoint the controller proxies to. */
  endpoint: EndpointRef | null;
  /** The `Set-Cookie` value for cookie affinity, when a new endpoint was chosen. */
  setCookie: string | null;
  /** Whether the affinity cookie chose the endpoint. */
  sticky: "hit" | "new" | "none";
}

/** A set of labels, as on an object's `metadata.labels`. */
export interface Labels {
  [key: string]: string;
}

/** A port's transport protocol. */
export type Protocol = "TCP" | "UDP" | "SCTP";

/** EndpointSlice conditions of one endpoint. */
export interface Conditions {
  /** Ready to receive traffic: `publishNotReadyAddresses || (serving && !terminating)`. */
  ready: boolean;
  /** The pod's `Ready` condition is true (even while terminating). */
  serving: boolean;
  /** The pod has a deletion timestamp. */
  terminating: boolean;
}

/** One address × one port backing a Service. */
export interface Endpoint {
  /** The address. */
  ip: string;
  /** The port on the address (the resolved `targetPort`). */
  port: number;
  /** The Service port's name (empty for a single unnamed port). */
  portName: string;
  /** The Service port number this endpoint serves. */
  servicePort: number;
  /** Protocol. */
  protocol: Protocol;
  /** Conditions. */
  conditions: Conditions;
  /** The backing pod's name, when known. */
  pod: string | null;
  /** The node the endpoint runs on, when known. */
  node: string | null;
  /** The DNS hostname (`spec.hostname` when `spec.subdomain` names this Service). */
  hostname: string | null;
  /** The node's zone, when known. */
  zone: string | null;
  /** Topology hints: zones. */
  zoneHints: string[];
  /** Topology hints: nodes. */
  nodeHints: string[];
}

/** How serious a diagnostic is. */
export type Severity = "info" | "warning" | "error";

/** The object a diagnostic is about. */
export interface ObjectRef {
  /** Kind, like `Service`. */
  kind: string;
  /** Namespace (empty for cluster-scoped objects). */
  namespace: string;
  /** Name. */
  name: string;
}

/** One finding about the manifests: what, where and how serious. */
export interface Diagnostic {
  /** Severity. */
  severity: Severity;
  /** A stable kebab-case code, like `service-selects-nothing`. */
  code: string;
  /** A sentence for humans. */
  message: string;
  /** The object concerned, if any. */
  object: ObjectRef | null;
  /** The field path inside the object, like `spec.ports[0].targetPort`. */
  field: string | null;
  /** Index of the document the object came from. */
  document: number | null;
  /** 1-based line of the field (or of the object) in the input text. */
  line: number | null;
  /** 1-based column. */
  column: number | null;
}

/** A set-based requirement of a {@link LabelSelector}. */
export interface LabelSelectorRequirement {
  /** The label key the requirement applies to. */
  key: string;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
  operator: string;
  /** Values for `In` / `NotIn`; empty for `Exists` / `DoesNotExist`. */
  values?: string[];
}

/** `metav1.LabelSelector`: `matchLabels` and `matchExpressions`, all ANDed. */
export interface LabelSelector {
  /** `key: value` pairs; each is the requirement `key = value`. */
  matchLabels?: Labels;
  /** Set-based requirements. */
  matchExpressions?: LabelSelectorRequirement[];
}

/** What kind of failure a {@link KrouteError} is. */
export type ErrorKind = "Manifest" | "Selector" | "Request";

/** The canonical JSON shape of a {@link KrouteError} (the same in Rust, Python and JS). */
export interface KrouteErrorData {
  /** The failure class. */
  kind: ErrorKind;
  /** What went wrong, without the location. */
  message: string;
  /** Index of the YAML/JSON document (or of the object in a list of objects). */
  document: number | null;
  /** 1-based line in the input text. */
  line: number | null;
  /** 1-based column (for selectors: 1-based character position). */
  column: number | null;
  /** Field path inside the object, like `spec.ports[0].port`. */
  field: string | null;
}

/**
 * Every failure of the kroute API: manifests that cannot be read (`Manifest`), a selector
 * that does not parse or validate (`Selector`), a malformed call (`Request`). `message` is
 * the full text with its location; `reason` is the same without the location.
 */
export class KrouteError extends Error {
  readonly name: "KrouteError";
  /** The failure class. */
  readonly kind: ErrorKind;
  /** What went wrong, without the location. */
  readonly reason: string;
  /** Index of the YAML/JSON document (or of the object in a list of objects). */
  readonly document: number | null;
  /** 1-based line in the input text. */
  readonly line: number | null;
  /** 1-based column (for selectors: 1-based character position). */
  readonly column: number | null;
  /** Field path inside the object, like `spec.ports[0].port`. */
  readonly field: string | null;
  private constructor();
  /** The canonical JSON shape of the error. */
  toJSON(): KrouteErrorData;
}

/** Options of {@link Cluster.envVars}. */
export interface EnvVarsOptions {
  /** The pod's `spec.enableServiceLinks` (default `true`): `false` keeps only `default/kubernetes`. */
  enableServiceLinks?: boolean | null;
}

/** Where an environment variable comes from. */
export type EnvSource = "service" | "env";

/** One environment variable of a pod, with its origin. */
export interface EnvVar {
  /** Name, like `KUBIA_SERVICE_HOST`. */
  name: string;
  /** Value. */
  value: string;
  /** `service` (injected by kubelet) or `env` (the container's explicit `env`). */
  source: EnvSource;
  /** For service variables, the Service (`namespace/name`) they describe. */
  service: string | null;
}

/** The DNS query types kroute answers (case-insensitive on input). */
export type DnsType = "A" | "AAAA" | "SRV" | "PTR" | "CNAME" | "TXT";

/** The response code: `UPSTREAM` is a name outside the cluster domain (CoreDNS forwards it). */
export type Rcode = "NOERROR" | "NXDOMAIN" | "UPSTREAM";

/** A resource record in zone-file presentation. */
export interface DnsRecord {
  /** Owner name, fully qualified with the trailing dot. */
  name: string;
  /** Record type. */
  type: DnsType;
  /** TTL in seconds. */
  ttl: number;
  /** Data: `10.0.0.1`, `0 100 80 svc.ns.svc.cluster.local.`, `"1.1.0"`. */
  data: string;
}

/** A DNS answer, with every name the resolver tried. */
export interface DnsAnswer {
  /** Response code. */
  rcode: Rcode;
  /** Answer section. */
  answers: DnsRecord[];
  /** Additional section (addresses of SRV targets). */
  additional: DnsRecord[];
  /** Names tried, in order (one unless a search list applied). */
  tried: string[];
}

/** Options of {@link Cluster.usableEndpoints}. */
export interface UsableEndpointsOptions {
  /** The node whose kube-proxy is asked (default: none). */
  node?: string | null;
  /** The Service port, by number or name (default: the first port). */
  port?: number | string | null;
}

/** The topology mode kube-proxy applied to Cluster endpoints. */
export type TopologyMode = "" | "PreferSameZone" | "PreferSameNode";

/** kube-proxy's endpoint categories for one Service port on one node, in its names. */
export interface UsableEndpoints {
  /** Usable under Cluster policy, as `ip:port` (`null` when the Service never uses it). */
  clusterEndpoints: string[] | null;
  /** Usable under Local policy, as `ip:port` (`null` when the Service never uses it). */
  localEndpoints: string[] | null;
  /** Everything reachable from this node. */
  allReachableEndpoints: string[];
  /** Whether any usable endpoint exists anywhere. */
  hasAnyEndpoints: boolean;
  /** The topology mode applied. */
  topologyMode: TopologyMode;
}

/** How a router picks an endpoint among the usable ones. */
export type Balancer =
  | "random"
  | "round-robin"
  | "weighted"
  | "least-request"
  | "source-hash"
  | "maglev"
  | "ring-hash";

/** How a {@link Router} behaves; every field is optional. */
export interface RouterConfig {
  /** The node whose kube-proxy handles traffic that does not say where it arrives. */
  node?: string | null;
  /** Seed of the random draws (an integer, default 0). */
  seed?: number;
  /** The default balancer (default `"random"`; a Service's `kroute.dev/balancer` annotation overrides it). */
  balancer?: Balancer;
  /** Most clients the ClientIP affinity table remembers (default 1048576). */
  affinityCapacity?: number;
  /** Maglev table size: a prime up to 5000011 (default 65537). */
  maglevTableSize?: number;
  /** Record a trace of every decision step (default `false`). */
  explain?: boolean;
}

/** A connection attempt: `dstIp`, `dstPort` and one of `clientIp` or `fromPod`. */
export interface Conn {
  /** The client's address (for a pod client, its pod IP when omitted). */
  clientIp?: string | null;
  /** The client's source port, when known (the consistent-hash balancers use it). */
  clientPort?: number | null;
  /** The destination address. */
  dstIp: string;
  /** The destination port. */
  dstPort: number;
  /** The protocol (default `"TCP"`). */
  protocol?: Protocol;
  /** The client pod (`namespace/name`), when the connection starts inside the cluster. */
  fromPod?: string | null;
  /** The node the packet arrives at, overriding the router's node. */
  node?: string | null;
}

/** What kube-proxy does with the packet (`PASS`: not a Service address, left alone). */
export type Verdict = "FORWARD" | "DROP" | "REJECT" | "PASS";

/** How a connection reached its Service. */
export type Via = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalIP";

/** Whether ClientIP affinity chose the endpoint. */
export type AffinityOutcome = "hit" | "new" | "none";

/** The Service port a decision is about. */
export interface ServiceRef {
  /** Namespace. */
  namespace: string;
  /** Name. */
  name: string;
  /** The Service port number. */
  port: number;
  /** The port's name. */
  portName: string;
}

/** The endpoint a connection lands on. */
export interface EndpointRef {
  /** Address. */
  ip: string;
  /** Port. */
  port: number;
  /** Pod name, when known. */
  pod: string | null;
  /** Node name, when known. */
  node: string | null;
}

/** Where a connection goes, and why. */
export interface ConnDecision {
  /** FORWARD, DROP, REJECT or PASS. */
  verdict: Verdict;
  /** How the Service was reached. */
  via: Via | null;
  /** The Service port. */
  service: ServiceRef | null;
  /** The node whose kube-proxy handled the packet. */
  node: string | null;
  /** The chosen endpoint. */
  endpoint: EndpointRef | null;
  /** Whether the source address is masqueraded (the pod then sees a node address). */
  sourceNat: boolean;
  /** The client address the endpoint sees. */
  clientIpSeen: string | null;
  /** ClientIP affinity. */
  affinity: AffinityOutcome;
  /** The balancer used. */
  balancer: Balancer;
  /** Why, in one sentence. */
  reason: string;
  /** Every step, when the router explains. */
  trace: string[] | null;
}

/** A pod turning Ready or unready on the timeline. */
export interface ReadinessChange {
  /** When (seconds). */
  time: number;
  /** `namespace/name`. */
  pod: string;
  /** Ready after the change. */
  ready: boolean;
}

/** A scripted stretch of probe outcomes: `ok` for probe times before `until`. */
export interface ProbeStep {
  /** End of the stretch (seconds, exclusive). */
  until: number;
  /** The probe outcome during it. */
  ok: boolean;
}

/** A watch event type, as the API server sends it. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

/** A Kubernetes watch event (the API server's wire format). */
export interface WatchEvent {
  /** What happened. */
  type: WatchEventType;
  /** The object (a Pod, Service, Endpoints, EndpointSlice, Node, Ingress, …). */
  object: object;
}

/** What a watch event changed. */
export interface EventOutcome {
  /** The event type. */
  type: WatchEventType;
  /** The object's kind (empty for `BOOKMARK`). */
  kind: string;
  /** `namespace/name` (empty for `BOOKMARK`). */
  object: string;
  /** The Services whose endpoints were recomputed (`namespace/name`). */
  recomputed: string[];
  /** Whether the Ingress routing table was compiled again (Service, Ingress, IngressClass and Secret events). */
  httpRebuilt: boolean;
}

/** Loads the WebAssembly module (a no-op when it is loaded already, as in Node). */
export { __wbg_init as init };
"#;

// ---------------------------------------------------------------------------------------------
// Errors

/// The JS name of an error kind (the serde spelling of the core's `ErrorKind`).
fn kind_name(kind: ErrorKind) -> String {
    match kind {
        ErrorKind::Manifest => "Manifest".into(),
        ErrorKind::Selector => "Selector".into(),
        ErrorKind::Request => "Request".into(),
        other => format!("{other:?}"),
    }
}

/// A core error as a thrown `KrouteError`.
fn to_js_error(e: &kroute::Error) -> JsValue {
    JsKrouteError::new(
        &e.to_string(),
        &kind_name(e.kind),
        &e.message,
        e.document.and_then(|d| u32::try_from(d).ok()),
        e.line,
        e.column,
        e.field.clone(),
    )
    .into()
}

/// An error of `kind` without a location.
fn error(kind: ErrorKind, message: String) -> kroute::Error {
    kroute::Error { kind, message, document: None, line: None, column: None, field: None }
}

/// A thrown `KrouteError` of kind `Request` (wrong use of the API).
fn request_error(message: String) -> JsValue {
    to_js_error(&error(ErrorKind::Request, message))
}

/// `typeof`, as a noun for messages.
fn describe(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if is_array(value) {
        "an array".into()
    } else {
        match value.js_typeof().as_string().as_deref() {
            Some("undefined") => "undefined".into(),
            Some("object") => "an object".into(),
            Some(t @ ("number" | "string" | "boolean" | "bigint" | "symbol" | "function")) => {
                format!("a {t}")
            }
            Some(other) => other.into(),
            None => "a value".into(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments

/// A string argument, or a `Request` error naming it.
fn string_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| request_error(format!("{what} must be a string, got {}", describe(value))))
}

/// The elements of an array argument (a new array, so that reading it again runs no getter or
/// proxy trap); `None` when it is not an array.
fn array_arg(value: &JsValue, what: &str) -> Result<Option<Array>, JsValue> {
    json::elements(value).map_err(|m| request_error(format!("{what}: {m}")))
}

/// A plain-data argument (labels, a label selector) read with the native crate's serde rules.
fn data_arg<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsValue> {
    json::read(value, json::Nulls::Keep).map_err(|m| request_error(format!("{what}: {m}")))
}

/// A record argument (an object read with serde): `null` and `undefined` fields mean "absent",
/// so that they take their defaults. Anything but a plain object is a `Request` error.
fn record_arg<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsValue> {
    if !value.is_object() || is_array(value) {
        return Err(request_error(format!("{what} must be an object, got {}", describe(value))));
    }
    json::read(value, json::Nulls::OmitInRecord).map_err(|m| request_error(format!("{what}: {m}")))
}

/// An optional record argument: `undefined` / `null` → the defaults, else [`record_arg`].
fn optional_record_arg<T: DeserializeOwned + Default>(value: &JsValue, what: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    record_arg(value, what)
}

/// `undefined` / `null` → the defaults; an object → its fields (a `null` or `undefined` field
/// means the default too); anything else is a `Request` error.
fn options_arg(value: &JsValue) -> Result<Options, JsValue> {
    optional_record_arg(value, "options")
}

/// `undefined` / `null` → `None`; a string → `Some`; anything else is a `Request` error.
fn optional_string_arg(value: &JsValue, what: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    string_arg(value, what).map(Some)
}

/// A boolean argument.
fn bool_arg(value: &JsValue, what: &str) -> Result<bool, JsValue> {
    value.as_bool().ok_or_else(|| request_error(format!("{what} must be a boolean, got {}", describe(value))))
}

/// A point in time, in seconds: a finite number (`undefined` and `null` are 0 when `optional`).
fn time_arg(value: &JsValue, what: &str, optional: bool) -> Result<f64, JsValue> {
    if optional && (value.is_undefined() || value.is_null()) {
        return Ok(0.0);
    }
    match value.as_f64() {
        Some(t) if t.is_finite() => Ok(t),
        Some(t) => Err(request_error(format!("{what} must be a finite number of seconds, got {t}"))),
        None => Err(request_error(format!("{what} must be a number of seconds, got {}", describe(value)))),
    }
}

/// A whole number in `0..=max`.
fn integer_arg(value: &JsValue, what: &str, max: f64) -> Result<f64, JsValue> {
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=max).contains(&n) => Ok(n),
        Some(n) => Err(request_error(format!("{what} must be an integer from 0 to {max}, got {n}"))),
        None => Err(request_error(format!("{what} must be a number, got {}", describe(value)))),
    }
}

/// An IP address given as a string.
fn ip_arg(value: &JsValue, what: &str) -> Result<IpAddr, JsValue> {
    let text = string_arg(value, what)?;
    text.parse().map_err(|_| request_error(format!("{what} must be an IP address, got {text:?}")))
}

/// A label set: an object (or `Map`) of strings.
fn labels_arg(value: &JsValue) -> Result<Labels, JsValue> {
    if !value.is_object() || is_array(value) {
        return Err(request_error(format!("labels must be an object of strings, got {}", describe(value))));
    }
    data_arg(value, "labels")
}

/// Manifests given as objects, one document per array element; an element that cannot be
/// read is a `Manifest` error naming its index as the document.
fn objects_arg(value: &JsValue) -> Result<Vec<kroute::Tree>, JsValue> {
    let Some(array) = array_arg(value, "objects")? else {
        return Err(request_error(format!("objects must be an array of objects, got {}", describe(value))));
    };
    let mut trees = Vec::with_capacity(usize::try_from(array.length()).unwrap_or(0));
    for (document, item) in array.iter().enumerate() {
        let tree = json::read(&item, json::Nulls::Keep).map_err(|m| {
            let mut e = error(ErrorKind::Manifest, m);
            e.document = Some(document);
            to_js_error(&e)
        })?;
        trees.push(tree);
    }
    Ok(trees)
}

/// A result in the canonical JSON shape: plain objects, `None` as `null`.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    json::write(value).map_err(|m| request_error(format!("cannot convert the result: {m}")))
}

/// The options of `Cluster.envVars`.
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct EnvVarsOptions {
    enable_service_links: Option<bool>,
}

/// The options of `Cluster.usableEndpoints`.
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct UsableEndpointsOptions {
    node: Option<String>,
    port: Option<kroute::Tree>,
}

/// Sets `field` on a thrown KrouteError (which element of a batch failed).
fn with_field(e: JsValue, field: String) -> JsValue {
    let _ = js_sys::Reflect::set(&e, &JsValue::from_str("field"), &JsValue::from_str(&field));
    e
}

/// A DNS query type by name (case-insensitive); an unknown one is a `Request` error.
fn qtype_arg(name: &str) -> Result<kroute::QType, kroute::Error> {
    kroute::QType::parse(name).ok_or_else(|| {
        error(ErrorKind::Request, format!("unknown DNS type {name:?}: expected A, AAAA, SRV, PTR, CNAME or TXT"))
    })
}

// ---------------------------------------------------------------------------------------------
// Cluster

/// A compiled snapshot of a cluster's networking objects: load manifests once, then ask
/// questions. Problems in the manifests are {@link Diagnostic}s; only input that cannot be
/// read at all, or wrong use of the API, throws a {@link KrouteError}.
///
/// {@link Cluster.applyEvent} changes the cluster in place; routers made before keep the
/// snapshot they were made from.
#[wasm_bindgen]
pub struct Cluster {
    /// The snapshot; replaced (copy on write) by `applyEvent` while routers share the old one.
    inner: RefCell<Arc<kroute::Cluster>>,
    /// `lookupHttp`'s numbered answers for the snapshot.
    answers: RefCell<lookup::Answers>,
}

/// Loads YAML text with the core's YAML reader.
#[cfg(feature = "yaml")]
fn load_yaml(text: &str, options: &Options) -> Result<kroute::Cluster, kroute::Error> {
    kroute::Cluster::from_yaml(text, options)
}

/// The `kroute/lite` build has no YAML reader: a `Request` error that says what to use instead.
#[cfg(not(feature = "yaml"))]
fn load_yaml(_text: &str, _options: &Options) -> Result<kroute::Cluster, kroute::Error> {
    Err(error(
        ErrorKind::Request,
        String::from(
            "kroute/lite cannot read YAML: use Cluster.fromJson or Cluster.fromObjects, \
             or import \"kroute\" (with YAML loading)",
        ),
    ))
}

impl Cluster {
    fn new(inner: kroute::Cluster) -> Self {
        Self { inner: RefCell::new(Arc::new(inner)), answers: RefCell::default() }
    }

    /// Runs `f` on the numbered answers of `lookupHttp`.
    fn with_answers<R>(&self, f: impl FnOnce(&mut lookup::Answers) -> R) -> Result<R, JsValue> {
        let mut answers =
            self.answers.try_borrow_mut().map_err(|_| request_error("the cluster is in use by another call".into()))?;
        Ok(f(&mut answers))
    }

    /// The current snapshot (a cheap `Arc` clone: no borrow outlives this call).
    fn snapshot(&self) -> Result<Arc<kroute::Cluster>, JsValue> {
        self.inner
            .try_borrow()
            .map(|c| Arc::clone(&c))
            .map_err(|_| request_error("the cluster is being changed by another call".into()))
    }
}

#[wasm_bindgen]
impl Cluster {
    /// Loads multi-document YAML (or JSON) text.
    #[wasm_bindgen(js_name = fromYaml)]
    pub fn from_yaml(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: JsValue,
    ) -> Result<Cluster, JsValue> {
        let text = string_arg(&text, "text")?;
        let options = options_arg(&options)?;
        load_yaml(&text, &options).map(Cluster::new).map_err(|e| to_js_error(&e))
    }

    /// Loads JSON text: one object, a `List`, or an array of objects.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: JsValue,
    ) -> Result<Cluster, JsValue> {
        let text = string_arg(&text, "text")?;
        let options = options_arg(&options)?;
        kroute::Cluster::from_json(&text, &options).map(Cluster::new).map_err(|e| to_js_error(&e))
    }

    /// Loads already-parsed objects (plain JS objects, as `JSON.parse` or a YAML library
    /// gives them), one manifest per element.
    #[wasm_bindgen(js_name = fromObjects)]
    pub fn from_objects(
        #[wasm_bindgen(unchecked_param_type = "readonly object[]")] objects: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: JsValue,
    ) -> Result<Cluster, JsValue> {
        let objects = objects_arg(&objects)?;
        let options = options_arg(&options)?;
        kroute::Cluster::from_objects(objects, &options).map(Cluster::new).map_err(|e| to_js_error(&e))
    }

    /// Findings about the manifests, ordered by document, line and column.
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn diagnostics(&self) -> Result<JsValue, JsValue> {
        to_js(self.snapshot()?.diagnostics())
    }

    /// The endpoints of Service `namespace/service`: one per (address, port), ordered by
    /// Service port then address. An unknown Service throws a `Request` error.
    #[wasm_bindgen(unchecked_return_type = "Endpoint[]")]
    pub fn endpoints(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] service: JsValue,
    ) -> Result<JsValue, JsValue> {
        let namespace = string_arg(&namespace, "namespace")?;
        let service = string_arg(&service, "service")?;
        let cluster = self.snapshot()?;
        let endpoints = cluster.endpoints(&namespace, &service).map_err(|e| to_js_error(&e))?;
        to_js(endpoints)
    }

    /// The service variables kubelet injects into a pod in `namespace` (`*_SERVICE_HOST`,
    /// `*_PORT_*`), grouped by Service in name order, each group in kubelet's order.
    /// `enableServiceLinks: false` keeps only the `default/kubernetes` ones.
    #[wasm_bindgen(js_name = envVars, unchecked_return_type = "EnvVar[]")]
    pub fn env_vars(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "EnvVarsOptions | null")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let namespace = string_arg(&namespace, "namespace")?;
        let options: EnvVarsOptions = optional_record_arg(&options, "options")?;
        let links = options.enable_service_links.unwrap_or(true);
        to_js(&self.snapshot()?.env_vars(&namespace, links))
    }

    /// The environment of a container of pod `namespace/pod` (the first container when
    /// `container` is omitted): its explicit `env` first, then the service variables it does
    /// not override. An unknown pod or container throws a `Request` error.
    #[wasm_bindgen(js_name = podEnv, unchecked_return_type = "EnvVar[]")]
    pub fn pod_env(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] pod: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] container: JsValue,
    ) -> Result<JsValue, JsValue> {
        let namespace = string_arg(&namespace, "namespace")?;
        let pod = string_arg(&pod, "pod")?;
        let container = optional_string_arg(&container, "container")?;
        let env = self.snapshot()?.pod_env(&namespace, &pod, container.as_deref()).map_err(|e| to_js_error(&e))?;
        to_js(&env)
    }

    /// Where an HTTP request goes through the cluster's Ingresses (without picking an
    /// endpoint); `explain` adds the trace; `canaryDraw` fixes the weighted-canary draw.
    #[wasm_bindgen(js_name = routeHttp, unchecked_return_type = "HttpDecision")]
    pub fn route_http(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HttpRequest | string")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "boolean | null")] explain: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] canary_draw: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = request::http_request_arg(&request)?;
        let explain = explain.as_bool().unwrap_or(false);
        // The random draw for weighted canaries (an integer), for reproducible choices.
        let draw = match canary_draw.as_f64() {
            Some(d) => {
                Some(integer_arg(&canary_draw, "canaryDraw", 9_007_199_254_740_991.0)? as u64).filter(|_| d >= 0.0)
            }
            None => None,
        };
        let decision = self.snapshot()?.route_http_with_draw(&request, explain, draw).map_err(|e| to_js_error(&e))?;
        to_js(&decision)
    }

    /// Routes many requests in one call (for throughput).
    #[wasm_bindgen(js_name = routeHttpMany, unchecked_return_type = "HttpDecision[]")]
    pub fn route_http_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly (HttpRequest | string)[]")] requests: JsValue,
    ) -> Result<JsValue, JsValue> {
        let requests = request::http_requests_arg(&requests)?;
        let cluster = self.snapshot()?;
        let out = requests.iter().map(|r| cluster.route_http(r, false)).collect::<Result<Vec<_>, _>>();
        to_js(&out.map_err(|e| to_js_error(&e))?)
    }

    /// Which Ingress rule answers `url` (absolute, `host/path` or `/path`), normalised as
    /// `routeHttp` normalises it, without a decision: `{result: "matched", ...}`,
    /// `{result: "no-route"}` (the controller's 404) or `{result: "refused", reason}` (400).
    /// A string that is not a URL throws a `Request` error.
    #[wasm_bindgen(js_name = lookupHttp, unchecked_return_type = "UrlLookup")]
    pub fn lookup_http(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
    ) -> Result<JsValue, JsValue> {
        let snapshot = self.snapshot()?;
        self.with_answers(|a| a.one(&snapshot, &url))?
    }

    /// `lookupHttp` for many URLs in one call (for throughput). The first element that is not
    /// a URL string throws, with `field` naming it (`urls[3]`).
    #[wasm_bindgen(js_name = lookupHttpMany, unchecked_return_type = "UrlLookup[]")]
    pub fn lookup_http_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly string[]")] urls: JsValue,
    ) -> Result<JsValue, JsValue> {
        let snapshot = self.snapshot()?;
        self.with_answers(|a| a.many(&snapshot, &urls))?
    }

    /// Resolves `name` as cluster DNS (CoreDNS) answers it; `type` defaults to `"A"`. With
    /// `namespace`, as a pod in that namespace asks: through its search list with `ndots:5`,
    /// every name tried listed in `tried`. Without, `name` is taken as fully qualified.
    #[wasm_bindgen(unchecked_return_type = "DnsAnswer")]
    pub fn resolve(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DnsType | Lowercase<DnsType> | null")] r#type: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] namespace: JsValue,
    ) -> Result<JsValue, JsValue> {
        let name = string_arg(&name, "name")?;
        let qtype = optional_string_arg(&r#type, "type")?;
        let qtype = qtype_arg(qtype.as_deref().unwrap_or("A")).map_err(|e| to_js_error(&e))?;
        let namespace = optional_string_arg(&namespace, "namespace")?;
        let answer = self.snapshot()?.resolve(&name, qtype, namespace.as_deref()).map_err(|e| to_js_error(&e))?;
        to_js(&answer)
    }

    /// kube-proxy's endpoint categories for a port of Service `namespace/service` on a node:
    /// `clusterEndpoints`, `localEndpoints`, `allReachableEndpoints` (as `ip:port`),
    /// `hasAnyEndpoints`. `port` (a number or a name) defaults to the first port.
    #[wasm_bindgen(js_name = usableEndpoints, unchecked_return_type = "UsableEndpoints")]
    pub fn usable_endpoints(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] service: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UsableEndpointsOptions | null")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let namespace = string_arg(&namespace, "namespace")?;
        let service = string_arg(&service, "service")?;
        let options: UsableEndpointsOptions = optional_record_arg(&options, "options")?;
        let port = match options.port.map(|t| t.value) {
            None => None,
            Some(kroute::Value::Str(name)) => Some(name),
            Some(kroute::Value::Int(n)) => Some(n.to_string()),
            Some(other) => {
                let got = serde_json::to_string(&kroute::Tree::new(other)).unwrap_or_default();
                return Err(request_error(format!("options.port must be a port number or name, got {got}")));
            }
        };
        let usable = self
            .snapshot()?
            .usable_endpoints(&namespace, &service, options.node.as_deref(), port.as_deref())
            .map_err(|e| to_js_error(&e))?;
        to_js(&usable)
    }

    /// A stateful connection router over the cluster as it is now (later `applyEvent` calls on
    /// the cluster do not change it; {@link Router.applyEvent} does): balancers, ClientIP
    /// affinity, readiness over time.
    pub fn router(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RouterConfig | null")] config: JsValue,
    ) -> Result<Router, JsValue> {
        let config = router::config_arg(&config)?;
        Ok(Router::new(self.snapshot()?.router(config)))
    }

    /// Applies a Kubernetes watch event (`{type: "ADDED" | "MODIFIED" | "DELETED", object}`)
    /// to this cluster in place: each kind recomputes only what depends on it (a Pod the
    /// Services selecting it, a Service its endpoints, addresses and the Ingress table, …).
    /// Routers made before keep their snapshot.
    #[wasm_bindgen(js_name = applyEvent, unchecked_return_type = "EventOutcome")]
    pub fn apply_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WatchEvent")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tree = event_arg(&event)?;
        let mut slot =
            self.inner.try_borrow_mut().map_err(|_| request_error("the cluster is in use by another call".into()))?;
        let outcome = Arc::make_mut(&mut slot).apply_event(&tree).map_err(|e| to_js_error(&e))?;
        drop(slot);
        self.with_answers(lookup::Answers::clear)?;
        to_js(&outcome)
    }
}

/// A watch event argument as a tree.
pub(crate) fn event_arg(event: &JsValue) -> Result<kroute::Tree, JsValue> {
    if !event.is_object() || is_array(event) {
        return Err(request_error(format!("event must be a watch event object, got {}", describe(event))));
    }
    json::read(event, json::Nulls::Keep).map_err(|m| to_js_error(&error(ErrorKind::Manifest, format!("event: {m}"))))
}

// ---------------------------------------------------------------------------------------------
// Selector

/// A label selector, exactly as Kubernetes (apimachinery `pkg/labels`) parses, validates,
/// matches and prints it.
#[wasm_bindgen]
pub struct Selector {
    inner: kroute::Selector,
}

#[wasm_bindgen]
impl Selector {
    /// Parses the string syntax (`app=web,tier in (a,b),!canary`). A selector that does not
    /// parse throws a `Selector` error whose `column` is the 1-based position of the
    /// offending token.
    pub fn parse(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<Selector, JsValue> {
        let text = string_arg(&text, "text")?;
        kroute::Selector::parse(&text).map(|inner| Selector { inner }).map_err(|e| to_js_error(&e))
    }

    /// `key = value` for every pair, as a Service's `spec.selector` selects pods; `{}`
    /// selects everything.
    #[wasm_bindgen(js_name = fromLabels)]
    pub fn from_labels(#[wasm_bindgen(unchecked_param_type = "Labels")] labels: JsValue) -> Result<Selector, JsValue> {
        let labels = labels_arg(&labels)?;
        kroute::Selector::from_labels(&labels).map(|inner| Selector { inner }).map_err(|e| to_js_error(&e))
    }

    /// `metav1.LabelSelector`: `null` (or `undefined`) selects nothing, `{}` everything.
    #[wasm_bindgen(js_name = fromLabelSelector)]
    pub fn from_label_selector(
        #[wasm_bindgen(unchecked_param_type = "LabelSelector | null")] selector: JsValue,
    ) -> Result<Selector, JsValue> {
        let parsed: Option<kroute::model::LabelSelector> = if selector.is_null() || selector.is_undefined() {
            None
        } else if !selector.is_object() || is_array(&selector) {
            return Err(request_error(format!(
                "selector must be a LabelSelector object or null, got {}",
                describe(&selector)
            )));
        } else {
            Some(data_arg(&selector, "selector")?)
        };
        kroute::Selector::from_label_selector(parsed.as_ref())
            .map(|inner| Selector { inner })
            .map_err(|e| to_js_error(&e))
    }

    /// Whether the labels satisfy every requirement.
    pub fn matches(&self, #[wasm_bindgen(unchecked_param_type = "Labels")] labels: JsValue) -> Result<bool, JsValue> {
        let labels = labels_arg(&labels)?;
        Ok(self.inner.matches(&labels))
    }

    /// The canonical form: requirements in key order, joined by `,`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}
