"""kroute: Kubernetes Service networking reproduced offline.

Load manifests into a :class:`Cluster`, then ask it questions::

    import kroute

    cluster = kroute.Cluster.from_yaml(open("kubia.yaml").read())
    for ep in cluster.endpoints("default", "kubia"):
        print(ep.ip, ep.port, ep.conditions.ready)
    for d in cluster.diagnostics:
        print(d.severity, d.code, d.message)

    kroute.Selector.parse("app=kubia,tier in (web)").matches({"app": "kubia", "tier": "web"})

    cluster.env_vars("default")                      # {"KUBIA_SERVICE_HOST": "10.96.…", …}
    cluster.resolve("kubia", "A", namespace="default").answers
    router = cluster.router(seed=1)
    router.connect("10.244.9.9", "10.96.0.50", 80).endpoint

Results are frozen dataclasses with snake_case attributes; ``.to_dict()`` gives the canonical
camelCase JSON shape shared with the Rust crate and the npm package. Unreadable input raises
:class:`ManifestError`, :class:`SelectorError` or :class:`RequestError`, all
:class:`KrouteError` (a :class:`ValueError`) with ``kind``, ``document``, ``line``, ``column``
and ``field``. Findings about readable manifests are :attr:`Cluster.diagnostics`, never
exceptions.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, cast

from kroute import _native, validation
from kroute._errors import KrouteError, ManifestError, RequestError, SelectorError

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

__version__: str = _native.__version__

#: Which Ingress rule answers a URL (:meth:`Cluster.lookup_http`): a native immutable object.
HttpMatch = _native.HttpMatch

_Severity = Literal["error", "warning", "info"]


class Limits(TypedDict, total=False):
    """How much input is read before it is refused with a :class:`ManifestError` naming the
    limit (the core's ``Limits``); every key is optional."""

    #: Bytes of YAML or JSON text (32 MiB).
    max_input_bytes: int
    #: Documents in a YAML stream, or objects given to ``from_objects`` (10 000).
    max_documents: int
    #: Objects once ``List`` documents are flattened (100 000).
    max_objects: int
    #: Nesting of lists and maps; a document's top-level map is depth 1 (100, at most 128).
    max_depth: int
    #: Entries in one ``labels``, ``annotations``, ``matchLabels`` or ``selector`` map (1 000).
    max_labels: int
    #: Bytes of one string, key or value (2 MiB).
    max_string_bytes: int
    #: YAML nodes that anchors and aliases may copy in all, a bound on "billion laughs" (100 000).
    max_alias_expansion: int


_LIMITS = tuple(Limits.__annotations__)


class Options(TypedDict, total=False):
    """Keyword options of the ``Cluster.from_*`` constructors (the core's ``Options``)."""

    #: Namespace for namespaced objects that name none (``"default"``).
    namespace: str
    #: Service CIDR for cluster IPs (``"10.96.0.0/12"``).
    service_cidr: str
    #: Pod CIDR for pods without an IP (``"10.244.0.0/16"``).
    pod_cidr: str
    #: Node-port range, inclusive (``"30000-32767"``).
    node_port_range: str
    #: Cluster DNS domain (``"cluster.local"``).
    cluster_domain: str
    #: Pods without a ``status`` are taken as Running and Ready (``True``).
    assume_running_pods: bool
    #: CoreDNS ``pods`` mode for ``a-b-c-d.<ns>.pod.<zone>`` records (``"disabled"``).
    dns_pods: Literal["disabled", "insecure", "verified"]
    #: Add the API server's ``default/kubernetes`` Service when the manifests lack it (``True``).
    kubernetes_service: bool
    #: Whose HTTP routing to reproduce: ``"upstream"`` (default) or ``"ingress-nginx"``.
    profile: Literal["upstream", "ingress-nginx"]
    #: Route for this IngressClass only (default: the default class, else all).
    ingress_class: str | None
    #: Merge runs of ``/`` in request paths (nginx's default; ``False``).
    merge_slashes: bool
    #: What ``%2F``/``%5C`` in request paths do: ``"reject"`` (400, default), ``"keep"``, ``"unescape"``.
    escaped_slashes: Literal["reject", "keep", "unescape"]
    #: How much input is read before it is refused (:class:`Limits`).
    limits: Limits


# snake_case keyword → (camelCase key of the core's Options, expected type)
_OPTIONS: dict[str, tuple[str, type]] = {
    "namespace": ("namespace", str),
    "service_cidr": ("serviceCidr", str),
    "pod_cidr": ("podCidr", str),
    "node_port_range": ("nodePortRange", str),
    "cluster_domain": ("clusterDomain", str),
    "assume_running_pods": ("assumeRunningPods", bool),
    "dns_pods": ("dnsPods", str),
    "kubernetes_service": ("kubernetesService", bool),
    "profile": ("profile", str),
    "ingress_class": ("ingressClass", str),
    "merge_slashes": ("mergeSlashes", bool),
    "escaped_slashes": ("escapedSlashes", str),
    "limits": ("limits", dict),
}


def _options_json(where: str, options: Mapping[str, object]) -> str:
    out: dict[str, object] = {}
    for key, value in options.items():
        spec = _OPTIONS.get(key)
        if spec is None:
            known = ", ".join(_OPTIONS)
            raise TypeError(f"{where}() got an unexpected keyword argument {key!r} (options: {known})")
        camel, expected = spec
        if value is None and key == "ingress_class":
            out[camel] = None
            continue
        if type(value) is not expected and not (expected is str and isinstance(value, str)):
            raise TypeError(f"{where}(): {key} must be {expected.__name__}, not {type(value).__name__}")
        out[camel] = _limits_json(where, value) if key == "limits" else value
    return json.dumps(out)


def _limits_json(where: str, limits: Mapping[str, object]) -> dict[str, object]:
    unknown = [k for k in limits if k not in _LIMITS]
    if unknown:
        raise TypeError(f"{where}(): unknown limit {unknown[0]!r} (limits: {', '.join(_LIMITS)})")
    for key, value in limits.items():
        if type(value) is not int:
            raise TypeError(f"{where}(): limits[{key!r}] must be int, not {type(value).__name__}")
    return {_camel(k): v for k, v in limits.items()}


def _dumps(value: object, error: type[KrouteError], what: str) -> str:
    """JSON text of Python data; non-JSON types raise TypeError (from ``json``)."""
    try:
        return json.dumps(value, allow_nan=False)
    except RecursionError:
        raise error(f"{what} are nested too deeply") from None
    except ValueError as e:  # circular references, NaN and infinities
        raise error(f"{what}: {e}") from None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _plain(value: object) -> object:
    if isinstance(value, _Result):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


class _Result:
    """Shared ``to_dict`` of the result dataclasses."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The canonical camelCase JSON shape (as the Rust crate serialises it)."""
        raw: dict[str, Any] | None = getattr(self, "_raw", None)
        if raw is not None:
            return copy.deepcopy(raw)
        return {
            _camel(f.name): _plain(getattr(self, f.name))
            for f in dataclasses.fields(cast(Any, self))
            if f.init
        }

    def _keep(self, raw: dict[str, Any]) -> None:
        object.__setattr__(self, "_raw", raw)


@dataclass(frozen=True, slots=True)
class Conditions(_Result):
    """EndpointSlice conditions of an endpoint."""

    #: Ready to receive traffic: ``publishNotReadyAddresses or (serving and not terminating)``.
    ready: bool
    #: The pod's ``Ready`` condition is true (even while terminating).
    serving: bool
    #: The pod has a deletion timestamp.
    terminating: bool
    _raw: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> Conditions:
        c = cls(ready=d["ready"], serving=d["serving"], terminating=d["terminating"])
        c._keep(d)
        return c


@dataclass(frozen=True, slots=True)
class ObjectRef(_Result):
    """The object a diagnostic is about."""

    kind: str
    #: Empty for cluster-scoped objects.
    namespace: str
    name: str
    _raw: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> ObjectRef:
        o = cls(kind=d["kind"], namespace=d["namespace"], name=d["name"])
        o._keep(d)
        return o


@dataclass(frozen=True, slots=True)
class Endpoint(_Result):
    """One address × one port backing a Service."""

    ip: str
    #: The port on the address (the resolved ``targetPort``).
    port: int
    #: The Service port's name (empty for a single unnamed port).
    port_name: str
    #: The Service port number this endpoint serves.
    service_port: int
    protocol: str
    conditions: Conditions
    pod: str | None = None
    node: str | None = None
    hostname: str | None = None
    zone: str | None = None
    zone_hints: tuple[str, ...] = ()
    node_hints: tuple[str, ...] = ()
    _raw: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> Endpoint:
        e = cls(
            ip=d["ip"],
            port=d["port"],
            port_name=d["portName"],
            service_port=d["servicePort"],
            protocol=d["protocol"],
            conditions=Conditions._from_dict(d["conditions"]),
            pod=d.get("pod"),
            node=d.get("node"),
            hostname=d.get("hostname"),
            zone=d.get("zone"),
            zone_hints=tuple(d.get("zoneHints", ())),
            node_hints=tuple(d.get("nodeHints", ())),
        )
        e._keep(d)
        return e


@dataclass(frozen=True, slots=True)
class Diagnostic(_Result):
    """A finding about the manifests: what, where and how serious."""

    severity: _Severity
    #: A stable kebab-case code, like ``service-selects-nothing``.
    code: str
    message: str
    object: ObjectRef | None = None
    #: The field path inside the object, like ``spec.ports[0].targetPort``.
    field: str | None = None
    #: 0-based index of the document the object came from.
    document: int | None = None
    #: 1-based line and column in the input text.
    line: int | None = None
    column: int | None = None
    _raw: dict[str, Any] | None = dataclasses.field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> Diagnostic:
        obj = d.get("object")
        diag = cls(
            severity=d["severity"],
            code=d["code"],
            message=d["message"],
            object=None if obj is None else ObjectRef._from_dict(obj),
            field=d.get("field"),
            document=d.get("document"),
            line=d.get("line"),
            column=d.get("column"),
        )
        diag._keep(d)
        return diag


_RAW = dataclasses.field(default=None, init=False, repr=False, compare=False, hash=False)


def _tuple(value: list[Any] | None) -> tuple[Any, ...] | None:
    return None if value is None else tuple(value)


@dataclass(frozen=True, slots=True)
class EnvVar(_Result):
    """One environment variable of a pod, and where it comes from."""

    #: Name, like ``KUBIA_SERVICE_HOST``.
    name: str
    value: str
    #: ``"service"`` (injected by kubelet) or ``"env"`` (the container's explicit ``env``).
    source: Literal["service", "env"]
    #: For service variables, the Service (``namespace/name``) they describe.
    service: str | None = None
    _raw: dict[str, Any] | None = _RAW

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> EnvVar:
        v = cls(name=d["name"], value=d["value"], source=d["source"], service=d.get("service"))
        v._keep(d)
        return v


@dataclass(frozen=True, slots=True)
class DnsRecord(_Result):
    """A resource record in zone-file presentation."""

    #: Owner name, fully qualified with the trailing dot.
    name: str
    #: ``A``, ``AAAA``, ``SRV``, ``PTR``, ``CNAME`` or ``TXT``.
    type: str
    #: TTL in seconds.
    ttl: int
    #: ``10.0.0.1``, ``0 100 80 svc.ns.svc.cluster.local.``, ``"1.1.0"``.
    data: str
    _raw: dict[str, Any] | None = _RAW

    def __str__(self) -> str:
        return f"{self.name}\t{self.ttl}\tIN\t{self.type}\t{self.data}"

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> DnsRecord:
        r = cls(name=d["name"], type=d["type"], ttl=d["ttl"], data=d["data"])
        r._keep(d)
        return r


@dataclass(frozen=True, slots=True)
class DnsAnswer(_Result):
    """A DNS answer, with every name the resolver tried."""

    #: ``NOERROR`` (answers may be empty: NODATA), ``NXDOMAIN`` or ``UPSTREAM`` (outside the
    #: cluster domain: CoreDNS forwards it, which kroute does not simulate).
    rcode: Literal["NOERROR", "NXDOMAIN", "UPSTREAM"]
    answers: tuple[DnsRecord, ...] = ()
    #: Additional section (addresses of SRV targets).
    additional: tuple[DnsRecord, ...] = ()
    #: Names tried, in order (one unless a search list applied).
    tried: tuple[str, ...] = ()
    _raw: dict[str, Any] | None = _RAW

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> DnsAnswer:
        a = cls(
            rcode=d["rcode"],
            answers=tuple(DnsRecord._from_dict(r) for r in d["answers"]),
            additional=tuple(DnsRecord._from_dict(r) for r in d["additional"]),
            tried=tuple(d["tried"]),
        )
        a._keep(d)
        return a


@dataclass(frozen=True, slots=True)
class UsableEndpoints(_Result):
    """kube-proxy's endpoint categories for one Service port on one node, in its names."""

    #: Usable under Cluster policy, as ``ip:port`` (``None`` when the Service never uses it).
    cluster_endpoints: tuple[str, ...] | None
    #: Usable under Local policy, as ``ip:port`` (``None`` when the Service never uses it).
    local_endpoints: tuple[str, ...] | None
    #: Everything reachable from this node.
    all_reachable_endpoints: tuple[str, ...]
    #: Whether any usable endpoint exists anywhere.
    has_any_endpoints: bool
    #: The topology mode applied: ``""``, ``"PreferSameZone"`` or ``"PreferSameNode"``.
    topology_mode: str = ""
    _raw: dict[str, Any] | None = _RAW

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> UsableEndpoints:
        u = cls(
            cluster_endpoints=_tuple(d["clusterEndpoints"]),
            local_endpoints=_tuple(d["localEndpoints"]),
            all_reachable_endpoints=tuple(d["allReachableEndpoints"]),
            has_any_endpoints=d["hasAnyEndpoints"],
            topology_mode=d["topologyMode"],
        )
        u._keep(d)
        return u


@dataclass(frozen=True, slots=True)
class ServiceRef(_Result):
    """The Service port a connection decision is about."""

    namespace: str
    name: str
    #: The Service port number.
    port: int
    #: The port's name.
    port_name: str = ""
    _raw: dict[str, Any] | None = _RAW

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}:{self.port_name or self.port}"

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> ServiceRef:
        r = cls(namespace=d["namespace"], name=d["name"], port=d["port"], port_name=d["portName"])
        r._keep(d)
        return r


@dataclass(frozen=True, slots=True)
class EndpointRef(_Result):
    """The endpoint a connection lands on."""

    ip: str
    port: int
    pod: str | None = None
    node: str | None = None
    _raw: dict[str, Any] | None = _RAW

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> EndpointRef:
        r = cls(ip=d["ip"], port=d["port"], pod=d.get("pod"), node=d.get("node"))
        r._keep(d)
        return r


_Verdict = Literal["FORWARD", "DROP", "REJECT", "PASS"]


@dataclass(frozen=True, slots=True)
class ConnDecision(_Result):
    """Where a connection goes, and why."""

    #: ``FORWARD``, ``DROP`` (a Local policy without local endpoints), ``REJECT`` (no
    #: endpoints at all) or ``PASS`` (not a Service address: kube-proxy leaves it alone).
    verdict: _Verdict
    #: How the Service was reached: ``ClusterIP``, ``NodePort``, ``LoadBalancer``, ``ExternalIP``.
    via: str | None = None
    service: ServiceRef | None = None
    #: The node whose kube-proxy handled the packet.
    node: str | None = None
    endpoint: EndpointRef | None = None
    #: Whether the source address is masqueraded (the pod then sees a node address).
    source_nat: bool = False
    #: The client address the endpoint sees.
    client_ip_seen: str | None = None
    #: ClientIP affinity: ``hit``, ``new`` or ``none``.
    affinity: Literal["hit", "new", "none"] = "none"
    #: The balancer used.
    balancer: str = "random"
    #: Why, in one sentence.
    reason: str = ""
    #: Every step, when the router explains.
    trace: tuple[str, ...] | None = None
    _raw: dict[str, Any] | None = _RAW

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> ConnDecision:
        service = d.get("service")
        endpoint = d.get("endpoint")
        c = cls(
            verdict=d["verdict"],
            via=d.get("via"),
            service=None if service is None else ServiceRef._from_dict(service),
            node=d.get("node"),
            endpoint=None if endpoint is None else EndpointRef._from_dict(endpoint),
            source_nat=d["sourceNat"],
            client_ip_seen=d.get("clientIpSeen"),
            affinity=d["affinity"],
            balancer=d["balancer"],
            reason=d["reason"],
            trace=_tuple(d.get("trace")),
        )
        c._keep(d)
        return c


@dataclass(frozen=True, slots=True)
class HttpDecision(_Result):
    """Where an HTTP request goes through the Ingresses, and why. The nested parts are the
    canonical JSON objects (dicts); ``to_dict()`` gives the whole decision."""

    #: 200 routed, 301/308 redirect, 400 rejected request, 404 no rule, 500 bad backend, 503 no endpoint.
    status: int
    #: A stable word for why.
    reason: str
    #: Which Ingress, rule and path answered.
    source: dict[str, Any] | None = None
    #: How host and path matched.
    match: dict[str, Any] | None = None
    #: The backend: namespace, service, port, servicePort, resource, usableEndpoints.
    backend: dict[str, Any] | None = None
    #: The TLS Secret serving the SNI name.
    tls: dict[str, Any] | None = None
    #: A redirect the controller sends.
    redirect: dict[str, Any] | None = None
    #: The request the backend receives (host and normalised path).
    upstream_request: dict[str, Any] | None = None
    #: Every step, when asked for.
    trace: tuple[Any, ...] | None = None
    _raw: dict[str, Any] | None = _RAW

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> HttpDecision:
        c = cls(
            status=d["status"],
            reason=d["reason"],
            source=d.get("source"),
            match=d.get("match"),
            backend=d.get("backend"),
            tls=d.get("tls"),
            redirect=d.get("redirect"),
            upstream_request=d.get("upstreamRequest"),
            trace=_tuple(d.get("trace")),
        )
        c._keep(d)
        return c


@dataclass(frozen=True, slots=True)
class HttpRouted(_Result):
    """An HTTP request routed on to an endpoint by a :class:`Router`."""

    #: The Ingress decision.
    decision: HttpDecision
    #: The endpoint the controller proxies to.
    endpoint: EndpointRef | None = None
    #: The ``Set-Cookie`` value for cookie affinity, when a new endpoint was chosen.
    set_cookie: str | None = None
    #: Whether the affinity cookie chose the endpoint: ``hit``, ``new`` or ``none``.
    sticky: Literal["hit", "new", "none"] = "none"
    _raw: dict[str, Any] | None = _RAW

    @property
    def status(self) -> int:
        """The decision's status."""
        return self.decision.status

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> HttpRouted:
        endpoint = d.get("endpoint")
        c = cls(
            decision=HttpDecision._from_dict(d),
            endpoint=None if endpoint is None else EndpointRef._from_dict(endpoint),
            set_cookie=d.get("setCookie"),
            sticky=d["sticky"],
        )
        c._keep(d)
        return c


def _http_request(
    url: object, method: object, headers: object, sni: object, client_ip: object, where: str
) -> dict[str, object]:
    if not isinstance(url, str):
        raise TypeError(f"{where}(): url must be str, not {type(url).__name__}")
    if not isinstance(method, str):
        raise TypeError(f"{where}(): method must be str, not {type(method).__name__}")
    request: dict[str, object] = {"url": url, "method": method}
    if headers is not None:
        if isinstance(headers, Mapping):
            request["headers"] = {str(k): v for k, v in headers.items()}
        elif isinstance(headers, Iterable) and not isinstance(headers, (str, bytes)):
            request["headers"] = [list(pair) for pair in headers]
        else:
            raise TypeError(f"{where}(): headers must be a mapping or pairs, not {type(headers).__name__}")
    if sni is not None:
        request["sni"] = _check_str(sni, "sni")
    if client_ip is not None:
        request["clientIp"] = _check_str(client_ip, "client_ip")
    return request


def normalize_path(raw: str, merge_slashes: bool = False, escaped_slashes: str = "reject") -> str:
    """The request path as kroute matches and forwards it (dot segments resolved, unreserved
    escapes decoded, ...). Requests a proxy must refuse raise :class:`RequestError`."""
    return _native.normalize_path(_check_str(raw, "raw"), bool(merge_slashes), _check_str(escaped_slashes, "escaped_slashes"))


@dataclass(frozen=True, slots=True)
class ReadinessChange(_Result):
    """A pod turning Ready or unready on the router's timeline."""

    #: When (seconds).
    time: float
    #: ``namespace/name``.
    pod: str
    #: Ready after the change.
    ready: bool
    _raw: dict[str, Any] | None = _RAW

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> ReadinessChange:
        r = cls(time=d["time"], pod=d["pod"], ready=d["ready"])
        r._keep(d)
        return r


@dataclass(frozen=True, slots=True)
class EventOutcome(_Result):
    """What a watch event changed."""

    #: ``ADDED``, ``MODIFIED``, ``DELETED`` or ``BOOKMARK``.
    type: str
    #: The object's kind (empty for ``BOOKMARK``).
    kind: str
    #: ``namespace/name`` (empty for ``BOOKMARK``).
    object: str
    #: The Services whose endpoints were recomputed (``namespace/name``).
    recomputed: tuple[str, ...] = ()
    #: Whether the Ingress routing table was compiled again.
    http_rebuilt: bool = False
    _raw: dict[str, Any] | None = _RAW

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> EventOutcome:
        o = cls(
            type=d["type"],
            kind=d["kind"],
            object=d["object"],
            recomputed=tuple(d["recomputed"]),
            http_rebuilt=d["httpRebuilt"],
        )
        o._keep(d)
        return o


def _apply_event(handle: _native.Cluster | _native.Router, event: Mapping[str, Any]) -> EventOutcome:
    """A watch event through a native cluster or router."""
    if not isinstance(event, Mapping):
        raise TypeError(f"apply_event() takes a watch event dict, not {type(event).__name__}")
    outcome = handle.apply_event_json(_dumps(dict(event), ManifestError, "event"))
    return EventOutcome._from_dict(json.loads(outcome))


def _url_list(urls: object, where: str) -> list[str]:
    """The URLs of a batch as a list (the native side takes lists; it checks the items)."""
    if type(urls) is list:
        return urls
    if isinstance(urls, (str, bytes, Mapping)) or not isinstance(urls, Iterable):
        raise TypeError(f"{where}() takes an iterable of URLs, not {type(urls).__name__}")
    return list(urls)


def _check_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    return value


def _check_optional_str(value: object, what: str) -> str | None:
    return None if value is None else _check_str(value, what)


def _check_int(value: object, what: str, low: int, high: int) -> int:
    """An int (not a bool) in ``low..=high``; out of range is a RequestError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be int, not {type(value).__name__}")
    if not low <= value <= high:
        raise RequestError(f"{what} must be from {low} to {high}")
    return int(value)


def _seconds(value: object, what: str = "now") -> float:
    """A time in seconds: an int or a float (finite: the native side checks)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number of seconds, not {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        raise RequestError(f"{what} must be a finite number of seconds; this int is too large") from None


_DNS_TYPES = ("A", "AAAA", "SRV", "PTR", "CNAME", "TXT")
_BALANCERS = ("random", "round-robin", "weighted", "least-request", "source-hash", "maglev", "ring-hash")


class Cluster:
    """An immutable snapshot compiled from manifests, answering pure queries.

    Build one with :meth:`from_yaml`, :meth:`from_json` or :meth:`from_objects`.
    """

    __slots__ = ("_diagnostics", "_handle")
    _handle: _native.Cluster
    _diagnostics: tuple[Diagnostic, ...] | None

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError("use Cluster.from_yaml(), Cluster.from_json() or Cluster.from_objects()")

    @classmethod
    def _wrap(cls, native: _native.Cluster) -> Cluster:
        self = object.__new__(cls)
        self._handle = native
        self._diagnostics = None
        return self

    @classmethod
    def from_yaml(cls, text: str, **options: Any) -> Cluster:
        """Loads multi-document YAML (or JSON) text. Raises :class:`ManifestError` when the text
        cannot be read, :class:`RequestError` for invalid options, ``TypeError`` for unknown
        ones."""
        return cls._wrap(_native.cluster_from_yaml(text, _options_json("from_yaml", options)))

    @classmethod
    def from_json(cls, text: str, **options: Any) -> Cluster:
        """Loads JSON text: one object, a ``List``, or an array of objects."""
        return cls._wrap(_native.cluster_from_json(text, _options_json("from_json", options)))

    @classmethod
    def from_objects(cls, objects: Iterable[Mapping[str, Any]], **options: Any) -> Cluster:
        """Loads already-parsed objects (dicts, as from ``yaml.safe_load_all``), one document per
        element."""
        opts = _options_json("from_objects", options)
        if isinstance(objects, (str, bytes, Mapping)) or not isinstance(objects, Iterable):
            raise TypeError(
                f"from_objects() takes an iterable of objects (dicts), not {type(objects).__name__}"
            )
        return cls._wrap(_native.cluster_from_objects(_dumps(list(objects), ManifestError, "objects"), opts))

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Findings about the manifests, ordered by document, line and column."""
        if self._diagnostics is None:
            self._diagnostics = tuple(
                Diagnostic._from_dict(d) for d in json.loads(self._handle.diagnostics_json())
            )
        return self._diagnostics

    @property
    def options(self) -> Options:
        """The options the cluster was built with (every key filled in)."""
        raw = json.loads(self._handle.options_json())
        raw["limits"] = {k: raw["limits"][_camel(k)] for k in _LIMITS}
        return cast(Options, {snake: raw[camel] for snake, (camel, _) in _OPTIONS.items()})

    def endpoints(self, namespace: str, service: str) -> list[Endpoint]:
        """The endpoints of Service ``namespace/service``, ordered by Service port, then address.
        An unknown Service raises :class:`RequestError`."""
        return [Endpoint._from_dict(d) for d in json.loads(self._handle.endpoints_json(namespace, service))]

    def env_vars(self, namespace: str, enable_service_links: bool = True) -> dict[str, str]:
        """The service variables kubelet injects into a pod in ``namespace``, name → value in
        kubelet's order (Services by name; ``*_SERVICE_HOST``, ``*_SERVICE_PORT``, …, the
        docker-link ``*_PORT_*`` variables). ``enable_service_links=False`` keeps only the
        ``default/kubernetes`` ones."""
        return {v.name: v.value for v in self.env_var_records(namespace, enable_service_links)}

    def env_var_records(self, namespace: str, enable_service_links: bool = True) -> list[EnvVar]:
        """Like :meth:`env_vars`, with each variable's source and Service."""
        raw = self._handle.env_vars_json(namespace, enable_service_links)
        return [EnvVar._from_dict(d) for d in json.loads(raw)]

    def pod_env(self, namespace: str, pod: str, container: str | None = None) -> dict[str, str]:
        """The environment of a container of pod ``namespace/pod`` (the first one when
        ``container`` is None): its explicit ``env``, then the service variables it does not
        override. An unknown pod or container raises :class:`RequestError`."""
        return {v.name: v.value for v in self.pod_env_records(namespace, pod, container)}

    def pod_env_records(self, namespace: str, pod: str, container: str | None = None) -> list[EnvVar]:
        """Like :meth:`pod_env`, with each variable's source (``env`` or ``service``)."""
        raw = self._handle.pod_env_json(namespace, pod, container)
        return [EnvVar._from_dict(d) for d in json.loads(raw)]

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
        """Where an HTTP request goes through the cluster's Ingresses, and why (which backend;
        a :class:`Router` also picks the endpoint). ``explain`` records the trace."""
        request = _http_request(url, method, headers, sni, client_ip, "route_http")
        text = _dumps(request, RequestError, "the request")
        draw = None if canary_draw is None else _check_int(canary_draw, "canary_draw", 0, 2**64 - 1)
        return HttpDecision._from_dict(self._handle.route_http(text, bool(explain), draw))

    def route_http_many(self, urls: Iterable[str | Mapping[str, Any]]) -> list[HttpDecision]:
        """Routes many requests (URLs, or dicts with ``url``, ``method``, ``headers``, ``sni``,
        ``clientIp``) in one call, without holding the GIL."""
        if isinstance(urls, (str, bytes, Mapping)) or not isinstance(urls, Iterable):
            raise TypeError(f"route_http_many() takes an iterable of URLs or request dicts, not {type(urls).__name__}")
        requests = [{"url": u} if isinstance(u, str) else dict(u) for u in urls]
        text = _dumps(requests, RequestError, "the requests")
        return [HttpDecision._from_dict(d) for d in self._handle.route_http_many(text)]

    def lookup_http(self, url: str) -> HttpMatch:
        """Which Ingress rule answers ``url`` (``http(s)://host/path``, ``host/path`` or
        ``/path``) and its backend Service: the lean question :meth:`route_http` answers
        first, without the decision (no redirect, canary, TLS or endpoints). The URL is parsed
        and normalised as :meth:`route_http` does; a request the proxy refuses is
        ``result == "refused"``, a string that is not a URL raises :class:`RequestError`."""
        return self._handle.lookup_http(url)

    def lookup_http_many(self, urls: Iterable[str]) -> list[HttpMatch]:
        """:meth:`lookup_http` for many URLs, without holding the GIL while looking up. The
        first string that is not a URL raises, with ``.field`` naming it (``urls[3]``)."""
        return self._handle.lookup_http_many(_url_list(urls, "lookup_http_many"))

    def resolve(self, name: str, qtype: str = "A", namespace: str | None = None) -> DnsAnswer:
        """Resolves ``name`` as cluster DNS (CoreDNS) answers it. With ``namespace``, as a pod
        in that namespace asks: through its search list with ``ndots:5``, every name tried in
        ``.tried``. Without, ``name`` is taken as fully qualified. ``qtype`` is ``A``,
        ``AAAA``, ``SRV``, ``PTR``, ``CNAME`` or ``TXT`` (any case)."""
        return DnsAnswer._from_dict(json.loads(self._handle.resolve_json(name, qtype, namespace)))

    def usable_endpoints(
        self, namespace: str, service: str, node: str | None = None, port: int | str | None = None
    ) -> UsableEndpoints:
        """kube-proxy's endpoint categories for a port of Service ``namespace/service`` as seen
        from ``node``: ``port`` (a number or a name) defaults to the first port."""
        if isinstance(port, bool) or not (port is None or isinstance(port, (int, str))):
            raise TypeError(f"usable_endpoints(): port must be int, str or None, not {type(port).__name__}")
        port_text = None if port is None else str(port)
        raw = self._handle.usable_endpoints_json(namespace, service, node, port_text)
        return UsableEndpoints._from_dict(json.loads(raw))

    def router(
        self,
        seed: int = 0,
        balancer: str = "random",
        node: str | None = None,
        affinity_capacity: int = 1 << 20,
        maglev_table_size: int = 65_537,
        explain: bool = False,
    ) -> Router:
        """A stateful connection router over the cluster as it is now (a later
        :meth:`apply_event` does not change it). ``balancer`` is one of ``random`` (kube-proxy's
        default), ``round-robin``, ``weighted``, ``least-request``, ``source-hash``, ``maglev``,
        ``ring-hash``; ``explain=True`` records a trace in every decision."""
        if not isinstance(explain, bool):
            raise TypeError(f"explain must be bool, not {type(explain).__name__}")
        config = {
            "seed": _check_int(seed, "seed", 0, 2**64 - 1),
            "balancer": _check_str(balancer, "balancer"),
            "node": _check_optional_str(node, "node"),
            "affinityCapacity": _check_int(affinity_capacity, "affinity_capacity", 0, 2**64 - 1),
            "maglevTableSize": _check_int(maglev_table_size, "maglev_table_size", 0, 2**64 - 1),
            "explain": explain,
        }
        return Router._wrap(self._handle.router(json.dumps(config)))

    def apply_event(self, event: Mapping[str, Any]) -> EventOutcome:
        """Applies a Kubernetes watch event (``{"type": "ADDED" | "MODIFIED" | "DELETED",
        "object": {...}}``, the API server's wire format) to this cluster in place. Each kind
        recomputes only what depends on it (a Pod the Services selecting it, a Service its
        endpoints, addresses and the Ingress table, ...). Routers made before keep the snapshot
        they were made from; :meth:`Router.apply_event` changes a router's."""
        outcome = _apply_event(self._handle, event)
        self._diagnostics = None
        return outcome

    def __repr__(self) -> str:
        return f"<kroute.Cluster namespace={self.options['namespace']!r} diagnostics={len(self.diagnostics)}>"


# camelCase (canonical) and snake_case keys of a connection dict → the core's Conn field.
_CONN_KEYS = {
    "clientIp": "clientIp",
    "client_ip": "clientIp",
    "clientPort": "clientPort",
    "client_port": "clientPort",
    "dstIp": "dstIp",
    "dst_ip": "dstIp",
    "dstPort": "dstPort",
    "dst_port": "dstPort",
    "protocol": "protocol",
    "fromPod": "fromPod",
    "from_pod": "fromPod",
    "node": "node",
}


def _conn(conn: object, where: str) -> dict[str, object]:
    if not isinstance(conn, Mapping):
        raise TypeError(f"{where} must be a connection dict, not {type(conn).__name__}")
    return {_CONN_KEYS.get(k, k) if isinstance(k, str) else k: v for k, v in conn.items() if v is not None}


def _probe_step(step: object, i: int) -> dict[str, object]:
    if isinstance(step, Mapping):
        return dict(step)
    if isinstance(step, tuple) and len(step) == 2:
        return {"until": step[0], "ok": step[1]}
    raise TypeError(
        f"steps[{i}] must be a dict {{until, ok}} or an (until, ok) pair, not {type(step).__name__}"
    )


class Router:
    """A stateful connection router over a cluster snapshot, made by :meth:`Cluster.router`.

    It keeps the balancers' positions, the ClientIP affinity table and the readiness probes'
    timeline. Time is an argument (seconds): the same calls give the same answers everywhere.
    Calls from several threads are serialised.
    """

    __slots__ = ("_handle",)
    _handle: _native.Router

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError("use Cluster.router()")

    @classmethod
    def _wrap(cls, native: _native.Router) -> Router:
        self = object.__new__(cls)
        self._handle = native
        return self

    def connect(
        self,
        client_ip: str | None = None,
        dst_ip: str | None = None,
        dst_port: int | None = None,
        protocol: str = "TCP",
        now: float = 0.0,
        *,
        from_pod: str | None = None,
        node: str | None = None,
        client_port: int | None = None,
    ) -> ConnDecision:
        """Where a connection to ``dst_ip:dst_port`` goes at time ``now`` (seconds), and why.
        The client is ``client_ip``, or the pod ``from_pod`` (``namespace/name``); ``node`` is
        where the packet arrives (default: the router's node)."""
        if dst_ip is None or dst_port is None:
            raise TypeError("connect() needs dst_ip and dst_port")
        conn = {
            "clientIp": _check_optional_str(client_ip, "client_ip"),
            "clientPort": None if client_port is None else _check_int(client_port, "client_port", 0, 65535),
            "dstIp": _check_str(dst_ip, "dst_ip"),
            "dstPort": _check_int(dst_port, "dst_port", 0, 65535),
            "protocol": _check_str(protocol, "protocol"),
            "fromPod": _check_optional_str(from_pod, "from_pod"),
            "node": _check_optional_str(node, "node"),
        }
        text = json.dumps({k: v for k, v in conn.items() if v is not None})
        return ConnDecision._from_dict(json.loads(self._handle.connect_json(text, _seconds(now))))

    def route_http(
        self,
        url: str,
        method: str = "GET",
        headers: Mapping[str, str | list[str]] | Iterable[tuple[str, str]] | None = None,
        sni: str | None = None,
        client_ip: str | None = None,
        now: float = 0.0,
    ) -> HttpRouted:
        """Routes an HTTP request through the Ingresses and on to an endpoint at ``now``, with
        ingress-nginx cookie affinity when the Ingress asks for it (send the returned
        ``set_cookie`` back in a ``Cookie`` header to keep the endpoint)."""
        request = _http_request(url, method, headers, sni, client_ip, "route_http")
        text = _dumps(request, RequestError, "the request")
        return HttpRouted._from_dict(self._handle.route_http(text, _seconds(now)))

    def lookup_http(self, url: str) -> HttpMatch:
        """:meth:`Cluster.lookup_http` on the router's snapshot (no balancer state involved)."""
        return self._handle.lookup_http(url)

    def lookup_http_many(self, urls: Iterable[str]) -> list[HttpMatch]:
        """:meth:`Cluster.lookup_http_many` on the router's snapshot."""
        return self._handle.lookup_http_many(_url_list(urls, "lookup_http_many"))

    def connect_many(self, conns: Iterable[Mapping[str, Any]], now: float = 0.0) -> list[ConnDecision]:
        """Routes many connections at time ``now``, in order, without holding the GIL. Each is
        a dict with the keys of :meth:`connect` (``dst_ip``, ``dst_port``, ``client_ip``, …;
        the camelCase spellings ``dstIp``, … work too). The first that fails raises, with
        ``.field`` naming it (``conns[3]``); those before it have been routed."""
        if isinstance(conns, (str, bytes, Mapping)) or not isinstance(conns, Iterable):
            raise TypeError(
                f"connect_many() takes an iterable of connection dicts, not {type(conns).__name__}"
            )
        seconds = _seconds(now)
        batch = [_conn(c, f"conns[{i}]") for i, c in enumerate(conns)]
        raw = self._handle.connect_many_json(_dumps(batch, RequestError, "connections"), seconds)
        return [ConnDecision._from_dict(d) for d in json.loads(raw)]

    def advance(self, now: float) -> list[ReadinessChange]:
        """Runs every scheduled readiness probe up to ``now``; the readiness changes, in time
        order."""
        return [ReadinessChange._from_dict(d) for d in json.loads(self._handle.advance_json(_seconds(now)))]

    def report_probe(self, namespace: str, pod: str, ok: bool, now: float) -> bool:
        """Reports one readiness-probe outcome of pod ``namespace/pod`` at ``now``; returns
        whether the pod is Ready after it."""
        return self._handle.report_probe(namespace, pod, ok, _seconds(now))

    def script_probe(
        self, namespace: str, pod: str, steps: Iterable[Mapping[str, Any] | tuple[float, bool]]
    ) -> None:
        """Scripts pod ``namespace/pod``'s probe outcomes: each step ``{"until": t, "ok": b}``
        (or ``(t, b)``) gives the outcome of probes before ``t``; probes succeed after the last
        step. They run on :meth:`advance` and before each connection."""
        if isinstance(steps, (str, bytes, Mapping)) or not isinstance(steps, Iterable):
            raise TypeError(f"script_probe() takes an iterable of steps, not {type(steps).__name__}")
        text = _dumps([_probe_step(s, i) for i, s in enumerate(steps)], RequestError, "probe steps")
        self._handle.script_probe_json(namespace, pod, text)

    def set_in_flight(self, ip: str, port: int, count: int) -> None:
        """Sets the number of requests in flight to endpoint ``ip:port`` (the
        ``least-request`` balancer compares them)."""
        # At most 2**63 - 1: the router adds one per connection it sends there.
        self._handle.set_in_flight(
            _check_str(ip, "ip"), _check_int(port, "port", 0, 65535), _check_int(count, "count", 0, 2**63 - 1)
        )

    def apply_event(self, event: Mapping[str, Any]) -> EventOutcome:
        """Applies a Kubernetes watch event to this router's snapshot (copied first when the
        cluster or another router shares it), keeping balancer, affinity and probe state: how
        an embedding proxy follows the API server."""
        return _apply_event(self._handle, event)

    @property
    def affinity_entries(self) -> int:
        """How many clients the ClientIP affinity table remembers."""
        return self._handle.affinity_entries()

    def __repr__(self) -> str:
        return f"<kroute.Router affinity_entries={self.affinity_entries}>"


def _labels(labels: object, where: str) -> dict[str, str]:
    if not isinstance(labels, Mapping):
        raise TypeError(f"{where}: labels must be a mapping of str to str, not {type(labels).__name__}")
    for k, v in labels.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(
                f"{where}: labels must map str to str, got {type(k).__name__}: {type(v).__name__}"
            )
    return dict(labels)


class Selector:
    """A label selector, exactly as Kubernetes ``pkg/labels`` parses and matches it.

    ``Selector("app=web")`` is ``Selector.parse("app=web")``.
    """

    __slots__ = ("_handle",)
    _handle: _native.Selector

    def __init__(self, text: str = "") -> None:
        self._handle = _native.Selector.parse(text)

    @classmethod
    def _wrap(cls, native: _native.Selector) -> Selector:
        self = object.__new__(cls)
        self._handle = native
        return self

    @classmethod
    def parse(cls, text: str) -> Selector:
        """``labels.Parse``: ``app=web,tier in (a,b),!canary``. Raises :class:`SelectorError`
        with the 1-based character position in ``.column``."""
        return cls._wrap(_native.Selector.parse(text))

    @classmethod
    def everything(cls) -> Selector:
        """Matches every label set (the empty selector)."""
        return cls._wrap(_native.Selector.everything())

    @classmethod
    def nothing(cls) -> Selector:
        """Matches no label set (what an absent ``LabelSelector`` means)."""
        return cls._wrap(_native.Selector.nothing())

    @classmethod
    def from_labels(cls, labels: Mapping[str, str]) -> Selector:
        """``key = value`` for every pair, validated: how a Service's ``spec.selector`` selects."""
        text = _dumps(_labels(labels, "from_labels()"), SelectorError, "labels")
        return cls._wrap(_native.Selector.from_labels_json(text))

    @classmethod
    def from_label_selector(cls, selector: Mapping[str, Any] | None) -> Selector:
        """From a ``metav1.LabelSelector`` dict (``matchLabels``, ``matchExpressions``); ``None``
        matches nothing, ``{}`` everything."""
        if selector is not None and not isinstance(selector, Mapping):
            raise TypeError(f"from_label_selector() takes a dict or None, not {type(selector).__name__}")
        value = None if selector is None else dict(selector)
        return cls._wrap(
            _native.Selector.from_label_selector_json(_dumps(value, SelectorError, "label selector"))
        )

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a label set (like ``metadata.labels``) satisfies every requirement."""
        if type(labels) is dict:
            return self._handle.matches(labels)
        return self._handle.matches(_labels(labels, "matches()"))

    def is_empty(self) -> bool:
        """True when the selector matches every label set (false for :meth:`nothing`)."""
        return self._handle.is_empty()

    def __str__(self) -> str:
        return str(self._handle)

    def __repr__(self) -> str:
        return repr(self._handle)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Selector):
            return NotImplemented
        return self._handle == other._handle

    def __hash__(self) -> int:
        return hash((str(self), self.is_empty()))
