//! `networking.k8s.io/v1/Ingress` (spec §3).

use super::{IntOrString, ObjectMeta};
use crate::decode::{Obj, Read};
use alloc::{string::String, vec::Vec};

/// An Ingress.
#[derive(Clone, Debug, Default)]
pub struct Ingress {
    /// Metadata (annotations carry `kubernetes.io/ingress.class`).
    pub metadata: ObjectMeta,
    /// `spec.ingressClassName`.
    pub ingress_class_name: Option<String>,
    /// `spec.defaultBackend` (also the old `spec.backend`).
    pub default_backend: Option<IngressBackend>,
    /// `spec.tls`.
    pub tls: Vec<IngressTls>,
    /// `spec.rules`.
    pub rules: Vec<IngressRule>,
}

/// `spec.tls[*]`.
#[derive(Clone, Debug, Default)]
pub struct IngressTls {
    /// `hosts`.
    pub hosts: Vec<String>,
    /// `secretName`.
    pub secret_name: String,
}

/// `spec.rules[*]`.
#[derive(Clone, Debug, Default)]
pub struct IngressRule {
    /// `host` (empty: every host).
    pub host: String,
    /// `http.paths`; `None` when the rule has no `http`.
    pub paths: Option<Vec<HttpPath>>,
}

/// `pathType` (§3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum PathType {
    /// Case-sensitive exact match.
    Exact,
    /// Element-wise prefix match.
    Prefix,
    /// Up to the IngressClass (kroute: Prefix unless a profile says otherwise).
    ImplementationSpecific,
}

/// `http.paths[*]`.
#[derive(Clone, Debug, Default)]
pub struct HttpPath {
    /// `path` (may be empty for ImplementationSpecific).
    pub path: String,
    /// `pathType` as written; `None` when missing (a validation error).
    pub path_type: Option<String>,
    /// `backend`.
    pub backend: IngressBackend,
}

/// A backend: a Service port or a resource.
#[derive(Clone, Debug, Default)]
pub struct IngressBackend {
    /// `service`.
    pub service: Option<IngressServiceBackend>,
    /// `resource`.
    pub resource: Option<ResourceBackend>,
}

/// `backend.service`: name and port (number xor name). The pre-v1 `serviceName`/`servicePort`
/// spelling of the seed is read too.
#[derive(Clone, Debug, Default)]
pub struct IngressServiceBackend {
    /// `name`.
    pub name: String,
    /// `port.number` or `port.name`; `None` when neither is set.
    pub port: Option<IntOrString>,
    /// Both `port.number` and `port.name` were set (a validation error).
    pub port_both: bool,
}

/// `backend.resource`.
#[derive(Clone, Debug, Default)]
pub struct ResourceBackend {
    /// `apiGroup`.
    pub api_group: String,
    /// `kind`.
    pub kind: String,
    /// `name`.
    pub name: String,
}

impl PathType {
    /// Parses the API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Exact" => Some(Self::Exact),
            "Prefix" => Some(Self::Prefix),
            "ImplementationSpecific" => Some(Self::ImplementationSpecific),
            _ => None,
        }
    }
}

impl Ingress {
    /// Reads an Ingress.
    pub(crate) fn decode(o: Obj<'_>) -> Read<Self> {
        let mut ing = Self { metadata: o.obj("metadata", ObjectMeta::decode)?, ..Self::default() };
        // The v1beta1 APIs defaulted a missing pathType to ImplementationSpecific.
        let legacy = o.str("apiVersion")?.is_some_and(|v| v.ends_with("/v1beta1"));
        o.obj("spec", |s| {
            ing.ingress_class_name = s.str("ingressClassName")?;
            ing.default_backend = match s.opt_obj("defaultBackend", IngressBackend::decode)? {
                Some(b) => Some(b),
                None => s.opt_obj("backend", IngressBackend::decode)?,
            };
            ing.tls =
                s.list("tls", |t| Ok(IngressTls { hosts: t.strings("hosts")?, secret_name: t.string("secretName")? }))?;
            ing.rules = s.list("rules", |r| {
                Ok(IngressRule {
                    host: r.string("host")?,
                    paths: r.opt_obj("http", |h| {
                        h.list("paths", |p| {
                            Ok(HttpPath {
                                path: p.string("path")?,
                                path_type: p
                                    .str("pathType")?
                                    .or_else(|| legacy.then(|| String::from("ImplementationSpecific"))),
                                backend: p.obj("backend", IngressBackend::decode)?,
                            })
                        })
                    })?,
                })
            })?;
            Ok(())
        })?;
        Ok(ing)
    }
}

impl IngressBackend {
    fn decode(o: Obj<'_>) -> Read<Self> {
        let mut service = o.opt_obj("service", |s| {
            let (port, port_both) = s.obj("port", |p| {
                let number = p.int("number")?;
                let name = p.str("name")?.filter(|n| !n.is_empty());
                Ok(match (number, name) {
                    (Some(n), Some(_)) => (Some(IntOrString::Int(n)), true),
                    (Some(n), None) => (Some(IntOrString::Int(n)), false),
                    (None, Some(n)) => (Some(IntOrString::Str(n)), false),
                    (None, None) => (None, false),
                })
            })?;
            Ok(IngressServiceBackend { name: s.string("name")?, port, port_both })
        })?;
        if service.is_none() {
            if let Some(name) = o.str("serviceName")? {
                service = Some(IngressServiceBackend { name, port: o.int_or_string("servicePort")?, port_both: false });
            }
        }
        let resource = o.opt_obj("resource", |r| {
            Ok(ResourceBackend { api_group: r.string("apiGroup")?, kind: r.string("kind")?, name: r.string("name")? })
        })?;
        Ok(Self { service, resource })
    }
}
