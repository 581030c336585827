//! The ingress-nginx profile's pure pieces (`spec/http-routing.md` §3.2, §3.3, §2.4): its
//! annotations parsed into typed configuration, its strict path validation, the canary
//! precedence, and `rewrite-target` expansion. Location building and matching live in
//! `build.rs` and `table.rs`.

use super::decision::CookieAffinity;
use super::regex::{Regex, RegexError};
use super::request::HttpRequest;
use alloc::{format, string::String, vec::Vec};

/// The annotation prefix.
pub(crate) const PREFIX: &str = "nginx.ingress.kubernetes.io/";

/// A problem with an annotation: the annotation's short name and what is wrong.
pub(crate) type AnnotationIssue = (&'static str, String);

/// `nginx.ingress.kubernetes.io/*` annotations kroute models, per Ingress.
#[derive(Clone, Debug)]
pub(crate) struct Annotations {
    /// `use-regex`.
    pub(crate) use_regex: bool,
    /// `rewrite-target`.
    pub(crate) rewrite_target: Option<String>,
    /// `ssl-redirect` (default true, the ConfigMap default).
    pub(crate) ssl_redirect: bool,
    /// `force-ssl-redirect` (default false).
    pub(crate) force_ssl_redirect: bool,
    /// `preserve-trailing-slash` (default false: the https redirect drops a trailing `/`).
    pub(crate) preserve_trailing_slash: bool,
    /// `affinity: cookie` and the `session-cookie-*` settings.
    pub(crate) affinity: Option<Affinity>,
    /// `canary: "true"` and the `canary-*` settings.
    pub(crate) canary: Option<Canary>,
}

impl Default for Annotations {
    fn default() -> Self {
        Self {
            use_regex: false,
            rewrite_target: None,
            ssl_redirect: true,
            force_ssl_redirect: false,
            preserve_trailing_slash: false,
            affinity: None,
            canary: None,
        }
    }
}

/// Cookie affinity settings (`internal/ingress/annotations/sessionaffinity/main.go`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Affinity {
    /// `affinity-mode`: `balanced` or `persistent`.
    pub(crate) mode: &'static str,
    /// `session-cookie-name` (default `INGRESSCOOKIE`).
    pub(crate) name: String,
    /// `session-cookie-path`.
    pub(crate) path: Option<String>,
    /// `session-cookie-domain`.
    pub(crate) domain: Option<String>,
    /// `session-cookie-max-age`.
    pub(crate) max_age: Option<String>,
    /// `session-cookie-expires`.
    pub(crate) expires: Option<String>,
    /// `session-cookie-secure`.
    pub(crate) secure: bool,
    /// `session-cookie-samesite`.
    pub(crate) samesite: Option<String>,
    /// `session-cookie-conditional-samesite-none`.
    pub(crate) conditional_samesite_none: bool,
    /// `session-cookie-change-on-failure`.
    pub(crate) change_on_failure: bool,
}

impl Affinity {
    /// The affinity reported for a request on location `location_path`.
    pub(crate) fn for_request(&self, location_path: &str, https: bool) -> CookieAffinity {
        CookieAffinity {
            name: self.name.clone(),
            path: self.path.clone().unwrap_or_else(|| String::from(location_path)),
            domain: self.domain.clone(),
            max_age: self.max_age.clone(),
            expires: self.expires.clone(),
            secure: self.secure || https,
            samesite: self.samesite.clone(),
            conditional_samesite_none: self.conditional_samesite_none,
            mode: self.mode,
            change_on_failure: self.change_on_failure,
        }
    }
}

/// Canary settings (`internal/ingress/annotations/canary`), the traffic-shaping policy.
#[derive(Clone, Debug)]
pub(crate) struct Canary {
    /// `canary-by-header`.
    pub(crate) header: Option<String>,
    /// `canary-by-header-value`.
    pub(crate) header_value: Option<String>,
    /// `canary-by-header-pattern`, compiled; `Err` when kroute cannot run it.
    pub(crate) header_pattern: Option<Result<Regex, RegexError>>,
    /// `canary-by-cookie`.
    pub(crate) cookie: Option<String>,
    /// `canary-weight`.
    pub(crate) weight: u64,
    /// `canary-weight-total` (default 100).
    pub(crate) weight_total: u64,
}

/// The outcome of [`Canary::choose`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CanaryChoice {
    /// Canary or mainline; `None` when a weighted draw is needed and none was given.
    pub(crate) selected: Option<bool>,
    /// `header`, `cookie`, `weight` or `header-pattern-error`.
    pub(crate) by: &'static str,
}

impl Canary {
    /// The weight total in effect: `canary-weight-total` when above 100, else 100
    /// (`balancer.lua`).
    pub(crate) fn total(&self) -> u64 {
        self.weight_total.max(100)
    }

    /// ingress-nginx's `route_to_alternative_balancer` (`balancer.lua`): the header first
    /// (`canary-by-header-value` equality, else `-pattern` regex search, else the values
    /// `always` / `never`), then the cookie (`always` / `never`), then the weight: canary when
    /// `draw % total + 1 <= weight` (Lua's `math.random(total) <= weight`). A pattern that
    /// fails sends the request to mainline at once, even if the cookie says `always`
    /// (`spec/http-routing.md` §5.9). Without a draw, a weight strictly between 0 and the
    /// total leaves the choice open.
    pub(crate) fn choose(&self, req: &HttpRequest, draw: Option<u64>) -> CanaryChoice {
        let decided = |s: bool, by| CanaryChoice { selected: Some(s), by };
        if let Some(value) = self.header.as_deref().and_then(|h| header_nginx(req, h)) {
            if let Some(want) = self.header_value.as_deref().filter(|v| !v.is_empty()) {
                if want == value {
                    return decided(true, "header");
                }
            } else if let Some(p) = &self.header_pattern {
                match p {
                    Ok(re) if re.is_match(value.as_bytes()) => return decided(true, "header"),
                    Ok(_) => {}
                    Err(_) => return decided(false, "header-pattern-error"),
                }
            } else if value == "always" {
                return decided(true, "header");
            } else if value == "never" {
                return decided(false, "header");
            }
        }
        if let Some(value) = self.cookie.as_deref().and_then(|c| req.cookie(c)) {
            if value == "always" {
                return decided(true, "cookie");
            }
            if value == "never" {
                return decided(false, "cookie");
            }
        }
        let total = self.total();
        if self.weight == 0 {
            return decided(false, "weight");
        }
        if self.weight >= total {
            return decided(true, "weight");
        }
        CanaryChoice { selected: draw.map(|d| d % total < self.weight), by: "weight" }
    }
}

/// nginx's `$http_<name>`: header names compared case-insensitively, `-` and `_` alike.
fn header_nginx<'r>(req: &'r HttpRequest, name: &str) -> Option<&'r str> {
    let norm = |c: u8| if c == b'-' { b'_' } else { c.to_ascii_lowercase() };
    req.headers
        .iter()
        .find(|(n, _)| n.len() == name.len() && n.bytes().map(norm).eq(name.bytes().map(norm)))
        .map(|(_, v)| v.as_str())
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Reads the annotations of one Ingress; problems are returned, defaults used instead.
pub(crate) fn parse(annotations: &alloc::collections::BTreeMap<String, String>) -> (Annotations, Vec<AnnotationIssue>) {
    let get = |k: &str| annotations.get(&format!("{PREFIX}{k}")).map(|v| v.trim());
    let mut issues = Vec::new();
    let boolean = |k: &'static str, default: bool, issues: &mut Vec<AnnotationIssue>| match get(k) {
        None => default,
        Some(v) => parse_bool(v).unwrap_or_else(|| {
            issues.push((k, format!("{v:?} is not a boolean; using {default}")));
            default
        }),
    };
    let mut a = Annotations {
        use_regex: boolean("use-regex", false, &mut issues),
        rewrite_target: get("rewrite-target").filter(|t| !t.is_empty()).map(String::from),
        ssl_redirect: boolean("ssl-redirect", true, &mut issues),
        force_ssl_redirect: boolean("force-ssl-redirect", false, &mut issues),
        preserve_trailing_slash: boolean("preserve-trailing-slash", false, &mut issues),
        affinity: None,
        canary: None,
    };
    let secure = boolean("session-cookie-secure", false, &mut issues);
    let conditional = boolean("session-cookie-conditional-samesite-none", false, &mut issues);
    let change = boolean("session-cookie-change-on-failure", false, &mut issues);
    let canary_on = boolean("canary", false, &mut issues);
    match get("affinity") {
        None | Some("") => {}
        Some("cookie") => {
            let max_age = get("session-cookie-max-age").map(String::from).filter(|v| {
                // sessionaffinity/main.go: `(^0|-?[1-9]\d*$)`, searched as Go does.
                let ok = Regex::new(r"(^0|-?[1-9]\d*$)", false, false).is_ok_and(|r| r.is_match(v.as_bytes()));
                if !ok {
                    issues.push(("session-cookie-max-age", format!("{v:?} is not a number of seconds; ignored")));
                }
                ok
            });
            let expires = get("session-cookie-expires").map(String::from).filter(|v| {
                let ok = !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
                if !ok {
                    issues.push(("session-cookie-expires", format!("{v:?} is not a number of seconds; ignored")));
                }
                ok
            });
            let mode = match get("affinity-mode") {
                None | Some("" | "balanced") => "balanced",
                Some("persistent") => "persistent",
                Some(other) => {
                    issues.push(("affinity-mode", format!("{other:?} is not balanced or persistent; using balanced")));
                    "balanced"
                }
            };
            a.affinity = Some(Affinity {
                mode,
                name: get("session-cookie-name")
                    .filter(|n| !n.is_empty())
                    .map_or_else(|| String::from("INGRESSCOOKIE"), String::from),
                path: get("session-cookie-path").filter(|p| !p.is_empty()).map(String::from),
                domain: get("session-cookie-domain").filter(|p| !p.is_empty()).map(String::from),
                max_age,
                expires,
                secure,
                samesite: get("session-cookie-samesite").filter(|p| !p.is_empty()).map(String::from),
                conditional_samesite_none: conditional,
                change_on_failure: change,
            });
            if a.use_regex && a.affinity.as_ref().is_some_and(|x| x.path.is_none()) {
                issues.push((
                    "session-cookie-path",
                    String::from("session-cookie-path should be set when use-regex is true (the cookie path would be a regular expression)"),
                ));
            }
        }
        Some(other) => issues.push(("affinity", format!("{other:?} is not supported; only \"cookie\""))),
    }
    if canary_on {
        let mut int = |k: &'static str, default: u64| match get(k) {
            None => default,
            Some(v) => v.parse::<u64>().unwrap_or_else(|_| {
                issues.push((k, format!("{v:?} is not a non-negative integer; using {default}")));
                default
            }),
        };
        let weight = int("canary-weight", 0);
        let weight_total = int("canary-weight-total", 100);
        let header_pattern =
            get("canary-by-header-pattern").filter(|p| !p.is_empty()).map(|p| Regex::new(p, false, false));
        if let Some(Err(e)) = &header_pattern {
            issues.push((
                "canary-by-header-pattern",
                format!(
                    "{}; requests carrying the header go to the mainline, as when ingress-nginx fails to run the pattern",
                    e.message()
                ),
            ));
        }
        a.canary = Some(Canary {
            header: get("canary-by-header").filter(|h| !h.is_empty()).map(String::from),
            header_value: get("canary-by-header-value").filter(|h| !h.is_empty()).map(String::from),
            header_pattern,
            cookie: get("canary-by-cookie").filter(|h| !h.is_empty()).map(String::from),
            weight,
            weight_total,
        });
    }
    (a, issues)
}

/// ingress-nginx's strict path validation (`strict-validate-path-type`, default since
/// v1.12.0; `internal/ingress/inspector/rules.go`): for every pathType but
/// ImplementationSpecific the path must match `(?i)^/[[:alnum:]._\-/]*$`.
pub(crate) fn strict_path_ok(path: &str) -> bool {
    path.starts_with('/') && path.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'))
}

/// Expands an nginx `rewrite` replacement: `$1`…`$9` and named groups from the captures of
/// `re` over `uri`, then re-attaches the query as nginx does (`?args` appended, or `&args`
/// when the replacement has its own). `None` when `re` does not match.
pub(crate) fn rewrite(re: &Regex, target: &str, uri: &str, query: Option<&str>) -> Option<String> {
    let caps = re.captures(uri.as_bytes())?;
    let group = |i: usize| caps.get(i).copied().flatten().and_then(|(a, b)| uri.get(a..b)).unwrap_or("");
    let mut out = String::with_capacity(target.len() + uri.len());
    let mut rest = target;
    while let Some(at) = rest.find('$') {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at + 1..).unwrap_or("");
        let digit = after.bytes().next().filter(u8::is_ascii_digit);
        if let Some(d) = digit {
            out.push_str(group(usize::from(d - b'0')));
            rest = after.get(1..).unwrap_or("");
            continue;
        }
        let name_len = after.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        let name = after.get(..name_len).unwrap_or("");
        match re.group_index(name) {
            Some(i) if name_len > 0 => out.push_str(group(usize::from(i))),
            _ => {
                out.push('$');
                out.push_str(name);
            }
        }
        rest = after.get(name_len..).unwrap_or("");
    }
    out.push_str(rest);
    if let Some(q) = query {
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(q);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use alloc::collections::BTreeMap;

    fn anns(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (format!("{PREFIX}{k}"), String::from(*v))).collect()
    }

    fn canary(pairs: &[(&str, &str)]) -> Canary {
        let mut all = alloc::vec![("canary", "true")];
        all.extend_from_slice(pairs);
        parse(&anns(&all)).0.canary.unwrap()
    }

    /// `spec/http-routing.md` §2.4: canary-by-header, then -by-cookie, then -weight.
    #[test]
    fn spec_http_routing_2_4_canary_precedence() {
        let c = canary(&[("canary-by-header", "X-Canary"), ("canary-by-cookie", "canary"), ("canary-weight", "0")]);
        let req = |h: Option<&str>, ck: Option<&str>| {
            let mut r = HttpRequest::new("/");
            if let Some(h) = h {
                r = r.with_header("x-canary", h);
            }
            if let Some(ck) = ck {
                r = r.with_header("Cookie", format!("canary={ck}"));
            }
            r
        };
        assert_eq!(c.choose(&req(Some("always"), Some("never")), None).selected, Some(true));
        assert_eq!(c.choose(&req(Some("never"), Some("always")), None).selected, Some(false));
        assert_eq!(c.choose(&req(Some("other"), Some("always")), None).by, "cookie");
        assert_eq!(c.choose(&req(None, Some("always")), None).selected, Some(true));
        assert_eq!(c.choose(&req(None, None), None), CanaryChoice { selected: Some(false), by: "weight" });

        let v = canary(&[("canary-by-header", "X-Canary"), ("canary-by-header-value", "v2")]);
        assert_eq!(v.choose(&req(Some("v2"), None), None).selected, Some(true));
        // With a value configured, "always" is just another value.
        assert_eq!(v.choose(&req(Some("always"), None), None).selected, Some(false));
    }

    /// `spec/http-routing.md` §5.9: a failing pattern sends the request to mainline even when
    /// the cookie says `always`.
    #[test]
    fn spec_http_routing_5_9_bad_canary_pattern() {
        let c =
            canary(&[("canary-by-header", "X-Canary"), ("canary-by-header-pattern", "(a"), ("canary-by-cookie", "c")]);
        let r = HttpRequest::new("/").with_header("X-Canary", "a").with_header("Cookie", "c=always");
        assert_eq!(c.choose(&r, None), CanaryChoice { selected: Some(false), by: "header-pattern-error" });
        let ok = canary(&[("canary-by-header", "X-Canary"), ("canary-by-header-pattern", "^v[12]$")]);
        let r = HttpRequest::new("/").with_header("X-Canary", "v2");
        assert_eq!(ok.choose(&r, None).selected, Some(true));
    }

    #[test]
    fn canary_weight_draws() {
        let c = canary(&[("canary-weight", "30")]);
        let r = HttpRequest::new("/");
        assert_eq!(c.choose(&r, None), CanaryChoice { selected: None, by: "weight" });
        let hits = (0..100u64).filter(|d| c.choose(&r, Some(*d)).selected == Some(true)).count();
        assert_eq!(hits, 30);
        let t = canary(&[("canary-weight", "5"), ("canary-weight-total", "1000")]);
        assert_eq!(t.total(), 1000);
        let hits = (0..1000u64).filter(|d| t.choose(&r, Some(*d)).selected == Some(true)).count();
        assert_eq!(hits, 5);
        assert_eq!(canary(&[("canary-weight", "100")]).choose(&r, None).selected, Some(true));
    }

    /// `spec/http-routing.md` §3.3: the session-cookie annotations and their defaults.
    #[test]
    fn spec_http_routing_3_3_affinity_annotations() {
        let (a, issues) = parse(&anns(&[("affinity", "cookie")]));
        let aff = a.affinity.unwrap();
        assert_eq!(aff.name, "INGRESSCOOKIE");
        assert_eq!(aff.mode, "balanced");
        assert!(issues.is_empty());
        let c = aff.for_request("/kubia", false);
        assert_eq!(c.path, "/kubia");
        assert!(!c.secure);
        assert!(aff.for_request("/", true).secure); // false cannot switch Secure off on HTTPS

        let (a, issues) = parse(&anns(&[
            ("affinity", "cookie"),
            ("affinity-mode", "persistent"),
            ("session-cookie-name", "route"),
            ("session-cookie-path", "/"),
            ("session-cookie-max-age", "172800"),
            ("session-cookie-expires", "x"),
            ("session-cookie-samesite", "Strict"),
        ]));
        let aff = a.affinity.unwrap();
        assert_eq!((aff.name.as_str(), aff.mode, aff.path.as_deref()), ("route", "persistent", Some("/")));
        assert_eq!(aff.max_age.as_deref(), Some("172800"));
        assert_eq!(aff.expires, None);
        assert_eq!(issues.len(), 1);
    }

    #[test]
    fn booleans_like_go() {
        let (a, issues) = parse(&anns(&[("ssl-redirect", "False"), ("use-regex", "yes")]));
        assert!(!a.ssl_redirect);
        assert!(!a.use_regex);
        assert_eq!(issues.len(), 1);
    }

    /// `spec/http-routing.md` §3.2: `(?i)^/[[:alnum:]._\-/]*$`.
    #[test]
    fn spec_http_routing_3_2_strict_path_validation() {
        for ok in ["/", "/foo/bar", "/a.b_c-d/", "/API/v1"] {
            assert!(strict_path_ok(ok), "{ok}");
        }
        for bad in ["/foo(/|$)(.*)", "/foo bar", "/a;b", "/~u", "foo", "/%2e"] {
            assert!(!strict_path_ok(bad), "{bad}");
        }
    }

    /// ingress-nginx `docs/examples/rewrite`: `/something(/|$)(.*)` → `/$2`.
    #[test]
    fn rewrite_target_examples() {
        let re = Regex::new("/something(/|$)(.*)", true, true).unwrap();
        assert_eq!(rewrite(&re, "/$2", "/something", None).as_deref(), Some("/"));
        assert_eq!(rewrite(&re, "/$2", "/something/", None).as_deref(), Some("/"));
        assert_eq!(rewrite(&re, "/$2", "/something/new", Some("a=1")).as_deref(), Some("/new?a=1"));
        assert_eq!(rewrite(&re, "/x?y=1", "/something/new", Some("a=1")).as_deref(), Some("/x?y=1&a=1"));
        assert_eq!(rewrite(&re, "/$host/$2", "/SomeThing/new", None).as_deref(), Some("/$host/new"));
        assert_eq!(rewrite(&re, "/$2", "/other", None), None);
    }
}
