//! Issue 10: `Cluster` and `Router` are `Send + Sync`; readers keep answering from published
//! snapshots while a writer applies watch events; a million ClientIP clients stay within the
//! affinity table's capacity.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use kroute::http::HttpRequest;
use kroute::{Cluster, Conn, Options, Router, RouterConfig, Tree, Verdict};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Compile-time: both types can be shared across threads as designed.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Cluster>();
    send_sync::<Router>();
};

const BASE: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: kubia}\nspec:\n  clusterIP: 10.96.0.50\n  sessionAffinity: ClientIP\n  selector: {app: kubia}\n  ports: [{port: 80, targetPort: 8080}]\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  rules:\n  - host: kubia.example.com\n    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: kubia, port: {number: 80}}}}]}\n";

fn pod_event(kind: &str, i: u32) -> Tree {
    let json = format!(
        r#"{{"type": "{kind}", "object": {{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "kubia-{i}", "namespace": "default", "labels": {{"app": "kubia"}}}}, "spec": {{"containers": [{{"name": "c"}}]}}, "status": {{"phase": "Running", "podIP": "10.244.{}.{}", "conditions": [{{"type": "Ready", "status": "True"}}]}}}}}}"#,
        i / 250,
        i % 250 + 1
    );
    serde_json::from_str(&json).unwrap()
}

fn conn(client: IpAddr) -> Conn {
    Conn {
        client_ip: Some(client),
        client_port: None,
        dst_ip: IpAddr::V4(Ipv4Addr::new(10, 96, 0, 50)),
        dst_port: 80,
        protocol: Default::default(),
        from_pod: None,
        node: None,
    }
}

/// One reader's pass over a snapshot: every answer agrees with the snapshot's own endpoints.
/// Returns the number of endpoints seen.
fn read(snapshot: &Arc<Cluster>, client: IpAddr) -> usize {
    let endpoints = snapshot.endpoints("default", "kubia").unwrap();
    assert_eq!(endpoints.len(), snapshot.pods().len(), "one endpoint per ready pod");
    let decision = snapshot.route_http(&HttpRequest::new("http://kubia.example.com/x"), false).unwrap();
    if endpoints.is_empty() {
        assert_eq!(decision.status, 503);
    } else {
        assert_eq!(decision.status, 200);
        assert_eq!(decision.backend.unwrap().usable_endpoints, endpoints.len());
        let d = snapshot.router(RouterConfig::default()).connect(&conn(client), 0.0).unwrap();
        assert_eq!(d.verdict, Verdict::Forward);
        let chosen = d.endpoint.unwrap();
        assert!(endpoints.iter().any(|e| e.ip == chosen.ip && e.port == chosen.port));
    }
    endpoints.len()
}

#[test]
fn readers_keep_answering_while_watch_events_apply() {
    const EVENTS: u32 = 300;
    let published = Arc::new(RwLock::new(Arc::new(Cluster::from_yaml(BASE, &Options::default()).unwrap())));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3u8)
        .map(|r| {
            let (published, done) = (Arc::clone(&published), Arc::clone(&done));
            std::thread::spawn(move || {
                let (mut reads, mut last) = (0u64, 0usize);
                while !done.load(Ordering::Acquire) || reads == 0 {
                    let snapshot = Arc::clone(&published.read().unwrap());
                    let seen = read(&snapshot, IpAddr::V4(Ipv4Addr::new(192, 0, 2, r)));
                    assert!(seen >= last, "a snapshot older than one already seen: {seen} < {last}");
                    (reads, last) = (reads + 1, seen);
                }
                reads
            })
        })
        .collect();
    let start = Instant::now();
    for i in 0..EVENTS {
        let mut next = Cluster::clone(&published.read().unwrap());
        let outcome = next.apply_event(&pod_event("ADDED", i)).unwrap();
        assert_eq!(outcome.recomputed, ["default/kubia"]);
        *published.write().unwrap() = Arc::new(next);
    }
    let writing = start.elapsed();
    done.store(true, Ordering::Release);
    let reads: Vec<u64> = readers.into_iter().map(|h| h.join().unwrap()).collect();
    eprintln!("concurrency: {EVENTS} events published in {writing:?} while 3 readers answered {reads:?} times");
    assert_eq!(read(&published.read().unwrap(), IpAddr::V4(Ipv4Addr::LOCALHOST)), EVENTS as usize);
    assert!(reads.iter().all(|r| *r > 0));
}

#[test]
fn a_million_clients_stay_within_the_affinity_capacity() {
    const CAPACITY: usize = 10_000;
    let mut cluster = Cluster::from_yaml(BASE, &Options::default()).unwrap();
    for i in 0..3 {
        cluster.apply_event(&pod_event("ADDED", i)).unwrap();
    }
    let mut router = Arc::new(cluster).router(RouterConfig { affinity_capacity: CAPACITY, ..RouterConfig::default() });
    let start = Instant::now();
    let mut most = 0;
    for i in 0..1_000_000u32 {
        let client = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i));
        let d = router.connect(&conn(client), f64::from(i) * 0.001).unwrap();
        assert_eq!(d.verdict, Verdict::Forward);
        most = most.max(router.affinity_entries());
    }
    let took = start.elapsed();
    eprintln!("affinity: 1000000 clients in {took:?}, table at most {most} entries (capacity {CAPACITY})");
    assert_eq!(most, CAPACITY);
    assert!(took < Duration::from_secs(120), "{took:?}");
    // The most recent clients are still remembered: the table evicts the least recently used.
    let recent = router.connect(&conn(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + 999_999))), 1000.0).unwrap();
    assert_eq!(serde_json::to_value(recent.affinity).unwrap(), "hit");
}
