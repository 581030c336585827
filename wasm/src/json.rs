//! Values across the JS/wasm boundary as JSON text: arguments are written by `toJson` (below,
//! in JS) and read with `serde_json`, by exactly the serde rules of the native crate; results
//! are written by `serde_json` and read by `JSON.parse`. Only serde_json's code is in the
//! module, and one call moves a whole value (instead of one call per field).

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How deep objects given to the API may nest (`serde_json`'s recursion limit); deeper input,
/// or a cycle, is an error.
const MAX_DEPTH: u32 = 128;

/// How many objects and arrays one argument may hold in total (guards against a small
/// object graph that shares children and so unfolds into an enormous tree).
const MAX_CONTAINERS: u32 = 4 << 20;

#[wasm_bindgen(inline_js = r#"
/** A limit of `toJson`, as opposed to an exception thrown by the caller's own objects. */
class Limit {
  constructor(message) {
    this.message = message;
  }
}

/** `String(e)`, even for values whose conversion throws. */
function text(e) {
  try {
    return String(e);
  } catch {
    return "an exception";
  }
}

/** A new array of the elements of `value` (at most `maxLength`), or null when not an array. */
export function elementsOf(value, maxLength) {
  try {
    if (!Array.isArray(value)) return null;
    const length = value.length;
    if (!(length <= maxLength)) throw new Limit(`an array of more than ${maxLength} elements`);
    const out = [];
    for (let i = 0; i < length; i++) out.push(value[i]);
    return out;
  } catch (e) {
    throw e instanceof Limit ? e.message : `reading it threw ${text(e)}`;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A JSON string literal; lone surrogates become U+FFFD, as in every other string argument. */
function quote(s) {
  const ok = typeof s.isWellFormed === "function" ? s.isWellFormed() : !LONE_SURROGATE.test(s);
  LONE_SURROGATE.lastIndex = 0;
  return JSON.stringify(ok ? s : s.replace(LONE_SURROGATE, "\uFFFD"));
}

/**
 * `root` as JSON text, read as serde reads plain data: arrays; `Map`s (string keys) and other
 * objects (own enumerable string-keyed properties) as objects; strings; numbers (NaN and the
 * infinities as null); BigInts as their digits; booleans; `null` and `undefined` as null. A
 * symbol or a function is an error. Getters and proxy traps run once, here, and what they throw
 * becomes the message. At most `maxDepth` levels (a cycle reaches it) and `maxContainers`
 * objects and arrays, so that no input overflows the stack. Members that are `null` or
 * `undefined` are left out of the objects at depth `omitNullsAt` (0: the root; -1: none), so
 * that they take their defaults. Throws a string.
 */
export function toJson(root, maxDepth, maxContainers, omitNullsAt) {
  let containers = 0;
  const write = (value, depth) => {
    switch (typeof value) {
      case "string":
        return quote(value);
      case "number":
        return Number.isFinite(value) ? String(value) : "null";
      case "boolean":
        return value ? "true" : "false";
      case "undefined":
        return "null";
      case "bigint":
        return String(value);
      case "object":
        if (value === null) return "null";
        break;
      default:
        throw new Limit(`a ${typeof value} is not data`);
    }
    containers += 1;
    if (containers > maxContainers) {
      throw new Limit(`more than ${maxContainers} nested objects and arrays in one argument`);
    }
    if (depth >= maxDepth) throw new Limit(`objects nest deeper than ${maxDepth} levels (or contain a cycle)`);
    if (Array.isArray(value)) {
      const length = value.length;
      if (!(length <= maxContainers)) throw new Limit(`an array of more than ${maxContainers} elements`);
      let out = "[";
      for (let i = 0; i < length; i++) out += (i === 0 ? "" : ",") + write(value[i], depth + 1);
      return out + "]";
    }
    const omit = depth === omitNullsAt;
    let out = "{";
    const member = (k, v) => {
      if (omit && (v === null || v === undefined)) return;
      out += (out.length === 1 ? "" : ",") + quote(k) + ":" + write(v, depth + 1);
    };
    if (value instanceof Map) {
      value.forEach((v, k) => {
        if (typeof k !== "string") throw new Limit(`a Map key must be a string, got a ${typeof k}`);
        member(k, v);
      });
    } else {
      for (const k of Object.keys(value)) member(k, value[k]);
    }
    return out + "}";
  };
  try {
    return write(root, 0);
  } catch (e) {
    throw e instanceof Limit ? e.message : `reading it threw ${text(e)}`;
  }
}
"#)]
extern "C" {
    /// `value` as JSON text (see the JS above); `Err` holds the message as a string.
    #[wasm_bindgen(catch, js_name = toJson)]
    fn to_json(value: &JsValue, max_depth: u32, max_containers: u32, omit_nulls_at: i32) -> Result<String, JsValue>;

    /// A new array of the elements of an array, `null` for anything else; `Err` holds the
    /// message as a string.
    #[wasm_bindgen(catch, js_name = elementsOf)]
    fn elements_of(value: &JsValue, max_length: u32) -> Result<JsValue, JsValue>;
}

/// The elements of an array (a new array, so that reading it again runs no getter or proxy
/// trap); `Ok(None)` when `value` is not an array; `Err` is the message.
pub(crate) fn elements(value: &JsValue) -> Result<Option<js_sys::Array>, String> {
    let elements = elements_of(value, MAX_CONTAINERS).map_err(|e| e.as_string().unwrap_or_default())?;
    Ok(elements.dyn_into::<js_sys::Array>().ok())
}

/// Where `toJson` leaves out `null` and `undefined` members.
#[derive(Clone, Copy)]
pub(crate) enum Nulls {
    /// Everywhere kept (manifests, labels: a `null` is a value there).
    Keep,
    /// Left out of the top object: a record whose absent fields take their defaults.
    OmitInRecord,
    /// Left out of each element object of a top array: a list of records.
    OmitInElements,
}

/// `value` (any JS value) as JSON text; `Err` is the message.
pub(crate) fn text(value: &JsValue, nulls: Nulls) -> Result<String, String> {
    let omit_at = match nulls {
        Nulls::Keep => -1,
        Nulls::OmitInRecord => 0,
        Nulls::OmitInElements => 1,
    };
    to_json(value, MAX_DEPTH, MAX_CONTAINERS, omit_at)
        .map_err(|e| e.as_string().unwrap_or_else(|| String::from("the argument cannot be read")))
}

/// A `serde_json` error's text without its ` at line 1 column 17` (the text is ours, not the
/// caller's: the position means nothing to them).
pub(crate) fn message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match full.strip_suffix(&suffix) {
        Some(what) => what.into(),
        None => full,
    }
}

/// `value` read as a `T` through JSON text; `Err` is the message.
pub(crate) fn read<T: DeserializeOwned>(value: &JsValue, nulls: Nulls) -> Result<T, String> {
    let text = text(value, nulls)?;
    serde_json::from_str(&text).map_err(|e| message(&e))
}

/// A result as a plain JS value in the canonical JSON shape (`None` is `null`); `Err` is the
/// message.
pub(crate) fn write<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    js_sys::JSON::parse(&text).map_err(|_| String::from("the result is not valid JSON"))
}
