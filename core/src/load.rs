//! Documents → typed objects: `List` flattening, kind dispatch, names and namespaces,
//! duplicates. Keeps each object's tree so later findings can point at a line and column.

use crate::diagnostic::{Diagnostic, ObjectRef, Severity};
use crate::error::Error;
use crate::limits::{at_pos, over, Limits};
use crate::model::Object;
use crate::tree::{Pos, Tree, Value};
use alloc::{collections::BTreeMap, format, string::String, vec::Vec};

/// An object with where it came from.
pub(crate) struct Loaded {
    /// The object.
    pub(crate) object: Object,
    /// Index into [`Sources`].
    pub(crate) src: usize,
}

/// The trees objects were read from, kept while a Cluster is built.
#[derive(Default)]
pub(crate) struct Sources {
    entries: Vec<(usize, Tree)>,
}

impl Sources {
    /// Registers an object kroute made up (like `default/kubernetes`): no document, no position.
    pub(crate) fn synthetic(&mut self) -> usize {
        self.entries.push((usize::MAX, Tree::new(Value::Null)));
        self.entries.len() - 1
    }

    /// The document index and position of `field` in source `src`.
    pub(crate) fn locate(&self, src: usize, field: Option<&str>) -> (Option<usize>, Option<Pos>) {
        match self.entries.get(src) {
            None => (None, None),
            Some((doc, tree)) => ((*doc != usize::MAX).then_some(*doc), field.map_or(tree.pos, |f| tree.pos_at(f))),
        }
    }
}

/// Collects diagnostics, locating each in its source.
pub(crate) struct Findings<'s> {
    sources: &'s Sources,
    /// The findings so far.
    pub(crate) out: Vec<Diagnostic>,
}

impl<'s> Findings<'s> {
    /// Empty findings over `sources`.
    pub(crate) fn new(sources: &'s Sources) -> Self {
        Self { sources, out: Vec::new() }
    }

    /// Records a finding about the object `at` (if any), at `field` inside it.
    pub(crate) fn add(
        &mut self,
        at: Option<At<'_>>,
        field: Option<&str>,
        severity: Severity,
        code: &'static str,
        message: String,
    ) {
        let (document, pos, object) = match at {
            Some(at) => {
                let (doc, pos) = self.sources.locate(at.src, field);
                let object = ObjectRef {
                    kind: String::from(at.kind),
                    namespace: at.meta.namespace.clone(),
                    name: at.meta.name.clone(),
                };
                (doc, pos, Some(object))
            }
            None => (None, None, None),
        };
        self.out.push(Diagnostic {
            severity,
            code,
            message,
            object,
            field: field.map(String::from),
            document,
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
        });
    }
}

/// Which object a finding is about, and where it was read from.
#[derive(Clone, Copy)]
pub(crate) struct At<'a> {
    /// Kind, like `Service`.
    pub(crate) kind: &'static str,
    /// Its metadata.
    pub(crate) meta: &'a crate::model::ObjectMeta,
    /// Its source index.
    pub(crate) src: usize,
}

impl Loaded {
    /// The finding target for this object.
    pub(crate) fn at(&self) -> At<'_> {
        At { kind: self.object.kind(), meta: self.object.meta(), src: self.src }
    }
}

/// The reference to an object in a finding.
pub(crate) fn object_ref(o: &Object) -> ObjectRef {
    let meta = o.meta();
    ObjectRef { kind: String::from(o.kind()), namespace: meta.namespace.clone(), name: meta.name.clone() }
}

/// Reads documents into objects within `limits`. `default_namespace` fills namespaced objects
/// without one.
pub(crate) fn load(
    docs: Vec<Tree>,
    default_namespace: &str,
    limits: &Limits,
    sources: &mut Sources,
    findings: &mut Vec<Diagnostic>,
) -> Result<Vec<Loaded>, Error> {
    limits.check()?;
    if let Some(extra) = docs.get(limits.max_documents) {
        let e = over(&format!("{} documents", docs.len()), "maxDocuments", limits.max_documents);
        return Err(at_document(at_pos(e, extra.pos), limits.max_documents));
    }
    let checked =
        docs.iter().enumerate().try_for_each(|(doc, t)| limits.check_tree(t).map_err(|e| at_document(e, doc)));
    if let Err(e) = checked {
        docs.into_iter().for_each(crate::tree::drop_flat);
        return Err(e);
    }
    let mut flat: Vec<(usize, String, Tree)> = Vec::new();
    for (doc, tree) in docs.into_iter().enumerate() {
        flatten(doc, String::new(), tree, &mut flat);
    }
    if let Some((doc, prefix, tree)) = flat.get(limits.max_objects) {
        let mut e = over(&format!("{} objects", flat.len()), "maxObjects", limits.max_objects);
        e.field = (!prefix.is_empty()).then(|| prefix.clone());
        return Err(at_document(at_pos(e, tree.pos), *doc));
    }
    let mut by_key: BTreeMap<(&'static str, String, String), usize> = BTreeMap::new();
    let mut loaded: Vec<Option<Loaded>> = Vec::new();
    for (doc, prefix, tree) in flat {
        let note = |severity, code, message: String, pos: Option<Pos>| Diagnostic {
            severity,
            code,
            message,
            object: None,
            field: (!prefix.is_empty()).then(|| prefix.clone()),
            document: Some(doc),
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
        };
        let kind = match tree.get("kind").map(|k| &k.value) {
            Some(Value::Str(k)) => k.clone(),
            Some(_) => {
                let field = if prefix.is_empty() { String::from("kind") } else { format!("{prefix}.kind") };
                let t = tree.get("kind").unwrap_or(&tree);
                return Err(at_document(crate::decode::type_error(t, &field, "a string"), doc));
            }
            None => {
                findings.push(note(
                    Severity::Warning,
                    "missing-kind",
                    String::from("document has no `kind`; skipped"),
                    tree.pos,
                ));
                continue;
            }
        };
        let object = match Object::decode(&kind, &tree) {
            Ok(Some(o)) => o,
            Ok(None) => {
                findings.push(note(
                    Severity::Info,
                    "kind-skipped",
                    format!("kind {kind} is not modelled by kroute; skipped"),
                    tree.pos,
                ));
                continue;
            }
            Err(mut e) => {
                if !prefix.is_empty() {
                    e.field = Some(match e.field {
                        Some(f) => format!("{prefix}.{f}"),
                        None => prefix.clone(),
                    });
                }
                return Err(at_document(e, doc));
            }
        };
        let mut object = object;
        let meta = object.meta_mut();
        if meta.name.is_empty() && !meta.generate_name.is_empty() {
            meta.name = format!("{}{}", meta.generate_name, generated_suffix(doc, &prefix));
        }
        if meta.name.is_empty() {
            let pos = tree.get("metadata").and_then(|m| m.pos).or(tree.pos);
            findings.push(note(
                Severity::Error,
                "missing-name",
                format!("{kind} has no metadata.name; skipped (the API server requires one)"),
                pos,
            ));
            continue;
        }
        let namespaced = object.is_namespaced();
        let kind = object.kind();
        let meta = object.meta_mut();
        if namespaced && meta.namespace.is_empty() {
            meta.namespace = String::from(default_namespace);
        } else if !namespaced {
            meta.namespace.clear();
        }
        let key = (kind, meta.namespace.clone(), meta.name.clone());
        let src = sources.entries.len();
        sources.entries.push((doc, tree));
        let item = Loaded { object, src };
        match by_key.get(&key) {
            Some(&earlier) => {
                let (d, pos) = sources.locate(src, None);
                findings.push(Diagnostic {
                    severity: Severity::Warning,
                    code: "duplicate-object",
                    message: format!(
                        "{} {} appears more than once; the last one wins, as with kubectl apply",
                        key.0,
                        qualified(&key.1, &key.2)
                    ),
                    object: Some(object_ref(&item.object)),
                    field: None,
                    document: d,
                    line: pos.map(|p| p.line),
                    column: pos.map(|p| p.column),
                });
                if let Some(slot) = loaded.get_mut(earlier) {
                    *slot = Some(item);
                }
            }
            None => {
                by_key.insert(key, loaded.len());
                loaded.push(Some(item));
            }
        }
    }
    Ok(loaded.into_iter().flatten().collect())
}

/// `namespace/name`, or `name` for cluster-scoped objects.
pub(crate) fn qualified(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        String::from(name)
    } else {
        format!("{namespace}/{name}")
    }
}

fn at_document(mut e: Error, doc: usize) -> Error {
    e.document.get_or_insert(doc);
    e
}

/// Splits `kind: List` / `*List` documents and top-level arrays into their items.
fn flatten(doc: usize, prefix: String, tree: Tree, out: &mut Vec<(usize, String, Tree)>) {
    let is_list = match (&tree.value, tree.get("kind").and_then(Tree::as_str)) {
        (Value::Seq(_), _) => true,
        (Value::Map(_), Some(kind)) => kind.ends_with("List") && tree.get("items").is_some(),
        _ => false,
    };
    if !is_list {
        if tree.value != Value::Null {
            out.push((doc, prefix, tree));
        }
        return;
    }
    let (items, base) = match tree.value {
        Value::Seq(items) => (items, prefix),
        Value::Map(entries) => {
            let items = entries.into_iter().find(|(k, _)| k == "items").map(|(_, v)| v);
            let items = match items.map(|t| t.value) {
                Some(Value::Seq(items)) => items,
                _ => Vec::new(),
            };
            let base = if prefix.is_empty() { String::from("items") } else { format!("{prefix}.items") };
            (items, base)
        }
        _ => return,
    };
    for (i, item) in items.into_iter().enumerate() {
        flatten(doc, format!("{base}[{i}]"), item, out);
    }
}

/// A stable five-character suffix for `generateName` objects (the API server's is random).
fn generated_suffix(doc: usize, prefix: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = crate::alloc_ip::fnv1a(format!("{doc}/{prefix}").as_bytes());
    let mut s = String::new();
    for _ in 0..5 {
        let i = (h % ALPHABET.len() as u64) as usize;
        s.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'x')));
        h /= ALPHABET.len() as u64;
    }
    s
}
