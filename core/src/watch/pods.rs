//! Pod, Endpoints and EndpointSlice events: only the Services whose endpoints they feed.

use super::{missing, namespace_range, upsert, Plan};
use crate::endpoints::selects;
use crate::error::Error;
use crate::model::{EndpointSlice, Endpoints, Object, Pod};
use crate::Cluster;
use alloc::{collections::BTreeMap, string::String, vec::Vec};

impl Cluster {
    pub(super) fn pod_event(&mut self, ns: &str, name: &str, pod: Option<Pod>) -> Result<Plan, Error> {
        let mut plan = Plan::default();
        let pod = match pod {
            Some(p) => {
                let needs_ip = p.primary_ip().is_none() && !p.has_status && self.options.assume_running_pods;
                let reserved = if needs_ip {
                    self.options
                        .ranges()
                        .map(|r| crate::alloc_ip::Reserved::of([].iter(), self.pods.iter(), &r))
                        .unwrap_or_default()
                } else {
                    crate::alloc_ip::Reserved::default()
                };
                match self.admit(Object::Pod(p), &reserved, &mut plan) {
                    Object::Pod(p) => Some(p),
                    _ => None,
                }
            }
            None => None,
        };
        let links_before = self.namespace_links(ns);
        let (old, _) = upsert(&mut self.pods, |p| &p.metadata, (ns, name), pod, "Pod")?;
        let new = self.pods.iter().find(|p| p.metadata.namespace == ns && p.metadata.name == name);
        if let Some(old) = &old {
            if new.is_none() {
                plan.forget("Pod", &old.metadata);
            }
        }
        let labels: Vec<&BTreeMap<String, String>> = old.iter().chain(new).map(|p| &p.metadata.labels).collect();
        let in_ns = namespace_range(&self.services, |s| &s.metadata, ns);
        for (i, svc) in self.services.iter().enumerate().skip(in_ns.start).take(in_ns.len()) {
            if svc.selector.as_ref().is_some_and(|sel| labels.iter().any(|l| selects(sel, l))) {
                plan.services.insert(i);
            }
        }
        // A Service that selects nothing names the near misses, which this pod may be.
        for o in self.findings.objects_with("service-selects-nothing") {
            if let Ok(i) = self.service_position(&o.namespace, &o.name) {
                plan.checks.insert(i);
            }
        }
        // Env checks read the namespace's explicit container env and whether any pod is linked.
        let has_env = |p: &Pod| p.containers.iter().any(|c| !c.env.is_empty());
        if old.iter().chain(new).any(has_env) || links_before != self.namespace_links(ns) {
            plan.env.extend(in_ns);
            if let Ok(master) = self.service_position("default", "kubernetes") {
                plan.env.insert(master);
            }
        }
        Ok(plan)
    }

    /// Whether namespace `ns` has pods, whether it has pods with service links, and whether
    /// the cluster has pods: what the env checks' reach depends on.
    fn namespace_links(&self, ns: &str) -> (bool, bool, bool) {
        let range = namespace_range(&self.pods, |p| &p.metadata, ns);
        let pods = self.pods.get(range).unwrap_or(&[]);
        (!pods.is_empty(), pods.iter().any(|p| p.enable_service_links.unwrap_or(true)), !self.pods.is_empty())
    }

    pub(super) fn endpoints_event(&mut self, ns: &str, name: &str, eps: Option<Endpoints>) -> Result<Plan, Error> {
        let mut plan = Plan::default();
        let key = (String::from(ns), String::from(name));
        match eps {
            Some(e) => {
                let e = match self.admit(Object::Endpoints(e), &Default::default(), &mut plan) {
                    Object::Endpoints(e) => e,
                    _ => Endpoints::default(),
                };
                self.endpoints_objects.insert(key, (e, usize::MAX));
            }
            None => {
                let (old, _) = self.endpoints_objects.remove(&key).ok_or_else(|| missing("Endpoints", ns, name))?;
                plan.forget("Endpoints", &old.metadata);
            }
        }
        if let Ok(i) = self.service_position(ns, name) {
            plan.services.insert(i);
        }
        Ok(plan)
    }

    pub(super) fn slice_event(
        &mut self,
        ns: &str,
        name: &str,
        slice: EndpointSlice,
        deleted: bool,
    ) -> Result<Plan, Error> {
        let mut plan = Plan::default();
        let mut touched: Vec<String> = Vec::new();
        let mut found = false;
        for ((_, svc), list) in self.slices.iter_mut().filter(|((n, _), _)| n == ns) {
            let before = list.len();
            list.retain(|(s, _)| s.metadata.name != name);
            if list.len() != before {
                found = true;
                touched.push(svc.clone());
            }
        }
        self.slices.retain(|_, list| !list.is_empty());
        if deleted {
            if !found {
                return Err(missing("EndpointSlice", ns, name));
            }
            plan.forget("EndpointSlice", &slice.metadata);
        } else {
            let slice = match self.admit(Object::EndpointSlice(slice), &Default::default(), &mut plan) {
                Object::EndpointSlice(s) => s,
                _ => EndpointSlice::default(),
            };
            if let Some(svc) = slice.metadata.labels.get("kubernetes.io/service-name").cloned() {
                touched.push(svc.clone());
                self.slices.entry((String::from(ns), svc)).or_default().push((slice, usize::MAX));
            }
        }
        for svc in touched {
            if let Ok(i) = self.service_position(ns, &svc) {
                plan.services.insert(i);
            }
        }
        Ok(plan)
    }
}
