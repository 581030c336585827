//! `spec/performance.md` W2: at most 300 bytes per rule. (That a lookup allocates nothing
//! beyond its decision is checked outside the workspace, which forbids the `unsafe` a
//! counting allocator needs; see the issue-5 report.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kroute::http::{HttpOptions, HttpRequest, RouteTable};
use kroute::model::{HttpPath, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IntOrString, ObjectMeta};

/// One Ingress with `hosts` hosts (a fifth of them wildcards) of `paths_per_host` paths each.
fn table(hosts: usize, paths_per_host: usize) -> RouteTable {
    let backend = |h: usize| IngressBackend {
        service: Some(IngressServiceBackend {
            name: format!("svc-{}", h % 100),
            port: Some(IntOrString::Int(80)),
            port_both: false,
        }),
        resource: None,
    };
    let rules = (0..hosts)
        .map(|h| IngressRule {
            host: if h % 5 == 0 { format!("*.w{h}.example.com") } else { format!("h{h}.example.com") },
            paths: Some(
                (0..paths_per_host)
                    .map(|p| HttpPath {
                        path: format!("/api/v{p}/items"),
                        path_type: Some(String::from(if p % 2 == 0 { "Prefix" } else { "Exact" })),
                        backend: backend(h),
                    })
                    .collect(),
            ),
        })
        .collect();
    let ing = Ingress {
        metadata: ObjectMeta { name: String::from("big"), namespace: String::from("default"), ..ObjectMeta::default() },
        rules,
        ..Ingress::default()
    };
    RouteTable::new(&[ing], &[], &[], &[], &HttpOptions::default()).0
}

#[test]
fn spec_performance_w2_bytes_per_rule() {
    let t = table(1000, 10);
    assert_eq!(t.route_count(), 10_000);
    let per_rule = t.heap_bytes() / t.route_count();
    assert!(per_rule <= 300, "{per_rule} bytes per rule");
    let eps = |_: &str, _: &str| None;
    let d = t.route(&HttpRequest::new("http://h1.example.com/api/v2/items/42"), &[], &eps, false).unwrap();
    assert_eq!(d.match_.unwrap().path.as_deref(), Some("/api/v2/items"));
    let d = t.route(&HttpRequest::new("http://x.w5.example.com/api/v1/items"), &[], &eps, false).unwrap();
    assert_eq!(d.match_.unwrap().path.as_deref(), Some("/api/v1/items"));
}
