//! The fast path of [`RouteTable::lookup_url`](super::RouteTable::lookup_url): a URL already
//! in its normal form (`http://` or `https://`, a lower-case host name with an optional port,
//! a path with nothing to decode or resolve) is its own normalised host and path, so the
//! lookup can take slices of it with one scan of each part and no copy. Anything else (upper
//! case, blanks, userinfo, IPv6 literals, `%`, `//`, `.` elements, a trailing dot...) takes
//! the general path, which gives the same answer for the URLs accepted here (a proptest
//! checks it against that path).

use super::normalize::normal_end;

/// The normalised host and path of `url` when `url` is already normal; `None` when it needs
/// the general path (which may still accept it).
#[inline]
pub(crate) fn plain_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"))?;
    let bytes = rest.as_bytes();
    let host_end = host_name_end(bytes)?;
    let after = port_end(bytes, host_end)?;
    let path = rest.get(after..)?;
    let path = path.get(..normal_end(path.as_bytes())?)?;
    Some((rest.get(..host_end)?, if path.is_empty() { "/" } else { path }))
}

/// Where a lower-case host name at the start of `b` ends: labels of `a-z`, `0-9` and `-`
/// separated by single dots, neither starting nor ending with a dot. `None` for anything
/// the general path would rewrite or refuse.
#[inline]
fn host_name_end(b: &[u8]) -> Option<usize> {
    let mut previous = b'.';
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'a'..=b'z' | b'0'..=b'9' | b'-' => {}
            b'.' if previous != b'.' => {}
            b'/' | b':' | b'?' | b'#' if previous != b'.' => return Some(i),
            _ => return None,
        }
        previous = c;
    }
    (previous != b'.').then_some(b.len())
}

/// Where the authority ends after a host ending at `host_end`: there, or after `:` and a
/// port of one to five digits up to 65535 (an empty port is left to the general path).
/// `None` when what follows is not a path, a query or the end.
#[inline]
fn port_end(b: &[u8], host_end: usize) -> Option<usize> {
    let after = match b.get(host_end) {
        Some(b':') => {
            let digits = b.get(host_end + 1..)?;
            let n = digits.iter().take(6).take_while(|c| c.is_ascii_digit()).count();
            let port = digits.get(..n)?.iter().fold(0u32, |p, d| p * 10 + u32::from(d - b'0'));
            if n == 0 || n > 5 || port > 65_535 {
                return None;
            }
            host_end + 1 + n
        }
        _ => host_end,
    };
    matches!(b.get(after), None | Some(b'/' | b'?' | b'#')).then_some(after)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::http::normalize::{normalize_into, EscapedSlashes};
    use crate::http::request::{normalize_host, parse_target};
    use alloc::string::String;
    use proptest::prelude::*;

    /// The general path's normalised host and path, when it accepts `url`.
    fn general(url: &str) -> Option<(String, String)> {
        let t = parse_target(url, false).ok()?.ok()?;
        let (mut host, mut path) = (String::new(), String::new());
        normalize_host(if t.absolute { t.authority } else { "" }, &mut host).ok()?;
        normalize_into(t.path, None, false, EscapedSlashes::Reject, &mut path).ok()?;
        (!t.absolute || !host.is_empty()).then_some((host, path))
    }

    #[test]
    fn takes_plain_urls_and_leaves_the_rest() {
        for (url, want) in [
            ("http://a.example.com/api/v1", Some(("a.example.com", "/api/v1"))),
            ("https://a.example.com", Some(("a.example.com", "/"))),
            ("http://a.example.com:8080/x?q=1#f", Some(("a.example.com", "/x"))),
            ("http://a.example.com?q", Some(("a.example.com", "/"))),
            ("http://a.example.com/x/", Some(("a.example.com", "/x/"))),
            ("http://10.0.0.1:65535/", Some(("10.0.0.1", "/"))),
            ("http://a.example.com:65536/", None),
            ("http://a.example.com:/", None),
            ("http://A.example.com/", None),
            ("HTTP://a.example.com/", None),
            ("http://a.example.com./", None),
            ("http://a..example.com/", None),
            ("http://.a.example.com/", None),
            ("http:///x", None),
            ("http://u@a.example.com/", None),
            ("http://[::1]/", None),
            ("http://a.example.com/a//b", None),
            ("http://a.example.com/a/./b", None),
            ("http://a.example.com/a/..?x", None),
            ("http://a.example.com/a/.#x", None),
            ("http://a.example.com/a//?x", None),
            ("http://a.example.com/a/?x", Some(("a.example.com", "/a/"))),
            ("http://a.example.com/%61", None),
            ("http://a.example.com\\x", None),
            (" http://a.example.com/", None),
            ("/api", None),
        ] {
            assert_eq!(plain_url(url), want, "{url}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        /// Whatever the fast path accepts, the general path normalises to the same host and
        /// path.
        #[test]
        fn agrees_with_the_general_path(
            scheme in "(http|https|HTTP|ftp)://|http://|https://",
            host in prop_oneof!["[a-z0-9.-]{1,12}", "[a-zA-Z0-9._@\\[\\]-]{0,12}"],
            port in "(:[0-9]{0,6})?",
            path in prop_oneof!["(/[a-z]{1,3}){0,4}/?([?#][a-z/.%]{0,3})?", "([/a-z.%?#\\\\]|%2[fF]|%41){0,14}"],
        ) {
            let url = alloc::format!("{scheme}{host}{port}{path}");
            if let Some((h, p)) = plain_url(&url) {
                prop_assert_eq!(general(&url), Some((String::from(h), String::from(p))), "{}", url);
            }
        }
    }
}
