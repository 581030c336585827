//! Byte classes of request URLs and hosts, as one table: the per-byte checks on the lookup
//! path are a load and a mask (RFC 3986 §2.3 unreserved, §3.3 pchar; nginx
//! `ngx_http_validate_host` for hosts).

/// RFC 3986 unreserved: letters, digits and `-._~`.
const UNRESERVED: u8 = 1;
/// A path element's character (`pchar` minus `%`): unreserved, sub-delims, `:` and `@`.
const PCHAR: u8 = 2;
/// A host name's character: letters, digits and `-._~!$&'()*+,;=`.
const HOST: u8 = 4;
/// Ends an authority (`/`, `\`, `?` or `#`), or marks userinfo in it (`@`).
const AUTHORITY_END: u8 = 8;
/// Ends a path: `?` or `#`.
const PATH_END: u8 = 16;

// Evaluated at compile time: an index out of bounds would fail the build, not a request.
#[allow(clippy::indexing_slicing)]
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        let sub_delim = matches!(b, b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=');
        let pchar = unreserved || sub_delim || matches!(b, b':' | b'@');
        let path_end = matches!(b, b'?' | b'#');
        let authority_end = path_end || matches!(b, b'/' | b'\\' | b'@');
        let class = (unreserved as u8 * UNRESERVED)
            | (pchar as u8 * PCHAR)
            | ((unreserved || sub_delim) as u8 * HOST)
            | (authority_end as u8 * AUTHORITY_END)
            | (path_end as u8 * PATH_END);
        t[i] = class;
        i += 1;
    }
    t
};

#[inline]
fn is(b: u8, class: u8) -> bool {
    CLASSES.get(usize::from(b)).is_some_and(|c| c & class != 0)
}

/// Is `b` an RFC 3986 unreserved character?
#[inline]
pub(crate) fn unreserved(b: u8) -> bool {
    is(b, UNRESERVED)
}

/// May `b` appear unencoded in a path element (RFC 3986 `pchar` minus `%`)?
#[inline]
pub(crate) fn pchar(b: u8) -> bool {
    is(b, PCHAR)
}

/// May `b` appear in a host name?
#[inline]
pub(crate) fn host_byte(b: u8) -> bool {
    is(b, HOST)
}

/// Where the authority of `b` ends: its first `/`, `\`, `?` or `#` (RFC 3986 §3.2; `\` as
/// browsers and nginx take it), else its length; or where its userinfo ends (`@`).
#[inline]
pub(crate) fn authority_end(b: &[u8]) -> usize {
    b.iter().position(|&c| is(c, AUTHORITY_END)).unwrap_or(b.len())
}

/// Where the path of `b` ends: its first `?` or `#` (RFC 3986 §3.3), else its length.
#[inline]
pub(crate) fn path_end(b: &[u8]) -> usize {
    b.iter().position(|&c| ends_path(c)).unwrap_or(b.len())
}

/// Does `b` end a path (`?` or `#`)?
#[inline]
pub(crate) fn ends_path(b: u8) -> bool {
    is(b, PATH_END)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table says what the RFC's character lists say, for every byte.
    #[test]
    fn classes_follow_the_lists() {
        for b in 0..=255u8 {
            let alnum = b.is_ascii_alphanumeric();
            let sub = b"!$&'()*+,;=".contains(&b);
            assert_eq!(unreserved(b), alnum || b"-._~".contains(&b), "{b}");
            assert_eq!(pchar(b), unreserved(b) || sub || b == b':' || b == b'@', "{b}");
            assert_eq!(host_byte(b), unreserved(b) || sub, "{b}");
            let one = [b];
            assert_eq!(path_end(&one) == 0, b"?#".contains(&b), "{b}");
            assert_eq!(authority_end(&one) == 0, b"/\\?#@".contains(&b), "{b}");
        }
    }
}
