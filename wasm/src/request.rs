//! HTTP request arguments: an `HttpRequest` object or a URL string (a `GET`), one or many.

use super::{describe, is_array, json, request_error, with_field};
use core::fmt;
use kroute::http::HttpRequest;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use wasm_bindgen::prelude::*;

/// A request as JS gives it: an `HttpRequest` object (absent fields take their defaults) or a
/// URL string.
struct RequestArg(HttpRequest);

impl<'de> Deserialize<'de> for RequestArg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RequestArg;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an HttpRequest object or a URL string")
            }
            fn visit_str<E: de::Error>(self, url: &str) -> Result<RequestArg, E> {
                Ok(RequestArg(HttpRequest::new(url)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RequestArg, A::Error> {
                HttpRequest::deserialize(de::value::MapAccessDeserializer::new(map)).map(RequestArg)
            }
        }
        d.deserialize_any(V)
    }
}

/// A request object, or a URL string for a `GET`.
pub(crate) fn http_request_arg(value: &JsValue) -> Result<HttpRequest, JsValue> {
    if let Some(url) = value.as_string() {
        return Ok(HttpRequest::new(url));
    }
    if !value.is_object() || is_array(value) {
        return Err(request_error(format!("request must be an object or a URL string, got {}", describe(value))));
    }
    json::read(value, json::Nulls::OmitInRecord).map_err(|m| request_error(format!("request: {m}")))
}

/// An array of requests, read in one pass; the first bad element is named in the error's
/// message and `field` (`requests[3]`).
pub(crate) fn http_requests_arg(value: &JsValue) -> Result<Vec<HttpRequest>, JsValue> {
    if !is_array(value) {
        return Err(request_error(format!("requests must be an array, got {}", describe(value))));
    }
    let text = json::text(value, json::Nulls::OmitInElements).map_err(|m| request_error(format!("requests: {m}")))?;
    match serde_json::from_str::<Vec<RequestArg>>(&text) {
        Ok(requests) => Ok(requests.into_iter().map(|r| r.0).collect()),
        Err(e) => Err(first_bad(&text).unwrap_or_else(|| request_error(format!("requests: {}", json::message(&e))))),
    }
}

/// The error of the first element of `text` (a JSON array) that is not a request.
fn first_bad(text: &str) -> Option<JsValue> {
    // Each element again as JSON text: reading a `serde_json::Value` would compile the request
    // reader a second time (the `.wasm` size).
    let elements: Vec<kroute::Tree> = serde_json::from_str(text).ok()?;
    elements.iter().enumerate().find_map(|(i, v)| {
        let one = serde_json::to_string(v).ok()?;
        let e = serde_json::from_str::<RequestArg>(&one).err()?;
        Some(with_field(request_error(format!("requests[{i}]: {}", json::message(&e))), format!("requests[{i}]")))
    })
}
