//! Instruction and cache-miss counts per lookup, from valgrind's cachegrind: the figures that
//! do not drift (spec/performance.md, "How to report"). They say why a scaling row's time
//! grows: when the instructions per lookup stay flat from the small set to the large one and
//! the simulated first-level data-cache misses grow, the time is the memory hierarchy's, not
//! the algorithm's.
//!
//! Each probe is this binary run under cachegrind as `--probe NAME LOOKUPS`: it builds one
//! workload's data and runs `LOOKUPS` lookups over its trace. Two runs with different counts,
//! subtracted, leave the lookups alone (the data building cancels out). Skipped, with a note,
//! where valgrind is not installed (`make bench` does not install it).

use crate::harness::Row;
use crate::http::{kroute_at, w1_data, w2_kroute, w2_set, w2_trace};
use crate::workloads::{w3_data, Gen};
use kroute::model::Protocol;
use std::net::IpAddr;
use std::process::Command;

/// The probes, in pairs (small set, large set), with the scaling row each pair explains.
const PAIRS: [(&str, &str, &str); 4] = [
    ("W1 Exact", "w1-exact-130", "w1-exact-3510"),
    ("W1 Prefix", "w1-prefix-130", "w1-prefix-3510"),
    ("W2 host+path", "w2-1000", "w2-100000"),
    ("W3 VIP", "w3-1000", "w3-30000"),
];

/// Lookups of the shorter of the two runs of a probe; the longer runs twice as many.
const LOOKUPS: u64 = 200_000;

/// Runs probe `name` (this binary's `--probe` mode): builds its data, then `lookups` lookups
/// cycling over its trace; returns a checksum of the answers.
pub fn run(name: &str, lookups: u64) -> u64 {
    let n = lookups as usize;
    match name {
        "w1-exact-130" | "w1-exact-3510" | "w1-prefix-130" | "w1-prefix-3510" => {
            let (_, cluster, requests) = w1_data(name.ends_with("3510"), name.contains("exact"), &mut Gen(1));
            let table = cluster.http_table();
            requests.iter().cycle().take(n).map(|q| kroute_at(table, "api.example.com", q)).sum()
        }
        "w2-1000" | "w2-100000" => {
            let set = w2_set(if name == "w2-1000" { 100 } else { 10_000 });
            let trace = w2_trace(&set.hosts, 100_000, 7);
            let table = set.cluster.http_table();
            let rounds = n / trace.len();
            (0..rounds).map(|_| w2_kroute(table, &trace)).sum::<u64>()
                + w2_kroute(table, trace.get(..n % trace.len()).unwrap_or_default())
        }
        "w3-1000" | "w3-30000" => {
            let (c, _, trace) = w3_data(if name == "w3-1000" { 1_000 } else { 30_000 });
            trace
                .iter()
                .cycle()
                .take(n)
                .map(|(ip, port)| {
                    c.service_at(IpAddr::V4(*ip), *port, Protocol::TCP).map_or(0, |(_, p, _)| p as u64 + 1)
                })
                .sum()
        }
        _ => panic!("unknown probe {name}"),
    }
}

/// Cachegrind's totals for one run: (instructions, first-level data-cache misses).
fn counts(probe: &str, lookups: u64) -> Option<(f64, f64)> {
    let exe = std::env::current_exe().ok()?;
    let out = Command::new("valgrind")
        .args(["--tool=cachegrind", "--cache-sim=yes", "--cachegrind-out-file=/dev/null"])
        .arg(exe)
        .args(["--probe", probe, &lookups.to_string()])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&out.stderr);
    // Summary lines: `==123== I refs:        1,234,567` and `==123== D1  misses:  2,345 (...)`.
    let total = |label: &str| -> Option<f64> {
        let line = text.lines().find(|l| l.split("== ").nth(1).is_some_and(|r| r.starts_with(label)))?;
        let value = line.split(':').nth(1)?.split_whitespace().next()?;
        value.replace(',', "").parse().ok()
    };
    Some((total("I")?, total("D1")?))
}

/// Per lookup: (instructions, D1 misses), from two runs.
fn per_lookup(probe: &str) -> Option<(f64, f64)> {
    let (i1, m1) = counts(probe, LOOKUPS)?;
    let (i2, m2) = counts(probe, 2 * LOOKUPS)?;
    Some(((i2 - i1) / LOOKUPS as f64, (m2 - m1) / LOOKUPS as f64))
}

/// The cachegrind rows: for each pair, instructions and D1 misses per lookup at the large set
/// against the small one (reported, no target). The same in quick mode: counts need no
/// repeats, and the runs take about a minute and a half.
pub fn rows(_quick: bool, rows: &mut Vec<Row>) {
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("valgrind is not installed: the instruction-count rows are skipped");
        return;
    }
    for (workload, small, large) in PAIRS {
        let (Some(s), Some(l)) = (per_lookup(small), per_lookup(large)) else {
            eprintln!("cachegrind failed on {small} or {large}: their rows are skipped");
            continue;
        };
        let size = format!("{} vs {}", set_size(large), set_size(small));
        for (what, a, b) in [("instructions", s.0, l.0), ("D1 cache misses", s.1, l.1)] {
            rows.push(Row {
                workload: format!("{workload} lookup, {what} per lookup (cachegrind)"),
                size: size.clone(),
                baseline_ns: a,
                kroute_ns: b,
                target: "(reported: why the time scales as it does)".into(),
                pass: true,
            });
        }
    }
}

/// A probe's set size, for the table.
fn set_size(probe: &str) -> String {
    let n = probe.rsplit('-').next().unwrap_or_default();
    let unit = match probe.get(..2) {
        Some("w1") => "routes",
        Some("w2") => "rules",
        _ => "services",
    };
    format!("{n} {unit}")
}
