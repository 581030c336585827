//! Manifest loading from arbitrary bytes: YAML and JSON, with tiny and default limits; never a
//! panic; queries on what loads.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Tiny limits too, so that every refusal path (parse budget, alias text, tree walk) runs.
    let tiny = kroute::Limits {
        max_input_bytes: 2000,
        max_documents: 3,
        max_objects: 3,
        max_depth: 4,
        max_labels: 2,
        max_string_bytes: 16,
        max_alias_expansion: 50,
    };
    let opts = kroute::Options { limits: tiny, ..kroute::Options::default() };
    for r in [kroute::Cluster::from_yaml(&text, &opts), kroute::Cluster::from_json(&text, &opts)] {
        if let Err(e) = r {
            assert!(!e.message.is_empty());
        }
    }
    let opts = kroute::Options::default();
    for c in [kroute::Cluster::from_yaml(&text, &opts), kroute::Cluster::from_json(&text, &opts)].into_iter().flatten()
    {
        let _ = c.diagnostics().len();
        for svc in c.services() {
            let _ = c.endpoints(&svc.metadata.namespace, &svc.metadata.name);
            let _ = c.usable_endpoints(&svc.metadata.namespace, &svc.metadata.name, Some("node-1"), None);
            let _ = c.resolve(
                &format!("{}.{}", svc.metadata.name, svc.metadata.namespace),
                kroute::QType::A,
                Some("default"),
            );
        }
        let _ = c.env_vars("default", true);
    }
});
