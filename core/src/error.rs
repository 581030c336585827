//! The error type: input that cannot be read at all, or wrong use of the API.
//! Problems inside readable manifests are [`crate::Diagnostic`]s instead.

use alloc::string::String;
use core::fmt;

/// What kind of failure an [`Error`] is; bindings map each to an exception class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Manifest text or objects that cannot be read: bad YAML/JSON (`a: [1,`), a string
    /// where an object belongs (`metadata: kubia`), a number where a string belongs in labels.
    Manifest,
    /// A label selector that does not parse or validate (`app in (a`, `a b`).
    Selector,
    /// A request or query that is malformed (`not a url`, an unknown DNS type).
    Request,
}

/// An error with its location: document (0-based index in a multi-document stream),
/// line and column (1-based) where known, and the field path (`spec.ports[0].port`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Error {
    /// The failure class.
    pub kind: ErrorKind,
    /// What went wrong, without the location.
    pub message: String,
    /// Index of the YAML/JSON document (or of the object in a list of objects).
    pub document: Option<usize>,
    /// 1-based line in the input text.
    pub line: Option<u32>,
    /// 1-based column in the input text (for selectors: 1-based character position).
    pub column: Option<u32>,
    /// Field path inside the object, like `spec.ports[0].port`.
    pub field: Option<String>,
}

impl Error {
    /// A manifest error without a location yet.
    pub(crate) fn manifest(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Manifest, message)
    }

    /// An error of `kind` without a location.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), document: None, line: None, column: None, field: None }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = self.document {
            write!(f, "document {d}")?;
            if self.line.is_some() {
                f.write_str(", ")?;
            } else {
                f.write_str(": ")?;
            }
        }
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: ")?,
            (Some(l), None) => write!(f, "line {l}: ")?,
            (None, Some(c)) if self.kind == ErrorKind::Selector => write!(f, "position {c}: ")?,
            _ => {}
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
