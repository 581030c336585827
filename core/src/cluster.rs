//! [`Cluster`]: an immutable snapshot compiled from manifests, answering pure queries.

use crate::alloc_ip::{allocate, Cidr, Ranges};
use crate::diagnostic::Diagnostic;
use crate::endpoints::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::evaluate::Context;
use crate::load::{load, Findings, Loaded, Sources};
use crate::model::{EndpointSlice, Endpoints, Ingress, IngressClass, Node, Object, Pod, Secret, Service};
use crate::origins::{Stage, Tagged};
use crate::tree::Tree;
use alloc::{
    collections::{BTreeMap, BTreeSet},
    format,
    string::String,
    vec::Vec,
};

/// How manifests are read and what the simulated cluster looks like.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Options {
    /// Namespace for namespaced objects that name none (`default`).
    pub namespace: String,
    /// Service CIDR for cluster IPs (`10.96.0.0/12`).
    pub service_cidr: String,
    /// Pod CIDR for pods without an IP (`10.244.0.0/16`).
    pub pod_cidr: String,
    /// Node-port range, inclusive (`30000-32767`).
    pub node_port_range: String,
    /// Cluster DNS domain (`cluster.local`).
    pub cluster_domain: String,
    /// Pods without any `status` are taken as Running and Ready, with an allocated IP, so
    /// hand-written manifests work (true). Pods with a `status` are always taken as written.
    pub assume_running_pods: bool,
    /// CoreDNS `pods` mode for `a-b-c-d.<ns>.pod.<zone>` (`disabled`).
    pub dns_pods: crate::dns::PodsMode,
    /// Whose HTTP routing to reproduce: `upstream` (the Ingress API) or `ingress-nginx`.
    pub profile: crate::http::Profile,
    /// Route for this IngressClass only (default: the default class, else all).
    pub ingress_class: Option<String>,
    /// Merge runs of `/` in request paths (nginx's default; off as in Envoy and RFC 3986).
    pub merge_slashes: bool,
    /// What `%2F`/`%5C` in request paths do: `reject` (400, default), `keep`, `unescape`.
    pub escaped_slashes: crate::http::EscapedSlashes,
    /// Add the API server's `default/kubernetes` Service (first address of the service CIDR,
    /// port 443 `https`) when the manifests lack it, as every real cluster has it (true).
    pub kubernetes_service: bool,
    /// How much input is read before it is refused (see [`crate::Limits`]).
    pub limits: crate::Limits,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            namespace: String::from("default"),
            service_cidr: String::from("10.96.0.0/12"),
            pod_cidr: String::from("10.244.0.0/16"),
            node_port_range: String::from("30000-32767"),
            cluster_domain: String::from("cluster.local"),
            assume_running_pods: true,
            dns_pods: crate::dns::PodsMode::Disabled,
            profile: crate::http::Profile::Upstream,
            ingress_class: None,
            merge_slashes: false,
            escaped_slashes: crate::http::EscapedSlashes::default(),
            kubernetes_service: true,
            limits: crate::Limits::default(),
        }
    }
}

impl Options {
    /// The HTTP routing options.
    pub fn http(&self) -> crate::http::HttpOptions {
        crate::http::HttpOptions {
            profile: self.profile,
            ingress_class: self.ingress_class.clone(),
            merge_slashes: self.merge_slashes,
            escaped_slashes: self.escaped_slashes,
        }
    }

    pub(crate) fn ranges(&self) -> Result<Ranges, Error> {
        let bad = |what: &str, v: &str| Error::new(ErrorKind::Request, format!("invalid option {what}: {v:?}"));
        let services = Cidr::parse(&self.service_cidr).ok_or_else(|| bad("serviceCidr", &self.service_cidr))?;
        let pods = Cidr::parse(&self.pod_cidr).ok_or_else(|| bad("podCidr", &self.pod_cidr))?;
        let node_ports = self
            .node_port_range
            .split_once('-')
            .and_then(|(a, b)| Some((a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?)))
            .filter(|(a, b)| a <= b && *a > 0)
            .ok_or_else(|| bad("nodePortRange", &self.node_port_range))?;
        if !crate::names::dns1123_subdomain(&self.cluster_domain).is_empty() {
            return Err(bad("clusterDomain", &self.cluster_domain));
        }
        if !crate::names::dns1123_label(&self.namespace).is_empty() {
            return Err(bad("namespace", &self.namespace));
        }
        Ok(Ranges { services, pods, node_ports })
    }
}

/// The namespaces every cluster has.
pub(crate) const BUILTIN_NAMESPACES: [&str; 3] = ["default", "kube-system", "kube-public"];

/// A compiled snapshot of a cluster's networking objects. Every list is ordered by namespace
/// and name; `service_ids` and `service_endpoints` run parallel to `services`.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub(crate) options: Options,
    pub(crate) pods: Vec<Pod>,
    pub(crate) services: Vec<Service>,
    /// A number per Service that survives watch events (routers key their state by it).
    pub(crate) service_ids: Vec<u32>,
    pub(crate) next_service_id: u32,
    pub(crate) nodes: Vec<Node>,
    pub(crate) ingresses: Vec<Ingress>,
    pub(crate) ingress_classes: Vec<IngressClass>,
    pub(crate) secrets: Vec<Secret>,
    pub(crate) namespaces: BTreeSet<String>,
    pub(crate) node_zones: BTreeMap<String, String>,
    pub(crate) endpoints_objects: BTreeMap<(String, String), (Endpoints, usize)>,
    pub(crate) slices: BTreeMap<(String, String), Vec<(EndpointSlice, usize)>>,
    pub(crate) destinations: crate::router::Destinations,
    pub(crate) http: crate::http::RouteTable,
    pub(crate) service_endpoints: Vec<Vec<Endpoint>>,
    pub(crate) findings: Tagged,
}

impl Cluster {
    /// Loads multi-document YAML (or JSON) text.
    #[cfg(feature = "yaml")]
    pub fn from_yaml(text: &str, options: &Options) -> Result<Self, Error> {
        Self::build(crate::yaml::parse_documents(text, &options.limits)?, options)
    }

    /// Loads JSON text: one object, a `List`, or an array of objects.
    pub fn from_json(text: &str, options: &Options) -> Result<Self, Error> {
        options.limits.check_json(text)?;
        let tree: Tree = serde_json::from_str(text).map_err(|e| {
            // serde_json's Display appends " at line L column C"; the location has its own fields.
            let text = format!("{e}");
            let message = match text.rfind(" at line ") {
                Some(i) if e.line() > 0 => text.get(..i).unwrap_or(&text),
                _ => &text,
            };
            let mut err = Error::manifest(message);
            err.line = u32::try_from(e.line()).ok().filter(|l| *l > 0);
            err.column = u32::try_from(e.column()).ok().filter(|_| err.line.is_some());
            err.document = Some(0);
            err
        })?;
        Self::build(alloc::vec![tree], options)
    }

    /// Loads already-parsed objects (JS objects, Python dicts), one per element.
    pub fn from_objects(objects: Vec<Tree>, options: &Options) -> Result<Self, Error> {
        Self::build(objects, options)
    }

    fn build(docs: Vec<Tree>, options: &Options) -> Result<Self, Error> {
        let mut sources = Sources::default();
        let mut early = Vec::new();
        let loaded = load(docs, &options.namespace, &options.limits, &mut sources, &mut early)?;
        Self::build_loaded(loaded, sources, early, options)
    }

    /// Compiles loaded objects: defaulting, allocation, validation, endpoints, findings.
    pub(crate) fn build_loaded(
        mut loaded: Vec<Loaded>,
        mut sources: Sources,
        early: Vec<Diagnostic>,
        options: &Options,
    ) -> Result<Self, Error> {
        let ranges = options.ranges()?;
        if options.kubernetes_service {
            let present = loaded.iter().any(|l| {
                matches!(&l.object, Object::Service(s) if s.metadata.namespace == "default" && s.metadata.name == "kubernetes")
            });
            if !present {
                let src = sources.synthetic();
                loaded.push(Loaded { object: Object::Service(kubernetes_service(&ranges)), src });
            }
        }
        let mut tagged = Tagged::default();
        tagged.extend(Stage::Load, None, early);
        let mut f = Findings::new(&sources);
        for l in &mut loaded {
            crate::defaults::apply(&mut l.object, options.assume_running_pods);
        }
        allocate(&mut loaded, &ranges, &mut f);
        tagged.extend(Stage::Allocate, None, core::mem::take(&mut f.out));
        for l in &loaded {
            crate::validate::check(l, &mut f);
        }
        tagged.extend(Stage::Validate, None, core::mem::take(&mut f.out));
        // `extend`, not `collect`: collecting into a B-tree compiles one more sort (the `.wasm` size).
        let mut namespaces: BTreeSet<String> = BTreeSet::new();
        namespaces.extend(BUILTIN_NAMESPACES.into_iter().map(String::from));
        namespaces.extend(loaded.iter().map(|l| l.object.meta().namespace.clone()).filter(|n| !n.is_empty()));
        let parts = Parts::split(loaded);
        let mut node_zones: BTreeMap<String, String> = BTreeMap::new();
        node_zones.extend(
            parts.nodes.iter().filter_map(|(n, _)| n.zone().map(|z| (n.metadata.name.clone(), String::from(z)))),
        );
        let service_srcs: Vec<usize> = parts.services.iter().map(|(_, src)| *src).collect();
        let ingress_srcs: Vec<usize> = parts.ingresses.iter().map(|(_, src)| *src).collect();
        let services = strip(parts.services);
        let nodes = strip(parts.nodes);
        let ingresses = strip(parts.ingresses);
        let http = crate::evaluate::http_table(
            (&ingresses, &ingress_srcs),
            &parts.ingress_classes,
            &parts.secrets,
            &services,
            options,
            &sources,
            &mut tagged,
        );
        let mut cluster = Self {
            options: options.clone(),
            destinations: crate::router::Destinations::build(&services, &nodes),
            http,
            pods: strip(parts.pods),
            service_ids: (0..u32::try_from(services.len()).unwrap_or(u32::MAX)).collect(),
            next_service_id: u32::try_from(services.len()).unwrap_or(u32::MAX),
            service_endpoints: alloc::vec![Vec::new(); services.len()],
            services,
            nodes,
            node_zones,
            ingresses,
            ingress_classes: parts.ingress_classes,
            secrets: parts.secrets,
            endpoints_objects: parts.endpoints,
            slices: parts.slices,
            namespaces,
            findings: Tagged::default(),
        };
        let index = crate::pod_index::PodIndex::build(&cluster.pods);
        let env = crate::hints::EnvNames::build(&cluster.pods);
        let cx = Context { sources: &sources, index: Some(&index), env: &env };
        for (i, src) in service_srcs.into_iter().enumerate() {
            cluster.evaluate_service(i, src, &cx, &mut tagged);
            cluster.evaluate_env(i, src, &cx, &mut tagged);
        }
        for (j, src) in ingress_srcs.iter().enumerate() {
            cluster.evaluate_ingress(j, *src, &sources, &mut tagged);
        }
        tagged.sort();
        cluster.findings = tagged;
        Ok(cluster)
    }

    /// Findings about the manifests, ordered by document, line and column.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.findings.diagnostics
    }

    /// The endpoints of Service `namespace/name`: one per (address, port), ordered by Service
    /// port then address. An unknown Service is an error.
    pub fn endpoints(&self, namespace: &str, name: &str) -> Result<&[Endpoint], Error> {
        let i = self.service_position(namespace, name)?;
        Ok(self.service_endpoints.get(i).map_or(&[][..], Vec::as_slice))
    }

    /// The Service `namespace/name`.
    pub fn service(&self, namespace: &str, name: &str) -> Option<&Service> {
        self.service_position(namespace, name).ok().and_then(|i| self.services.get(i))
    }

    pub(crate) fn service_position(&self, namespace: &str, name: &str) -> Result<usize, Error> {
        // Services are sorted by (namespace, name).
        crate::model::position(&self.services, |s| &s.metadata, namespace, name)
            .ok()
            .ok_or_else(|| Error::new(ErrorKind::Request, format!("no Service {namespace}/{name}")))
    }

    /// All Services, ordered by namespace and name.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// All Pods, ordered by namespace and name.
    pub fn pods(&self) -> &[Pod] {
        &self.pods
    }

    /// All Nodes, ordered by name.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// All Ingresses, ordered by namespace and name.
    pub fn ingresses(&self) -> &[Ingress] {
        &self.ingresses
    }

    /// All IngressClasses, ordered by name.
    pub fn ingress_classes(&self) -> &[IngressClass] {
        &self.ingress_classes
    }

    /// All Secrets, ordered by namespace and name.
    pub fn secrets(&self) -> &[Secret] {
        &self.secrets
    }

    /// The service variables kubelet injects into a pod in `namespace` (spec §1), grouped by
    /// Service in name order, each group in kubelet's `FromServices` order.
    pub fn env_vars(&self, namespace: &str, enable_service_links: bool) -> Vec<crate::envvars::EnvVar> {
        crate::envvars::for_namespace(&self.services, namespace, enable_service_links)
    }

    /// The environment of a container of pod `namespace/pod` (the first one when `container`
    /// is `None`): its explicit `env`, then the service variables it does not override (§1.2).
    pub fn pod_env(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
    ) -> Result<Vec<crate::envvars::EnvVar>, Error> {
        let p = self
            .pods
            .binary_search_by(|p| (p.metadata.namespace.as_str(), p.metadata.name.as_str()).cmp(&(namespace, pod)))
            .ok()
            .and_then(|i| self.pods.get(i))
            .ok_or_else(|| Error::new(ErrorKind::Request, format!("no Pod {namespace}/{pod}")))?;
        let index = match container {
            None => 0,
            Some(name) => p.containers.iter().position(|c| c.name == name).ok_or_else(|| {
                Error::new(ErrorKind::Request, format!("pod {namespace}/{pod} has no container {name:?}"))
            })?,
        };
        Ok(crate::envvars::for_container(&self.services, p, index))
    }

    /// Resolves `name` as cluster DNS answers it (spec §2). With `namespace`, as a pod in that
    /// namespace asks: through its search list with `ndots:5`, every name tried listed in order.
    /// Without, `name` is taken as fully qualified.
    pub fn resolve(
        &self,
        name: &str,
        qtype: crate::dns::QType,
        namespace: Option<&str>,
    ) -> Result<crate::dns::DnsAnswer, Error> {
        use crate::dns::{DnsAnswer, Rcode, Zone};
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty()
            || name.len() > 1024
            || name.contains(char::is_whitespace)
            || name.starts_with('.')
            || name.contains("..")
        {
            return Err(Error::new(ErrorKind::Request, format!("not a DNS name: {name:?}")));
        }
        let domain = self.options.cluster_domain.trim_matches('.').to_ascii_lowercase();
        let tried = match namespace {
            Some(ns) => crate::resolver::candidates(&name, &crate::resolver::search_list(ns, &domain)),
            None => alloc::vec![if name.ends_with('.') { name.clone() } else { format!("{name}.") }],
        };
        let zone = Zone {
            domain: &domain,
            services: &self.services,
            endpoints: &self.service_endpoints,
            pods: &self.pods,
            namespaces: &self.namespaces,
            pods_mode: self.options.dns_pods,
        };
        let mut answer =
            DnsAnswer { rcode: Rcode::NXDOMAIN, answers: Vec::new(), additional: Vec::new(), tried: Vec::new() };
        let mut nodata = false;
        for candidate in tried {
            let result = zone.lookup(&candidate, qtype);
            answer.tried.push(candidate);
            if !result.answers.is_empty() || (result.rcode == Rcode::UPSTREAM && namespace.is_none()) {
                answer.rcode = result.rcode;
                answer.answers = result.answers;
                answer.additional = result.additional;
                return Ok(answer);
            }
            // The resolver goes on after NXDOMAIN and NODATA; it reports NODATA if it saw one.
            nodata |= result.rcode == Rcode::NOERROR;
            if result.rcode == Rcode::UPSTREAM {
                answer.rcode = Rcode::UPSTREAM;
            }
        }
        if nodata {
            answer.rcode = Rcode::NOERROR;
        }
        Ok(answer)
    }

    /// A stateful connection router over this snapshot (spec §4.4–§4.7).
    pub fn router(self: &alloc::sync::Arc<Self>, config: crate::router::RouterConfig) -> crate::router::Router {
        crate::router::Router::new(alloc::sync::Arc::clone(self), config)
    }

    /// kube-proxy's endpoint categories for a Service port on `node` (spec §4.4): the first
    /// port when `port` is `None`, else the port with that number or name.
    pub fn usable_endpoints(
        &self,
        namespace: &str,
        service: &str,
        node: Option<&str>,
        port: Option<&str>,
    ) -> Result<crate::router::UsableEndpoints, Error> {
        use crate::router::{categorize, facts, host_port, port_endpoints, UsableEndpoints};
        let i = self.service_position(namespace, service)?;
        let svc = self.services.get(i).ok_or_else(|| Error::new(ErrorKind::Request, "stale service index"))?;
        let p = match port {
            None => 0,
            Some(want) => {
                svc.ports.iter().position(|p| p.name == want || format!("{}", p.port) == want).ok_or_else(|| {
                    Error::new(ErrorKind::Request, format!("Service {namespace}/{service} has no port {want:?}"))
                })?
            }
        };
        let eps: Vec<(&Endpoint, bool)> =
            port_endpoints(svc, p, self.service_endpoint_list(i)).map(|e| (e, e.conditions.ready)).collect();
        let node = node.unwrap_or("");
        let zone = self.nodes.iter().find(|n| n.metadata.name == node).and_then(|n| n.zone()).unwrap_or("");
        let cats = categorize(&eps, facts(svc), node, zone);
        let render = |idx: &[usize]| {
            idx.iter().filter_map(|&i| eps.get(i)).map(|(e, _)| host_port(e.ip, e.port)).collect::<Vec<_>>()
        };
        Ok(UsableEndpoints {
            cluster_endpoints: cats.cluster.as_deref().map(render),
            local_endpoints: cats.local.as_deref().map(render),
            all_reachable_endpoints: render(&cats.all_reachable),
            has_any_endpoints: cats.has_any,
            topology_mode: cats.topology,
        })
    }

    /// The Service port that owns `ip:port/protocol` (a cluster IP, node address + nodePort,
    /// load-balancer IP or external IP), with how it is reached.
    pub fn service_at(
        &self,
        ip: core::net::IpAddr,
        port: u16,
        protocol: crate::model::Protocol,
    ) -> Option<(&Service, usize, crate::router::Via)> {
        let t = self.destinations.lookup(ip, port, protocol)?;
        Some((self.services.get(t.service)?, t.port, t.via))
    }

    /// Where an HTTP request goes through the cluster's Ingresses (spec §3, http-routing.md),
    /// without picking an endpoint; `explain` records the trace.
    pub fn route_http(
        &self,
        req: &crate::http::HttpRequest,
        explain: bool,
    ) -> Result<crate::http::HttpDecision, Error> {
        self.route_http_with_draw(req, explain, None)
    }

    /// [`Cluster::route_http`] with the random draw for weighted canaries given.
    pub fn route_http_with_draw(
        &self,
        req: &crate::http::HttpRequest,
        explain: bool,
        canary_draw: Option<u64>,
    ) -> Result<crate::http::HttpDecision, Error> {
        let endpoints_of = |ns: &str, name: &str| self.endpoints(ns, name).ok();
        self.http.route_with_draw(req, &self.services, &endpoints_of, explain, canary_draw)
    }

    /// The compiled Ingress routing table.
    pub fn http_table(&self) -> &crate::http::RouteTable {
        &self.http
    }

    /// The destination index (Service addresses).
    pub(crate) fn destinations(&self) -> &crate::router::Destinations {
        &self.destinations
    }

    /// The id of the Service at `index`: stable across watch events, never reused.
    pub(crate) fn service_id(&self, index: usize) -> u32 {
        self.service_ids.get(index).copied().unwrap_or(u32::MAX)
    }

    /// The endpoints of the Service at `index` in [`Cluster::services`].
    pub(crate) fn service_endpoints(&self, index: usize) -> &[Endpoint] {
        self.service_endpoint_list(index)
    }

    fn service_endpoint_list(&self, index: usize) -> &[Endpoint] {
        self.service_endpoints.get(index).map_or(&[][..], Vec::as_slice)
    }

    /// The options the cluster was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }
}

/// The API server's own Service, as every cluster has it.
fn kubernetes_service(ranges: &Ranges) -> Service {
    use crate::model::{IntOrString, ObjectMeta, ServicePort};
    let ip = format!("{}", ranges.services.first_usable());
    Service {
        metadata: ObjectMeta {
            name: String::from("kubernetes"),
            namespace: String::from("default"),
            labels: [
                (String::from("component"), String::from("apiserver")),
                (String::from("provider"), String::from("kubernetes")),
            ]
            .into_iter()
            .collect(),
            ..ObjectMeta::default()
        },
        ports: alloc::vec![ServicePort {
            name: String::from("https"),
            port: 443,
            target_port: Some(IntOrString::Int(6443)),
            ..ServicePort::default()
        }],
        cluster_ip: ip.clone(),
        cluster_ips: alloc::vec![ip],
        ..Service::default()
    }
}

/// Drops the source indexes.
fn strip<T>(v: Vec<(T, usize)>) -> Vec<T> {
    v.into_iter().map(|(o, _)| o).collect()
}

/// Loaded objects split by kind, each with its source index, ordered by namespace and name.
struct Parts {
    pods: Vec<(Pod, usize)>,
    services: Vec<(Service, usize)>,
    nodes: Vec<(Node, usize)>,
    ingresses: Vec<(Ingress, usize)>,
    ingress_classes: Vec<IngressClass>,
    secrets: Vec<Secret>,
    endpoints: BTreeMap<(String, String), (Endpoints, usize)>,
    slices: BTreeMap<(String, String), Vec<(EndpointSlice, usize)>>,
}

impl Parts {
    fn split(mut loaded: Vec<Loaded>) -> Self {
        crate::sort::sort_by(&mut loaded, |a, b| {
            let (x, y) = (a.object.meta(), b.object.meta());
            (&x.namespace, &x.name).cmp(&(&y.namespace, &y.name))
        });
        let mut p = Parts {
            pods: Vec::new(),
            services: Vec::new(),
            nodes: Vec::new(),
            ingresses: Vec::new(),
            ingress_classes: Vec::new(),
            secrets: Vec::new(),
            endpoints: BTreeMap::new(),
            slices: BTreeMap::new(),
        };
        for Loaded { object, src } in loaded {
            match object {
                Object::Pod(o) => p.pods.push((o, src)),
                Object::Service(o) => p.services.push((o, src)),
                Object::Node(o) => p.nodes.push((o, src)),
                Object::Ingress(o) => p.ingresses.push((o, src)),
                Object::IngressClass(o) => p.ingress_classes.push(o),
                Object::Secret(o) => p.secrets.push(o),
                Object::Endpoints(o) => {
                    p.endpoints.insert((o.metadata.namespace.clone(), o.metadata.name.clone()), (o, src));
                }
                Object::EndpointSlice(o) => {
                    if let Some(svc) = o.metadata.labels.get("kubernetes.io/service-name") {
                        let key = (o.metadata.namespace.clone(), svc.clone());
                        p.slices.entry(key).or_default().push((o, src));
                    }
                }
            }
        }
        p
    }
}
