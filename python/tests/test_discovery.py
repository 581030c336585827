"""Discovery from Python: kubelet's service variables, cluster DNS with the resolver's search
path, and name validation (spec §1, §2, §6)."""

from __future__ import annotations

import dataclasses

import pytest

import kroute
from kroute import Cluster, RequestError, validation

# --- env vars -----------------------------------------------------------------------------------


def test_env_vars_are_kubelets_in_order(seed: Cluster) -> None:
    env = seed.env_vars("default")
    names = list(env)
    # Services by name, each in FromServices order.
    assert names[:8] == [
        "BACKEND_DATABASE_SERVICE_HOST",
        "BACKEND_DATABASE_SERVICE_PORT",
        "BACKEND_DATABASE_SERVICE_PORT_POSTGRES",
        "BACKEND_DATABASE_PORT",
        "BACKEND_DATABASE_PORT_5432_TCP",
        "BACKEND_DATABASE_PORT_5432_TCP_PROTO",
        "BACKEND_DATABASE_PORT_5432_TCP_PORT",
        "BACKEND_DATABASE_PORT_5432_TCP_ADDR",
    ]
    assert env["KUBIA_SERVICE_HOST"] == "10.96.0.50"
    assert env["KUBIA_SERVICE_PORT_HTTP"] == "80"
    assert env["KUBIA_PORT"] == "tcp://10.96.0.50:80"
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"
    # ExternalName and headless Services give nothing.
    assert not any(n.startswith("EXTERNAL_SERVICE") for n in names)


def test_env_vars_without_service_links_keep_only_kubernetes(seed: Cluster) -> None:
    env = seed.env_vars("default", enable_service_links=False)
    assert env and all(n.startswith("KUBERNETES_") for n in env)
    assert seed.env_vars("elsewhere") == env  # another namespace sees the master only


def test_env_var_records_are_canonical(seed: Cluster) -> None:
    records = seed.env_var_records("default")
    first = records[0]
    assert isinstance(first, kroute.EnvVar)
    assert first.to_dict() == {
        "name": "BACKEND_DATABASE_SERVICE_HOST",
        "value": "10.100.1.20",
        "source": "service",
        "service": "default/backend-database",
    }
    assert {v.name: v.value for v in records} == seed.env_vars("default")
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.value = "x"  # type: ignore[misc]


def test_pod_env_explicit_env_wins_and_expands(seed: Cluster) -> None:
    env = seed.pod_env("default", "client")
    assert list(env)[:2] == ["KUBIA_SERVICE_PORT", "BACKEND_URL"]
    assert env["KUBIA_SERVICE_PORT"] == "8080"  # the container's own value, not the Service's
    assert env["BACKEND_URL"] == "http://10.96.0.50:80"  # $(VAR) expanded
    records = seed.pod_env_records("default", "client")
    assert [r.source for r in records[:2]] == ["env", "env"]
    assert records[0].service is None and records[2].source == "service"
    # The sidecar has no env of its own: exactly the namespace's service variables.
    assert seed.pod_env("default", "client", container="sidecar") == seed.env_vars("default")


def test_pod_env_unknown_pod_or_container(seed: Cluster) -> None:
    with pytest.raises(RequestError, match="no Pod default/nope"):
        seed.pod_env("default", "nope")
    with pytest.raises(RequestError, match="no container"):
        seed.pod_env("default", "client", "nope")


# --- DNS ----------------------------------------------------------------------------------------


def test_fqdn_resolves_to_the_cluster_ip(seed: Cluster) -> None:
    a = seed.resolve("backend-database.default.svc.cluster.local")
    assert a.rcode == "NOERROR"
    assert [(r.name, r.type, r.ttl, r.data) for r in a.answers] == [
        ("backend-database.default.svc.cluster.local.", "A", 5, "10.100.1.20")
    ]
    assert a.tried == ("backend-database.default.svc.cluster.local.",)
    assert a.to_dict() == {
        "rcode": "NOERROR",
        "answers": [
            {
                "name": "backend-database.default.svc.cluster.local.",
                "type": "A",
                "ttl": 5,
                "data": "10.100.1.20",
            }
        ],
        "additional": [],
        "tried": ["backend-database.default.svc.cluster.local."],
    }


def test_short_name_from_a_pod_goes_through_the_search_list(seed: Cluster) -> None:
    a = seed.resolve("backend-database", "A", namespace="default")
    assert a.rcode == "NOERROR" and a.answers[0].data == "10.100.1.20"
    assert a.tried == ("backend-database.default.svc.cluster.local.",)
    # kubia.default: its first try (kubia.default.default.svc…) fails, the second answers.
    b = seed.resolve("kubia.default", namespace="default")
    assert b.tried == ("kubia.default.default.svc.cluster.local.", "kubia.default.svc.cluster.local.")
    assert b.answers[0].data == "10.96.0.50"
    # From another namespace the short name finds nothing in the cluster; the last try,
    # "kubia.", leaves the cluster domain (CoreDNS would forward it upstream).
    c = seed.resolve("kubia", namespace="prod")
    assert c.answers == () and c.rcode == "UPSTREAM"
    assert c.tried == (
        "kubia.prod.svc.cluster.local.",
        "kubia.svc.cluster.local.",
        "kubia.cluster.local.",
        "kubia.",
    )


def test_external_name_is_a_cname(seed: Cluster) -> None:
    a = seed.resolve("external-service.default.svc.cluster.local", "A")
    assert [(r.type, r.data) for r in a.answers] == [("CNAME", "www.example.com.")]
    assert str(a.answers[0]) == "external-service.default.svc.cluster.local.\t5\tIN\tCNAME\twww.example.com."


def test_srv_ptr_and_types_in_any_case(seed: Cluster) -> None:
    srv = seed.resolve("_postgres._tcp.backend-database.default.svc.cluster.local", "srv")
    assert srv.answers[0].data == "0 100 5432 backend-database.default.svc.cluster.local."
    assert srv.additional[0].data == "10.100.1.20"
    ptr = seed.resolve("20.1.100.10.in-addr.arpa", "PTR")
    assert ptr.answers[0].data == "backend-database.default.svc.cluster.local."


def test_unknown_type_and_bad_names_are_request_errors(seed: Cluster) -> None:
    with pytest.raises(RequestError, match='unknown DNS type "MX"') as e:
        seed.resolve("kubia.default.svc.cluster.local", "MX")
    assert e.value.kind == "Request"
    with pytest.raises(RequestError, match="not a DNS name"):
        seed.resolve("a..b")


def test_dns_pods_option() -> None:
    yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {podIP: 10.244.0.7}\n"
    name = "10-244-0-7.default.pod.cluster.local"
    assert Cluster.from_yaml(yaml).resolve(name).rcode == "NXDOMAIN"
    verified = Cluster.from_yaml(yaml, dns_pods="verified")
    assert verified.options["dns_pods"] == "verified"
    assert verified.resolve(name).answers[0].data == "10.244.0.7"
    with pytest.raises(RequestError, match="unknown variant `sometimes`"):
        Cluster.from_yaml(yaml, dns_pods="sometimes")  # type: ignore[arg-type]


def test_kubernetes_service_option() -> None:
    assert Cluster.from_yaml("").env_vars("default")
    bare = Cluster.from_yaml("", kubernetes_service=False)
    assert bare.env_vars("default") == {}
    assert bare.options["kubernetes_service"] is False


# --- validation ---------------------------------------------------------------------------------


def test_validation_functions() -> None:
    assert validation.dns1123_label("web-1") == []
    (msg,) = validation.dns1123_label("-web")
    assert msg.startswith("a lowercase RFC 1123 label must consist of")
    assert validation.dns1123_label("a.b") == ["must not contain dots"]
    assert validation.dns1123_subdomain("kubia.example.com") == []
    assert validation.dns1035_label("1abc") != []
    assert validation.wildcard_dns1123_subdomain("*.example.com") == []
    assert validation.qualified_name("example.com/MyName") == []
    assert validation.label_value("") == []
    assert validation.port_name("http") == []
    assert "must contain at least one letter (a-z)" in validation.port_name("8080")
    assert validation.port_number(80) == []
    assert validation.port_number(0) == ["must be between 1 and 65535, inclusive"]
    assert validation.port_number(2**100) == validation.port_number(-(2**100)) == validation.port_number(0)
    assert kroute.validation is validation


def test_validation_of_text_that_is_not_unicode() -> None:
    # A lone surrogate is never part of a valid name.
    assert validation.dns1123_label("a\ud800") != []
    assert validation.label_value("\udfff") != []


def test_validation_type_errors() -> None:
    with pytest.raises(TypeError):
        validation.dns1123_label(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        validation.port_number("80")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        validation.port_number(True)
