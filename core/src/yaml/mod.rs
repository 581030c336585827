//! YAML text → documents of [`Tree`]s with positions, read as `kubectl` reads manifests
//! (sigs.k8s.io/yaml: go-yaml v2, then JSON): granit-parser's events (build.rs), scalars by
//! go-yaml v2's rules (scalar.rs), within [`Limits`]: depth and document count are refused
//! while parsing, and aliases are measured before they are copied.

mod build;
mod scalar;

use crate::error::Error;
use crate::limits::{at_pos, Limits};
use crate::tree::Tree;
use alloc::{string::ToString, vec::Vec};
use granit_parser::{ErrorKind, Parser};

/// Parses a multi-document YAML (or JSON) stream within `limits`. Errors name the document,
/// line and column.
pub(crate) fn parse_documents(text: &str, limits: &Limits) -> Result<Vec<Tree>, Error> {
    limits.check_input(text)?;
    let mut options = granit_parser::Options::default();
    options.flow_nesting_limit = limits.max_depth.saturating_add(1);
    options.block_nesting_limit = limits.max_depth.saturating_add(1);
    let mut builder = build::Builder::new(limits, text.len());
    for event in Parser::new_from_str_with_options(text, options) {
        let step = match event {
            Ok((event, span)) => builder.event(event, &span),
            Err(e) => {
                let error = match e.kind() {
                    ErrorKind::RecursionLimitExceeded => limits.too_deep(),
                    kind => Error::manifest(kind.to_string()),
                };
                Err(at_pos(error, build::pos(e.marker())))
            }
        };
        if let Err(mut e) = step {
            e.document.get_or_insert(builder.documents.len());
            return Err(e);
        }
    }
    Ok(builder.documents)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use crate::tree::{Pos, Value};
    use alloc::{format, string::String, vec};

    #[test]
    fn positions_are_kept() {
        let docs = parse_documents("a: 1\nb:\n  c: [x, y]\n---\nk: v\n", &Limits::default()).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].pos_at("b.c[1]"), Some(Pos { line: 3, column: 10 }));
        assert_eq!(docs[1].get("k").unwrap().value, Value::Str("v".into()));
    }

    #[test]
    fn tab_indentation_names_line_four() {
        // The seed's own example (spec: seed notes, "创建服务"), indented with tabs.
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n\tname: kubia\nspec:\n\tports:\n\t- port: 80\n";
        let err = parse_documents(text, &Limits::default()).unwrap_err();
        assert_eq!((err.document, err.line), (Some(0), Some(4)));
        assert!(err.message.contains("tab"), "{}", err.message);
    }

    fn refused(text: &str, limits: &Limits) -> Error {
        parse_documents(text, limits).unwrap_err()
    }

    #[test]
    fn billion_laughs_is_refused_quickly() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            text += &format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n");
        }
        let e = refused(&text, &Limits::default());
        assert_eq!(e.message, "YAML anchors and aliases copy too many nodes, over limits.maxAliasExpansion (100000)");
        assert_eq!((e.document, e.line.is_some()), (Some(0), true));
    }

    #[test]
    fn a_long_string_replayed_by_aliases_counts_against_the_input_size() {
        let text = format!("a: &s {}\nb: [{}]\n", "x".repeat(1000), vec!["*s"; 200].join(", "));
        assert!(parse_documents(&text, &Limits::default()).is_ok());
        let e = refused(&text, &Limits { max_input_bytes: 100_000, ..Limits::default() });
        assert_eq!(e.message, "YAML anchors and aliases copy too much text, over limits.maxInputBytes (100000)");
    }

    #[test]
    fn depth_documents_and_size_are_refused_while_parsing() {
        let limits = Limits { max_depth: 3, max_documents: 2, max_input_bytes: 64, ..Limits::default() };
        let e = refused("a:\n  b:\n    c:\n      d: 1\n", &limits);
        assert_eq!((e.message.as_str(), e.line), ("nested too deep, over limits.maxDepth (3)", Some(4)));
        let e = refused("a: 1\n---\nb: 2\n---\nc: 3\n", &limits);
        assert_eq!((e.message.as_str(), e.document), ("more than 2 documents, over limits.maxDocuments (2)", Some(2)));
        let e = refused(&"#".repeat(65), &limits);
        assert_eq!(e.message, "the input is 65 bytes, over limits.maxInputBytes (64)");
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = refused(&deep, &Limits::default());
        assert!(e.message.contains("limits.maxDepth (100)"), "{e}");
    }

    #[test]
    fn error_in_second_document_names_it() {
        let err = parse_documents("a: 1\n---\nb: [1,\n", &Limits::default()).unwrap_err();
        assert_eq!((err.document, err.line), (Some(1), Some(3)));
    }

    fn one(text: &str) -> Tree {
        let mut docs = parse_documents(text, &Limits::default()).unwrap();
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    fn keys(t: &Tree) -> Vec<(&str, &Value)> {
        let Value::Map(entries) = &t.value else { panic!("not a map: {t:?}") };
        entries.iter().map(|(k, v)| (k.as_str(), &v.value)).collect()
    }

    #[test]
    fn merge_keys_apply_where_they_stand_and_earlier_maps_win() {
        // go-yaml v2 decode.go `mapping`/`merge`: `<<` sets its entries at that point.
        // (Not `y` or `n`: plain, they are the booleans true and false, and so are those keys.)
        let t = one("a: &a {p: 1, q: 2}\nb: &b {q: 3, r: 4}\nm: {q: 0, <<: *a, w: 5}\nk: {<<: [*a, *b], p: 9}\ny: 1\n");
        let s = |v: i64| Value::Int(v);
        assert_eq!(keys(t.get("m").unwrap()), [("q", &s(2)), ("p", &s(1)), ("w", &s(5))]);
        assert_eq!(keys(t.get("k").unwrap()), [("q", &s(2)), ("r", &s(4)), ("p", &s(9))]);
        assert_eq!(t.get("true").unwrap().value, s(1));
        let e = parse_documents("a: &a [1]\nb: {<<: *a}\n", &Limits::default()).unwrap_err();
        assert_eq!((e.message.as_str(), e.line), ("map merge requires map or sequence of maps as the value", Some(2)));
        // A quoted "<<" is an ordinary key.
        assert_eq!(keys(&one("'<<': {a: 1}\n"))[0].0, "<<");
    }

    #[test]
    fn repeated_keys_keep_their_place_and_the_last_value() {
        let t = one("a: 1\nb: 2\na: 3\n");
        assert_eq!(keys(&t), [("a", &Value::Int(3)), ("b", &Value::Int(2))]);
    }

    #[test]
    fn an_alias_is_a_copy_at_its_own_position() {
        let t = one("a: &x {k: v}\nb: *x\n");
        assert_eq!(t.get("b").unwrap().get("k").unwrap().as_str(), Some("v"));
        assert_eq!(t.pos_at("b"), Some(Pos { line: 2, column: 4 }));
        assert_eq!(t.pos_at("b.k"), Some(Pos { line: 1, column: 11 }));
        assert!(
            parse_documents("a: &x 1\n---\nb: *x\n", &Limits::default()).is_err(),
            "anchors end with their document"
        );
    }

    #[test]
    fn keys_and_values_become_json() {
        let t = one("80: a\nyes: b\n1e3: [1e3, 2.5]\n");
        assert_eq!(keys(&t).iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["80", "true", "1000"]);
        let Value::Seq(items) = &t.get("1000").unwrap().value else { panic!() };
        assert_eq!((&items[0].value, &items[1].value), (&Value::Int(1000), &Value::Float(2.5)));
        let e = parse_documents("a:\n  b: .inf\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(6)));
        assert!(e.message.contains("no JSON form"), "{e}");
        assert_eq!(parse_documents("~: 1\n", &Limits::default()).unwrap_err().line, Some(1));
    }

    #[test]
    fn null_documents_are_left_out() {
        let docs = parse_documents("---\n---\n~\n---\n# only a comment\n---\na: 1\n", &Limits::default()).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].pos, Some(Pos { line: 7, column: 1 }));
    }

    #[test]
    fn a_boolean_where_a_string_belongs_says_to_quote_it() {
        let options = crate::Options::default();
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {enabled: yes}\n";
        let e = crate::Cluster::from_yaml(yaml, &options).unwrap_err();
        assert_eq!((e.field.as_deref(), e.line), (Some("metadata.labels.enabled"), Some(5)));
        assert!(e.message.ends_with("as a boolean, as kubectl does; quote it"), "{e}");
        // JSON has no unquoted words: no YAML advice there.
        let json = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "labels": {"enabled": true}}}"#;
        let e = crate::Cluster::from_json(json, &options).unwrap_err();
        assert_eq!(e.message, "expected a string, found a boolean");
    }

    #[test]
    fn nested_anchors_are_found_in_any_order() {
        // The outer anchor is numbered first but kept last, when its map closes.
        let t = one("base: &b {labels: &l {app: x}}\nsvc: *b\nl2: *l\n");
        assert_eq!(t.pos_at("svc.labels.app"), Some(Pos { line: 1, column: 28 }));
        assert_eq!(t.get("l2").unwrap().get("app").unwrap().as_str(), Some("x"));
    }

    #[test]
    fn anchors_count_their_copies_and_aliases_their_depth() {
        // Nested anchors copy their subtree once each: counted as aliases are.
        let big = "x".repeat(400);
        let nested = format!("a: &a1 [&a2 [&a3 [&a4 [{big}]]]]\n");
        assert!(parse_documents(&nested, &Limits::default()).is_ok());
        let e = refused(&nested, &Limits { max_input_bytes: 1500, ..Limits::default() });
        assert_eq!(e.message, "YAML anchors and aliases copy too much text, over limits.maxInputBytes (1500)");
        // An alias may not land its tree deeper than maxDepth.
        let limits = Limits { max_depth: 4, ..Limits::default() };
        assert!(parse_documents("a: &x [[1]]\nb: *x\n", &limits).is_ok());
        let e = refused("a: &x [[1]]\nb: [[*x]]\n", &limits);
        assert_eq!(
            (e.message.as_str(), e.line, e.column),
            ("nested too deep, over limits.maxDepth (4)", Some(2), Some(6))
        );
        // Keys are counted once: a stream near the limit with an alias in it still loads.
        let keys: String = (0..150).map(|i| format!("key-{i:05}: 1\n")).collect();
        let text = format!("{keys}z: &z v\nw: *z\n");
        assert!(parse_documents(&text, &Limits { max_input_bytes: text.len() + 8, ..Limits::default() }).is_ok());
    }

    #[test]
    fn large_maps_settle_repeated_keys_without_quadratic_time() {
        let mut text: String = (0..20_000).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k7: last\n<<: {k8: merged, new: v}\n");
        let t = one(&text);
        let entries = keys(&t);
        assert_eq!(entries.len(), 20_001);
        assert_eq!(entries[7], ("k7", &Value::Str("last".into())));
        assert_eq!(entries[8], ("k8", &Value::Str("merged".into())));
        assert_eq!(entries[20_000], ("new", &Value::Str("v".into())));
        // `!!merge` marks a merge key too (go-yaml v2 `isMerge`).
        let merged = one("a: {p: 1}\nb: {!!merge <<: {p: 2}}\n");
        assert_eq!(keys(merged.get("b").unwrap()), [("p", &Value::Int(2))]);
    }
}
