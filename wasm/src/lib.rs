//! The npm package `kroute`: kroute's core through wasm-bindgen.
//!
//! A thin façade: it converts JS values to core types and back, and turns every failure into
//! a `KrouteError` (a real `Error` subclass with `kind`, `document`, `line`, `column` and
//! `field`). Nothing here computes anything the core does not.
//!
//! Conversions, in one place:
//! - manifests given as objects go through `serde_wasm_bindgen` straight into
//!   [`kroute::Tree`]s (key order kept), after a nesting check so that a cycle or a
//!   pathologically deep object is an error instead of a stack overflow;
//! - options, labels and label selectors go through `serde_json::Value`, so that they are read
//!   by exactly the serde rules of the native crate (unknown option names are errors there
//!   too);
//! - results go out through `serde_wasm_bindgen` as plain objects, `None` as `null`: the
//!   canonical JSON shape of the shared vectors.

use js_sys::{Array, Map, Object};
use kroute::{ErrorKind, Labels, Options};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How deep objects given to the API may nest (`serde_json`'s recursion limit); deeper input,
/// or a cycle, is an error.
const MAX_DEPTH: usize = 128;

/// How many objects and arrays one argument may hold in total (guards against a small
/// object graph that shares children and so unfolds into an enormous tree).
const MAX_CONTAINERS: usize = 4 << 20;

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
    } else if Array::is_array(value) {
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

/// Checks that `root` nests at most [`MAX_DEPTH`] levels and holds at most
/// [`MAX_CONTAINERS`] objects and arrays, walking it without recursion. Walks what
/// `serde_wasm_bindgen` reads: array elements, `Map` keys and values, own enumerable values.
fn check_nesting(root: &JsValue) -> Result<(), String> {
    let mut stack: Vec<(JsValue, usize)> = vec![(root.clone(), 0)];
    let mut containers = 0usize;
    while let Some((value, depth)) = stack.pop() {
        if !value.is_object() {
            continue;
        }
        containers += 1;
        if containers > MAX_CONTAINERS {
            return Err(format!("more than {MAX_CONTAINERS} nested objects and arrays in one argument"));
        }
        if depth >= MAX_DEPTH {
            return Err(format!("objects nest deeper than {MAX_DEPTH} levels (or contain a cycle)"));
        }
        let children: Array = if Array::is_array(&value) {
            value.unchecked_into::<Array>()
        } else if let Some(map) = value.dyn_ref::<Map>() {
            let pairs = Array::new();
            map.for_each(&mut |v, k| {
                pairs.push(&k);
                pairs.push(&v);
            });
            pairs
        } else {
            Object::values(value.unchecked_ref::<Object>())
        };
        for child in children.iter() {
            if child.is_object() {
                stack.push((child, depth + 1));
            }
        }
    }
    Ok(())
}

/// A plain-data argument (options, labels, a label selector) as `serde_json::Value`, so that
/// it is then read with exactly the native crate's serde rules.
fn json_arg(value: &JsValue, what: &str) -> Result<serde_json::Value, JsValue> {
    check_nesting(value).map_err(|m| request_error(format!("{what}: {m}")))?;
    serde_wasm_bindgen::from_value(value.clone()).map_err(|e| request_error(format!("{what}: {}", serde_message(&e))))
}

/// `undefined` / `null` → the defaults; an object → its fields (a `null` or `undefined` field
/// means the default too); anything else is a `Request` error.
fn options_arg(value: &JsValue) -> Result<Options, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Options::default());
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(request_error(format!("options must be an object, got {}", describe(value))));
    }
    let mut json = json_arg(value, "options")?;
    if let serde_json::Value::Object(map) = &mut json {
        map.retain(|_, v| !v.is_null());
    }
    serde_json::from_value(json).map_err(|e| request_error(format!("options: {e}")))
}

/// A label set: an object (or `Map`) of strings.
fn labels_arg(value: &JsValue) -> Result<Labels, JsValue> {
    if !value.is_object() || Array::is_array(value) {
        return Err(request_error(format!("labels must be an object of strings, got {}", describe(value))));
    }
    let json = json_arg(value, "labels")?;
    serde_json::from_value(json).map_err(|e| request_error(format!("labels: {e}")))
}

/// Manifests given as objects, one document per array element; an element that cannot be
/// read is a `Manifest` error naming its index as the document.
fn objects_arg(value: &JsValue) -> Result<Vec<kroute::Tree>, JsValue> {
    let Some(array) = value.dyn_ref::<Array>() else {
        return Err(request_error(format!("objects must be an array of objects, got {}", describe(value))));
    };
    let mut trees = Vec::with_capacity(usize::try_from(array.length()).unwrap_or(0));
    for (document, item) in array.iter().enumerate() {
        let tree = check_nesting(&item)
            .and_then(|()| serde_wasm_bindgen::from_value(item).map_err(|e| serde_message(&e)))
            .map_err(|m| {
                let mut e = error(ErrorKind::Manifest, m);
                e.document = Some(document);
                to_js_error(&e)
            })?;
        trees.push(tree);
    }
    Ok(trees)
}

/// A `serde_wasm_bindgen` error's text, without the `Error: ` of the JS error it wraps.
fn serde_message(e: &serde_wasm_bindgen::Error) -> String {
    let text = e.to_string();
    match text.strip_prefix("Error: ") {
        Some(rest) => rest.into(),
        None => text,
    }
}

/// A result in the canonical JSON shape: plain objects, `None` as `null`.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let serializer =
        serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true).serialize_missing_as_null(true);
    value.serialize(&serializer).map_err(|e| request_error(format!("cannot convert the result: {e}")))
}

// ---------------------------------------------------------------------------------------------
// Cluster

/// A compiled snapshot of a cluster's networking objects: load manifests once, then ask
/// questions. Problems in the manifests are {@link Diagnostic}s; only input that cannot be
/// read at all, or wrong use of the API, throws a {@link KrouteError}.
#[wasm_bindgen]
pub struct Cluster {
    inner: kroute::Cluster,
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
        kroute::Cluster::from_yaml(&text, &options).map(|inner| Cluster { inner }).map_err(|e| to_js_error(&e))
    }

    /// Loads JSON text: one object, a `List`, or an array of objects.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Options | null")] options: JsValue,
    ) -> Result<Cluster, JsValue> {
        let text = string_arg(&text, "text")?;
        let options = options_arg(&options)?;
        kroute::Cluster::from_json(&text, &options).map(|inner| Cluster { inner }).map_err(|e| to_js_error(&e))
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
        kroute::Cluster::from_objects(objects, &options).map(|inner| Cluster { inner }).map_err(|e| to_js_error(&e))
    }

    /// Findings about the manifests, ordered by document, line and column.
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn diagnostics(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.diagnostics())
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
        let endpoints = self.inner.endpoints(&namespace, &service).map_err(|e| to_js_error(&e))?;
        to_js(endpoints)
    }
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
        } else if !selector.is_object() || Array::is_array(&selector) {
            return Err(request_error(format!(
                "selector must be a LabelSelector object or null, got {}",
                describe(&selector)
            )));
        } else {
            let json = json_arg(&selector, "selector")?;
            Some(serde_json::from_value(json).map_err(|e| request_error(format!("selector: {e}")))?)
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
