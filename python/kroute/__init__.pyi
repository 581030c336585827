"""kroute: Kubernetes Service networking reproduced offline (hand-written stubs)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, Unpack

from kroute._errors import KrouteError as KrouteError
from kroute._errors import ManifestError as ManifestError
from kroute._errors import RequestError as RequestError
from kroute._errors import SelectorError as SelectorError

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

__version__: str

class Options(TypedDict, total=False):
    """Keyword options of the ``Cluster.from_*`` constructors (the core's ``Options``)."""

    namespace: str
    service_cidr: str
    pod_cidr: str
    node_port_range: str
    cluster_domain: str
    assume_running_pods: bool

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
