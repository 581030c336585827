//! Request-path normalisation (`spec/http-routing.md` §4.4): one canonical form, used both
//! for matching and as the path forwarded upstream, so a crafted path cannot reach a
//! different route than the one its backend sees.
//!
//! Steps, in one pass over the path (the query is split off first and forwarded verbatim; a
//! `#fragment` is dropped, §4.4.5):
//! 1. NUL, CR, LF and other control characters, raw or percent-encoded as `%00`, `%0A`,
//!    `%0D`, give 400 (§4.4.6; CVE-2019-9900, CVE-2021-25748). A `%` not followed by two
//!    hex digits gives 400.
//! 2. Percent-encoded unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded: `%61dmin` is
//!    `admin` (§4.4.4). Every other escape is kept, with upper-case hex (`%c0%af` stays
//!    `%C0%AF` and is never read as `/`).
//! 3. `%2F` and `%5C` (either case) follow [`EscapedSlashes`]: rejected with 400 by default,
//!    kept encoded (then they are ordinary characters inside a path element, never
//!    separators), or decoded to `/` before dot-segments are resolved (§4.4.2; Envoy
//!    CVE-2021-29492, Istio CVE-2021-31920). They are never decoded for matching while
//!    forwarded raw.
//! 4. A raw backslash is a separator, as Envoy's `normalize_path` and browsers treat it:
//!    `/a/..\c` is `/c`.
//! 5. Dot-segments are resolved (RFC 3986 §5.2.4), also when written `%2e` (§4.4.1; Envoy
//!    CVE-2019-9901): `/info/../private` and `/info/%2e%2E/private` are `/private`; `..`
//!    above the root stays at the root.
//! 6. Runs of `/` are merged into one when `merge_slashes` is set (nginx's default, Envoy's
//!    option); otherwise they are kept and forwarded as sent (§4.4.3). Prefix matching
//!    ignores empty path elements either way (`spec/kubernetes-semantics.md` §3.1), Exact
//!    matching compares the whole path, so `//foo` matches Exact `/foo` only with merging.
//! 7. Characters that may not appear in a path (space, `"`, `<`, `>`, `` ` ``, `{`, `}`,
//!    `|`, `^`, non-ASCII bytes) are percent-encoded, as a URL parser does.

use super::bytes::{ends_path, pchar, unreserved};
use crate::error::{Error, ErrorKind};
use alloc::string::String;

/// What to do with `%2F` and `%5C` in a request path (`spec/http-routing.md` §4.2, §4.4.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EscapedSlashes {
    /// Answer 400, as Envoy's `REJECT_REQUEST` (default).
    #[default]
    Reject,
    /// Keep them encoded: matched and forwarded as part of a path element, never as a
    /// separator (Envoy's `KEEP_UNCHANGED`).
    Keep,
    /// Decode them to `/` before resolving dot-segments, and forward the decoded path
    /// (Envoy's `UNESCAPE_AND_FORWARD`, made safe by matching on the same decoded path).
    Unescape,
}

/// Why a request is refused before routing; each gives a fixed status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reject {
    /// NUL, CR, LF or another control character in the target.
    ControlCharacter,
    /// `%` not followed by two hex digits.
    MalformedEscape,
    /// `%2F` / `%5C` with [`EscapedSlashes::Reject`].
    EncodedSlash,
    /// The path does not start with `/`.
    NotAbsolute,
    /// Longer than 65,535 bytes.
    TooLong,
    /// A Host that is not a host name, IPv4 or bracketed IPv6 literal (with an optional port).
    BadHost,
    /// More than one Host header (RFC 9112 §3.2).
    DuplicateHost,
    /// A header name that is not a token, or a header value with NUL, CR or LF.
    BadHeader,
    /// A method that is not a token.
    BadMethod,
    /// `user@` in the authority.
    UserInfo,
}

impl Reject {
    /// A sentence for humans.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::ControlCharacter => "NUL, CR, LF or another control character in the request target",
            Self::MalformedEscape => "a '%' not followed by two hex digits in the path",
            Self::EncodedSlash => {
                "an encoded slash or backslash (%2F, %5C) in the path; rejected (escapedSlashes: reject)"
            }
            Self::NotAbsolute => "the path does not start with '/'",
            Self::TooLong => "the request target is longer than 65535 bytes",
            Self::BadHost => "the Host is not a valid host name or IP literal",
            Self::DuplicateHost => "more than one Host header (RFC 9112 §3.2)",
            Self::BadHeader => "a header name that is not a token, or NUL, CR or LF in a header value",
            Self::BadMethod => "the method is not an HTTP token",
            Self::UserInfo => "userinfo ('user@') in the request authority",
        }
    }

    /// The HTTP status a proxy answers.
    pub(crate) fn status(self) -> u16 {
        match self {
            Self::TooLong => 414,
            _ => 400,
        }
    }
}

/// Normalises a request target's path as described in the module documentation, returning
/// the path with its query (if any) re-attached verbatim and any fragment dropped.
///
/// ```
/// use kroute::http::{normalize_path, EscapedSlashes};
/// let n = |p| normalize_path(p, false, EscapedSlashes::Reject);
/// assert_eq!(n("/kubia/../foo").unwrap(), "/foo");
/// assert_eq!(n("/%61dmin/%2e%2E/x?a=%2F").unwrap(), "/x?a=%2F");
/// assert!(n("/a%2Fb").is_err());
/// assert_eq!(normalize_path("/a%2fb", false, EscapedSlashes::Keep).unwrap(), "/a%2Fb");
/// assert_eq!(normalize_path("//a///b", true, EscapedSlashes::Reject).unwrap(), "/a/b");
/// ```
pub fn normalize_path(raw: &str, merge_slashes: bool, escaped: EscapedSlashes) -> Result<String, Error> {
    let raw = raw.split('#').next().unwrap_or("");
    let (path, query) = match raw.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (raw, None),
    };
    let mut out = String::with_capacity(raw.len() + 1);
    normalize_into(path, query, merge_slashes, escaped, &mut out)
        .map_err(|r| Error::new(ErrorKind::Request, r.message()))?;
    Ok(out)
}

#[inline]
fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[inline]
fn push_escaped(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
    out.push(char::from(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0')));
}

/// Is `b` a control character (C0 or DEL)?
#[inline]
fn control(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// Ends the element that starts at `seg_start`: drops `.`, drops `..` with the element
/// before it, and appends the separator when `separator` is set. Returns the new start.
fn end_segment(out: &mut String, seg_start: usize, separator: bool, merge: bool) -> usize {
    let seg = out.get(seg_start..).unwrap_or("");
    if seg == "." {
        out.truncate(seg_start);
    } else if seg == ".." {
        out.truncate(seg_start);
        // `out` ends with the '/' before `..`; remove the element before it, if any.
        if seg_start > 1 {
            let keep = out.get(..seg_start - 1).and_then(|s| s.rfind('/')).map_or(1, |i| i + 1);
            out.truncate(keep);
        }
    } else if separator && !(merge && seg.is_empty()) {
        out.push('/');
    }
    out.len()
}

/// Normalises `path` (and checks `query`) into `out`, which is cleared first. `out` receives
/// the path followed by `?query` when there is one.
pub(crate) fn normalize_into(
    path: &str,
    query: Option<&str>,
    merge: bool,
    escaped: EscapedSlashes,
    out: &mut String,
) -> Result<(), Reject> {
    out.clear();
    if query.is_none() && already_normal(path.as_bytes()) {
        out.push_str(if path.is_empty() { "/" } else { path });
        return Ok(());
    }
    normalize_slow(path, query, merge, escaped, out)
}

/// Is `path` its own normal form: empty, or `/` followed by path elements of plain `pchar`s
/// (no `%`, backslash or byte to encode), none empty but the last (no `//`, whatever
/// `merge_slashes` says) and none `.` or `..`? Most request paths are; they skip the rewrite.
fn already_normal(path: &[u8]) -> bool {
    normal_end(path) == Some(path.len())
}

/// Where `path` ends (its length, or its first `?` or `#`) when what comes before is its own
/// normal form, as [`already_normal`] says; `None` when it is not. One scan for both.
pub(crate) fn normal_end(path: &[u8]) -> Option<usize> {
    match path.first() {
        None => return Some(0),
        Some(b'/') => {}
        Some(&b) if ends_path(b) => return Some(0),
        Some(_) => return None,
    }
    let dots = |element: &[u8]| element == b"." || element == b"..";
    let mut start = 1;
    for (i, &b) in path.iter().enumerate().skip(1) {
        if b == b'/' {
            let element = path.get(start..i)?;
            if element.is_empty() || dots(element) {
                return None;
            }
            start = i + 1;
        } else if !pchar(b) {
            return (ends_path(b) && !dots(path.get(start..i)?)).then_some(i);
        }
    }
    (!dots(path.get(start..)?)).then_some(path.len())
}

/// The general case of [`normalize_into`]: one pass that decodes, resolves and encodes.
fn normalize_slow(
    path: &str,
    query: Option<&str>,
    merge: bool,
    escaped: EscapedSlashes,
    out: &mut String,
) -> Result<(), Reject> {
    if path.len() + query.map_or(0, str::len) > usize::from(u16::MAX) {
        return Err(Reject::TooLong);
    }
    let bytes = path.as_bytes();
    let mut i = match bytes.first() {
        None => 0,
        Some(b'/' | b'\\') => 1,
        Some(_) => return Err(Reject::NotAbsolute),
    };
    out.push('/');
    let mut seg_start = out.len();
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            b'/' | b'\\' => seg_start = end_segment(out, seg_start, true, merge),
            b'%' => {
                let v = match (bytes.get(i).copied().and_then(hex_value), bytes.get(i + 1).copied().and_then(hex_value))
                {
                    (Some(h), Some(l)) => (h << 4) | l,
                    _ => return Err(Reject::MalformedEscape),
                };
                i += 2;
                match v {
                    b'/' | b'\\' => match escaped {
                        EscapedSlashes::Reject => return Err(Reject::EncodedSlash),
                        EscapedSlashes::Keep => push_escaped(out, v),
                        EscapedSlashes::Unescape => seg_start = end_segment(out, seg_start, true, merge),
                    },
                    0x00 | b'\n' | b'\r' => return Err(Reject::ControlCharacter),
                    v if unreserved(v) => out.push(char::from(v)),
                    v => push_escaped(out, v),
                }
            }
            b if control(b) => return Err(Reject::ControlCharacter),
            b if pchar(b) => out.push(char::from(b)),
            b => push_escaped(out, b),
        }
    }
    end_segment(out, seg_start, false, merge);
    if let Some(q) = query {
        if q.bytes().any(control) {
            return Err(Reject::ControlCharacter);
        }
        out.push('?');
        // The query is forwarded as sent; only bytes a URL cannot carry are encoded.
        for b in q.bytes() {
            if b.is_ascii() && b != b' ' && b != b'#' {
                out.push(char::from(b));
            } else {
                push_escaped(out, b);
            }
        }
    }
    Ok(())
}

/// Canonicalises a path written in a manifest the way requests are normalised (unreserved
/// escapes decoded, hex upper-cased), without resolving or rejecting anything, so a rule
/// written `/%7Euser` matches the request `/~user`.
pub(crate) fn canonical_rule_path(path: &str) -> String {
    if !path.contains('%') {
        return String::from(path);
    }
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        let decoded = (b == b'%').then(|| Some((hex_value(*bytes.get(i)?)?, hex_value(*bytes.get(i + 1)?)?))).flatten();
        match decoded {
            Some((h, l)) => {
                i += 2;
                let v = (h << 4) | l;
                if unreserved(v) {
                    out.push(char::from(v));
                } else {
                    push_escaped(&mut out, v);
                }
            }
            None => out.push(char::from(b)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    fn n(p: &str) -> Result<String, Reject> {
        let (path, query) = match p.split_once('?') {
            Some((a, b)) => (a, Some(b)),
            None => (p, None),
        };
        let mut out = String::new();
        normalize_into(path, query, false, EscapedSlashes::Reject, &mut out).map(|()| out)
    }

    fn with(p: &str, merge: bool, e: EscapedSlashes) -> Result<String, Reject> {
        let mut out = String::new();
        normalize_into(p, None, merge, e, &mut out).map(|()| out)
    }

    /// `spec/http-routing.md` §4.4: the bypass table. Each row: raw path, what is matched and
    /// forwarded (or the rejection).
    #[test]
    fn spec_http_routing_4_4_bypass_table() {
        let ok: &[(&str, &str)] = &[
            ("/", "/"),
            ("", "/"),
            ("/foo", "/foo"),
            ("/foo/", "/foo/"),
            ("/info/../private", "/private"),     // §4.1.1 CVE-2019-9901
            ("/info/%2e%2e/private", "/private"), // encoded dot-segment
            ("/info/%2E%2e/private", "/private"), // hex case ignored
            ("/info/.%2E/private", "/private"),   // mixed
            ("/a/./b/.", "/a/b/"),                // RFC 3986 5.2.4
            ("/a/b/..", "/a/"),
            ("/../../a", "/a"),                         // never above the root
            ("/alpha/api/../../beta/api", "/beta/api"), // gravitee #19120
            ("/%61dmin", "/admin"),                     // §4.4.4 unreserved decoded
            ("/%7euser", "/~user"),
            ("/caf%c3%a9", "/caf%C3%A9"), // other escapes kept, hex upper
            ("/x%c0%afy", "/x%C0%AFy"),   // overlong UTF-8 never becomes '/'
            ("/a/..\\c", "/c"),           // Envoy: backslash is a separator
            ("\\a\\b", "/a/b"),
            ("//admin", "//admin"), // kept without merge_slashes
            ("/a b", "/a%20b"),
            ("/ü", "/%C3%BC"),
            ("/a;b=c/d", "/a;b=c/d"),
        ];
        for (raw, want) in ok {
            assert_eq!(n(raw).as_deref(), Ok(*want), "{raw:?}");
        }
        let bad: &[(&str, Reject)] = &[
            ("/a%2Fb", Reject::EncodedSlash), // CVE-2021-29492
            ("/a%2fb", Reject::EncodedSlash),
            ("/a%5Cb", Reject::EncodedSlash),
            ("/a%5cb", Reject::EncodedSlash),
            ("/a%00b", Reject::ControlCharacter), // §4.4.6
            ("/a%0Ab", Reject::ControlCharacter),
            ("/a%0db", Reject::ControlCharacter),
            ("/a\nb", Reject::ControlCharacter),
            ("/a\rb", Reject::ControlCharacter),
            ("/a\0b", Reject::ControlCharacter),
            ("/a%zz", Reject::MalformedEscape),
            ("/a%2", Reject::MalformedEscape),
            ("/a%", Reject::MalformedEscape),
            ("foo", Reject::NotAbsolute),
            ("/a?x=\r\n", Reject::ControlCharacter),
        ];
        for (raw, why) in bad {
            assert_eq!(n(raw), Err(*why), "{raw:?}");
        }
    }

    #[test]
    fn spec_http_routing_4_4_escaped_slash_options() {
        assert_eq!(with("/a%2fb", false, EscapedSlashes::Keep).as_deref(), Ok("/a%2Fb"));
        assert_eq!(with("/a%5cb", false, EscapedSlashes::Keep).as_deref(), Ok("/a%5Cb"));
        // Kept encoded, `..%2F` is one element named `..%2F`, not a dot-segment.
        assert_eq!(with("/a/..%2Fb", false, EscapedSlashes::Keep).as_deref(), Ok("/a/..%2Fb"));
        // Unescaped, it is decoded first and then resolved.
        assert_eq!(with("/a/..%2Fb", false, EscapedSlashes::Unescape).as_deref(), Ok("/b"));
        assert_eq!(with("/a%2fb", false, EscapedSlashes::Unescape).as_deref(), Ok("/a/b"));
    }

    #[test]
    fn spec_http_routing_4_4_3_merge_slashes() {
        assert_eq!(with("//dir///file", true, EscapedSlashes::Reject).as_deref(), Ok("/dir/file"));
        assert_eq!(with("//dir///file", false, EscapedSlashes::Reject).as_deref(), Ok("//dir///file"));
        assert_eq!(with("/a//..", false, EscapedSlashes::Reject).as_deref(), Ok("/a/"));
        assert_eq!(with("/a//..", true, EscapedSlashes::Reject).as_deref(), Ok("/"));
    }

    #[test]
    fn spec_http_routing_4_4_5_query_and_fragment() {
        assert_eq!(
            normalize_path("/a/../b?x=1/../2#frag", false, EscapedSlashes::Reject).ok().as_deref(),
            Some("/b?x=1/../2")
        );
        assert_eq!(normalize_path("/p#a?b", false, EscapedSlashes::Reject).ok().as_deref(), Some("/p"));
        assert_eq!(n("/p?").as_deref(), Ok("/p?"));
    }

    #[test]
    fn canonical_rule_paths() {
        assert_eq!(canonical_rule_path("/%7Euser/%2f"), "/~user/%2F");
        assert_eq!(canonical_rule_path("/plain"), "/plain");
        assert_eq!(canonical_rule_path("/bad%zz"), "/bad%zz");
    }

    #[test]
    fn normalisation_is_idempotent() {
        for raw in ["/a/../b", "/%61/./c/", "//x//y", "/a%20b", "/x%C0%AF"] {
            let once = n(raw).unwrap_or_default();
            assert_eq!(n(&once).as_deref(), Ok(once.as_str()), "{raw:?}");
        }
    }

    proptest::proptest! {
        /// The shortcut for paths already in normal form answers exactly as the full rewrite,
        /// for paths over an alphabet of separators, dots, escapes and plain bytes.
        #[test]
        fn already_normal_paths_pass_unchanged(
            parts in proptest::collection::vec(
                proptest::sample::select(alloc::vec!["/", "//", ".", "..", "a", "Zb", "%2e", "%41", "\\", "~", ":@", " ", "\u{e9}", "%"]),
                0..8,
            ),
            merge in proptest::prelude::any::<bool>(),
        ) {
            let path: String = parts.concat();
            let mut fast = String::new();
            let mut slow = String::new();
            let a = normalize_into(&path, None, merge, EscapedSlashes::Keep, &mut fast).map(|()| fast);
            let b = normalize_slow(&path, None, merge, EscapedSlashes::Keep, &mut slow).map(|()| slow);
            proptest::prop_assert_eq!(&a, &b, "{:?}", path);
            if already_normal(path.as_bytes()) {
                proptest::prop_assert_eq!(a.as_deref(), Ok(if path.is_empty() { "/" } else { path.as_str() }));
            }
        }
    }
}
