//! Findings about readable manifests: values, never errors.

use alloc::string::String;

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing (a skipped kind, a defaulted field).
    Info,
    /// Probably a mistake (a Service selecting no pod).
    Warning,
    /// The API server would reject this, or routing cannot work.
    Error,
}

/// The object a diagnostic is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct ObjectRef {
    /// Kind, like `Service`.
    pub kind: String,
    /// Namespace (empty for cluster-scoped objects).
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// One finding: what, where (object, field path, line and column) and how serious.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// Severity.
    pub severity: Severity,
    /// A stable kebab-case code, like `service-selects-nothing`.
    pub code: &'static str,
    /// A sentence for humans.
    pub message: String,
    /// The object concerned, if any.
    pub object: Option<ObjectRef>,
    /// The field path inside the object, like `spec.ports[0].targetPort`.
    pub field: Option<String>,
    /// Index of the document the object came from.
    pub document: Option<usize>,
    /// 1-based line of the field (or of the object) in the input text.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
}
