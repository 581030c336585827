//! YAML text → documents of [`Tree`]s with positions (serde-saphyr), within [`Limits`]:
//! serde-saphyr's budget refuses too many documents, too deep nesting and alias bombs while
//! parsing, before any tree is built.

use crate::error::Error;
use crate::limits::{over, Limits};
use crate::tree::{Child, Pos, Tree, TreeVisitor, Value};
use alloc::{format, string::String, vec::Vec};
use core::cell::Cell;
use serde::de::{Deserialize, Deserializer};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::Spanned;

std::thread_local! {
    /// Bytes of text (strings and keys) the tree being read may still hold: aliases replaying
    /// a long string cannot make the tree much larger than the input.
    static TEXT_LEFT: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// A tree read from YAML: every child keeps its line and column.
struct YamlTree(Tree);

impl<'de> Deserialize<'de> for YamlTree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = d.deserialize_any(TreeVisitor::<Spanned<YamlTree>>(core::marker::PhantomData))?;
        let bytes = match &value {
            Value::Str(s) => s.len(),
            Value::Map(entries) => entries.iter().map(|(k, _)| k.len()).sum(),
            _ => 0,
        };
        let left = TEXT_LEFT.get();
        if bytes > left {
            return Err(serde::de::Error::custom(TEXT_EXPANDED));
        }
        TEXT_LEFT.set(left - bytes);
        Ok(YamlTree(Tree::new(value)))
    }
}

/// The message when aliases replay more text than the input may hold.
const TEXT_EXPANDED: &str = "YAML aliases expand the text past limits.maxInputBytes";

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

/// Parses a multi-document YAML (or JSON) stream within `limits`. Errors name the document,
/// line and column.
pub(crate) fn parse_documents(text: &str, limits: &Limits) -> Result<Vec<Tree>, Error> {
    limits.check_input(text)?;
    TEXT_LEFT.set(limits.max_input_bytes);
    let parsed = serde_saphyr::from_str_multiple_with_options::<Spanned<YamlTree>, Vec<Spanned<YamlTree>>>(
        text,
        saphyr_options(limits),
    );
    TEXT_LEFT.set(usize::MAX);
    match parsed {
        Ok(docs) => Ok(docs.into_iter().map(Child::into_tree).collect()),
        Err(e) => {
            let location = e.location();
            // The message alone: rendering with snippets would link a snippet renderer into wasm.
            use serde_saphyr::MessageFormatter;
            let mut err = limit_error(&e, limits).unwrap_or_else(|| {
                Error::manifest(clean_message(&serde_saphyr::UserMessageFormatter.format_message(&e)))
            });
            if let Some(loc) = location {
                err.line = u32::try_from(loc.line()).ok();
                err.column = u32::try_from(loc.column()).ok();
                err.document.get_or_insert(document_at_line(text, loc.line()));
            }
            Err(err)
        }
    }
}

/// serde-saphyr's options for `limits`: its budget does the counting while parsing. Its other
/// counters are bounded by the input size, so they are lifted to it rather than left as
/// unnamed limits of their own.
fn saphyr_options(limits: &Limits) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_documents = limits.max_documents;
    budget.max_depth = limits.max_depth;
    budget.flow_nesting_limit = limits.max_depth;
    budget.max_events = usize::MAX;
    budget.max_nodes = usize::MAX;
    budget.max_total_scalar_bytes = usize::MAX;
    budget.max_aliases = limits.max_alias_expansion;
    budget.enforce_alias_anchor_ratio = false;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = limits.max_alias_expansion;
    options.with_snippet = false;
    options
}

/// The error for a parse stopped by one of `limits`, naming it.
fn limit_error(e: &serde_saphyr::Error, limits: &Limits) -> Option<Error> {
    let mut e = e;
    while let serde_saphyr::Error::WithSnippet { error, .. } | serde_saphyr::Error::AliasError { error, .. } = e {
        e = error;
    }
    let error = match e {
        serde_saphyr::Error::Budget { breach, .. } => match breach {
            BudgetBreach::Documents { .. } => {
                let n = limits.max_documents;
                let mut e = over(&format!("more than {n} documents"), "maxDocuments", n);
                e.document = Some(n);
                e
            }
            BudgetBreach::Depth { .. } => limits.too_deep(),
            BudgetBreach::Aliases { .. } => {
                over("too many YAML aliases", "maxAliasExpansion", limits.max_alias_expansion)
            }
            _ => return None,
        },
        serde_saphyr::Error::ExternalMessage { source, .. }
            if matches!(&**source, serde_saphyr::ExternalMessageSource::Parser(p)
                if matches!(p.kind(), serde_saphyr::granit_parser::ErrorKind::RecursionLimitExceeded)) =>
        {
            limits.too_deep()
        }
        serde_saphyr::Error::AliasReplayLimitExceeded { .. } => {
            over("YAML aliases expand to too many nodes", "maxAliasExpansion", limits.max_alias_expansion)
        }
        serde_saphyr::Error::Message { msg, .. } if msg == TEXT_EXPANDED => {
            over("YAML aliases expand the text", "maxInputBytes", limits.max_input_bytes)
        }
        _ => return None,
    };
    Some(error)
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
    use alloc::vec;

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
        assert_eq!(e.message, "YAML aliases expand to too many nodes, over limits.maxAliasExpansion (100000)");
        assert_eq!((e.document, e.line.is_some()), (Some(0), true));
    }

    #[test]
    fn a_long_string_replayed_by_aliases_counts_against_the_input_size() {
        let text = format!("a: &s {}\nb: [{}]\n", "x".repeat(1000), vec!["*s"; 200].join(", "));
        assert!(parse_documents(&text, &Limits::default()).is_ok());
        let e = refused(&text, &Limits { max_input_bytes: 100_000, ..Limits::default() });
        assert_eq!(e.message, "YAML aliases expand the text, over limits.maxInputBytes (100000)");
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
}
