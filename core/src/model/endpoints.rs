//! `v1/Endpoints`: the legacy, manually writable endpoint list (seed: external-service).

use super::{read_protocol, ObjectMeta, Protocol};
use crate::decode::{Obj, Read};
use alloc::{string::String, vec::Vec};

/// An Endpoints object (same name as its Service).
#[derive(Clone, Debug, Default)]
pub struct Endpoints {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// `subsets`.
    pub subsets: Vec<EndpointSubset>,
}

/// `subsets[*]`: addresses × ports.
#[derive(Clone, Debug, Default)]
pub struct EndpointSubset {
    /// `addresses` (ready).
    pub addresses: Vec<EndpointAddress>,
    /// `notReadyAddresses`.
    pub not_ready_addresses: Vec<EndpointAddress>,
    /// `ports`.
    pub ports: Vec<EndpointPort>,
}

/// `subsets[*].addresses[*]`.
#[derive(Clone, Debug, Default)]
pub struct EndpointAddress {
    /// `ip`.
    pub ip: String,
    /// `hostname`.
    pub hostname: String,
    /// `nodeName`.
    pub node_name: String,
    /// `targetRef.name` when it refers to a Pod.
    pub pod: String,
}

/// `subsets[*].ports[*]`.
#[derive(Clone, Debug, Default)]
pub struct EndpointPort {
    /// `name`.
    pub name: String,
    /// `port`.
    pub port: i64,
    /// `protocol` (default TCP).
    pub protocol: Protocol,
}

impl Endpoints {
    /// Reads an Endpoints object.
    pub(crate) fn decode(o: Obj<'_>) -> Read<Self> {
        Ok(Self {
            metadata: o.obj("metadata", ObjectMeta::decode)?,
            subsets: o.list("subsets", |s| {
                Ok(EndpointSubset {
                    addresses: s.list("addresses", EndpointAddress::decode)?,
                    not_ready_addresses: s.list("notReadyAddresses", EndpointAddress::decode)?,
                    ports: s.list("ports", |p| {
                        Ok(EndpointPort {
                            name: p.string("name")?,
                            port: p.int("port")?.unwrap_or(0),
                            protocol: read_protocol(&p, "protocol")?.unwrap_or_default(),
                        })
                    })?,
                })
            })?,
        })
    }
}

impl EndpointAddress {
    fn decode(o: Obj<'_>) -> Read<Self> {
        Ok(Self {
            ip: o.string("ip")?,
            hostname: o.string("hostname")?,
            node_name: o.string("nodeName")?,
            pod: pod_ref(&o)?,
        })
    }
}

/// `targetRef.name` when `targetRef.kind` is Pod (or unset).
pub(crate) fn pod_ref(o: &Obj<'_>) -> Read<String> {
    o.obj("targetRef", |r| {
        let kind = r.string("kind")?;
        if kind.is_empty() || kind == "Pod" {
            r.string("name")
        } else {
            Ok(String::new())
        }
    })
}
