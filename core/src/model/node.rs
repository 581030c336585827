//! `v1/Node`: addresses (NodePort destinations) and zone.

use super::ObjectMeta;
use crate::decode::{Obj, Read};
use alloc::{string::String, vec::Vec};

/// A Node.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// Metadata (labels carry `topology.kubernetes.io/zone`).
    pub metadata: ObjectMeta,
    /// `status.addresses`.
    pub addresses: Vec<NodeAddress>,
    /// `spec.unschedulable`.
    pub unschedulable: bool,
}

/// `status.addresses[*]`.
#[derive(Clone, Debug, Default)]
pub struct NodeAddress {
    /// `type`: `InternalIP`, `ExternalIP`, `Hostname`.
    pub type_: String,
    /// `address`.
    pub address: String,
}

/// The well-known zone label.
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";

impl Node {
    /// Reads a Node.
    pub(crate) fn decode(o: Obj<'_>) -> Read<Self> {
        Ok(Self {
            metadata: o.obj("metadata", ObjectMeta::decode)?,
            unschedulable: o.obj("spec", |s| s.bool("unschedulable"))?.unwrap_or(false),
            addresses: o.obj("status", |s| {
                s.list("addresses", |a| Ok(NodeAddress { type_: a.string("type")?, address: a.string("address")? }))
            })?,
        })
    }

    /// The node's zone label, if any.
    pub fn zone(&self) -> Option<&str> {
        self.metadata.labels.get(ZONE_LABEL).map(String::as_str)
    }
}
