"""Connection routing from Python: usable endpoints, the stateful router (balancers, ClientIP
affinity, traffic policies, readiness over time), batches without the GIL, and watch events
(spec §4.4-§4.8)."""

from __future__ import annotations

import collections
import dataclasses
import threading

import pytest

import kroute
from kroute import Cluster, ConnDecision, RequestError

KUBIA = ("10.96.0.50", 80)


def pods(decisions: list[ConnDecision]) -> list[str | None]:
    return [d.endpoint.pod if d.endpoint else None for d in decisions]


# --- usable endpoints ---------------------------------------------------------------------------


def test_usable_endpoints_in_kube_proxy_names(seed: Cluster) -> None:
    u = seed.usable_endpoints("default", "kubia")
    assert u.cluster_endpoints == ("10.244.1.2:8080", "10.244.1.3:8080", "10.244.1.4:8080")
    assert u.local_endpoints is None and u.has_any_endpoints and u.topology_mode == ""
    assert u.to_dict() == {
        "clusterEndpoints": ["10.244.1.2:8080", "10.244.1.3:8080", "10.244.1.4:8080"],
        "localEndpoints": None,
        "allReachableEndpoints": ["10.244.1.2:8080", "10.244.1.3:8080", "10.244.1.4:8080"],
        "hasAnyEndpoints": True,
        "topologyMode": "",
    }
    # externalTrafficPolicy Local: node-2 runs none of kubia's pods.
    lb = seed.usable_endpoints("default", "kubia-lb", node="node-2")
    assert lb.local_endpoints == () and lb.cluster_endpoints
    assert seed.usable_endpoints("default", "kubia-lb", node="node-1").local_endpoints == lb.cluster_endpoints


def test_usable_endpoints_port_by_number_or_name(seed: Cluster) -> None:
    by_name = seed.usable_endpoints("default", "kubia", port="http")
    assert seed.usable_endpoints("default", "kubia", port=80) == by_name
    assert seed.usable_endpoints("default", "kubia", port="80") == by_name
    with pytest.raises(RequestError, match='has no port "81"'):
        seed.usable_endpoints("default", "kubia", port=81)
    with pytest.raises(RequestError, match="no Service default/nope"):
        seed.usable_endpoints("default", "nope")
    with pytest.raises(TypeError):
        seed.usable_endpoints("default", "kubia", port=True)


# --- the router: the seed's "done when" ---------------------------------------------------------


def test_client_ip_affinity_holds_for_three_hours_of_simulated_time(seed: Cluster) -> None:
    router = seed.router(seed=1)
    first = router.connect("10.244.9.9", *KUBIA)
    assert first.verdict == "FORWARD" and first.affinity == "new" and first.via == "ClusterIP"
    assert first.service is not None and str(first.service) == "default/kubia:http"
    # Used again just within 10,800 s of the last use: the same pod, twice over.
    for t in (10_799.0, 21_598.0):
        again = router.connect("10.244.9.9", *KUBIA, now=t)
        assert again.affinity == "hit" and again.endpoint == first.endpoint
    # 10,800 s after the last use the entry has expired: a new choice.
    assert router.connect("10.244.9.9", *KUBIA, now=32_398.0).affinity == "new"
    assert router.affinity_entries == 1


def test_node_port_forwards_on_either_node(seed: Cluster) -> None:
    router = seed.router()
    for node_ip, node in (("192.168.0.11", "node-1"), ("192.168.0.12", "node-2")):
        d = router.connect("203.0.113.5", node_ip, 30123)
        assert (d.verdict, d.via, d.node) == ("FORWARD", "NodePort", node)
        assert d.endpoint is not None and d.endpoint.pod in ("kubia-a", "kubia-b", "kubia-c")
        assert d.source_nat and d.client_ip_seen == node_ip


def test_load_balancer_with_local_policy_keeps_the_client_ip(seed: Cluster) -> None:
    router = seed.router()
    local = router.connect("198.51.100.7", "203.0.113.100", 80, node="node-1")
    assert (local.verdict, local.via, local.source_nat, local.client_ip_seen) == (
        "FORWARD",
        "LoadBalancer",
        False,
        "198.51.100.7",
    )
    assert local.endpoint is not None and local.endpoint.node == "node-1"
    dropped = router.connect("198.51.100.7", "203.0.113.100", 80, node="node-2")
    assert dropped.verdict == "DROP" and dropped.endpoint is None
    assert "no local endpoints on node node-2" in dropped.reason


def test_ten_thousand_clients_spread_evenly_under_random(seed: Cluster) -> None:
    router = seed.router(seed=7)
    conns = [
        {"client_ip": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", "dst_ip": "10.96.0.51", "dst_port": 80}
        for i in range(10_000)
    ]
    counts = collections.Counter(pods(router.connect_many(conns)))
    assert set(counts) == {"kubia-a", "kubia-b", "kubia-c"}
    # Binomial(10000, 1/3): sd ≈ 47; 5 sd either side.
    assert all(abs(n - 10_000 / 3) < 240 for n in counts.values()), counts


def test_a_failing_readiness_probe_removes_the_pod_after_failure_threshold_periods(seed: Cluster) -> None:
    router = seed.router(balancer="round-robin")
    router.script_probe("default", "kubia-a", [{"until": 40, "ok": False}])
    assert router.advance(15) == []  # probes at 0 and 10 failed: 2 of 3
    (change,) = router.advance(25)  # the third failure, at t=20
    assert change == kroute.ReadinessChange(time=20.0, pod="default/kubia-a", ready=False)
    assert change.to_dict() == {"time": 20.0, "pod": "default/kubia-a", "ready": False}
    chosen = pods(
        [router.connect(None, "10.96.0.51", 80, now=25, from_pod="default/client") for _ in range(6)]
    )
    assert "kubia-a" not in chosen and set(chosen) == {"kubia-b", "kubia-c"}
    (back,) = router.advance(45)  # succeeds from t=40
    assert (back.time, back.ready) == (40.0, True)
    assert "kubia-a" in pods([router.connect("10.1.1.1", "10.96.0.51", 80, now=45) for _ in range(3)])


def test_reported_probe_outcomes_drive_readiness(seed: Cluster) -> None:
    router = seed.router()
    assert router.report_probe("default", "kubia-b", False, 1) is True  # 1 of 3 failures
    router.report_probe("default", "kubia-b", False, 2)
    assert router.report_probe("default", "kubia-b", False, 3) is False
    assert router.report_probe("default", "kubia-b", True, 4) is True
    with pytest.raises(RequestError, match="no Pod default/nope"):
        router.report_probe("default", "nope", True, 0)


def test_script_probe_takes_pairs(seed: Cluster) -> None:
    router = seed.router()
    router.script_probe("default", "kubia-a", [(30.0, False)])
    assert [(c.time, c.ready) for c in router.advance(35)] == [(20.0, False), (30.0, True)]


# --- decisions ----------------------------------------------------------------------------------


def test_decision_to_dict_is_canonical_and_frozen(seed: Cluster) -> None:
    d = seed.router(seed=1).connect("10.244.9.9", *KUBIA)
    raw = d.to_dict()
    assert list(raw) == [
        "verdict",
        "via",
        "service",
        "node",
        "endpoint",
        "sourceNat",
        "clientIpSeen",
        "affinity",
        "balancer",
        "reason",
        "trace",
    ]
    assert raw["service"] == {"namespace": "default", "name": "kubia", "port": 80, "portName": "http"}
    assert raw["trace"] is None and d.trace is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.verdict = "DROP"  # type: ignore[misc]
    rebuilt = dataclasses.replace(d)
    assert rebuilt.to_dict() == raw  # rebuilt from the fields, same shape


def test_explain_records_every_step(seed: Cluster) -> None:
    d = seed.router(explain=True).connect("10.244.9.9", *KUBIA)
    assert d.trace is not None and len(d.trace) >= 3
    assert d.trace[0] == "10.96.0.50:80 is Service default/kubia port 80 via ClusterIP"
    assert d.trace[-1] == d.reason


def test_unknown_addresses_pass_and_pod_ips_are_direct(seed: Cluster) -> None:
    router = seed.router()
    assert router.connect("10.1.1.1", "10.96.99.99", 80).verdict == "PASS"
    direct = router.connect("10.1.1.1", "10.244.1.2", 8080)
    assert direct.verdict == "PASS" and "pod default/kubia-a's own address" in direct.reason


def test_same_seed_same_choices(seed: Cluster) -> None:
    conns = [{"client_ip": f"10.0.0.{i}", "dst_ip": "10.96.0.51", "dst_port": 80} for i in range(50)]
    a = pods(seed.router(seed=3).connect_many(conns))
    assert a == pods(seed.router(seed=3).connect_many(conns))
    assert a != pods(seed.router(seed=4).connect_many(conns))


@pytest.mark.parametrize(
    "balancer", ["random", "round-robin", "weighted", "least-request", "source-hash", "maglev", "ring-hash"]
)
def test_every_balancer_forwards(seed: Cluster, balancer: str) -> None:
    router = seed.router(balancer=balancer, maglev_table_size=251)  # type: ignore[arg-type]
    d = router.connect("10.9.9.9", "10.96.0.51", 80)
    assert d.verdict == "FORWARD" and d.balancer == balancer


def test_round_robin_cycles_and_least_request_avoids_busy_endpoints(seed: Cluster) -> None:
    rr = seed.router(balancer="round-robin")
    assert pods([rr.connect("10.1.1.1", "10.96.0.51", 80) for _ in range(4)]) == [
        "kubia-a",
        "kubia-b",
        "kubia-c",
        "kubia-a",
    ]
    lr = seed.router(balancer="least-request")
    lr.set_in_flight("10.244.1.2", 8080, 1_000_000)
    lr.set_in_flight("10.244.1.3", 8080, 1_000_000)
    assert set(pods([lr.connect("10.1.1.1", "10.96.0.51", 80) for _ in range(20)])) <= {
        "kubia-a",
        "kubia-b",
        "kubia-c",
    }
    assert pods([lr.connect("10.1.1.1", "10.96.0.51", 80)]).count("kubia-c") <= 1


def test_router_config_errors(seed: Cluster) -> None:
    with pytest.raises(RequestError, match="unknown variant `fastest`"):
        seed.router(balancer="fastest")  # type: ignore[arg-type]
    with pytest.raises(RequestError, match="maglevTableSize must be a prime"):
        seed.router(maglev_table_size=65_536)
    with pytest.raises(RequestError, match="maglevTableSize must be a prime"):
        seed.router(maglev_table_size=2**40 + 15)
    with pytest.raises(RequestError):
        seed.router(seed=-1)
    with pytest.raises(TypeError):
        seed.router(seed="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        seed.router(explain=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"use Cluster\.router"):
        kroute.Router()


def test_connection_errors(seed: Cluster) -> None:
    router = seed.router()
    with pytest.raises(RequestError, match="clientIp or fromPod"):
        router.connect(None, *KUBIA)
    with pytest.raises(RequestError, match="no Pod default/ghost"):
        router.connect(None, *KUBIA, from_pod="default/ghost")
    with pytest.raises(RequestError, match="invalid connection"):
        router.connect("not-an-ip", *KUBIA)
    with pytest.raises(RequestError, match="invalid connection"):
        router.connect("10.0.0.1", *KUBIA, protocol="tcp")  # type: ignore[arg-type]
    with pytest.raises(RequestError, match="finite"):
        router.connect("10.0.0.1", *KUBIA, now=float("nan"))
    with pytest.raises(RequestError):
        router.connect("10.0.0.1", "10.96.0.50", 70_000)
    with pytest.raises(TypeError, match="dst_ip and dst_port"):
        router.connect("10.0.0.1")
    with pytest.raises(TypeError):
        router.connect("10.0.0.1", *KUBIA, now="0")  # type: ignore[arg-type]


# --- batches ------------------------------------------------------------------------------------


def test_connect_many_equals_connect_one_by_one(seed: Cluster) -> None:
    conns: list[dict[str, object]] = [
        {"client_ip": "10.1.0.1", "dst_ip": "10.96.0.50", "dst_port": 80},
        {"clientIp": "10.1.0.2", "dstIp": "10.96.0.50", "dstPort": 80},  # canonical spelling
        {"from_pod": "default/client", "dst_ip": "203.0.113.100", "dst_port": 80},
        {
            "client_ip": "10.1.0.3",
            "dst_ip": "192.168.0.12",
            "dst_port": 30123,
            "protocol": "TCP",
            "node": None,
        },
    ]
    batch = seed.router(seed=5).connect_many(conns, now=3)
    one = seed.router(seed=5)
    single = [
        one.connect("10.1.0.1", *KUBIA, now=3),
        one.connect("10.1.0.2", *KUBIA, now=3),
        one.connect(None, "203.0.113.100", 80, now=3, from_pod="default/client"),
        one.connect("10.1.0.3", "192.168.0.12", 30123, now=3),
    ]
    assert [d.to_dict() for d in batch] == [d.to_dict() for d in single]
    assert seed.router().connect_many([]) == []


def test_connect_many_names_the_failing_connection(seed: Cluster) -> None:
    router = seed.router()
    with pytest.raises(RequestError) as e:
        router.connect_many(
            [{"client_ip": "10.0.0.1", "dst_ip": "10.96.0.50", "dst_port": 80}, {"dst_ip": "x"}]
        )
    assert e.value.field == "conns[1]"
    with pytest.raises(RequestError) as e2:
        router.connect_many([{"dst_ip": "10.96.0.50", "dst_port": 80, "from_pod": "default/ghost"}])
    assert e2.value.field == "conns[0]" and e2.value.message == "no Pod default/ghost"
    with pytest.raises(RequestError, match="unknown field `bogus`"):
        router.connect_many([{"dst_ip": "10.96.0.50", "dst_port": 80, "client_ip": "10.0.0.1", "bogus": 1}])
    with pytest.raises(TypeError):
        router.connect_many([5])  # type: ignore[list-item]


def test_connect_many_releases_the_gil(seed: Cluster) -> None:
    # While a thread is inside the native batch call, this thread keeps running Python code:
    # with the GIL held it could not tick at all until the call returned.
    import json

    router = seed.router()
    conns = [
        {"clientIp": f"10.0.{i // 256 % 256}.{i % 256}", "dstIp": "10.96.0.51", "dstPort": 80}
        for i in range(50_000)
    ]
    text = json.dumps(conns)
    out: list[str] = []
    native = router._handle  # type: ignore[attr-defined]
    worker = threading.Thread(target=lambda: out.append(native.connect_many_json(text, 0.0)))
    ticks = 0
    worker.start()
    while worker.is_alive():
        ticks += 1
    worker.join()
    assert len(json.loads(out[0])) == 50_000
    assert ticks > 10_000, ticks


def test_routers_are_safe_across_threads(seed: Cluster) -> None:
    router = seed.router()
    results: list[int] = []

    def work() -> None:
        batch = [{"client_ip": "10.0.0.1", "dst_ip": "10.96.0.51", "dst_port": 80}] * 500
        results.append(sum(d.verdict == "FORWARD" for d in router.connect_many(batch)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [500] * 4


# --- watch events -------------------------------------------------------------------------------


def unready(name: str, ip: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "kubia"}},
        "spec": {"nodeName": "node-1", "containers": [{"name": "kubia"}]},
        "status": {"podIP": ip, "conditions": [{"type": "Ready", "status": "False"}]},
    }


def test_apply_event_changes_the_cluster_not_older_routers(seed: Cluster) -> None:
    before = seed.router(balancer="round-robin")
    outcome = seed.apply_event({"type": "MODIFIED", "object": unready("kubia-a", "10.244.1.2")})
    assert outcome == kroute.EventOutcome(
        type="MODIFIED",
        kind="Pod",
        object="default/kubia-a",
        recomputed=("default/kubia", "default/kubia-lb", "default/kubia-nodeport"),
        http_rebuilt=False,
    )
    assert outcome.to_dict()["recomputed"] == ["default/kubia", "default/kubia-lb", "default/kubia-nodeport"]
    ready = [e.pod for e in seed.endpoints("default", "kubia") if e.conditions.ready]
    assert ready == ["kubia-b", "kubia-c"]
    after = seed.router(balancer="round-robin")
    assert "kubia-a" not in pods([after.connect("10.1.1.1", "10.96.0.51", 80) for _ in range(4)])
    # The router made before keeps its snapshot.
    assert "kubia-a" in pods([before.connect("10.1.1.1", "10.96.0.51", 80) for _ in range(3)])


def test_a_router_follows_the_events_applied_to_it(seed: Cluster) -> None:
    router = seed.router(balancer="round-robin")
    assert "kubia-a" in pods([router.connect("10.1.1.1", "10.96.0.51", 80) for _ in range(3)])
    outcome = router.apply_event({"type": "MODIFIED", "object": unready("kubia-a", "10.244.1.2")})
    assert outcome.recomputed == ("default/kubia", "default/kubia-lb", "default/kubia-nodeport")
    assert "kubia-a" not in pods([router.connect("10.1.1.1", "10.96.0.51", 80) for _ in range(4)])
    # The cluster it was made from keeps its own snapshot.
    assert all(e.conditions.ready for e in seed.endpoints("default", "kubia"))
    with pytest.raises(kroute.RequestError):
        router.apply_event({"type": "DELETED", "object": {"kind": "Pod", "metadata": {"name": "ghost"}}})


def test_apply_event_recomputes_a_service_and_refreshes_diagnostics(seed: Cluster) -> None:
    assert any(d.code == "service-selects-nothing" for d in seed.diagnostics)
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "backend-database"},
        "spec": {"clusterIP": "10.100.1.20", "selector": {"app": "kubia"}, "ports": [{"port": 5432}]},
    }
    outcome = seed.apply_event({"type": "MODIFIED", "object": svc})
    assert not outcome.http_rebuilt and outcome.kind == "Service"  # no Ingress reads it
    assert outcome.recomputed == ("default/backend-database",)
    assert not any(d.code == "service-selects-nothing" for d in seed.diagnostics)
    assert len(seed.endpoints("default", "backend-database")) == 3


def test_apply_event_errors(seed: Cluster) -> None:
    with pytest.raises(RequestError, match="does not exist"):
        seed.apply_event({"type": "DELETED", "object": {"kind": "Pod", "metadata": {"name": "ghost"}}})
    with pytest.raises(kroute.ManifestError, match="unsupported watch event type"):
        seed.apply_event({"type": "ERROR", "object": {"kind": "Status"}})
    with pytest.raises(kroute.ManifestError, match="needs `object`"):
        seed.apply_event({"type": "ADDED"})
    with pytest.raises(TypeError):
        seed.apply_event([("type", "ADDED")])  # type: ignore[arg-type]
    assert seed.apply_event({"type": "BOOKMARK", "object": {}}).type == "BOOKMARK"
