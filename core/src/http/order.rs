//! The order in which Ingresses claim hosts and paths (`spec/http-routing.md` §2.4): oldest
//! `creationTimestamp` first. Ties (and manifests without timestamps, which all tie at Go's
//! zero time, older than any real one) are broken by `namespace/name`: ascending in the
//! upstream profile (as Gateway API does), **descending** in the ingress-nginx profile
//! (`store.go` `sortIngressSlice`: `return in > jn`).

use super::Profile;
use crate::model::Ingress;
use alloc::vec::Vec;

/// Seconds since the Unix epoch and nanoseconds of an RFC 3339 timestamp
/// (`2024-05-01T10:00:00Z`, `2024-05-01T12:00:00.5+02:00`); `None` when it does not parse.
pub(crate) fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, d| d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, c: u8| b.get(at).copied() == Some(c);
    if !(sep(4, b'-')
        && sep(7, b'-')
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && sep(13, b':')
        && sep(16, b':'))
    {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, min, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if sep(i, b'.') {
        i += 1;
        let mut scale = 100_000_000u32;
        while let Some(d) = b.get(i).copied().filter(u8::is_ascii_digit) {
            nanos += u32::from(d - b'0') * scale;
            scale /= 10;
            i += 1;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if b.len() == i + 1 => 0,
        Some(&c @ (b'+' | b'-')) if b.len() == i + 6 && sep(i + 3, b':') => {
            let o = num(i + 1, 2)? * 3600 + num(i + 4, 2)? * 60;
            if c == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hour * 3600 + min * 60 + sec - offset, nanos))
}

/// The creation time used for ordering: missing or unreadable timestamps are the zero time.
pub(crate) fn created(ing: &Ingress) -> (i64, u32) {
    ing.metadata.creation_timestamp.as_deref().and_then(parse_rfc3339).unwrap_or((i64::MIN, 0))
}

/// Indexes of `ingresses` in claim order for `profile`.
pub(crate) fn claim_order(ingresses: &[&Ingress], profile: Profile) -> Vec<usize> {
    let times: Vec<(i64, u32)> = ingresses.iter().map(|i| created(i)).collect();
    let mut idx: Vec<usize> = (0..ingresses.len()).collect();
    crate::sort::sort_by(&mut idx, |&a, &b| {
        let (Some(x), Some(y)) = (ingresses.get(a), ingresses.get(b)) else {
            return core::cmp::Ordering::Equal;
        };
        let by_time = times.get(a).cmp(&times.get(b));
        let by_name = (&x.metadata.namespace, &x.metadata.name).cmp(&(&y.metadata.namespace, &y.metadata.name));
        by_time.then(match profile {
            Profile::Upstream => by_name,
            Profile::IngressNginx => by_name.reverse(),
        })
    });
    idx
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use alloc::string::String;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse_rfc3339("2024-05-01T10:00:00Z"), Some((1_714_557_600, 0)));
        assert_eq!(parse_rfc3339("2024-05-01T12:00:00+02:00"), Some((1_714_557_600, 0)));
        assert_eq!(parse_rfc3339("2024-05-01T10:00:00.25Z"), Some((1_714_557_600, 250_000_000)));
        assert_eq!(parse_rfc3339("2024-13-01T10:00:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    fn ing(ns: &str, name: &str, ts: Option<&str>) -> Ingress {
        let metadata = crate::model::ObjectMeta {
            namespace: String::from(ns),
            name: String::from(name),
            creation_timestamp: ts.map(String::from),
            ..Default::default()
        };
        Ingress { metadata, ..Ingress::default() }
    }

    /// `spec/http-routing.md` §2.4, §5.2: oldest first; ties ascending upstream, descending
    /// in ingress-nginx.
    #[test]
    fn spec_http_routing_2_4_claim_order() {
        let a = ing("default", "a", Some("2024-01-02T00:00:00Z"));
        let b = ing("default", "b", Some("2024-01-01T00:00:00Z"));
        let c = ing("default", "c", None);
        let d = ing("default", "d", None);
        let all = [&a, &b, &c, &d];
        assert_eq!(claim_order(&all, Profile::Upstream), [2, 3, 1, 0]);
        assert_eq!(claim_order(&all, Profile::IngressNginx), [3, 2, 1, 0]);
    }
}
