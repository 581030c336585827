//! `validation`: Kubernetes name validation (`kroute::names`), as a namespace of functions.

use super::{describe, request_error, string_arg, to_js};
use wasm_bindgen::prelude::*;

/// Runs a string validator on `value` (lone surrogates read as U+FFFD, which no valid name
/// contains, so the verdict is the same).
fn check(value: &JsValue, f: fn(&str) -> Vec<String>) -> Result<JsValue, JsValue> {
    let text = string_arg(value, "value")?;
    to_js(&f(&text))
}

/// `IsDNS1123Label`: a lowercase RFC 1123 label of at most 63 characters (namespaces,
/// ServicePort names, hostnames). Returns the error messages; empty when valid.
#[wasm_bindgen(js_namespace = validation, js_name = dns1123Label, unchecked_return_type = "string[]")]
pub fn dns1123_label(#[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> Result<JsValue, JsValue> {
    check(&value, kroute::names::dns1123_label)
}

/// `IsDNS1123Subdomain`: dot-separated RFC 1123 labels, at most 253 characters (most object
/// names). Returns the error messages; empty when valid.
#[wasm_bindgen(js_namespace = validation, js_name = dns1123Subdomain, unchecked_return_type = "string[]")]
pub fn dns1123_subdomain(#[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> Result<JsValue, JsValue> {
    check(&value, kroute::names::dns1123_subdomain)
}

/// `IsDNS1035Label`: a DNS-1123 label starting with a letter (Service names). Returns the
/// error messages; empty when valid.
#[wasm_bindgen(js_namespace = validation, js_name = dns1035Label, unchecked_return_type = "string[]")]
pub fn dns1035_label(#[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> Result<JsValue, JsValue> {
    check(&value, kroute::names::dns1035_label)
}

/// `IsWildcardDNS1123Subdomain`: `*.` and a DNS-1123 subdomain (Ingress hosts). Returns the
/// error messages; empty when valid.
#[wasm_bindgen(js_namespace = validation, js_name = wildcardDns1123Subdomain, unchecked_return_type = "string[]")]
pub fn wildcard_dns1123_subdomain(
    #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
) -> Result<JsValue, JsValue> {
    check(&value, kroute::names::wildcard_dns1123_subdomain)
}

/// `IsQualifiedName`: a label key, `[prefix/]name`. Returns the error messages; empty when
/// valid.
#[wasm_bindgen(js_namespace = validation, js_name = qualifiedName, unchecked_return_type = "string[]")]
pub fn qualified_name(#[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> Result<JsValue, JsValue> {
    check(&value, kroute::names::qualified_name)
}

/// `IsValidLabelValue`: empty, or at most 63 characters of `[-A-Za-z0-9_.]` starting and
/// ending with an alphanumeric. Returns the error messages; empty when valid.
#[wasm_bindgen(js_namespace = validation, js_name = labelValue, unchecked_return_type = "string[]")]
pub fn label_value(#[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> Result<JsValue, JsValue> {
    check(&value, kroute::names::label_value)
}

/// `IsValidPortName` (IANA_SVC_NAME): at most 15 characters of `[-a-z0-9]`, at least one
/// letter. Returns the error messages; empty when valid.
#[wasm_bindgen(js_namespace = validation, js_name = portName, unchecked_return_type = "string[]")]
pub fn port_name(#[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> Result<JsValue, JsValue> {
    check(&value, kroute::names::port_name)
}

/// `IsValidPortNum`: an integer from 1 to 65535. Returns the error messages; empty when
/// valid. A number that is not an integer throws a `Request` error.
#[wasm_bindgen(js_namespace = validation, js_name = portNumber, unchecked_return_type = "string[]")]
pub fn port_number(#[wasm_bindgen(unchecked_param_type = "number")] value: JsValue) -> Result<JsValue, JsValue> {
    let n = match value.as_f64() {
        // `as` saturates: integers beyond i64 are out of range either way.
        Some(n) if n.fract() == 0.0 => n as i64,
        Some(n) => return Err(request_error(format!("value must be an integer, got {n}"))),
        None => return Err(request_error(format!("value must be a number, got {}", describe(&value)))),
    };
    to_js(&kroute::names::port_number(n))
}
