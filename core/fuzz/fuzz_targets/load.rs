//! Manifest loading from arbitrary bytes: YAML and JSON; never a panic; queries on what loads.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let opts = kroute::Options::default();
    for c in [kroute::Cluster::from_yaml(&text, &opts), kroute::Cluster::from_json(&text, &opts)].into_iter().flatten() {
        let _ = c.diagnostics().len();
        for svc in c.services() {
            let _ = c.endpoints(&svc.metadata.namespace, &svc.metadata.name);
            let _ = c.usable_endpoints(&svc.metadata.namespace, &svc.metadata.name, Some("node-1"), None);
            let _ = c.resolve(&format!("{}.{}", svc.metadata.name, svc.metadata.namespace), kroute::QType::A, Some("default"));
        }
        let _ = c.env_vars("default", true);
    }
});
