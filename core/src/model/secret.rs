//! `v1/Secret`: only what TLS routing needs (type and which keys exist; never the values).

use super::ObjectMeta;
use crate::decode::{Obj, Read};
use crate::tree::Value;
use alloc::{string::String, vec::Vec};

/// A Secret.
#[derive(Clone, Debug, Default)]
pub struct Secret {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// `type`, like `kubernetes.io/tls`.
    pub type_: String,
    /// Keys present in `data` or `stringData`, sorted.
    pub keys: Vec<String>,
}

impl Secret {
    /// Reads a Secret.
    pub(crate) fn decode(o: Obj<'_>) -> Read<Self> {
        let mut keys = Vec::new();
        for field in ["data", "stringData"] {
            if let Some(t) = o.get(field) {
                match &t.value {
                    Value::Map(entries) => keys.extend(entries.iter().map(|(k, _)| k.clone())),
                    _ => return Err(crate::decode::type_error(t, field, "a map")),
                }
            }
        }
        crate::sort::sort(&mut keys);
        keys.dedup();
        Ok(Self { metadata: o.obj("metadata", ObjectMeta::decode)?, type_: o.string("type")?, keys })
    }
}
