//! IP addresses from text, with a fast path for the dotted quads pods carry: the standard
//! parser spends hundreds of instructions on each, and the endpoints of every Service parse one
//! per pod.

use core::net::{IpAddr, Ipv4Addr};

/// Parses `text` as `str::parse::<IpAddr>` does. A plain dotted quad (four octets of one to
/// three digits, no leading zero, each at most 255) is read here; anything else goes to the
/// standard parser, so the answers are the standard parser's.
pub(crate) fn parse_ip(text: &str) -> Option<IpAddr> {
    dotted_quad(text.as_bytes()).map(IpAddr::V4).or_else(|| text.parse().ok())
}

/// A plain dotted quad, or `None` for anything else (which may still be an address).
fn dotted_quad(bytes: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = bytes.split(|b| *b == b'.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || (part.len() > 1 && part.first() == Some(&b'0')) {
            return None;
        }
        let mut value = 0u16;
        for b in part {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u16::from(b - b'0');
        }
        *octet = u8::try_from(value).ok()?;
    }
    parts.next().is_none().then_some(Ipv4Addr::from(octets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Table: what the fast path takes and what it leaves to the standard parser, with the
    /// standard parser's answer either way.
    #[test]
    fn answers_as_the_standard_parser() {
        for text in [
            "10.1.2.3",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "01.1.1.1",
            "1.1.1",
            "1.1.1.1.",
            "1.1.1.1.1",
            ".1.1.1",
            "1..1.1",
            "1.1.1.1a",
            "",
            "::1",
            "fe80::1",
            "2001:db8::10.1.2.3",
            "1234.1.1.1",
            " 1.1.1.1",
        ] {
            assert_eq!(parse_ip(text), text.parse::<IpAddr>().ok(), "{text:?}");
        }
        assert_eq!(dotted_quad(b"10.1.2.3"), Some(Ipv4Addr::new(10, 1, 2, 3)));
    }

    proptest! {
        /// Any text of digits, dots and colons: the same answer as `str::parse`.
        #[test]
        fn any_text(text in "[0-9.:a-f]{0,20}") {
            prop_assert_eq!(parse_ip(&text), text.parse::<IpAddr>().ok());
        }

        /// Quads of numbers up to 999, some zero-padded: the same answer as `str::parse`.
        #[test]
        fn quads(parts in proptest::array::uniform4((0u16..1000, any::<bool>()))) {
            let text: alloc::vec::Vec<alloc::string::String> = parts
                .iter()
                .map(|(n, pad)| if *pad { alloc::format!("{n:03}") } else { alloc::format!("{n}") })
                .collect();
            let text = text.join(".");
            prop_assert_eq!(parse_ip(&text), text.parse::<IpAddr>().ok());
        }
    }
}
