//! Following a live cluster: Kubernetes watch events (`{"type": "ADDED"|"MODIFIED"|"DELETED",
//! "object": {…}}`, the API server's wire format) applied to a [`Cluster`]. Pod, Endpoints and
//! EndpointSlice events recompute only the Services they touch; other kinds rebuild the
//! snapshot from its objects (their diagnostics then carry no line numbers).

use crate::decode::{type_error, Obj};
use crate::endpoints::{compute, selects, Endpoint, Inputs};
use crate::error::{Error, ErrorKind};
use crate::load::{Findings, Loaded, Sources};
use crate::model::{EndpointSlice, Endpoints, Object, Pod, Service};
use crate::tree::Tree;
use crate::Cluster;
use alloc::{collections::BTreeMap, collections::BTreeSet, format, string::String, vec::Vec};

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
    /// Whether the whole snapshot was rebuilt.
    pub rebuilt: bool,
}

/// The parts of a Cluster an incremental event touches.
pub(crate) struct PartsMut<'c> {
    pub(crate) pods: &'c mut Vec<Pod>,
    pub(crate) services: &'c [Service],
    pub(crate) endpoints_objects: &'c mut BTreeMap<(String, String), (Endpoints, usize)>,
    pub(crate) slices: &'c mut BTreeMap<(String, String), Vec<(EndpointSlice, usize)>>,
    pub(crate) node_zones: &'c BTreeMap<String, String>,
    pub(crate) namespaces: &'c mut BTreeSet<String>,
    pub(crate) service_endpoints: &'c mut Vec<Vec<Endpoint>>,
}

fn key_of(o: &Object) -> (String, String) {
    (o.meta().namespace.clone(), o.meta().name.clone())
}

impl Cluster {
    /// Applies one watch event. Errors for events that cannot be read, `ERROR` events, and
    /// deletions of objects that do not exist.
    pub fn apply_event(&mut self, event: &Tree) -> Result<EventOutcome, Error> {
        let o = Obj::new(event, "")?;
        let type_ = o.string("type")?;
        let object_tree =
            o.get("object").ok_or_else(|| Error::new(ErrorKind::Manifest, "a watch event needs `object`"))?;
        match type_.as_str() {
            "ADDED" | "MODIFIED" | "DELETED" => {}
            "BOOKMARK" => {
                return Ok(EventOutcome {
                    type_,
                    kind: String::new(),
                    object: String::new(),
                    recomputed: Vec::new(),
                    rebuilt: false,
                })
            }
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
            meta.namespace = self.options().namespace.clone();
        }
        if meta.name.is_empty() {
            return Err(Error::new(ErrorKind::Manifest, "the event's object has no metadata.name"));
        }
        crate::defaults::apply(&mut object, self.options().assume_running_pods);
        let deleted = type_ == "DELETED";
        let (ns, name) = key_of(&object);
        let label = if ns.is_empty() { name.clone() } else { format!("{ns}/{name}") };
        let mut outcome =
            EventOutcome { type_, kind: kind.clone(), object: label, recomputed: Vec::new(), rebuilt: false };
        match object {
            Object::Pod(pod) => {
                let pod = if deleted { None } else { Some(self.with_pod_ip(pod)) };
                outcome.recomputed = self.parts_mut().pod_event(&ns, &name, pod)?;
            }
            Object::Endpoints(eps) => {
                outcome.recomputed = self.parts_mut().endpoints_event(&ns, &name, (!deleted).then_some(eps))?;
            }
            Object::EndpointSlice(slice) => {
                outcome.recomputed = self.parts_mut().slice_event(&ns, &name, slice, deleted)?;
            }
            other => {
                *self = self.rebuilt_with(other, deleted)?;
                outcome.rebuilt = true;
            }
        }
        Ok(outcome)
    }

    /// A pod without an IP gets one the way a full load would give it.
    fn with_pod_ip(&self, pod: Pod) -> Pod {
        if pod.primary_ip().is_some() || pod.has_status || !self.options().assume_running_pods {
            return pod;
        }
        let mut sources = Sources::default();
        let src = sources.synthetic();
        let mut one = [Loaded { object: Object::Pod(pod), src }];
        if let Ok(ranges) = self.options().ranges() {
            let mut f = Findings::new(&sources);
            crate::alloc_ip::allocate(&mut one, &ranges, &mut f);
        }
        let [Loaded { object, .. }] = one;
        match object {
            Object::Pod(p) => p,
            _ => Pod::default(),
        }
    }

    fn rebuilt_with(&self, object: Object, deleted: bool) -> Result<Cluster, Error> {
        let mut sources = Sources::default();
        let key = (object.kind(), key_of(&object));
        let mut loaded: Vec<Loaded> =
            self.to_loaded(&mut sources).into_iter().filter(|l| (l.object.kind(), key_of(&l.object)) != key).collect();
        let existed = loaded.len() < self.to_loaded(&mut Sources::default()).len();
        if deleted && !existed {
            return Err(Error::new(ErrorKind::Request, format!("{} {}/{} does not exist", key.0, key.1 .0, key.1 .1)));
        }
        if !deleted {
            loaded.push(Loaded { object, src: sources.synthetic() });
        }
        Cluster::build_loaded(loaded, sources, Vec::new(), self.options())
    }
}

fn object_is_namespaced(kind: &str) -> bool {
    !matches!(kind, "Node" | "IngressClass")
}

impl PartsMut<'_> {
    fn recompute(&mut self, wanted: impl Fn(&Service) -> bool) -> Vec<String> {
        let sources = Sources::default();
        let mut f = Findings::new(&sources);
        let inputs = Inputs {
            pods: self.pods,
            index: None,
            endpoints: self.endpoints_objects,
            slices: self.slices,
            zones: self.node_zones,
        };
        let mut out = Vec::new();
        for (i, svc) in self.services.iter().enumerate() {
            if wanted(svc) {
                if let Some(slot) = self.service_endpoints.get_mut(i) {
                    *slot = compute(svc, &inputs, &mut f);
                    out.push(format!("{}/{}", svc.metadata.namespace, svc.metadata.name));
                }
            }
        }
        out
    }

    fn pod_event(&mut self, ns: &str, name: &str, pod: Option<Pod>) -> Result<Vec<String>, Error> {
        let at =
            self.pods.binary_search_by(|p| (p.metadata.namespace.as_str(), p.metadata.name.as_str()).cmp(&(ns, name)));
        let old = match (at, pod.clone()) {
            (Ok(i), Some(p)) => self.pods.get_mut(i).map(|slot| core::mem::replace(slot, p)),
            (Ok(i), None) => Some(self.pods.remove(i)),
            (Err(i), Some(p)) => {
                self.pods.insert(i, p);
                None
            }
            (Err(_), None) => return Err(Error::new(ErrorKind::Request, format!("Pod {ns}/{name} does not exist"))),
        };
        self.namespaces.insert(String::from(ns));
        let labels: Vec<BTreeMap<String, String>> =
            old.iter().chain(pod.iter()).map(|p| p.metadata.labels.clone()).collect();
        Ok(self.recompute(|svc| {
            svc.metadata.namespace == ns
                && svc.selector.as_ref().is_some_and(|sel| labels.iter().any(|l| selects(sel, l)))
        }))
    }

    fn endpoints_event(&mut self, ns: &str, name: &str, eps: Option<Endpoints>) -> Result<Vec<String>, Error> {
        let key = (String::from(ns), String::from(name));
        match eps {
            Some(e) => {
                self.endpoints_objects.insert(key, (e, usize::MAX));
            }
            None => {
                self.endpoints_objects
                    .remove(&key)
                    .ok_or_else(|| Error::new(ErrorKind::Request, format!("Endpoints {ns}/{name} does not exist")))?;
            }
        }
        self.namespaces.insert(String::from(ns));
        Ok(self.recompute(|svc| svc.metadata.namespace == ns && svc.metadata.name == name))
    }

    fn slice_event(&mut self, ns: &str, name: &str, slice: EndpointSlice, deleted: bool) -> Result<Vec<String>, Error> {
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
        if deleted && !found {
            return Err(Error::new(ErrorKind::Request, format!("EndpointSlice {ns}/{name} does not exist")));
        }
        if !deleted {
            if let Some(svc) = slice.metadata.labels.get("kubernetes.io/service-name").cloned() {
                touched.push(svc.clone());
                self.slices.entry((String::from(ns), svc)).or_default().push((slice, usize::MAX));
            }
        }
        self.namespaces.insert(String::from(ns));
        Ok(self.recompute(|svc| svc.metadata.namespace == ns && touched.contains(&svc.metadata.name)))
    }
}
