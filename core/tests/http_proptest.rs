//! Property tests of HTTP routing: the compiled table (hash table + trie) against a trivially
//! simple reference matcher (a linear scan written straight from
//! `spec/kubernetes-semantics.md` §3.1–§3.2 and `spec/http-routing.md` §2.4), over random rule
//! sets and requests; and normalisation agreeing with matching.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use kroute::http::{normalize_path, EscapedSlashes, HttpOptions, HttpRequest, RouteTable};
use kroute::model::{HttpPath, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IntOrString, ObjectMeta};
use proptest::prelude::*;

const HOSTS: &[&str] = &["", "x.com", "*.x.com", "y.x.com", "a.y.x.com", "*.y.x.com"];
const TYPES: &[&str] = &["Exact", "Prefix", "ImplementationSpecific"];
const SEGS: &[&str] = &["a", "b", "ab", "a.b"];
const REQ_HOSTS: &[&str] =
    &["x.com", "y.x.com", "z.x.com", "a.y.x.com", "b.y.x.com", "other.com", "X.COM", "q.a.y.x.com"];
const REQ_SEGS: &[&str] = &["a", "b", "ab", "a.b", "c"];

fn path_of(segs: &[usize], names: &[&str], slash: bool) -> String {
    let mut p = String::from("/");
    p.push_str(&segs.iter().map(|&i| names[i]).collect::<Vec<_>>().join("/"));
    if slash && !segs.is_empty() {
        p.push('/');
    }
    p
}

/// (host index, [(segments, trailing slash, type index)]) per rule; rules per Ingress.
type Spec = Vec<Vec<(usize, Vec<(Vec<usize>, bool, usize)>)>>;

fn spec() -> impl Strategy<Value = Spec> {
    let path = (prop::collection::vec(0..SEGS.len(), 0..4), any::<bool>(), 0..TYPES.len());
    let rule = (0..HOSTS.len(), prop::collection::vec(path, 1..5));
    prop::collection::vec(prop::collection::vec(rule, 1..4), 1..5)
}

/// Few hosts, many paths: servers past the linear-scan threshold use the hash table and trie.
fn big_spec() -> impl Strategy<Value = Spec> {
    let path = (prop::collection::vec(0..SEGS.len(), 0..4), any::<bool>(), 0..TYPES.len());
    let rule = (1..3usize, prop::collection::vec(path, 6..14));
    prop::collection::vec(prop::collection::vec(rule, 1..4), 2..5)
}

fn ingresses(spec: &Spec) -> Vec<Ingress> {
    spec.iter()
        .enumerate()
        .map(|(i, rules)| Ingress {
            metadata: ObjectMeta { name: format!("i{i}"), namespace: String::from("default"), ..ObjectMeta::default() },
            rules: rules
                .iter()
                .map(|(h, paths)| IngressRule {
                    host: String::from(HOSTS[*h]),
                    paths: Some(
                        paths
                            .iter()
                            .map(|(segs, slash, t)| HttpPath {
                                path: path_of(segs, SEGS, *slash),
                                path_type: Some(String::from(TYPES[*t])),
                                backend: IngressBackend {
                                    service: Some(IngressServiceBackend {
                                        name: String::from("s"),
                                        port: Some(IntOrString::Int(80)),
                                        port_both: false,
                                    }),
                                    resource: None,
                                },
                            })
                            .collect(),
                    ),
                })
                .collect(),
            ..Ingress::default()
        })
        .collect()
}

fn elements(p: &str) -> Vec<&str> {
    p.split('/').filter(|e| !e.is_empty()).collect()
}

/// Longest path, Exact, most elements.
type Rank = (usize, bool, usize);
/// Ingress name, rule index, path index.
type Who = (String, usize, usize);

/// The reference: pick the rule host (exact, one-label wildcard, none), keep the first claim
/// of each (path, Exact-or-not) in claim order (names ascending here), take the longest
/// matching path, Exact over Prefix, then the deeper, then the earliest.
fn reference(ings: &[Ingress], host: &str, path: &str) -> Option<Who> {
    let host = host.to_ascii_lowercase();
    let hosts: Vec<&str> = ings.iter().flat_map(|i| i.rules.iter().map(|r| r.host.as_str())).collect();
    let server = if hosts.contains(&host.as_str()) {
        host.clone()
    } else {
        match host.split_once('.') {
            Some((label, rest)) if !label.is_empty() && hosts.contains(&format!("*.{rest}").as_str()) => {
                format!("*.{rest}")
            }
            _ => String::new(),
        }
    };
    let mut claimed: Vec<(String, bool)> = Vec::new();
    let mut best: Option<(Rank, Who)> = None;
    for ing in ings {
        for (ri, rule) in ing.rules.iter().enumerate() {
            if rule.host != server {
                continue;
            }
            for (pi, p) in rule.paths.as_ref().unwrap().iter().enumerate() {
                let exact = p.path_type.as_deref() == Some("Exact");
                let key = (p.path.clone(), exact);
                if claimed.contains(&key) {
                    continue;
                }
                claimed.push(key);
                let matched = if exact {
                    p.path == path
                } else {
                    let (r, q) = (elements(&p.path), elements(path));
                    r.len() <= q.len() && r.iter().zip(&q).all(|(a, b)| a == b)
                };
                if !matched {
                    continue;
                }
                let rank = (p.path.len(), exact, elements(&p.path).len());
                if best.as_ref().is_none_or(|(b, _)| rank > *b) {
                    best = Some((rank, (ing.metadata.name.clone(), ri, pi)));
                }
            }
        }
    }
    best.map(|(_, who)| who)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// `spec/kubernetes-semantics.md` §3.1–§3.2, `spec/http-routing.md` §2.4: the compiled
    /// table picks what the linear reference picks.
    #[test]
    fn table_agrees_with_reference(
        spec in spec(),
        requests in prop::collection::vec((0..REQ_HOSTS.len(), prop::collection::vec(0..REQ_SEGS.len(), 0..5), any::<bool>()), 1..20),
    ) {
        let ings = ingresses(&spec);
        let (table, _) = RouteTable::new(&ings, &[], &[], &[], &HttpOptions::default());
        let eps = |_: &str, _: &str| None;
        for (h, segs, slash) in &requests {
            let host = REQ_HOSTS[*h];
            let path = path_of(segs, REQ_SEGS, *slash);
            let d = table.route(&HttpRequest::new(format!("http://{host}{path}")), &[], &eps, false).unwrap();
            let got = d.source.map(|s| (s.name, s.rule.unwrap(), s.path.unwrap()));
            prop_assert_eq!(got, reference(&ings, host, &path), "{} {}", host, path);
        }
    }

    /// The same with servers of more than 16 paths (hash table and trie).
    #[test]
    fn large_servers_agree_with_reference(
        spec in big_spec(),
        requests in prop::collection::vec((0..REQ_HOSTS.len(), prop::collection::vec(0..REQ_SEGS.len(), 0..5), any::<bool>()), 1..30),
    ) {
        let ings = ingresses(&spec);
        let (table, _) = RouteTable::new(&ings, &[], &[], &[], &HttpOptions::default());
        let eps = |_: &str, _: &str| None;
        for (h, segs, slash) in &requests {
            let host = REQ_HOSTS[*h];
            let path = path_of(segs, REQ_SEGS, *slash);
            let d = table.route(&HttpRequest::new(format!("http://{host}{path}")), &[], &eps, false).unwrap();
            let got = d.source.map(|s| (s.name, s.rule.unwrap(), s.path.unwrap()));
            prop_assert_eq!(got, reference(&ings, host, &path), "{} {}", host, path);
        }
    }

    /// `spec/http-routing.md` §4.4: a raw path routes exactly as its normalised form does, and
    /// that form is what is forwarded; normalising twice changes nothing.
    #[test]
    fn normalisation_agrees_with_matching(
        spec in spec(),
        parts in prop::collection::vec(prop::sample::select(vec!["a", "b", "ab", ".", "..", "%2e", "%2E%2e", "%61", "", "%7E", "a%2fb", "\\", "c;d", "%C0%AF"]), 0..7),
        merge in any::<bool>(),
        escaped in prop::sample::select(vec![EscapedSlashes::Reject, EscapedSlashes::Keep, EscapedSlashes::Unescape]),
    ) {
        let ings = ingresses(&spec);
        let opts = HttpOptions { merge_slashes: merge, escaped_slashes: escaped, ..HttpOptions::default() };
        let (table, _) = RouteTable::new(&ings, &[], &[], &[], &opts);
        let eps = |_: &str, _: &str| None;
        let raw = format!("/{}", parts.join("/"));
        let normalized = normalize_path(&raw, merge, escaped);
        let d = table.route(&HttpRequest::new(format!("http://y.x.com{raw}")), &[], &eps, false).unwrap();
        match normalized {
            Err(_) => prop_assert_eq!(d.status, 400),
            Ok(n) => {
                prop_assert_eq!(normalize_path(&n, merge, escaped).unwrap(), n.clone());
                prop_assert!(!n.split('/').any(|e| e == "." || e == ".."), "{}", n);
                let forwarded = d.upstream_request.clone().unwrap().path;
                prop_assert_eq!(&forwarded, &n);
                let again = table.route(&HttpRequest::new(format!("http://y.x.com{n}")), &[], &eps, false).unwrap();
                prop_assert_eq!(d.source, again.source);
                prop_assert_eq!(d.match_, again.match_);
            }
        }
    }
}
