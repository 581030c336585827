//! [`HttpRequest`]: what a client sends, and how its target and Host are read
//! (`spec/http-routing.md` §4.4.7, §4.4.8).

use super::bytes::{authority_end, host_byte, path_end};
use super::normalize::Reject;
use crate::error::{Error, ErrorKind};
use alloc::{string::String, vec::Vec};
use core::fmt::Write as _;
use core::net::{IpAddr, Ipv6Addr};

/// One HTTP request, as a client sends it.
///
/// `url` is absolute (`https://kubia.example.com/foo?x=1`), scheme-less
/// (`kubia.example.com/foo`, taken as `http://`), or origin-form (`/foo`, with the host from
/// the `Host` header; `https` when `sni` is set). In absolute form the URL's authority wins
/// over any `Host` header (RFC 9112 §3.2.2). Header names are case-insensitive.
///
/// Deserialises from the canonical JSON shape (`{url, method?, headers?, sni?, clientIp?}`);
/// `headers` may be an object (`{"Cookie": "a=b"}`, values may be lists) or a list of
/// `[name, value]` pairs.
///
/// ```
/// let req = kroute::http::HttpRequest::new("https://kubia.example.com/kubia")
///     .with_header("Cookie", "INGRESSCOOKIE=abc");
/// assert_eq!(req.method, "GET");
/// assert_eq!(req.cookie("INGRESSCOOKIE"), Some("abc"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct HttpRequest {
    /// The request target: absolute URL, `host/path`, or `/path`.
    pub url: String,
    /// The method (`GET` when empty).
    pub method: String,
    /// Headers in order; names are matched case-insensitively.
    #[serde(deserialize_with = "de_headers")]
    pub headers: Vec<(String, String)>,
    /// The TLS server name the client sends; for `https://` URLs it defaults to the URL's
    /// host, and setting it makes an origin-form request HTTPS.
    pub sni: Option<String>,
    /// The client's address (used by the router for ClientIP affinity; routing ignores it).
    pub client_ip: Option<IpAddr>,
}

impl Default for HttpRequest {
    fn default() -> Self {
        Self { url: String::from("/"), method: String::from("GET"), headers: Vec::new(), sni: None, client_ip: None }
    }
}

impl HttpRequest {
    /// A `GET` of `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), ..Self::default() }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the TLS server name.
    #[must_use]
    pub fn with_sni(mut self, sni: impl Into<String>) -> Self {
        self.sni = Some(sni.into());
        self
    }

    /// The values of header `name`, in order.
    pub fn header_values<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The first value of header `name` (nginx's `$http_<name>`).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).next()
    }

    /// The value of cookie `name` from the `Cookie` headers (the first one; nginx's
    /// `$cookie_<name>`).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.header_values("cookie")
            .flat_map(|h| h.split(';'))
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| k.trim() == name)
            .map(|(_, v)| v.trim().trim_matches('"'))
    }
}

/// Accepts `{name: value | [values]}` or `[[name, value], ...]`.
fn de_headers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    use serde::de::{MapAccess, SeqAccess, Visitor};
    struct V;
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    impl<'de> Visitor<'de> for V {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("an object of header values or a list of [name, value] pairs")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = m.next_entry::<String, OneOrMany>()? {
                match v {
                    OneOrMany::One(v) => out.push((k, v)),
                    OneOrMany::Many(vs) => out.extend(vs.into_iter().map(|v| (k.clone(), v))),
                }
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(pair) = s.next_element::<(String, String)>()? {
                out.push(pair);
            }
            Ok(out)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(V)
}

/// A request target split into its parts (nothing decoded yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    /// `https://` (or origin-form with SNI).
    pub(crate) https: bool,
    /// Whether the URL named its scheme and authority (absolute form).
    pub(crate) absolute: bool,
    /// `host[:port]` of an absolute URL.
    pub(crate) authority: &'a str,
    /// The path as sent (may be empty).
    pub(crate) path: &'a str,
    /// The query without `?`.
    pub(crate) query: Option<&'a str>,
}

/// Splits `url`. The outer error is misuse of the API (not a URL at all, or a scheme that is
/// not HTTP); the inner one a request a proxy would refuse.
pub(crate) fn parse_target(url: &str, sni: bool) -> Result<Result<Target<'_>, Reject>, Error> {
    let url = trim_blanks(url);
    let bad = |m: &str| Error::new(ErrorKind::Request, alloc::format!("{m}: {url:?}"));
    if url.is_empty() {
        return Err(bad("empty URL"));
    }
    let (https, absolute, rest) = if url.starts_with('/') {
        (sni, false, url)
    } else {
        let colon = url.bytes().position(|b| b == b':').unwrap_or(url.len());
        let scheme = (url.as_bytes().get(colon..colon + 3) == Some(b"://"))
            .then(|| Some((url.get(..colon)?, url.get(colon + 3..)?)))
            .flatten();
        match scheme {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => (true, true, rest),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => {
                if sni {
                    return Err(bad("an SNI name was given for an http:// URL"));
                }
                (false, true, rest)
            }
            Some(_) => return Err(bad("not an http:// or https:// URL")),
            None if url == "*" || url.contains(char::is_whitespace) => return Err(bad("not a URL")),
            None => (sni, true, url),
        }
    };
    let Some((authority, path, query)) = split_target(rest, absolute) else {
        return Ok(Err(Reject::UserInfo));
    };
    Ok(Ok(Target { https, absolute, authority, path, query }))
}

/// `s` without leading and trailing spaces and tabs (a byte test at each end: most strings
/// have none).
#[inline]
fn trim_blanks(s: &str) -> &str {
    let blank = |c: &u8| matches!(c, b' ' | b'\t');
    let b = s.as_bytes();
    let start = b.iter().position(|c| !blank(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !blank(c)).map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or_default()
}

/// A target's authority, path and query.
type Parts<'a> = (&'a str, &'a str, Option<&'a str>);

/// Splits what follows the scheme into authority (when `absolute`: up to the first `/`, `?`,
/// `#` or `\`), path and query (after the first `?`), dropping a `#fragment`. Each part is
/// found by one scan for its ending delimiters (ASCII, so never inside a multi-byte
/// character). `None` when the authority has userinfo (`user@host`), which proxies refuse.
fn split_target(rest: &str, absolute: bool) -> Option<Parts<'_>> {
    let bytes = rest.as_bytes();
    let authority = if absolute { authority_end(bytes) } else { 0 };
    if absolute && bytes.get(authority) == Some(&b'@') {
        return None;
    }
    let path = authority + path_end(bytes.get(authority..).unwrap_or_default());
    let (query, end) = match bytes.get(path) {
        Some(b'?') => {
            let query = path + 1;
            let fragment = bytes.get(query..).and_then(|q| q.iter().position(|b| *b == b'#'));
            (Some(query), fragment.map_or(bytes.len(), |f| query + f))
        }
        _ => (None, path),
    };
    Some((
        rest.get(..authority).unwrap_or(""),
        rest.get(authority..path).unwrap_or(""),
        query.and_then(|q| rest.get(q..end)),
    ))
}

/// Normalises a Host (or authority) into `out`: lower-cased, port removed, one trailing dot
/// removed, IPv6 literals in brackets in their canonical form (§4.4.7; nginx
/// `ngx_http_validate_host`). An empty host stays empty.
pub(crate) fn normalize_host(raw: &str, out: &mut String) -> Result<(), Reject> {
    out.clear();
    let raw = trim_blanks(raw);
    if let Some(inner) = raw.strip_prefix('[') {
        let (addr, after) = inner.split_once(']').ok_or(Reject::BadHost)?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(valid_port)) {
            return Err(Reject::BadHost);
        }
        let ip: Ipv6Addr = addr.parse().map_err(|_| Reject::BadHost)?;
        let _ = write!(out, "[{ip}]");
        return Ok(());
    }
    // One scan: host characters (nginx `ngx_http_validate_host`) up to the port's `:`,
    // noting the first empty label (a leading `.` or `..`: where its second dot is).
    let bytes = raw.as_bytes();
    let (mut stop, mut empty_label, mut previous) = (bytes.len(), None, b'.');
    for (i, &b) in bytes.iter().enumerate() {
        if !host_byte(b) {
            stop = i;
            break;
        }
        if b == b'.' && previous == b'.' && empty_label.is_none() {
            empty_label = Some(i);
        }
        previous = b;
    }
    let host = match (raw.get(..stop), raw.get(stop..)) {
        (Some(host), Some("")) => host,
        (Some(host), Some(port)) if port.strip_prefix(':').is_some_and(valid_port) => host,
        _ => return Err(Reject::BadHost),
    };
    // One trailing dot is dropped; an empty label before it is refused.
    let host = host.strip_suffix('.').unwrap_or(host);
    if empty_label.is_some_and(|i| i < host.len()) {
        return Err(Reject::BadHost);
    }
    out.push_str(host);
    out.make_ascii_lowercase();
    Ok(())
}

/// A port: empty (RFC 3986 allows `host:`) or up to five digits at most 65535.
fn valid_port(p: &str) -> bool {
    p.is_empty()
        || (p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n <= 65535))
}

/// Is `s` an HTTP token (RFC 9110 §5.6.2)?
pub(crate) fn token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// Checks the method and headers (§4.4.6, §4.4.9) and returns the Host header's value, if
/// there is exactly one.
pub(crate) fn check_headers(req: &HttpRequest) -> Result<Option<&str>, Reject> {
    if !req.method.is_empty() && !token(&req.method) {
        return Err(Reject::BadMethod);
    }
    let mut host = None;
    for (name, value) in &req.headers {
        if !token(name) || value.bytes().any(|b| b == 0 || b == b'\r' || b == b'\n') {
            return Err(Reject::BadHeader);
        }
        if name.eq_ignore_ascii_case("host") {
            if host.is_some() {
                return Err(Reject::DuplicateHost);
            }
            host = Some(value.as_str());
        }
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    fn host(raw: &str) -> Result<String, Reject> {
        let mut s = String::new();
        normalize_host(raw, &mut s).map(|()| s)
    }

    /// The reference splitter: one byte at a time, each delimiter as RFC 3986 reads it.
    fn split_reference(rest: &str, absolute: bool) -> Option<Parts<'_>> {
        let mut authority_end = if absolute { None } else { Some(0) };
        let (mut query_start, mut end) = (None, rest.len());
        for (i, b) in rest.bytes().enumerate() {
            match b {
                b'#' => {
                    end = i;
                    break;
                }
                b'/' | b'\\' => {
                    authority_end.get_or_insert(i);
                }
                b'?' => {
                    authority_end.get_or_insert(i);
                    query_start.get_or_insert(i);
                }
                _ => {}
            }
        }
        let authority_end = authority_end.unwrap_or(end);
        let path_end = query_start.unwrap_or(end);
        let authority = &rest[..authority_end];
        (!authority.contains('@'))
            .then(|| (authority, &rest[authority_end..path_end], query_start.map(|q| &rest[q + 1..end])))
    }

    proptest::proptest! {
        /// The delimiter scans split as the byte-at-a-time reference does.
        #[test]
        fn split_as_the_reference(rest in "[a-c:@/\\\\?#.é]{0,12}", absolute in proptest::bool::ANY) {
            proptest::prop_assert_eq!(split_target(&rest, absolute), split_reference(&rest, absolute));
        }

        /// Hosts (not IPv6 literals) normalise as the three-pass reference does (port cut at
        /// the last `:`, one trailing dot dropped, then every byte checked).
        #[test]
        fn hosts_as_the_reference(raw in "[aB0.:\\-_~!%é \t]{0,10}") {
            proptest::prop_assert_eq!(host(&raw), host_reference(&raw));
        }
    }

    fn host_reference(raw: &str) -> Result<String, Reject> {
        let raw = raw.trim_matches(|c: char| c == ' ' || c == '\t');
        let host = match raw.rfind(':') {
            Some(colon) if valid_port(&raw[colon + 1..]) => &raw[..colon],
            Some(_) => return Err(Reject::BadHost),
            None => raw,
        };
        let host = host.strip_suffix('.').unwrap_or(host);
        if host.bytes().any(|b| !host_byte(b)) || host.starts_with('.') || host.contains("..") {
            return Err(Reject::BadHost);
        }
        Ok(host.to_ascii_lowercase())
    }

    /// `spec/http-routing.md` §4.4.7 (and §4.1.6, §4.1.7): host case, port, trailing dot,
    /// IPv6 literals.
    #[test]
    fn spec_http_routing_4_4_7_hosts() {
        assert_eq!(host("Kubia.Example.COM").as_deref(), Ok("kubia.example.com"));
        assert_eq!(host("kubia.example.com:8080").as_deref(), Ok("kubia.example.com"));
        assert_eq!(host("kubia.example.com.").as_deref(), Ok("kubia.example.com"));
        assert_eq!(host("kubia.example.com.:443").as_deref(), Ok("kubia.example.com"));
        assert_eq!(host("[::1]:80").as_deref(), Ok("[::1]"));
        assert_eq!(host("[2001:DB8:0:0::1]").as_deref(), Ok("[2001:db8::1]"));
        assert_eq!(host("10.0.0.1:80").as_deref(), Ok("10.0.0.1"));
        assert_eq!(host("").as_deref(), Ok(""));
        for bad in ["a..b", ".a", "a/b", "a\\b", "a\0b", "a b", "[::1", "[zz]", "a:b:c", "a:99999", "a%2eb"] {
            assert_eq!(host(bad), Err(Reject::BadHost), "{bad:?}");
        }
    }

    #[test]
    fn targets() {
        let t = parse_target("https://Kubia.example.com:8443/a/b?x=1#f", false);
        assert_eq!(
            t,
            Ok(Ok(Target {
                https: true,
                absolute: true,
                authority: "Kubia.example.com:8443",
                path: "/a/b",
                query: Some("x=1"),
            }))
        );
        let t = parse_target("kubia.example.com/foo", false);
        assert!(matches!(t, Ok(Ok(Target { https: false, authority: "kubia.example.com", path: "/foo", .. }))));
        let t = parse_target("/foo?q", true);
        assert!(matches!(t, Ok(Ok(Target { https: true, absolute: false, path: "/foo", query: Some("q"), .. }))));
        let t = parse_target("http://h", false);
        assert!(matches!(t, Ok(Ok(Target { path: "", .. }))));
        assert!(parse_target("ftp://h/", false).is_err());
        assert!(parse_target("", false).is_err());
        assert!(parse_target("http://h/", true).is_err());
        assert_eq!(parse_target("http://u@h/", false), Ok(Err(Reject::UserInfo)));
    }

    #[test]
    fn headers_and_cookies() {
        let req = HttpRequest::new("/")
            .with_header("Cookie", "a=1; canary=always")
            .with_header("cookie", "b=2")
            .with_header("X-Canary", "yes");
        assert_eq!(req.cookie("canary"), Some("always"));
        assert_eq!(req.cookie("b"), Some("2"));
        assert_eq!(req.cookie("c"), None);
        assert_eq!(req.header("x-canary"), Some("yes"));
        assert_eq!(check_headers(&req), Ok(None));
        let two = HttpRequest::new("/").with_header("Host", "a").with_header("host", "b");
        assert_eq!(check_headers(&two), Err(Reject::DuplicateHost));
        let crlf = HttpRequest::new("/").with_header("X", "a\r\nb");
        assert_eq!(check_headers(&crlf), Err(Reject::BadHeader));
    }

    #[test]
    fn deserialises_both_header_shapes() {
        let a: HttpRequest = serde_json::from_str(r#"{"url":"/x","headers":{"Host":"h","X":["1","2"]}}"#).unwrap();
        assert_eq!(a.headers.len(), 3);
        assert_eq!(a.method, "GET");
        let b: HttpRequest =
            serde_json::from_str(r#"{"url":"/x","headers":[["Host","h"]],"clientIp":"10.0.0.1"}"#).unwrap();
        assert_eq!(b.header("host"), Some("h"));
        assert!(b.client_ip.is_some());
    }
}
