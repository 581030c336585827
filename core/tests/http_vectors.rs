//! Runs the shared HTTP vectors (`tests/vectors/http-*.json`) against `kroute::http` until
//! the `routeHttp` op is wired into `Cluster` and the shared runners. Same format and
//! matching rules as `tests/vectors/README.md`: `routeHttp` builds a [`RouteTable`] from the
//! Cluster's objects with the case's `httpOptions`; `diagnostics` cases see the Cluster's
//! findings plus the table's (built with default options), as `Cluster::diagnostics` will.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kroute::http::{HttpOptions, HttpRequest, RouteTable};
use kroute::{Cluster, Options};
use serde_json::{json, Value};
use std::path::PathBuf;

fn files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("http-") && name.ends_with(".json")
        })
        .collect();
    files.sort();
    files
}

fn table(cluster: &Cluster, opts: &HttpOptions) -> (RouteTable, Vec<kroute::Diagnostic>) {
    RouteTable::new(cluster.ingresses(), cluster.ingress_classes(), cluster.secrets(), cluster.services(), opts)
}

fn run(case: &Value) -> Value {
    let query = &case["query"];
    let options: Options =
        case.get("options").map_or_else(Options::default, |o| serde_json::from_value(o.clone()).unwrap());
    let cluster = match Cluster::from_yaml(case["manifests"].as_str().unwrap_or(""), &options) {
        Ok(c) => c,
        Err(e) => return json!({ "error": serde_json::to_value(e).unwrap() }),
    };
    match query["op"].as_str().unwrap() {
        "routeHttp" => {
            let opts: HttpOptions = query
                .get("httpOptions")
                .map_or_else(HttpOptions::default, |o| serde_json::from_value(o.clone()).unwrap());
            let req: HttpRequest = serde_json::from_value(query["request"].clone()).unwrap();
            let draw = query.get("canaryDraw").and_then(Value::as_u64);
            let (t, _) = table(&cluster, &opts);
            let eps = |ns: &str, name: &str| cluster.endpoints(ns, name).ok();
            match t.route_with_draw(&req, cluster.services(), &eps, false, draw) {
                Ok(d) => serde_json::to_value(d).unwrap(),
                Err(e) => json!({ "error": serde_json::to_value(e).unwrap() }),
            }
        }
        "diagnostics" => {
            let code = query.get("code").and_then(Value::as_str);
            let (_, mut diags) = table(&cluster, &HttpOptions::default());
            diags.extend(cluster.diagnostics().iter().cloned());
            diags.sort_by(|a, b| (&a.object, &a.field, a.code).cmp(&(&b.object, &b.field, b.code)));
            let diags: Vec<_> = diags.into_iter().filter(|d| code.is_none_or(|c| d.code == c)).collect();
            serde_json::to_value(diags).unwrap()
        }
        other => panic!("unknown op {other}"),
    }
}

/// Subset match, as the shared runner does.
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
fn http_vectors() {
    let mut failures = Vec::new();
    let mut count = 0;
    for file in files() {
        let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for case in &cases {
            count += 1;
            if let Err(why) = matches(&case["expect"], &run(case), "") {
                failures.push(format!("{}: {}: {why}", file.file_name().unwrap().to_string_lossy(), case["name"]));
            }
        }
    }
    assert!(count > 100, "only {count} HTTP vectors found");
    assert!(failures.is_empty(), "{} of {count} HTTP vectors failed:\n{}", failures.len(), failures.join("\n"));
}
