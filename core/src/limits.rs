//! [`Limits`]: how much input kroute reads before refusing it, so that hostile manifests cannot
//! exhaust memory, time or the stack. Every refusal is a `Manifest` [`Error`] naming the limit
//! (`limits.maxDepth`), its value and where (document, line, column, field).

use crate::decode::join;
use crate::error::{Error, ErrorKind};
use crate::tree::{Pos, Tree, Value};
use alloc::{format, string::String, vec::Vec};

/// The highest `maxDepth` accepted: the JSON parser's own bound (serde_json reads nesting
/// recursively, and the wasm stack holds that).
pub(crate) const DEPTH_CEILING: usize = 128;

/// Resource limits on manifests and watch events (`Options::limits`; JSON camelCase). The
/// defaults accept anything a real API server stores (etcd refuses objects over 1.5 MiB).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Limits {
    /// Bytes of YAML or JSON text (32 MiB).
    pub max_input_bytes: usize,
    /// Documents in a YAML stream, or objects given to `from_objects` (10 000).
    pub max_documents: usize,
    /// Objects once `List`s are flattened (100 000).
    pub max_objects: usize,
    /// Nesting of lists and maps; a document's top-level map is depth 1 (100, at most 128).
    pub max_depth: usize,
    /// Entries in one `labels`, `annotations`, `matchLabels` or `selector` map (1 000).
    pub max_labels: usize,
    /// Bytes of one string, key or value (2 MiB).
    pub max_string_bytes: usize,
    /// YAML nodes that anchors (`&name`, kept for their aliases) and aliases (`*name`) may copy
    /// in all, a bound on "billion laughs" (100 000). The text they copy also counts against
    /// `maxInputBytes`, with the input.
    pub max_alias_expansion: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 32 << 20,
            max_documents: 10_000,
            max_objects: 100_000,
            max_depth: 100,
            max_labels: 1_000,
            max_string_bytes: 2 << 20,
            max_alias_expansion: 100_000,
        }
    }
}

/// A `Manifest` error for going over limit `name` (`maxDepth`) of value `limit`.
pub(crate) fn over(what: &str, name: &str, limit: usize) -> Error {
    Error::manifest(format!("{what}, over limits.{name} ({limit})"))
}

impl Limits {
    /// Refuses limits that would not protect the stack: `maxDepth` above 128.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.max_depth > DEPTH_CEILING {
            return Err(Error::new(
                ErrorKind::Request,
                format!("invalid option limits.maxDepth: {} (at most {DEPTH_CEILING})", self.max_depth),
            ));
        }
        Ok(())
    }

    /// Refuses text longer than `maxInputBytes`.
    pub(crate) fn check_input(&self, text: &str) -> Result<(), Error> {
        self.check()?;
        if text.len() > self.max_input_bytes {
            return Err(over(&format!("the input is {} bytes", text.len()), "maxInputBytes", self.max_input_bytes));
        }
        Ok(())
    }

    /// Refuses JSON text that is too long or nests too deep, before it is parsed.
    pub(crate) fn check_json(&self, text: &str) -> Result<(), Error> {
        self.check_input(text)?;
        match json_too_deep(text, self.max_depth) {
            None => Ok(()),
            Some(pos) => {
                let mut e = at_pos(self.too_deep(), Some(pos));
                e.document = Some(0);
                Err(e)
            }
        }
    }

    /// Refuses a watch event that nests too deep, holds an over-long string or too many labels.
    pub fn check_event(&self, event: &Tree) -> Result<(), Error> {
        self.check()?;
        self.check_tree(event)
    }

    /// The error for nesting deeper than `maxDepth`.
    pub(crate) fn too_deep(&self) -> Error {
        over("nested too deep", "maxDepth", self.max_depth)
    }

    /// Walks `tree` without recursion: depth, string sizes, label map sizes. The error names
    /// the field path and, when the tree has positions, the line and column.
    pub(crate) fn check_tree(&self, tree: &Tree) -> Result<(), Error> {
        let mut stack: Vec<(&Tree, usize)> = Vec::new();
        if let Some(e) = self.check_node(tree, None, 1) {
            return Err(located(e, tree, &stack));
        }
        if is_container(tree) {
            stack.push((tree, 0));
        }
        while let Some((node, next)) = stack.last_mut() {
            let (key, child) = match &node.value {
                Value::Seq(items) => (None, items.get(*next)),
                Value::Map(entries) => match entries.get(*next) {
                    Some((k, v)) => (Some(k.as_str()), Some(v)),
                    None => (None, None),
                },
                _ => (None, None),
            };
            let Some(child) = child else {
                stack.pop();
                continue;
            };
            *next += 1;
            if let Some(e) = self.check_node(child, key, stack.len() + 1) {
                return Err(located(e, child, &stack));
            }
            if is_container(child) {
                stack.push((child, 0));
            }
        }
        Ok(())
    }

    /// What is wrong with `node` itself (read under `key`, at `depth`), if anything.
    fn check_node(&self, node: &Tree, key: Option<&str>, depth: usize) -> Option<Error> {
        let long = |s: &str| {
            (s.len() > self.max_string_bytes)
                .then(|| over(&format!("a string of {} bytes", s.len()), "maxStringBytes", self.max_string_bytes))
        };
        if let Some(e) = key.and_then(long) {
            return Some(e);
        }
        match &node.value {
            Value::Str(s) => long(s),
            Value::Seq(_) | Value::Map(_) if depth > self.max_depth => Some(self.too_deep()),
            Value::Map(entries)
                if entries.len() > self.max_labels
                    && matches!(key, Some("labels" | "annotations" | "matchLabels" | "selector")) =>
            {
                Some(over(&format!("{} entries", entries.len()), "maxLabels", self.max_labels))
            }
            _ => None,
        }
    }
}

fn is_container(tree: &Tree) -> bool {
    matches!(tree.value, Value::Seq(_) | Value::Map(_))
}

/// Sets the field path (from the walk's stack) and position of `node` on `e`.
fn located(mut e: Error, node: &Tree, stack: &[(&Tree, usize)]) -> Error {
    let mut path = String::new();
    for (parent, next) in stack {
        let i = next.saturating_sub(1);
        path = match &parent.value {
            Value::Seq(_) => format!("{path}[{i}]"),
            Value::Map(entries) => join(&path, entries.get(i).map_or("", |(k, _)| k.as_str())),
            _ => path,
        };
    }
    e.field = (!path.is_empty()).then_some(path);
    at_pos(e, node.pos.or_else(|| stack.iter().rev().find_map(|(t, _)| t.pos)))
}

/// Sets the line and column of `e` to `pos`.
pub(crate) fn at_pos(mut e: Error, pos: Option<Pos>) -> Error {
    e.line = pos.map(|p| p.line);
    e.column = pos.map(|p| p.column);
    e
}

/// The position of the first `[` or `{` of JSON text nested deeper than `max`, if any
/// (strings skipped; the text need not be valid JSON).
fn json_too_deep(text: &str, max: usize) -> Option<Pos> {
    let (mut depth, mut line, mut column) = (0usize, 1u32, 0u32);
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        column = column.saturating_add(1);
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else {
            match c {
                '"' => in_string = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > max {
                        return Some(Pos { line, column });
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if c == '\n' {
            line = line.saturating_add(1);
            column = 0;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn small() -> Limits {
        Limits { max_depth: 3, max_labels: 2, max_string_bytes: 4, ..Limits::default() }
    }

    fn tree(json: &str) -> Tree {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn depth_is_counted_from_the_top_level_map() {
        assert_eq!(small().check_tree(&tree(r#"{"a":{"b":[1]}}"#)), Ok(()));
        let e = small().check_tree(&tree(r#"{"a":{"b":[{"c":1}]}}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("a.b[0]"));
        assert_eq!(e.message, "nested too deep, over limits.maxDepth (3)");
    }

    #[test]
    fn long_strings_and_keys_are_named_by_path() {
        let e = small().check_tree(&tree(r#"{"a":["ok","toolong"]}"#)).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("a[1]"), "a string of 7 bytes, over limits.maxStringBytes (4)")
        );
        let e = small().check_tree(&tree(r#"{"a":{"longkey":1}}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("a.longkey"));
    }

    #[test]
    fn label_maps_are_bounded_other_maps_are_not() {
        let limits = Limits { max_string_bytes: 16, ..small() };
        assert_eq!(limits.check_tree(&tree(r#"{"spec":{"a":1,"b":2,"c":3}}"#)), Ok(()));
        let e = limits.check_tree(&tree(r#"{"m":{"labels":{"a":"","b":"","c":""}}}"#)).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("m.labels"), "3 entries, over limits.maxLabels (2)")
        );
    }

    #[test]
    fn json_depth_is_found_before_parsing_with_its_position() {
        assert_eq!(json_too_deep(r#"{"a": "[[[[[[", "b": [[1]]}"#, 3), None);
        assert_eq!(json_too_deep("{\"a\":\n [[1]]}", 2), Some(Pos { line: 2, column: 3 }));
        let deep = "[".repeat(100_000);
        let e = Limits::default().check_json(&deep).unwrap_err();
        assert_eq!((e.document, e.line, e.column), (Some(0), Some(1), Some(101)));
    }

    #[test]
    fn a_depth_above_the_ceiling_is_an_invalid_option() {
        let e = Limits { max_depth: 129, ..Limits::default() }.check_json("{}").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Request);
        assert!(e.message.contains("limits.maxDepth"), "{}", e.message);
    }

    #[test]
    fn input_size_is_checked_first() {
        let e = Limits { max_input_bytes: 3, ..Limits::default() }.check_json("[1, 2]").unwrap_err();
        assert_eq!(e.message, "the input is 6 bytes, over limits.maxInputBytes (3)");
    }
}
