//! Runner for `tests/vectors/*.json` lives in `tests/vectors.rs`.
