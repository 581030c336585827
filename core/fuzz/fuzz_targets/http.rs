//! HTTP request normalisation and Ingress routing over random Ingress sets: never a panic; a
//! normalised path normalises to itself; and a routed request, sent again as the request it is
//! forwarded as (host and normalised path), reaches the same rule and backend. Layout: byte 0
//! options, byte 1 rule count, two bytes per rule, byte 2+2n the host, the rest the raw path.
#![no_main]
use kroute::http::{normalize_path, EscapedSlashes, HttpRequest};
use kroute::{Cluster, Options};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

thread_local! {
    static CLUSTERS: RefCell<HashMap<(Vec<u8>, u8), Arc<Cluster>>> = RefCell::new(HashMap::new());
}

const HOSTS: [&str; 4] = ["app.example", "*.example", "", "a.app.example"];
const PATHS: [&str; 10] = ["/", "/admin", "/private", "/a/b", "/a/", "/%2e", "/x/..", "/ADMIN", "/a%2Fb", "/caf%C3%A9"];
const TYPES: [&str; 3] = ["Exact", "Prefix", "ImplementationSpecific"];
const REQUEST_HOSTS: [&str; 5] = ["app.example", "a.app.example", "APP.example.", "b.example", "other"];

/// Three Services with a ready pod each, and one Ingress of `rules` (host, path, type, service).
fn manifests(rules: &[(usize, usize, usize, usize)]) -> String {
    let mut y = String::new();
    for s in 0..3 {
        write!(y, "---\napiVersion: v1\nkind: Service\nmetadata: {{name: s{s}}}\nspec: {{selector: {{app: s{s}}}, ports: [{{port: 80, targetPort: 8080}}]}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{s}, labels: {{app: s{s}}}}}\nspec: {{containers: [{{name: c}}]}}\n").ok();
    }
    y += "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: fuzz}\nspec:\n  rules:\n";
    for (host, path, kind, svc) in rules {
        let host = HOSTS[host % HOSTS.len()];
        if !host.is_empty() {
            write!(y, "  - host: \"{host}\"\n    http:\n").ok();
        } else {
            y += "  - http:\n";
        }
        write!(y, "      paths: [{{path: \"{}\", pathType: {}, backend: {{service: {{name: s{svc}, port: {{number: 80}}}}}}}}]\n", PATHS[path % PATHS.len()], TYPES[kind % TYPES.len()]).ok();
    }
    y
}

fuzz_target!(|data: &[u8]| {
    let (Some(&flags), Some(&count)) = (data.first(), data.get(1)) else { return };
    let n = usize::from(count % 6);
    let Some(rule_bytes) = data.get(2..2 + 2 * n) else { return };
    let rules: Vec<_> = rule_bytes
        .chunks(2)
        .map(|b| {
            (
                usize::from(b[0] & 3),
                usize::from(b[0] >> 2) % PATHS.len(),
                usize::from(b[1] & 3),
                usize::from(b[1] >> 2) % 3,
            )
        })
        .collect();
    let Some(&host) = data.get(2 + 2 * n) else { return };
    let raw = String::from_utf8_lossy(data.get(3 + 2 * n..).unwrap_or_default());
    let escaped = [EscapedSlashes::Reject, EscapedSlashes::Keep, EscapedSlashes::Unescape][usize::from(flags % 3)];
    let merge = flags & 4 != 0;
    let options = Options { merge_slashes: merge, escaped_slashes: escaped, ..Options::default() };

    if let Ok(once) = normalize_path(&raw, merge, escaped) {
        assert_eq!(normalize_path(&once, merge, escaped).ok().as_deref(), Some(once.as_str()), "{raw:?}");
    }
    // Building a cluster costs far more than routing: reuse it for inputs with the same rules.
    let key = (rule_bytes.to_vec(), flags % 3 + if merge { 3 } else { 0 });
    let cluster = CLUSTERS.with_borrow_mut(|cache| {
        if cache.len() > 4096 {
            cache.clear();
        }
        cache
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Cluster::from_yaml(&manifests(&rules), &options).expect("generated manifests load"))
            })
            .clone()
    });
    let url = format!("http://{}/{raw}", REQUEST_HOSTS[usize::from(host) % REQUEST_HOSTS.len()]);
    let Ok(first) = cluster.route_http(&HttpRequest::new(url.clone()), false) else { return };
    let Some(up) = first.upstream_request.as_ref().filter(|_| first.status == 200) else { return };
    let again = cluster
        .route_http(&HttpRequest::new(format!("http://{}{}", up.host, up.path)), false)
        .expect("a forwarded request is a request");
    assert_eq!(again.status, 200, "{url:?} forwarded as {}{}", up.host, up.path);
    assert_eq!(again.source, first.source, "{url:?} forwarded as {}{}", up.host, up.path);
    assert_eq!(again.backend, first.backend, "{url:?} forwarded as {}{}", up.host, up.path);
});
