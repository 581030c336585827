//! `discovery.k8s.io/v1/EndpointSlice` (spec §4.1, §4.3).

use super::endpoints::pod_ref;
use super::{read_protocol, ObjectMeta, Protocol};
use crate::decode::{Obj, Read};
use alloc::{string::String, vec::Vec};

/// An EndpointSlice, tied to its Service by the label `kubernetes.io/service-name`.
#[derive(Clone, Debug, Default)]
pub struct EndpointSlice {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// `addressType`: `IPv4`, `IPv6` or `FQDN`.
    pub address_type: String,
    /// `endpoints`.
    pub endpoints: Vec<SliceEndpoint>,
    /// `ports`.
    pub ports: Vec<SlicePort>,
}

/// `endpoints[*]`.
#[derive(Clone, Debug, Default)]
pub struct SliceEndpoint {
    /// `addresses`.
    pub addresses: Vec<String>,
    /// `conditions`.
    pub conditions: EndpointConditions,
    /// `hostname`.
    pub hostname: String,
    /// `nodeName`.
    pub node_name: String,
    /// `zone`.
    pub zone: String,
    /// `hints.forZones[*].name`.
    pub zone_hints: Vec<String>,
    /// `hints.forNodes[*].name`.
    pub node_hints: Vec<String>,
    /// `targetRef.name` for a Pod.
    pub pod: String,
}

/// `endpoints[*].conditions`: nil `ready`/`serving` mean true, nil `terminating` false (§4.3).
#[derive(Clone, Debug, Default)]
pub struct EndpointConditions {
    /// `ready`.
    pub ready: Option<bool>,
    /// `serving`.
    pub serving: Option<bool>,
    /// `terminating`.
    pub terminating: Option<bool>,
}

/// `ports[*]`.
#[derive(Clone, Debug, Default)]
pub struct SlicePort {
    /// `name`.
    pub name: String,
    /// `port`.
    pub port: Option<i64>,
    /// `protocol`.
    pub protocol: Protocol,
}

impl EndpointSlice {
    /// Reads an EndpointSlice.
    pub(crate) fn decode(o: Obj<'_>) -> Read<Self> {
        Ok(Self {
            metadata: o.obj("metadata", ObjectMeta::decode)?,
            address_type: o.string("addressType")?,
            endpoints: o.list("endpoints", |e| {
                let names = |key: &'static str| move |h: Obj<'_>| h.list(key, |z| z.string("name"));
                Ok(SliceEndpoint {
                    addresses: e.strings("addresses")?,
                    conditions: e.obj("conditions", |c| {
                        Ok(EndpointConditions {
                            ready: c.bool("ready")?,
                            serving: c.bool("serving")?,
                            terminating: c.bool("terminating")?,
                        })
                    })?,
                    hostname: e.string("hostname")?,
                    node_name: e.string("nodeName")?,
                    zone: e.string("zone")?,
                    zone_hints: e.obj("hints", names("forZones"))?,
                    node_hints: e.obj("hints", names("forNodes"))?,
                    pod: pod_ref(&e)?,
                })
            })?,
            ports: o.list("ports", |p| {
                Ok(SlicePort {
                    name: p.string("name")?,
                    port: p.int("port")?,
                    protocol: read_protocol(&p, "protocol")?.unwrap_or_default(),
                })
            })?,
        })
    }
}
