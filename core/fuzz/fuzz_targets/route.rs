//! Connections from arbitrary bytes through a router: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

const BASE: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: kubia}\nspec: {clusterIP: 10.96.0.50, sessionAffinity: ClientIP, type: NodePort, ports: [{port: 80, targetPort: 8080, nodePort: 30123}], selector: {app: kubia}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: kubia-a, labels: {app: kubia}}\nspec: {nodeName: n1}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {addresses: [{type: InternalIP, address: 192.168.0.1}]}\n";

fuzz_target!(|data: &[u8]| {
    let Ok(cluster) = kroute::Cluster::from_yaml(BASE, &kroute::Options::default()) else { return };
    let cluster = Arc::new(cluster);
    let balancers = ["random", "round-robin", "weighted", "least-request", "source-hash", "maglev", "ring-hash"];
    let b = data.first().map_or(0, |x| *x as usize % balancers.len());
    let mut router = cluster.router(kroute::RouterConfig {
        balancer: kroute::Balancer::parse(balancers[b]).unwrap_or_default(),
        maglev_table_size: 251,
        ..Default::default()
    });
    for chunk in data.chunks(8) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        let dst = if b[0] % 2 == 0 { [10, 96, 0, 50] } else { [192, 168, 0, 1] };
        let conn = kroute::Conn {
            client_ip: Some(std::net::IpAddr::from([b[1], b[2], b[3], b[4]])),
            client_port: Some(u16::from_le_bytes([b[5], b[6]])),
            dst_ip: std::net::IpAddr::from(dst),
            dst_port: if b[7] % 2 == 0 { 80 } else { 30123 },
            protocol: Default::default(),
            from_pod: None,
            node: None,
        };
        let _ = router.connect(&conn, f64::from(b[7]) * 100.0);
    }
});
