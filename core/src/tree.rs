//! A parsed document before it becomes typed objects: JSON-like values that remember where
//! they came from (line and column), whatever the input was (YAML text, JSON text, JS
//! objects, Python dicts).

use alloc::{string::String, vec::Vec};
use core::fmt;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A 1-based line and column in the input text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A JSON-like value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number that is not an integer (or does not fit `i64`).
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    Seq(Vec<Tree>),
    /// A map, keys in document order.
    Map(Vec<(String, Tree)>),
}

/// A number as JSON writes it: an integral value in `i64`'s range (JS numbers, YAML `1e3`) is
/// an integer.
pub(crate) fn number(v: f64) -> Value {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if (-TWO_63..TWO_63).contains(&v) && (v as i64) as f64 == v {
        Value::Int(v as i64)
    } else {
        Value::Float(v)
    }
}

/// A [`Value`] with the position it was read from, when the input had positions.
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    /// The value.
    pub value: Value,
    /// Where it starts in the input text.
    pub pos: Option<Pos>,
}

impl Tree {
    /// A tree without a position.
    pub fn new(value: Value) -> Self {
        Self { value, pos: None }
    }

    /// The entry `key` of a map.
    pub fn get(&self, key: &str) -> Option<&Tree> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The position of the value at a field path like `spec.ports[0].targetPort`, or of the
    /// deepest ancestor that exists and has one.
    pub fn pos_at(&self, path: &str) -> Option<Pos> {
        let mut node = self;
        let mut best = self.pos;
        for segment in path_segments(path) {
            let next = match segment {
                Segment::Key(k) => node.get(k),
                Segment::Index(i) => match &node.value {
                    Value::Seq(items) => items.get(i),
                    _ => None,
                },
            };
            match next {
                Some(n) => {
                    node = n;
                    best = n.pos.or(best);
                }
                None => break,
            }
        }
        best
    }

    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "an object",
        }
    }
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// Splits `a.b[2].c` into keys and indexes. Keys containing dots (annotation keys) are
/// written `metadata.annotations[example.com/x]` and come back whole.
fn path_segments(path: &str) -> impl Iterator<Item = Segment<'_>> {
    let mut rest = path;
    core::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        if let Some(after) = rest.strip_prefix('.') {
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').unwrap_or(after.len());
            let inner = after.get(..end).unwrap_or("");
            rest = after.get(end + 1..).unwrap_or("");
            return Some(match inner.parse::<usize>() {
                Ok(i) => Segment::Index(i),
                Err(_) => Segment::Key(inner),
            });
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let key = rest.get(..end).unwrap_or("");
        rest = rest.get(end..).unwrap_or("");
        return Some(Segment::Key(key));
    })
}

/// A map's entries as written, repeated keys settled: each key keeps the place it first had
/// and takes the value written last, as in encoding/json and go-yaml v2 (later keys win).
/// O(n log n): a map of more than 16 entries is checked for repeats by a sort of positions.
pub(crate) fn last_wins(entries: Vec<(String, Tree)>) -> Vec<(String, Tree)> {
    // Most maps are small and have no repeats: a scan, without allocating.
    if entries.len() <= 16 && !entries.iter().enumerate().any(|(i, (k, _))| entries.iter().take(i).any(|(e, _)| e == k))
    {
        return entries;
    }
    let order = crate::sort::order_by(&entries, |a, b| a.0.cmp(&b.0));
    let same = |a: &usize, b: &usize| entries.get(*a).map(|e| &e.0) == entries.get(*b).map(|e| &e.0);
    if !order.windows(2).any(|w| matches!(w, [a, b] if same(a, b))) {
        return entries;
    }
    // For each entry: the position whose value it takes, or none when an earlier entry of the
    // same key holds the place.
    let mut source: Vec<Option<usize>> = alloc::vec![None; entries.len()];
    for group in order.chunk_by(same) {
        if let (Some(first), Some(last)) = (group.first(), group.last()) {
            if let Some(slot) = source.get_mut(*first) {
                *slot = Some(*last);
            }
        }
    }
    let mut slots: Vec<Option<(String, Tree)>> = entries.into_iter().map(Some).collect();
    let mut out = Vec::new();
    for (i, from) in source.into_iter().enumerate() {
        let Some(from) = from else { continue };
        let Some((key, first_value)) = slots.get_mut(i).and_then(Option::take) else { continue };
        let value = match slots.get_mut(from).and_then(Option::take) {
            Some((_, last_value)) => {
                drop_flat(first_value);
                last_value
            }
            None => first_value,
        };
        out.push((key, value));
    }
    slots.into_iter().flatten().for_each(|(_, v)| drop_flat(v));
    out
}

/// Drops a tree without recursion: a tree too deep to load must not overflow the stack when
/// it is freed either.
pub(crate) fn drop_flat(tree: Tree) {
    let mut stack = alloc::vec![tree];
    while let Some(t) = stack.pop() {
        match t.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

/// Builds [`Value`]s from any serde data format.
struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-like value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(number(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.into()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Tree>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Tree)> = Vec::new();
        while let Some(key) = map.next_key::<KeyString>()? {
            entries.push((key.0, map.next_value::<Tree>()?));
        }
        Ok(Value::Map(last_wins(entries)))
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor).map(Tree::new)
    }
}

/// A map key: YAML allows non-string scalar keys (`80: x`, `true: y`); they become strings.
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tree = Tree::deserialize(d)?;
        Ok(KeyString(match tree.value {
            Value::Str(s) => s,
            Value::Int(i) => alloc::format!("{i}"),
            Value::Bool(b) => alloc::format!("{b}"),
            Value::Null => String::new(),
            Value::Float(f) => alloc::format!("{f}"),
            Value::Seq(_) | Value::Map(_) => return Err(de::Error::custom("a map key must be a scalar")),
        }))
    }
}

impl serde::Serialize for Tree {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match &self.value {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(v) => s.serialize_str(v),
            Value::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn json_keeps_key_order_and_last_duplicate_wins() {
        let t: Tree = serde_json::from_str(r#"{"b":1,"a":{"x":[1,2.5,"s",null,true]},"b":2}"#).unwrap();
        let Value::Map(entries) = &t.value else { unreachable!() };
        assert_eq!(entries[0].0, "b");
        assert_eq!(entries[0].1.value, Value::Int(2));
        assert_eq!(t.pos_at("a.x[1]"), None);
    }

    #[test]
    fn path_segments_handle_brackets_and_dotted_keys() {
        let t: Tree = serde_json::from_str(r#"{"m":{"annotations":{"a.b/c":"v"}}}"#).unwrap();
        assert_eq!(t.get("m").unwrap().get("annotations").unwrap().get("a.b/c").unwrap().as_str(), Some("v"));
        let keys: Vec<_> = path_segments("spec.ports[0].x[a.b/c]")
            .map(|s| match s {
                Segment::Key(k) => String::from(k),
                Segment::Index(i) => alloc::format!("#{i}"),
            })
            .collect();
        assert_eq!(keys, ["spec", "ports", "#0", "x", "a.b/c"]);
    }
}
