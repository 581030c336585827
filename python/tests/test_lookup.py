"""The lean HTTP lookup: ``lookup_http`` and ``lookup_http_many`` on clusters and routers, the
native ``HttpMatch`` objects they return, and agreement with ``route_http``."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path
from typing import Any

import pytest

import kroute
from kroute import Cluster, HttpMatch, RequestError

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
SHOP: str = json.loads((VECTORS / "http-lookup.json").read_text(encoding="utf-8"))[0]["manifests"]
#: A watch event deleting the Ingress of SHOP.
DELETE_FRONT = {
    "type": "DELETED",
    "object": {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "front", "namespace": "shop"},
    },
}

HOSTS = [
    "shop.example.com",
    "SHOP.Example.COM:8443",
    "a.apps.example.com",
    "a.b.apps.example.com",
    "other.example.com",
    "nohost.example.org",
    "shop.example.com.",
    "[::1]",
    "bad host",
    "",
]
PATHS = [
    "/",
    "/api",
    "/api/",
    "/api/v1?x=1",
    "/apix",
    "/api/login",
    "/api/login/",
    "/only",
    "/only/more",
    "/%61pi",
    "/x/../api",
    "/a%zz",
    "/a%2Fb",
    "//api",
    "/api#frag",
    "",
]


def urls() -> list[str]:
    out = [
        f"{scheme}{host}{path}"
        for scheme, host, path in itertools.product(("http://", "https://"), HOSTS, PATHS)
    ]
    return (
        out
        + [f"{host}{path}" for host, path in itertools.product(HOSTS[:3], PATHS)]
        + PATHS
        + ["ftp://x/", "x"]
    )


@pytest.fixture(scope="module")
def shop() -> Cluster:
    return Cluster.from_yaml(SHOP)


def answer(call: Any, url: str) -> Any:
    try:
        return call(url)
    except RequestError as e:
        return ("error", e.message)


def agrees(m: HttpMatch | tuple[str, str], d: kroute.HttpDecision | tuple[str, str]) -> bool:
    """Whether a lookup and a full decision name the same rule and Service (or fail alike)."""
    if isinstance(m, tuple) or isinstance(d, tuple):
        return isinstance(m, tuple) and isinstance(d, tuple)
    if m.result == "refused":
        return d.status == 400 and m.reason is not None
    if m.result == "no-route":
        return d.status == 404 and d.source is None
    assert d.source is not None and d.backend is not None
    source = (d.source["namespace"], d.source["name"], d.source["rule"], d.source["path"])
    return source == (m.namespace, m.ingress, m.rule, m.path) and (
        d.backend["service"],
        d.backend["servicePort"],
        d.match and d.match["hostMatch"],
    ) == (m.service, m.service_port, m.host_match)


def test_lookup_agrees_with_route_http(shop: Cluster) -> None:
    all_urls = urls()
    for url in all_urls:
        m, d = answer(shop.lookup_http, url), answer(shop.route_http, url)
        assert agrees(m, d), f"{url}: {m!r} vs {d!r}"
    ok = [u for u in all_urls if not isinstance(answer(shop.lookup_http, u), tuple)]
    assert len(ok) > 300
    assert shop.lookup_http_many(ok) == [shop.lookup_http(u) for u in ok]
    kinds = {shop.lookup_http(u).result for u in ok}
    assert kinds == {"matched", "no-route", "refused"}


def url_only_route_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(VECTORS.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            q = case["query"]
            if q["op"] == "routeHttp" and set(q["request"]) == {"url"} and "canaryDraw" not in q:
                cases.append((f"{path.name}:{case['name']}", case))
    return cases


def test_lookup_agrees_with_every_url_only_route_vector() -> None:
    from test_vectors import OPTION_KWARGS

    cases = url_only_route_cases()
    assert len(cases) > 20
    for name, case in cases:
        raw = {**case.get("options", {}), **case["query"].get("httpOptions", {})}
        try:
            cluster = Cluster.from_yaml(
                case.get("manifests") or "", **{OPTION_KWARGS[k]: v for k, v in raw.items()}
            )
        except kroute.KrouteError:
            continue
        url = case["query"]["request"]["url"]
        m, d = answer(cluster.lookup_http, url), answer(cluster.route_http, url)
        if not isinstance(d, tuple) and d.status in (301, 308) and not isinstance(m, tuple):
            # ingress-nginx's slash redirect still names the location's rule.
            assert m.result == "matched", name
            continue
        assert agrees(m, d), f"{name}: {m!r} vs {d!r}"


def test_http_match_values(shop: Cluster) -> None:
    m = shop.lookup_http("http://shop.example.com/api/orders?id=7")
    assert (
        m.result,
        m.namespace,
        m.ingress,
        m.rule,
        m.path,
        m.host_match,
        m.service,
        m.service_port,
        m.reason,
    ) == ("matched", "shop", "front", 0, 0, "Exact", "api", 80, None)
    assert m.to_dict() == {
        "result": "matched",
        "namespace": "shop",
        "ingress": "front",
        "rule": 0,
        "path": 0,
        "hostMatch": "Exact",
        "service": "api",
        "servicePort": 80,
    }
    assert repr(m) == (
        "HttpMatch(result='matched', namespace='shop', ingress='front', rule=0, path=0, "
        "host_match='Exact', service='api', service_port=80)"
    )
    default = shop.lookup_http("http://shop.example.com/apix")
    assert (default.rule, default.path, default.service) == (None, None, "web")
    assert "rule=None, path=None" in repr(default)
    none = shop.lookup_http("http://nohost.example.org/")
    assert none.to_dict() == {"result": "no-route"} and repr(none) == "HttpMatch(result='no-route')"
    assert none.ingress is None and none.service is None
    bad = shop.lookup_http("http://shop.example.com/a%zz")
    assert bad.result == "refused" and bad.to_dict() == {"result": "refused", "reason": bad.reason}
    assert repr(bad) == f"HttpMatch(result='refused', reason={bad.reason!r})"


def test_http_match_is_an_immutable_value(shop: Cluster) -> None:
    a = shop.lookup_http("http://shop.example.com/api")
    b = shop.lookup_http("https://SHOP.example.com:8443/api/x")
    c = Cluster.from_yaml(SHOP).lookup_http("http://shop.example.com/api")
    assert a == b == c and hash(a) == hash(b) == hash(c)
    assert not a != c  # noqa: SIM202 (__ne__ is derived)
    assert a != shop.lookup_http("http://shop.example.com/api/login")
    assert a != shop.lookup_http("http://a.apps.example.com/api")
    assert a != "matched" and a != a.to_dict()
    assert len({a, b, c, shop.lookup_http("/nowhere")}) == 2
    with pytest.raises(AttributeError):
        a.service = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        HttpMatch()  # type: ignore[call-arg]
    assert type(a) is HttpMatch and HttpMatch.__module__ == "kroute"
    d = a.to_dict()
    d["service"] = "changed"
    assert a.to_dict()["service"] == "api"


def test_lookup_errors(shop: Cluster) -> None:
    with pytest.raises(RequestError, match="not an http:// or https:// URL") as e:
        shop.lookup_http("ftp://shop.example.com/")
    assert isinstance(e.value, ValueError) and e.value.kind == "Request"
    with pytest.raises(RequestError) as e:
        shop.lookup_http_many(["/", "http://shop.example.com/", "ftp://x"])
    assert e.value.field == "urls[2]"
    with pytest.raises(RequestError) as e:
        shop.lookup_http_many(["/", "/\ud800"])
    assert e.value.field == "urls[1]" and "lone surrogate" in e.value.message
    with pytest.raises(RequestError, match="lone surrogate"):
        shop.lookup_http("http://shop.example.com/\udcff")
    with pytest.raises(TypeError, match="url must be str, not bytes"):
        shop.lookup_http(b"/")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"urls\[1\] must be str, not int"):
        shop.lookup_http_many(["/", 3])  # type: ignore[list-item]
    for bad in ("/api", b"/api", {"url": "/"}, 5, None):
        with pytest.raises(TypeError, match="lookup_http_many"):
            shop.lookup_http_many(bad)  # type: ignore[arg-type]


def test_lookup_many_takes_any_iterable(shop: Cluster) -> None:
    want = [shop.lookup_http("/api"), shop.lookup_http("http://a.apps.example.com/")]
    urls = ["/api", "http://a.apps.example.com/"]
    assert shop.lookup_http_many(tuple(urls)) == want
    assert shop.lookup_http_many(iter(urls)) == want
    assert shop.lookup_http_many(u for u in urls) == want
    assert shop.lookup_http_many([]) == []


def test_router_lookup_keeps_its_snapshot() -> None:
    cluster = Cluster.from_yaml(SHOP)
    router = cluster.router()
    url = "http://shop.example.com/api"
    assert router.lookup_http(url) == cluster.lookup_http(url)
    assert router.lookup_http(url).service == "api"
    assert cluster.apply_event(DELETE_FRONT).http_rebuilt
    assert cluster.lookup_http(url).result == "no-route"
    assert cluster.lookup_http_many([url]) == [cluster.lookup_http(url)]
    assert router.lookup_http(url).service == "api"  # the router's snapshot is the old one
    router.apply_event(DELETE_FRONT)
    assert router.lookup_http(url).result == "no-route"
    assert router.lookup_http_many([url, "/"])[0].result == "no-route"


def test_lookup_answers_follow_events_many_times() -> None:
    cluster = Cluster.from_yaml(SHOP)
    url = "http://shop.example.com/api"
    for i in range(20):
        ingress = {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "front", "namespace": "shop"},
            "spec": {
                "rules": [
                    {
                        "host": "shop.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/api",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": f"svc-{i}", "port": {"number": 80}}},
                                }
                            ]
                        },
                    }
                ]
            },
        }
        cluster.apply_event({"type": "MODIFIED", "object": ingress})
        assert cluster.lookup_http(url).service == f"svc-{i}"
        assert [m.service for m in cluster.lookup_http_many([url] * 3)] == [f"svc-{i}"] * 3


def test_lookup_many_releases_the_gil(shop: Cluster) -> None:
    big = ["http://shop.example.com/api/v1/" + "x" * 50, "http://a.apps.example.com/" + "y/" * 40] * 200_000
    out: list[list[HttpMatch]] = []
    worker = threading.Thread(target=lambda: out.append(shop.lookup_http_many(big)))
    ticks = 0
    worker.start()
    while worker.is_alive():
        ticks += 1
    worker.join()
    assert len(out[0]) == len(big) and out[0][1].host_match == "Wildcard"
    assert ticks > 1_000, ticks


def test_lookups_are_safe_across_threads() -> None:
    cluster = Cluster.from_yaml(SHOP)
    router = cluster.router()
    url = "http://shop.example.com/api/login"
    failures: list[str] = []

    def work(target: Cluster | kroute.Router) -> None:
        for _ in range(200):
            one = target.lookup_http(url)
            many = target.lookup_http_many([url, "/x"] * 50)
            if one.result == "matched" and (one.service, one.path) != ("web", 1):
                failures.append(repr(one))
            if any(m.result == "matched" and m.service != "web" for m in many[::2]):
                failures.append(repr(many[0]))

    threads = [threading.Thread(target=work, args=(t,)) for t in (cluster, cluster, router, router)]
    for t in threads:
        t.start()
    cluster.apply_event(DELETE_FRONT)
    router.apply_event(DELETE_FRONT)
    for t in threads:
        t.join()
    assert failures == []
    assert cluster.lookup_http(url).result == router.lookup_http(url).result == "no-route"
