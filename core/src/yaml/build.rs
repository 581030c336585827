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
    /// Nodes and bytes of text built so far, copies included (anchors measure their trees by
    /// them).
    nodes: usize,
    text: usize,
    /// Nodes and bytes of text that anchors and aliases copied: a bound on "billion laughs"
    /// (`maxAliasExpansion`) and on memory (with the input, within `maxInputBytes`).
    copied_nodes: usize,
    copied_text: usize,
}

/// An open collection.
struct Frame {
    pos: Option<Pos>,
    anchor: usize,
    /// `nodes` and `text` when it opened.
    nodes: usize,
    text: usize,
    /// The greatest height among its children so far.
    below: usize,
    body: Body,
}

enum Body {
    Seq(Vec<Tree>),
    /// Entries as written (repeats too: `tree::last_wins` settles them when the map closes),
    /// and the key waiting for its value.
    Map(Vec<(String, Tree)>, Option<Key>),
}

enum Key {
    Name(String),
    /// A plain `<<`: the value's entries merge into the map.
    Merge,
}

/// An anchored node and what copying it costs.
struct Anchored {
    tree: Tree,
    nodes: usize,
    text: usize,
    /// Levels of collections in it (0 for a scalar).
    height: usize,
}

/// A scalar or finished collection on its way into its parent.
struct Node {
    tree: Tree,
    anchor: usize,
    merge: bool,
    height: usize,
}

impl<'l> Builder<'l> {
    pub(super) fn new(limits: &'l Limits, input_bytes: usize) -> Self {
        Self {
            limits,
            documents: Vec::new(),
            stack: Vec::new(),
            anchors: Vec::new(),
            nodes: 0,
            text: 0,
            copied_nodes: 0,
            copied_text: input_bytes,
        }
    }

    /// Takes one event. Errors name the line and column (the caller adds the document).
    pub(super) fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), Error> {
        let at = pos(&span.start);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == granit_parser::ScalarStyle::Plain;
                // go-yaml v2 `isMerge`: a plain `<<`, or one tagged `!!merge`.
                let merge = plain
                    && text == "<<"
                    && tag
                        .as_deref()
                        .is_none_or(|t| t.suffix_in_namespace("tag:yaml.org,2002:").as_deref() == Some("merge"));
                let value = scalar::value(&text, plain, tag.as_deref()).map_err(|m| at_pos(Error::manifest(m), at))?;
                self.nodes = self.nodes.saturating_add(1);
                self.text = self.text.saturating_add(text.len());
                self.add(Node { tree: Tree { value, pos: at }, anchor, merge, height: 0 })
            }
            Event::SequenceStart(_, anchor, _) => self.open(Body::Seq(Vec::new()), anchor, at),
            Event::MappingStart(_, anchor, _) => self.open(Body::Map(Vec::new(), None), anchor, at),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => self.replay(id, at),
            Event::DocumentEnd => {
                core::mem::take(&mut self.anchors).into_iter().for_each(|(_, a)| crate::tree::drop_flat(a.tree));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn open(&mut self, body: Body, anchor: usize, at: Option<Pos>) -> Result<(), Error> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(at_pos(self.limits.too_deep(), at));
        }
        self.nodes = self.nodes.saturating_add(1);
        self.stack.push(Frame { pos: at, anchor, nodes: self.nodes, text: self.text, below: 0, body });
        Ok(())
    }

    fn close(&mut self) -> Result<(), Error> {
        let Some(frame) = self.stack.pop() else { return Ok(()) };
        let value = match frame.body {
            Body::Seq(items) => Value::Seq(items),
            Body::Map(entries, _) => Value::Map(crate::tree::last_wins(entries)),
        };
        let node =
            Node { tree: Tree { value, pos: frame.pos }, anchor: frame.anchor, merge: false, height: frame.below + 1 };
        let (nodes, text) = (self.nodes.saturating_sub(frame.nodes) + 1, self.text.saturating_sub(frame.text));
        self.keep_anchor(&node, nodes, text)?;
        self.add(node)
    }

    /// Keeps a copy of an anchored node for its aliases, counted against the limits.
    fn keep_anchor(&mut self, node: &Node, nodes: usize, text: usize) -> Result<(), Error> {
        if node.anchor == 0 {
            return Ok(());
        }
        self.copy(nodes, text, node.tree.pos)?;
        let anchored = Anchored { tree: node.tree.clone(), nodes, text, height: node.height };
        // Ids grow as anchors open, but a collection is kept when it closes, after those inside.
        let at = self.anchors.partition_point(|(a, _)| *a < node.anchor);
        self.anchors.insert(at, (node.anchor, anchored));
        Ok(())
    }

    /// Counts a copy of `nodes` nodes and `text` bytes against the limits.
    fn copy(&mut self, nodes: usize, text: usize, at: Option<Pos>) -> Result<(), Error> {
        self.copied_nodes = self.copied_nodes.saturating_add(nodes);
        if self.copied_nodes > self.limits.max_alias_expansion {
            let n = self.limits.max_alias_expansion;
            return Err(at_pos(over("YAML anchors and aliases copy too many nodes", "maxAliasExpansion", n), at));
        }
        self.copied_text = self.copied_text.saturating_add(text);
        if self.copied_text > self.limits.max_input_bytes {
            let n = self.limits.max_input_bytes;
            return Err(at_pos(over("YAML anchors and aliases copy too much text", "maxInputBytes", n), at));
        }
        Ok(())
    }

    /// `*name`: a copy of the anchored tree at the alias's position, once it fits the limits:
    /// its nodes and text, and its depth where it lands.
    fn replay(&mut self, id: usize, at: Option<Pos>) -> Result<(), Error> {
        let i = self.anchors.partition_point(|(a, _)| *a < id);
        let Some((_, anchored)) = self.anchors.get(i).filter(|(a, _)| *a == id) else {
            return Err(at_pos(Error::manifest("unknown YAML anchor"), at));
        };
        let (nodes, text, height) = (anchored.nodes, anchored.text, anchored.height);
        if self.stack.len().saturating_add(height) > self.limits.max_depth {
            return Err(at_pos(self.limits.too_deep(), at));
        }
        self.copy(nodes, text, at)?;
        let value = self.anchors.get(i).map_or(Value::Null, |(_, a)| a.tree.value.clone());
        self.nodes = self.nodes.saturating_add(nodes);
        self.text = self.text.saturating_add(text);
        self.add(Node { tree: Tree { value, pos: at }, anchor: 0, merge: false, height })
    }

    /// Puts a finished node where it belongs: a document, a list item, a key or a value.
    fn add(&mut self, node: Node) -> Result<(), Error> {
        if node.height == 0 {
            let text = node.tree.as_str().map_or(0, str::len);
            self.keep_anchor(&node, 1, text)?;
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
        frame.below = frame.below.max(node.height);
        match &mut frame.body {
            Body::Seq(items) => items.push(json_value(node.tree)?),
            Body::Map(_, key @ None) => {
                *key = Some(if node.merge {
                    Key::Merge
                } else {
                    Key::Name(scalar::key(node.tree.value).map_err(|m| at_pos(Error::manifest(m), at))?)
                });
            }
            Body::Map(entries, key @ Some(_)) => match key.take() {
                Some(Key::Name(name)) => entries.push((name, json_value(node.tree)?)),
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

/// `<<: map` or `<<: [map, ...]`: go-yaml v2 `merge` sets the entries at the point of the key
/// (keys written after it override them); in a list, earlier maps win (written last).
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
    entries.extend(maps.into_iter().flatten());
    Ok(())
}
