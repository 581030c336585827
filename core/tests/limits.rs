//! Issue 10: `Options::limits` through the public API: every loading path refuses what is over
//! a limit with a `Manifest` error naming the limit, its value and where.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use kroute::{Cluster, ErrorKind, Limits, Options, Tree};

fn with(limits: Limits) -> Options {
    Options { limits, ..Options::default() }
}

fn pod(name: &str, labels: usize) -> String {
    let labels: Vec<String> = (0..labels).map(|i| format!("l{i}: v")).collect();
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels: {{{}}}\nspec: {{containers: [{{name: c}}]}}\n",
        labels.join(", ")
    )
}

#[test]
fn limits_are_options_in_camel_case_with_unknown_fields_refused() {
    let o: Options = serde_json::from_str(r#"{"limits": {"maxDepth": 20, "maxLabels": 5}}"#).unwrap();
    assert_eq!(o.limits, Limits { max_depth: 20, max_labels: 5, ..Limits::default() });
    let e = serde_json::from_str::<Options>(r#"{"limits": {"maxDeep": 20}}"#).unwrap_err();
    assert!(e.to_string().contains("unknown field `maxDeep`"), "{e}");
    let json = serde_json::to_value(Limits::default()).unwrap();
    assert_eq!(json["maxInputBytes"], 32 << 20);
}

#[test]
fn objects_after_list_flattening_are_counted_and_the_first_extra_is_named() {
    let list = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}",
        (0..4).map(|i| format!("- {{apiVersion: v1, kind: Pod, metadata: {{name: p{i}}}}}\n")).collect::<String>()
    );
    assert!(Cluster::from_yaml(&list, &with(Limits { max_objects: 4, ..Limits::default() })).is_ok());
    let e = Cluster::from_yaml(&list, &with(Limits { max_objects: 3, ..Limits::default() })).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Manifest);
    assert_eq!(e.message, "4 objects, over limits.maxObjects (3)");
    assert_eq!((e.document, e.line, e.field.as_deref()), (Some(0), Some(7), Some("items[3]")));
}

#[test]
fn labels_per_object_are_bounded_with_the_field_and_line() {
    let text = format!("{}---\n{}", pod("a", 3), pod("b", 4));
    let e = Cluster::from_yaml(&text, &with(Limits { max_labels: 3, ..Limits::default() })).unwrap_err();
    assert_eq!(e.message, "4 entries, over limits.maxLabels (3)");
    assert_eq!(
        (e.document, e.line, e.column, e.field.as_deref()),
        (Some(1), Some(12), Some(11), Some("metadata.labels"))
    );
}

#[test]
fn long_strings_are_refused_in_yaml_json_and_objects() {
    let limits = Limits { max_string_bytes: 12, ..Limits::default() };
    let long = "x".repeat(13);
    let yaml = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: a, annotations: {{note: {long}}}}}\n");
    let e = Cluster::from_yaml(&yaml, &with(limits.clone())).unwrap_err();
    assert_eq!(e.message, "a string of 13 bytes, over limits.maxStringBytes (12)");
    assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("metadata.annotations.note")));
    let json = format!(r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "{long}"}}}}"#);
    let e = Cluster::from_json(&json, &with(limits.clone())).unwrap_err();
    assert_eq!((e.document, e.field.as_deref()), (Some(0), Some("metadata.name")));
    let objects: Vec<Tree> =
        vec![serde_json::from_str(r#"{"kind": "Pod"}"#).unwrap(), serde_json::from_str(&json).unwrap()];
    let e = Cluster::from_objects(objects, &with(limits)).unwrap_err();
    assert_eq!((e.document, e.field.as_deref()), (Some(1), Some("metadata.name")));
}

/// A tree nested `depth` maps deep (`{"a": {"a": ...}}`), built without recursion.
fn nested(depth: usize) -> Tree {
    let mut t = Tree::new(kroute::Value::Null);
    for _ in 0..depth {
        t = Tree::new(kroute::Value::Map(vec![(String::from("a"), t)]));
    }
    t
}

#[test]
fn deep_objects_and_watch_events_are_refused_without_recursion() {
    let e = Cluster::from_objects(vec![nested(100_000)], &Options::default()).unwrap_err();
    assert_eq!((e.message.as_str(), e.document), ("nested too deep, over limits.maxDepth (100)", Some(0)));
    assert_eq!(e.field.unwrap().len(), 2 * 100 - 1, "the path of the 101st map: a.a.a…");
    let event = Tree::new(kroute::Value::Map(vec![(String::from("object"), nested(200))]));
    assert!(Limits::default().check_event(&event).is_err());
    assert_eq!(Limits::default().check_event(&nested(99)), Ok(()));
}

#[test]
fn documents_are_counted_for_objects_too() {
    let objects: Vec<Tree> = (0..3).map(|_| serde_json::from_str(r#"{"kind": "Pod"}"#).unwrap()).collect();
    let e = Cluster::from_objects(objects, &with(Limits { max_documents: 2, ..Limits::default() })).unwrap_err();
    assert_eq!((e.message.as_str(), e.document), ("3 documents, over limits.maxDocuments (2)", Some(2)));
}

#[test]
fn a_depth_limit_above_the_ceiling_is_an_invalid_option() {
    let e = Cluster::from_yaml("a: 1", &with(Limits { max_depth: 1000, ..Limits::default() })).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Request);
    assert_eq!(e.message, "invalid option limits.maxDepth: 1000 (at most 128)");
}
