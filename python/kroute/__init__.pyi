"""kroute: Kubernetes Service networking reproduced offline (hand-written stubs)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, Unpack

from kroute import validation as validation
from kroute._errors import KrouteError as KrouteError
from kroute._errors import ManifestError as ManifestError
from kroute._errors import RequestError as RequestError
from kroute._errors import SelectorError as SelectorError
from kroute._native import HttpMatch as HttpMatch

__all__ = [
    "Cluster",
    "Conditions",
    "ConnDecision",
    "HttpDecision",
    "HttpMatch",
    "HttpRouted",
    "Diagnostic",
    "DnsAnswer",
    "DnsRecord",
    "Endpoint",
    "EndpointRef",
    "EnvVar",
    "EventOutcome",
    "KrouteError",
    "Limits",
    "ManifestError",
    "ObjectRef",
    "Options",
    "ReadinessChange",
    "RequestError",
    "Router",
    "Selector",
    "SelectorError",
    "ServiceRef",
    "UsableEndpoints",
    "__version__",
    "normalize_path",
    "validation",
]

__version__: str

class Limits(TypedDict, total=False):
    """How much input is read before it is refused with a :class:`ManifestError` naming the
    limit (the core's ``Limits``); every key is optional."""

    max_input_bytes: int
    max_documents: int
    max_objects: int
    max_depth: int
    max_labels: int
    max_string_bytes: int
    max_alias_expansion: int

class Options(TypedDict, total=False):
    """Keyword options of the ``Cluster.from_*`` constructors (the core's ``Options``)."""

    namespace: str
    service_cidr: str
    pod_cidr: str
    node_port_range: str
    cluster_domain: str
    assume_running_pods: bool
    dns_pods: Literal["disabled", "insecure", "verified"]
    kubernetes_service: bool
    profile: Literal["upstream", "ingress-nginx"]
    ingress_class: str | None
    merge_slashes: bool
    escaped_slashes: Literal["reject", "keep", "unescape"]
    limits: Limits

class _Result:
    def to_dict(self) -> dict[str, Any]:
        """The canonical camelCase JSON shape (as the Rust crate serialises it)."""

@dataclass(frozen=True, slots=True)
class Conditions(_Result):
    """EndpointSlice conditions of an endpoint."""

    ready: bool
    serving: bool
    terminating: bool

@dataclass(frozen=True, slots=True)
class ObjectRef(_Result):
    """The object a diagnostic is about."""

    kind: str
    namespace: str
    name: str

@dataclass(frozen=True, slots=True)
class Endpoint(_Result):
    """One address × one port backing a Service."""

    ip: str
    port: int
    port_name: str
    service_port: int
    protocol: str
    conditions: Conditions
    pod: str | None = None
    node: str | None = None
    hostname: str | None = None
    zone: str | None = None
    zone_hints: tuple[str, ...] = ()
    node_hints: tuple[str, ...] = ()

@dataclass(frozen=True, slots=True)
class Diagnostic(_Result):
    """A finding about the manifests: what, where and how serious."""

    severity: Literal["error", "warning", "info"]
    code: str
    message: str
    object: ObjectRef | None = None
    field: str | None = None
    document: int | None = None
    line: int | None = None
    column: int | None = None

@dataclass(frozen=True, slots=True)
class EnvVar(_Result):
    """One environment variable of a pod, and where it comes from."""

    name: str
    value: str
    source: Literal["service", "env"]
    service: str | None = None

@dataclass(frozen=True, slots=True)
class DnsRecord(_Result):
    """A resource record in zone-file presentation."""

    name: str
    type: str
    ttl: int
    data: str

@dataclass(frozen=True, slots=True)
class DnsAnswer(_Result):
    """A DNS answer, with every name the resolver tried."""

    rcode: Literal["NOERROR", "NXDOMAIN", "UPSTREAM"]
    answers: tuple[DnsRecord, ...] = ()
    additional: tuple[DnsRecord, ...] = ()
    tried: tuple[str, ...] = ()

@dataclass(frozen=True, slots=True)
class UsableEndpoints(_Result):
    """kube-proxy's endpoint categories for one Service port on one node."""

    cluster_endpoints: tuple[str, ...] | None
    local_endpoints: tuple[str, ...] | None
    all_reachable_endpoints: tuple[str, ...]
    has_any_endpoints: bool
    topology_mode: str = ""

@dataclass(frozen=True, slots=True)
class ServiceRef(_Result):
    """The Service port a connection decision is about."""

    namespace: str
    name: str
    port: int
    port_name: str = ""

@dataclass(frozen=True, slots=True)
class EndpointRef(_Result):
    """The endpoint a connection lands on."""

    ip: str
    port: int
    pod: str | None = None
    node: str | None = None

@dataclass(frozen=True, slots=True)
class ConnDecision(_Result):
    """Where a connection goes, and why."""

    verdict: Literal["FORWARD", "DROP", "REJECT", "PASS"]
    via: str | None = None
    service: ServiceRef | None = None
    node: str | None = None
    endpoint: EndpointRef | None = None
    source_nat: bool = False
    client_ip_seen: str | None = None
    affinity: Literal["hit", "new", "none"] = "none"
    balancer: str = "random"
    reason: str = ""
    trace: tuple[str, ...] | None = None

@dataclass(frozen=True, slots=True)
class HttpDecision(_Result):
    """Where an HTTP request goes through the Ingresses, and why."""

    status: int
    reason: str
    source: dict[str, Any] | None = None
    match: dict[str, Any] | None = None
    backend: dict[str, Any] | None = None
    tls: dict[str, Any] | None = None
    redirect: dict[str, Any] | None = None
    upstream_request: dict[str, Any] | None = None
    trace: tuple[Any, ...] | None = None

@dataclass(frozen=True, slots=True)
class HttpRouted(_Result):
    """An HTTP request routed on to an endpoint by a :class:`Router`."""

    decision: HttpDecision
    endpoint: EndpointRef | None = None
    set_cookie: str | None = None
    sticky: Literal["hit", "new", "none"] = "none"
    @property
    def status(self) -> int:
        """The decision's status."""

def normalize_path(raw: str, merge_slashes: bool = False, escaped_slashes: str = "reject") -> str:
    """The request path as kroute matches and forwards it."""

@dataclass(frozen=True, slots=True)
class ReadinessChange(_Result):
    """A pod turning Ready or unready on the router's timeline."""

    time: float
    pod: str
    ready: bool

@dataclass(frozen=True, slots=True)
class EventOutcome(_Result):
    """What a watch event changed."""

    type: str
    kind: str
    object: str
    recomputed: tuple[str, ...] = ()
    http_rebuilt: bool = False

class Cluster:
    """An immutable snapshot compiled from manifests, answering pure queries."""

    def __init__(self, *args: object, **kwargs: object) -> None: ...
    @classmethod
    def from_yaml(cls, text: str, **options: Unpack[Options]) -> Cluster:
        """Loads multi-document YAML (or JSON) text."""
    @classmethod
    def from_json(cls, text: str, **options: Unpack[Options]) -> Cluster:
        """Loads JSON text: one object, a ``List``, or an array of objects."""
    @classmethod
    def from_objects(cls, objects: Iterable[Mapping[str, Any]], **options: Unpack[Options]) -> Cluster:
        """Loads already-parsed objects (dicts), one document per element."""
    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Findings about the manifests, ordered by document, line and column."""
    @property
    def options(self) -> Options:
        """The options the cluster was built with (every key filled in)."""
    def endpoints(self, namespace: str, service: str) -> list[Endpoint]:
        """The endpoints of Service ``namespace/service``."""
    def env_vars(self, namespace: str, enable_service_links: bool = True) -> dict[str, str]:
        """The service variables kubelet injects into a pod in ``namespace``, in its order."""
    def env_var_records(self, namespace: str, enable_service_links: bool = True) -> list[EnvVar]:
        """Like :meth:`env_vars`, with each variable's source and Service."""
    def pod_env(self, namespace: str, pod: str, container: str | None = None) -> dict[str, str]:
        """The environment of a container of pod ``namespace/pod``."""
    def pod_env_records(self, namespace: str, pod: str, container: str | None = None) -> list[EnvVar]:
        """Like :meth:`pod_env`, with each variable's source."""
    def resolve(
        self,
        name: str,
        qtype: Literal["A", "AAAA", "SRV", "PTR", "CNAME", "TXT"] | str = "A",
        namespace: str | None = None,
    ) -> DnsAnswer:
        """Resolves ``name`` as cluster DNS answers it (from a pod in ``namespace``)."""
    def route_http(
        self,
        url: str,
        method: str = "GET",
        headers: Mapping[str, str | list[str]] | Iterable[tuple[str, str]] | None = None,
        sni: str | None = None,
        client_ip: str | None = None,
        explain: bool = False,
        canary_draw: int | None = None,
    ) -> HttpDecision:
        """Where an HTTP request goes through the cluster's Ingresses, and why."""
    def route_http_many(self, urls: Iterable[str | Mapping[str, Any]]) -> list[HttpDecision]:
        """Routes many requests in one call, without holding the GIL."""
    def lookup_http(self, url: str) -> HttpMatch:
        """Which Ingress rule answers ``url``, and its Service (the lean lookup, no decision)."""
    def lookup_http_many(self, urls: Iterable[str]) -> list[HttpMatch]:
        """:meth:`lookup_http` for many URLs, without holding the GIL while looking up."""
    def usable_endpoints(
        self, namespace: str, service: str, node: str | None = None, port: int | str | None = None
    ) -> UsableEndpoints:
        """kube-proxy's endpoint categories for a Service port on ``node``."""
    def router(
        self,
        seed: int = 0,
        balancer: Literal[
            "random", "round-robin", "weighted", "least-request", "source-hash", "maglev", "ring-hash"
        ] = "random",
        node: str | None = None,
        affinity_capacity: int = 1048576,
        maglev_table_size: int = 65537,
        explain: bool = False,
    ) -> Router:
        """A stateful connection router over the cluster as it is now."""
    def apply_event(self, event: Mapping[str, Any]) -> EventOutcome:
        """Applies a Kubernetes watch event to this cluster in place."""

class Router:
    """A stateful connection router over a cluster snapshot."""

    def __init__(self, *args: object, **kwargs: object) -> None: ...
    def connect(
        self,
        client_ip: str | None = None,
        dst_ip: str | None = None,
        dst_port: int | None = None,
        protocol: Literal["TCP", "UDP", "SCTP"] = "TCP",
        now: float = 0.0,
        *,
        from_pod: str | None = None,
        node: str | None = None,
        client_port: int | None = None,
    ) -> ConnDecision:
        """Where a connection goes at time ``now``, and why."""
    def route_http(
        self,
        url: str,
        method: str = "GET",
        headers: Mapping[str, str | list[str]] | Iterable[tuple[str, str]] | None = None,
        sni: str | None = None,
        client_ip: str | None = None,
        now: float = 0.0,
    ) -> HttpRouted:
        """Routes an HTTP request through the Ingresses and on to an endpoint at ``now``."""
    def lookup_http(self, url: str) -> HttpMatch:
        """:meth:`Cluster.lookup_http` on the router's snapshot."""
    def lookup_http_many(self, urls: Iterable[str]) -> list[HttpMatch]:
        """:meth:`Cluster.lookup_http_many` on the router's snapshot."""
    def connect_many(self, conns: Iterable[Mapping[str, Any]], now: float = 0.0) -> list[ConnDecision]:
        """Routes many connections at time ``now``, without holding the GIL."""
    def advance(self, now: float) -> list[ReadinessChange]:
        """Runs the scheduled readiness probes up to ``now``."""
    def report_probe(self, namespace: str, pod: str, ok: bool, now: float) -> bool:
        """Reports one readiness-probe outcome; returns the pod's readiness after it."""
    def script_probe(
        self, namespace: str, pod: str, steps: Iterable[Mapping[str, Any] | tuple[float, bool]]
    ) -> None:
        """Scripts a pod's probe outcomes."""
    def set_in_flight(self, ip: str, port: int, count: int) -> None:
        """Sets the requests in flight to endpoint ``ip:port``."""
    def apply_event(self, event: Mapping[str, Any]) -> EventOutcome: ...
    @property
    def affinity_entries(self) -> int:
        """How many clients the ClientIP affinity table remembers."""

class Selector:
    """A label selector, exactly as Kubernetes ``pkg/labels`` parses and matches it."""

    def __init__(self, text: str = "") -> None: ...
    @classmethod
    def parse(cls, text: str) -> Selector: ...
    @classmethod
    def everything(cls) -> Selector: ...
    @classmethod
    def nothing(cls) -> Selector: ...
    @classmethod
    def from_labels(cls, labels: Mapping[str, str]) -> Selector: ...
    @classmethod
    def from_label_selector(cls, selector: Mapping[str, Any] | None) -> Selector: ...
    def matches(self, labels: Mapping[str, str]) -> bool: ...
    def is_empty(self) -> bool: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
