//! W7 of spec/performance.md: "the W1–W6 kernels in wasm under Node" against "the native
//! build, same inputs". Each [`Kernel`] builds its data itself (deterministically) and runs its
//! loop inside one call, so that the native bench (benches/src/w7.rs) and Node
//! (benches/node/w7-kernels.mjs, over this crate built for wasm32) time exactly the same code
//! on the same inputs, with no JS boundary in the loop. Bench only: never part of the npm
//! package.

use kroute::model::Protocol;
use kroute::router::affinity::AffinityTable;
use kroute::router::maglev::Maglev;
use kroute::router::{hash64, DEFAULT_TABLE_SIZE};
use kroute::{Cluster, Options, PodIndex, Selector, Tree};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::net::IpAddr;

/// The kernels, by number: (workload, size).
pub const KERNELS: &[(&str, &str)] = &[
    ("W1 Exact path lookup (RouteTable::lookup)", "130 GitHub routes"),
    ("W1 Prefix path lookup (RouteTable::lookup)", "130 GitHub routes"),
    ("W2 host + path lookup (RouteTable::lookup)", "10k rules, 1k hosts"),
    ("W3 VIP lookup (Cluster::service_at)", "10k services"),
    ("W4 Maglev pick", "M=65537, N=100"),
    ("W4 Maglev build", "M=65537, N=100"),
    ("W4 endpoint pick: Router::connect (random)", "100 endpoints"),
    ("W4 endpoint pick: Router::connect (maglev)", "100 endpoints"),
    ("W5 affinity lookup (AffinityTable::lookup)", "200k clients"),
    ("W6 pods for a selector (PodIndex::select)", "10k pods, 1k selectors"),
    ("W6 selector matching (Selector::matches)", "1k selectors × 100 label sets"),
];

/// One kernel, ready to run: `ops` operations per [`Kernel::run`].
pub struct Kernel {
    ops: usize,
    body: Box<dyn FnMut() -> u64>,
}

impl Kernel {
    /// Builds kernel `id`'s data (`None`: no such kernel, or its data did not build).
    pub fn new(id: usize) -> Option<Kernel> {
        let (ops, body): (usize, Box<dyn FnMut() -> u64>) = match id {
            0 | 1 => w1(id == 0)?,
            2 => w2()?,
            3 => w3()?,
            4 => maglev_pick(),
            5 => maglev_build(),
            6 => connect("random")?,
            7 => connect("maglev")?,
            8 => affinity(),
            9 | 10 => w6(id == 9)?,
            _ => return None,
        };
        Some(Kernel { ops, body })
    }

    /// Operations per run.
    pub fn ops(&self) -> usize {
        self.ops
    }

    /// Runs the loop once; returns a checksum of the answers.
    pub fn run(&mut self) -> u64 {
        (self.body)()
    }
}

/// A deterministic generator: the core's `hash64` of a counter.
struct Gen(u64, u64);
impl Gen {
    fn new(seed: u64) -> Self {
        Gen(seed, 0)
    }
    fn next(&mut self) -> u64 {
        self.1 += 1;
        hash64(&self.1.to_le_bytes(), self.0)
    }
    /// Skewed index in 0..n (square of a uniform: popular items first).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u) * n as f64) as usize % n.max(1)
    }
}

/// A cluster from JSON objects: no synthesised `default/kubernetes`, limits above the sizes.
fn build(objects: Vec<Value>) -> Option<Cluster> {
    let options: Options =
        serde_json::from_value(json!({"kubernetesService": false, "limits": {"maxObjects": 10_000_000}})).ok()?;
    let trees = objects.into_iter().map(serde_json::from_value).collect::<Result<Vec<Tree>, _>>().ok()?;
    Cluster::from_objects(trees, &options).ok()
}

fn service(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
        "spec": {"ports": [{"port": 80}], "selector": {"app": name}}})
}

/// An Ingress with one rule: `host` (none: every host) and `(path, Exact?)` paths to `service`.
fn ingress(name: &str, host: Option<&str>, paths: &[(String, bool)], service: &str) -> Value {
    let paths: Vec<Value> = paths
        .iter()
        .map(|(p, exact)| {
            json!({"path": p, "pathType": if *exact { "Exact" } else { "Prefix" },
                "backend": {"service": {"name": service, "port": {"number": 80}}}})
        })
        .collect();
    let mut rule = json!({"http": {"paths": paths}});
    if let (Some(h), Some(r)) = (host, rule.as_object_mut()) {
        r.insert("host".into(), json!(h));
    }
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"rules": [rule]}})
}

/// A lookup's checksum contribution: the path index + 1, or 0.
fn lookup_sum(cluster: &Cluster, host: &str, path: &str) -> u64 {
    cluster.http_table().lookup(host, path).and_then(|r| r.path).map_or(0, |p| p as u64 + 1)
}

/// W1: matchit's GitHub routes as Exact or Prefix paths of one Ingress; every rule requested
/// (Prefix: every other one deeper), 50 times over, shuffled.
fn w1(exact: bool) -> Option<(usize, Box<dyn FnMut() -> u64>)> {
    const GITHUB: &str = include_str!("../../src/github_routes.txt");
    let mut rules: Vec<String> = Vec::new();
    for t in GITHUB.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let p =
            t.replace("{p1}", "rust-lang").replace("{p2}", "rust").replace("{p3}", "1.51.0").replace("{p4}", "open");
        let p = if exact { p } else { p.trim_end_matches('/').to_string() };
        if !rules.contains(&p) {
            rules.push(p);
        }
    }
    let paths: Vec<(String, bool)> = rules.iter().map(|r| (r.clone(), exact)).collect();
    let cluster = build(vec![ingress("api", None, &paths, "api"), service("api")])?;
    let mut requests: Vec<String> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| if !exact && i % 2 == 1 { format!("{r}/x/{i}") } else { r.clone() })
        .collect();
    let mut g = Gen::new(1);
    for i in (1..requests.len()).rev() {
        requests.swap(i, (g.next() % (i as u64 + 1)) as usize);
    }
    let (reps, ops) = (50, requests.len() * 50);
    let body = move || {
        (0..reps).map(|_| requests.iter().map(|q| lookup_sum(&cluster, "api.example.com", q)).sum::<u64>()).sum()
    };
    Some((ops, Box::new(body)))
}

/// W2: 1k hosts (every fifth a wildcard) × 10 paths, a 100k-request trace with skewed host
/// popularity and about 5% misses.
fn w2() -> Option<(usize, Box<dyn FnMut() -> u64>)> {
    let hosts = 1_000;
    let host_paths = |i: usize| -> Vec<(String, bool)> {
        let s = i % 7;
        let mut v: Vec<(String, bool)> = [
            ("/api", false),
            ("/api/v1", false),
            ("/api/v2", false),
            ("/static", false),
            ("/login", true),
            ("/docs", false),
            ("/healthz", true),
        ]
        .iter()
        .map(|(p, e)| (p.to_string(), *e))
        .collect();
        v.push((format!("/api/v1/users{s}"), false));
        v.push((format!("/img/logo{s}.png"), true));
        v.push(if i.is_multiple_of(3) { ("/".into(), false) } else { (format!("/app{s}"), false) });
        v
    };
    let host_name = |i: usize| if i % 5 == 4 { format!("*.w{i}.example.com") } else { format!("h{i}.example.com") };
    let mut objects = Vec::new();
    for i in 0..hosts {
        objects.push(ingress(&format!("ing-{i}"), Some(&host_name(i)), &host_paths(i), &format!("svc-{i}")));
        objects.push(service(&format!("svc-{i}")));
    }
    let cluster = build(objects)?;
    let mut g = Gen::new(2);
    let trace: Vec<(String, String)> = (0..100_000)
        .map(|r| {
            let i = g.skewed(hosts);
            let host = match host_name(i).strip_prefix("*.") {
                Some(rest) => format!("a{}.{rest}", r % 97),
                None => host_name(i),
            };
            match g.next() % 40 {
                0 => (format!("nohost{}.example.org", r % 1000), "/api".into()),
                1 => (host, format!("/zz{}/x", r % 13)),
                k => {
                    let paths = host_paths(i);
                    let (p, exact) = paths.get(k as usize % paths.len()).cloned().unwrap_or_default();
                    let deeper = !exact && k % 3 == 0;
                    (host, if deeper { format!("{}/item/{}", p.trim_end_matches('/'), r % 50) } else { p })
                }
            }
        })
        .collect();
    let body = move || trace.iter().map(|(h, p)| lookup_sum(&cluster, h, p)).sum();
    Some((100_000, Box::new(body)))
}

/// W3: 10k Services with cluster IPs; 20k lookups with skewed popularity, 8 times over.
fn w3() -> Option<(usize, Box<dyn FnMut() -> u64>)> {
    let n = 10_000;
    let ip = |i: usize| {
        IpAddr::from([10, (96 + (i + 1) / 65536 % 16) as u8, ((i + 1) / 256 % 256) as u8, ((i + 1) % 256) as u8])
    };
    let objects = (0..n)
        .map(|i| {
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": format!("svc-{i}"), "namespace": format!("ns-{}", i % 50)},
                "spec": {"clusterIP": ip(i).to_string(), "ports": [{"port": 80 + (i % 5), "targetPort": 8080}], "selector": {"app": format!("app-{i}")}}})
        })
        .collect();
    let cluster = build(objects)?;
    let mut g = Gen::new(3);
    let trace: Vec<(IpAddr, u16)> = (0..20_000)
        .map(|_| {
            let i = (g.skewed(n) * 7919) % n;
            (ip(i), (80 + i % 5) as u16)
        })
        .collect();
    let ops = trace.len() * 8;
    let body = move || {
        (0..8)
            .map(|_| {
                trace
                    .iter()
                    .map(|(ip, port)| cluster.service_at(*ip, *port, Protocol::TCP).map_or(0, |(_, p, _)| p as u64 + 1))
                    .sum::<u64>()
            })
            .sum()
    };
    Some((ops, Box::new(body)))
}

/// The 100 endpoint names of W4.
fn endpoint_names() -> Vec<String> {
    (0..100).map(|i| format!("10.244.{}.{}:8080", i / 250, i % 250)).collect()
}

/// W4: Maglev picks for 10k hashed keys, 10 times over.
fn maglev_pick() -> (usize, Box<dyn FnMut() -> u64>) {
    let names = endpoint_names();
    let refs: Vec<&[u8]> = names.iter().map(|s| s.as_bytes()).collect();
    let table = Maglev::build(&refs, DEFAULT_TABLE_SIZE);
    let keys: Vec<u64> = (0..10_000u64).map(|k| hash64(&k.to_le_bytes(), 9)).collect();
    let body = move || (0..10).map(|_| keys.iter().map(|k| table.pick(*k).unwrap_or(0) as u64).sum::<u64>()).sum();
    (100_000, Box::new(body))
}

/// W4: one Maglev table build.
fn maglev_build() -> (usize, Box<dyn FnMut() -> u64>) {
    let names = endpoint_names();
    let body = move || {
        let refs: Vec<&[u8]> = names.iter().map(|s| s.as_bytes()).collect();
        Maglev::build(&refs, DEFAULT_TABLE_SIZE).pick(1).unwrap_or(0) as u64
    };
    (1, Box::new(body))
}

/// W4 through the router: 10k clients connect to a Service with 100 ready endpoints.
fn connect(balancer: &str) -> Option<(usize, Box<dyn FnMut() -> u64>)> {
    let mut objects =
        vec![json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"clusterIP": "10.96.0.50", "ports": [{"port": 80, "targetPort": 8080}], "selector": {"app": "web"}}})];
    objects.extend((0..100).map(|i| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("web-{i}"), "namespace": "default", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"podIP": format!("10.244.0.{}", i + 1), "conditions": [{"type": "Ready", "status": "True"}]}})
    }));
    let cluster = std::sync::Arc::new(build(objects)?);
    let config = kroute::RouterConfig {
        seed: 1,
        balancer: kroute::Balancer::parse(balancer)?,
        ..kroute::RouterConfig::default()
    };
    let mut router = cluster.router(config);
    let conns: Vec<kroute::Conn> = (0..10_000u32)
        .map(|i| kroute::Conn {
            client_ip: Some(IpAddr::from([10, 1, (i >> 8) as u8, i as u8])),
            client_port: None,
            dst_ip: IpAddr::from([10, 96, 0, 50]),
            dst_port: 80,
            protocol: Protocol::TCP,
            from_pod: None,
            node: None,
        })
        .collect();
    let body = move || {
        conns
            .iter()
            .map(|c| router.connect(c, 0.0).ok().and_then(|d| d.endpoint).map_or(0, |e| u64::from(e.port) + 1))
            .sum()
    };
    Some((10_000, Box::new(body)))
}

/// W5: 200k clients (10% IPv6) recorded; 100k lookups, 80% of them hits.
fn affinity() -> (usize, Box<dyn FnMut() -> u64>) {
    let clients = 200_000u32;
    let client = |i: u32| {
        if i.is_multiple_of(10) {
            IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, (i >> 16) as u16, i as u16])
        } else {
            IpAddr::from(i.to_be_bytes())
        }
    };
    let endpoint = (IpAddr::from([10, 244, 0, 1]), 8080);
    let mut table = AffinityTable::new(clients as usize * 2);
    for i in 0..clients {
        table.record(1, client(i), endpoint, 0.0);
    }
    let mut g = Gen::new(5);
    let trace: Vec<IpAddr> = (0..100_000u32)
        .map(|i| {
            if i % 10 < 8 {
                client(g.skewed(clients as usize) as u32)
            } else {
                IpAddr::from([198, 18, (i >> 8) as u8, i as u8])
            }
        })
        .collect();
    let body = move || trace.iter().map(|ip| u64::from(table.lookup(1, *ip, 5.0, 10_800.0).is_some())).sum();
    (100_000, Box::new(body))
}

/// `list[i % list.len()]`.
fn nth<'a>(list: &[&'a str], i: usize) -> &'a str {
    list.get(i % list.len().max(1)).copied().unwrap_or_default()
}

/// W6: 10k pods over 10 namespaces (5 labels each) and 1k selectors (70% equality, 30%
/// set-based): the pods of each selector through the index, or each selector matched against
/// 100 pods' labels.
fn w6(index: bool) -> Option<(usize, Box<dyn FnMut() -> u64>)> {
    let (pods, namespaces, apps) = (10_000, 10, 100);
    let objects = (0..pods)
        .map(|i| {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("pod-{i}"), "namespace": format!("ns-{}", i % namespaces),
                "labels": {"app": format!("app-{}", i % apps), "tier": nth(&["web", "api", "db"], i), "env": nth(&["prod", "staging", "dev"], i / 3),
                    "zone": format!("z{}", i % 5), "version": format!("v{}", i % 7)}},
                "spec": {"containers": [{"name": "c"}]},
                "status": {"podIP": format!("10.{}.{}.{}", 128 + i / 65536, (i / 256) % 256, i % 256), "conditions": [{"type": "Ready", "status": "True"}]}})
        })
        .collect();
    let cluster = build(objects)?;
    let mut g = Gen::new(6);
    let selectors = (0..1_000)
        .map(|s| {
            let ns = format!("ns-{}", g.next() % namespaces as u64);
            let app = format!("app-{}", g.next() % apps as u64);
            let text = match g.next() % 10 {
                0..=3 => format!("app={app},tier=web"),
                4..=6 => format!("app={app}"),
                7 => format!("app in ({app},app-{}),env notin (dev)", (s * 7) % apps),
                8 => format!("tier in (web,api),zone=z{},!canary", s % 5),
                _ => format!("app={app},version notin (v1,v2)"),
            };
            Selector::parse(&text).ok().map(|sel| (ns, sel))
        })
        .collect::<Option<Vec<_>>>()?;
    if index {
        let pod_index = PodIndex::build(cluster.pods());
        let ops = selectors.len();
        let body =
            move || selectors.iter().map(|(ns, sel)| pod_index.select(cluster.pods(), ns, sel).len() as u64).sum();
        return Some((ops, Box::new(body)));
    }
    let labels: Vec<kroute::Labels> = cluster.pods().iter().take(100).map(|p| p.metadata.labels.clone()).collect();
    let ops = selectors.len() * labels.len();
    let body = move || selectors.iter().map(|(_, sel)| labels.iter().filter(|l| sel.matches(l)).count() as u64).sum();
    Some((ops, Box::new(body)))
}

thread_local! {
    /// The kernel set up by [`kernel_setup`], for [`kernel_run`].
    static CURRENT: RefCell<Option<Kernel>> = const { RefCell::new(None) };
}

/// For Node: sets up kernel `id`; returns its operations per run (0: no such kernel).
#[allow(unsafe_code)] // an export by name for `WebAssembly.instantiate` (no bindings)
#[no_mangle]
pub extern "C" fn kernel_setup(id: u32) -> u32 {
    let kernel = Kernel::new(id as usize);
    let ops = kernel.as_ref().map_or(0, |k| u32::try_from(k.ops()).unwrap_or(0));
    CURRENT.with(|c| *c.borrow_mut() = kernel);
    ops
}

/// For Node: runs the kernel set up last once; returns its checksum (low 32 bits).
#[allow(unsafe_code)] // an export by name for `WebAssembly.instantiate` (no bindings)
#[no_mangle]
pub extern "C" fn kernel_run() -> u32 {
    CURRENT.with(|c| c.borrow_mut().as_mut().map_or(0, |k| k.run() as u32))
}
