//! Watch events applied incrementally give the same endpoints as a full rebuild
//! (issue: following a live cluster).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use kroute::{Cluster, Options, Tree};
use proptest::prelude::*;
use std::collections::BTreeMap;

const SERVICES: &str = "
apiVersion: v1
kind: Service
metadata: {name: svc-a}
spec: {clusterIP: 10.96.1.1, ports: [{port: 80, targetPort: 8080}], selector: {app: a}}
---
apiVersion: v1
kind: Service
metadata: {name: svc-b}
spec: {clusterIP: 10.96.1.2, ports: [{name: http, port: 80, targetPort: http}], selector: {app: b}}
---
apiVersion: v1
kind: Service
metadata: {name: manual}
spec: {clusterIP: 10.96.1.3, ports: [{port: 80}]}
";

#[derive(Clone, Debug)]
enum Ev {
    Pod { name: u8, app: bool, ready: bool, deleting: bool, ip: u8, named_port: bool },
    DeletePod(u8),
    Slice { ready: bool, ip: u8 },
    DeleteSlice,
}

fn pod_json(name: u8, app: bool, ready: bool, deleting: bool, ip: u8, named_port: bool) -> serde_json::Value {
    let mut meta = serde_json::json!({"name": format!("p{name}"), "namespace": "default", "labels": {"app": if app {"a"} else {"b"}}});
    if deleting {
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z".into();
    }
    let ports =
        if named_port { serde_json::json!([{"name": "http", "containerPort": 9000}]) } else { serde_json::json!([]) };
    serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta,
        "spec": {"containers": [{"name": "c", "ports": ports}]},
        "status": {"podIP": format!("10.244.0.{ip}"), "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]}})
}

fn slice_json(ready: bool, ip: u8) -> serde_json::Value {
    serde_json::json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "manual-1", "namespace": "default", "labels": {"kubernetes.io/service-name": "manual"}},
        "addressType": "IPv4", "ports": [{"port": 80}],
        "endpoints": [{"addresses": [format!("10.9.0.{ip}")], "conditions": {"ready": ready}}]})
}

fn ev() -> impl Strategy<Value = Ev> {
    prop_oneof![
        (0u8..5, any::<bool>(), any::<bool>(), any::<bool>(), 1u8..250, any::<bool>()).prop_map(
            |(name, app, ready, deleting, ip, named_port)| Ev::Pod { name, app, ready, deleting, ip, named_port }
        ),
        (0u8..5).prop_map(Ev::DeletePod),
        (any::<bool>(), 1u8..250).prop_map(|(ready, ip)| Ev::Slice { ready, ip }),
        Just(Ev::DeleteSlice),
    ]
}

fn tree(v: serde_json::Value) -> Tree {
    serde_json::from_value(v).unwrap()
}

proptest! {
    #[test]
    fn incremental_equals_rebuild(events in proptest::collection::vec(ev(), 1..25)) {
        let opts = Options::default();
        let mut live = Cluster::from_yaml(SERVICES, &opts).unwrap();
        let mut pods: BTreeMap<u8, serde_json::Value> = BTreeMap::new();
        let mut slice: Option<serde_json::Value> = None;
        for e in events {
            let (kind, object) = match e {
                Ev::Pod { name, app, ready, deleting, ip, named_port } => {
                    let p = pod_json(name, app, ready, deleting, ip, named_port);
                    let t = if pods.insert(name, p.clone()).is_some() { "MODIFIED" } else { "ADDED" };
                    (t, p)
                }
                Ev::DeletePod(name) => match pods.remove(&name) {
                    Some(p) => ("DELETED", p),
                    None => continue,
                },
                Ev::Slice { ready, ip } => {
                    let s = slice_json(ready, ip);
                    let t = if slice.replace(s.clone()).is_some() { "MODIFIED" } else { "ADDED" };
                    (t, s)
                }
                Ev::DeleteSlice => match slice.take() {
                    Some(s) => ("DELETED", s),
                    None => continue,
                },
            };
            live.apply_event(&tree(serde_json::json!({"type": kind, "object": object}))).unwrap();
        }
        let mut all: Vec<serde_json::Value> = pods.values().cloned().collect();
        all.extend(slice);
        let mut text = String::from(SERVICES);
        for o in all {
            text.push_str("---\n");
            text.push_str(&serde_json::to_string(&o).unwrap());
            text.push('\n');
        }
        let fresh = Cluster::from_yaml(&text, &opts).unwrap();
        for svc in ["svc-a", "svc-b", "manual"] {
            prop_assert_eq!(live.endpoints("default", svc).unwrap(), fresh.endpoints("default", svc).unwrap(), "{}", svc);
        }
    }
}

#[test]
fn service_events_rebuild_and_bad_events_are_errors() {
    let mut c = Cluster::from_yaml(SERVICES, &Options::default()).unwrap();
    let out = c
        .apply_event(&tree(serde_json::json!({"type": "ADDED", "object": {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "new"}, "spec": {"ports": [{"port": 80}], "selector": {"app": "a"}}}})))
        .unwrap();
    assert!(out.rebuilt);
    assert!(c.service("default", "new").is_some());
    let err = c.apply_event(&tree(
        serde_json::json!({"type": "DELETED", "object": {"kind": "Pod", "metadata": {"name": "ghost"}}}),
    ));
    assert!(err.is_err());
    assert!(c.apply_event(&tree(serde_json::json!({"type": "ERROR", "object": {"kind": "Status"}}))).is_err());
    assert!(c.apply_event(&tree(serde_json::json!("junk"))).is_err());
}
