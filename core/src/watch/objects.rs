//! Service, Node, Ingress, IngressClass and Secret events.

use super::{namespace_range, upsert, Plan};
use crate::alloc_ip::{needs_health_check, wants_node_ports, Reserved};
use crate::error::Error;
use crate::model::{IngressBackend, Node, Object, Service};
use crate::Cluster;
use alloc::string::String;

impl Cluster {
    pub(super) fn service_event(&mut self, ns: &str, name: &str, svc: Option<Service>) -> Result<Plan, Error> {
        let mut plan = Plan::default();
        let old_at = self.service_position(ns, name).ok();
        let present = svc.is_some();
        let svc = match svc {
            Some(mut s) => {
                if let Some(old) = old_at.and_then(|i| self.services.get(i)) {
                    keep_allocated(&mut s, old);
                }
                let others = self
                    .services
                    .iter()
                    .filter(|o| (o.metadata.namespace.as_str(), o.metadata.name.as_str()) != (ns, name));
                // Only a Service that needs allocating reads every address in use; one that
                // brings its own is checked against the Services sharing one.
                let needs = needs_allocation(&s);
                let others = others.filter(|o| needs || shares_allocation(o, &s));
                let reserved = self.options.ranges().map(|r| Reserved::of(others, [].iter(), &r)).unwrap_or_default();
                match self.admit(Object::Service(s), &reserved, &mut plan) {
                    Object::Service(s) => Some(s),
                    _ => None,
                }
            }
            None => None,
        };
        let (old, i) = upsert(&mut self.services, |s| &s.metadata, (ns, name), svc, "Service")?;
        let modified = old.is_some() && present;
        match (&old, present) {
            (Some(old), false) => {
                plan.forget("Service", &old.metadata);
                remove_at(&mut self.service_ids, i);
                remove_at(&mut self.service_endpoints, i);
            }
            (None, true) => {
                self.service_ids.insert(i, self.next_service_id);
                self.next_service_id = self.next_service_id.wrapping_add(1);
                self.service_endpoints.insert(i, alloc::vec::Vec::new());
                plan.services.insert(i);
                plan.env.insert(i);
            }
            _ => {
                plan.services.insert(i);
                plan.env.insert(i);
            }
        }
        // A change in place re-indexes that Service's addresses; arrivals and departures shift
        // positions, and clashes with other Services need the claim order: index again.
        let in_place = match (modified, &old, self.services.get(i)) {
            (true, Some(old), Some(new)) => self.destinations.replace_service(i, old, new),
            _ => false,
        };
        if !in_place {
            self.destinations = crate::router::Destinations::build(&self.services, &self.nodes);
        }
        let names = |b: &IngressBackend| b.service.as_ref().is_some_and(|s| s.name == name);
        for j in namespace_range(&self.ingresses, |i| &i.metadata, ns) {
            let Some(ing) = self.ingresses.get(j) else { continue };
            let mut backends = ing
                .default_backend
                .iter()
                .chain(ing.rules.iter().flat_map(|r| r.paths.iter().flatten().map(|p| &p.backend)));
            if backends.any(names) {
                plan.ingresses.insert(j);
            }
        }
        // The table refers to Services by position: it is compiled again on arrivals and
        // departures; a change in place re-resolves the backends naming the Service.
        if modified {
            self.http.retarget_service(&self.services, ns, name);
        }
        plan.http = !modified && !self.ingresses.is_empty();
        Ok(plan)
    }

    pub(super) fn node_event(&mut self, name: &str, node: Option<Node>) -> Result<Plan, Error> {
        let mut plan = Plan::default();
        let deleted = node.is_none();
        let node = match node.map(|n| self.admit(Object::Node(n), &Reserved::default(), &mut plan)) {
            Some(Object::Node(n)) => Some(n),
            _ => None,
        };
        let zone = node.as_ref().and_then(|n| n.zone()).map(alloc::string::String::from);
        let (old, _) = upsert(&mut self.nodes, |n| &n.metadata, ("", name), node, "Node")?;
        if let (Some(old), true) = (&old, deleted) {
            plan.forget("Node", &old.metadata);
        }
        let before = match &zone {
            Some(z) => self.node_zones.insert(alloc::string::String::from(name), z.clone()),
            None => self.node_zones.remove(name),
        };
        if before != zone {
            // Endpoints carry their node's zone (§4.2): the Services with endpoints there.
            for (i, eps) in self.service_endpoints.iter().enumerate() {
                if eps.iter().any(|e| e.node.as_deref() == Some(name)) {
                    plan.services.insert(i);
                }
            }
        }
        self.destinations = crate::router::Destinations::build(&self.services, &self.nodes);
        Ok(plan)
    }

    /// Ingress, IngressClass and Secret events: the Ingress table is compiled again.
    pub(super) fn ingress_object_event(&mut self, object: Object, deleted: bool) -> Result<Plan, Error> {
        let mut plan = Plan::default();
        let meta = object.meta().clone();
        let (ns, name) = (meta.namespace.as_str(), meta.name.as_str());
        let kind = object.kind();
        let object = if deleted { None } else { Some(self.admit(object, &Reserved::default(), &mut plan)) };
        let old = match object {
            Some(Object::Ingress(o)) => {
                upsert(&mut self.ingresses, |x| &x.metadata, (ns, name), Some(o), kind)?.0.is_some()
            }
            Some(Object::IngressClass(o)) => {
                upsert(&mut self.ingress_classes, |x| &x.metadata, (ns, name), Some(o), kind)?.0.is_some()
            }
            Some(Object::Secret(o)) => {
                upsert(&mut self.secrets, |x| &x.metadata, (ns, name), Some(o), kind)?.0.is_some()
            }
            Some(_) => false,
            None => match kind {
                "Ingress" => upsert(&mut self.ingresses, |x| &x.metadata, (ns, name), None, kind)?.0.is_some(),
                "IngressClass" => {
                    upsert(&mut self.ingress_classes, |x| &x.metadata, (ns, name), None, kind)?.0.is_some()
                }
                _ => upsert(&mut self.secrets, |x| &x.metadata, (ns, name), None, kind)?.0.is_some(),
            },
        };
        if deleted && old {
            plan.forget(kind, &meta);
        } else if kind == "Ingress" {
            if let Ok(j) = crate::model::position(&self.ingresses, |x| &x.metadata, ns, name) {
                plan.ingresses.insert(j);
            }
        }
        plan.http = true;
        Ok(plan)
    }
}

/// Whether admitting `svc` allocates something: a cluster IP, node ports or a health-check
/// node port it leaves out.
fn needs_allocation(svc: &Service) -> bool {
    use crate::model::ServiceType;
    let ip = svc.cluster_ip.is_empty()
        && svc.cluster_ips.is_empty()
        && !svc.is_headless()
        && svc.service_type() != ServiceType::ExternalName;
    let unset = |n: Option<i64>| n.is_none_or(|n| n == 0);
    ip || (wants_node_ports(svc) && svc.ports.iter().any(|p| unset(p.node_port)))
        || (needs_health_check(svc) && unset(svc.health_check_node_port))
}

/// Whether `other` holds a cluster IP or node port `svc` asks for.
fn shares_allocation(other: &Service, svc: &Service) -> bool {
    fn ips(s: &Service) -> impl Iterator<Item = &str> {
        s.cluster_ips.iter().chain([&s.cluster_ip]).map(String::as_str).filter(|ip| !ip.is_empty())
    }
    fn ports(s: &Service) -> impl Iterator<Item = i64> + '_ {
        s.ports.iter().filter_map(|p| p.node_port).chain(s.health_check_node_port).filter(|n| *n != 0)
    }
    ips(other).any(|ip| ips(svc).any(|mine| mine == ip)) || ports(other).any(|p| ports(svc).any(|mine| mine == p))
}

/// An update keeps the cluster IPs and node ports it leaves out (the API server's
/// `patchAllocatedValues`): a port keeps the nodePort of the old port with the same number
/// and protocol.
fn keep_allocated(new: &mut Service, old: &Service) {
    if new.cluster_ip.is_empty() && new.cluster_ips.is_empty() {
        new.cluster_ip.clone_from(&old.cluster_ip);
        new.cluster_ips.clone_from(&old.cluster_ips);
    }
    if wants_node_ports(new) && wants_node_ports(old) {
        for p in new.ports.iter_mut().filter(|p| p.node_port.is_none_or(|n| n == 0)) {
            p.node_port =
                old.ports.iter().find(|o| o.port == p.port && o.protocol == p.protocol).and_then(|o| o.node_port);
        }
    }
    if needs_health_check(new) && needs_health_check(old) && new.health_check_node_port.is_none_or(|n| n == 0) {
        new.health_check_node_port = old.health_check_node_port;
    }
}

fn remove_at<T>(list: &mut alloc::vec::Vec<T>, i: usize) {
    if i < list.len() {
        list.remove(i);
    }
}
