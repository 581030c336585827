//! The npm package `kroute` (placeholder until the façade lands).
