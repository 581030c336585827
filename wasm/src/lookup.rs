//! `lookupHttp` and `lookupHttpMany`: which Ingress rule answers a URL
//! (`RouteTable::lookup_url`), without JSON on the way out.
//!
//! Each distinct answer of a snapshot (a matched route, no route, a refusal reason) gets a
//! small number the first time it is seen, and JS keeps one factory per number that builds a
//! fresh plain object in the canonical shape. A lookup then hands JS a number (a batch: one
//! `Uint32Array` view), and the objects are built in JS: no serialisation, no parsing.

use super::{describe, request_error, to_js_error, with_field};
use hashbrown::HashMap;
use kroute::http::{LookupBuffers, UrlLookup};
use std::sync::{Arc, Weak};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
/** A new table of answer factories; number 0 is "no route". */
export function newAnswers() {
  return [() => ({ result: "no-route" })];
}

/** Adds the factory of a matched route to `answers` (absent values arrive as `undefined`). */
export function addMatched(answers, namespace, ingress, rule, path, hostMatch, service, servicePort) {
  rule ??= null;
  path ??= null;
  service ??= null;
  servicePort ??= null;
  answers.push(() => ({ result: "matched", namespace, ingress, rule, path, hostMatch, service, servicePort }));
}

/** Adds the factory of a refusal to `answers`. */
export function addRefused(answers, reason) {
  answers.push(() => ({ result: "refused", reason }));
}

/** The answer numbered `id`, as a new object. */
export function answerOf(answers, id) {
  return answers[id]();
}

/** The answers numbered by `ids`, as an array of new objects. */
export function answersOf(answers, ids) {
  const out = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = answers[ids[i]]();
  return out;
}

/**
 * The URLs of an array, packed into one string as `<UTF-16 length>:<url>` each; the index of
 * the first element that is not a string (a number), or -1 when `value` is not an array. What
 * reading it throws (a proxy, a getter) is rethrown as a message.
 */
export function packUrls(value) {
  try {
    if (!Array.isArray(value)) return -1;
    const parts = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const url = value[i];
      if (typeof url !== "string") return i;
      parts[i] = url.length + ":" + url;
    }
    return parts.join("");
  } catch (e) {
    let text = "an exception";
    try {
      text = String(e);
    } catch {}
    throw `urls: reading it threw ${text}`;
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = newAnswers)]
    fn new_answers() -> JsValue;

    #[wasm_bindgen(js_name = addMatched)]
    #[allow(clippy::too_many_arguments)]
    fn add_matched(
        answers: &JsValue,
        namespace: &str,
        ingress: &str,
        rule: Option<u32>,
        path: Option<u32>,
        host_match: &str,
        service: Option<String>,
        service_port: Option<u16>,
    );

    #[wasm_bindgen(js_name = addRefused)]
    fn add_refused(answers: &JsValue, reason: &str);

    #[wasm_bindgen(js_name = answerOf)]
    fn answer_of(answers: &JsValue, id: u32) -> JsValue;

    #[wasm_bindgen(js_name = answersOf)]
    fn answers_of(answers: &JsValue, ids: &[u32]) -> JsValue;

    #[wasm_bindgen(catch, js_name = packUrls)]
    fn pack_urls(value: &JsValue) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** How a request's host matched a rule: equal, a `*.` wildcard over one label, or a rule without host. */
export type HostMatch = "Exact" | "Wildcard" | "Any";

/** {@link Cluster.lookupHttp}: an Ingress rule path (or an Ingress `defaultBackend`) answers. */
export interface UrlMatched {
  result: "matched";
  /** The Ingress's namespace. */
  namespace: string;
  /** The Ingress's name. */
  ingress: string;
  /** Index in `spec.rules` (`null` for the `defaultBackend`). */
  rule: number | null;
  /** Index in the rule's paths (`null` for the `defaultBackend`). */
  path: number | null;
  /** How the host matched. */
  hostMatch: HostMatch;
  /** The backend Service (`null` for a resource backend). */
  service: string | null;
  /** The Service port number, when the Service and its port exist. */
  servicePort: number | null;
}

/** {@link Cluster.lookupHttp}: no rule matches; the controller's default backend answers 404. */
export interface UrlNoRoute {
  result: "no-route";
}

/** {@link Cluster.lookupHttp}: the proxy refuses the request (400), for `reason`. */
export interface UrlRefused {
  result: "refused";
  /** Why, in one sentence. */
  reason: string;
}

/** Which rule answers a URL, without a decision (see {@link Cluster.lookupHttp}). */
export type UrlLookup = UrlMatched | UrlNoRoute | UrlRefused;
"#;

/// A string by address and length: equal keys are equal strings (the snapshot they point into
/// is alive while the key is used), and equal strings elsewhere merely get a second number.
type StrKey = (usize, usize);

fn str_key(s: &str) -> StrKey {
    (s.as_ptr() as usize, s.len())
}

/// Identifies an answer: every field of a `UrlLookup` (strings by [`StrKey`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Matched { namespace: StrKey, ingress: StrKey, rule: u32, path: u32, host: u8, service: StrKey, port: u32 },
    Refused(StrKey),
}

/// `Option<usize>` as a `u32` key field (`u32::MAX`: `None`).
fn index_key(i: Option<usize>) -> u32 {
    i.and_then(|i| u32::try_from(i).ok()).unwrap_or(u32::MAX)
}

/// The numbered answers of one snapshot, and the lookup buffers.
pub(crate) struct Answers {
    /// The snapshot the numbers belong to (by identity: the `Weak` keeps its address taken).
    snapshot: Weak<kroute::Cluster>,
    /// Answer → number (0 is "no route").
    ids: HashMap<Key, u32, foldhash::fast::FixedState>,
    /// The JS array of factories, by number.
    factories: JsValue,
    buffers: LookupBuffers,
    /// The numbers of the last batch.
    batch: Vec<u32>,
}

impl Default for Answers {
    fn default() -> Self {
        Self {
            snapshot: Weak::new(),
            ids: HashMap::with_hasher(foldhash::fast::FixedState::with_seed(0)),
            factories: JsValue::UNDEFINED,
            buffers: LookupBuffers::default(),
            batch: Vec::new(),
        }
    }
}

impl Answers {
    /// Forgets the numbers (the snapshot changed).
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    /// Starts over when `snapshot` is not the one the numbers belong to.
    fn follow(&mut self, snapshot: &Arc<kroute::Cluster>) {
        if !core::ptr::eq(self.snapshot.as_ptr(), Arc::as_ptr(snapshot)) || self.factories.is_undefined() {
            self.clear();
            self.snapshot = Arc::downgrade(snapshot);
            self.factories = new_answers();
        }
    }

    /// The number of `answer`, numbering it (and giving JS its factory) the first time.
    fn id(&mut self, answer: &UrlLookup<'_>) -> u32 {
        let key = match answer {
            UrlLookup::NoRoute => return 0,
            UrlLookup::Matched(r) => Key::Matched {
                namespace: str_key(r.namespace),
                ingress: str_key(r.ingress),
                rule: index_key(r.rule),
                path: index_key(r.path),
                host: r.host_match as u8,
                service: r.service.map_or((0, 0), str_key),
                port: r.service_port.map_or(u32::MAX, u32::from),
            },
            UrlLookup::Refused(reason) => Key::Refused(str_key(reason)),
        };
        if let Some(id) = self.ids.get(&key) {
            return *id;
        }
        let id = u32::try_from(self.ids.len() + 1).unwrap_or(u32::MAX);
        match answer {
            UrlLookup::Matched(r) => add_matched(
                &self.factories,
                r.namespace,
                r.ingress,
                r.rule.and_then(|i| u32::try_from(i).ok()),
                r.path.and_then(|i| u32::try_from(i).ok()),
                host_match_name(r.host_match),
                r.service.map(String::from),
                r.service_port,
            ),
            UrlLookup::Refused(reason) => add_refused(&self.factories, reason),
            UrlLookup::NoRoute => {}
        }
        self.ids.insert(key, id);
        id
    }

    /// `lookupHttp`: the answer for one URL.
    pub(crate) fn one(&mut self, snapshot: &Arc<kroute::Cluster>, url: &JsValue) -> Result<JsValue, JsValue> {
        let url =
            url.as_string().ok_or_else(|| request_error(format!("url must be a string, got {}", describe(url))))?;
        self.follow(snapshot);
        let answer = snapshot.http_table().lookup_url(&url, &mut self.buffers).map_err(|e| to_js_error(&e))?;
        let id = self.id(&answer);
        Ok(answer_of(&self.factories, id))
    }

    /// `lookupHttpMany`: the answers for an array of URLs, in order. The first element that is
    /// not a string, or not a URL, throws with `field` naming it (`urls[3]`).
    pub(crate) fn many(&mut self, snapshot: &Arc<kroute::Cluster>, urls: &JsValue) -> Result<JsValue, JsValue> {
        let packed = pack_urls(urls).map_err(|e| request_error(e.as_string().unwrap_or_default()))?;
        let Some(packed) = packed.as_string() else {
            return Err(match packed.as_f64() {
                Some(i) if i >= 0.0 => {
                    let field = format!("urls[{i}]");
                    with_field(request_error(format!("{field} must be a string")), field)
                }
                _ => request_error(format!("urls must be an array of strings, got {}", describe(urls))),
            });
        };
        self.follow(snapshot);
        let table = snapshot.http_table();
        let mut batch = core::mem::take(&mut self.batch);
        batch.clear();
        let mut rest = packed.as_str();
        while !rest.is_empty() {
            let (url, after) = unpack(rest).ok_or_else(|| request_error("urls: cannot read the packed URLs".into()))?;
            rest = after;
            match table.lookup_url(url, &mut self.buffers) {
                Ok(answer) => {
                    let id = self.id(&answer);
                    batch.push(id);
                }
                Err(mut e) => {
                    e.field = Some(format!("urls[{}]", batch.len()));
                    return Err(to_js_error(&e));
                }
            }
        }
        let out = answers_of(&self.factories, &batch);
        self.batch = batch;
        Ok(out)
    }
}

/// The first `<UTF-16 length>:<url>` of packed URLs, and the rest.
fn unpack(packed: &str) -> Option<(&str, &str)> {
    let (length, rest) = packed.split_once(':')?;
    let mut units: usize = length.parse().ok()?;
    let mut end = 0;
    for c in rest.chars() {
        if units == 0 {
            break;
        }
        units = units.checked_sub(c.len_utf16())?;
        end += c.len_utf8();
    }
    (units == 0).then(|| rest.split_at(end))
}

/// The JS spelling of a host match (the serde spelling of `HostMatch`).
fn host_match_name(m: kroute::http::HostMatch) -> &'static str {
    match m {
        kroute::http::HostMatch::Exact => "Exact",
        kroute::http::HostMatch::Wildcard => "Wildcard",
        kroute::http::HostMatch::Any => "Any",
    }
}
