//! The connection router on the seed's scenarios (spec §4.4–§4.7; seed NodePort,
//! LoadBalancer, externalTrafficPolicy, sessionAffinity, 就绪探针).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use kroute::{Balancer, Cluster, Conn, Options, ProbeStep, RouterConfig, Verdict};
use std::collections::BTreeMap;
use std::sync::Arc;

fn pod(name: &str, ip: &str, node: &str, ready: bool) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {{app: kubia}}}}\nspec:\n  nodeName: {node}\n  containers:\n  - name: kubia\n    readinessProbe: {{httpGet: {{path: /, port: 8080}}}}\nstatus: {{phase: Running, podIP: {ip}, conditions: [{{type: Ready, status: '{}'}}]}}\n",
        if ready { "True" } else { "False" }
    )
}

fn node(name: &str, ip: &str) -> String {
    format!("---\napiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nstatus: {{addresses: [{{type: InternalIP, address: {ip}}}]}}\n")
}

fn seed_cluster(service_spec: &str) -> Arc<Cluster> {
    let mut y = format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: kubia}}\nspec:\n{service_spec}\n  selector: {{app: kubia}}\n"
    );
    y += &node("node-1", "192.168.0.11");
    y += &node("node-2", "192.168.0.12");
    y += &pod("kubia-a", "10.244.1.2", "node-1", true);
    y += &pod("kubia-b", "10.244.1.3", "node-1", true);
    y += &pod("kubia-c", "10.244.2.4", "node-2", true);
    Arc::new(Cluster::from_yaml(&y, &Options::default()).unwrap())
}

fn conn(client: &str, dst: &str, port: u16) -> Conn {
    Conn {
        client_ip: Some(client.parse().unwrap()),
        client_port: None,
        dst_ip: dst.parse().unwrap(),
        dst_port: port,
        protocol: Default::default(),
        from_pod: None,
        node: None,
    }
}

#[test]
fn client_ip_affinity_holds_for_three_hours_then_may_move() {
    // spec §4.7: timeoutSeconds defaults to 10800; xt_recent matches strictly within it.
    let c =
        seed_cluster("  clusterIP: 10.96.0.50\n  sessionAffinity: ClientIP\n  ports: [{port: 80, targetPort: 8080}]");
    let mut r = c.router(RouterConfig { seed: 7, ..RouterConfig::default() });
    let first = r.connect(&conn("10.244.9.9", "10.96.0.50", 80), 0.0).unwrap();
    assert_eq!(first.verdict, Verdict::Forward);
    let pod = first.endpoint.clone().unwrap().pod;
    let mut t = 0.0;
    while t < 3.0 * 3600.0 {
        t += 600.0;
        let d = r.connect(&conn("10.244.9.9", "10.96.0.50", 80), t).unwrap();
        assert_eq!(d.endpoint.unwrap().pod, pod, "at t={t}");
        assert_eq!(serde_json::to_value(d.affinity).unwrap(), "hit");
    }
    // Idle for three hours: the entry has expired and the choice is new.
    let later = r.connect(&conn("10.244.9.9", "10.96.0.50", 80), t + 10_800.0).unwrap();
    assert_eq!(serde_json::to_value(later.affinity).unwrap(), "new");
}

#[test]
fn node_port_on_either_node_forwards_to_a_ready_pod() {
    let c = seed_cluster("  type: NodePort\n  ports: [{port: 80, targetPort: 8080, nodePort: 30123}]");
    let mut r = c.router(RouterConfig::default());
    for node_ip in ["192.168.0.11", "192.168.0.12"] {
        let d = r.connect(&conn("203.0.113.5", node_ip, 30123), 0.0).unwrap();
        assert_eq!(d.verdict, Verdict::Forward);
        assert_eq!(serde_json::to_value(d.via).unwrap(), "NodePort");
        assert!(d.source_nat, "externalTrafficPolicy Cluster masquerades");
        assert_eq!(d.client_ip_seen.unwrap().to_string(), node_ip);
    }
    let miss = r.connect(&conn("203.0.113.5", "192.168.0.11", 30124), 0.0).unwrap();
    assert_eq!(miss.verdict, Verdict::Pass);
}

#[test]
fn load_balancer_local_policy_keeps_client_ip_and_node_local_pods() {
    let spec = "  type: LoadBalancer\n  externalTrafficPolicy: Local\n  ports: [{port: 80, targetPort: 8080}]";
    let mut y = format!("apiVersion: v1\nkind: Service\nmetadata: {{name: kubia}}\nspec:\n{spec}\n  selector: {{app: kubia}}\nstatus: {{loadBalancer: {{ingress: [{{ip: 203.0.113.100}}]}}}}\n");
    y += &node("node-1", "192.168.0.11");
    y += &node("node-2", "192.168.0.12");
    y += &node("node-3", "192.168.0.13");
    y += &pod("kubia-a", "10.244.1.2", "node-1", true);
    y += &pod("kubia-c", "10.244.2.4", "node-2", true);
    let c = Arc::new(Cluster::from_yaml(&y, &Options::default()).unwrap());
    for (n, expect) in [("node-1", Some("kubia-a")), ("node-2", Some("kubia-c")), ("node-3", None)] {
        let mut r = c.router(RouterConfig { node: Some(n.into()), ..RouterConfig::default() });
        for i in 0..20 {
            let d = r.connect(&conn(&format!("198.51.100.{i}"), "203.0.113.100", 80), 0.0).unwrap();
            match expect {
                Some(p) => {
                    assert_eq!(d.verdict, Verdict::Forward);
                    assert_eq!(d.endpoint.unwrap().pod.as_deref(), Some(p));
                    assert!(!d.source_nat);
                    assert_eq!(d.client_ip_seen.unwrap().to_string(), format!("198.51.100.{i}"));
                }
                None => assert_eq!(d.verdict, Verdict::Drop, "no local endpoint on {n}"),
            }
        }
    }
    // Without a node, the load balancer only picks nodes whose health check passes.
    let mut r = c.router(RouterConfig::default());
    for i in 0..50 {
        let d = r.connect(&conn(&format!("198.51.100.{i}"), "203.0.113.100", 80), 0.0).unwrap();
        assert_eq!(d.verdict, Verdict::Forward);
        assert_eq!(d.endpoint.as_ref().unwrap().node, d.node);
    }
    let u = c.usable_endpoints("default", "kubia", Some("node-3"), None).unwrap();
    assert_eq!(u.local_endpoints, Some(vec![]));
    assert!(u.has_any_endpoints);
}

#[test]
fn random_spreads_ten_thousand_clients_evenly() {
    let c = seed_cluster("  clusterIP: 10.96.0.50\n  ports: [{port: 80, targetPort: 8080}]");
    let mut r = c.router(RouterConfig { seed: 42, ..RouterConfig::default() });
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for i in 0..10_000u32 {
        let client = format!("10.{}.{}.{}", 1 + i / 65536, (i / 256) % 256, i % 256);
        let d = r.connect(&conn(&client, "10.96.0.50", 80), 0.0).unwrap();
        *counts.entry(d.endpoint.unwrap().pod.unwrap()).or_default() += 1;
    }
    // Binomial(10000, 1/3): sd ≈ 47; 5 sd bounds.
    for (pod, n) in &counts {
        assert!((3333i64 - i64::from(*n)).abs() < 240, "{pod}: {n}");
    }
    assert_eq!(counts.len(), 3);
}

#[test]
fn every_balancer_forwards_deterministically() {
    let c = seed_cluster("  clusterIP: 10.96.0.50\n  ports: [{port: 80, targetPort: 8080}]");
    for b in ["random", "round-robin", "weighted", "least-request", "source-hash", "maglev", "ring-hash"] {
        let run = || {
            let mut r =
                c.router(RouterConfig { seed: 3, balancer: Balancer::parse(b).unwrap(), ..RouterConfig::default() });
            (0..30)
                .map(|i| {
                    r.connect(&conn(&format!("10.1.0.{i}"), "10.96.0.50", 80), 0.0)
                        .unwrap()
                        .endpoint
                        .unwrap()
                        .pod
                        .unwrap()
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run(), "{b} is deterministic");
        assert!(run().iter().collect::<std::collections::BTreeSet<_>>().len() > 1, "{b} uses several endpoints");
    }
    let mut rr = c.router(RouterConfig { balancer: Balancer::RoundRobin, ..RouterConfig::default() });
    let picks: Vec<_> = (0..6)
        .map(|_| rr.connect(&conn("10.1.0.1", "10.96.0.50", 80), 0.0).unwrap().endpoint.unwrap().pod.unwrap())
        .collect();
    assert_eq!(picks, ["kubia-a", "kubia-b", "kubia-c", "kubia-a", "kubia-b", "kubia-c"]);
}

/// `least-request` (power of two choices) reads the in-flight counts: two loaded endpoints
/// win only when both are drawn (1 in 3), and the router counts what it sends, so that
/// unloaded endpoints stay within a few connections of each other.
#[test]
fn least_request_reads_and_counts_in_flight_requests() {
    let c = seed_cluster("  clusterIP: 10.96.0.50\n  ports: [{port: 80, targetPort: 8080}]");
    let config = RouterConfig { seed: 9, balancer: Balancer::LeastRequest, ..RouterConfig::default() };
    let picks = |r: &mut kroute::Router, n: u32| {
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for i in 0..n {
            let d = r.connect(&conn(&format!("10.1.0.{}", i % 250), "10.96.0.50", 80), 0.0).unwrap();
            *counts.entry(d.endpoint.unwrap().pod.unwrap()).or_default() += 1;
        }
        counts
    };
    let mut loaded = c.router(config.clone());
    loaded.set_in_flight("10.244.1.2".parse().unwrap(), 8080, 1_000_000);
    loaded.set_in_flight("10.244.1.3".parse().unwrap(), 8080, 1_000_000);
    let counts = picks(&mut loaded, 300);
    // Binomial(300, 2/3) for kubia-c: mean 200, sd ≈ 8; 5 sd below.
    assert!(counts["kubia-c"] > 160, "{counts:?}");
    let even = picks(&mut c.router(config), 300);
    assert!(even.values().all(|n| n.abs_diff(100) <= 3), "{even:?}");
}

#[test]
fn failing_readiness_probe_removes_the_pod_after_failure_threshold_periods() {
    let c = seed_cluster("  clusterIP: 10.96.0.50\n  ports: [{port: 80, targetPort: 8080}]");
    let mut r = c.router(RouterConfig::default());
    r.script_probe("default", "kubia-c", vec![ProbeStep { until: 60.0, ok: false }]).unwrap();
    let changes = r.advance(25.0);
    let summary: Vec<_> = changes.iter().map(|c| (c.time, c.pod.as_str(), c.ready)).collect();
    assert_eq!(summary, vec![(20.0, "default/kubia-c", false)], "probes at 0, 10, 20 fail; threshold 3");
    for i in 0..200 {
        let d = r.connect(&conn(&format!("10.1.0.{i}"), "10.96.0.50", 80), 25.0).unwrap();
        assert_ne!(d.endpoint.unwrap().pod.as_deref(), Some("kubia-c"));
    }
    let back = r.advance(60.0);
    let summary: Vec<_> = back.iter().map(|c| (c.time, c.pod.as_str(), c.ready)).collect();
    assert_eq!(summary, vec![(60.0, "default/kubia-c", true)]);
}

#[test]
fn no_endpoints_rejects_and_internal_local_drops() {
    let c = seed_cluster(
        "  clusterIP: 10.96.0.50\n  internalTrafficPolicy: Local\n  ports: [{port: 80, targetPort: 8080}]",
    );
    let mut r = c.router(RouterConfig { node: Some("node-3".into()), ..RouterConfig::default() });
    assert_eq!(r.connect(&conn("10.244.7.7", "10.96.0.50", 80), 0.0).unwrap().verdict, Verdict::Drop);
    let empty = Arc::new(Cluster::from_yaml("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: 10.96.0.60, ports: [{port: 80}], selector: {app: none}}\n", &Options::default()).unwrap());
    let mut r = empty.router(RouterConfig::default());
    assert_eq!(r.connect(&conn("10.244.7.7", "10.96.0.60", 80), 0.0).unwrap().verdict, Verdict::Reject);
}

#[test]
fn ingress_cookie_affinity_keeps_the_pod_when_the_cookie_comes_back() {
    // Seed: cookie-based session affinity is a reason to use an Ingress (ingress-nginx affinity: cookie).
    let opts = Options { profile: kroute::http::Profile::IngressNginx, ..Options::default() };
    let c = Arc::new(Cluster::from_yaml(INGRESS, &opts).unwrap());
    let mut r = c.router(RouterConfig { balancer: Balancer::RoundRobin, ..RouterConfig::default() });
    let first = r.route_http(&kroute::http::HttpRequest::new("http://kubia.example.com/kubia"), 0.0).unwrap();
    let cookie = first.set_cookie.clone().unwrap();
    assert!(cookie.starts_with("route="), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let pod = first.endpoint.unwrap().pod;
    for t in 1..20 {
        let mut req = kroute::http::HttpRequest::new("http://kubia.example.com/kubia");
        req.headers.push(("Cookie".into(), pair.clone()));
        let d = r.route_http(&req, f64::from(t)).unwrap();
        assert_eq!(d.endpoint.unwrap().pod, pod);
        assert_eq!(serde_json::to_value(d.sticky).unwrap(), "hit");
        assert!(d.set_cookie.is_none());
    }
}

const INGRESS: &str = r#"apiVersion: v1
kind: Service
metadata: {name: kubia}
spec: {ports: [{port: 80, targetPort: 8080}], selector: {app: kubia}}
---
apiVersion: v1
kind: Service
metadata: {name: bar}
spec: {ports: [{port: 80, targetPort: 8080}], selector: {app: bar}}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-a, labels: {app: kubia}}
status: {podIP: 10.244.1.2, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-b, labels: {app: kubia}}
status: {podIP: 10.244.1.3, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-c, labels: {app: kubia}}
status: {podIP: 10.244.1.4, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: bar-a, labels: {app: bar}}
status: {podIP: 10.244.2.2, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kubia
  annotations:
    nginx.ingress.kubernetes.io/affinity: cookie
    nginx.ingress.kubernetes.io/session-cookie-name: route
spec:
  ingressClassName: nginx
  rules:
  - host: kubia.example.com
    http:
      paths:
      - {path: /kubia, pathType: Prefix, backend: {service: {name: kubia, port: {number: 80}}}}
      - {path: /foo, pathType: Prefix, backend: {service: {name: bar, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
"#;

#[test]
fn a_router_given_a_newer_snapshot_keeps_probe_state_of_unchanged_pods() {
    let c = seed_cluster("  clusterIP: 10.96.0.50\n  ports: [{port: 80, targetPort: 8080}]");
    let mut r = c.router(RouterConfig::default());
    r.script_probe("default", "kubia-c", vec![ProbeStep { until: 60.0, ok: false }]).unwrap();
    r.advance(25.0);
    // A newer snapshot where only kubia-a changed (reported unready by its kubelet).
    let mut newer = (*c).clone();
    let event = "{\"type\": \"MODIFIED\", \"object\": {\"kind\": \"Pod\", \"metadata\": {\"name\": \"kubia-a\", \"labels\": {\"app\": \"kubia\"}}, \"spec\": {\"nodeName\": \"node-1\", \"containers\": [{\"name\": \"kubia\", \"readinessProbe\": {\"httpGet\": {\"path\": \"/\", \"port\": 8080}}}]}, \"status\": {\"phase\": \"Running\", \"podIP\": \"10.244.1.2\", \"conditions\": [{\"type\": \"Ready\", \"status\": \"False\"}]}}}";
    newer.apply_event(&serde_json::from_str(event).unwrap()).unwrap();
    r.set_cluster(Arc::new(newer));
    let pods: std::collections::BTreeSet<String> = (0..60)
        .map(|i| {
            r.connect(&conn(&format!("10.1.0.{i}"), "10.96.0.50", 80), 30.0).unwrap().endpoint.unwrap().pod.unwrap()
        })
        .collect();
    assert_eq!(
        pods.into_iter().collect::<Vec<_>>(),
        ["kubia-b"],
        "kubia-a reported unready, kubia-c still failing its script"
    );
}
