//! Name and label validation, mirroring apimachinery `pkg/util/validation` and
//! `pkg/api/validate/content` (`spec/kubernetes-semantics.md §6`).
//!
//! Every validator returns the upstream error messages, word for word; an empty `Vec` means
//! the input is valid. Lengths are counted in bytes, as Go's `len` does. No regex engine: each
//! upstream pattern is checked by hand, and the pattern text only appears in the messages.

use alloc::{format, string::String, vec::Vec};

/// Longest DNS-1123 / DNS-1035 label, in bytes.
const LABEL_MAX: usize = 63;
/// Longest DNS-1123 subdomain, in bytes.
const SUBDOMAIN_MAX: usize = 253;
/// Longest label value and label-key name part, in bytes.
const LABEL_VALUE_MAX: usize = 63;
/// Longest IANA service (port) name, in bytes.
const PORT_NAME_MAX: usize = 15;

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_ERR: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const WILDCARD_FMT: &str = "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const WILDCARD_ERR: &str = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_ERR: &str =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/// Upstream `MaxLenError`: `must be no more than N bytes`.
fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} bytes")
}

/// Upstream `EmptyError`.
const EMPTY_ERROR: &str = "must be non-empty";

/// Upstream `RegexError(msg, fmt, examples...)`, including its doubled space before `or`.
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let mut out = String::from(msg);
    if examples.is_empty() {
        out.push_str(" (regex used for validation is '");
    } else {
        out.push_str(" (e.g. ");
        for (i, ex) in examples.iter().enumerate() {
            if i > 0 {
                out.push_str(" or ");
            }
            out.push('\'');
            out.push_str(ex);
            out.push_str("', ");
        }
        out.push_str("regex used for validation is '");
    }
    out.push_str(fmt);
    out.push_str("')");
    out
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
fn matches_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            is_lower_alnum(f) && is_lower_alnum(l) && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
        }
        _ => false,
    }
}

/// `^label(\.label)*$`
fn matches_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(matches_dns1123_label)
}

/// `^[a-z]([-a-z0-9]*[a-z0-9])?$`
fn matches_dns1035_label(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            f.is_ascii_lowercase() && is_lower_alnum(l) && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
        }
        _ => false,
    }
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`
fn matches_label_key_name(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// IsDNS1123Label: a lowercase RFC 1123 label, at most 63 bytes
/// (`spec/kubernetes-semantics.md §6`). Used for ServicePort names, namespaces, hostnames.
/// A valid subdomain that is not a label gets upstream's short `must not contain dots`.
pub fn dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > LABEL_MAX {
        errs.push(max_len_error(LABEL_MAX));
    }
    if !matches_dns1123_label(s) {
        if matches_dns1123_subdomain(s) {
            errs.push(String::from("must not contain dots"));
        } else {
            errs.push(regex_error(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, &["my-name", "123-abc"]));
        }
    }
    errs
}

/// IsDNS1123Subdomain: dot-separated lowercase RFC 1123 labels, at most 253 bytes
/// (`spec/kubernetes-semantics.md §6`). Used for most object names and hostnames.
pub fn dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > SUBDOMAIN_MAX {
        errs.push(max_len_error(SUBDOMAIN_MAX));
    }
    if !matches_dns1123_subdomain(s) {
        errs.push(regex_error(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, &["example.com"]));
    }
    errs
}

/// IsDNS1035Label: like a DNS-1123 label but starting with a letter, at most 63 bytes
/// (`spec/kubernetes-semantics.md §6`). Used for Service `metadata.name`.
pub fn dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > LABEL_MAX {
        errs.push(max_len_error(LABEL_MAX));
    }
    if !matches_dns1035_label(s) {
        errs.push(regex_error(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, &["my-name", "abc-123"]));
    }
    errs
}

/// IsWildcardDNS1123Subdomain: `*.` followed by a DNS-1123 subdomain, at most 253 bytes in all
/// (`spec/kubernetes-semantics.md §6`). Used for Ingress hosts containing `*`.
pub fn wildcard_dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > SUBDOMAIN_MAX {
        errs.push(max_len_error(SUBDOMAIN_MAX));
    }
    let ok = s.strip_prefix("*.").is_some_and(matches_dns1123_subdomain);
    if !ok {
        errs.push(regex_error(WILDCARD_ERR, WILDCARD_FMT, &["*.example.com"]));
    }
    errs
}

/// IsValidPortName (IANA_SVC_NAME): `[-a-z0-9]+`, at least one letter, no `--`, no leading or
/// trailing `-`, at most 15 bytes (`spec/kubernetes-semantics.md §6`). Used for
/// `containerPort.name`, string `targetPort`s and Ingress backend port names.
pub fn port_name(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut errs = Vec::new();
    if b.len() > PORT_NAME_MAX {
        errs.push(max_len_error(PORT_NAME_MAX));
    }
    if b.is_empty() || !b.iter().all(|&c| is_lower_alnum(c) || c == b'-') {
        errs.push(String::from("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));
    }
    if !b.iter().any(u8::is_ascii_lowercase) {
        errs.push(String::from("must contain at least one letter (a-z)"));
    }
    if s.contains("--") {
        errs.push(String::from("must not contain consecutive hyphens"));
    }
    if b.first() == Some(&b'-') || b.last() == Some(&b'-') {
        errs.push(String::from("must not begin or end with a hyphen"));
    }
    errs
}

/// IsValidPortNum: a port number in 1..=65535 (`spec/kubernetes-semantics.md §6`).
pub fn port_number(n: i64) -> Vec<String> {
    if (1..=65535).contains(&n) {
        Vec::new()
    } else {
        alloc::vec![String::from("must be between 1 and 65535, inclusive")]
    }
}

/// IsQualifiedName (label keys): an optional DNS-1123 subdomain prefix and `/`, then a name of at
/// most 63 bytes matching `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
/// (`spec/kubernetes-semantics.md §6`).
pub fn qualified_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let mut parts = s.split('/');
    let first = parts.next().unwrap_or("");
    let second = parts.next();
    if parts.next().is_some() {
        errs.push(format!(
            "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
            regex_error(LABEL_KEY_ERR, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])
        ));
        return errs;
    }
    let name = match second {
        None => first,
        Some(name) => {
            let prefix = first;
            if prefix.is_empty() {
                errs.push(format!("prefix part {EMPTY_ERROR}"));
            } else {
                errs.extend(dns1123_subdomain(prefix).into_iter().map(|m| format!("prefix part {m}")));
            }
            name
        }
    };
    if name.is_empty() {
        errs.push(format!("name part {EMPTY_ERROR}"));
    } else if name.len() > LABEL_VALUE_MAX {
        errs.push(format!("name part {}", max_len_error(LABEL_VALUE_MAX)));
    }
    if !matches_label_key_name(name) {
        errs.push(format!(
            "name part {}",
            regex_error(LABEL_KEY_ERR, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])
        ));
    }
    errs
}

/// IsValidLabelValue: empty, or at most 63 bytes matching
/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]` (`spec/kubernetes-semantics.md §6`).
pub fn label_value(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > LABEL_VALUE_MAX {
        errs.push(max_len_error(LABEL_VALUE_MAX));
    }
    if !s.is_empty() && !matches_label_key_name(s) {
        errs.push(regex_error(LABEL_VALUE_ERR, LABEL_VALUE_FMT, &["MyValue", "my_value", "12345"]));
    }
    errs
}

#[cfg(test)]
mod tests {
    //! Cases from apimachinery `pkg/util/validation/validation_test.go` and
    //! `pkg/api/validate/content` (`spec/kubernetes-semantics.md §6`).
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use alloc::string::ToString;

    fn rep(c: &str, n: usize) -> String {
        c.repeat(n)
    }

    fn check(f: fn(&str) -> Vec<String>, name: &str, good: &[String], bad: &[String]) {
        for v in good {
            let errs = f(v);
            assert!(errs.is_empty(), "{name}({v:?}) should be valid, got {errs:?}");
        }
        for v in bad {
            assert!(!f(v).is_empty(), "{name}({v:?}) should be invalid");
        }
    }

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn is_dns1123_label() {
        let mut good =
            strs(&["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "012", "1a", "1-a", "1--a--b--2"]);
        good.push(rep("a", 63));
        let mut bad = strs(&[
            "", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1", "_", "a_", "_a", "a_b", "1_", "_1",
            "1_2", ".", "a.", ".a", "a.b", "1.", ".1", "1.2", " ", "a ", " a", "a b", "1 ", " 1", "1 2",
        ]);
        bad.push(rep("a", 64));
        check(dns1123_label, "dns1123_label", &good, &bad);
    }

    #[test]
    fn is_dns1123_subdomain() {
        let mut good = strs(&[
            "a",
            "ab",
            "abc",
            "a1",
            "a-1",
            "a--1--2--b",
            "0",
            "01",
            "012",
            "1a",
            "1-a",
            "1--a--b--2",
            "a.a",
            "ab.a",
            "abc.a",
            "a1.a",
            "a-1.a",
            "a--1--2--b.a",
            "a.1",
            "ab.1",
            "abc.1",
            "a1.1",
            "a-1.1",
            "a--1--2--b.1",
            "0.a",
            "01.a",
            "012.a",
            "1a.a",
            "1-a.a",
            "1--a--b--2",
            "0.1",
            "01.1",
            "012.1",
            "1a.1",
            "1-a.1",
            "1--a--b--2.1",
            "a.b.c.d.e",
            "aa.bb.cc.dd.ee",
            "1.2.3.4.5",
            "11.22.33.44.55",
        ]);
        good.push(rep("a", 253));
        let mut bad = strs(&[
            "",
            "A",
            "ABC",
            "aBc",
            "A1",
            "A-1",
            "1-A",
            "-",
            "a-",
            "-a",
            "1-",
            "-1",
            "_",
            "a_",
            "_a",
            "a_b",
            "1_",
            "_1",
            "1_2",
            ".",
            "a.",
            ".a",
            "a..b",
            "1.",
            ".1",
            "1..2",
            " ",
            "a ",
            " a",
            "a b",
            "1 ",
            " 1",
            "1 2",
            "A.a",
            "aB.a",
            "ab.A",
            "A1.a",
            "a1.A",
            "A.1",
            "aB.1",
            "A1.1",
            "1A.1",
            "0.A",
            "01.A",
            "012.A",
            "1A.a",
            "1a.A",
            "A.B.C.D.E",
            "AA.BB.CC.DD.EE",
            "a.B.c.d.e",
            "aa.bB.cc.dd.ee",
            "a@b",
            "a,b",
            "a_b",
            "a;b",
            "a:b",
            "a%b",
            "a?b",
            "a$b",
        ]);
        bad.push(rep("a", 254));
        check(dns1123_subdomain, "dns1123_subdomain", &good, &bad);
    }

    #[test]
    fn is_dns1035_label() {
        let mut good = strs(&["a", "ab", "abc", "a1", "a-1", "a--1--2--b"]);
        good.push(rep("a", 63));
        let mut bad = strs(&[
            "0",
            "01",
            "012",
            "1a",
            "1-a",
            "1--a--b--2",
            "",
            "A",
            "ABC",
            "aBc",
            "A1",
            "A-1",
            "1-A",
            "-",
            "a-",
            "-a",
            "1-",
            "-1",
            "_",
            "a_",
            "_a",
            "a_b",
            "1_",
            "_1",
            "1_2",
            ".",
            "a.",
            ".a",
            "a.b",
            "1.",
            ".1",
            "1.2",
            " ",
            "a ",
            " a",
            "a b",
            "1 ",
            " 1",
            "1 2",
        ]);
        bad.push(rep("a", 64));
        check(dns1035_label, "dns1035_label", &good, &bad);
    }

    #[test]
    fn is_valid_port_num() {
        for n in [1, 2, 1000, 16384, 32768, 65535] {
            assert!(port_number(n).is_empty(), "{n}");
        }
        for n in [0, -1, 65536, 100_000] {
            assert_eq!(port_number(n), alloc::vec!["must be between 1 and 65535, inclusive".to_string()], "{n}");
        }
    }

    #[test]
    fn is_valid_port_name() {
        let good = strs(&["telnet", "re-mail-ck", "pop3", "a", "a-1", "1-a", "a-1-b-2-c", "1-a-2-b-3"]);
        let mut bad =
            strs(&["longerthan15characters", "", "12345", "1-2-3-4", "-begin", "end-", "two--hyphens", "whois++"]);
        bad.push(rep("a", 16));
        check(port_name, "port_name", &good, &bad);
    }

    #[test]
    fn is_qualified_name() {
        let mut good = strs(&[
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "1234",
            "simple/simple",
            "now-with-dashes/simple",
            "now-with-dashes/now-with-dashes",
            "now.with.dots/simple",
            "now-with.dashes-and.dots/simple",
            "1-num.2-num/3-num",
            "1234/5678",
            "1.2.3.4/5678",
            "Uppercase_Is_OK_123",
            "example.com/Uppercase_Is_OK_123",
            "requests.storage-foo",
        ]);
        good.push(rep("a", 63));
        good.push(rep("a", 253) + "/" + &rep("b", 63));
        let mut bad = strs(&[
            "nospecialchars%^=@",
            "cantendwithadash-",
            "-cantstartwithadash-",
            "only/one/slash",
            "Example.com/abc",
            "example_com/abc",
            "example.com/",
            "/simple",
        ]);
        bad.push(rep("a", 64));
        bad.push(rep("a", 254) + "/abc");
        check(qualified_name, "qualified_name", &good, &bad);
    }

    #[test]
    fn is_valid_label_value() {
        let mut good = strs(&["simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", ""]);
        good.push(rep("a", 63));
        let mut bad = strs(&[
            "nospecialchars%^=@",
            "Tama-nui-te-rā.is.Māori.sun",
            "\\backslashes\\are\\bad",
            "-starts-with-dash",
            "ends-with-dash-",
            ".starts.with.dot",
            "ends.with.dot.",
        ]);
        bad.push(rep("a", 64));
        check(label_value, "label_value", &good, &bad);
    }

    #[test]
    fn is_wildcard_dns1123_subdomain() {
        let good = strs(&["*.example.com", "*.bar.com", "*.foo.bar.com"]);
        let bad = strs(&["*.*.bar.com", "*.foo.*.com", "*bar.com", "f*.bar.com", "*"]);
        check(wildcard_dns1123_subdomain, "wildcard_dns1123_subdomain", &good, &bad);
    }

    // Exact wording (content/dns.go, content/kube.go, util/validation.go).

    #[test]
    fn messages_dns() {
        assert_eq!(
            dns1123_label("A"),
            ["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]
        );
        assert_eq!(dns1123_label("a.b"), ["must not contain dots"]);
        assert_eq!(dns1123_label(&rep("a", 64)), ["must be no more than 63 bytes"]);
        assert_eq!(
            dns1123_subdomain("a_b"),
            ["a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
        );
        assert_eq!(dns1123_subdomain(&rep("a", 254)), ["must be no more than 253 bytes"]);
        assert_eq!(
            dns1035_label("1a"),
            ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]
        );
        assert_eq!(
            wildcard_dns1123_subdomain("*"),
            ["a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
        );
    }

    #[test]
    fn messages_port_name() {
        assert_eq!(port_name("12345"), ["must contain at least one letter (a-z)"]);
        assert_eq!(port_name("two--hyphens"), ["must not contain consecutive hyphens"]);
        assert_eq!(port_name("-begin"), ["must not begin or end with a hyphen"]);
        assert_eq!(port_name("whois++"), ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]);
        assert_eq!(
            port_name(""),
            [
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)"
            ]
        );
        assert_eq!(port_name("longerthan15characters"), ["must be no more than 15 bytes"]);
    }

    #[test]
    fn messages_label_key_and_value() {
        let name_re = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        assert_eq!(qualified_name("cantendwithadash-"), [format!("name part {name_re}")]);
        assert_eq!(
            qualified_name("only/one/slash"),
            [format!(
                "a valid label key {name_re} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )]
        );
        assert_eq!(
            qualified_name("example.com/"),
            ["name part must be non-empty".to_string(), format!("name part {name_re}")]
        );
        assert_eq!(qualified_name("/simple"), ["prefix part must be non-empty"]);
        assert_eq!(qualified_name(&rep("a", 64)), ["name part must be no more than 63 bytes"]);
        assert_eq!(
            qualified_name("Example.com/abc"),
            ["prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
        );
        assert_eq!(qualified_name(&(rep("a", 254) + "/abc")), ["prefix part must be no more than 253 bytes"]);
        assert_eq!(
            label_value("-starts-with-dash"),
            ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]
        );
        assert_eq!(label_value(&rep("a", 64)), ["must be no more than 63 bytes"]);
        // Over-long and malformed: both messages, length first.
        assert_eq!(label_value(&(rep("a", 64) + "-")).len(), 2);
    }

    #[test]
    fn lengths_are_bytes_not_chars() {
        // 32 two-byte characters = 64 bytes: too long, as Go's len() counts.
        let v = rep("é", 32);
        assert!(label_value(&v).iter().any(|m| m == "must be no more than 63 bytes"));
    }
}
