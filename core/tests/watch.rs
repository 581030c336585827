//! Watch events applied in place give the same cluster as a full rebuild from the same
//! objects, for every kind (issue: following a live cluster): endpoints, addresses, Ingress
//! routing, env vars and findings (positions aside).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use kroute::http::HttpRequest;
use kroute::model::Protocol;
use kroute::{Cluster, Options, Tree};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The objects a random history is made of: each key is (kind, name), each value a variant.
#[derive(Clone, Debug)]
enum Ev {
    Put(Obj),
    Delete(u8),
}

#[derive(Clone, Debug)]
enum Obj {
    Pod { name: u8, app: bool, ready: bool, deleting: bool, ip: u8, named_port: bool, node: u8, env: bool },
    Slice { ready: bool, ip: u8 },
    Service { name: u8, app: bool, node_port: bool, port: u16, headless: bool, clash: bool },
    Node { name: u8, zone: Option<u8> },
    Ingress { name: u8, backend: u8, path: u8, tls: bool },
    Class { default: bool },
    Secret,
}

impl Obj {
    /// A key naming the object among all generated ones.
    fn key(&self) -> u8 {
        match self {
            Obj::Pod { name, .. } => *name,
            Obj::Slice { .. } => 10,
            Obj::Service { name, .. } => 20 + name,
            Obj::Node { name, .. } => 30 + name,
            Obj::Ingress { name, .. } => 40 + name,
            Obj::Class { .. } => 50,
            Obj::Secret => 60,
        }
    }

    fn json(&self) -> Value {
        match *self {
            Obj::Pod { name, app, ready, deleting, ip, named_port, node, env } => {
                let mut meta = json!({"name": format!("p{name}"), "namespace": "default", "labels": {"app": if app {"a"} else {"b"}}});
                if deleting {
                    meta["deletionTimestamp"] = "2026-01-01T00:00:00Z".into();
                }
                let ports = if named_port { json!([{"name": "http", "containerPort": 9000}]) } else { json!([]) };
                let env = if env { json!([{"name": "SVC_X0_PORT", "value": "1"}]) } else { json!([]) };
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                    "spec": {"nodeName": format!("n{node}"), "containers": [{"name": "c", "ports": ports, "env": env}]},
                    "status": {"podIP": format!("10.244.0.{ip}"), "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]}})
            }
            Obj::Slice { ready, ip } => json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": "manual-1", "namespace": "default", "labels": {"kubernetes.io/service-name": "manual"}},
                "addressType": "IPv4", "ports": [{"port": 80}],
                "endpoints": [{"addresses": [format!("10.9.0.{ip}")], "conditions": {"ready": ready}, "nodeName": "n0"}]}),
            Obj::Service { name, app, node_port, port, headless, clash } => {
                let mut spec = json!({"ports": [{"name": "web", "port": port, "targetPort": if app {json!(8080)} else {json!("http")}}],
                    "selector": {"app": if app {"a"} else {"b"}}});
                if headless {
                    spec["clusterIP"] = "None".into();
                } else if clash {
                    spec["clusterIP"] = "10.96.1.1".into(); // svc-a's, which sorts first and keeps it
                } else {
                    spec["clusterIP"] = format!("10.96.2.{}", 10 + name).into();
                }
                if node_port && !headless {
                    spec["type"] = "NodePort".into();
                    spec["ports"][0]["nodePort"] = (30100 + u32::from(name)).into();
                }
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": format!("svc-x{name}"), "namespace": "default"}, "spec": spec})
            }
            Obj::Node { name, zone } => {
                let mut meta = json!({"name": format!("n{name}")});
                if let Some(z) = zone {
                    meta["labels"] = json!({"topology.kubernetes.io/zone": format!("z{z}")});
                }
                json!({"apiVersion": "v1", "kind": "Node", "metadata": meta,
                    "status": {"addresses": [{"type": "InternalIP", "address": format!("192.168.0.{}", 1 + name)}]}})
            }
            Obj::Ingress { name, backend, path, tls } => {
                let svc = if backend < 3 { format!("svc-x{backend}") } else { String::from("svc-a") };
                let mut spec = json!({"rules": [{"host": "a.example", "http": {"paths": [
                    {"path": format!("/p{path}"), "pathType": "Prefix", "backend": {"service": {"name": svc, "port": {"name": "web"}}}}]}}]});
                if tls {
                    spec["tls"] = json!([{"hosts": ["a.example"], "secretName": "tls"}]);
                }
                json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                    "metadata": {"name": format!("ing{name}"), "namespace": "default", "creationTimestamp": format!("2026-01-0{}T00:00:00Z", name + 1)},
                    "spec": spec})
            }
            Obj::Class { default } => json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                "metadata": {"name": "nginx", "annotations": {"ingressclass.kubernetes.io/is-default-class": if default {"true"} else {"false"}}},
                "spec": {"controller": "k8s.io/ingress-nginx"}}),
            Obj::Secret => {
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tls", "namespace": "default"},
                "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}})
            }
        }
    }
}

const BASE: &str = "
apiVersion: v1
kind: Service
metadata: {name: svc-a}
spec: {clusterIP: 10.96.1.1, ports: [{name: web, port: 80, targetPort: 8080}], selector: {app: a}}
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

fn obj() -> impl Strategy<Value = Obj> {
    prop_oneof![
        4 => (0u8..5, any::<bool>(), any::<bool>(), any::<bool>(), 1u8..250, any::<bool>(), 0u8..2, prop::bool::weighted(0.2))
            .prop_map(|(name, app, ready, deleting, ip, named_port, node, env)| Obj::Pod { name, app, ready, deleting, ip, named_port, node, env }),
        1 => (any::<bool>(), 1u8..250).prop_map(|(ready, ip)| Obj::Slice { ready, ip }),
        2 => (0u8..3, any::<bool>(), any::<bool>(), prop_oneof![Just(80u16), Just(8080u16)], prop::bool::weighted(0.2), prop::bool::weighted(0.1))
            .prop_map(|(name, app, node_port, port, headless, clash)| Obj::Service { name, app, node_port, port, headless, clash }),
        1 => (0u8..2, prop::option::of(0u8..2)).prop_map(|(name, zone)| Obj::Node { name, zone }),
        2 => (0u8..2, 0u8..4, 0u8..2, any::<bool>()).prop_map(|(name, backend, path, tls)| Obj::Ingress { name, backend, path, tls }),
        1 => any::<bool>().prop_map(|default| Obj::Class { default }),
        1 => Just(Obj::Secret),
    ]
}

fn ev() -> impl Strategy<Value = Ev> {
    prop_oneof![3 => obj().prop_map(Ev::Put), 1 => any::<u8>().prop_map(Ev::Delete)]
}

fn tree(v: Value) -> Tree {
    serde_json::from_value(v).unwrap()
}

/// Findings without positions, sorted: what a rebuild must reproduce.
fn findings(c: &Cluster) -> Vec<String> {
    let mut out: Vec<String> = c
        .diagnostics()
        .iter()
        .map(|d| {
            let o = d.object.as_ref().map(|o| format!("{} {}/{}", o.kind, o.namespace, o.name)).unwrap_or_default();
            format!("{} {} [{o}] {:?}: {}", d.code, serde_json::to_string(&d.severity).unwrap(), d.field, d.message)
        })
        .collect();
    out.sort();
    out
}

/// Everything a user can ask that the events may change.
fn observe(c: &Cluster) -> Vec<String> {
    let mut out = findings(c);
    for s in c.services() {
        let eps = c.endpoints(&s.metadata.namespace, &s.metadata.name).unwrap();
        out.push(format!("{}/{}: {eps:?} {} {:?}", s.metadata.namespace, s.metadata.name, s.cluster_ip, s.ports));
    }
    // Every address the generated objects can claim, and the ports they can claim it on.
    let ips =
        ["10.96.1.1", "10.96.1.2", "10.96.1.3", "10.96.2.10", "10.96.2.11", "10.96.2.12", "192.168.0.1", "192.168.0.2"];
    for ip in ips.map(|ip| ip.parse().unwrap()) {
        for port in [80, 8080, 30100, 30101, 30102] {
            let at = c.service_at(ip, port, Protocol::TCP).map(|(s, i, via)| (s.metadata.name.clone(), i, via));
            out.push(format!("{ip}:{port} -> {at:?}"));
        }
    }
    for url in ["http://a.example/p0/x", "http://a.example/p1", "https://a.example/p0", "http://b.example/"] {
        let d = c.route_http(&HttpRequest { url: url.into(), ..HttpRequest::default() }, false).unwrap();
        out.push(format!("{url}: {}", serde_json::to_string(&d).unwrap()));
        let found = c.http_table().lookup_url(url, &mut kroute::http::LookupBuffers::default()).unwrap();
        out.push(format!("{url}: {found:?}"));
    }
    out.push(format!("{:?}", c.env_vars("default", true)));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn incremental_equals_rebuild(events in proptest::collection::vec(ev(), 1..30)) {
        let opts = Options::default();
        let mut live = Cluster::from_yaml(BASE, &opts).unwrap();
        let mut objects: BTreeMap<u8, Value> = BTreeMap::new();
        for e in events {
            let (kind, object) = match e {
                Ev::Put(o) => {
                    let v = o.json();
                    (if objects.insert(o.key(), v.clone()).is_some() { "MODIFIED" } else { "ADDED" }, v)
                }
                Ev::Delete(k) => {
                    let Some(k) = objects.keys().copied().nth(usize::from(k) % objects.len().max(1)) else { continue };
                    ("DELETED", objects.remove(&k).unwrap())
                }
            };
            live.apply_event(&tree(json!({"type": kind, "object": object}))).unwrap();
        }
        let mut text = String::from(BASE);
        for o in objects.values() {
            text.push_str(&format!("---\n{o}\n"));
        }
        let fresh = Cluster::from_yaml(&text, &opts).unwrap();
        let (a, b) = (observe(&live), observe(&fresh));
        prop_assert_eq!(a, b);
    }
}

fn apply(c: &mut Cluster, kind: &str, object: Value) -> kroute::EventOutcome {
    c.apply_event(&tree(json!({"type": kind, "object": object}))).unwrap()
}

#[test]
fn a_new_service_gets_a_free_address_and_an_update_keeps_it() {
    let mut c = Cluster::from_yaml(BASE, &Options::default()).unwrap();
    let spec = json!({"type": "NodePort", "ports": [{"port": 80}], "selector": {"app": "a"}});
    let out = apply(&mut c, "ADDED", json!({"kind": "Service", "metadata": {"name": "new"}, "spec": spec}));
    assert_eq!(out.recomputed, ["default/new"]);
    assert!(!out.http_rebuilt, "no Ingress names it, and there is no Ingress whose positions shift");
    let svc = c.service("default", "new").unwrap().clone();
    let ip: std::net::IpAddr = svc.cluster_ip.parse().unwrap();
    let taken: Vec<&str> =
        c.services().iter().filter(|s| s.metadata.name != "new").map(|s| s.cluster_ip.as_str()).collect();
    assert!(!taken.contains(&svc.cluster_ip.as_str()), "{ip} collides");
    assert!((30000..=32767).contains(&svc.ports[0].node_port.unwrap()));
    // An update that leaves them out keeps them (patchAllocatedValues).
    apply(&mut c, "MODIFIED", json!({"kind": "Service", "metadata": {"name": "new"}, "spec": spec}));
    let again = c.service("default", "new").unwrap();
    assert_eq!((&again.cluster_ip, again.ports[0].node_port), (&svc.cluster_ip, svc.ports[0].node_port));
    // A clashing explicit address is the newcomer's error, as the API server answers it.
    let clash = json!({"clusterIP": "10.96.1.1", "ports": [{"port": 80}]});
    apply(&mut c, "ADDED", json!({"kind": "Service", "metadata": {"name": "clash"}, "spec": clash}));
    let d = c.diagnostics().iter().find(|d| d.code == "cluster-ip-taken").unwrap();
    assert_eq!(d.object.as_ref().unwrap().name, "clash");
}

#[test]
fn findings_follow_events_and_keep_the_lines_of_unchanged_objects() {
    let mut c = Cluster::from_yaml(BASE, &Options::default()).unwrap();
    let nothing = |c: &Cluster| c.diagnostics().iter().filter(|d| d.code == "service-selects-nothing").count();
    assert_eq!(nothing(&c), 2, "svc-a and svc-b select nothing yet");
    let line_of_b = c.diagnostics().iter().find(|d| d.object.as_ref().is_some_and(|o| o.name == "svc-b")).unwrap().line;
    assert!(line_of_b.is_some());
    let pod =
        Obj::Pod { name: 1, app: true, ready: true, deleting: false, ip: 7, named_port: false, node: 0, env: false };
    let out = apply(&mut c, "ADDED", pod.json());
    assert_eq!(
        out.recomputed,
        ["default/svc-a"],
        "svc-b is only re-checked: it selected nothing, and its finding names the near misses"
    );
    assert_eq!(nothing(&c), 1);
    let b = c.diagnostics().iter().find(|d| d.object.as_ref().is_some_and(|o| o.name == "svc-b")).unwrap();
    assert_eq!(b.line, line_of_b, "a re-checked finding keeps its line");
    apply(&mut c, "DELETED", pod.json());
    assert_eq!(nothing(&c), 2);
}

#[test]
fn ingress_and_node_events_touch_only_what_reads_them() {
    let mut c = Cluster::from_yaml(BASE, &Options::default()).unwrap();
    let ing = Obj::Ingress { name: 0, backend: 3, path: 0, tls: false };
    let out = apply(&mut c, "ADDED", ing.json());
    assert!(out.http_rebuilt && out.recomputed.is_empty());
    let d = c.route_http(&HttpRequest { url: "http://a.example/p0".into(), ..HttpRequest::default() }, false).unwrap();
    assert_eq!(d.backend.unwrap().service.as_deref(), Some("svc-a"));
    let out = apply(&mut c, "ADDED", Obj::Node { name: 0, zone: None }.json());
    assert!(!out.http_rebuilt && out.recomputed.is_empty());
    let slice = Obj::Slice { ready: true, ip: 3 };
    apply(&mut c, "ADDED", slice.json());
    let out = apply(&mut c, "MODIFIED", Obj::Node { name: 0, zone: Some(1) }.json());
    assert_eq!(out.recomputed, ["default/manual"], "the zone of the endpoint on n0 changed");
    assert_eq!(c.endpoints("default", "manual").unwrap()[0].zone.as_deref(), Some("z1"));
}

#[test]
fn bad_events_are_errors_and_change_nothing() {
    let mut c = Cluster::from_yaml(BASE, &Options::default()).unwrap();
    let before = observe(&c);
    for event in [
        json!({"type": "DELETED", "object": {"kind": "Pod", "metadata": {"name": "ghost"}}}),
        json!({"type": "DELETED", "object": {"kind": "Service", "metadata": {"name": "ghost"}}}),
        json!({"type": "DELETED", "object": {"kind": "Node", "metadata": {"name": "ghost"}}}),
        json!({"type": "DELETED", "object": {"kind": "Ingress", "metadata": {"name": "ghost"}}}),
        json!({"type": "ERROR", "object": {"kind": "Status"}}),
        json!("junk"),
    ] {
        assert!(c.apply_event(&tree(event)).is_err());
    }
    assert_eq!(observe(&c), before);
}

#[test]
fn a_router_following_events_keeps_affinity_across_unrelated_services() {
    let yaml = String::from(BASE).replace(
        "metadata: {name: svc-a}\nspec: {clusterIP: 10.96.1.1,",
        "metadata: {name: svc-a}\nspec: {sessionAffinity: ClientIP, clusterIP: 10.96.1.1,",
    );
    let cluster = std::sync::Arc::new(Cluster::from_yaml(&yaml, &Options::default()).unwrap());
    let mut router = cluster.router(kroute::RouterConfig { seed: 7, ..kroute::RouterConfig::default() });
    for name in 0..4 {
        let p = Obj::Pod {
            name,
            app: true,
            ready: true,
            deleting: false,
            ip: 10 + name,
            named_port: false,
            node: 0,
            env: false,
        };
        router.apply_event(&tree(json!({"type": "ADDED", "object": p.json()}))).unwrap();
    }
    assert!(cluster.endpoints("default", "svc-a").unwrap().is_empty(), "the cluster keeps its snapshot");
    let conn = kroute::Conn {
        client_ip: Some("10.1.1.1".parse().unwrap()),
        client_port: None,
        dst_ip: "10.96.1.1".parse().unwrap(),
        dst_port: 80,
        protocol: Protocol::TCP,
        from_pod: None,
        node: None,
    };
    let first = router.connect(&conn, 0.0).unwrap().endpoint.unwrap();
    // A Service sorting before svc-a shifts every index; the affinity entry still applies.
    let early = json!({"kind": "Service", "metadata": {"name": "aaa"}, "spec": {"clusterIP": "10.96.1.9", "ports": [{"port": 80}]}});
    router.apply_event(&tree(json!({"type": "ADDED", "object": early}))).unwrap();
    let again = router.connect(&conn, 10.0).unwrap();
    assert_eq!((again.endpoint.as_ref().unwrap().ip, again.affinity), (first.ip, kroute::router::Affinity::Hit));
    // Deleting the chosen pod releases the client.
    let pod = first.pod.clone().unwrap();
    router
        .apply_event(&tree(json!({"type": "DELETED", "object": {"kind": "Pod", "metadata": {"name": pod}}})))
        .unwrap();
    let moved = router.connect(&conn, 20.0).unwrap();
    assert_ne!(moved.endpoint.unwrap().ip, first.ip);
    assert_eq!(moved.affinity, kroute::router::Affinity::New);
}
