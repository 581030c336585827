//! The Python module `kroute` (placeholder until the façade lands).
