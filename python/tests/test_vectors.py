"""The shared conformance vectors (tests/vectors/*.json) against the installed module.

Format and matching rules: tests/vectors/README.md. The same files feed the Rust runner
(tests/tests/vectors.rs) and the JS one (wasm/tests/vectors.test.mjs).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import kroute

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"

# camelCase keys of a case's "options" → keyword arguments of Cluster.from_yaml
OPTION_KWARGS = {
    "namespace": "namespace",
    "serviceCidr": "service_cidr",
    "podCidr": "pod_cidr",
    "nodePortRange": "node_port_range",
    "clusterDomain": "cluster_domain",
    "assumeRunningPods": "assume_running_pods",
    "dnsPods": "dns_pods",
    "kubernetesService": "kubernetes_service",
    "profile": "profile",
    "ingressClass": "ingress_class",
    "mergeSlashes": "merge_slashes",
    "escapedSlashes": "escaped_slashes",
}

# camelCase keys of a case's "router" (RouterConfig) → keyword arguments of Cluster.router
ROUTER_KWARGS = {
    "node": "node",
    "seed": "seed",
    "balancer": "balancer",
    "affinityCapacity": "affinity_capacity",
    "maglevTableSize": "maglev_table_size",
    "explain": "explain",
}

# Every op of tests/vectors/README.md that this runner knows. A case of another op (one added
# to the README after this runner) is reported as skipped with the reason, so it stays visible
# rather than silently ignored.
SUPPORTED_OPS = {
    "load",
    "diagnostics",
    "endpoints",
    "selector",
    "labelSelector",
    "validation",
    "envVars",
    "podEnv",
    "resolve",
    "usableEndpoints",
    "applyEvents",
    "connect",
    "routeHttp",
    "lookupHttp",
}

# camelCase keys of a step's Conn → keyword arguments of Router.connect
CONN_KWARGS = {
    "clientIp": "client_ip",
    "clientPort": "client_port",
    "dstIp": "dst_ip",
    "dstPort": "dst_port",
    "protocol": "protocol",
    "fromPod": "from_pod",
    "node": "node",
}

VALIDATORS: dict[str, Callable[[Any], list[str]]] = {
    "dns1123_label": kroute.validation.dns1123_label,
    "dns1123_subdomain": kroute.validation.dns1123_subdomain,
    "dns1035_label": kroute.validation.dns1035_label,
    "wildcard_dns1123_subdomain": kroute.validation.wildcard_dns1123_subdomain,
    "qualified_name": kroute.validation.qualified_name,
    "label_value": kroute.validation.label_value,
    "port_name": kroute.validation.port_name,
    "port_number": kroute.validation.port_number,
}


def load_cases(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every case of every *.json file, files sorted, as (file name, case)."""
    cases = []
    for path in sorted(directory.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            cases.append((path.name, case))
    return cases


def selector_result(make: Any, labels: dict[str, str] | None) -> Any:
    try:
        sel = make()
    except kroute.KrouteError as e:
        return {"error": e.to_dict()}
    return {"string": str(sel), "matches": None if labels is None else sel.matches(labels)}


def attempt(call: Callable[[], Any]) -> Any:
    """The result of ``call()``, or ``{"error": ...}`` when it raises a KrouteError."""
    try:
        return call()
    except kroute.KrouteError as e:
        return {"error": e.to_dict()}


def run_step(router: kroute.Router, step: dict[str, Any]) -> Any:
    """One step of a ``connect`` case: a connection, a clock advance, or a probe script/report."""

    def call() -> Any:
        if "connect" in step:
            conn = {CONN_KWARGS[k]: v for k, v in step["connect"].items()}
            return router.connect(**conn, now=step.get("now", 0.0)).to_dict()
        if "routeHttp" in step:
            return router.route_http(**request_kwargs(step["routeHttp"]), now=step.get("now", 0.0)).to_dict()
        if "advance" in step:
            return [c.to_dict() for c in router.advance(step["advance"])]
        if "scriptProbe" in step:
            s = step["scriptProbe"]
            router.script_probe(s["namespace"], s["pod"], s["steps"])
            return None
        if "reportProbe" in step:
            p = step["reportProbe"]
            return router.report_probe(p["namespace"], p["pod"], p["ok"], p.get("now", 0.0))
        raise AssertionError(f"unknown step {step!r}")

    return attempt(call)


def request_kwargs(request: dict[str, Any]) -> dict[str, Any]:
    """A vector's HTTP request as keyword arguments of ``route_http``."""
    names = {"url": "url", "method": "method", "headers": "headers", "sni": "sni", "clientIp": "client_ip"}
    return {names[k]: v for k, v in request.items()}


def apply(cluster: kroute.Cluster, event: dict[str, Any]) -> Any:
    return cluster.apply_event(event).to_dict()


def run(case: dict[str, Any]) -> Any:
    """The actual value of a case, in canonical JSON form."""
    query = case["query"]
    op = query["op"]
    if op == "selector":
        return selector_result(lambda: kroute.Selector.parse(query["text"]), query.get("labels"))
    if op == "labelSelector":
        return selector_result(
            lambda: kroute.Selector.from_label_selector(query["selector"]), query.get("labels")
        )
    if op == "validation":
        return VALIDATORS[query["fn"]](query["value"])
    # A routeHttp case's httpOptions are Options fields too.
    raw_options = {**case.get("options", {}), **query.get("httpOptions", {})}
    options = {OPTION_KWARGS[k]: v for k, v in raw_options.items()}
    try:
        cluster = kroute.Cluster.from_yaml(case.get("manifests") or "", **options)
    except kroute.KrouteError as e:
        return {"error": e.to_dict()}
    q = query
    if op == "load":
        return {"ok": True}
    if op == "diagnostics":
        code = q.get("code")
        return [d.to_dict() for d in cluster.diagnostics if code is None or d.code == code]
    if op == "endpoints":
        return attempt(lambda: [e.to_dict() for e in cluster.endpoints(q["namespace"], q["service"])])
    if op == "envVars":
        records = cluster.env_var_records(q["namespace"], q.get("enableServiceLinks", True))
        return [v.to_dict() for v in records]
    if op == "podEnv":
        return attempt(
            lambda: [
                v.to_dict() for v in cluster.pod_env_records(q["namespace"], q["pod"], q.get("container"))
            ]
        )
    if op == "resolve":
        return attempt(lambda: cluster.resolve(q["name"], q.get("type", "A"), q.get("namespace")).to_dict())
    if op == "routeHttp":
        return attempt(
            lambda: cluster.route_http(**request_kwargs(q["request"]), canary_draw=q.get("canaryDraw")).to_dict()
        )
    if op == "lookupHttp":
        return attempt(lambda: cluster.lookup_http(q["url"]).to_dict())
    if op == "usableEndpoints":
        return attempt(
            lambda: cluster.usable_endpoints(
                q["namespace"], q["service"], node=q.get("node"), port=q.get("port")
            ).to_dict()
        )
    if op == "applyEvents":
        outcomes = [attempt(functools.partial(apply, cluster, e)) for e in q["events"]]
        endpoints = attempt(lambda: [e.to_dict() for e in cluster.endpoints(q["namespace"], q["service"])])
        return {"outcomes": outcomes, "endpoints": endpoints}
    if op == "connect":
        config = {ROUTER_KWARGS[k]: v for k, v in q.get("router", {}).items()}
        router = cluster.router(**config)
        return [run_step(router, step) for step in q["steps"]]
    raise AssertionError(f"unknown op {op!r}")


def mismatch(expect: Any, actual: Any, path: str = "") -> str | None:
    """Subset match: expected object keys must match, lists elementwise with equal length,
    scalars equal (bool is not a number here, unlike Python's ==). None when it matches."""
    if isinstance(expect, dict) and isinstance(actual, dict):
        for key, value in expect.items():
            if key not in actual:
                return f"{path}.{key}: missing in {json.dumps(actual)}"
            why = mismatch(value, actual[key], f"{path}.{key}")
            if why:
                return why
        return None
    if isinstance(expect, list) and isinstance(actual, list):
        if len(expect) != len(actual):
            return f"{path}: expected {len(expect)} items, got {len(actual)}: {json.dumps(actual)}"
        for i, (e, a) in enumerate(zip(expect, actual, strict=True)):
            why = mismatch(e, a, f"{path}[{i}]")
            if why:
                return why
        return None
    if type(expect) is type(actual) and expect == actual:
        return None
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (expect, actual))
    if numbers and expect == actual:
        return None
    return f"{path or '.'}: expected {json.dumps(expect)}, got {json.dumps(actual)}"


CASES = load_cases(VECTORS)


@pytest.mark.parametrize("file,case", CASES, ids=[f"{file}:{case['name']}" for file, case in CASES])
def test_vector(file: str, case: dict[str, Any]) -> None:
    op = case["query"]["op"]
    if op not in SUPPORTED_OPS:
        pytest.skip(f"op {op!r} is not known to this runner yet")
    why = mismatch(case["expect"], run(case))
    assert why is None, f"{file}: {case['name']} ({case.get('source', '')}): {why}"


def test_vectors_are_present() -> None:
    assert CASES, f"no vectors in {VECTORS}"
    names = [(file, case["name"]) for file, case in CASES]
    assert len(names) == len(set(names)), "case names must be unique within a file"


# The runner itself, on cases of its own (not in tests/vectors/, which the lead owns).

RUNNER_CASES: list[dict[str, Any]] = [
    {
        "name": "selector op",
        "query": {"op": "selector", "text": "b=1, a", "labels": {"a": "x", "b": "1"}},
        "expect": {"string": "a,b=1", "matches": True},
    },
    {
        "name": "selector op without labels",
        "query": {"op": "selector", "text": "x in (b,a)"},
        "expect": {"string": "x in (a,b)", "matches": None},
    },
    {
        "name": "selector error",
        "query": {"op": "selector", "text": "a b"},
        "expect": {"error": {"kind": "Selector", "column": 3, "line": None}},
    },
    {
        "name": "labelSelector null matches nothing",
        "query": {"op": "labelSelector", "selector": None, "labels": {}},
        "expect": {"string": "", "matches": False},
    },
    {
        "name": "labelSelector",
        "query": {
            "op": "labelSelector",
            "selector": {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "Exists"}],
            },
            "labels": {"app": "web", "tier": "x"},
        },
        "expect": {"string": "app=web,tier", "matches": True},
    },
    {
        "name": "options are keyword arguments",
        "manifests": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n",
        "options": {"namespace": "prod"},
        "query": {"op": "endpoints", "namespace": "prod", "service": "s"},
        "expect": [],
    },
    {
        "name": "error message is the Rust Error.message, without the location",
        "query": {"op": "selector", "text": "a in (b"},
        "expect": {
            "error": {
                "kind": "Selector",
                "message": "unable to parse requirement: found '', expected: ',' or ')'",
                "column": 8,
                "line": None,
                "document": None,
                "field": None,
            }
        },
    },
    {
        "name": "request error message",
        "manifests": "",
        "query": {"op": "podEnv", "namespace": "default", "pod": "ghost"},
        "expect": {"error": {"kind": "Request", "message": "no Pod default/ghost", "field": None}},
    },
    {
        "name": "connect steps",
        "manifests": (
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
            "spec: {clusterIP: 10.96.0.9, selector: {app: a}, ports: [{port: 80}]}\n---\n"
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: a}}\n"
            "status: {podIP: 10.244.0.9, conditions: [{type: Ready, status: 'True'}]}\n"
        ),
        "query": {
            "op": "connect",
            "router": {"seed": 2, "explain": True},
            "steps": [
                {"connect": {"clientIp": "10.0.0.1", "dstIp": "10.96.0.9", "dstPort": 80}, "now": 1},
                {"connect": {"dstIp": "10.96.0.9", "dstPort": 80}},
                {"reportProbe": {"namespace": "default", "pod": "p", "ok": False, "now": 2}},
                {"scriptProbe": {"namespace": "default", "pod": "ghost", "steps": []}},
                {"advance": 3},
            ],
        },
        "expect": [
            {
                "verdict": "FORWARD",
                "endpoint": {"pod": "p"},
                "reason": "forwarded to 10.244.0.9:80 (pod p), client address kept",
            },
            {"error": {"kind": "Request", "message": "a connection needs clientIp or fromPod"}},
            True,
            {"error": {"kind": "Request", "message": "no Pod default/ghost"}},
            [],
        ],
    },
    {
        "name": "load error",
        "manifests": "a: [1,\n",
        "query": {"op": "load"},
        "expect": {"error": {"kind": "Manifest", "document": 0}},
    },
]


@pytest.mark.parametrize("case", RUNNER_CASES, ids=[c["name"] for c in RUNNER_CASES])
def test_runner_on_own_cases(case: dict[str, Any]) -> None:
    assert mismatch(case["expect"], run(case)) is None


def test_runner_reads_a_vector_file(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text(json.dumps(RUNNER_CASES[:2]), encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(RUNNER_CASES[2:3]), encoding="utf-8")
    (tmp_path / "README.md").write_text("not a vector", encoding="utf-8")
    cases = load_cases(tmp_path)
    assert [(f, c["name"]) for f, c in cases] == [
        ("a.json", "selector error"),
        ("b.json", "selector op"),
        ("b.json", "selector op without labels"),
    ]
    assert all(mismatch(c["expect"], run(c)) is None for _, c in cases)


def test_subset_matching_rules() -> None:
    assert mismatch({"a": 1}, {"a": 1, "b": 2}) is None
    assert mismatch({"a": 1, "c": 3}, {"a": 1}) is not None
    assert mismatch([{"a": 1}], [{"a": 1}, {"a": 2}]) is not None
    assert mismatch([{}], [{"a": 1}]) is None
    assert mismatch(True, 1) is not None
    assert mismatch(1, 1.0) is None
    assert mismatch(None, None) is None
    assert mismatch({"x": None}, {"x": 0}) is not None
