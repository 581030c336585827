//! Parser events → [`Tree`]s, without recursion: one frame per open collection. Aliases replay
//! a copy of their anchor's tree within [`Limits`]; merge keys (`<<`) and repeated keys follow
//! go-yaml v2 (`decode.go`: `mapping`, `merge`), as `kubectl` reads them.

use super::scalar;
use crate::error::Error;
use crate::limits::{at_pos, over, Limits};
use crate::tree::{number, Pos, Tree, Value};
use alloc::{format, string::String, vec::Vec};
use granit_parser::{Event, Marker, Span};

/// Builds the documents of one YAML stream from its events.
pub(super) struct Builder<'l> {
    limits: &'l Limits,
    /// Finished documents; null ones (empty, `~`) are left out.
    pub(super) documents: Vec<Tree>,
    stack: Vec<Frame>,
    /// Anchored nodes of the current document by anchor id, in id order.
    anchors: Vec<(usize, Anchored)>,
    /// Nodes built so far, replays included (anchors measure their trees with it).
    nodes: usize,
    /// Bytes of strings and keys built so far, replays included.
    text: usize,
    /// Nodes replayed by aliases so far.
    replayed: usize,
}

/// An open collection.
struct Frame {
    pos: Option<Pos>,
    anchor: usize,
    /// `nodes` and `text` when it opened.
    nodes: usize,
    text: usize,
    body: Body,
}

enum Body {
    Seq(Vec<Tree>),
    /// Entries, and the key waiting for its value.
    Map(Vec<(String, Tree)>, Option<Key>),
}

enum Key {
    Name(String),
    /// A plain `<<`: the value's entries merge into the map.
    Merge,
}

/// An anchored node and what replaying it costs.
struct Anchored {
    tree: Tree,
    nodes: usize,
    text: usize,
}

/// A scalar or finished collection on its way into its parent.
struct Node {
    tree: Tree,
    anchor: usize,
    merge: bool,
}

impl<'l> Builder<'l> {
    pub(super) fn new(limits: &'l Limits) -> Self {
        Self { limits, documents: Vec::new(), stack: Vec::new(), anchors: Vec::new(), nodes: 0, text: 0, replayed: 0 }
    }

    /// Takes one event. Errors name the line and column (the caller adds the document).
    pub(super) fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), Error> {
        let at = pos(&span.start);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == granit_parser::ScalarStyle::Plain;
                let merge = plain && tag.is_none() && text == "<<";
                let value = scalar::value(&text, plain, tag.as_deref()).map_err(|m| at_pos(Error::manifest(m), at))?;
                self.nodes += 1;
                self.text += text.len();
                self.add(Node { tree: Tree { value, pos: at }, anchor, merge })
            }
            Event::SequenceStart(_, anchor, _) => self.open(Body::Seq(Vec::new()), anchor, at),
            Event::MappingStart(_, anchor, _) => self.open(Body::Map(Vec::new(), None), anchor, at),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => self.replay(id, at),
            Event::DocumentEnd => {
                self.anchors.clear();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn open(&mut self, body: Body, anchor: usize, at: Option<Pos>) -> Result<(), Error> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(at_pos(self.limits.too_deep(), at));
        }
        self.nodes += 1;
        self.stack.push(Frame { pos: at, anchor, nodes: self.nodes, text: self.text, body });
        Ok(())
    }

    fn close(&mut self) -> Result<(), Error> {
        let Some(frame) = self.stack.pop() else { return Ok(()) };
        let value = match frame.body {
            Body::Seq(items) => Value::Seq(items),
            Body::Map(entries, _) => Value::Map(entries),
        };
        if frame.anchor != 0 {
            let tree = Tree { value: value.clone(), pos: frame.pos };
            let (nodes, text) = (self.nodes - frame.nodes + 1, self.text - frame.text);
            self.anchors.push((frame.anchor, Anchored { tree, nodes, text }));
        }
        self.add(Node { tree: Tree { value, pos: frame.pos }, anchor: 0, merge: false })
    }

    /// `*name`: a copy of the anchored tree at the alias's position, once the replay fits the
    /// limits (nodes against `maxAliasExpansion`, text against `maxInputBytes`).
    fn replay(&mut self, id: usize, at: Option<Pos>) -> Result<(), Error> {
        let i = self.anchors.partition_point(|(a, _)| *a < id);
        let Some((_, anchored)) = self.anchors.get(i).filter(|(a, _)| *a == id) else {
            return Err(at_pos(Error::manifest("unknown YAML anchor"), at));
        };
        self.replayed = self.replayed.saturating_add(anchored.nodes);
        if self.replayed > self.limits.max_alias_expansion {
            let e = over("YAML aliases expand to too many nodes", "maxAliasExpansion", self.limits.max_alias_expansion);
            return Err(at_pos(e, at));
        }
        self.text = self.text.saturating_add(anchored.text);
        if self.text > self.limits.max_input_bytes {
            let e = over("YAML aliases expand the text", "maxInputBytes", self.limits.max_input_bytes);
            return Err(at_pos(e, at));
        }
        self.nodes += anchored.nodes;
        let tree = Tree { value: anchored.tree.value.clone(), pos: at };
        self.add(Node { tree, anchor: 0, merge: false })
    }

    /// Puts a finished node where it belongs: a document, a list item, a key or a value.
    fn add(&mut self, node: Node) -> Result<(), Error> {
        if node.anchor != 0 {
            let tree = node.tree.clone();
            let text = node.tree.as_str().map_or(0, str::len);
            self.anchors.push((node.anchor, Anchored { tree, nodes: 1, text }));
        }
        let at = node.tree.pos;
        let Some(frame) = self.stack.last_mut() else {
            let tree = json_value(node.tree)?;
            if tree.value == Value::Null {
                return Ok(());
            }
            let n = self.limits.max_documents;
            if self.documents.len() >= n {
                let mut e = at_pos(over(&format!("more than {n} documents"), "maxDocuments", n), at);
                e.document = Some(n);
                return Err(e);
            }
            self.documents.push(tree);
            return Ok(());
        };
        match &mut frame.body {
            Body::Seq(items) => items.push(json_value(node.tree)?),
            Body::Map(_, key @ None) => {
                *key = Some(if node.merge {
                    Key::Merge
                } else {
                    let name = scalar::key(node.tree.value).map_err(|m| at_pos(Error::manifest(m), at))?;
                    self.text += name.len();
                    Key::Name(name)
                });
            }
            Body::Map(entries, key @ Some(_)) => match key.take() {
                Some(Key::Name(name)) => insert(entries, name, json_value(node.tree)?),
                _ => merge(entries, node.tree)?,
            },
        }
        Ok(())
    }
}

/// A parser marker as a 1-based line and column.
pub(super) fn pos(at: &Marker) -> Option<Pos> {
    let line = u32::try_from(at.line()).ok().filter(|l| *l > 0)?;
    Some(Pos { line, column: u32::try_from(at.col().saturating_add(1)).unwrap_or(u32::MAX) })
}

/// A value as JSON holds it (sigs.k8s.io/yaml writes JSON before any decoding): integral floats
/// are integers, and NaN or infinity is refused, as `json.Marshal` refuses them.
fn json_value(tree: Tree) -> Result<Tree, Error> {
    match tree.value {
        Value::Float(f) if !f.is_finite() => {
            Err(at_pos(Error::manifest(format!("{f} has no JSON form (json: unsupported value)")), tree.pos))
        }
        Value::Float(f) => Ok(Tree { value: number(f), pos: tree.pos }),
        _ => Ok(tree),
    }
}

/// Sets `name` to `value`: a repeated key replaces the earlier value in its place (go-yaml v2
/// decodes into a map, and later keys win).
fn insert(entries: &mut Vec<(String, Tree)>, name: String, value: Tree) {
    match entries.iter_mut().find(|(k, _)| *k == name) {
        Some(slot) => slot.1 = value,
        None => entries.push((name, value)),
    }
}

/// `<<: map` or `<<: [map, ...]`: go-yaml v2 `merge` sets the entries at the point of the key
/// (keys written after it override them); in a list, earlier maps win.
fn merge(entries: &mut Vec<(String, Tree)>, source: Tree) -> Result<(), Error> {
    let refused = || at_pos(Error::manifest("map merge requires map or sequence of maps as the value"), source.pos);
    let maps = match source.value {
        Value::Map(from) => alloc::vec![from],
        Value::Seq(items) => {
            let maps = items.into_iter().rev().map(|item| match item.value {
                Value::Map(from) => Ok(from),
                _ => Err(refused()),
            });
            maps.collect::<Result<Vec<_>, _>>()?
        }
        _ => return Err(refused()),
    };
    maps.into_iter().flatten().for_each(|(k, v)| insert(entries, k, v));
    Ok(())
}
