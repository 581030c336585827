//! Minimal typed Kubernetes objects: the fields routing needs, under their API names
//! (`spec/kubernetes-semantics.md` §3–§4). Unknown fields are ignored when reading.

mod endpoint_slice;
mod endpoints;
mod ingress;
mod ingress_class;
pub mod label_selector;
mod meta;
mod node;
mod pod;
mod secret;
mod service;

pub use endpoint_slice::{EndpointConditions, EndpointSlice, SliceEndpoint, SlicePort};
pub use endpoints::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints};
pub use ingress::{
    HttpPath, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressTls, PathType, ResourceBackend,
};
pub use ingress_class::IngressClass;
pub use label_selector::{LabelSelector, LabelSelectorRequirement};
pub use meta::ObjectMeta;
pub(crate) use meta::{find_named, find_named_near, position};
pub use node::{Node, NodeAddress};
pub use pod::{Container, ContainerPort, EnvVar, Pod, PodCondition, Probe};
pub use secret::Secret;
pub use service::{LoadBalancerIngress, Service, ServicePort, ServiceType};

use alloc::string::String;

/// `intstr.IntOrString`: a port number or a port name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IntOrString {
    /// A number (kept wide so validation can report out-of-range values).
    Int(i64),
    /// A name.
    Str(String),
}

impl core::fmt::Display for IntOrString {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Int(i) => write!(f, "{i}"),
            Self::Str(s) => f.write_str(s),
        }
    }
}

/// Transport protocol of a port (`TCP` default, spec §4.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Protocol {
    /// TCP.
    #[default]
    TCP,
    /// UDP.
    UDP,
    /// SCTP.
    SCTP,
}

impl Protocol {
    /// Parses `TCP`/`UDP`/`SCTP` (case-sensitive, as the API is).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "TCP" => Some(Self::TCP),
            "UDP" => Some(Self::UDP),
            "SCTP" => Some(Self::SCTP),
            _ => None,
        }
    }

    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TCP => "TCP",
            Self::UDP => "UDP",
            Self::SCTP => "SCTP",
        }
    }
}

/// Reads a protocol field; unknown values are an error.
pub(crate) fn read_protocol(o: &crate::decode::Obj<'_>, key: &str) -> crate::decode::Read<Option<Protocol>> {
    match o.str(key)? {
        None => Ok(None),
        Some(s) => Protocol::parse(&s).map(Some).ok_or_else(|| {
            let tree = o.get(key).unwrap_or(o.tree());
            let mut e = crate::decode::type_error(tree, "", "");
            e.message = alloc::format!("unsupported value \"{s}\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
            e.field = Some(crate::decode::join("", key));
            e
        }),
    }
}

/// Any object kroute reads.
#[derive(Clone, Debug)]
pub enum Object {
    /// `v1/Pod`.
    Pod(Pod),
    /// `v1/Service`.
    Service(Service),
    /// `v1/Endpoints`.
    Endpoints(Endpoints),
    /// `discovery.k8s.io/v1/EndpointSlice`.
    EndpointSlice(EndpointSlice),
    /// `v1/Node`.
    Node(Node),
    /// `networking.k8s.io/v1/Ingress`.
    Ingress(Ingress),
    /// `networking.k8s.io/v1/IngressClass`.
    IngressClass(IngressClass),
    /// `v1/Secret`.
    Secret(Secret),
}

impl Object {
    /// The object's metadata.
    pub fn meta(&self) -> &ObjectMeta {
        match self {
            Self::Pod(o) => &o.metadata,
            Self::Service(o) => &o.metadata,
            Self::Endpoints(o) => &o.metadata,
            Self::EndpointSlice(o) => &o.metadata,
            Self::Node(o) => &o.metadata,
            Self::Ingress(o) => &o.metadata,
            Self::IngressClass(o) => &o.metadata,
            Self::Secret(o) => &o.metadata,
        }
    }

    /// Mutable metadata (defaulting).
    pub(crate) fn meta_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Self::Pod(o) => &mut o.metadata,
            Self::Service(o) => &mut o.metadata,
            Self::Endpoints(o) => &mut o.metadata,
            Self::EndpointSlice(o) => &mut o.metadata,
            Self::Node(o) => &mut o.metadata,
            Self::Ingress(o) => &mut o.metadata,
            Self::IngressClass(o) => &mut o.metadata,
            Self::Secret(o) => &mut o.metadata,
        }
    }

    /// The kind, as in `kind:`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Pod(_) => "Pod",
            Self::Service(_) => "Service",
            Self::Endpoints(_) => "Endpoints",
            Self::EndpointSlice(_) => "EndpointSlice",
            Self::Node(_) => "Node",
            Self::Ingress(_) => "Ingress",
            Self::IngressClass(_) => "IngressClass",
            Self::Secret(_) => "Secret",
        }
    }

    /// Whether the kind lives in a namespace.
    pub fn is_namespaced(&self) -> bool {
        !matches!(self, Self::Node(_) | Self::IngressClass(_))
    }

    /// Reads an object of `kind` from `tree`; `None` for kinds kroute does not model.
    pub(crate) fn decode(kind: &str, tree: &crate::tree::Tree) -> crate::decode::Read<Option<Self>> {
        let o = crate::decode::Obj::new(tree, "")?;
        Ok(Some(match kind {
            "Pod" => Self::Pod(Pod::decode(o)?),
            "Service" => Self::Service(Service::decode(o)?),
            "Endpoints" => Self::Endpoints(Endpoints::decode(o)?),
            "EndpointSlice" => Self::EndpointSlice(EndpointSlice::decode(o)?),
            "Node" => Self::Node(Node::decode(o)?),
            "Ingress" => Self::Ingress(Ingress::decode(o)?),
            "IngressClass" => Self::IngressClass(IngressClass::decode(o)?),
            "Secret" => Self::Secret(Secret::decode(o)?),
            _ => return Ok(None),
        }))
    }
}
