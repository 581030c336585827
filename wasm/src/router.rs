//! `Router`: the stateful connection router (`kroute::Router`) from JS.

use super::{
    array_arg, bool_arg, describe, integer_arg, ip_arg, optional_record_arg, record_arg, request_error, string_arg,
    time_arg, to_js, to_js_error,
};
use crate::lookup::Answers;
use core::cell::RefCell;
use kroute::{Conn, ProbeStep, RouterConfig};
use std::sync::Arc;
use wasm_bindgen::prelude::*;

/// The largest Maglev table accepted (Envoy's limit for `table_size`).
const MAX_MAGLEV_TABLE_SIZE: usize = 5_000_011;

/// Whether `n` is prime (trial division; `n` is at most [`MAX_MAGLEV_TABLE_SIZE`]).
fn is_prime(n: usize) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

/// Checks what the core takes on trust: a Maglev table size that is not prime can make the
/// table fill loop forever, and a huge one exhausts memory.
pub(crate) fn check_config(config: &RouterConfig) -> Result<(), String> {
    let m = config.maglev_table_size;
    if m > MAX_MAGLEV_TABLE_SIZE || !is_prime(m) {
        return Err(format!("config: maglevTableSize must be a prime number up to {MAX_MAGLEV_TABLE_SIZE}, got {m}"));
    }
    Ok(())
}

/// A router configuration: `undefined` / `null` → the defaults.
pub(crate) fn config_arg(value: &JsValue) -> Result<RouterConfig, JsValue> {
    let config: RouterConfig = optional_record_arg(value, "config")?;
    check_config(&config).map_err(request_error)?;
    Ok(config)
}

/// A stateful connection router over a cluster snapshot, made by {@link Cluster.router}: it
/// keeps the balancers' positions, the ClientIP affinity table and the readiness probes'
/// timeline. Time is an argument (seconds): the same calls give the same answers everywhere.
#[wasm_bindgen]
pub struct Router {
    inner: RefCell<kroute::Router>,
    /// `lookupHttp`'s numbered answers for the router's snapshot.
    answers: RefCell<Answers>,
}

impl Router {
    pub(crate) fn new(inner: kroute::Router) -> Self {
        Self { inner: RefCell::new(inner), answers: RefCell::default() }
    }

    /// Runs `f` on the numbered answers of `lookupHttp` for the router's snapshot.
    fn with_answers<R>(&self, f: impl FnOnce(&mut Answers, &Arc<kroute::Cluster>) -> R) -> Result<R, JsValue> {
        let snapshot = self.with(|r| Arc::clone(r.cluster()))?;
        let mut answers =
            self.answers.try_borrow_mut().map_err(|_| request_error("the router is in use by another call".into()))?;
        Ok(f(&mut answers, &snapshot))
    }

    /// Runs `f` on the router. Arguments are converted before, so no JS code runs meanwhile.
    fn with<R>(&self, f: impl FnOnce(&mut kroute::Router) -> R) -> Result<R, JsValue> {
        let mut router =
            self.inner.try_borrow_mut().map_err(|_| request_error("the router is in use by another call".into()))?;
        Ok(f(&mut router))
    }
}

#[wasm_bindgen]
impl Router {
    /// Where a connection goes at time `now` (seconds, default 0), and why. A connection
    /// needs `dstIp`, `dstPort` and one of `clientIp` or `fromPod` (`namespace/name`).
    #[wasm_bindgen(unchecked_return_type = "ConnDecision")]
    pub fn connect(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Conn")] conn: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let conn: Conn = record_arg(&conn, "conn")?;
        let now = time_arg(&now, "now", true)?;
        let decision = self.with(|r| r.connect(&conn, now))?.map_err(|e| to_js_error(&e))?;
        to_js(&decision)
    }

    /// Routes an HTTP request through the Ingresses and on to an endpoint at time `now`,
    /// with ingress-nginx cookie affinity when the Ingress asks for it.
    #[wasm_bindgen(js_name = routeHttp, unchecked_return_type = "HttpRouted")]
    pub fn route_http(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HttpRequest | string")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = super::request::http_request_arg(&request)?;
        let now = time_arg(&now, "now", true)?;
        let routed = self.with(|r| r.route_http(&request, now))?.map_err(|e| to_js_error(&e))?;
        to_js(&routed)
    }

    /// Which Ingress rule of the router's snapshot answers `url`, as {@link Cluster.lookupHttp}.
    #[wasm_bindgen(js_name = lookupHttp, unchecked_return_type = "UrlLookup")]
    pub fn lookup_http(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.with_answers(|a, snapshot| a.one(snapshot, &url))?
    }

    /// `lookupHttp` for many URLs in one call, as {@link Cluster.lookupHttpMany}.
    #[wasm_bindgen(js_name = lookupHttpMany, unchecked_return_type = "UrlLookup[]")]
    pub fn lookup_http_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly string[]")] urls: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.with_answers(|a, snapshot| a.many(snapshot, &urls))?
    }

    /// Routes many connections at time `now`, in order (one call across the JS/wasm boundary).
    /// The first connection that fails throws, with `field` naming it (`conns[3]`); those
    /// before it have been routed.
    #[wasm_bindgen(js_name = connectMany, unchecked_return_type = "ConnDecision[]")]
    pub fn connect_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly Conn[]")] conns: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let Some(array) = array_arg(&conns, "conns")? else {
            return Err(request_error(format!("conns must be an array of Conn objects, got {}", describe(&conns))));
        };
        let now = time_arg(&now, "now", true)?;
        let parsed: Vec<Conn> =
            array.iter().enumerate().map(|(i, c)| record_arg(&c, &format!("conns[{i}]"))).collect::<Result<_, _>>()?;
        let decisions = self.with(|r| {
            parsed
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    r.connect(c, now).map_err(|mut e| {
                        e.field = Some(match e.field.take() {
                            Some(f) => format!("conns[{i}].{f}"),
                            None => format!("conns[{i}]"),
                        });
                        e
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        to_js(&decisions.map_err(|e| to_js_error(&e))?)
    }

    /// Runs every scheduled readiness probe up to `now`; returns the readiness changes in time
    /// order.
    #[wasm_bindgen(unchecked_return_type = "ReadinessChange[]")]
    pub fn advance(&self, #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue) -> Result<JsValue, JsValue> {
        let now = time_arg(&now, "now", false)?;
        to_js(&self.with(|r| r.advance(now))?)
    }

    /// Reports one readiness-probe outcome of pod `namespace/pod` at `now`; returns whether
    /// the pod is Ready after it. An unknown pod throws a `Request` error.
    #[wasm_bindgen(js_name = reportProbe)]
    pub fn report_probe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] pod: JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] ok: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<bool, JsValue> {
        let namespace = string_arg(&namespace, "namespace")?;
        let pod = string_arg(&pod, "pod")?;
        let ok = bool_arg(&ok, "ok")?;
        let now = time_arg(&now, "now", false)?;
        self.with(|r| r.report_probe(&namespace, &pod, ok, now))?.map_err(|e| to_js_error(&e))
    }

    /// Scripts the readiness-probe outcomes of pod `namespace/pod`: `ok` for probe times
    /// before each step's `until`, success after the last step. Probes then run on
    /// {@link Router.advance} (and before each connection).
    #[wasm_bindgen(js_name = scriptProbe)]
    pub fn script_probe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] pod: JsValue,
        #[wasm_bindgen(unchecked_param_type = "readonly ProbeStep[]")] steps: JsValue,
    ) -> Result<(), JsValue> {
        let namespace = string_arg(&namespace, "namespace")?;
        let pod = string_arg(&pod, "pod")?;
        let Some(array) = array_arg(&steps, "steps")? else {
            return Err(request_error(format!(
                "steps must be an array of ProbeStep objects, got {}",
                describe(&steps)
            )));
        };
        let steps: Vec<ProbeStep> =
            array.iter().enumerate().map(|(i, s)| record_arg(&s, &format!("steps[{i}]"))).collect::<Result<_, _>>()?;
        if let Some(bad) = steps.iter().position(|s| !s.until.is_finite()) {
            return Err(request_error(format!("steps[{bad}].until must be a finite number of seconds")));
        }
        self.with(|r| r.script_probe(&namespace, &pod, steps))?.map_err(|e| to_js_error(&e))
    }

    /// Sets the number of requests in flight to endpoint `ip:port` (the `least-request`
    /// balancer compares them).
    #[wasm_bindgen(js_name = setInFlight)]
    pub fn set_in_flight(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] ip: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] port: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] count: JsValue,
    ) -> Result<(), JsValue> {
        let ip = ip_arg(&ip, "ip")?;
        let port = integer_arg(&port, "port", f64::from(u16::MAX))? as u16;
        // Up to 2^53 - 1: every such count is exact in a JS number.
        let count = integer_arg(&count, "count", 9_007_199_254_740_991.0)? as u64;
        self.with(|r| r.set_in_flight(ip, port, count))
    }

    /// Applies a Kubernetes watch event to this router's snapshot (copied first when the
    /// cluster or another router shares it), keeping balancer, affinity and probe state: how
    /// an embedding proxy follows the API server. A pod's probe state follows the event.
    #[wasm_bindgen(js_name = applyEvent, unchecked_return_type = "EventOutcome")]
    pub fn apply_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WatchEvent")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tree = super::event_arg(&event)?;
        let outcome = self.with(|r| r.apply_event(&tree))?.map_err(|e| to_js_error(&e))?;
        self.with_answers(|a, _| a.clear())?;
        to_js(&outcome)
    }

    /// How many clients the ClientIP affinity table remembers.
    #[wasm_bindgen(js_name = affinityEntries)]
    pub fn affinity_entries(&self) -> Result<f64, JsValue> {
        self.with(|r| r.affinity_entries() as f64)
    }
}
