//! W7 (spec/performance.md): "the W1–W6 kernels in wasm under Node" against "the native build,
//! same inputs".
//!
//! Kernel rows (the target): the kernels of `benches/wasm-kernels` (each builds its own data and
//! runs its loop inside one call) built for wasm32 with the native build's optimisation
//! (profile `release`: opt-level 3) and run under Node (benches/node/w7-kernels.mjs, TurboFan
//! only: `--no-liftoff`), against the same crate natively in a process of its own (this
//! binary's `--kernel-server`), runs alternating so that both see the same machine load. Both
//! sides' first run must give the same checksum. The spec's target: median ratio wasm/native
//! ≤ 1.3× over the kernels, worst ≤ 1.6×. (The npm package is built with opt-level "z" for
//! size, which costs about 2× more on these kernels.)
//!
//! API rows (reported): the npm package's calls under Node (benches/node/w7.mjs, on
//! benches/node/w7-cluster.yaml) against the same core call natively: what the JS API costs
//! on top of its kernel (argument conversion, the boundary, result objects).

use crate::harness::{interleaved, timed, Row};
use kroute::http::{HttpRequest, LookupBuffers, UrlLookup};
use kroute::model::Protocol;
use kroute::{Cluster, Options};
use kroute_wasm_kernels::{Kernel, KERNELS};
use std::io::{BufRead, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const CLUSTER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/node/w7-cluster.yaml");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/node/w7.mjs");
const KERNEL_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/node/w7-kernels.mjs");

/// The spec's targets: median wasm/native ratio over the kernels, and the worst kernel.
const MEDIAN_TARGET: f64 = 1.3;
const WORST_TARGET: f64 = 1.6;

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
    timed(9, requests.len(), route)
}

/// ns per `RouteTable::lookup_url`, natively.
fn native_lookup_ns(urls: &[String]) -> f64 {
    let cluster = cluster();
    let table = cluster.http_table();
    let mut buffers = LookupBuffers::default();
    let lookup = || {
        urls.iter()
            .map(|u| match table.lookup_url(u, &mut buffers) {
                Ok(UrlLookup::Matched(r)) => r.path.map_or(1, |p| p as u64 + 2),
                _ => 0,
            })
            .sum()
    };
    timed(9, urls.len(), lookup)
}

/// ns per operation of `args` in the npm package under Node (`None`: the package is not built).
fn wasm_ns(args: &[&str], urls: &[String]) -> Option<f64> {
    let mut child =
        Command::new("node").arg(SCRIPT).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().ok()?;
    child.stdin.take()?.write_all(serde_json::to_string(urls).ok()?.as_bytes()).ok()?;
    let out = child.wait_with_output().ok().filter(|o| o.status.success())?;
    serde_json::from_slice::<serde_json::Value>(&out.stdout).ok()?["ns_per_op"].as_f64()
}

/// Builds benches/wasm-kernels for wasm32 (profile `release`, as natively); its path.
fn build_kernels() -> Option<PathBuf> {
    let status = Command::new("cargo")
        .current_dir(ROOT)
        .args(["build", "--quiet", "-p", "kroute-wasm-kernels", "--target", "wasm32-unknown-unknown"])
        .args(["--profile", "release"])
        .status()
        .ok()?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from(ROOT).join("target"), PathBuf::from);
    let file = target.join("wasm32-unknown-unknown/release/kroute_wasm_kernels.wasm");
    (status.success() && file.is_file()).then_some(file)
}

/// A process running the kernels, one command at a time (benches/node/w7-kernels.mjs's
/// protocol): Node over the wasm build, or this binary's `--kernel-server` natively.
struct Kernels {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

impl Kernels {
    /// The wasm build under Node. V8 first runs wasm on its baseline compiler (Liftoff) and
    /// moves hot functions to TurboFan in the background when it chooses: a kernel's runs were
    /// sometimes still on Liftoff (2× slower) after 16 runs. `--no-liftoff` compiles with
    /// TurboFan from the start, so every run measures the code a long-lived process settles
    /// on, as the native side does.
    fn wasm(file: &Path) -> Option<Kernels> {
        Kernels::start(Command::new("node").arg("--no-liftoff").arg(KERNEL_SCRIPT).arg(file))
    }

    /// The native build, in a process of its own: a fresh heap, as Node's wasm memory is. In
    /// this process, after W1–W6, the kernels' data lay scattered over a fragmented heap and
    /// the native runs were up to 2× slower than in a fresh one.
    fn native() -> Option<Kernels> {
        Kernels::start(Command::new(std::env::current_exe().ok()?).arg("--kernel-server"))
    }

    fn start(command: &mut Command) -> Option<Kernels> {
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().ok()?;
        let input = child.stdin.take()?;
        let output = std::io::BufReader::new(child.stdout.take()?).lines();
        Some(Kernels { child, input, output })
    }

    /// Sends `command`; its answer line.
    fn ask(&mut self, command: &str) -> Option<String> {
        writeln!(self.input, "{command}").ok()?;
        self.output.next()?.ok()
    }

    /// Runs the kernel set up last once; nanoseconds per operation.
    fn run(&mut self) -> f64 {
        self.ask("run").and_then(|t| t.parse::<f64>().ok()).unwrap()
    }
}

impl Drop for Kernels {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `--kernel-server`: the kernels natively, answering w7-kernels.mjs's commands on stdin
/// (`setup ID` → `OPS CHECKSUM` after a warm-up run; `run` → nanoseconds per operation).
pub fn kernel_server() {
    let mut kernel: Option<Kernel> = None;
    for line in std::io::stdin().lines() {
        let line = line.unwrap();
        let answer = match (line.split_once(' '), kernel.as_mut()) {
            (Some(("setup", id)), _) => {
                kernel = id.parse().ok().and_then(Kernel::new);
                kernel
                    .as_mut()
                    .map_or_else(|| "0 0".into(), |k| format!("{} {}", k.ops(), k.run() & u64::from(u32::MAX)))
            }
            (None, Some(k)) if line == "run" => format!("{}", timed(1, k.ops(), || k.run())),
            _ => panic!("unknown command {line:?}, or no kernel set up"),
        };
        println!("{answer}");
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The kernel rows, and a row for their median ratio. Native and wasm runs alternate, so that
/// both see the same machine load.
fn kernel_rows(quick: bool, rows: &mut Vec<Row>) {
    let rounds = if quick { 9 } else { 21 };
    let Some(file) = build_kernels() else {
        eprintln!("W7 kernels skipped: cannot build benches/wasm-kernels for wasm32 (make tools)");
        return;
    };
    let (Some(mut node), Some(mut native_side)) = (Kernels::wasm(&file), Kernels::native()) else {
        eprintln!(
            "W7 kernels skipped: node could not run {}, or the native kernel server did not start",
            file.display()
        );
        return;
    };
    let mut ratios = Vec::new();
    for (id, (what, size)) in KERNELS.iter().enumerate() {
        let setup = format!("setup {id}");
        let (answer, want) = (node.ask(&setup).unwrap(), native_side.ask(&setup).unwrap());
        assert_eq!(answer, want, "W7 {what}: wasm and native differ (operations, checksum)");
        let (mut native, mut wasm) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            native.push(native_side.run());
            wasm.push(node.run());
        }
        let (native_ns, wasm_ns) = (median(&mut native), median(&mut wasm));
        let ratio = wasm_ns / native_ns;
        ratios.push((ratio, rows.len()));
        rows.push(Row {
            workload: format!("W7 kernel {what} in wasm under Node vs native"),
            size: (*size).into(),
            baseline_ns: native_ns,
            kroute_ns: wasm_ns,
            target: format!("wasm/native ≤ {WORST_TARGET}× (worst)"),
            pass: ratio <= WORST_TARGET,
        });
    }
    // The median kernel's row again, as the spec's median target.
    ratios.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((ratio, row)) = ratios.get(ratios.len() / 2).and_then(|(r, i)| Some((*r, rows.get(*i)?))) {
        let row = Row {
            workload: format!("W7 kernels: median wasm/native ratio ({})", row.workload),
            size: format!("{} kernels", ratios.len()),
            baseline_ns: row.baseline_ns,
            kroute_ns: row.kroute_ns,
            target: format!("median wasm/native ≤ {MEDIAN_TARGET}×"),
            pass: ratio <= MEDIAN_TARGET,
        };
        rows.push(row);
    }
}

/// W7: the kernel rows, then the API rows.
pub fn run(quick: bool, rows: &mut Vec<Row>) {
    kernel_rows(quick, rows);
    let urls = urls();
    let route_native = native_route_http_ns(&urls);
    let lookup_native = native_lookup_ns(&urls);
    let cases = [
        ("connect (random)", "100 endpoints", vec!["connect", "random"], native_connect_ns("random")),
        ("connect (maglev)", "100 endpoints", vec!["connect", "maglev"], native_connect_ns("maglev")),
        ("routeHttp, one call each", "1,000 URLs", vec!["routeHttp"], route_native),
        ("routeHttpMany, 1,000 per call", "1,000 URLs", vec!["routeHttpMany"], route_native),
        ("lookupHttp, one call each", "1,000 URLs", vec!["lookupHttp"], lookup_native),
        ("lookupHttpMany, 1,000 per call", "1,000 URLs", vec!["lookupHttpMany"], lookup_native),
    ];
    for (what, size, args, native) in cases {
        match wasm_ns(&args, &urls) {
            Some(w) => rows.push(Row {
                workload: format!("W7 API {what} in wasm under Node vs native"),
                size: size.into(),
                baseline_ns: native,
                kroute_ns: w,
                target: "(reported: the JS API's cost)".into(),
                pass: true,
            }),
            None => eprintln!("W7 {what} skipped: build the npm package first (make wasm)"),
        }
    }
}
