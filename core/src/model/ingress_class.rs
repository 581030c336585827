//! `networking.k8s.io/v1/IngressClass` (spec §3.3).

use super::ObjectMeta;
use crate::decode::{Obj, Read};
use alloc::string::String;

/// An IngressClass.
#[derive(Clone, Debug, Default)]
pub struct IngressClass {
    /// Metadata (annotation `ingressclass.kubernetes.io/is-default-class`).
    pub metadata: ObjectMeta,
    /// `spec.controller`.
    pub controller: String,
}

impl IngressClass {
    /// Reads an IngressClass.
    pub(crate) fn decode(o: Obj<'_>) -> Read<Self> {
        Ok(Self {
            metadata: o.obj("metadata", ObjectMeta::decode)?,
            controller: o.obj("spec", |s| s.string("controller"))?,
        })
    }

    /// Marked as the cluster's default class.
    pub fn is_default(&self) -> bool {
        self.metadata.annotations.get("ingressclass.kubernetes.io/is-default-class").is_some_and(|v| v == "true")
    }
}
