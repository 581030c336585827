//! kroute: Kubernetes Service networking reproduced offline.
//!
//! Load manifests into a [`Cluster`], then ask it questions: which endpoints back a Service,
//! which pods a label [`Selector`] picks, and (in later modules) where a request goes and why.
//! Every rule cites `spec/kubernetes-semantics.md` (the project's shared spec) by section.
//!
//! ```
//! let yaml = "
//! apiVersion: v1
//! kind: Service
//! metadata: {name: kubia}
//! spec:
//!   selector: {app: kubia}
//!   ports: [{port: 80, targetPort: 8080}]
//! ---
//! apiVersion: v1
//! kind: Pod
//! metadata: {name: kubia-1, labels: {app: kubia}}
//! spec: {containers: [{name: kubia}]}
//! status: {podIP: 10.244.0.5, conditions: [{type: Ready, status: 'True'}]}
//! ";
//! let cluster = kroute::Cluster::from_yaml(yaml, &kroute::Options::default()).unwrap();
//! let eps = cluster.endpoints("default", "kubia").unwrap();
//! assert_eq!(eps[0].ip.to_string(), "10.244.0.5");
//! assert_eq!(eps[0].port, 8080);
//! assert!(eps[0].conditions.ready);
//! ```
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod alloc_ip;
mod cluster;
mod decode;
mod defaults;
mod diagnostic;
mod dns;
mod endpoint_slice_controller;
mod endpoints;
mod envvars;
mod error;
mod evaluate;
mod fast_map;
mod hints;
pub mod http;
mod ip_text;
mod limits;
mod load;
pub mod model;
pub mod names;
mod origins;
mod pod_index;
mod resolver;
pub mod router;
mod selector;
mod short_eq;
mod sort;
mod tree;
mod validate;
mod watch;
mod wide_mul;
#[cfg(feature = "yaml")]
mod yaml;

pub use cluster::{Cluster, Options};
pub use diagnostic::{Diagnostic, ObjectRef, Severity};
pub use dns::{dashed_ip, reverse_name, DnsAnswer, PodsMode, QType, Rcode, Record};
pub use endpoint_slice_controller::EndpointSliceController;
pub use endpoints::{Conditions, Endpoint};
pub use envvars::{env_name, EnvVar};
pub use error::{Error, ErrorKind};
pub use limits::Limits;
pub use pod_index::PodIndex;
pub use resolver::{candidates, search_list};
pub use router::{
    Balancer, Conn, ConnDecision, HttpRouted, ProbeStep, Router, RouterConfig, UsableEndpoints, Verdict, Via,
};
pub use selector::{Labels, Operator, Requirement, Selector};
pub use tree::{Pos, Tree, Value};
pub use watch::EventOutcome;
