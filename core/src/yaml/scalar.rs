//! What a YAML scalar means, by the rules `kubectl` reads manifests with: sigs.k8s.io/yaml
//! resolves scalars with go-yaml v2 (`resolve.go`) and then writes JSON (`yaml.go`,
//! `convertToJSONableObject`). So YAML 1.1 booleans (`yes`, `on`, `y`) are booleans, `0755` is
//! octal, `1_000` is 1000, and a number JSON writes without a fraction is an integer.

use crate::tree::Value;
use alloc::{format, string::String};
use granit_parser::Tag;

/// The type go-yaml v2 resolved a scalar to, as its short tag names it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "bool",
            Kind::Int => "int",
            Kind::Float => "float",
            Kind::Str => "str",
        }
    }
}

/// The value of scalar `text`, `plain` when written without quotes or block indicators, with its
/// explicit `tag`. Only plain untagged scalars are resolved implicitly; a core tag (`!!int`)
/// resolves any scalar and must agree with it; other tags leave the text a string (go-yaml v2
/// `resolvableTag`). Floats stay floats here: a key writes them differently from a value
/// (`super::json_value`). The error is go-yaml's message.
pub(super) fn value(text: &str, plain: bool, tag: Option<&Tag>) -> Result<Value, String> {
    let wanted = match tag.map(|t| t.suffix_in_namespace("tag:yaml.org,2002:")) {
        None if plain => None,
        Some(Some(suffix)) => match &*suffix {
            "int" => Some(Kind::Int),
            "float" => Some(Kind::Float),
            "bool" => Some(Kind::Bool),
            "null" => Some(Kind::Null),
            // `!!timestamp` values stay strings: go-yaml v2 gives interface{} targets the text.
            _ => return Ok(Value::Str(String::from(text))),
        },
        _ => return Ok(Value::Str(String::from(text))),
    };
    let (kind, value) = implicit(text);
    match wanted {
        Some(w) if w != kind && !(w == Kind::Float && kind == Kind::Int) => {
            Err(format!("cannot decode !!{} `{text}` as a !!{}", kind.name(), w.name()))
        }
        _ => Ok(value),
    }
}

/// go-yaml v2 `resolve("", text)`: the first byte hints at the type, then a table of words,
/// then Go's `strconv.ParseInt(_, 0, 64)`, `ParseUint` and the YAML float pattern.
fn implicit(text: &str) -> (Kind, Value) {
    let bool_or_null = match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(Value::Bool(true)),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(Value::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => Some(Value::Null),
        _ => None,
    };
    if let Some(v) = bool_or_null {
        return (if v == Value::Null { Kind::Null } else { Kind::Bool }, v);
    }
    let special = match text {
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Some(f64::NEG_INFINITY),
        _ => None,
    };
    if let Some(f) = special {
        return (Kind::Float, Value::Float(f));
    }
    let string = (Kind::Str, Value::Str(String::from(text)));
    match text.as_bytes().first() {
        Some(b'.') => match float(text) {
            Some(f) => (Kind::Float, Value::Float(f)),
            None => string,
        },
        Some(b'0'..=b'9' | b'+' | b'-') => {
            let plain: String = text.chars().filter(|c| *c != '_').collect();
            if let Some(v) = go_int(&plain) {
                return (Kind::Int, v);
            }
            if let Some(f) = float(&plain) {
                return (Kind::Float, Value::Float(f));
            }
            // resolve.go's older binary form: `0b` and then a signed number (`0b-101` is -5).
            match plain.strip_prefix("0b").filter(|rest| rest.starts_with(['+', '-'])).and_then(|rest| {
                let (negative, digits) = rest.split_at(1);
                let magnitude = u64::from_str_radix(digits, 2).ok()?;
                if negative == "-" {
                    0i64.checked_sub_unsigned(magnitude)
                } else {
                    i64::try_from(magnitude).ok()
                }
            }) {
                Some(v) => (Kind::Int, Value::Int(v)),
                None => string,
            }
        }
        _ => string,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, else `ParseUint(s, 0, 64)` (past `i64`, as a float
/// like JSON's numbers): a sign, then `0x`, `0o`, `0b` or a leading `0` (octal) or decimal.
fn go_int(s: &str) -> Option<Value> {
    let (negative, signed, unsigned) = match s.as_bytes().first()? {
        b'-' => (true, true, s.get(1..)?),
        b'+' => (false, true, s.get(1..)?),
        _ => (false, false, s),
    };
    let (radix, digits) = match unsigned.get(..2) {
        Some("0x" | "0X") => (16, unsigned.get(2..)?),
        Some("0o" | "0O") => (8, unsigned.get(2..)?),
        Some("0b" | "0B") => (2, unsigned.get(2..)?),
        _ if unsigned.len() > 1 && unsigned.starts_with('0') => (8, unsigned.get(1..)?),
        _ => (10, unsigned),
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    match (negative, i64::try_from(magnitude)) {
        (false, Ok(v)) => Some(Value::Int(v)),
        (true, _) => 0i64.checked_sub_unsigned(magnitude).map(Value::Int),
        (false, Err(_)) if !signed => Some(Value::Float(magnitude as f64)),
        (false, Err(_)) => None,
    }
}

/// A float in go-yaml v2's pattern `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, read
/// by serde_json once written as JSON (`+.5` → `0.5`, `007.` → `7.0`): the module already holds
/// serde_json's float reader, and `str::parse::<f64>` would add 20 KB of tables to the `.wasm`.
fn float(s: &str) -> Option<f64> {
    let mut json = String::with_capacity(s.len() + 2);
    let mut rest = s.as_bytes();
    if let Some((sign, after)) = rest.split_first().filter(|(c, _)| matches!(c, b'+' | b'-')) {
        if *sign == b'-' {
            json.push('-');
        }
        rest = after;
    }
    let whole = digits(&mut rest);
    json.push_str(match whole.trim_start_matches('0') {
        "" => "0",
        trimmed => trimmed,
    });
    if let Some(after) = rest.strip_prefix(b".") {
        rest = after;
        let fraction = digits(&mut rest);
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        json.push('.');
        json.push_str(if fraction.is_empty() { "0" } else { fraction });
    } else if whole.is_empty() {
        return None;
    }
    if let Some(after) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        json.push('e');
        rest = after;
        if let Some((sign, after)) = rest.split_first().filter(|(c, _)| matches!(c, b'+' | b'-')) {
            json.push(char::from(*sign));
            rest = after;
        }
        let exponent = digits(&mut rest);
        if exponent.is_empty() {
            return None;
        }
        json.push_str(exponent);
    }
    if !rest.is_empty() {
        return None;
    }
    serde_json::from_str(&json).ok()
}

/// The ASCII digits at the start of `rest`, taken off it.
fn digits<'a>(rest: &mut &'a [u8]) -> &'a str {
    let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let (run, after) = rest.split_at(n);
    *rest = after;
    core::str::from_utf8(run).unwrap_or("")
}

/// The JSON key a resolved YAML key becomes (sigs.k8s.io/yaml `convertToJSONableObject`):
/// numbers and booleans are written out; null and collections have no JSON key.
pub(super) fn key(value: Value) -> Result<String, &'static str> {
    match value {
        Value::Str(s) => Ok(s),
        Value::Int(i) => Ok(format!("{i}")),
        Value::Bool(b) => Ok(String::from(if b { "true" } else { "false" })),
        Value::Float(f) => Ok(float_key(f)),
        Value::Null => Err("a map key must not be null (JSON has no null keys)"),
        Value::Seq(_) | Value::Map(_) => Err("a map key must be a scalar"),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` with go-yaml's names for infinities and NaN:
/// the shortest digits, in exponent form (`1e+06`) when the exponent is below -4 or above 5.
fn float_key(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return String::from(".nan");
    }
    if f.is_infinite() {
        return String::from(if f > 0.0 { ".inf" } else { "-.inf" });
    }
    let shortest = format!("{f:e}");
    let (mantissa, exponent) = shortest.split_once('e').unwrap_or((&shortest, "0"));
    match exponent.parse::<i32>() {
        Ok(e) if (-4..6).contains(&e) => format!("{f}"),
        _ => {
            let (sign, digits) = exponent.strip_prefix('-').map_or(("+", exponent), |d| ("-", d));
            format!("{mantissa}e{sign}{digits:0>2}")
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn plain(text: &str) -> Value {
        value(text, true, None).unwrap()
    }

    /// go-yaml v2 resolve.go's table and parses, as kubectl reads them.
    #[test]
    fn plain_scalars_resolve_like_go_yaml_v2() {
        for t in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] {
            assert_eq!(plain(t), Value::Bool(true), "{t}");
        }
        for t in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] {
            assert_eq!(plain(t), Value::Bool(false), "{t}");
        }
        for t in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(plain(t), Value::Null, "{t}");
        }
        let ints = [
            ("80", 80),
            ("-5", -5),
            ("+5", 5),
            ("0x1F", 31),
            ("0o17", 15),
            ("0755", 493),
            ("0b101", 5),
            ("-0b101", -5),
            ("0b-101", -5),
            ("0b+11", 3),
            ("1_000", 1000),
            ("-9223372036854775808", i64::MIN),
        ];
        for (t, v) in ints {
            assert_eq!(plain(t), Value::Int(v), "{t}");
        }
        assert_eq!(plain("1.5"), Value::Float(1.5));
        assert_eq!(plain("1e3"), Value::Float(1000.0));
        assert_eq!(plain("2."), Value::Float(2.0));
        assert_eq!(plain("09"), Value::Float(9.0));
        for (t, f) in [("+.5", 0.5), ("007.", 7.0), ("-1.5e-3", -0.0015), ("1.E+2", 100.0), ("-.25E1", -2.5)] {
            assert_eq!(plain(t), Value::Float(f), "{t}");
        }
        assert_eq!(plain(".5"), Value::Float(0.5));
        assert_eq!(plain("18446744073709551615"), Value::Float(18446744073709551615.0));
        assert!(matches!(plain(".inf"), Value::Float(f) if f == f64::INFINITY));
        assert!(matches!(plain(".NaN"), Value::Float(f) if f.is_nan()));
        for t in [
            "yes?",
            "On1",
            "0x",
            "1.2.3",
            "1e",
            "12:30",
            "2001-12-14",
            "Nope",
            "NuLL",
            "0xZZ",
            "<<",
            ".",
            "1-1",
            ".e5",
            "1.5e",
            "+",
            "1e5x",
        ] {
            assert_eq!(plain(t), Value::Str(t.into()), "{t}");
        }
    }

    #[test]
    fn quoted_and_tagged_scalars() {
        assert_eq!(value("yes", false, None).unwrap(), Value::Str("yes".into()));
        let core = |s: &str| Tag::new("tag:yaml.org,2002:", s);
        assert_eq!(value("80", true, Some(&core("str"))).unwrap(), Value::Str("80".into()));
        assert_eq!(value("80", false, Some(&core("int"))).unwrap(), Value::Int(80));
        assert_eq!(value("5", true, Some(&core("float"))).unwrap(), Value::Int(5));
        assert_eq!(value("5.5", true, Some(&core("float"))).unwrap(), Value::Float(5.5));
        assert_eq!(value("yes", true, Some(&Tag::new("!", "custom"))).unwrap(), Value::Str("yes".into()));
        assert_eq!(value("abc", true, Some(&core("int"))).unwrap_err(), "cannot decode !!str `abc` as a !!int");
    }

    #[test]
    fn keys_become_json_strings() {
        assert_eq!(key(plain("80")).unwrap(), "80");
        assert_eq!(key(plain("yes")).unwrap(), "true");
        assert_eq!(key(plain("0x10")).unwrap(), "16");
        assert_eq!(key(plain("1.5")).unwrap(), "1.5");
        assert_eq!(key(plain("1e7")).unwrap(), "1e+07");
        assert_eq!(key(plain("0.00001")).unwrap(), "1e-05");
        assert_eq!(key(plain("123456.0")).unwrap(), "123456");
        assert_eq!(key(plain("0.0001")).unwrap(), "0.0001");
        assert_eq!(key(plain(".inf")).unwrap(), ".inf");
        assert!(key(plain("~")).is_err());
    }
}
