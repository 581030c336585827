//! W1 (path matching alone) and W2 (host + path decisions) of spec/performance.md, against
//! matchit, a longest-match linear scan, the Envoy model (host hash → ordered route list) and a
//! global linear scan. Every baseline's answers are checked against kroute's before timing.

use crate::alloc_count::allocations;
use crate::harness::{absolute, interleaved, interleaved_ops, scaling, speedup, timed, Row};
use crate::workloads::Gen;
use kroute::http::{HttpOptions, RouteTable};
use kroute::{Cluster, Tree};
use serde_json::{json, Value};
use std::collections::HashMap;

/// matchit's 130 GitHub API routes (its `benches/bench.rs`), parameters as `{p1}`…`{p4}`.
const GITHUB: &str = include_str!("github_routes.txt");

/// The routes with their parameters filled in (`{p1}` → `rust-lang`, …), each under `prefix`,
/// without duplicates.
fn github_paths(prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in GITHUB.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let p =
            t.replace("{p1}", "rust-lang").replace("{p2}", "rust").replace("{p3}", "1.51.0").replace("{p4}", "open");
        let p = format!("{prefix}{p}");
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Element-wise prefix on canonical rules (no trailing `/`, no empty elements): a byte prefix
/// ending at an element boundary; the rule `/` matches everything.
fn prefix_match(rule: &str, path: &str) -> bool {
    rule == "/" || (path.starts_with(rule) && matches!(path.as_bytes().get(rule.len()), None | Some(b'/')))
}

fn ingress(name: &str, host: Option<&str>, paths: &[(String, &str)], service: &str) -> Value {
    let paths: Vec<Value> = paths
        .iter()
        .map(|(p, t)| json!({"path": p, "pathType": t, "backend": {"service": {"name": service, "port": {"number": 80}}}}))
        .collect();
    let mut rule = json!({"http": {"paths": paths}});
    if let Some(h) = host {
        rule["host"] = json!(h);
    }
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"rules": [rule]}})
}

fn service(name: &str, namespace: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace},
        "spec": {"ports": [{"port": 80}], "selector": {"app": name}}})
}

fn build(objects: &[Value]) -> Cluster {
    let trees: Vec<Tree> = objects.iter().map(|o| serde_json::from_value(o.clone()).unwrap()).collect();
    Cluster::from_objects(trees, &crate::workloads::bench_options()).unwrap()
}

/// One W1 set: `rules` as `path_type` paths of one Ingress without host.
fn path_cluster(rules: &[String], path_type: &str) -> Cluster {
    let paths: Vec<(String, &str)> = rules.iter().map(|p| (p.clone(), path_type)).collect();
    build(&[ingress("api", None, &paths, "api"), service("api", "default")])
}

/// Deterministic shuffle (Fisher–Yates over the generator).
fn shuffle<T>(v: &mut [T], g: &mut Gen) {
    for i in (1..v.len()).rev() {
        v.swap(i, (g.next() % (i as u64 + 1)) as usize);
    }
}

/// kroute's answer: the rule path's index, or `u32::MAX`.
pub fn kroute_at(table: &RouteTable, host: &str, path: &str) -> u64 {
    table.lookup(host, path).and_then(|r| r.path).map_or(u64::from(u32::MAX), |p| p as u64)
}

/// A W1 set: matchit's 130 GitHub routes, or 27 copies of them under `/api0`…`/api26`
/// (`large`), as Exact or Prefix paths of one Ingress; and its requests: every rule once,
/// shuffled, for Prefix half of them with more elements. Returns (rules, cluster, requests).
pub fn w1_data(large: bool, exact: bool, g: &mut Gen) -> (Vec<String>, Cluster, Vec<String>) {
    let rules: Vec<String> =
        if large { (0..27).flat_map(|v| github_paths(&format!("/api{v}"))).collect() } else { github_paths("") };
    // Prefix rules are canonical (no trailing `/`), as Ingress compares them.
    let rules: Vec<String> =
        if exact { rules } else { rules.iter().map(|r| r.trim_end_matches('/').to_string()).collect() };
    let cluster = path_cluster(&rules, if exact { "Exact" } else { "Prefix" });
    let mut requests: Vec<String> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| if !exact && i % 2 == 1 { format!("{r}/x/{i}") } else { r.clone() })
        .collect();
    shuffle(&mut requests, g);
    (rules, cluster, requests)
}

/// W1: path matching alone.
pub fn w1(quick: bool, rows: &mut Vec<Row>) {
    let rounds = if quick { 15 } else { 41 };
    // Each timed call goes over the request list `reps` times (130 lookups take ~µs: timer
    // noise); the 3.5k sets once.
    let reps_small = if quick { 20 } else { 50 };
    let mut per_set: Vec<(&str, usize, f64)> = Vec::new();
    let mut g = Gen(1);
    for (set, exact) in
        [("130 GitHub routes", true), ("130 GitHub routes", false), ("3.5k routes", false), ("3.5k routes", true)]
    {
        let (rules, cluster, requests) = w1_data(!set.starts_with("130"), exact, &mut g);
        let kind = if exact { "Exact" } else { "Prefix" };
        let reps = if set.starts_with("130") { reps_small } else { 2 };
        let table = cluster.http_table();
        let mut router = matchit::Router::new();
        for (i, r) in rules.iter().enumerate() {
            router.insert(r.as_str(), i as u32).unwrap();
            if !exact {
                router.insert(format!("{r}/{{*rest}}"), i as u32).unwrap();
            }
        }
        let mut linear: Vec<(&str, u32)> = rules.iter().enumerate().map(|(i, r)| (r.as_str(), i as u32)).collect();
        linear.sort_by_key(|(r, _)| std::cmp::Reverse(r.len()));
        let scan = |p: &str| {
            linear.iter().find(|(r, _)| prefix_match(r, p)).map_or(u64::from(u32::MAX), |(_, i)| u64::from(*i))
        };
        for q in &requests {
            let k = kroute_at(table, "api.example.com", q);
            let m = router.at(q).map_or(u64::from(u32::MAX), |m| u64::from(*m.value));
            assert_eq!(k, m, "W1 {set} {kind}: kroute and matchit disagree on {q}");
            if !exact {
                assert_eq!(k, scan(q), "W1 {set}: kroute and the linear scan disagree on {q}");
            }
        }
        let ops = requests.len() * reps;
        let kroute_pass = || {
            let mut s = 0;
            for _ in 0..reps {
                s += requests.iter().map(|q| kroute_at(table, "api.example.com", q)).sum::<u64>();
            }
            s
        };
        let (k, m) = interleaved(rounds, ops, kroute_pass, || {
            let mut s = 0;
            for _ in 0..reps {
                s += requests.iter().map(|q| router.at(q).map_or(0, |m| u64::from(*m.value))).sum::<u64>();
            }
            s
        });
        let size = format!("{} {kind} paths", rules.len());
        let max = if exact { 1.0 } else { 1.2 };
        rows.push(Row {
            workload: format!("W1 {kind} path lookup vs matchit ({set})"),
            size: size.clone(),
            baseline_ns: m,
            kroute_ns: k,
            target: format!("kroute ≤ {max}× matchit's time"),
            pass: k <= max * m,
        });
        if !exact {
            let (k2, l) =
                interleaved_ops(rounds, (ops, requests.len()), kroute_pass, || requests.iter().map(|q| scan(q)).sum());
            rows.push(speedup(
                &format!("W1 Prefix path lookup vs longest-match linear scan ({set})"),
                &size,
                l,
                k2,
                10.0,
            ));
        }
        let (n, _) = allocations(kroute_pass);
        rows.push(absolute(
            &format!("W1 {kind} allocations per lookup ({set})"),
            &size,
            n as f64 / ops as f64,
            "0",
            n == 0,
        ));
        per_set.push((kind, rules.len(), k));
    }
    for kind in ["Exact", "Prefix"] {
        if let [a, b] = per_set.iter().filter(|(k, _, _)| *k == kind).collect::<Vec<_>>().as_slice() {
            rows.push(scaling(
                &format!("W1 {kind} path lookup scaling"),
                (&format!("{} routes", a.1), a.2),
                (&format!("{} routes", b.1), b.2),
                1.5,
            ));
        }
    }
}

/// Path shapes of a W2 host: (path, Exact?). Hosts whose index is a multiple of 3 also have
/// the Prefix rule `/` (so no path misses there).
fn host_paths(i: usize) -> Vec<(String, bool)> {
    let s = i % 7;
    let mut v = vec![
        ("/api".to_string(), false),
        ("/api/v1".to_string(), false),
        (format!("/api/v1/users{s}"), false),
        ("/api/v2".to_string(), false),
        ("/static".to_string(), false),
        ("/login".to_string(), true),
        (format!("/img/logo{s}.png"), true),
        ("/docs".to_string(), false),
        ("/healthz".to_string(), true),
    ];
    if i.is_multiple_of(3) {
        v.push(("/".to_string(), false));
    } else {
        v.push((format!("/app{s}"), false));
    }
    v
}

/// The Ingress host of W2 host `i`: every fifth a single-label wildcard.
fn host_name(i: usize) -> String {
    if i % 5 == 4 {
        format!("*.w{i}.example.com")
    } else {
        format!("h{i}.example.com")
    }
}

/// A Zipf(1) sampler over 0..n: the cumulative weights, searched.
pub struct Zipf(Vec<f64>);
impl Zipf {
    pub fn new(n: usize) -> Self {
        let mut acc = 0.0;
        Zipf(
            (1..=n)
                .map(|k| {
                    acc += 1.0 / k as f64;
                    acc
                })
                .collect(),
        )
    }
    pub fn sample(&self, g: &mut Gen) -> usize {
        let total = self.0.last().copied().unwrap_or(1.0);
        let u = (g.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        self.0.partition_point(|c| *c < u).min(self.0.len() - 1)
    }
}

/// The Envoy model: exact hosts and wildcard suffixes in std hash maps, each virtual host an
/// ordered route list (longest path first, Exact before Prefix), the first match wins.
struct Envoy {
    exact: HashMap<String, usize>,
    wildcard: HashMap<String, usize>,
    vhosts: Vec<Vec<(String, bool, u32)>>,
}

impl Envoy {
    fn new(hosts: &[(String, Vec<(String, bool)>)]) -> Self {
        let mut e = Envoy { exact: HashMap::new(), wildcard: HashMap::new(), vhosts: Vec::new() };
        for (i, (h, paths)) in hosts.iter().enumerate() {
            match h.strip_prefix("*.") {
                Some(rest) => e.wildcard.insert(rest.to_string(), i),
                None => e.exact.insert(h.clone(), i),
            };
            let mut routes: Vec<(String, bool, u32)> =
                paths.iter().enumerate().map(|(j, (p, x))| (p.clone(), *x, j as u32)).collect();
            routes.sort_by_key(|(p, x, _)| (std::cmp::Reverse(p.len()), !*x));
            e.vhosts.push(routes);
        }
        e
    }
    fn route(&self, host: &str, path: &str) -> Option<(usize, u32)> {
        let vh = self.exact.get(host).or_else(|| host.split_once('.').and_then(|(_, rest)| self.wildcard.get(rest)))?;
        self.vhosts[*vh]
            .iter()
            .find(|(p, exact, _)| if *exact { p == path } else { prefix_match(p, path) })
            .map(|(_, _, j)| (*vh, *j))
    }
}

/// The global linear scan: every rule of every host in one list (exact hosts first, then
/// longest path, Exact before Prefix), the first rule whose host and path match wins.
struct Global(Vec<(String, bool, String, bool, usize, u32)>);
impl Global {
    fn new(hosts: &[(String, Vec<(String, bool)>)]) -> Self {
        let mut v = Vec::new();
        for (i, (h, paths)) in hosts.iter().enumerate() {
            let (wild, name) = h.strip_prefix("*.").map_or((false, h.clone()), |r| (true, r.to_string()));
            for (j, (p, x)) in paths.iter().enumerate() {
                v.push((name.clone(), wild, p.clone(), *x, i, j as u32));
            }
        }
        v.sort_by_key(|(_, wild, p, x, _, _)| (*wild, std::cmp::Reverse(p.len()), !*x));
        Global(v)
    }
    fn route(&self, host: &str, path: &str) -> Option<(usize, u32)> {
        let rest = host.split_once('.').map_or("", |(_, r)| r);
        self.0
            .iter()
            .find(|(h, wild, p, exact, _, _)| {
                (if *wild { h == rest } else { h == host }) && if *exact { p == path } else { prefix_match(p, path) }
            })
            .map(|(_, _, _, _, i, j)| (*i, *j))
    }
}

/// A W2 configuration: `hosts` hosts of 10 rules each, one Ingress per host.
pub struct W2Set {
    pub hosts: Vec<(String, Vec<(String, bool)>)>,
    pub cluster: Cluster,
}

pub fn w2_set(hosts: usize) -> W2Set {
    let hosts: Vec<(String, Vec<(String, bool)>)> = (0..hosts).map(|i| (host_name(i), host_paths(i))).collect();
    let mut objects = Vec::new();
    for (i, (h, paths)) in hosts.iter().enumerate() {
        let paths: Vec<(String, &str)> =
            paths.iter().map(|(p, x)| (p.clone(), if *x { "Exact" } else { "Prefix" })).collect();
        objects.push(ingress(&format!("ing-{i}"), Some(h), &paths, &format!("svc-{i}")));
        objects.push(service(&format!("svc-{i}"), "default"));
    }
    W2Set { hosts, cluster: build(&objects) }
}

/// A trace of `n` (host, path) requests: Zipf host popularity, 5% misses (half an unknown
/// host, half a path no rule of a host without `/` matches), Prefix hits often deeper.
pub fn w2_trace(hosts: &[(String, Vec<(String, bool)>)], n: usize, seed: u64) -> Vec<(String, String)> {
    let zipf = Zipf::new(hosts.len());
    let mut g = Gen(seed);
    (0..n)
        .map(|r| {
            let miss = g.next() % 100 < 5;
            let mut i = zipf.sample(&mut g);
            if miss && r % 2 == 0 {
                return (format!("nohost{}.example.org", r % 1000), "/api".to_string());
            }
            if miss {
                while i.is_multiple_of(3) {
                    i = (i + 1) % hosts.len();
                }
            }
            let (h, paths) = &hosts[i];
            let host = match h.strip_prefix("*.") {
                Some(rest) => format!("a{}.{rest}", r % 97),
                None => h.clone(),
            };
            if miss {
                return (host, format!("/zz{}/x", r % 13));
            }
            let (p, exact) = &paths[(g.next() % paths.len() as u64) as usize];
            let path = match (exact, g.next() % 3) {
                (false, 0) if p == "/" => "/index.html".to_string(),
                (false, 0) => format!("{p}/item/{}", r % 50),
                _ => p.clone(),
            };
            (host, path)
        })
        .collect()
}

fn w2_check(set: &W2Set, trace: &[(String, String)], envoy: &Envoy, global: Option<&Global>) {
    let table = set.cluster.http_table();
    for (h, p) in trace {
        let k = table.lookup(h, p).map(|r| (r.ingress.to_string(), r.path));
        let e = envoy.route(h, p).map(|(i, j)| (format!("ing-{i}"), Some(j as usize)));
        assert_eq!(k, e, "W2: kroute and the Envoy model disagree on {h}{p}");
        if let Some(g) = global {
            assert_eq!(envoy.route(h, p), g.route(h, p), "W2: the two baselines disagree on {h}{p}");
        }
    }
}

pub fn w2_kroute(table: &RouteTable, trace: &[(String, String)]) -> u64 {
    trace.iter().map(|(h, p)| table.lookup(h, p).and_then(|r| r.path).map_or(0, |p| p as u64 + 1)).sum()
}

fn w2_envoy(envoy: &Envoy, trace: &[(String, String)]) -> u64 {
    trace.iter().map(|(h, p)| envoy.route(h, p).map_or(0, |(_, j)| u64::from(j) + 1)).sum()
}

/// W2: host + path decisions over 10k rules (1k hosts), and the scaling, build and memory
/// figures.
pub fn w2(quick: bool, rows: &mut Vec<Row>) {
    let rounds = if quick { 7 } else { 11 };
    let n = if quick { 200_000 } else { 1_000_000 };
    let set = w2_set(1_000);
    let rules = set.cluster.http_table().route_count();
    let size = format!("{rules} rules, 1000 hosts, {n} requests");
    let trace = w2_trace(&set.hosts, n, 2);
    let envoy = Envoy::new(&set.hosts);
    let global = Global::new(&set.hosts);
    let short = &trace[..if quick { 1_000 } else { 3_000 }];
    w2_check(&set, &trace[..20_000], &envoy, Some(&global));
    let table = set.cluster.http_table();
    let (k, e) = interleaved(rounds, trace.len(), || w2_kroute(table, &trace), || w2_envoy(&envoy, &trace));
    rows.push(speedup("W2 host+path lookup vs Envoy model", &size, e, k, 10.0));
    let (k, g) = interleaved_ops(
        rounds.min(5),
        (trace.len(), short.len()),
        || w2_kroute(table, &trace),
        || short.iter().map(|(h, p)| global.route(h, p).map_or(0, |(_, j)| u64::from(j) + 1)).sum(),
    );
    rows.push(speedup("W2 host+path lookup vs global linear scan", &size, g, k, 500.0));
    let (allocs, _) = allocations(|| w2_kroute(table, &trace));
    rows.push(absolute("W2 allocations per lookup", &size, allocs as f64 / trace.len() as f64, "0", allocs == 0));
    // Build: the table alone, from the cluster's typed objects.
    let c = &set.cluster;
    let opts = HttpOptions::default();
    let build_ns = timed(if quick { 5 } else { 11 }, 1, || {
        RouteTable::new(c.ingresses(), c.ingress_classes(), c.secrets(), c.services(), &opts).0.route_count() as u64
    });
    rows.push(absolute("W2 route table build", &format!("{rules} rules"), build_ns, "≤ 10 ms", build_ns <= 10e6));
    let bytes = table.heap_bytes() as f64 / rules as f64;
    rows.push(absolute("W2 table bytes per rule", &format!("{rules} rules"), bytes, "≤ 300 B", bytes <= 300.0));
    // Scaling: 100k rules against 1k rules, the same per-host shape, traces of the same length.
    let small = w2_set(100);
    let large = w2_set(10_000);
    let (ts, tl) = (w2_trace(&small.hosts, n / 2, 7), w2_trace(&large.hosts, n / 2, 7));
    w2_check(&small, &ts[..5_000], &Envoy::new(&small.hosts), None);
    w2_check(&large, &tl[..5_000], &Envoy::new(&large.hosts), None);
    let (a, b) = interleaved(
        rounds,
        n / 2,
        || w2_kroute(small.cluster.http_table(), &ts),
        || w2_kroute(large.cluster.http_table(), &tl),
    );
    rows.push(scaling(
        "W2 host+path lookup scaling",
        (&format!("{} rules", small.cluster.http_table().route_count()), a),
        (&format!("{} rules", large.cluster.http_table().route_count()), b),
        1.5,
    ));
}
