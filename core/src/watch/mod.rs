//! Following a live cluster: Kubernetes watch events (`{"type": "ADDED"|"MODIFIED"|"DELETED",
//! "object": {…}}`, the API server's wire format) applied to a [`Cluster`] in place. Each kind
//! changes only what depends on it (spec §4.1–4.4 for what reads what):
//!
//! - Pod, Endpoints, EndpointSlice: the endpoints and checks of the Services they touch.
//! - Service: its endpoints and checks, the address index, the Ingress table, and the checks of
//!   the Ingresses naming it.
//! - Node: the address index, and the endpoints on that node when its zone changes.
//! - Ingress, IngressClass, Secret: the Ingress table (compiled again from the Ingresses alone).
//!
//! The result equals a full rebuild from the same objects (property-tested in
//! `core/tests/watch.rs`); findings about objects an event changed carry no line numbers.

mod objects;
mod pods;

use crate::decode::{type_error, Obj};
use crate::error::{Error, ErrorKind};
use crate::evaluate::Context;
use crate::load::{Findings, Loaded, Sources};
use crate::model::Object;
use crate::origins::{object_key, Origin, Stage, Tagged};
use crate::tree::Tree;
use crate::Cluster;
use alloc::{collections::BTreeSet, format, string::String, vec::Vec};

/// What a watch event changed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventOutcome {
    /// `ADDED`, `MODIFIED`, `DELETED` (or `BOOKMARK`, ignored).
    #[serde(rename = "type")]
    pub type_: String,
    /// The object's kind.
    pub kind: String,
    /// `namespace/name`.
    pub object: String,
    /// The Services whose endpoints were recomputed (`namespace/name`).
    pub recomputed: Vec<String>,
    /// Whether the Ingress routing table was compiled again.
    pub http_rebuilt: bool,
}

/// The evaluations an event makes stale: they are re-run and their findings replaced.
#[derive(Default)]
pub(crate) struct Plan {
    /// Findings of the changed object's admission (allocation and validation), already run.
    admitted: Tagged,
    /// Origins whose findings go away: the admitted object's, and those of deleted objects.
    dropped: BTreeSet<Origin>,
    /// Services (by index) whose endpoints and checks are recomputed.
    services: BTreeSet<usize>,
    /// Services (by index) whose checks alone are re-run.
    checks: BTreeSet<usize>,
    /// Services (by index) whose env-var checks are re-run.
    env: BTreeSet<usize>,
    /// Ingresses (by index) whose backend checks are re-run.
    ingresses: BTreeSet<usize>,
    /// Whether the Ingress table is compiled again.
    http: bool,
}

impl Plan {
    /// Forgets every finding about a deleted object.
    fn forget(&mut self, kind: &str, meta: &crate::model::ObjectMeta) {
        let key = object_key(kind, meta);
        for stage in [Stage::Allocate, Stage::Validate, Stage::Compute, Stage::ServiceHints, Stage::EnvHints] {
            self.dropped.insert((stage, Some(key.clone())));
        }
        self.dropped.insert((Stage::IngressHints, Some(key)));
    }
}

impl Cluster {
    /// Applies one watch event. Errors for events that cannot be read, `ERROR` events, and
    /// deletions of objects that do not exist; the Cluster is unchanged then.
    pub fn apply_event(&mut self, event: &Tree) -> Result<EventOutcome, Error> {
        self.options.limits.check_event(event)?;
        let o = Obj::new(event, "")?;
        let type_ = o.string("type")?;
        let object_tree =
            o.get("object").ok_or_else(|| Error::new(ErrorKind::Manifest, "a watch event needs `object`"))?;
        let mut outcome = EventOutcome {
            type_,
            kind: String::new(),
            object: String::new(),
            recomputed: Vec::new(),
            http_rebuilt: false,
        };
        match outcome.type_.as_str() {
            "ADDED" | "MODIFIED" | "DELETED" => {}
            "BOOKMARK" => return Ok(outcome),
            other => return Err(Error::new(ErrorKind::Manifest, format!("unsupported watch event type {other:?}"))),
        }
        let kind = match object_tree.get("kind").map(|k| &k.value) {
            Some(crate::tree::Value::Str(k)) => k.clone(),
            _ => return Err(type_error(object_tree.get("kind").unwrap_or(object_tree), "object.kind", "a string")),
        };
        let Some(mut object) = Object::decode(&kind, object_tree)? else {
            return Err(Error::new(ErrorKind::Manifest, format!("kind {kind} is not modelled by kroute")));
        };
        let meta = object.meta_mut();
        if object_is_namespaced(&kind) && meta.namespace.is_empty() {
            meta.namespace = self.options.namespace.clone();
        }
        if meta.name.is_empty() {
            return Err(Error::new(ErrorKind::Manifest, "the event's object has no metadata.name"));
        }
        crate::defaults::apply(&mut object, self.options.assume_running_pods);
        let deleted = outcome.type_ == "DELETED";
        let meta = object.meta();
        let (ns, name) = (meta.namespace.clone(), meta.name.clone());
        outcome.object = if ns.is_empty() { name.clone() } else { format!("{ns}/{name}") };
        outcome.kind = kind;
        let plan = match object {
            Object::Pod(pod) => self.pod_event(&ns, &name, (!deleted).then_some(pod))?,
            Object::Endpoints(eps) => self.endpoints_event(&ns, &name, (!deleted).then_some(eps))?,
            Object::EndpointSlice(slice) => self.slice_event(&ns, &name, slice, deleted)?,
            Object::Service(svc) => self.service_event(&ns, &name, (!deleted).then_some(svc))?,
            Object::Node(node) => self.node_event(&name, (!deleted).then_some(node))?,
            other => self.ingress_object_event(other, deleted)?,
        };
        if deleted {
            self.forget_namespace_if_empty(&ns);
        } else if !ns.is_empty() {
            self.namespaces.insert(ns);
        }
        outcome.http_rebuilt = plan.http;
        outcome.recomputed = plan
            .services
            .iter()
            .filter_map(|i| self.services.get(*i))
            .map(|s| format!("{}/{}", s.metadata.namespace, s.metadata.name))
            .collect();
        self.carry_out(plan);
        Ok(outcome)
    }

    /// Admits an object as the API server would: fills in allocations (cluster IP, node ports,
    /// pod IP) avoiding what `reserved` holds, and validates it.
    fn admit(&self, object: Object, reserved: &crate::alloc_ip::Reserved, plan: &mut Plan) -> Object {
        let sources = Sources::default();
        let mut f = Findings::new(&sources);
        let mut one = [Loaded { object, src: usize::MAX }];
        let key = crate::load::object_ref(&one[0].object);
        if let Ok(ranges) = self.options.ranges() {
            crate::alloc_ip::allocate_among(&mut one, &ranges, reserved, &mut f);
        }
        plan.admitted.extend(Stage::Allocate, Some(&key), core::mem::take(&mut f.out));
        crate::validate::check(&one[0], &mut f);
        plan.admitted.extend(Stage::Validate, Some(&key), f.out);
        plan.dropped.insert((Stage::Allocate, Some(key.clone())));
        plan.dropped.insert((Stage::Validate, Some(key)));
        let [Loaded { object, .. }] = one;
        object
    }

    /// Re-runs what `plan` names and replaces the findings of those evaluations.
    fn carry_out(&mut self, plan: Plan) {
        let Plan { admitted, mut dropped, services, checks, env, ingresses, http } = plan;
        let mut fresh = admitted;
        let sources = Sources::default();
        let env_names = self.env_names_for(&env);
        let cx = Context { sources: &sources, index: None, env: &env_names };
        for &i in &services {
            if let Some(s) = self.services.get(i) {
                let key = object_key("Service", &s.metadata);
                dropped.insert((Stage::Compute, Some(key.clone())));
                dropped.insert((Stage::ServiceHints, Some(key)));
            }
            self.evaluate_service(i, usize::MAX, &cx, &mut fresh);
        }
        for &i in checks.difference(&services) {
            if let Some(s) = self.services.get(i) {
                dropped.insert((Stage::ServiceHints, Some(object_key("Service", &s.metadata))));
            }
            self.check_service(i, usize::MAX, &cx, &mut fresh);
        }
        for &i in &env {
            if let Some(s) = self.services.get(i) {
                dropped.insert((Stage::EnvHints, Some(object_key("Service", &s.metadata))));
            }
            self.evaluate_env(i, usize::MAX, &cx, &mut fresh);
        }
        for &j in &ingresses {
            if let Some(ing) = self.ingresses.get(j) {
                dropped.insert((Stage::IngressHints, Some(object_key("Ingress", &ing.metadata))));
            }
            self.evaluate_ingress(j, usize::MAX, &sources, &mut fresh);
        }
        if http {
            dropped.insert((Stage::Http, None));
            let srcs = alloc::vec![usize::MAX; self.ingresses.len()];
            // The old table goes first: its memory is free for the new one to reuse.
            drop(core::mem::take(&mut self.http));
            self.http = crate::evaluate::http_table(
                (&self.ingresses, &srcs),
                &self.ingress_classes,
                &self.secrets,
                &self.services,
                &self.options,
                &sources,
                &mut fresh,
            );
        }
        self.findings.replace(&dropped, fresh);
    }

    /// The explicit env names the env checks of Services `env` read: their namespaces' pods,
    /// or every pod when the master Service (whose variables reach every pod) is among them.
    fn env_names_for(&self, env: &BTreeSet<usize>) -> crate::hints::EnvNames {
        let mut namespaces: Vec<&str> =
            env.iter().filter_map(|i| self.services.get(*i)).map(|s| s.metadata.namespace.as_str()).collect();
        crate::sort::sort(&mut namespaces);
        namespaces.dedup();
        let master = self.service_position("default", "kubernetes").is_ok_and(|m| env.contains(&m));
        if master {
            return crate::hints::EnvNames::build(&self.pods);
        }
        let mut names = crate::hints::EnvNames::default();
        for ns in namespaces {
            names.add(self.pods.get(namespace_range(&self.pods, |p| &p.metadata, ns)).unwrap_or(&[]));
        }
        names
    }

    /// A deleted object's namespace leaves the cluster when nothing else lives in it.
    fn forget_namespace_if_empty(&mut self, ns: &str) {
        if ns.is_empty() || crate::cluster::BUILTIN_NAMESPACES.contains(&ns) {
            return;
        }
        // Every list is ordered by namespace: a binary search per list.
        let keys_in_ns = |k: &(String, String)| k.0 == ns;
        let used = !namespace_range(&self.pods, |p| &p.metadata, ns).is_empty()
            || !namespace_range(&self.services, |s| &s.metadata, ns).is_empty()
            || !namespace_range(&self.ingresses, |i| &i.metadata, ns).is_empty()
            || !namespace_range(&self.secrets, |s| &s.metadata, ns).is_empty()
            || self
                .endpoints_objects
                .range((String::from(ns), String::new())..)
                .next()
                .is_some_and(|(k, _)| keys_in_ns(k))
            || self.slices.range((String::from(ns), String::new())..).next().is_some_and(|(k, _)| keys_in_ns(k));
        if !used {
            self.namespaces.remove(ns);
        }
    }
}

fn object_is_namespaced(kind: &str) -> bool {
    !matches!(kind, "Node" | "IngressClass")
}

/// The positions of namespace `ns` in a list ordered by namespace and name.
fn namespace_range<T>(list: &[T], meta: impl Fn(&T) -> &crate::model::ObjectMeta, ns: &str) -> core::ops::Range<usize> {
    let start = list.partition_point(|x| meta(x).namespace.as_str() < ns);
    let end = list.partition_point(|x| meta(x).namespace.as_str() <= ns);
    start..end.max(start)
}

/// Puts `object` at its place in `list` (replacing the old one) or removes it; the old object.
fn upsert<T>(
    list: &mut Vec<T>,
    meta: impl Fn(&T) -> &crate::model::ObjectMeta,
    (ns, name): (&str, &str),
    object: Option<T>,
    kind: &str,
) -> Result<(Option<T>, usize), Error> {
    match (crate::model::position(list, meta, ns, name), object) {
        (Ok(i), Some(o)) => Ok((list.get_mut(i).map(|slot| core::mem::replace(slot, o)), i)),
        (Ok(i), None) => Ok((Some(list.remove(i)), i)),
        (Err(i), Some(o)) => {
            list.insert(i, o);
            Ok((None, i))
        }
        (Err(_), None) => Err(missing(kind, ns, name)),
    }
}

/// The error for deleting an object that does not exist.
fn missing(kind: &str, ns: &str, name: &str) -> Error {
    let label = if ns.is_empty() { String::from(name) } else { format!("{ns}/{name}") };
    Error::new(ErrorKind::Request, format!("{kind} {label} does not exist"))
}
