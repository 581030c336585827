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
pub fn interleaved(rounds: usize, ops: usize, mut f: impl FnMut() -> u64, mut g: impl FnMut() -> u64) -> (f64, f64) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        black_box(f());
        a.push(t.elapsed().as_nanos() as f64 / ops as f64);
        let t = Instant::now();
        black_box(g());
        b.push(t.elapsed().as_nanos() as f64 / ops as f64);
    }
    (median(&mut a), median(&mut b))
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
            "| {} | {} | {} | {} | {:.2}× | {} | {} |\n",
            r.workload,
            r.size,
            if r.baseline_ns.is_nan() { "—".into() } else { fmt_ns(r.baseline_ns) },
            fmt_ns(r.kroute_ns),
            r.baseline_ns / r.kroute_ns,
            r.target,
            if r.pass { "pass" } else { "FAIL" }
        ));
    }
    s
}
