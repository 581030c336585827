//! W7 (spec/performance.md): kernels in the npm package under Node against the native build on
//! the same inputs (benches/node/w7-cluster.yaml): `Router::connect` (random, maglev), and
//! `Cluster::route_http` one call at a time and batched (`routeHttpMany`, the whole trace in
//! one call). The node script (benches/node/w7.mjs) gets the HTTP trace on stdin and prints
//! `{"ns_per_op": …}`.

use crate::harness::{interleaved, Row};
use kroute::http::HttpRequest;
use kroute::model::Protocol;
use kroute::{Cluster, Options};
use std::io::Write;
use std::net::IpAddr;
use std::process::{Command, Stdio};

const CLUSTER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/node/w7-cluster.yaml");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/node/w7.mjs");

/// The target: median ratio ≤ 1.3× (each row is held to it).
const TARGET: f64 = 1.3;

fn cluster() -> Cluster {
    Cluster::from_yaml(&std::fs::read_to_string(CLUSTER).unwrap(), &Options::default()).unwrap()
}

/// The HTTP trace: 1,000 URLs over the Ingress's hosts and paths, hits and misses.
fn urls() -> Vec<String> {
    let hosts = ["kubia.example.com", "api.example.com", "www.example.com", "nope.example.com"];
    let paths = ["/foo/", "/bar", "/v1/items/", "/"];
    (0..1000).map(|i| format!("https://{}{}{i}", hosts[i % 4], paths[(i / 4) % 4])).collect()
}

/// ns per `Router::connect`, natively.
fn native_connect_ns(balancer: &str) -> f64 {
    let cluster = std::sync::Arc::new(cluster());
    let mut router = cluster.router(kroute::RouterConfig {
        seed: 1,
        balancer: kroute::Balancer::parse(balancer).unwrap(),
        ..kroute::RouterConfig::default()
    });
    let conns: Vec<kroute::Conn> = (0..10_000u32)
        .map(|i| kroute::Conn {
            client_ip: Some(IpAddr::from([10, 1, (i >> 8) as u8, i as u8])),
            client_port: None,
            dst_ip: "10.96.0.50".parse().unwrap(),
            dst_port: 80,
            protocol: Protocol::TCP,
            from_pod: None,
            node: None,
        })
        .collect();
    let connect = || conns.iter().map(|c| router.connect(c, 0.0).map_or(0, |d| d.source_nat as u64)).sum();
    interleaved(9, conns.len(), connect, || 0).0
}

/// ns per `Cluster::route_http`, natively.
fn native_route_http_ns(urls: &[String]) -> f64 {
    let cluster = cluster();
    let requests: Vec<HttpRequest> = urls.iter().map(HttpRequest::new).collect();
    let route = || requests.iter().map(|r| cluster.route_http(r, false).map_or(0, |d| u64::from(d.status))).sum();
    interleaved(9, requests.len(), route, || 0).0
}

/// ns per operation of `mode` in the npm package under Node (`None`: the package is not built).
fn wasm_ns(args: &[&str], urls: &[String]) -> Option<f64> {
    let mut child =
        Command::new("node").arg(SCRIPT).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().ok()?;
    child.stdin.take()?.write_all(serde_json::to_string(urls).ok()?.as_bytes()).ok()?;
    let out = child.wait_with_output().ok().filter(|o| o.status.success())?;
    serde_json::from_slice::<serde_json::Value>(&out.stdout).ok()?["ns_per_op"].as_f64()
}

/// W7: the rows, wasm under Node against native.
pub fn run(_quick: bool, rows: &mut Vec<Row>) {
    let urls = urls();
    let route_native = native_route_http_ns(&urls);
    let cases = [
        ("connect (random)", "100 endpoints", vec!["connect", "random"], native_connect_ns("random")),
        ("connect (maglev)", "100 endpoints", vec!["connect", "maglev"], native_connect_ns("maglev")),
        ("routeHttp, one call each", "1,000 URLs", vec!["routeHttp"], route_native),
        ("routeHttpMany, 1,000 per call", "1,000 URLs", vec!["routeHttpMany"], route_native),
    ];
    for (what, size, args, native) in cases {
        match wasm_ns(&args, &urls) {
            Some(w) => rows.push(Row {
                workload: format!("W7 {what} in wasm under Node vs native"),
                size: size.into(),
                baseline_ns: native,
                kroute_ns: w,
                target: format!("wasm/native ≤ {TARGET}×"),
                pass: w / native <= TARGET,
            }),
            None => eprintln!("W7 {what} skipped: build the npm package first (make wasm)"),
        }
    }
}
