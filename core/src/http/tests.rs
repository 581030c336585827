//! Unit tests of HTTP routing, named after the spec rule each pins
//! (`spec/kubernetes-semantics.md` §3, `spec/http-routing.md`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use super::*;
use crate::model::PathType;
use crate::{Cluster, Options};
use alloc::{format, string::String, string::ToString, vec::Vec};

/// A Service `name` on `port` (port name `http`) with one ready pod.
fn svc(name: &str, port: u16) -> String {
    format!(
        "---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  selector: {{app: {name}}}\n  ports: [{{name: http, port: {port}, targetPort: 8080}}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}-pod, labels: {{app: {name}}}}}\nspec: {{containers: [{{name: c}}]}}\n"
    )
}

/// An Ingress with one rule.
fn ing(name: &str, host: &str, paths: &[(&str, &str, &str)]) -> String {
    let mut s = format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {name}}}\nspec:\n  rules:\n  - host: {host:?}\n    http:\n      paths:\n"
    );
    for (path, ty, service) in paths {
        s.push_str(&format!(
            "      - path: {path:?}\n        pathType: {ty}\n        backend: {{service: {{name: {service}, port: {{number: 80}}}}}}\n"
        ));
    }
    s
}

struct Fixture {
    cluster: Cluster,
    table: RouteTable,
    diags: Vec<crate::Diagnostic>,
}

fn fixture(yaml: &str, opts: HttpOptions) -> Fixture {
    let cluster = Cluster::from_yaml(yaml, &Options::default()).unwrap();
    let (table, diags) =
        RouteTable::new(cluster.ingresses(), cluster.ingress_classes(), cluster.secrets(), cluster.services(), &opts);
    Fixture { cluster, table, diags }
}

impl Fixture {
    fn route_req(&self, req: &HttpRequest, explain: bool) -> HttpDecision {
        let eps = |ns: &str, name: &str| self.cluster.endpoints(ns, name).ok();
        self.table.route(req, self.cluster.services(), &eps, explain).unwrap()
    }

    fn get(&self, url: &str) -> HttpDecision {
        self.route_req(&HttpRequest::new(url), false)
    }

    /// The Service a URL reaches, or the status.
    fn to(&self, url: &str) -> String {
        let d = self.get(url);
        match (&d.backend, d.status) {
            (Some(b), 200) => b.service.clone().unwrap_or_default(),
            (_, s) => format!("{s}"),
        }
    }

    fn codes(&self) -> Vec<&'static str> {
        self.diags.iter().map(|d| d.code).collect()
    }
}

fn upstream() -> HttpOptions {
    HttpOptions::default()
}

fn nginx() -> HttpOptions {
    HttpOptions { profile: Profile::IngressNginx, ..HttpOptions::default() }
}

/// `spec/kubernetes-semantics.md` §3.1, the docs' "Examples" table (W-ING), one Ingress per
/// row: path type, rule paths, request path, the rule path that wins (or none: 404).
#[test]
fn spec_semantics_3_1_docs_path_table() {
    let rows: &[(&str, &[&str], &str, Option<&str>)] = &[
        ("Prefix", &["/"], "/anything/at/all", Some("/")),
        ("Exact", &["/foo"], "/foo", Some("/foo")),
        ("Exact", &["/foo"], "/bar", None),
        ("Exact", &["/foo"], "/foo/", None),
        ("Exact", &["/foo/"], "/foo", None),
        ("Prefix", &["/foo"], "/foo", Some("/foo")),
        ("Prefix", &["/foo"], "/foo/", Some("/foo")),
        ("Prefix", &["/foo/"], "/foo", Some("/foo/")),
        ("Prefix", &["/foo/"], "/foo/", Some("/foo/")),
        ("Prefix", &["/aaa/bb"], "/aaa/bbb", None),
        ("Prefix", &["/aaa/bbb"], "/aaa/bbb", Some("/aaa/bbb")),
        ("Prefix", &["/aaa/bbb/"], "/aaa/bbb", Some("/aaa/bbb/")),
        ("Prefix", &["/aaa/bbb"], "/aaa/bbb/", Some("/aaa/bbb")),
        ("Prefix", &["/aaa/bbb"], "/aaa/bbb/ccc", Some("/aaa/bbb")),
        ("Prefix", &["/aaa/bbb"], "/aaa/bbbxyz", None),
        ("Prefix", &["/", "/aaa"], "/aaa/ccc", Some("/aaa")),
        ("Prefix", &["/", "/aaa", "/aaa/bbb"], "/aaa/bbb", Some("/aaa/bbb")),
        ("Prefix", &["/", "/aaa", "/aaa/bbb"], "/ccc", Some("/")),
        ("Prefix", &["/aaa"], "/ccc", None),
    ];
    let mut yaml = svc("s", 80);
    for (i, (ty, paths, _, _)) in rows.iter().enumerate() {
        let p: Vec<(&str, &str, &str)> = paths.iter().map(|p| (*p, *ty, "s")).collect();
        yaml.push_str(&ing(&format!("row{i}"), &format!("row{i}.example.com"), &p));
    }
    // Mixed: /foo (Prefix) and /foo (Exact) → Exact.
    yaml.push_str(&ing("mixed", "mixed.example.com", &[("/foo", "Prefix", "s"), ("/foo", "Exact", "s")]));
    let f = fixture(&yaml, upstream());
    for (i, (ty, paths, request, want)) in rows.iter().enumerate() {
        let d = f.get(&format!("http://row{i}.example.com{request}"));
        let got = d.match_.as_ref().and_then(|m| m.path.clone());
        assert_eq!(got.as_deref(), *want, "row {i}: {ty} {paths:?} vs {request}");
        assert_eq!(d.status, if want.is_some() { 200 } else { 404 }, "row {i}");
    }
    let d = f.get("http://mixed.example.com/foo");
    assert_eq!(d.match_.unwrap().path_type, Some(PathType::Exact));
    let d = f.get("http://mixed.example.com/foo/x");
    assert_eq!(d.match_.unwrap().path_type, Some(PathType::Prefix));
}

/// `spec/kubernetes-semantics.md` §3.2, the docs' host table and the name-based virtual
/// hosting example.
#[test]
fn spec_semantics_3_2_hosts() {
    let mut yaml =
        svc("wild", 80) + &svc("exact", 80) + &svc("service1", 80) + &svc("service2", 80) + &svc("service3", 80);
    yaml += &ing("wildcard", "*.foo.com", &[("/", "Prefix", "wild")]);
    yaml += &ing("exact", "foo.bar.com", &[("/", "Prefix", "exact")]);
    yaml += &ing("first", "first.bar.com", &[("/", "Prefix", "service1")]);
    yaml += &ing("second", "second.bar.com", &[("/", "Prefix", "service2")]);
    yaml += &ing("any", "", &[("/", "Prefix", "service3")]);
    let f = fixture(&yaml, upstream());
    assert_eq!(f.to("http://bar.foo.com/"), "wild");
    assert_eq!(f.to("http://baz.bar.foo.com/"), "service3"); // one label only
    assert_eq!(f.to("http://foo.com/"), "service3"); // never the apex
    assert_eq!(f.to("http://foo.bar.com/"), "exact");
    assert_eq!(f.to("http://first.bar.com/x"), "service1");
    assert_eq!(f.to("http://second.bar.com/x"), "service2");
    assert_eq!(f.to("http://other.example/x"), "service3");
    assert_eq!(f.to("/x"), "service3"); // no Host at all
    let d = f.get("http://bar.foo.com/");
    assert_eq!(d.match_.unwrap().host_match, HostMatch::Wildcard);
    // §4.4.7: case, port and a trailing dot do not matter.
    assert_eq!(f.to("http://FOO.Bar.com.:8080/"), "exact");
    let d = f.route_req(&HttpRequest::new("/").with_header("Host", "Foo.Bar.Com:80"), false);
    assert_eq!(d.backend.unwrap().service.as_deref(), Some("exact"));
    assert_eq!(d.upstream_request.unwrap().host, "foo.bar.com");
}

/// `spec/http-routing.md` §2.4: the longest matching path wins, then Exact over Prefix;
/// Prefix `/foo/` is longer than Exact `/foo`, which can then never win (reported).
#[test]
fn spec_http_routing_2_4_longest_then_exact() {
    let mut yaml = svc("a", 80) + &svc("b", 80) + &svc("c", 80);
    yaml += &ing("i", "h.example", &[("/foo", "Exact", "a"), ("/foo/", "Prefix", "b"), ("/foo", "Prefix", "c")]);
    let f = fixture(&yaml, upstream());
    assert_eq!(f.to("http://h.example/foo"), "b");
    assert_eq!(f.to("http://h.example/foo/x"), "b");
    let shadowed: Vec<_> =
        f.diags.iter().filter(|d| d.code == "ingress-rule-shadowed").map(|d| d.field.clone().unwrap()).collect();
    assert_eq!(shadowed, ["spec.rules[0].http.paths[0].path", "spec.rules[0].http.paths[2].path"]);
}

/// `spec/http-routing.md` §2.4: the oldest Ingress claims host + path + type; ties by
/// namespace/name (ascending upstream, descending in ingress-nginx).
#[test]
fn spec_http_routing_2_4_claims_across_ingresses() {
    let mut yaml = svc("old", 80) + &svc("new", 80) + &svc("other", 80);
    let with_ts = |name: &str, ts: &str, service: &str| {
        ing(name, "shared.example", &[("/api", "Prefix", service)]).replace(
            &format!("metadata: {{name: {name}}}"),
            &format!("metadata: {{name: {name}, creationTimestamp: '{ts}'}}"),
        )
    };
    yaml += &with_ts("zzz", "2024-01-01T00:00:00Z", "old");
    yaml += &with_ts("aaa", "2024-06-01T00:00:00Z", "new");
    yaml += &ing("extra", "shared.example", &[("/other", "Prefix", "other")]);
    let f = fixture(&yaml, upstream());
    assert_eq!(f.to("http://shared.example/api/x"), "old");
    assert_eq!(f.to("http://shared.example/other"), "other"); // paths of both merge
    let conflict = f.diags.iter().find(|d| d.code == "ingress-path-conflict").unwrap();
    assert_eq!(conflict.object.as_ref().unwrap().name, "aaa");

    // Equal (absent) timestamps: a/b ascending upstream, descending in ingress-nginx.
    let mut yaml = svc("sa", 80) + &svc("sb", 80);
    yaml += &ing("a", "t.example", &[("/", "Prefix", "sa")]);
    yaml += &ing("b", "t.example", &[("/", "Prefix", "sb")]);
    assert_eq!(fixture(&yaml, upstream()).to("http://t.example/"), "sa");
    assert_eq!(fixture(&yaml, nginx()).to("http://t.example/"), "sb");
}

/// `spec/kubernetes-semantics.md` §3.3 and `spec/http-routing.md` §3.2: default backends.
#[test]
fn spec_semantics_3_3_default_backends() {
    let mut yaml = svc("app", 80) + &svc("fallback", 80) + &svc("catchall", 80);
    yaml += &ing("with-default", "h.example", &[("/app", "Prefix", "app")]);
    yaml.push_str("  defaultBackend: {service: {name: fallback, port: {number: 80}}}\n");
    let f = fixture(&yaml, upstream());
    assert_eq!(f.to("http://h.example/app"), "app");
    let d = f.get("http://h.example/else");
    assert_eq!((d.status, d.reason), (200, "default-backend"));
    assert_eq!(d.source.as_ref().unwrap().rule, None);
    // Not the global catch-all (ingress-nginx #8823).
    assert_eq!(f.to("http://other.example/"), "404");
    assert_eq!(f.get("http://other.example/").reason, "no-match");

    // An Ingress without rules is the catch-all (conformance default_backend.feature).
    yaml.push_str("---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: default-backend}\nspec:\n  defaultBackend: {service: {name: catchall, port: {number: 80}}}\n");
    let f = fixture(&yaml, upstream());
    assert_eq!(f.to("http://other.example/"), "catchall");
    assert_eq!(f.to("http://h.example/else"), "fallback");
}

/// `design.md` status codes: 500 for a missing Service or port, 503 without ready
/// endpoints; resource backends are reported.
#[test]
fn design_status_codes() {
    let mut yaml = svc("ok", 80);
    yaml += "---\napiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec:\n  selector: {app: nothing}\n  ports: [{port: 80}]\n";
    yaml += &ing(
        "i",
        "h.example",
        &[("/missing", "Prefix", "nosuch"), ("/empty", "Prefix", "empty"), ("/ok", "Prefix", "ok")],
    );
    yaml +=
        "      - path: /port\n        pathType: Prefix\n        backend: {service: {name: ok, port: {number: 81}}}\n";
    yaml +=
        "      - path: /named\n        pathType: Prefix\n        backend: {service: {name: ok, port: {name: http}}}\n";
    yaml += "      - path: /bucket\n        pathType: Prefix\n        backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static-assets}}\n";
    let f = fixture(&yaml, upstream());
    assert_eq!(
        (f.get("http://h.example/missing").status, f.get("http://h.example/missing").reason),
        (500, "backend-invalid")
    );
    assert_eq!(f.get("http://h.example/port").status, 500);
    let d = f.get("http://h.example/empty");
    assert_eq!((d.status, d.reason), (503, "no-endpoints"));
    let d = f.get("http://h.example/ok");
    assert_eq!((d.status, d.backend.as_ref().unwrap().usable_endpoints), (200, 1));
    let d = f.get("http://h.example/named");
    assert_eq!(d.backend.as_ref().unwrap().service_port, Some(80));
    let d = f.get("http://h.example/bucket");
    assert_eq!((d.status, d.reason), (200, "resource-backend"));
    assert_eq!(d.backend.unwrap().resource.unwrap().kind, "StorageBucket");
    // ingress-nginx answers 503 for a missing Service and skips resource backends.
    let n = fixture(&yaml, nginx());
    assert_eq!(n.get("http://h.example/missing").status, 503);
    assert_eq!(n.get("http://h.example/bucket").status, 404);
}

/// `spec/kubernetes-semantics.md` §3.3: IngressClass selection and unclaimed Ingresses.
#[test]
fn spec_semantics_3_3_ingress_class() {
    let classes = "---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\n  annotations: {ingressclass.kubernetes.io/is-default-class: 'true'}\nspec: {controller: k8s.io/ingress-nginx}\n---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: traefik}\nspec: {controller: traefik.io/ingress-controller}\n";
    let mut yaml = String::from(classes) + &svc("a", 80) + &svc("b", 80) + &svc("c", 80);
    yaml += &ing("default-class", "a.example", &[("/", "Prefix", "a")]);
    yaml += &ing("traefik", "b.example", &[("/", "Prefix", "b")])
        .replace("spec:\n", "spec:\n  ingressClassName: traefik\n");
    yaml += &ing("legacy", "c.example", &[("/", "Prefix", "c")]).replace(
        "metadata: {name: legacy}",
        "metadata: {name: legacy, annotations: {kubernetes.io/ingress.class: traefik}}",
    );
    let f = fixture(&yaml, upstream());
    assert_eq!(f.to("http://a.example/"), "a");
    assert_eq!(f.to("http://b.example/"), "404");
    assert_eq!(f.codes().iter().filter(|c| **c == "ingress-unclaimed").count(), 2);
    let t = fixture(&yaml, HttpOptions { ingress_class: Some(String::from("traefik")), ..upstream() });
    assert_eq!(t.to("http://a.example/"), "404");
    assert_eq!(t.to("http://b.example/"), "b");
    assert_eq!(t.to("http://c.example/"), "c");
}

/// Conformance `ingress_class.feature`: an Ingress naming a class that does not exist is not
/// served.
#[test]
fn conformance_ingress_class_invalid_name() {
    let mut yaml = svc("ingress-class-prefix", 8080);
    yaml += &ing("test-ingress-class", "ingress-class", &[("/", "Prefix", "ingress-class-prefix")])
        .replace("spec:\n", "spec:\n  ingressClassName: some-invalid-class-name\n");
    let f = fixture(&yaml, upstream());
    assert_eq!(f.get("http://ingress-class/").status, 404);
    assert!(f.codes().contains(&"ingress-unclaimed"));
}

const KUBIA: &str = "---
apiVersion: v1
kind: Secret
metadata: {name: tls-secret}
type: kubernetes.io/tls
data: {tls.crt: Y2VydA==, tls.key: a2V5}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: kubia}
spec:
  tls:
  - hosts: [kubia.example.com]
    secretName: tls-secret
  - hosts: ['*.wild.example', unserved.example]
    secretName: missing-secret
  rules:
  - host: kubia.example.com
    http:
      paths:
      - {path: /kubia, pathType: Prefix, backend: {service: {name: kubia, port: {number: 80}}}}
      - {path: /foo, pathType: Prefix, backend: {service: {name: bar, port: {number: 80}}}}
  - host: '*.wild.example'
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: kubia, port: {number: 80}}}}
";

fn kubia(opts: HttpOptions) -> Fixture {
    fixture(&(String::from(KUBIA) + &svc("kubia", 80) + &svc("bar", 80)), opts)
}

/// The seed's Ingress (issue 5 "Done when"): `/foo/x` goes to bar, `/foobar` does not,
/// `/kubia/../foo` goes where its normalised path goes, unknown hosts get 404, https names
/// `tls-secret`.
#[test]
fn seed_kubia_done_when() {
    let f = kubia(upstream());
    assert_eq!(f.to("http://kubia.example.com/foo/x"), "bar");
    assert_eq!(f.to("http://kubia.example.com/foobar"), "404");
    assert_eq!(f.to("http://kubia.example.com/kubia/../foo"), "bar");
    assert_eq!(f.get("http://kubia.example.com/kubia/../foo").upstream_request.unwrap().path, "/foo");
    assert_eq!(f.to("http://unknown.example/"), "404");
    let d = f.get("https://kubia.example.com/kubia");
    let tls = d.tls.unwrap();
    assert_eq!((tls.secret_name.as_deref(), tls.default_certificate), (Some("tls-secret"), false));
    assert_eq!(d.redirect, None); // the upstream profile does not redirect
    assert_eq!(f.get("http://kubia.example.com/kubia").redirect, None);
}

/// `spec/kubernetes-semantics.md` §3.3: TLS by SNI, wildcards, missing Secrets and TLS hosts
/// no rule serves.
#[test]
fn spec_semantics_3_3_tls() {
    let f = kubia(upstream());
    let d = f.get("https://a.wild.example/");
    let tls = d.tls.unwrap();
    assert_eq!(tls.host.as_deref(), Some("*.wild.example"));
    assert_eq!(tls.secret_name.as_deref(), Some("missing-secret"));
    assert!(tls.default_certificate);
    let d = f.route_req(
        &HttpRequest::new("/kubia").with_header("Host", "kubia.example.com").with_sni("x.wild.example"),
        false,
    );
    assert_eq!(d.tls.unwrap().host.as_deref(), Some("*.wild.example")); // certificate by SNI
    assert_eq!(d.backend.unwrap().service.as_deref(), Some("kubia")); // route by Host
    let d = f.get("https://nothing.example/");
    assert!(d.tls.unwrap().default_certificate);
    let codes = f.codes();
    assert!(codes.contains(&"ingress-tls-secret-missing"), "{codes:?}");
    assert!(codes.contains(&"ingress-tls-host-unserved"), "{codes:?}");
}

/// `spec/http-routing.md` §4.4 through `route`: refused requests, the forwarded path.
#[test]
fn spec_http_routing_4_4_requests() {
    let f = kubia(upstream());
    for (url, status) in [
        ("http://kubia.example.com/foo%2Fx", 400),
        ("http://kubia.example.com/foo%00", 400),
        ("http://kubia.example.com/f%zz", 400),
        ("http://user@kubia.example.com/foo", 400),
        ("http://kubia..example.com/foo", 400),
    ] {
        let d = f.get(url);
        assert_eq!((d.status, d.reason), (status, "bad-request"), "{url}");
        assert_eq!(d.upstream_request, None);
    }
    assert_eq!(f.to("http://kubia.example.com/%66oo/x"), "bar"); // %66 = f
    assert_eq!(f.to("http://kubia.example.com/kubia/%2e%2e/foo"), "bar");
    assert_eq!(f.get("http://kubia.example.com/foo?a=1#frag").upstream_request.unwrap().path, "/foo?a=1");
    let keep = kubia(HttpOptions { escaped_slashes: EscapedSlashes::Keep, ..upstream() });
    let d = keep.get("http://kubia.example.com/foo/a%2fb");
    assert_eq!((d.status, d.upstream_request.unwrap().path.as_str()), (200, "/foo/a%2Fb"));
    // Kept encoded, `%2F` is part of an element, never a separator: `/foo%2Fx` is not under `/foo`.
    assert_eq!(keep.get("http://kubia.example.com/foo%2Fx").status, 404);
    // Exact paths and duplicate slashes (§4.4.3).
    let mut yaml = svc("s", 80);
    yaml += &ing("e", "e.example", &[("/admin", "Exact", "s")]);
    assert_eq!(fixture(&yaml, upstream()).to("http://e.example//admin"), "404");
    assert_eq!(fixture(&yaml, HttpOptions { merge_slashes: true, ..upstream() }).to("http://e.example//admin"), "s");
    // Misuse is an error, not a decision.
    let eps = |_: &str, _: &str| None;
    assert!(f.table.route(&HttpRequest::new("ftp://x/"), &[], &eps, false).is_err());
}

#[test]
fn explain_lists_every_candidate() {
    let f = kubia(upstream());
    let d = f.route_req(&HttpRequest::new("http://kubia.example.com/foo/x"), true);
    let trace = d.trace.unwrap();
    let steps: Vec<&str> = trace.iter().map(|s| s.step).collect();
    for s in ["request", "normalize", "class", "host", "path", "backend"] {
        assert!(steps.contains(&s), "{steps:?}");
    }
    let paths: Vec<&String> = trace.iter().filter(|s| s.step == "path").map(|s| &s.message).collect();
    assert_eq!(paths.len(), 2);
    assert!(paths[0].contains("does not match"), "{paths:?}");
    assert!(paths[1].contains("wins"), "{paths:?}");
    assert!(f.get("http://kubia.example.com/foo/x").trace.is_none());
}

/// `spec/http-routing.md` §3.2: ingress-nginx locations without regex: Exact `=`, Prefix as
/// `/foo/` plus `= /foo`, ImplementationSpecific as a plain string prefix, nginx's 301.
#[test]
fn spec_http_routing_3_2_nginx_locations() {
    let mut yaml = svc("exact", 80) + &svc("prefix", 80) + &svc("impl", 80) + &svc("slash", 80);
    yaml += &ing(
        "i",
        "n.example",
        &[
            ("/foo", "Prefix", "prefix"),
            ("/foo", "Exact", "exact"),
            ("/imp", "ImplementationSpecific", "impl"),
            ("/dir/", "Prefix", "slash"),
        ],
    );
    let f = fixture(&yaml, nginx());
    assert_eq!(f.to("http://n.example/foo"), "exact");
    assert_eq!(f.to("http://n.example/foo/x"), "prefix");
    assert_eq!(f.to("http://n.example/foobar"), "404");
    assert_eq!(f.to("http://n.example/impossible"), "impl"); // nginx string prefix
    assert_eq!(f.to("http://n.example/dir/x"), "slash");
    let d = f.get("http://n.example/dir?q=1");
    assert_eq!((d.status, d.reason), (301, "slash-redirect"));
    assert_eq!(d.redirect.unwrap().location, "http://n.example/dir/?q=1");
    assert_eq!(f.get("http://n.example/foo/x").match_.unwrap().location.as_deref(), Some("/foo/"));
    // The upstream profile reads the same Ingress per the spec.
    let u = fixture(&yaml, upstream());
    assert_eq!(u.to("http://n.example/impossible"), "404");
    assert_eq!(u.to("http://n.example/dir"), "slash");
}

/// `spec/http-routing.md` §3.2, §5.8: `use-regex` on one Ingress makes every path of the
/// host a case-insensitive regex, first match by descending length (the docs' warning:
/// `/foo/bar/bar` goes to `/foo/bar/[A-Z0-9]{3}`).
#[test]
fn spec_http_routing_5_8_nginx_regex_host_wide() {
    let mut yaml = svc("bar", 80) + &svc("regex", 80) + &svc("other", 80);
    yaml += &ing("plain", "test.com", &[("/foo/bar", "Prefix", "bar")]);
    yaml += &ing("re", "test.com", &[("/foo/bar/[A-Z0-9]{3}", "ImplementationSpecific", "regex")]).replace(
        "metadata: {name: re}",
        "metadata: {name: re, annotations: {nginx.ingress.kubernetes.io/use-regex: 'true'}}",
    );
    yaml += &ing("elsewhere", "other.com", &[("/foo/bar", "Prefix", "other")]);
    let f = fixture(&yaml, nginx());
    assert_eq!(f.to("http://test.com/foo/bar/bar"), "regex");
    assert_eq!(f.to("http://test.com/FOO/BAR/x"), "bar"); // case-insensitive now
    assert_eq!(f.to("http://test.com/foo/bar"), "bar");
    assert_eq!(f.to("http://other.com/FOO/BAR"), "404"); // other hosts unaffected
    let d = f.get("http://test.com/foo/bar/bar");
    assert_eq!(d.match_.unwrap().location.as_deref(), Some("~* \"^/foo/bar/[A-Z0-9]{3}\""));
}

/// ingress-nginx `docs/examples/rewrite`: `rewrite-target: /$2` with
/// `/something(/|$)(.*)`.
#[test]
fn nginx_rewrite_target() {
    let mut yaml = svc("http-svc", 80);
    yaml += &ing("rewrite", "rewrite.bar.com", &[("/something(/|$)(.*)", "ImplementationSpecific", "http-svc")]).replace(
        "metadata: {name: rewrite}",
        "metadata: {name: rewrite, annotations: {nginx.ingress.kubernetes.io/use-regex: 'true', nginx.ingress.kubernetes.io/rewrite-target: /$2}}",
    );
    let f = fixture(&yaml, nginx());
    for (from, to) in
        [("/something", "/"), ("/something/", "/"), ("/something/new?x=1", "/new?x=1"), ("/SOMETHING/a/b", "/a/b")]
    {
        let d = f.get(&format!("http://rewrite.bar.com{from}"));
        assert_eq!(d.upstream_request.unwrap().path, to, "{from}");
    }
}

/// `spec/http-routing.md` §3.2: strict path validation rejects the whole Ingress.
#[test]
fn spec_http_routing_3_2_nginx_strict_validation() {
    let mut yaml = svc("s", 80);
    yaml += &ing("bad", "v.example", &[("/ok", "Prefix", "s"), ("/foo(/|$)(.*)", "Prefix", "s")]);
    let f = fixture(&yaml, nginx());
    assert_eq!(f.to("http://v.example/ok"), "404");
    assert!(f.codes().contains(&"nginx-invalid-path"));
    let u = fixture(&yaml, upstream());
    assert_eq!(u.to("http://v.example/ok"), "s");
}

/// ingress-nginx redirects http to https (308) when the host has TLS; `ssl-redirect: false`
/// turns it off, `force-ssl-redirect` forces it; the trailing slash is dropped unless
/// `preserve-trailing-slash`.
#[test]
fn nginx_https_redirect() {
    let f = kubia(nginx());
    let d = f.get("http://kubia.example.com/foo/?x=1");
    assert_eq!((d.status, d.reason), (308, "https-redirect"));
    assert_eq!(d.redirect.unwrap().location, "https://kubia.example.com/foo/?x=1");
    assert_eq!(f.get("http://kubia.example.com/foo/").redirect.unwrap().location, "https://kubia.example.com/foo");
    assert_eq!(f.get("https://kubia.example.com/foo/x").status, 200);
    assert_eq!(f.get("http://kubia.example.com/nothing").status, 308); // also the host's `/`
    let off = fixture(
        &(String::from(KUBIA).replace(
            "metadata: {name: kubia}",
            "metadata: {name: kubia, annotations: {nginx.ingress.kubernetes.io/ssl-redirect: 'false'}}",
        ) + &svc("kubia", 80)
            + &svc("bar", 80)),
        nginx(),
    );
    assert_eq!(off.get("http://kubia.example.com/foo").status, 200);
}

/// `spec/http-routing.md` §2.4, §3.3: canaries (header, cookie, weight) and cookie affinity.
#[test]
fn nginx_canary_and_affinity() {
    let mut yaml = svc("main", 80) + &svc("canary", 80);
    yaml += &ing("main", "c.example", &[("/", "Prefix", "main")]).replace(
        "metadata: {name: main}",
        "metadata: {name: main, annotations: {nginx.ingress.kubernetes.io/affinity: cookie, nginx.ingress.kubernetes.io/session-cookie-name: route}}",
    );
    yaml += &ing("canary", "c.example", &[("/", "Prefix", "canary")]).replace(
        "metadata: {name: canary}",
        "metadata: {name: canary, annotations: {nginx.ingress.kubernetes.io/canary: 'true', nginx.ingress.kubernetes.io/canary-by-header: X-Canary, nginx.ingress.kubernetes.io/canary-by-cookie: use-canary, nginx.ingress.kubernetes.io/canary-weight: '20'}}",
    );
    let f = fixture(&yaml, nginx());
    let d = f.get("http://c.example/x");
    assert_eq!(d.backend.as_ref().unwrap().service.as_deref(), Some("main"));
    let c = d.canary.unwrap();
    assert_eq!((c.selected, c.by, c.weight, c.weight_total), (None, "weight", 20, 100));
    let a = d.affinity.unwrap();
    assert_eq!((a.name.as_str(), a.path.as_str(), a.mode, a.secure), ("route", "/", "balanced", false));
    let d = f.route_req(&HttpRequest::new("http://c.example/").with_header("X-Canary", "always"), false);
    assert_eq!(d.backend.unwrap().service.as_deref(), Some("canary"));
    let d = f.route_req(&HttpRequest::new("http://c.example/").with_header("Cookie", "use-canary=always"), false);
    assert_eq!(d.canary.unwrap().by, "cookie");
    let eps = |ns: &str, name: &str| f.cluster.endpoints(ns, name).ok();
    let req = HttpRequest::new("http://c.example/");
    let hits = (0..100u64)
        .filter(|draw| {
            let d = f.table.route_with_draw(&req, f.cluster.services(), &eps, false, Some(*draw)).unwrap();
            d.backend.unwrap().service.as_deref() == Some("canary")
        })
        .count();
    assert_eq!(hits, 20);
    // The upstream profile knows nothing of canaries: the canary Ingress conflicts.
    let u = fixture(&yaml, upstream());
    assert_eq!(u.to("http://c.example/"), "canary"); // "canary" < "main": claims first
    assert!(u.get("http://c.example/").canary.is_none());
}

#[test]
fn decision_json_shape() {
    let f = kubia(upstream());
    let v = serde_json::to_value(f.get("https://kubia.example.com/kubia")).unwrap();
    let keys: Vec<String> = v.as_object().unwrap().keys().map(ToString::to_string).collect();
    for k in [
        "status",
        "reason",
        "source",
        "match",
        "backend",
        "tls",
        "redirect",
        "affinity",
        "canary",
        "upstreamRequest",
        "trace",
    ] {
        assert!(keys.iter().any(|x| x == k), "{k} in {keys:?}");
    }
    assert_eq!(v["match"]["hostMatch"], "Exact");
    assert_eq!(v["match"]["pathType"], "Prefix");
    assert_eq!(v["backend"]["port"], 80);
    assert_eq!(v["tls"]["secretName"], "tls-secret");
}

/// The Cluster's build path (with source positions): findings carry lines.
#[test]
fn build_with_positions() {
    let yaml = String::from(KUBIA) + &svc("kubia", 80) + &svc("bar", 80);
    let cluster = Cluster::from_yaml(&yaml, &Options::default()).unwrap();
    let docs = crate::yaml::parse_documents(&yaml, &crate::Limits::default()).unwrap();
    let mut sources = crate::load::Sources::default();
    let mut early = Vec::new();
    let loaded = crate::load::load(docs, "default", &crate::Limits::default(), &mut sources, &mut early).unwrap();
    let ingresses: Vec<(&crate::model::Ingress, usize)> = loaded
        .iter()
        .filter_map(|l| match &l.object {
            crate::model::Object::Ingress(i) => Some((i, l.src)),
            _ => None,
        })
        .collect();
    let mut f = crate::load::Findings::new(&sources);
    let table =
        RouteTable::build(&ingresses, &[], cluster.secrets(), cluster.services(), &HttpOptions::default(), &mut f);
    assert!(table.route_count() > 0);
    let missing = f.out.iter().find(|d| d.code == "ingress-tls-secret-missing").unwrap();
    assert!(missing.line.is_some());
    assert_eq!(missing.field.as_deref(), Some("spec.tls[1].secretName"));
}

#[test]
fn lookup_without_a_decision() {
    let f = kubia(upstream());
    let r = f.table.lookup("kubia.example.com", "/foo/x").unwrap();
    assert_eq!(
        (r.ingress, r.rule, r.path, r.service, r.service_port),
        ("kubia", Some(0), Some(1), Some("bar"), Some(80))
    );
    assert_eq!(f.table.lookup("kubia.example.com", "/foobar"), None);
    assert_eq!(f.table.lookup("a.wild.example", "/").unwrap().host_match, HostMatch::Wildcard);
}

#[test]
fn route_table_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<RouteTable>();
    check::<HttpDecision>();
}

#[test]
fn explain_nginx_lists_locations_in_order() {
    let mut yaml = svc("bar", 80) + &svc("regex", 80);
    yaml += &ing("plain", "test.com", &[("/foo/bar", "Prefix", "bar")]);
    yaml += &ing("re", "test.com", &[("/foo/bar/[A-Z0-9]{3}", "ImplementationSpecific", "regex")]).replace(
        "metadata: {name: re}",
        "metadata: {name: re, annotations: {nginx.ingress.kubernetes.io/use-regex: 'true'}}",
    );
    let f = fixture(&yaml, nginx());
    let d = f.route_req(&HttpRequest::new("http://test.com/foo/bar/bar"), true);
    let paths: Vec<String> = d.trace.unwrap().into_iter().filter(|s| s.step == "path").map(|s| s.message).collect();
    assert!(paths[0].contains("case-insensitive regex"), "{paths:?}");
    assert!(paths[1].contains("~* \"^/foo/bar/[A-Z0-9]{3}\"") && paths[1].ends_with("matches; wins"), "{paths:?}");
    assert!(
        paths[2].contains("~* \"^/foo/bar/\"") && paths[2].ends_with("matches but another location takes precedence"),
        "{paths:?}"
    );
}

/// One Ingress without host whose rule has `paths` (path, type) in order.
fn one_server(paths: &[(String, &str)]) -> RouteTable {
    use crate::model::{HttpPath, IngressBackend, IngressRule, IngressServiceBackend, IntOrString, ObjectMeta};
    let backend = IngressBackend {
        service: Some(IngressServiceBackend {
            name: String::from("s"),
            port: Some(IntOrString::Int(80)),
            port_both: false,
        }),
        resource: None,
    };
    let paths = paths
        .iter()
        .map(|(p, t)| HttpPath { path: p.clone(), path_type: Some(String::from(*t)), backend: backend.clone() })
        .collect();
    let ing = crate::model::Ingress {
        metadata: ObjectMeta { name: String::from("i"), namespace: String::from("default"), ..ObjectMeta::default() },
        rules: alloc::vec![IngressRule { host: String::new(), paths: Some(paths) }],
        ..crate::model::Ingress::default()
    };
    RouteTable::new(&[ing], &[], &[], &[], &HttpOptions::default()).0
}

/// The precedence of `spec/http-routing.md` §2.4 by scanning every rule: the first claim of a
/// (path, Exact or not) counts; the longest matching path, then Exact, then more elements,
/// then the earliest. Matching as `spec/kubernetes-semantics.md` §3.1 words it.
fn reference_match(paths: &[(String, &str)], request: &str) -> Option<usize> {
    let elems = |p: &str| p.split('/').filter(|e| !e.is_empty()).map(String::from).collect::<Vec<_>>();
    let mut claimed: Vec<(&str, bool)> = Vec::new();
    let mut best: Option<((usize, bool, usize), usize)> = None;
    for (i, (p, t)) in paths.iter().enumerate() {
        let exact = *t == "Exact";
        if claimed.contains(&(p.as_str(), exact)) {
            continue;
        }
        claimed.push((p.as_str(), exact));
        let (rule, req) = (elems(p), elems(request));
        let hit =
            if exact { p == request } else { rule.len() <= req.len() && rule.iter().zip(&req).all(|(a, b)| a == b) };
        let rank = (p.len(), exact, rule.len());
        if hit && best.as_ref().is_none_or(|(b, _)| rank > *b) {
            best = Some((rank, i));
        }
    }
    best.map(|(_, i)| i)
}

/// Paths of elements from `names`, each after `/` or `//`, with zero, one or two trailing `/`.
fn slashy_path(parts: &[(usize, bool)], trailing: usize, names: &[&str]) -> String {
    let mut p = String::new();
    for (e, double) in parts {
        p.push('/');
        if *double {
            p.push('/');
        }
        p.push_str(names[*e]);
    }
    if p.is_empty() {
        p.push('/');
    }
    for _ in 0..trailing {
        p.push('/');
    }
    p
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..proptest::prelude::ProptestConfig::default() })]

    /// `spec/http-routing.md` §2.4, `spec/kubernetes-semantics.md` §3.1: the table (linear
    /// for small servers, hashed Prefix keys for big ones) picks what a scan of every rule
    /// picks, with trailing slashes, `//` in rules and requests, and paths that are prefixes
    /// of each other.
    #[test]
    fn matcher_agrees_with_scan_of_every_rule(
        rules in proptest::collection::vec(
            (proptest::collection::vec((0..3usize, proptest::prelude::any::<bool>()), 0..4), 0..3usize, 0..3usize),
            1..40,
        ),
        requests in proptest::collection::vec(
            (proptest::collection::vec((0..4usize, proptest::prelude::any::<bool>()), 0..5), 0..3usize),
            1..20,
        ),
    ) {
        const NAMES: &[&str] = &["a", "b", "ab", "c"];
        const TYPES: &[&str] = &["Exact", "Prefix", "ImplementationSpecific"];
        // `//` in rules only sometimes: clean rule sets take the first-hit path.
        let paths: Vec<(String, &str)> =
            rules.iter().map(|(parts, trailing, t)| (slashy_path(parts, *trailing, NAMES), TYPES[*t])).collect();
        let table = one_server(&paths);
        for (parts, trailing) in &requests {
            let request = slashy_path(parts, *trailing, NAMES);
            let got = table.lookup("example.com", &request).and_then(|r| r.path);
            proptest::prop_assert_eq!(got, reference_match(&paths, &request), "{:?} {}", paths, request);
        }
    }
}

/// Requests with `//` on big servers: one whose Prefix keys are longer than the stack copy of
/// the request (its Prefix paths are scanned), and one where a Prefix path with empty
/// elements outranks the Exact match of the request as written (§3.1, §2.4 as always).
#[test]
fn spec_semantics_3_1_empty_elements_in_big_servers() {
    let long = format!("/{}", ["seg"; 200].join("/"));
    let fillers = || (0..20).map(|i| (format!("/filler{i}"), "Prefix"));
    let mut paths: Vec<(String, &str)> = fillers().collect();
    paths.push((format!("{long}/"), "Prefix"));
    paths.push((String::from("/seg/seg"), "Prefix"));
    paths.push((String::from("/seg//seg//"), "ImplementationSpecific"));
    paths.push((String::from("/seg"), "Exact"));
    let mut outranked: Vec<(String, &str)> = fillers().collect();
    outranked.push((String::from("/a//b/c"), "Exact"));
    outranked.push((String::from("/a/b/c//"), "ImplementationSpecific"));
    let requests = [
        format!("{long}/x"),
        format!("/{}", ["seg"; 200].join("//")),
        String::from("/seg//seg/x"),
        String::from("//seg"),
        String::from("/seg"),
        String::from("seg/seg"),
        String::from("/filler3//q"),
        String::from("/a//b/c"),
    ];
    for paths in [paths, outranked] {
        let table = one_server(&paths);
        for request in &requests {
            let got = table.lookup("example.com", request).and_then(|r| r.path);
            assert_eq!(got, reference_match(&paths, request), "{request}");
        }
    }
}
