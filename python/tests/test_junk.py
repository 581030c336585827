"""Issue 10: hostile input through the Python binding. The fuzz corpus, mutated corpus and
generated junk (deep nesting, huge strings, alias bombs, NUL, invalid UTF-8) only ever raise
``KrouteError`` (a ``ValueError``), never ``pyo3_runtime.PanicException``, each call in bounded
time; and the ``limits`` option reaches the core."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any, Callable

import pytest

import kroute
from kroute import Cluster, KrouteError, ManifestError, Selector

CORPUS = Path(__file__).resolve().parents[2] / "core" / "fuzz" / "corpus"
SECONDS = 5.0  # per call, far above what any of these takes

# Three Services (public, private, admin) behind one Ingress on app.example: the bypass table's.
INGRESS: str = json.loads((CORPUS.parents[2] / "tests" / "vectors" / "http-bypass.json").read_text())[0]["manifests"]


def survives(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Runs ``call``: it returns, or raises a KrouteError, within ``SECONDS``. The result, or
    the KrouteError."""
    start = time.monotonic()
    try:
        result = call(*args, **kwargs)
    except KrouteError as e:
        result = e
    except BaseException as e:  # PanicException derives from BaseException
        pytest.fail(f"{call.__qualname__} raised {type(e).__module__}.{type(e).__name__}: {e}")
    took = time.monotonic() - start
    assert took < SECONDS, f"{call.__qualname__} took {took:.1f} s"
    return result


def refused(call: Callable[..., Any], *args: Any, **kwargs: Any) -> KrouteError:
    error = survives(call, *args, **kwargs)
    assert isinstance(error, KrouteError), f"{call.__qualname__} accepted hostile input"
    assert isinstance(error, ValueError)
    return error


def texts(data: bytes) -> list[str]:
    """The bytes as text two ways: invalid UTF-8 kept as lone surrogates, and replaced."""
    return [data.decode("utf-8", "surrogateescape"), data.decode("utf-8", "replace")]


def corpus(target: str) -> list[bytes]:
    files = sorted((CORPUS / target).iterdir())
    assert files, f"no corpus for {target}"
    return [f.read_bytes() for f in files]


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not b:  # deletions may empty it
            b += b"x"
        i = rng.randrange(len(b))
        op = rng.randrange(3)
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            b[i:i] = bytes(rng.choice([b"{", b"[", b"&a ", b"*a", b"\x00", b"\xff", b"---\n", b"%2e"]))
        else:
            del b[i]
    return bytes(b)


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return Cluster.from_yaml(INGRESS)


def test_load_corpus_and_mutations() -> None:
    rng = random.Random(10)
    samples = corpus("load")
    for data in samples + [mutate(rng.choice(samples), rng) for _ in range(300)]:
        for text in texts(data):
            for load in (Cluster.from_yaml, Cluster.from_json):
                c = survives(load, text)
                if isinstance(c, Cluster):
                    assert isinstance(c.diagnostics, tuple)
                    survives(c.endpoints, "default", "public")
                    survives(c.route_http, "http://app.example/")


def test_selector_corpus() -> None:
    for data in corpus("selector"):
        for text in texts(data):
            survives(Selector.parse, text)


def test_watch_corpus(cluster: Cluster) -> None:
    for data in corpus("watch"):
        c = Cluster.from_yaml(INGRESS)
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                survives(Cluster.from_json, line)
                continue
            if isinstance(event, dict):
                survives(c.apply_event, event)
        survives(c.endpoints, "default", "public")


def test_route_corpus(cluster: Cluster) -> None:
    router = cluster.router()
    for data in corpus("route"):
        for text in texts(data):
            survives(cluster.route_http, "http://app.example/" + text)
            survives(cluster.route_http, "http://app.example/", headers={"x": text})
            survives(router.route_http, "http://" + text)
            survives(kroute.normalize_path, "/" + text)
            for url in ("http://app.example/" + text, "http://" + text, text):
                survives(cluster.lookup_http, url)
                survives(router.lookup_http, url)
            survives(cluster.lookup_http_many, ["http://app.example/" + text, "http://" + text, text])


def test_lookup_junk_agrees_with_route_http(cluster: Cluster) -> None:
    rng = random.Random(11)
    samples = corpus("route")
    for data in samples + [mutate(rng.choice(samples), rng) for _ in range(300)]:
        for text in texts(data):
            for url in ("http://app.example/" + text, "http://" + text, text):
                m, d = survives(cluster.lookup_http, url), survives(cluster.route_http, url)
                if isinstance(m, KrouteError) or isinstance(d, KrouteError):
                    assert type(m) is type(d), (url, m, d)
                elif m.result == "matched":
                    assert d.source is not None and d.backend is not None, url
                    assert (d.source["name"], d.backend["service"]) == (m.ingress, m.service), url
                else:
                    assert d.status == (400 if m.result == "refused" else 404), (url, m, d)


def nested_dict(depth: int) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for _ in range(depth):
        d = {"a": d}
    return d


def test_deep_nesting_is_refused_everywhere(cluster: Cluster) -> None:
    e = refused(Cluster.from_json, "[" * 10_000 + "]" * 10_000)
    assert (e.line, e.column) == (1, 101) and "limits.maxDepth (100)" in e.message
    e = refused(Cluster.from_yaml, "[" * 10_000 + "]" * 10_000)
    assert "limits.maxDepth (100)" in e.message
    e = refused(Cluster.from_yaml, "".join(f"{' ' * i}a:\n" for i in range(500)))
    assert "limits.maxDepth (100)" in e.message
    deep = nested_dict(10_000)
    assert isinstance(refused(Cluster.from_objects, [deep]), ManifestError)
    assert isinstance(refused(Cluster.from_objects, [nested_dict(120)]), ManifestError)
    c = Cluster.from_yaml(INGRESS)
    refused(c.apply_event, {"type": "ADDED", "object": deep})
    refused(Selector.from_label_selector, {"matchLabels": deep})
    refused(cluster.route_http_many, [{"url": "http://app.example/", "headers": deep}])


def test_huge_inputs_are_refused_at_once() -> None:
    start = time.monotonic()
    e = refused(Cluster.from_yaml, "a: " + "x" * (40 << 20))
    assert "limits.maxInputBytes (33554432)" in e.message
    assert time.monotonic() - start < 1.0
    note = "y" * (3 << 20)
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: a, annotations: {{note: {note}}}}}\n"
    e = refused(Cluster.from_yaml, text)
    assert (e.field, e.line) == ("metadata.annotations.note", 3)
    assert "limits.maxStringBytes (2097152)" in e.message


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    start = time.monotonic()
    e = refused(Cluster.from_yaml, "\n".join(lines))
    assert "limits.maxAliasExpansion (100000)" in e.message
    assert time.monotonic() - start < 2.0


def test_nul_and_invalid_utf8(cluster: Cluster) -> None:
    assert isinstance(refused(Cluster.from_yaml, "apiVersion: v1\x00\nkind: Pod\n"), ManifestError)
    refused(Selector.parse, "app=a\x00b")
    assert cluster.route_http("http://app.example/a%00b").status == 400
    invalid = b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff\xfe}\n".decode("utf-8", "surrogateescape")
    e = refused(Cluster.from_yaml, invalid)
    assert (e.line, e.column) == (3, 18)
    refused(Selector.parse, b"a=\xc0\xaf".decode("utf-8", "surrogateescape"))


def test_random_bytes() -> None:
    rng = random.Random(7)
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        for text in texts(data):
            survives(Cluster.from_yaml, text)
            survives(Cluster.from_json, text)
            survives(Selector.parse, text)


def test_limits_option_reaches_the_core() -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {a: v1, b: v2, c: v3}}\n"
    e = refused(Cluster.from_yaml, pod, limits={"max_labels": 2})
    assert e.message == "3 entries, over limits.maxLabels (2)"
    assert (e.document, e.line, e.field) == (0, 3, "metadata.labels")
    c = Cluster.from_yaml(pod, limits={"max_labels": 3, "max_depth": 8})
    assert c.options["limits"]["max_labels"] == 3
    assert c.options["limits"]["max_input_bytes"] == 32 << 20
    with pytest.raises(TypeError, match="unknown limit 'max_deep'"):
        Cluster.from_yaml(pod, limits={"max_deep": 3})
    e = refused(Cluster.from_yaml, pod, limits={"max_depth": 500})
    assert e.kind == "Request" and "at most 128" in e.message
