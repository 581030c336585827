//! Runs every case of `tests/vectors/*.json` against the native crate (format and matching
//! rules: `tests/vectors/README.md`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kroute::model::LabelSelector;
use kroute::{Cluster, Conn, Error, Labels, Options, ProbeStep, Router, RouterConfig, Selector};
use serde_json::{json, Value};
use std::path::PathBuf;

fn vector_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn error_json(e: &Error) -> Value {
    json!({ "error": serde_json::to_value(e).unwrap() })
}

fn labels(query: &Value) -> Option<Labels> {
    query.get("labels").map(|l| serde_json::from_value(l.clone()).unwrap())
}

fn selector_result(sel: Result<Selector, Error>, labels: Option<Labels>) -> Value {
    match sel {
        Ok(s) => json!({ "string": s.to_string(), "matches": labels.map(|l| s.matches(&l)) }),
        Err(e) => error_json(&e),
    }
}

fn run(case: &Value) -> Value {
    let query = &case["query"];
    let op = query["op"].as_str().unwrap();
    match op {
        "selector" => return selector_result(Selector::parse(query["text"].as_str().unwrap()), labels(query)),
        "labelSelector" => {
            let sel: Option<LabelSelector> = serde_json::from_value(query["selector"].clone()).unwrap();
            return selector_result(Selector::from_label_selector(sel.as_ref()), labels(query));
        }
        "validation" => {
            let v = &query["value"];
            let f = query["fn"].as_str().unwrap();
            let errors = match f {
                "port_number" => kroute::names::port_number(v.as_i64().unwrap()),
                _ => {
                    let s = v.as_str().unwrap();
                    match f {
                        "dns1123_label" => kroute::names::dns1123_label(s),
                        "dns1123_subdomain" => kroute::names::dns1123_subdomain(s),
                        "dns1035_label" => kroute::names::dns1035_label(s),
                        "wildcard_dns1123_subdomain" => kroute::names::wildcard_dns1123_subdomain(s),
                        "qualified_name" => kroute::names::qualified_name(s),
                        "label_value" => kroute::names::label_value(s),
                        "port_name" => kroute::names::port_name(s),
                        other => panic!("unknown validator {other}"),
                    }
                }
            };
            return json!(errors);
        }
        _ => {}
    }
    let mut options_json = case.get("options").cloned().unwrap_or_else(|| json!({}));
    // `httpOptions` of a routeHttp case are Options fields too.
    if let Some(Value::Object(http)) = query.get("httpOptions") {
        for (k, v) in http {
            options_json[k] = v.clone();
        }
    }
    let options: Options = serde_json::from_value(options_json).unwrap();
    let mut cluster = match Cluster::from_yaml(case["manifests"].as_str().unwrap_or(""), &options) {
        Ok(c) => c,
        Err(e) => return error_json(&e),
    };
    match op {
        "load" => json!({ "ok": true }),
        "diagnostics" => {
            let code = query.get("code").and_then(Value::as_str);
            let diags: Vec<_> = cluster.diagnostics().iter().filter(|d| code.is_none_or(|c| d.code == c)).collect();
            serde_json::to_value(diags).unwrap()
        }
        "endpoints" => {
            match cluster.endpoints(query["namespace"].as_str().unwrap(), query["service"].as_str().unwrap()) {
                Ok(eps) => serde_json::to_value(eps).unwrap(),
                Err(e) => error_json(&e),
            }
        }
        "envVars" => {
            let links = query.get("enableServiceLinks").and_then(Value::as_bool).unwrap_or(true);
            serde_json::to_value(cluster.env_vars(query["namespace"].as_str().unwrap(), links)).unwrap()
        }
        "podEnv" => {
            let container = query.get("container").and_then(Value::as_str);
            match cluster.pod_env(query["namespace"].as_str().unwrap(), query["pod"].as_str().unwrap(), container) {
                Ok(env) => serde_json::to_value(env).unwrap(),
                Err(e) => error_json(&e),
            }
        }
        "resolve" => {
            let qtype = kroute::QType::parse(query.get("type").and_then(Value::as_str).unwrap_or("A")).unwrap();
            match cluster.resolve(
                query["name"].as_str().unwrap(),
                qtype,
                query.get("namespace").and_then(Value::as_str),
            ) {
                Ok(a) => serde_json::to_value(a).unwrap(),
                Err(e) => error_json(&e),
            }
        }
        "applyEvents" => {
            let mut outcomes = Vec::new();
            for e in query["events"].as_array().unwrap() {
                let tree: kroute::Tree = serde_json::from_value(e.clone()).unwrap();
                outcomes.push(match cluster.apply_event(&tree) {
                    Ok(o) => serde_json::to_value(o).unwrap(),
                    Err(e) => error_json(&e),
                });
            }
            let eps = cluster.endpoints(query["namespace"].as_str().unwrap(), query["service"].as_str().unwrap());
            json!({ "outcomes": outcomes, "endpoints": eps.map(|e| serde_json::to_value(e).unwrap()).unwrap_or_else(|e| error_json(&e)) })
        }
        "routeHttp" => {
            let req: kroute::http::HttpRequest = serde_json::from_value(query["request"].clone()).unwrap();
            let draw = query.get("canaryDraw").and_then(Value::as_u64);
            match cluster.route_http_with_draw(&req, false, draw) {
                Ok(d) => {
                    check_lookup_url(&cluster, &req, &d);
                    serde_json::to_value(d).unwrap()
                }
                Err(e) => error_json(&e),
            }
        }
        "lookupHttp" => {
            let mut buffers = kroute::http::LookupBuffers::default();
            match cluster.http_table().lookup_url(query["url"].as_str().unwrap(), &mut buffers) {
                Ok(l) => serde_json::to_value(l).unwrap(),
                Err(e) => error_json(&e),
            }
        }
        "usableEndpoints" => {
            let node = query.get("node").and_then(Value::as_str);
            // A port is a number or a name.
            let port = query.get("port").map(|p| p.as_str().map_or_else(|| p.to_string(), String::from));
            let port = port.as_deref();
            match cluster.usable_endpoints(
                query["namespace"].as_str().unwrap(),
                query["service"].as_str().unwrap(),
                node,
                port,
            ) {
                Ok(u) => serde_json::to_value(u).unwrap(),
                Err(e) => error_json(&e),
            }
        }
        "connect" => {
            let config: RouterConfig =
                query.get("router").map_or_else(RouterConfig::default, |c| serde_json::from_value(c.clone()).unwrap());
            let mut router = std::sync::Arc::new(cluster).router(config);
            let results: Vec<Value> =
                query["steps"].as_array().unwrap().iter().map(|step| run_step(&mut router, step)).collect();
            json!(results)
        }
        other => panic!("unknown op {other}"),
    }
}

/// One step of a `connect` case: a connection, a clock advance, or a probe script/report.
fn run_step(router: &mut Router, step: &Value) -> Value {
    let result = if let Some(c) = step.get("connect") {
        let conn: Conn = serde_json::from_value(c.clone()).unwrap();
        router
            .connect(&conn, step.get("now").and_then(Value::as_f64).unwrap_or(0.0))
            .map(|d| serde_json::to_value(d).unwrap())
    } else if let Some(r) = step.get("routeHttp") {
        let req: kroute::http::HttpRequest = serde_json::from_value(r.clone()).unwrap();
        router
            .route_http(&req, step.get("now").and_then(Value::as_f64).unwrap_or(0.0))
            .map(|d| serde_json::to_value(d).unwrap())
    } else if let Some(t) = step.get("advance") {
        Ok(serde_json::to_value(router.advance(t.as_f64().unwrap())).unwrap())
    } else if let Some(s) = step.get("scriptProbe") {
        let steps: Vec<ProbeStep> = serde_json::from_value(s["steps"].clone()).unwrap();
        router.script_probe(s["namespace"].as_str().unwrap(), s["pod"].as_str().unwrap(), steps).map(|()| Value::Null)
    } else if let Some(p) = step.get("reportProbe") {
        router
            .report_probe(
                p["namespace"].as_str().unwrap(),
                p["pod"].as_str().unwrap(),
                p["ok"].as_bool().unwrap(),
                p["now"].as_f64().unwrap_or(0.0),
            )
            .map(|ready| json!(ready))
    } else {
        panic!("unknown step {step}")
    };
    result.unwrap_or_else(|e| error_json(&e))
}

/// Subset match: expected object keys must match, lists elementwise with equal length.
fn matches(expect: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expect, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().try_for_each(|(k, v)| match a.get(k) {
            Some(av) => matches(v, av, &format!("{path}.{k}")),
            None => Err(format!("{path}.{k}: missing in {actual}")),
        }),
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{path}: expected {} items, got {}: {actual}", e.len(), a.len()));
            }
            e.iter().zip(a).enumerate().try_for_each(|(i, (ev, av))| matches(ev, av, &format!("{path}[{i}]")))
        }
        _ if expect == actual => Ok(()),
        _ => Err(format!("{path}: expected {expect}, got {actual}")),
    }
}

#[test]
fn shared_vectors() {
    let mut failures = Vec::new();
    let mut count = 0;
    for file in vector_files() {
        let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for case in &cases {
            count += 1;
            let name = case["name"].as_str().unwrap();
            if let Err(why) = matches(&case["expect"], &run(case), "") {
                failures.push(format!("{}: {name}: {why}", file.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(count > 0, "no vectors found");
    assert!(failures.is_empty(), "{} of {count} vectors failed:\n{}", failures.len(), failures.join("\n"));
}

/// The lean `lookup_url` names the same rule as the full decision, for every URL-only request
/// of the vectors (a canary choice aside: the lookup answers the mainline).
fn check_lookup_url(cluster: &kroute::Cluster, req: &kroute::http::HttpRequest, d: &kroute::http::HttpDecision) {
    if !req.headers.is_empty() || req.sni.is_some() || d.canary.is_some() {
        return;
    }
    let mut buffers = kroute::http::LookupBuffers::default();
    let got = cluster.http_table().lookup_url(&req.url, &mut buffers).unwrap();
    let source = d.source.as_ref().map(|s| (s.name.as_str(), s.path));
    match got {
        kroute::http::UrlLookup::Matched(r) => assert_eq!(source, Some((r.ingress, r.path)), "{}", req.url),
        kroute::http::UrlLookup::NoRoute => assert_eq!(source, None, "{}", req.url),
        kroute::http::UrlLookup::Refused(_) => assert_eq!(d.status, 400, "{}", req.url),
    }
}
