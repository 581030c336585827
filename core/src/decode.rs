//! Typed reading of a [`Tree`]: each accessor checks the JSON type the Kubernetes API expects
//! and fails with the field path and position, the way the API server rejects
//! `metadata: kubia` ("expected an object"). Unknown fields are ignored.

use crate::error::Error;
use crate::tree::{Tree, Value};
use alloc::{collections::BTreeMap, format, string::String, vec::Vec};

/// Result of reading a field.
pub(crate) type Read<T> = Result<T, Error>;

/// A map node with the field path that leads to it.
#[derive(Clone, Copy)]
pub(crate) struct Obj<'t> {
    tree: &'t Tree,
    entries: &'t [(String, Tree)],
    path: &'t str,
}

/// A type error at `tree`, reported with its path and position.
pub(crate) fn type_error(tree: &Tree, path: &str, expected: &str) -> Error {
    // Only YAML text has positions: there, say why a word or digits are not a string.
    let hint = match (&tree.value, tree.pos.is_some() && expected.contains("string")) {
        (Value::Bool(_), true) => {
            ": YAML reads an unquoted true, false, yes, no, on, off, y or n as a boolean, as kubectl does; quote it"
        }
        (Value::Int(_) | Value::Float(_), true) => ": YAML reads unquoted digits as a number; quote them",
        _ => "",
    };
    let mut e = Error::manifest(format!("expected {expected}, found {}{hint}", tree.type_name()));
    e.field = (!path.is_empty()).then(|| String::from(path));
    crate::limits::at_pos(e, tree.pos)
}

/// Joins a field path and a key: `spec` + `ports` → `spec.ports`.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        String::from(key)
    } else if key.contains(['.', '/']) {
        format!("{path}[{key}]")
    } else {
        format!("{path}.{key}")
    }
}

impl<'t> Obj<'t> {
    /// Reads `tree` as an object; `null` reads as an empty object.
    pub(crate) fn new(tree: &'t Tree, path: &'t str) -> Read<Self> {
        match &tree.value {
            Value::Map(entries) => Ok(Self { tree, entries, path }),
            Value::Null => Ok(Self { tree, entries: &[], path }),
            _ => Err(type_error(tree, path, "an object")),
        }
    }

    /// The raw child `key`, absent when missing or `null`.
    pub(crate) fn get(&self, key: &str) -> Option<&'t Tree> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v).filter(|t| t.value != Value::Null)
    }

    /// The tree this object was read from.
    pub(crate) fn tree(&self) -> &'t Tree {
        self.tree
    }

    /// The child object `key`, read by `f` with its path; `T::default()` when absent.
    pub(crate) fn obj<T: Default>(&self, key: &str, f: impl FnOnce(Obj<'_>) -> Read<T>) -> Read<T> {
        match self.get(key) {
            None => Ok(T::default()),
            Some(t) => {
                let path = join(self.path, key);
                f(Obj::new(t, &path)?)
            }
        }
    }

    /// The child object `key` as `Some`, `None` when absent.
    pub(crate) fn opt_obj<T>(&self, key: &str, f: impl FnOnce(Obj<'_>) -> Read<T>) -> Read<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(t) => {
                let path = join(self.path, key);
                f(Obj::new(t, &path)?).map(Some)
            }
        }
    }

    /// The list `key`, each element an object read by `f`.
    pub(crate) fn list<T>(&self, key: &str, mut f: impl FnMut(Obj<'_>) -> Read<T>) -> Read<Vec<T>> {
        let Some(t) = self.get(key) else {
            return Ok(Vec::new());
        };
        let path = join(self.path, key);
        let Value::Seq(items) = &t.value else {
            return Err(type_error(t, &path, "a list"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let item_path = format!("{path}[{i}]");
                f(Obj::new(item, &item_path)?)
            })
            .collect()
    }

    /// The list of strings `key`.
    pub(crate) fn strings(&self, key: &str) -> Read<Vec<String>> {
        let Some(t) = self.get(key) else {
            return Ok(Vec::new());
        };
        let path = join(self.path, key);
        let Value::Seq(items) = &t.value else {
            return Err(type_error(t, &path, "a list of strings"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match &item.value {
                Value::Str(s) => Ok(s.clone()),
                _ => Err(type_error(item, &format!("{path}[{i}]"), "a string")),
            })
            .collect()
    }

    /// The string `key`.
    pub(crate) fn str(&self, key: &str) -> Read<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(t) => match &t.value {
                Value::Str(s) => Ok(Some(s.clone())),
                _ => Err(type_error(t, &join(self.path, key), "a string")),
            },
        }
    }

    /// The string `key`, empty when absent.
    pub(crate) fn string(&self, key: &str) -> Read<String> {
        self.str(key).map(Option::unwrap_or_default)
    }

    /// The integer `key` (within `i64`).
    pub(crate) fn int(&self, key: &str) -> Read<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(t) => match t.value {
                Value::Int(i) => Ok(Some(i)),
                _ => Err(type_error(t, &join(self.path, key), "an integer")),
            },
        }
    }

    /// The boolean `key`.
    pub(crate) fn bool(&self, key: &str) -> Read<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(t) => match t.value {
                Value::Bool(b) => Ok(Some(b)),
                _ => Err(type_error(t, &join(self.path, key), "a boolean")),
            },
        }
    }

    /// The `map[string]string` `key` (labels, annotations, selectors).
    pub(crate) fn string_map(&self, key: &str) -> Read<Option<BTreeMap<String, String>>> {
        let Some(t) = self.get(key) else {
            return Ok(None);
        };
        let path = join(self.path, key);
        let Value::Map(entries) = &t.value else {
            return Err(type_error(t, &path, "a map of strings"));
        };
        let mut map = BTreeMap::new();
        for (k, v) in entries {
            match &v.value {
                Value::Str(s) => {
                    map.insert(k.clone(), s.clone());
                }
                Value::Null => {
                    map.insert(k.clone(), String::new());
                }
                _ => return Err(type_error(v, &join(&path, k), "a string")),
            }
        }
        Ok(Some(map))
    }

    /// An `IntOrString` field (`targetPort`, Ingress `port`).
    pub(crate) fn int_or_string(&self, key: &str) -> Read<Option<crate::model::IntOrString>> {
        use crate::model::IntOrString;
        match self.get(key) {
            None => Ok(None),
            Some(t) => match &t.value {
                Value::Int(i) => Ok(Some(IntOrString::Int(*i))),
                Value::Str(s) => Ok(Some(IntOrString::Str(s.clone()))),
                _ => Err(type_error(t, &join(self.path, key), "an integer or a string")),
            },
        }
    }
}
