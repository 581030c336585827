//! Watch events from arbitrary JSON applied to a small cluster: errors allowed, panics not.
#![no_main]
use libfuzzer_sys::fuzz_target;

const BASE: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: kubia}\nspec: {ports: [{port: 80, targetPort: 8080}], selector: {app: kubia}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: kubia-a, labels: {app: kubia}}\n";

fuzz_target!(|data: &[u8]| {
    let Ok(mut cluster) = kroute::Cluster::from_yaml(BASE, &kroute::Options::default()) else { return };
    for line in String::from_utf8_lossy(data).lines() {
        if let Ok(event) = serde_json::from_str::<kroute::Tree>(line) {
            let _ = cluster.apply_event(&event);
        }
    }
    let _ = cluster.endpoints("default", "kubia");
});
