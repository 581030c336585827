//! Byte classes of request URLs and hosts, as one table: the per-byte checks on the lookup
//! path are a load and a mask (RFC 3986 §2.3 unreserved, §3.3 pchar; nginx
//! `ngx_http_validate_host` for hosts).

/// RFC 3986 unreserved: letters, digits and `-._~`.
const UNRESERVED: u8 = 1;
/// A path element's character (`pchar` minus `%`): unreserved, sub-delims, `:` and `@`.
const PCHAR: u8 = 2;
/// A host name's character: letters, digits and `-._~!$&'()*+,;=`.
const HOST: u8 = 4;

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
        let class = (unreserved as u8 * UNRESERVED) | (pchar as u8 * PCHAR) | ((unreserved || sub_delim) as u8 * HOST);
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
        }
    }
}
