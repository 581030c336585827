"""kroute: Kubernetes Service networking reproduced offline.

Load manifests into a :class:`Cluster`, then ask it questions::

    import kroute

    cluster = kroute.Cluster.from_yaml(open("kubia.yaml").read())
    for ep in cluster.endpoints("default", "kubia"):
        print(ep.ip, ep.port, ep.conditions.ready)
    for d in cluster.diagnostics:
        print(d.severity, d.code, d.message)

    kroute.Selector.parse("app=kubia,tier in (web)").matches({"app": "kubia", "tier": "web"})

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

from kroute import _native
from kroute._errors import KrouteError, ManifestError, RequestError, SelectorError

__all__ = [
    "Cluster",
    "Conditions",
    "Diagnostic",
    "Endpoint",
    "KrouteError",
    "ManifestError",
    "ObjectRef",
    "Options",
    "RequestError",
    "Selector",
    "SelectorError",
    "__version__",
]

__version__: str = _native.__version__

_Severity = Literal["error", "warning", "info"]


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


# snake_case keyword → (camelCase key of the core's Options, expected type)
_OPTIONS: dict[str, tuple[str, type]] = {
    "namespace": ("namespace", str),
    "service_cidr": ("serviceCidr", str),
    "pod_cidr": ("podCidr", str),
    "node_port_range": ("nodePortRange", str),
    "cluster_domain": ("clusterDomain", str),
    "assume_running_pods": ("assumeRunningPods", bool),
}


def _options_json(where: str, options: Mapping[str, object]) -> str:
    out: dict[str, object] = {}
    for key, value in options.items():
        spec = _OPTIONS.get(key)
        if spec is None:
            known = ", ".join(_OPTIONS)
            raise TypeError(f"{where}() got an unexpected keyword argument {key!r} (options: {known})")
        camel, expected = spec
        if type(value) is not expected and not (expected is str and isinstance(value, str)):
            raise TypeError(f"{where}(): {key} must be {expected.__name__}, not {type(value).__name__}")
        out[camel] = value
    return json.dumps(out)


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
    if isinstance(value, (Conditions, ObjectRef, Endpoint, Diagnostic)):
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
        return cast(Options, {snake: raw[camel] for snake, (camel, _) in _OPTIONS.items()})

    def endpoints(self, namespace: str, service: str) -> list[Endpoint]:
        """The endpoints of Service ``namespace/service``, ordered by Service port, then address.
        An unknown Service raises :class:`RequestError`."""
        return [Endpoint._from_dict(d) for d in json.loads(self._handle.endpoints_json(namespace, service))]

    def __repr__(self) -> str:
        return f"<kroute.Cluster namespace={self.options['namespace']!r} diagnostics={len(self.diagnostics)}>"


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
