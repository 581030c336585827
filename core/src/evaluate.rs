//! The per-object evaluations behind a Cluster's endpoints and findings, shared by a full
//! build and by watch events (which re-run only the ones an event affects).

use crate::endpoints::{compute, Inputs};
use crate::hints::EnvNames;
use crate::load::{At, Findings, Sources};
use crate::model::{Ingress, IngressClass, Secret, Service};
use crate::origins::{object_key, Stage, Tagged};
use crate::pod_index::PodIndex;
use crate::{Cluster, Options};
use core::mem::take;

/// What the evaluations read besides the Cluster: where objects came from, the pod index
/// (none: scan), and the explicit container env names.
pub(crate) struct Context<'a> {
    /// The sources findings are located in.
    pub(crate) sources: &'a Sources,
    /// Pods by label, when built.
    pub(crate) index: Option<&'a PodIndex>,
    /// Explicit env names of the pods (at least of the namespaces evaluated).
    pub(crate) env: &'a EnvNames,
}

impl Cluster {
    /// Computes the endpoints of the Service at `i` and checks it against its pods.
    pub(crate) fn evaluate_service(&mut self, i: usize, src: usize, cx: &Context<'_>, out: &mut Tagged) {
        let Some(svc) = self.services.get(i) else { return };
        let mut f = Findings::new(cx.sources);
        let inputs = Inputs {
            pods: &self.pods,
            index: cx.index,
            endpoints: &self.endpoints_objects,
            slices: &self.slices,
            zones: &self.node_zones,
        };
        let eps = compute(svc, &inputs, &mut f);
        out.extend(Stage::Compute, Some(&object_key("Service", &svc.metadata)), take(&mut f.out));
        if let Some(slot) = self.service_endpoints.get_mut(i) {
            *slot = eps;
        }
        self.check_service(i, src, cx, out);
    }

    /// Checks the Service at `i` against its pods and its endpoints as computed.
    pub(crate) fn check_service(&self, i: usize, src: usize, cx: &Context<'_>, out: &mut Tagged) {
        let (Some(svc), Some(eps)) = (self.services.get(i), self.service_endpoints.get(i)) else { return };
        let mut f = Findings::new(cx.sources);
        let manual = {
            let k = (svc.metadata.namespace.clone(), svc.metadata.name.clone());
            self.endpoints_objects.contains_key(&k) || self.slices.contains_key(&k)
        };
        let at = At { kind: "Service", meta: &svc.metadata, src };
        crate::hints::service(svc, at, &self.pods, cx.index, eps, manual, &mut f);
        out.extend(Stage::ServiceHints, Some(&object_key("Service", &svc.metadata)), f.out);
    }

    /// The env-var checks of the Service at `i`.
    pub(crate) fn evaluate_env(&self, i: usize, src: usize, cx: &Context<'_>, out: &mut Tagged) {
        let Some(svc) = self.services.get(i) else { return };
        let mut f = Findings::new(cx.sources);
        crate::hints::env(svc, At { kind: "Service", meta: &svc.metadata, src }, cx.env, &mut f);
        out.extend(Stage::EnvHints, Some(&object_key("Service", &svc.metadata)), f.out);
    }

    /// The backend checks of the Ingress at `j`.
    pub(crate) fn evaluate_ingress(&self, j: usize, src: usize, sources: &Sources, out: &mut Tagged) {
        let Some(ing) = self.ingresses.get(j) else { return };
        let mut f = Findings::new(sources);
        let service = |ns: &str, name: &str| self.service(ns, name);
        crate::hints::ingress(ing, At { kind: "Ingress", meta: &ing.metadata, src }, &service, &mut f);
        out.extend(Stage::IngressHints, Some(&object_key("Ingress", &ing.metadata)), f.out);
    }
}

/// Compiles the Ingress routing table (`srcs` parallel to the Ingresses) and collects its findings.
pub(crate) fn http_table(
    (ingresses, srcs): (&[Ingress], &[usize]),
    classes: &[IngressClass],
    secrets: &[Secret],
    services: &[Service],
    options: &Options,
    sources: &Sources,
    out: &mut Tagged,
) -> crate::http::RouteTable {
    let mut f = Findings::new(sources);
    let with_src: alloc::vec::Vec<(&Ingress, usize)> =
        ingresses.iter().enumerate().map(|(j, ing)| (ing, srcs.get(j).copied().unwrap_or(usize::MAX))).collect();
    let table = crate::http::RouteTable::build(&with_src, classes, secrets, services, &options.http(), &mut f);
    out.extend(Stage::Http, None, f.out);
    table
}
