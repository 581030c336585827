//! The stateful connection router: which endpoint a connection to a Service address lands on,
//! and why (spec §4.4–§4.7). State (affinity, balancer positions, probe timelines) belongs to
//! the caller's [`Router`]; the [`crate::Cluster`] stays immutable. Time is an argument.

pub mod affinity;
mod balancer;
mod destination;
mod follow;
pub mod maglev;
mod probe;
mod probe_map;
pub mod ring_hash;
mod rng;
mod usable;

pub use balancer::Balancer;
pub(crate) use destination::Destinations;
pub use destination::Via;
pub use maglev::DEFAULT_TABLE_SIZE;
pub use probe::ProbeStep;
pub use rng::hash64;

pub(crate) use usable::{categorize, PolicyFacts};

use crate::endpoints::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::model::{Protocol, Service, ServiceType};
use crate::short_eq::same;
use crate::Cluster;
use affinity::AffinityTable;
use alloc::{collections::BTreeMap, format, string::String, sync::Arc, vec::Vec};
use balancer::{Candidates, PortState};
use core::net::IpAddr;
use probe::ProbeState;
use probe_map::ProbeMap;
use rng::Rng;

/// How a router behaves.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RouterConfig {
    /// The node whose kube-proxy handles traffic that does not say where it arrives.
    pub node: Option<String>,
    /// Seed of the random draws.
    pub seed: u64,
    /// The default balancer (a Service's `kroute.dev/balancer` annotation overrides it).
    pub balancer: Balancer,
    /// Most clients the ClientIP affinity table remembers (least recently used evicted first).
    pub affinity_capacity: usize,
    /// Maglev table size (prime).
    pub maglev_table_size: usize,
    /// Record a trace of every decision step.
    pub explain: bool,
}

impl Default for RouterConfig {
    fn default() -> Self {
        Self {
            node: None,
            seed: 0,
            balancer: Balancer::Random,
            affinity_capacity: 1 << 20,
            maglev_table_size: DEFAULT_TABLE_SIZE,
            explain: false,
        }
    }
}

impl RouterConfig {
    /// Checks the settings: the Maglev table size must be a prime between 2 and 5,000,011.
    pub fn validate(&self) -> Result<(), Error> {
        let m = self.maglev_table_size;
        let prime = m >= 2 && (2..).take_while(|d| d * d <= m).all(|d| m % d != 0);
        if !prime || m > 5_000_011 {
            return Err(Error::new(
                ErrorKind::Request,
                format!("maglevTableSize must be a prime between 2 and 5000011, not {m}"),
            ));
        }
        Ok(())
    }
}

/// A connection attempt.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Conn {
    /// The client's address (for a pod client, its pod IP when omitted).
    #[serde(default)]
    pub client_ip: Option<IpAddr>,
    /// The client's source port, when known (the consistent-hash balancers use it).
    #[serde(default)]
    pub client_port: Option<u16>,
    /// The destination address.
    pub dst_ip: IpAddr,
    /// The destination port.
    pub dst_port: u16,
    /// The protocol (TCP).
    #[serde(default)]
    pub protocol: Protocol,
    /// The client pod (`namespace/name`), when the connection starts inside the cluster.
    #[serde(default)]
    pub from_pod: Option<String>,
    /// The node the packet arrives at, overriding the router's node.
    #[serde(default)]
    pub node: Option<String>,
}

/// What kube-proxy does with the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// DNAT to an endpoint.
    Forward,
    /// Dropped silently (a Local policy without local endpoints).
    Drop,
    /// Rejected with ICMP (the Service has no endpoints at all).
    Reject,
    /// Not a Service address: kube-proxy leaves the packet alone.
    Pass,
}

/// Whether ClientIP affinity chose the endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Affinity {
    /// The client's remembered endpoint.
    Hit,
    /// A new choice, now remembered.
    New,
    /// The Service has no affinity.
    None,
}

/// The Service port a decision is about.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRef {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The Service port number.
    pub port: u16,
    /// The port's name.
    pub port_name: String,
}

/// The endpoint chosen.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EndpointRef {
    /// Address.
    #[serde(serialize_with = "crate::endpoints::display")]
    pub ip: IpAddr,
    /// Port.
    pub port: u16,
    /// Pod name, when known.
    pub pod: Option<String>,
    /// Node name, when known.
    pub node: Option<String>,
}

/// Where a connection goes, and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnDecision {
    /// FORWARD, DROP, REJECT or PASS.
    pub verdict: Verdict,
    /// How the Service was reached.
    pub via: Option<Via>,
    /// The Service port.
    pub service: Option<ServiceRef>,
    /// The node whose kube-proxy handled the packet.
    pub node: Option<String>,
    /// The chosen endpoint.
    pub endpoint: Option<EndpointRef>,
    /// Whether the source address is masqueraded (the pod then sees a node address).
    pub source_nat: bool,
    /// The client address the endpoint sees.
    #[serde(serialize_with = "display_opt")]
    pub client_ip_seen: Option<IpAddr>,
    /// ClientIP affinity.
    pub affinity: Affinity,
    /// The balancer used.
    pub balancer: &'static str,
    /// Why, in one sentence.
    pub reason: String,
    /// Every step, when the router explains.
    pub trace: Option<Vec<String>>,
}

fn display_opt<S: serde::Serializer>(v: &Option<IpAddr>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(ip) => s.collect_str(ip),
        None => s.serialize_none(),
    }
}

/// A pod turning Ready or unready on the timeline.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReadinessChange {
    /// When (seconds).
    pub time: f64,
    /// `namespace/name`.
    pub pod: String,
    /// Ready after the change.
    pub ready: bool,
}

/// kube-proxy's endpoint categories for one Service port on one node, in its names.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsableEndpoints {
    /// Usable under Cluster policy (`null` when the Service never uses it), as `ip:port`.
    pub cluster_endpoints: Option<Vec<String>>,
    /// Usable under Local policy (`null` when the Service never uses it).
    pub local_endpoints: Option<Vec<String>>,
    /// Everything reachable from this node.
    pub all_reachable_endpoints: Vec<String>,
    /// Whether any usable endpoint exists anywhere.
    pub has_any_endpoints: bool,
    /// The topology mode applied (`""`, `PreferSameZone`, `PreferSameNode`).
    pub topology_mode: &'static str,
}

/// `ip:port`, brackets for IPv6.
pub(crate) fn host_port(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(_) => format!("{ip}:{port}"),
        IpAddr::V6(_) => format!("[{ip}]:{port}"),
    }
}

/// The policy facts of a Service (spec §4.4).
pub(crate) fn facts(svc: &Service) -> PolicyFacts {
    let externally_accessible = svc.ports.iter().any(|p| p.node_port.is_some_and(|n| n != 0))
        || (svc.service_type() == ServiceType::LoadBalancer
            && svc.load_balancer_ingress.iter().any(|i| !i.ip.is_empty()))
        || !svc.external_ips.is_empty()
        || matches!(svc.service_type(), ServiceType::NodePort | ServiceType::LoadBalancer);
    PolicyFacts {
        externally_accessible,
        external_local: externally_accessible && svc.external_traffic_policy == "Local",
        internal_local: svc.internal_traffic_policy == "Local",
    }
}

/// The endpoints of one Service port: same port name and protocol.
pub(crate) fn port_endpoints<'e>(
    svc: &'e Service,
    port: usize,
    eps: &'e [Endpoint],
) -> impl Iterator<Item = &'e Endpoint> {
    let sp = svc.ports.get(port);
    eps.iter().filter(move |e| sp.is_some_and(|p| e.protocol == p.protocol && same(&e.port_name, &p.name)))
}

/// A stateful router over a cluster snapshot.
#[derive(Clone, Debug)]
pub struct Router {
    cluster: Arc<Cluster>,
    config: RouterConfig,
    rng: Rng,
    affinity: AffinityTable,
    /// Balancer state per (Service id, port index); ids survive watch events.
    ports: BTreeMap<(u32, usize), PortState>,
    probes: ProbeMap,
    in_flight: BTreeMap<(IpAddr, u16), u64>,
    now: f64,
}

impl Router {
    /// A router over `cluster` with `config`.
    pub fn new(cluster: Arc<Cluster>, config: RouterConfig) -> Self {
        let mut probes = ProbeMap::default();
        for pod in cluster.pods() {
            if let Some(probe) = pod.readiness_probe() {
                probes.insert(&pod.metadata.namespace, &pod.metadata.name, ProbeState::new(probe, pod.is_ready()));
            }
        }
        Self {
            rng: Rng::new(config.seed),
            affinity: AffinityTable::new(config.affinity_capacity),
            cluster,
            config,
            ports: BTreeMap::new(),
            probes,
            in_flight: BTreeMap::new(),
            now: 0.0,
        }
    }

    /// The cluster snapshot this router routes over.
    pub fn cluster(&self) -> &Arc<Cluster> {
        &self.cluster
    }

    /// Number of clients the affinity table remembers.
    pub fn affinity_entries(&self) -> usize {
        self.affinity.len()
    }

    /// Runs every scheduled readiness probe up to `now`; returns the readiness changes in
    /// time order, then by `namespace/pod`, then by the namespace's length (which tells
    /// apart names that print alike, `a/b` + `c` and `a` + `b/c`): the probes' hash order
    /// never shows.
    pub fn advance(&mut self, now: f64) -> Vec<ReadinessChange> {
        let mut out: Vec<(ReadinessChange, usize)> = Vec::new();
        for (ns, pod, state) in self.probes.iter_mut() {
            let mut changes = Vec::new();
            state.advance(now, &mut changes);
            out.extend(
                changes
                    .into_iter()
                    .map(|(time, ready)| (ReadinessChange { time, pod: format!("{ns}/{pod}"), ready }, ns.len())),
            );
        }
        crate::sort::sort_by(&mut out, |(a, a_ns), (b, b_ns)| {
            a.time.total_cmp(&b.time).then_with(|| a.pod.cmp(&b.pod)).then(a_ns.cmp(b_ns))
        });
        self.now = self.now.max(now);
        out.into_iter().map(|(change, _)| change).collect()
    }

    /// Reports one probe outcome for a pod; returns its readiness after it.
    pub fn report_probe(&mut self, namespace: &str, pod: &str, ok: bool, now: f64) -> Result<bool, Error> {
        self.advance(now);
        let state = self.probe_state(namespace, pod)?;
        state.observe(ok);
        Ok(state.ready)
    }

    /// Scripts a pod's probe outcomes (`ok` until each step's `until`; success afterwards).
    pub fn script_probe(&mut self, namespace: &str, pod: &str, script: Vec<ProbeStep>) -> Result<(), Error> {
        self.probe_state(namespace, pod)?.set_script(script);
        Ok(())
    }

    fn probe_state(&mut self, namespace: &str, pod: &str) -> Result<&mut ProbeState, Error> {
        if self.probes.get(namespace, pod).is_none() {
            let p = self
                .cluster
                .pods()
                .iter()
                .find(|p| p.metadata.namespace == namespace && p.metadata.name == pod)
                .ok_or_else(|| Error::new(ErrorKind::Request, format!("no Pod {namespace}/{pod}")))?;
            // A pod without a readinessProbe is probed with kubelet's defaults from now on.
            self.probes.insert(namespace, pod, ProbeState::new(p.readiness_probe().unwrap_or_default(), p.is_ready()));
        }
        self.probes
            .get_mut(namespace, pod)
            .ok_or_else(|| Error::new(ErrorKind::Request, format!("no Pod {namespace}/{pod}")))
    }

    /// Sets the in-flight request count of an endpoint (for `least-request`).
    pub fn set_in_flight(&mut self, ip: IpAddr, port: u16, count: u64) {
        self.in_flight.insert((ip, port), count);
    }

    /// What `balancer` weighs the candidates by: their weights for `weighted`, their in-flight
    /// counts for `least-request`; nothing for the others, which look at neither (a connect
    /// then reads no annotation and no count per endpoint).
    fn loads(&self, balancer: Balancer, svc: &Service, candidates: &[&Endpoint]) -> (Vec<i64>, Vec<u64>) {
        match balancer {
            Balancer::Weighted => {
                let spec = svc.metadata.annotations.get("kroute.dev/weights");
                (candidates.iter().map(|e| spec.map_or(1, |s| weight_of(s, e))).collect(), Vec::new())
            }
            Balancer::LeastRequest => (
                Vec::new(),
                candidates.iter().map(|e| self.in_flight.get(&(e.ip, e.port)).copied().unwrap_or(0)).collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        }
    }

    /// An endpoint's readiness as the router sees it: probe state overrides the status.
    #[inline]
    fn effective(&self, svc: &Service, e: &Endpoint) -> (bool, bool) {
        if self.probes.is_empty() {
            return (e.conditions.ready, e.conditions.serving);
        }
        match e.pod.as_ref().and_then(|p| self.probes.get(&svc.metadata.namespace, p)) {
            Some(state) => {
                let ready = svc.publish_not_ready_addresses || (state.ready && !e.conditions.terminating);
                (ready, state.ready)
            }
            None => (e.conditions.ready, e.conditions.serving),
        }
    }

    /// Where `conn` goes at time `now` (seconds).
    pub fn connect(&mut self, conn: &Conn, now: f64) -> Result<ConnDecision, Error> {
        self.advance(now);
        let cluster = Arc::clone(&self.cluster);
        let mut trace = self.config.explain.then(Vec::new);
        // Steps are formatted only when the router explains: nothing extra on the hot path.
        let mut step = |s: &dyn Fn() -> String| {
            if let Some(t) = trace.as_mut() {
                t.push(s());
            }
        };
        let from_pod = match &conn.from_pod {
            Some(name) => {
                let (ns, pod) = name.split_once('/').unwrap_or(("default", name.as_str()));
                let p = cluster
                    .pods()
                    .iter()
                    .find(|p| p.metadata.namespace == ns && p.metadata.name == pod)
                    .ok_or_else(|| Error::new(ErrorKind::Request, format!("no Pod {ns}/{pod}")))?;
                Some(p)
            }
            None => None,
        };
        let client_ip = match (conn.client_ip, from_pod.and_then(|p| p.primary_ip()).and_then(crate::ip_text::parse_ip))
        {
            (Some(ip), _) | (None, Some(ip)) => ip,
            (None, None) => return Err(Error::new(ErrorKind::Request, "a connection needs clientIp or fromPod")),
        };
        let mut decision = ConnDecision {
            verdict: Verdict::Pass,
            via: None,
            service: None,
            node: None,
            endpoint: None,
            source_nat: false,
            client_ip_seen: Some(client_ip),
            affinity: Affinity::None,
            balancer: self.config.balancer.as_str(),
            reason: String::new(),
            trace: None,
        };
        let dests = cluster.destinations();
        let Some(target) = dests.lookup(conn.dst_ip, conn.dst_port, conn.protocol) else {
            let owner =
                cluster.pods().iter().find(|p| p.primary_ip().and_then(crate::ip_text::parse_ip) == Some(conn.dst_ip));
            decision.reason = match owner {
                Some(p) => format!(
                    "{} is pod {}/{}'s own address: no Service is involved, the packet goes to the pod directly",
                    conn.dst_ip, p.metadata.namespace, p.metadata.name
                ),
                None => format!(
                    "no Service owns {}:{}/{}; kube-proxy does not touch the packet",
                    conn.dst_ip,
                    conn.dst_port,
                    conn.protocol.as_str()
                ),
            };
            step(&|| decision.reason.clone());
            decision.trace = trace;
            return Ok(decision);
        };
        let Some(svc) = cluster.services().get(target.service) else {
            return Err(Error::new(ErrorKind::Request, "stale destination index"));
        };
        let sp = svc.ports.get(target.port);
        decision.via = Some(target.via);
        decision.service = Some(ServiceRef {
            namespace: svc.metadata.namespace.clone(),
            name: svc.metadata.name.clone(),
            port: sp.and_then(|p| u16::try_from(p.port).ok()).unwrap_or(0),
            port_name: sp.map(|p| p.name.clone()).unwrap_or_default(),
        });
        step(&|| {
            format!(
                "{}:{} is Service {}/{} port {} via {:?}",
                conn.dst_ip,
                conn.dst_port,
                svc.metadata.namespace,
                svc.metadata.name,
                sp.map_or(0, |p| p.port),
                target.via
            )
        });
        let eps_all = cluster.service_endpoints(target.service);
        let mut eps: Vec<(&Endpoint, bool)> = Vec::with_capacity(eps_all.len());
        eps.extend(port_endpoints(svc, target.port, eps_all).map(|e| (e, self.effective(svc, e).0)));
        let f = facts(svc);
        // The receiving node: the nodePort's node, the client pod's node, the connection's, the router's.
        let node_name: Option<String> = target
            .node
            .and_then(|n| cluster.nodes().get(n))
            .map(|n| n.metadata.name.clone())
            .or_else(|| conn.node.clone())
            .or_else(|| from_pod.map(|p| p.node_name.clone()).filter(|n| !n.is_empty()))
            .or_else(|| self.config.node.clone());
        let node_name = match (node_name, target.via) {
            (Some(n), _) => Some(n),
            (None, Via::LoadBalancer | Via::ExternalIP) if from_pod.is_none() => {
                // The load balancer picks a node; with Local policy only nodes whose health check passes.
                let candidates: Vec<&str> = cluster
                    .nodes()
                    .iter()
                    .map(|n| n.metadata.name.as_str())
                    .filter(|n| !f.external_local || eps.iter().any(|(e, r)| *r && e.node.as_deref() == Some(*n)))
                    .collect();
                let pick = (!candidates.is_empty())
                    .then(|| balancer::client_key(client_ip, conn.client_port) as usize % candidates.len());
                let chosen = pick.and_then(|i| candidates.get(i)).map(|s| String::from(*s));
                if let Some(n) = &chosen {
                    step(&|| {
                        format!(
                            "the load balancer sends the connection to node {n}{}",
                            if f.external_local { " (healthCheckNodePort answers 200 there)" } else { "" }
                        )
                    });
                }
                chosen
            }
            (None, _) => None,
        };
        decision.node = node_name.clone();
        let node = node_name.as_deref().unwrap_or("");
        let zone = cluster.nodes().iter().find(|n| n.metadata.name == node).and_then(|n| n.zone()).unwrap_or("");
        let mut cats = categorize(&eps, f, node, zone);
        let external = target.via.is_external();
        // Pod traffic to external destinations is short-circuited to the Cluster chain (§4.4).
        let (list, policy) = if external && from_pod.is_none() && f.external_local {
            (cats.local.take().unwrap_or_default(), "Local (externalTrafficPolicy)")
        } else if !external && f.internal_local {
            (cats.local.take().unwrap_or_default(), "Local (internalTrafficPolicy)")
        } else {
            (cats.cluster.take().unwrap_or_default(), "Cluster")
        };
        step(&|| {
            format!(
                "{} endpoints for this port; policy {policy}; usable: {}{}",
                eps.len(),
                list.len(),
                if cats.topology.is_empty() { String::new() } else { format!(" (topology {})", cats.topology) }
            )
        });
        if list.is_empty() {
            (decision.verdict, decision.reason) = if cats.has_any {
                (
                    Verdict::Drop,
                    format!(
                        "Service {}/{} has no local endpoints on node {}; kube-proxy drops the packet",
                        svc.metadata.namespace,
                        svc.metadata.name,
                        if node.is_empty() { "(unknown)" } else { node }
                    ),
                )
            } else {
                (
                    Verdict::Reject,
                    format!(
                        "Service {}/{} has no endpoints; kube-proxy rejects the connection",
                        svc.metadata.namespace, svc.metadata.name
                    ),
                )
            };
            step(&|| decision.reason.clone());
            decision.trace = trace;
            return Ok(decision);
        }
        let chosen: Vec<&Endpoint> = list.iter().filter_map(|&i| eps.get(i).map(|(e, _)| *e)).collect();
        let balancer = svc
            .metadata
            .annotations
            .get("kroute.dev/balancer")
            .and_then(|b| Balancer::parse(b))
            .unwrap_or(self.config.balancer);
        decision.balancer = balancer.as_str();
        let ids: Vec<(IpAddr, u16)> = chosen.iter().map(|e| (e.ip, e.port)).collect();
        let (weights, in_flight) = self.loads(balancer, svc, &chosen);
        let service_id = cluster.service_id(target.service);
        let port_id = service_id.wrapping_mul(1024).wrapping_add(target.port as u32);
        let remembered = (svc.session_affinity == "ClientIP")
            .then(|| {
                self.affinity.lookup(
                    port_id,
                    client_ip,
                    now,
                    svc.affinity_timeout.unwrap_or(crate::defaults::DEFAULT_AFFINITY_TIMEOUT) as f64,
                )
            })
            .flatten()
            .and_then(|key| chosen.iter().position(|e| (e.ip, e.port) == key));
        let index = match remembered {
            Some(i) => {
                decision.affinity = Affinity::Hit;
                step(&|| {
                    format!(
                        "ClientIP affinity: {client_ip} used {} within the last {} s",
                        ids.get(i).map_or(String::new(), |(ip, port)| host_port(*ip, *port)),
                        svc.affinity_timeout.unwrap_or(0)
                    )
                });
                i
            }
            None => {
                let state = self.ports.entry((service_id, target.port)).or_default();
                let c = Candidates { ids: &ids, weights: &weights, in_flight: &in_flight };
                let i =
                    state.pick(balancer, &c, client_ip, conn.client_port, &mut self.rng, self.config.maglev_table_size);
                step(&|| {
                    format!(
                        "{} picks {} of {}",
                        balancer.as_str(),
                        ids.get(i).map_or(String::new(), |(ip, port)| host_port(*ip, *port)),
                        ids.len()
                    )
                });
                if svc.session_affinity == "ClientIP" {
                    decision.affinity = Affinity::New;
                }
                i
            }
        };
        let Some(e) = chosen.get(index) else {
            return Err(Error::new(ErrorKind::Request, "balancer picked outside the candidates"));
        };
        if svc.session_affinity == "ClientIP" {
            self.affinity.record(port_id, client_ip, (e.ip, e.port), now);
        }
        if balancer == Balancer::LeastRequest {
            let count = self.in_flight.entry((e.ip, e.port)).or_default();
            *count = count.saturating_add(1);
        }
        decision.verdict = Verdict::Forward;
        decision.endpoint = Some(EndpointRef { ip: e.ip, port: e.port, pod: e.pod.clone(), node: e.node.clone() });
        // Masquerade: external traffic under Cluster policy, and a pod reaching itself (hairpin).
        let hairpin = e.ip == client_ip;
        decision.source_nat = (external && from_pod.is_none() && !f.external_local) || hairpin;
        if decision.source_nat {
            let node_ip = cluster
                .nodes()
                .iter()
                .find(|n| n.metadata.name == node)
                .and_then(|n| n.addresses.iter().find(|a| a.type_ == "InternalIP"))
                .and_then(|a| a.address.parse().ok());
            decision.client_ip_seen = node_ip;
        }
        decision.reason = format!(
            "forwarded to {}{}{}",
            host_port(e.ip, e.port),
            e.pod.as_ref().map(|p| format!(" (pod {p})")).unwrap_or_default(),
            if decision.source_nat { ", source NAT to the node's address" } else { ", client address kept" }
        );
        step(&|| decision.reason.clone());
        decision.trace = trace;
        Ok(decision)
    }
}

/// An HTTP request routed through the Ingresses and on to an endpoint: the Ingress decision
/// plus the endpoint the controller proxies to and the affinity cookie it sets.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouted {
    /// The Ingress decision (status, source, match, backend, TLS, redirect, …).
    #[serde(flatten)]
    pub decision: crate::http::HttpDecision,
    /// The endpoint chosen among the backend's ready endpoints.
    pub endpoint: Option<EndpointRef>,
    /// The `Set-Cookie` header value for cookie affinity, when a new endpoint was chosen.
    pub set_cookie: Option<String>,
    /// Whether the affinity cookie chose the endpoint.
    pub sticky: Affinity,
}

/// The affinity cookie's value for an endpoint: a stable hash of `ip:port` (ingress-nginx
/// stores a hash of the upstream too).
fn cookie_value(e: &Endpoint) -> String {
    format!("{:016x}", hash64(host_port(e.ip, e.port).as_bytes(), 0x636f_6f6b_6965))
}

impl Router {
    /// Routes an HTTP request (spec: http-routing.md) and picks the backend endpoint the way
    /// an Ingress controller proxies: among the Service port's ready endpoints, honouring
    /// cookie affinity (`nginx.ingress.kubernetes.io/affinity: cookie`) when the decision has it.
    pub fn route_http(&mut self, req: &crate::http::HttpRequest, now: f64) -> Result<HttpRouted, Error> {
        self.advance(now);
        let cluster = Arc::clone(&self.cluster);
        let decision = cluster.route_http(req, self.config.explain)?;
        let mut out = HttpRouted { decision, endpoint: None, set_cookie: None, sticky: Affinity::None };
        if out.decision.status != 200 {
            return Ok(out);
        }
        let Some(backend) = out.decision.backend.as_ref() else { return Ok(out) };
        let (Some(name), Some(port)) = (backend.service.as_deref(), backend.service_port) else { return Ok(out) };
        let Ok(index) = cluster.service_position(&backend.namespace, name) else { return Ok(out) };
        let Some(svc) = cluster.services().get(index) else { return Ok(out) };
        let Some(p) = svc.ports.iter().position(|sp| sp.port == i64::from(port)) else { return Ok(out) };
        let ready: Vec<&Endpoint> =
            port_endpoints(svc, p, cluster.service_endpoints(index)).filter(|e| self.effective(svc, e).0).collect();
        if ready.is_empty() {
            out.decision.status = 503;
            return Ok(out);
        }
        let affinity = out.decision.affinity.clone();
        let remembered = affinity
            .as_ref()
            .and_then(|a| req.cookie(&a.name))
            .and_then(|v| ready.iter().position(|e| cookie_value(e) == v));
        let i = match remembered {
            Some(i) => {
                out.sticky = Affinity::Hit;
                i
            }
            None => {
                let ids: Vec<(IpAddr, u16)> = ready.iter().map(|e| (e.ip, e.port)).collect();
                let (weights, in_flight) = self.loads(self.config.balancer, svc, &ready);
                let client = req.client_ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
                let state = self.ports.entry((cluster.service_id(index), p)).or_default();
                let c = Candidates { ids: &ids, weights: &weights, in_flight: &in_flight };
                state.pick(self.config.balancer, &c, client, None, &mut self.rng, self.config.maglev_table_size)
            }
        };
        let Some(e) = ready.get(i) else { return Ok(out) };
        if let (Some(a), None) = (&affinity, remembered) {
            let mut cookie =
                format!("{}={}; Path={}", a.name, cookie_value(e), if a.path.is_empty() { "/" } else { &a.path });
            if let Some(d) = &a.domain {
                cookie.push_str(&format!("; Domain={d}"));
            }
            if let Some(m) = &a.max_age {
                cookie.push_str(&format!("; Max-Age={m}"));
            }
            if let Some(x) = &a.expires {
                cookie.push_str(&format!("; Expires={x}"));
            }
            if a.secure {
                cookie.push_str("; Secure");
            }
            if let Some(s) = &a.samesite {
                cookie.push_str(&format!("; SameSite={s}"));
            }
            cookie.push_str("; HttpOnly");
            out.set_cookie = Some(cookie);
            out.sticky = Affinity::New;
        }
        out.endpoint = Some(EndpointRef { ip: e.ip, port: e.port, pod: e.pod.clone(), node: e.node.clone() });
        Ok(out)
    }
}

/// The endpoint's weight in a `kroute.dev/weights` value, `"pod-a=3,10.0.0.5=1"` (1 when
/// unlisted).
fn weight_of(spec: &str, e: &Endpoint) -> i64 {
    let ip = format!("{}", e.ip);
    spec.split(',')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| k.trim() == ip || e.pod.as_deref() == Some(k.trim()))
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .filter(|w| *w >= 0)
        .unwrap_or(1)
}
