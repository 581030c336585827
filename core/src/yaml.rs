//! YAML text → documents of [`Tree`]s with positions (serde-saphyr).

use crate::error::Error;
use crate::tree::{Child, Pos, Tree, TreeVisitor};
use alloc::{string::String, vec::Vec};
use serde::de::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

/// A tree read from YAML: every child keeps its line and column.
struct YamlTree(Tree);

impl<'de> Deserialize<'de> for YamlTree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor::<Spanned<YamlTree>>(core::marker::PhantomData)).map(|v| YamlTree(Tree::new(v)))
    }
}

impl<'de> Child<'de> for Spanned<YamlTree> {
    fn into_tree(self) -> Tree {
        let mut tree = self.value.0;
        tree.pos = pos(self.referenced.line(), self.referenced.column());
        tree
    }
}

fn pos(line: u64, column: u64) -> Option<Pos> {
    Some(Pos { line: u32::try_from(line).ok().filter(|l| *l > 0)?, column: u32::try_from(column).unwrap_or(u32::MAX) })
}

/// Parses a multi-document YAML (or JSON) stream. Errors name the document, line and column.
pub(crate) fn parse_documents(text: &str) -> Result<Vec<Tree>, Error> {
    match serde_saphyr::from_str_multiple::<Spanned<YamlTree>, Vec<Spanned<YamlTree>>>(text) {
        Ok(docs) => Ok(docs.into_iter().map(Child::into_tree).collect()),
        Err(e) => {
            let location = e.location();
            // The message alone: rendering with snippets would link a snippet renderer into wasm.
            use serde_saphyr::MessageFormatter;
            let full = serde_saphyr::UserMessageFormatter.format_message(&e);
            let mut err = Error::manifest(clean_message(&full));
            if let Some(loc) = location {
                err.line = u32::try_from(loc.line()).ok();
                err.column = u32::try_from(loc.column()).ok();
                err.document = Some(document_at_line(text, loc.line()));
            }
            Err(err)
        }
    }
}

/// serde-saphyr's message is `error: line L column C: what` plus a source snippet; keep `what`.
fn clean_message(full: &str) -> String {
    let first = full.lines().next().unwrap_or(full);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let what = match first.find(": ") {
        Some(i) if first.starts_with("line ") => first.get(i + 2..).unwrap_or(first),
        _ => first,
    };
    String::from(what)
}

/// The 0-based index of the document holding `line`: count `---` separators above it.
fn document_at_line(text: &str, line: u64) -> usize {
    let mut doc = 0;
    let mut seen_content = false;
    for (i, l) in text.lines().enumerate() {
        if (i as u64) + 1 >= line {
            break;
        }
        if l.strip_prefix("---").is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t'])) {
            // A separator starts a new document only after one with content (empty ones are dropped).
            if seen_content {
                doc += 1;
            }
            seen_content = false;
        } else if !l.trim().is_empty() && !l.trim_start().starts_with('#') && !l.starts_with('%') {
            seen_content = true;
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::tree::Value;

    #[test]
    fn positions_are_kept() {
        let docs = parse_documents("a: 1\nb:\n  c: [x, y]\n---\nk: v\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].pos_at("b.c[1]"), Some(Pos { line: 3, column: 10 }));
        assert_eq!(docs[1].get("k").unwrap().value, Value::Str("v".into()));
    }

    #[test]
    fn tab_indentation_names_line_four() {
        // The seed's own example (spec: seed notes, "创建服务"), indented with tabs.
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n\tname: kubia\nspec:\n\tports:\n\t- port: 80\n";
        let err = parse_documents(text).unwrap_err();
        assert_eq!((err.document, err.line), (Some(0), Some(4)));
        assert!(err.message.contains("tab"), "{}", err.message);
    }

    #[test]
    fn error_in_second_document_names_it() {
        let err = parse_documents("a: 1\n---\nb: [1,\n").unwrap_err();
        assert_eq!((err.document, err.line), (Some(1), Some(3)));
    }
}
