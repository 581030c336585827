"""The Python API: the seed scenario, errors with locations, selectors, dict input, and junk
through every entry point (only KrouteError or TypeError, never a PanicException)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Callable
from typing import Any

import pytest

import kroute
from kroute import Cluster, KrouteError, ManifestError, RequestError, Selector, SelectorError

# The seed's kubia: a Service (app=kubia, 80 → 8080) and three pods, one not ready.
SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "kubia"},
    "spec": {"selector": {"app": "kubia"}, "ports": [{"port": 80, "targetPort": 8080}]},
}


def pod(name: str, ip: str, ready: bool) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "kubia"}},
        "spec": {"containers": [{"name": "kubia", "ports": [{"containerPort": 8080}]}]},
        "status": {
            "phase": "Running",
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


PODS = [
    pod("kubia-a", "10.244.1.2", True),
    pod("kubia-b", "10.244.1.3", True),
    pod("kubia-c", "10.244.2.4", False),
]

SEED_YAML = """\
apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: kubia
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-a, labels: {app: kubia}}
spec: {containers: [{name: kubia}]}
status: {phase: Running, podIP: 10.244.1.2, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-b, labels: {app: kubia}}
spec: {containers: [{name: kubia}]}
status: {phase: Running, podIP: 10.244.1.3, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: kubia-c, labels: {app: kubia}}
spec: {containers: [{name: kubia}]}
status: {phase: Running, podIP: 10.244.2.4, conditions: [{type: Ready, status: "False"}]}
"""

# The seed's own example, indented with tabs (the seed notes, "创建服务").
TAB_YAML = "apiVersion: v1\nkind: Service\nmetadata:\n\tname: kubia\nspec:\n\tports:\n\t- port: 80\n"


# --- the seed scenario ------------------------------------------------------------------------


def check_seed(cluster: Cluster) -> None:
    eps = cluster.endpoints("default", "kubia")
    assert [e.ip for e in eps] == ["10.244.1.2", "10.244.1.3", "10.244.2.4"]
    assert all(e.port == 8080 and e.service_port == 80 and e.protocol == "TCP" for e in eps)
    assert [e for e in eps if e.conditions.ready] == eps[:2]
    assert eps[2].conditions.ready is False
    assert eps[2].conditions.serving is False
    assert eps[2].conditions.terminating is False
    assert eps[2].pod == "kubia-c"
    assert eps[0].port_name == "" and eps[0].node is None and eps[0].zone_hints == ()


def test_seed_from_yaml() -> None:
    check_seed(Cluster.from_yaml(SEED_YAML))


def test_seed_from_objects() -> None:
    check_seed(Cluster.from_objects([SERVICE, *PODS]))


def test_seed_from_json_list() -> None:
    import json

    check_seed(Cluster.from_json(json.dumps({"apiVersion": "v1", "kind": "List", "items": [SERVICE, *PODS]})))


def test_from_objects_accepts_any_iterable_and_keeps_document_indexes() -> None:
    cluster = Cluster.from_objects(
        iter([SERVICE, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}])
    )
    skipped = [d for d in cluster.diagnostics if d.code == "kind-skipped"]
    assert [(d.document, d.line) for d in skipped] == [(1, None)]


def test_endpoint_to_dict_is_the_canonical_shape() -> None:
    ep = Cluster.from_yaml(SEED_YAML).endpoints("default", "kubia")[2]
    assert ep.to_dict() == {
        "ip": "10.244.2.4",
        "port": 8080,
        "portName": "",
        "servicePort": 80,
        "protocol": "TCP",
        "conditions": {"ready": False, "serving": False, "terminating": False},
        "pod": "kubia-c",
        "node": None,
        "hostname": None,
        "zone": None,
        "zoneHints": [],
        "nodeHints": [],
    }
    # A copy: changing it does not change the endpoint.
    ep.to_dict()["conditions"]["ready"] = True
    assert ep.to_dict()["conditions"]["ready"] is False


def test_results_are_frozen_hashable_dataclasses_with_readable_reprs() -> None:
    ep = Cluster.from_yaml(SEED_YAML).endpoints("default", "kubia")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ep.port = 1  # type: ignore[misc]
    assert not hasattr(ep, "__dict__")  # slots
    assert repr(ep).startswith("Endpoint(ip='10.244.1.2', port=8080, port_name='', service_port=80")
    assert "_raw" not in repr(ep)
    assert ep == Cluster.from_objects([SERVICE, *PODS]).endpoints("default", "kubia")[0]
    assert len({ep, copy.deepcopy(ep)}) == 1
    assert pickle.loads(pickle.dumps(ep)) == ep


def test_user_built_results_rebuild_to_dict() -> None:
    ep = kroute.Endpoint(
        ip="10.0.0.1",
        port=80,
        port_name="http",
        service_port=8080,
        protocol="TCP",
        conditions=kroute.Conditions(ready=True, serving=True, terminating=False),
        zone_hints=("a",),
    )
    assert ep.to_dict()["portName"] == "http"
    assert ep.to_dict()["zoneHints"] == ["a"]
    assert ep.to_dict()["conditions"] == {"ready": True, "serving": True, "terminating": False}


def test_diagnostics() -> None:
    yaml = SEED_YAML.replace("app: kubia\n---", "app: kubia-v2\n---", 1)
    cluster = Cluster.from_yaml(yaml)
    assert isinstance(cluster.diagnostics, tuple)
    (d,) = [d for d in cluster.diagnostics if d.code == "service-selects-nothing"]
    assert d.severity == "warning"
    assert d.object == kroute.ObjectRef(kind="Service", namespace="default", name="kubia")
    assert str(d.object) == "Service default/kubia"
    assert (d.field, d.document, d.line, d.column) == ("spec.selector", 0, 10, 5)
    assert d.to_dict()["object"] == {"kind": "Service", "namespace": "default", "name": "kubia"}
    assert set(d.to_dict()) >= {
        "severity",
        "code",
        "message",
        "object",
        "field",
        "document",
        "line",
        "column",
    }
    assert cluster.diagnostics is cluster.diagnostics  # computed once


def test_options_are_snake_case_keywords() -> None:
    cluster = Cluster.from_objects([SERVICE, *PODS], namespace="prod", cluster_domain="example.org")
    assert cluster.endpoints("prod", "kubia")
    assert cluster.options["namespace"] == "prod"
    assert cluster.options["cluster_domain"] == "example.org"
    assert cluster.options["assume_running_pods"] is True
    with pytest.raises(RequestError):
        cluster.endpoints("default", "kubia")
    assert "prod" in repr(cluster)


def test_unknown_or_mistyped_options_are_type_errors() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'namespaces'"):
        Cluster.from_yaml("", namespaces="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="assume_running_pods must be bool"):
        Cluster.from_yaml("", assume_running_pods=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Cluster.from_yaml("", namespace=None)  # type: ignore[arg-type]


def test_invalid_option_values_are_request_errors() -> None:
    with pytest.raises(RequestError, match="serviceCidr") as e:
        Cluster.from_yaml("", service_cidr="10.0.0.0/99")
    assert e.value.kind == "Request"
    with pytest.raises(RequestError):
        Cluster.from_yaml("", namespace="Not_A_Label")


def test_cluster_cannot_be_built_directly() -> None:
    with pytest.raises(TypeError, match="from_yaml"):
        Cluster()


# --- errors -------------------------------------------------------------------------------------


def test_seed_tab_indentation_is_a_manifest_error_on_line_4() -> None:
    with pytest.raises(ManifestError) as info:
        Cluster.from_yaml(TAB_YAML)
    e = info.value
    assert isinstance(e, ValueError) and isinstance(e, KrouteError)
    assert (e.kind, e.document, e.line) == ("Manifest", 0, 4)
    assert e.column is not None
    assert "tab" in e.message
    assert str(e).startswith("document 0, line 4, column ")
    assert e.to_dict() == {
        "kind": "Manifest",
        "message": e.message,
        "document": 0,
        "line": 4,
        "column": e.column,
        "field": None,
    }


def test_errors_name_document_and_field() -> None:
    text = SEED_YAML.replace("metadata: {name: kubia-b,", "metadata: {name: 5, x: 1,", 1)
    with pytest.raises(ManifestError) as info:
        Cluster.from_yaml(text)
    assert info.value.document == 2
    assert info.value.field == "metadata.name"
    assert info.value.line == 20


def test_errors_pickle_and_repr() -> None:
    e = ManifestError("bad", "Manifest", 1, 2, 3, "spec")
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is ManifestError and back.to_dict() == e.to_dict()
    assert repr(e) == "ManifestError('bad', kind='Manifest', document=1, line=2, column=3, field='spec')"
    assert str(e) == "document 1, line 2, column 3: spec: bad"
    assert SelectorError("x").kind == "Selector" and RequestError("x").kind == "Request"


def test_unknown_service_is_a_request_error() -> None:
    with pytest.raises(RequestError, match="no Service default/nope"):
        Cluster.from_yaml(SEED_YAML).endpoints("default", "nope")


# --- selectors ----------------------------------------------------------------------------------


def test_selector_parse_match_str() -> None:
    s = Selector.parse("tier in (web,api), app=kubia,!canary")
    assert str(s) == "app=kubia,!canary,tier in (api,web)"
    assert repr(s) == 'Selector("app=kubia,!canary,tier in (api,web)")'
    assert s.matches({"app": "kubia", "tier": "web"})
    assert not s.matches({"app": "kubia", "tier": "web", "canary": "true"})
    assert not s.matches({})
    assert Selector("app=kubia") == Selector.parse("app = kubia")
    assert len({Selector("a"), Selector("a")}) == 1
    assert not s.is_empty() and Selector("").is_empty()


def test_selector_error_has_a_column() -> None:
    with pytest.raises(SelectorError) as info:
        Selector.parse("app=kubia, tier in (web")
    e = info.value
    assert isinstance(e, ValueError)
    assert e.kind == "Selector" and e.column is not None and e.column > 10
    assert e.line is None and e.document is None
    assert str(e).startswith(f"position {e.column}: ")


def test_selector_from_labels_and_label_selector() -> None:
    assert str(Selector.from_labels({"b": "2", "a": "1"})) == "a=1,b=2"
    with pytest.raises(SelectorError):
        Selector.from_labels({"a": "-bad-"})
    sel = Selector.from_label_selector(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}],
        }
    )
    assert str(sel) == "app=web,env notin (dev)"
    assert sel.matches({"app": "web"}) and not sel.matches({"app": "web", "env": "dev"})
    nothing = Selector.from_label_selector(None)
    assert str(nothing) == "" and not nothing.matches({}) and not nothing.is_empty()
    assert repr(nothing) == "Selector.nothing()" and nothing == Selector.nothing()
    assert Selector.from_label_selector({}) == Selector.everything() != nothing
    with pytest.raises(SelectorError, match="not a valid label selector operator"):
        Selector.from_label_selector({"matchExpressions": [{"key": "a", "operator": "Equals"}]})


def test_matches_takes_any_mapping() -> None:
    from types import MappingProxyType

    assert Selector("a=1").matches(MappingProxyType({"a": "1"}))


# --- junk through every entry point --------------------------------------------------------------

DEEP_DICT: dict[str, Any] = {}
_cur = DEEP_DICT
for _ in range(5000):
    _cur["a"] = {}
    _cur = _cur["a"]
DEEP_LIST: list[Any] = []
_l = DEEP_LIST
for _ in range(200):
    _l.append([])
    _l = _l[0]
CIRCULAR: dict[str, Any] = {"kind": "Pod"}
CIRCULAR["self"] = CIRCULAR
HUGE = "x" * 5_000_000

JUNK: list[object] = [
    None,
    0,
    -1,
    2**70,
    1.5,
    float("nan"),
    float("inf"),
    True,
    b"bytes",
    bytearray(b"x"),
    "",
    " ",
    "\x00",
    "\ud800",
    "a\udfffb",
    "{",
    "[",
    "- - -",
    "---\n...\n%YAML 1.2\n",
    "\t",
    "[" * 10_000,
    "{a: " * 5_000,
    "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 200)),
    "*alias",
    "&a [*a]",
    "!!binary x",
    "? [a]\n: b",
    "\ufeffkind: Pod",
    "kind: Pod\nmetadata: 5",
    HUGE,
    "a: " + HUGE,
    "a=" + HUGE,
    "x in (" + "a," * 100_000 + ")",
    [],
    {},
    [None],
    [1, "a"],
    [{}],
    [{"kind": 5}],
    [{"kind": "Pod", "metadata": []}],
    [[{"kind": "Pod"}]],
    {"kind": "List", "items": 5},
    {"\ud800": "x"},
    {"a": "\ud800"},
    {1: "a"},
    {("t",): 1},
    {"a": 1},
    {"matchLabels": None},
    {"matchLabels": {"a": 1}},
    {"matchExpressions": [{"key": "\ud800", "operator": "In"}]},
    {"matchExpressions": "x"},
    DEEP_DICT,
    DEEP_LIST,
    [DEEP_DICT],
    CIRCULAR,
    [CIRCULAR],
    {1, 2},
    object(),
    [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "s"},
            "spec": {"ports": [{"port": float("nan")}]},
        }
    ],
]

ENTRY_POINTS: dict[str, Callable[[Any], object]] = {
    "Cluster.from_yaml": Cluster.from_yaml,
    "Cluster.from_json": Cluster.from_json,
    "Cluster.from_objects": Cluster.from_objects,
    "Cluster.from_yaml(namespace=)": lambda x: Cluster.from_yaml("", namespace=x),
    "Cluster.from_yaml(pod_cidr=)": lambda x: Cluster.from_yaml("", pod_cidr=x),
    "Cluster.from_objects(node_port_range=)": lambda x: Cluster.from_objects([], node_port_range=x),
    "Cluster.endpoints(namespace)": lambda x: Cluster.from_yaml(SEED_YAML).endpoints(x, "kubia"),
    "Cluster.endpoints(service)": lambda x: Cluster.from_yaml(SEED_YAML).endpoints("default", x),
    "Selector": Selector,
    "Selector.parse": Selector.parse,
    "Selector.from_labels": Selector.from_labels,
    "Selector.from_label_selector": Selector.from_label_selector,
    "Selector.matches": Selector("a,b notin (x)").matches,
    "Selector.matches(nothing)": Selector.nothing().matches,
    "Cluster.from_yaml(dns_pods=)": lambda x: Cluster.from_yaml("", dns_pods=x),
    "Cluster.from_yaml(kubernetes_service=)": lambda x: Cluster.from_yaml("", kubernetes_service=x),
}

# The cluster every discovery and routing entry point below is fed junk through: the seed with
# a probed pod, a NodePort and a Service with ClientIP affinity.
ROUTING_YAML = (
    SEED_YAML
    + """---
apiVersion: v1
kind: Service
metadata: {name: sticky}
spec:
  type: NodePort
  clusterIP: 10.96.0.50
  sessionAffinity: ClientIP
  selector: {app: kubia}
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30123}]
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status: {addresses: [{type: InternalIP, address: 192.168.0.11}]}
"""
)
ROUTING = Cluster.from_yaml(ROUTING_YAML)


def _router() -> kroute.Router:
    return ROUTING.router(balancer="least-request")


def _connect(**kwargs: Any) -> object:
    conn: dict[str, Any] = {"client_ip": "10.1.1.1", "dst_ip": "10.96.0.50", "dst_port": 80}
    conn.update(kwargs)
    return _router().connect(**conn)


def _event(**kwargs: Any) -> object:
    event: dict[str, Any] = {"type": "MODIFIED", "object": PODS[0]}
    event.update(kwargs)
    return Cluster.from_yaml(ROUTING_YAML).apply_event(event)


ENTRY_POINTS.update(
    {
        "Cluster.env_vars(namespace)": lambda x: ROUTING.env_vars(x),
        "Cluster.env_vars(enable_service_links)": lambda x: ROUTING.env_vars("default", x),
        "Cluster.env_var_records(namespace)": lambda x: ROUTING.env_var_records(x),
        "Cluster.pod_env(namespace)": lambda x: ROUTING.pod_env(x, "kubia-a"),
        "Cluster.pod_env(pod)": lambda x: ROUTING.pod_env("default", x),
        "Cluster.pod_env(container)": lambda x: ROUTING.pod_env("default", "kubia-a", x),
        "Cluster.pod_env_records(pod)": lambda x: ROUTING.pod_env_records("default", x),
        "Cluster.resolve(name)": lambda x: ROUTING.resolve(x),
        "Cluster.resolve(qtype)": lambda x: ROUTING.resolve("kubia.default.svc.cluster.local", x),
        "Cluster.resolve(namespace)": lambda x: ROUTING.resolve("kubia", "SRV", x),
        "Cluster.usable_endpoints(namespace)": lambda x: ROUTING.usable_endpoints(x, "kubia"),
        "Cluster.usable_endpoints(service)": lambda x: ROUTING.usable_endpoints("default", x),
        "Cluster.usable_endpoints(node)": lambda x: ROUTING.usable_endpoints("default", "kubia", node=x),
        "Cluster.usable_endpoints(port)": lambda x: ROUTING.usable_endpoints("default", "kubia", port=x),
        "Cluster.router(seed)": lambda x: ROUTING.router(seed=x),
        "Cluster.router(balancer)": lambda x: ROUTING.router(balancer=x),
        "Cluster.router(node)": lambda x: ROUTING.router(node=x),
        "Cluster.router(affinity_capacity)": lambda x: ROUTING.router(affinity_capacity=x),
        "Cluster.router(maglev_table_size)": lambda x: ROUTING.router(maglev_table_size=x, balancer="maglev"),
        "Cluster.router(explain)": lambda x: ROUTING.router(explain=x),
        "Cluster.apply_event": lambda x: Cluster.from_yaml(ROUTING_YAML).apply_event(x),
        "Cluster.apply_event(type)": lambda x: _event(type=x),
        "Cluster.apply_event(object)": lambda x: _event(object=x),
        "Cluster.apply_event(DELETED object)": lambda x: _event(type="DELETED", object=x),
        "Router.connect(client_ip)": lambda x: _connect(client_ip=x),
        "Router.connect(dst_ip)": lambda x: _connect(dst_ip=x),
        "Router.connect(dst_port)": lambda x: _connect(dst_port=x),
        "Router.connect(protocol)": lambda x: _connect(protocol=x),
        "Router.connect(now)": lambda x: _connect(now=x),
        "Router.connect(from_pod)": lambda x: _connect(client_ip=None, from_pod=x),
        "Router.connect(node)": lambda x: _connect(dst_ip="192.168.0.11", dst_port=30123, node=x),
        "Router.connect(client_port)": lambda x: _connect(client_port=x),
        "Router.connect_many": lambda x: _router().connect_many(x),
        "Router.connect_many([x])": lambda x: _router().connect_many([x]),
        "Router.connect_many(now)": lambda x: _router().connect_many(
            [{"client_ip": "10.0.0.1", "dst_ip": "10.96.0.50", "dst_port": 80}], now=x
        ),
        "Router.advance": lambda x: _router().advance(x),
        "Router.report_probe(namespace)": lambda x: _router().report_probe(x, "kubia-a", True, 1.0),
        "Router.report_probe(pod)": lambda x: _router().report_probe("default", x, False, 1.0),
        "Router.report_probe(ok)": lambda x: _router().report_probe("default", "kubia-a", x, 1.0),
        "Router.report_probe(now)": lambda x: _router().report_probe("default", "kubia-a", True, x),
        "Router.script_probe(pod)": lambda x: _router().script_probe("default", x, []),
        "Router.script_probe(steps)": lambda x: _router().script_probe("default", "kubia-a", x),
        "Router.script_probe([step])": lambda x: _router().script_probe("default", "kubia-a", [x]),
        "Router.set_in_flight(ip)": lambda x: _router().set_in_flight(x, 8080, 1),
        "Router.set_in_flight(port)": lambda x: _router().set_in_flight("10.244.1.2", x, 1),
        "Router.set_in_flight(count)": lambda x: _router().set_in_flight("10.244.1.2", 8080, x),
        "validation.dns1123_label": kroute.validation.dns1123_label,
        "validation.dns1123_subdomain": kroute.validation.dns1123_subdomain,
        "validation.dns1035_label": kroute.validation.dns1035_label,
        "validation.wildcard_dns1123_subdomain": kroute.validation.wildcard_dns1123_subdomain,
        "validation.qualified_name": kroute.validation.qualified_name,
        "validation.label_value": kroute.validation.label_value,
        "validation.port_name": kroute.validation.port_name,
        "validation.port_number": kroute.validation.port_number,
    }
)


def _short(x: object) -> str:
    """A short id (no repr of deep or circular structures)."""
    if isinstance(x, (str, bytes, bytearray, int, float)) or x is None:
        r = repr(x)
        return r if len(r) < 30 else f"{r[:20]}...({len(r)} chars)"
    if isinstance(x, (dict, list, set)):
        return f"{type(x).__name__}[{len(x)}]"
    return type(x).__name__


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@pytest.mark.parametrize("junk", JUNK, ids=[f"{i}:{_short(j)}" for i, j in enumerate(JUNK)])
def test_junk_raises_only_kroute_or_type_errors(entry: str, junk: object) -> None:
    try:
        result = ENTRY_POINTS[entry](junk)
    except (KrouteError, TypeError) as e:
        assert str(e)  # renders
        if isinstance(e, KrouteError):
            assert e.kind in ("Manifest", "Selector", "Request")
    except BaseException as e:  # noqa: BLE001 (a PanicException is a BaseException)
        pytest.fail(f"{entry}({_short(junk)}) raised {type(e).__module__}.{type(e).__name__}: {e!s:.200}")
    else:
        # Whatever loads must answer queries and render.
        if isinstance(result, Cluster):
            assert isinstance(result.diagnostics, tuple)
            repr(result)
        elif isinstance(result, Selector):
            str(result), repr(result)
        elif isinstance(result, kroute.Router):
            # A router made from junk settings still routes.
            d = result.connect("10.1.1.1", "10.96.0.50", 80)
            assert d.verdict == "FORWARD", d
            repr(result)
        elif isinstance(result, (list, dict)):
            repr(result)
        elif hasattr(result, "to_dict"):
            result.to_dict()


def test_lone_surrogates_are_located() -> None:
    with pytest.raises(ManifestError) as info:
        Cluster.from_yaml("a: 1\n---\nb: x\ud800\n")
    assert (info.value.document, info.value.line, info.value.column) == (1, 3, 5)
    with pytest.raises(SelectorError) as sinfo:
        Selector.parse("a=b,c=\udc80")
    assert sinfo.value.column == 7
    # Matching never fails: no valid selector value contains such a character.
    assert Selector("a").matches({"a": "\ud800"})
    assert not Selector("a=b").matches({"a": "\ud800"})


def test_the_gil_is_released_while_loading() -> None:
    import threading

    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(len(Cluster.from_yaml(SEED_YAML).endpoints("default", "kubia")))
        )
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [3] * 8
