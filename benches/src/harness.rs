//! Interleaved measurement and the results table.

use std::hint::black_box;
use std::time::Instant;

/// One table row.
pub struct Row {
    pub workload: String,
    pub size: String,
    pub baseline_ns: f64,
    pub kroute_ns: f64,
    /// Human form of the target, like `≥ 10×`.
    pub target: String,
    pub pass: bool,
}

/// Median nanoseconds per operation of `f` (which performs `ops` operations per call),
/// measured in `rounds` interleaved with `g`; returns (median f, median g).
pub fn interleaved(rounds: usize, ops: usize, f: impl FnMut() -> u64, g: impl FnMut() -> u64) -> (f64, f64) {
    interleaved_ops(rounds, (ops, ops), f, g)
}

/// [`interleaved`] where `f` and `g` perform different numbers of operations per call (a slow
/// baseline over a shorter trace).
pub fn interleaved_ops(
    rounds: usize,
    (ops_f, ops_g): (usize, usize),
    mut f: impl FnMut() -> u64,
    mut g: impl FnMut() -> u64,
) -> (f64, f64) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        black_box(f());
        a.push(t.elapsed().as_nanos() as f64 / ops_f as f64);
        let t = Instant::now();
        black_box(g());
        b.push(t.elapsed().as_nanos() as f64 / ops_g as f64);
    }
    (median(&mut a), median(&mut b))
}

/// Median nanoseconds per operation of `f` alone.
pub fn timed(rounds: usize, ops: usize, f: impl FnMut() -> u64) -> f64 {
    interleaved(rounds, ops, f, || 0).0
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A row whose target is "kroute at least `min_speedup` times faster than the baseline".
pub fn speedup(workload: &str, size: &str, baseline_ns: f64, kroute_ns: f64, min_speedup: f64) -> Row {
    Row {
        workload: workload.into(),
        size: size.into(),
        baseline_ns,
        kroute_ns,
        target: format!("≥ {min_speedup}× faster"),
        pass: baseline_ns / kroute_ns >= min_speedup,
    }
}

/// A row without a baseline: a value and whether it meets an absolute target.
pub fn absolute(workload: &str, size: &str, value: f64, target: &str, pass: bool) -> Row {
    Row {
        workload: workload.into(),
        size: size.into(),
        baseline_ns: f64::NAN,
        kroute_ns: value,
        target: target.into(),
        pass,
    }
}

/// A scaling row: time at the largest size against time at the smallest, at most `max`×.
pub fn scaling(workload: &str, (small, small_ns): (&str, f64), (large, large_ns): (&str, f64), max: f64) -> Row {
    Row {
        workload: workload.into(),
        size: format!("{large} vs {small}"),
        baseline_ns: small_ns,
        kroute_ns: large_ns,
        target: format!("time at {large} ≤ {max}× time at {small}"),
        pass: large_ns <= max * small_ns,
    }
}

/// Values are nanoseconds, except in rows counting allocations, bytes, instructions or cache
/// misses, or a share of progress under the GIL (named so).
fn fmt_value(workload: &str, v: f64) -> String {
    if workload.contains("GIL") {
        format!("{:.0}%", v * 100.0)
    } else if workload.contains("instructions") {
        format!("{v:.0}")
    } else if workload.contains("allocations") || workload.contains("misses") {
        format!("{v:.2}")
    } else if workload.contains("bytes") {
        format!("{v:.0} B")
    } else {
        fmt_ns(v)
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// The markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut s = String::from("| workload | size | baseline median | kroute median | ratio (baseline/kroute) | target | result |\n|---|---|---|---|---|---|---|\n");
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r.workload,
            r.size,
            if r.baseline_ns.is_nan() { "—".into() } else { fmt_value(&r.workload, r.baseline_ns) },
            fmt_value(&r.workload, r.kroute_ns),
            if r.baseline_ns.is_nan() { "—".into() } else { format!("{:.2}×", r.baseline_ns / r.kroute_ns) },
            r.target,
            if r.pass { "pass" } else { "FAIL" }
        ));
    }
    s
}
