//! W8: the Python module against a pure-Python reference in the same interpreter
//! (`benches/python/w8.py`, run with the repo's `.venv`, which `make python` builds). The lean
//! `lookup_http` calls answer the reference's question and are the target rows; the full
//! `route_http` decisions are reported beside them.

use crate::harness::{absolute, speedup, Row};

/// W8: single calls, batches, and whether a batch lets other Python threads run.
pub fn w8(quick: bool, rows: &mut Vec<Row>) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let python = format!("{root}/.venv/bin/python");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/w8.py");
    let mut cmd = std::process::Command::new(&python);
    cmd.arg(script);
    if quick {
        cmd.arg("--quick");
    }
    let out = match cmd.output() {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!("W8 failed: {}", String::from_utf8_lossy(&o.stderr));
            return;
        }
        Err(e) => {
            eprintln!("W8 skipped ({python}: {e}): build the Python module first (make python)");
            return;
        }
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
        eprintln!("W8: unreadable output {}", String::from_utf8_lossy(&out.stdout));
        return;
    };
    let f = |a: &str, b: &str| v[a][b].as_f64().unwrap_or(f64::NAN);
    let size = format!("{} rules, {} requests", v["rules"], v["batch"]["requests"]);
    rows.push(speedup(
        "W8 Python lookup_http (single call) vs pure-Python reference",
        &size,
        f("single", "reference_ns"),
        f("single", "lookup_ns"),
        5.0,
    ));
    rows.push(speedup(
        "W8 Python lookup_http_many (batch) vs pure-Python reference",
        &size,
        f("batch", "reference_ns"),
        f("batch", "lookup_ns"),
        20.0,
    ));
    rows.push(reported(
        "W8 Python route_http (single call, full decision) vs pure-Python reference",
        &size,
        f("single", "reference_ns"),
        f("single", "route_ns"),
    ));
    rows.push(reported(
        "W8 Python route_http_many (batch, full decisions) vs pure-Python reference",
        &size,
        f("batch", "reference_ns"),
        f("batch", "route_ns"),
    ));
    let native = f("batch", "native_ns");
    rows.push(reported(
        "W8 route_http_many, native call alone (JSON requests in, dicts out) vs pure-Python reference",
        &size,
        f("batch", "reference_ns"),
        native,
    ));
    let progress = f("gil", "other_thread_progress");
    rows.push(absolute(
        "W8 lookup_http_many releases the GIL (another thread's progress during the batch, share of alone)",
        &size,
        progress,
        "> 30%",
        v["gil"]["released"].as_bool().unwrap_or(false),
    ));
}

/// A row shown for comparison only: the ratio, without a target.
fn reported(workload: &str, size: &str, baseline_ns: f64, kroute_ns: f64) -> Row {
    Row {
        workload: workload.into(),
        size: size.into(),
        baseline_ns,
        kroute_ns,
        target: "(reported)".into(),
        pass: true,
    }
}
