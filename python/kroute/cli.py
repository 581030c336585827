"""The ``kroute`` command line: ``check`` (a linter), ``endpoints``, ``connect``, ``env`` and
``dns``.

Exit codes: 0 success; 1 findings at or above ``--fail-on`` (``check``), an unknown Service or
pod, a connection that is not forwarded (``connect``), a name without an answer (``dns``);
2 input that cannot be read, or a usage error.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TextIO

from kroute import (
    Cluster,
    ConnDecision,
    Diagnostic,
    DnsAnswer,
    Endpoint,
    KrouteError,
    RequestError,
    __version__,
)

__all__ = ["main"]

EXTENSIONS = (".yaml", ".yml", ".json")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# Files are joined with an explicit document end: the next file may start with a directive,
# `---`, or a bare document, and any of them is valid YAML after `...`.
SEPARATOR = "...\n"
# A document kroute skips with a `kind-skipped` finding: appended to a file on its own, it
# tells how many documents the file holds (the finding's document index).
END_MARKER = 'kind: "kroute/end-of-file"\n'


class InputError(Exception):
    """Input that cannot be read; each message names its file (and line:column)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class Source:
    """One input file, and where it sits in the concatenated stream."""

    name: str  # for messages: the path as given, or <stdin>
    uri: str  # for SARIF
    text: str
    first_line: int = 1  # 1-based line of the combined text where this file starts
    line_count: int = 0
    first_doc: int = 0  # global index of this file's first document
    doc_count: int = 0


# ---------------------------------------------------------------------------------------------
# Reading input


def _expand(path: str) -> Iterator[Path | None]:
    """Files named by one -f argument (None for stdin)."""
    if path == "-":
        yield None
        return
    p = Path(path)
    if p.is_dir():
        found = sorted(
            (
                f
                for f in p.rglob("*")
                if f.suffix.lower() in EXTENSIONS
                and f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            ),
            key=lambda f: f.relative_to(p).parts,
        )
        if not found:
            raise InputError([f"{path}: no *.yaml, *.yml or *.json files in this directory"])
        yield from found
    else:
        yield p


def _decode(name: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        column = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        raise InputError(
            [f"{name}:{line}:{column}: error: not UTF-8 text (byte 0x{data[e.start]:02x})"]
        ) from None
    # One line-break convention, so that line numbers here and in the core agree.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read(paths: Sequence[str]) -> list[Source | str]:
    """The input files, in the order given, each a Source or an error message."""
    out: list[Source | str] = []
    stdin_used = False
    for arg in paths:
        try:
            files = list(_expand(arg))
        except InputError as e:
            out.extend(e.messages)
            continue
        for f in files:
            if f is None:
                if stdin_used:
                    out.append("-: error: stdin can be read only once")
                    continue
                stdin_used = True
                name, uri, data = "<stdin>", "stdin", sys.stdin.buffer.read()
            else:
                name = str(f)
                uri = f.as_uri() if f.is_absolute() else f.as_posix()
                try:
                    data = f.read_bytes()
                except OSError as e:
                    out.append(f"{name}: error: cannot read: {e.strerror or e}")
                    continue
            try:
                out.append(Source(name=name, uri=uri, text=_decode(name, data)))
            except InputError as e:
                out.extend(e.messages)
    return out


def _error_line(source: Source | None, e: KrouteError) -> str:
    name = source.name if source is not None else "<input>"
    where = name
    if e.line is not None:
        where += f":{e.line}"
        if e.column is not None:
            where += f":{e.column}"
    field = f"{e.field}: " if e.field else ""
    return f"{where}: error: {field}{e.message}"


def load(paths: Sequence[str], namespace: str | None, **extra: Any) -> tuple[Cluster, list[Source]]:
    """Reads every input, checks each file on its own (so that an error names its file), then
    builds one cluster from all of them (``extra`` are more Cluster options). Raises InputError."""
    options: dict[str, Any] = {} if namespace is None else {"namespace": namespace}
    options.update(extra)
    sources: list[Source] = []
    errors: list[str] = []
    line = 1
    doc = 0
    for s in _read(paths):
        if isinstance(s, str):
            errors.append(s)
            continue
        if s.text and not s.text.endswith("\n"):
            s.text += "\n"
        try:
            probe = Cluster.from_yaml(s.text + SEPARATOR + END_MARKER, **options)
        except RequestError:
            raise
        except KrouteError as e:
            errors.append(_error_line(s, e))
            continue
        s.line_count = s.text.count("\n")
        marker_line = s.line_count + SEPARATOR.count("\n") + 1
        markers = [d for d in probe.diagnostics if d.code == "kind-skipped" and d.line == marker_line]
        s.doc_count = (markers[0].document or 0) if markers else 0
        sources.append(s)
        s.first_line, s.first_doc = line, doc
        line += s.line_count + SEPARATOR.count("\n")
        doc += s.doc_count
    if errors:
        raise InputError(errors)
    combined = SEPARATOR.join(s.text for s in sources)
    try:
        cluster = Cluster.from_yaml(combined, **options)
    except RequestError:
        raise
    except KrouteError as e:
        source, local_line, _ = _locate(sources, e.line, e.document)
        e.line = local_line
        raise InputError([_error_line(source, e)]) from None
    return cluster, sources


def _locate(
    sources: list[Source], line: int | None, document: int | None
) -> tuple[Source | None, int | None, int | None]:
    """The file, local line and local document of a global line / document."""
    for s in sources:
        if line is not None:
            if s.first_line <= line < s.first_line + max(s.line_count, 1):
                return s, line - s.first_line + 1, None if document is None else document - s.first_doc
        elif document is not None and s.first_doc <= document < s.first_doc + s.doc_count:
            return s, None, document - s.first_doc
    if len(sources) == 1:
        return sources[0], line, document
    return None, line, document


# ---------------------------------------------------------------------------------------------
# Output


def _colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Paint:
    CODES: ClassVar[dict[str, str]] = {
        "red": "31",
        "green": "32",
        "yellow": "33",
        "blue": "34",
        "bold": "1",
        "dim": "2",
    }

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        if not self.enabled or not style:
            return text
        return f"\x1b[{self.CODES[style]}m{text}\x1b[0m"


SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "blue"}


@dataclass
class Finding:
    """A diagnostic with the file it is in and its line / document inside that file."""

    diagnostic: Diagnostic
    source: Source | None
    line: int | None
    document: int | None

    def to_dict(self) -> dict[str, Any]:
        d = self.diagnostic.to_dict()
        d["file"] = self.source.name if self.source is not None else None
        d["line"] = self.line
        d["document"] = self.document
        return d


def _findings(cluster: Cluster, sources: list[Source]) -> list[Finding]:
    out = []
    for d in cluster.diagnostics:
        source, line, document = _locate(sources, d.line, d.document)
        out.append(Finding(d, source, line, document))
    return out


def _text_finding(f: Finding, paint: _Paint) -> str:
    d = f.diagnostic
    where = f.source.name if f.source is not None else "<input>"
    if f.line is not None:
        where += f":{f.line}"
        if d.column is not None:
            where += f":{d.column}"
    context = " ".join(x for x in (str(d.object) if d.object else "", d.field or "") if x)
    tail = f" {paint(f'({context})', 'dim')}" if context else ""
    return f"{paint(where, 'bold')}: {paint(d.severity, SEVERITY_STYLE.get(d.severity, ''))}[{d.code}] {d.message}{tail}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _sarif(findings: list[Finding]) -> dict[str, Any]:
    codes = sorted({f.diagnostic.code for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for f in findings:
        d = f.diagnostic
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": SARIF_LEVEL.get(d.severity, "none"),
            "message": {"text": d.message},
        }
        location: dict[str, Any] = {}
        if f.source is not None:
            physical: dict[str, Any] = {"artifactLocation": {"uri": f.source.uri}}
            if f.line is not None:
                region: dict[str, Any] = {"startLine": f.line}
                if d.column is not None:
                    region["startColumn"] = d.column
                physical["region"] = region
            location["physicalLocation"] = physical
        if d.object is not None:
            o = d.object
            name = "/".join(x for x in (o.kind, o.namespace, o.name) if x)
            location["logicalLocations"] = [{"fullyQualifiedName": name, "kind": "resource"}]
        if location:
            result["locations"] = [location]
        if d.field is not None:
            result["properties"] = {"field": d.field}
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kroute",
                        "version": __version__,
                        "rules": [
                            {"id": code, "shortDescription": {"text": code.replace("-", " ")}}
                            for code in codes
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


# ---------------------------------------------------------------------------------------------
# Commands


def _check(args: argparse.Namespace, out: TextIO) -> int:
    cluster, sources = load(args.filename, args.namespace)
    findings = _findings(cluster, sources)
    if args.format == "json":
        json.dump([f.to_dict() for f in findings], out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "sarif":
        json.dump(_sarif(findings), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        paint = _Paint(_colour(out))
        out.writelines(_text_finding(f, paint) + "\n" for f in findings)
        counts = {s: sum(f.diagnostic.severity == s for f in findings) for s in ("error", "warning", "info")}
        files = _plural(len(sources), "file")
        if findings:
            detail = ", ".join(f"{n} info" if s == "info" else _plural(n, s) for s, n in counts.items() if n)
            out.write(f"{_plural(len(findings), 'finding')} ({detail}) in {files}\n")
        else:
            out.write(f"no findings in {files}\n")
    threshold = SEVERITY_RANK[args.fail_on]
    return 1 if any(SEVERITY_RANK.get(f.diagnostic.severity, 2) >= threshold for f in findings) else 0


def _yes_no(value: bool) -> str:
    return "true" if value else "false"


def _table(endpoints: list[Endpoint], paint: _Paint) -> str:
    header = ["IP", "PORT", "NAME", "READY", "SERVING", "TERMINATING", "POD", "NODE"]
    rows: list[list[tuple[str, str]]] = []
    for e in endpoints:
        c = e.conditions
        rows.append(
            [
                (e.ip, ""),
                (f"{e.port}/{e.protocol}", ""),
                (e.port_name or "-", ""),
                (_yes_no(c.ready), "green" if c.ready else "red"),
                (_yes_no(c.serving), "" if c.serving else "red"),
                (_yes_no(c.terminating), "yellow" if c.terminating else ""),
                (e.pod or "-", ""),
                (e.node or "-", ""),
            ]
        )
    widths = [max([len(h)] + [len(r[i][0]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: list[tuple[str, str]]) -> str:
        # Pad before painting, so escape codes do not skew the columns.
        padded = [
            paint(text.ljust(w) if i < len(cells) - 1 else text, style)
            for i, ((text, style), w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "   ".join(padded).rstrip()

    lines = [line([(h, "bold") for h in header])]
    lines.extend(line(r) for r in rows)
    return "\n".join(lines) + "\n"


def _endpoints(args: argparse.Namespace, out: TextIO) -> int:
    cluster, _ = load(args.filename, args.namespace)
    namespace, _, service = args.service.rpartition("/")
    if not namespace:
        namespace = cluster.options["namespace"]
    try:
        endpoints = cluster.endpoints(namespace, service)
    except RequestError as e:
        sys.stderr.write(f"kroute: error: {e.message}\n")
        return 1
    if args.output == "json":
        json.dump([e.to_dict() for e in endpoints], out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif endpoints:
        out.write(_table(endpoints, _Paint(_colour(out))))
    else:
        sys.stderr.write(f"no endpoints for Service {namespace}/{service}\n")
    return 0


# ---------------------------------------------------------------------------------------------
# connect

BALANCERS = ("random", "round-robin", "weighted", "least-request", "source-hash", "maglev", "ring-hash")
VERDICT_STYLE = {"FORWARD": "green", "DROP": "red", "REJECT": "red", "PASS": "yellow"}
# Linux's default ephemeral port range: with --count, connection i leaves from port FIRST + i.
EPHEMERAL_FIRST, EPHEMERAL_COUNT = 32768, 60999 - 32768 + 1


def _destination(text: str) -> tuple[str, int]:
    """``IP:PORT`` (``[IPv6]:PORT``) for ``--to``."""
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise argparse.ArgumentTypeError(f"expected IP:PORT, got {text!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{host!r} is not an IP address (a Service's cluster IP: kroute dns NAME)"
        ) from None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"port {port!r} is not a number from 1 to 65535")
    return str(ip), int(port)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _source(text: str, namespace: str) -> dict[str, Any]:
    """``--from``: an IP address, or a pod as ``NAMESPACE/POD`` (``POD``: in ``namespace``)."""
    try:
        return {"client_ip": str(ipaddress.ip_address(text))}
    except ValueError:
        pass
    return {"from_pod": text if "/" in text else f"{namespace}/{text}"}


def _decision_text(d: ConnDecision, paint: _Paint) -> str:
    lines = []
    target = ""
    if d.endpoint is not None:
        e = d.endpoint
        where = ", ".join(
            x for x in (f"pod {e.pod}" if e.pod else "", f"node {e.node}" if e.node else "") if x
        )
        host = f"[{e.ip}]" if ":" in e.ip else e.ip
        target = f" -> {host}:{e.port}" + (f" ({where})" if where else "")
    lines.append(f"{paint(d.verdict, VERDICT_STYLE.get(d.verdict, ''))}{target}")
    rows: list[tuple[str, str]] = []
    if d.service is not None:
        s = d.service
        port = f"{s.port}" + (f" ({s.port_name})" if s.port_name else "")
        rows.append(("service", f"{s.namespace}/{s.name} port {port} via {d.via}"))
    if d.node is not None:
        rows.append(("node", d.node))
    if d.client_ip_seen is not None:
        nat = "source NAT" if d.source_nat else "client address kept"
        rows.append(("client seen as", f"{d.client_ip_seen} ({nat})"))
    if d.endpoint is not None:
        rows.append(("affinity", d.affinity))
        rows.append(("balancer", d.balancer))
    rows.append(("reason", d.reason))
    width = max(len(k) for k, _ in rows)
    lines.extend(f"  {paint(k.ljust(width), 'dim')}  {v}" for k, v in rows)
    if d.trace is not None:
        lines.append(f"  {paint('trace', 'dim')}")
        lines.extend(f"    {i}. {step}" for i, step in enumerate(d.trace, 1))
    return "\n".join(lines) + "\n"


def _distribution(decisions: list[ConnDecision]) -> dict[str, Any]:
    verdicts = Counter(d.verdict for d in decisions)
    per: dict[tuple[str, int], dict[str, Any]] = {}
    for d in decisions:
        if d.endpoint is None:
            continue
        e = d.endpoint
        row = per.setdefault(
            (e.ip, e.port), {"ip": e.ip, "port": e.port, "pod": e.pod, "node": e.node, "connections": 0}
        )
        row["connections"] += 1
    total = len(decisions)
    endpoints = sorted(per.values(), key=lambda r: (-r["connections"], r["pod"] or "", r["ip"]))
    for row in endpoints:
        row["share"] = round(row["connections"] / total, 4)
    return {"connections": total, "verdicts": dict(sorted(verdicts.items())), "endpoints": endpoints}


def _distribution_text(dist: dict[str, Any], paint: _Paint) -> str:
    header = ["POD", "ENDPOINT", "NODE", "CONNECTIONS", "SHARE"]
    rows = [
        [
            r["pod"] or "-",
            (f"[{r['ip']}]" if ":" in r["ip"] else r["ip"]) + f":{r['port']}",
            r["node"] or "-",
            str(r["connections"]),
            f"{100 * r['share']:.1f}%",
        ]
        for r in dist["endpoints"]
    ]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: list[str], style: str = "") -> str:
        text = "   ".join(
            c.ljust(w) if i < len(cells) - 1 else c
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        return paint(text.rstrip(), style)

    out = [line(header, "bold"), *(line(r) for r in rows)]
    verdicts = ", ".join(f"{v} {n}" for v, n in dist["verdicts"].items())
    out.append(f"{_plural(dist['connections'], 'connection')}: {verdicts}")
    return "\n".join(out) + "\n"


def _connect(args: argparse.Namespace, out: TextIO) -> int:
    cluster, _ = load(args.filename, args.namespace)
    namespace = cluster.options["namespace"]
    dst_ip, dst_port = args.to
    try:
        router = cluster.router(seed=args.seed, balancer=args.balancer, node=args.node, explain=args.explain)
        base: dict[str, Any] = {"dst_ip": dst_ip, "dst_port": dst_port, "protocol": args.protocol}
        base.update(_source(args.source, namespace))
        if args.count is None:
            decisions = [router.connect(**base)]
        else:
            conns = [
                {**base, "client_port": EPHEMERAL_FIRST + i % EPHEMERAL_COUNT} for i in range(args.count)
            ]
            decisions = router.connect_many(conns)
    except RequestError as e:
        sys.stderr.write(f"kroute: error: {e.message}\n")
        return 1
    paint = _Paint(_colour(out))
    if args.count is None:
        if args.output == "json":
            json.dump(decisions[0].to_dict(), out, indent=2, ensure_ascii=False)
            out.write("\n")
        else:
            out.write(_decision_text(decisions[0], paint))
    else:
        dist = _distribution(decisions)
        if args.output == "json":
            json.dump(dist, out, indent=2, ensure_ascii=False)
            out.write("\n")
        else:
            out.write(_distribution_text(dist, paint))
    return 0 if all(d.verdict == "FORWARD" for d in decisions) else 1


# ---------------------------------------------------------------------------------------------
# env


def _env(args: argparse.Namespace, out: TextIO) -> int:
    if args.pod is None and args.container is not None:
        sys.stderr.write("kroute env: error: --container needs --pod\n")
        return 2
    if args.pod is not None and not args.service_links:
        sys.stderr.write(
            "kroute env: error: --no-service-links applies without --pod (the pod's spec decides)\n"
        )
        return 2
    cluster, _ = load(args.filename, args.namespace)
    namespace = cluster.options["namespace"]
    try:
        if args.pod is None:
            records = cluster.env_var_records(namespace, enable_service_links=args.service_links)
        else:
            pod_namespace, _, pod = args.pod.rpartition("/")
            records = cluster.pod_env_records(pod_namespace or namespace, pod, args.container)
    except RequestError as e:
        sys.stderr.write(f"kroute: error: {e.message}\n")
        return 1
    if args.output == "json":
        json.dump([r.to_dict() for r in records], out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        paint = _Paint(_colour(out))
        for r in records:
            origin = f"  # {r.service}" if r.service else "  # env" if r.source == "env" else ""
            out.write(f"{r.name}={r.value}{paint(origin, 'dim') if paint.enabled else ''}\n")
    return 0


# ---------------------------------------------------------------------------------------------
# dns


def _dns_text(answer: DnsAnswer, name: str, qtype: str, namespace: str | None, paint: _Paint) -> str:
    status_style = "green" if answer.answers else "red" if answer.rcode == "NXDOMAIN" else "yellow"
    lines = [f";; status: {paint(answer.rcode, status_style)}, answers: {len(answer.answers)}", ""]
    lines.append(";; QUESTION SECTION:")
    lines.append(f";{name}\t\tIN\t{qtype}")
    lines.append("")
    if namespace is not None:
        lines.append(f";; TRIED (search list of a pod in namespace {namespace}, ndots:5):")
    else:
        lines.append(";; TRIED (fully qualified; -n NAMESPACE asks as a pod there):")
    lines.extend(f";{t}" for t in answer.tried)
    for title, records in (("ANSWER", answer.answers), ("ADDITIONAL", answer.additional)):
        if records:
            lines.append("")
            lines.append(f";; {title} SECTION:")
            lines.extend(str(r) for r in records)
    if answer.rcode == "UPSTREAM":
        lines.append("")
        lines.append(";; outside the cluster domain: CoreDNS forwards it upstream (not simulated)")
    return "\n".join(lines) + "\n"


def _dns(args: argparse.Namespace, out: TextIO) -> int:
    cluster, _ = load(args.filename, args.namespace)
    try:
        answer = cluster.resolve(args.name, args.type, args.namespace)
    except RequestError as e:
        sys.stderr.write(f"kroute: error: {e.message}\n")
        return 2
    if args.output == "json":
        json.dump(answer.to_dict(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(_dns_text(answer, args.name, args.type, args.namespace, _Paint(_colour(out))))
    return 0 if answer.answers else 1


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"a header is NAME:VALUE, not {text!r}")
    return name.strip(), value.strip()


def _route_text(d: dict[str, Any], paint: _Paint) -> str:
    status = d["status"]
    style = "green" if status < 300 else "yellow" if status < 500 and status != 404 else "red"
    lines = [f"{paint(str(status), style)} {d['reason']}"]
    src = d.get("source")
    if src:
        where = f"{src['kind']} {src['namespace']}/{src['name']}"
        if src.get("rule") is not None:
            where += f" rule {src['rule']}"
        if src.get("path") is not None:
            where += f" path {src['path']}"
        lines.append(f"source:    {where}")
    if d.get("match"):
        m = d["match"]
        lines.append("match:     " + ", ".join(f"{k}={v}" for k, v in m.items() if v is not None))
    b = d.get("backend")
    if b:
        target = b.get("service") or (b.get("resource") or {}).get("name")
        lines.append(f"backend:   {b['namespace']}/{target} port {b.get('port')} ({b.get('usableEndpoints', 0)} usable endpoints)")
    if d.get("endpoint"):
        e = d["endpoint"]
        lines.append(f"endpoint:  {e['ip']}:{e['port']}" + (f" (pod {e['pod']})" if e.get("pod") else ""))
    if d.get("tls"):
        lines.append("tls:       " + ", ".join(f"{k}={v}" for k, v in d["tls"].items() if v is not None))
    if d.get("redirect"):
        lines.append("redirect:  " + ", ".join(f"{k}={v}" for k, v in d["redirect"].items() if v is not None))
    if d.get("setCookie"):
        lines.append(f"set-cookie: {d['setCookie']}")
    if d.get("upstreamRequest"):
        u = d["upstreamRequest"]
        lines.append(f"upstream:  {u.get('host')}{u.get('path')}")
    for step in d.get("trace") or []:
        lines.append(paint(f"  · {step.get('step', '')}: {step.get('message', '')}", "blue"))
    return "\n".join(lines) + "\n"


def _route(args: argparse.Namespace, out: TextIO) -> int:
    extra: dict[str, Any] = {"profile": args.profile}
    if args.ingress_class:
        extra["ingress_class"] = args.ingress_class
    cluster, _ = load(args.filename, args.namespace, **extra)
    headers = list(args.header or [])
    try:
        if args.cookie:
            headers.append(("Cookie", args.cookie))
            router = cluster.router(seed=args.seed)
            d = router.route_http(args.url, args.method, headers, args.sni, args.client_ip).to_dict()
        else:
            d = cluster.route_http(args.url, args.method, headers, args.sni, args.client_ip, explain=args.explain).to_dict()
    except RequestError as e:
        sys.stderr.write(f"kroute: error: {e.message}\n")
        return 2
    if args.output == "json":
        json.dump(d, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(_route_text(d, _Paint(_colour(out))))
    return 0 if d["status"] < 400 else 1


ROUTE_EPILOG = """\
examples:
  kroute route -f ingress.yaml http://kubia.example.com/foo/x
  kroute route -f ingress.yaml https://kubia.example.com/kubia --explain
  kroute route -f k8s/ http://shop.example.com/cart --header 'X-Canary: always' --profile ingress-nginx
  kroute route -f k8s/ kubia.example.com/kubia --cookie 'route=...' -o json

exit status: 0 routed or redirected (status < 400); 1 an error status (404, 500, 503, 400);
2 input that cannot be read, or a malformed URL
"""


CHECK_EPILOG = """\
examples:
  kroute check -f manifests/                  every *.yaml, *.yml, *.json below manifests/
  kroute check -f svc.yaml -f pods.yaml --fail-on warning
  kubectl get svc,pods -o yaml | kroute check -f -
  kroute check -f k8s/ --format sarif > kroute.sarif

exit status: 0 no finding at or above --fail-on; 1 some; 2 input that cannot be read
"""

ENDPOINTS_EPILOG = """\
examples:
  kroute endpoints -f kubia.yaml kubia
  kroute endpoints -f manifests/ prod/kubia --output json
  cat all.yaml | kroute endpoints -f - -n prod kubia

exit status: 0 success; 1 no such Service; 2 input that cannot be read
"""

CONNECT_EPILOG = """\
examples:
  kroute connect -f seed.yaml --from 10.244.9.9 --to 10.96.0.50:80
  kroute connect -f seed.yaml --from default/client --to 203.0.113.100:80 --explain
  kroute connect -f seed.yaml --from 198.51.100.7 --to 192.168.0.12:30123 --count 1000
  kroute connect -f seed.yaml --from 10.1.1.1 --to 10.96.0.50:80 --balancer maglev -o json

--from is a client IP or a pod (NAMESPACE/POD); --to is an address a Service owns: a cluster
IP, a node address with a nodePort, a load-balancer IP or an external IP. --count N routes N
connections from the same client (one source port each) and shows how they spread.

exit status: 0 every connection forwarded; 1 one was dropped, rejected or not a Service
address, or --from names no pod; 2 input that cannot be read
"""

ENV_EPILOG = """\
examples:
  kroute env -f seed.yaml -n default                 the service variables of any pod there
  kroute env -f seed.yaml -n default --pod client    a pod's container: its env, then services
  kroute env -f seed.yaml -n prod --no-service-links
  kroute env -f seed.yaml --pod default/client --container sidecar -o json

exit status: 0 success; 1 no such pod or container; 2 input that cannot be read
"""

DNS_EPILOG = """\
examples:
  kroute dns -f seed.yaml backend-database.default.svc.cluster.local
  kroute dns -f seed.yaml backend-database -n default     as a pod in default asks
  kroute dns -f seed.yaml _postgres._tcp.backend-database.default.svc.cluster.local --type SRV
  kroute dns -f seed.yaml 20.1.100.10.in-addr.arpa --type PTR -o json

exit status: 0 an answer; 1 none (NXDOMAIN, NODATA, or a name outside the cluster);
2 input that cannot be read, or not a DNS name
"""

MAIN_EPILOG = """\
examples:
  kroute check -f manifests/
  kroute route -f manifests/ http://kubia.example.com/foo --explain
  kroute endpoints -f manifests/ default/kubia
  kroute connect -f manifests/ --from 10.244.9.9 --to 10.96.0.50:80
  kroute env -f manifests/ -n default --pod client
  kroute dns -f manifests/ kubia -n default

run 'kroute COMMAND --help' for a command's options.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kroute",
        description="Kubernetes Service networking, reproduced offline from manifests.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kroute {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-f",
            "--filename",
            action="append",
            required=True,
            metavar="PATH",
            help="a manifest file, a directory (its *.yaml, *.yml, *.json files, recursively, "
            "hidden ones left out) or - for stdin; repeatable",
        )
        p.add_argument(
            "-n",
            "--namespace",
            help="namespace of objects that name none, and of the query (default: default)",
        )

    route = commands.add_parser(
        "route",
        help="where an HTTP request goes through the Ingresses, and why",
        description="Route an HTTP request through the cluster's Ingresses: status, rule, backend, TLS.",
        epilog=ROUTE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(route)
    route.add_argument("url", metavar="URL", help="an absolute URL, host/path, or /path")
    route.add_argument("--method", "-X", default="GET", help="default: GET")
    route.add_argument("--header", "-H", action="append", type=_header, metavar="NAME:VALUE", help="repeatable")
    route.add_argument("--cookie", help="a Cookie header; the request then goes through a router (endpoint, affinity)")
    route.add_argument("--sni", help="the TLS server name (default: the host of an https:// URL)")
    route.add_argument("--client-ip", help="the client's address")
    route.add_argument("--profile", choices=("upstream", "ingress-nginx"), default="upstream", help="default: upstream")
    route.add_argument("--ingress-class", help="route for this IngressClass only")
    route.add_argument("--seed", type=int, default=0, help="seed of the router's draws (with --cookie)")
    route.add_argument("--explain", action="store_true", help="show every step of the decision")
    route.add_argument(
        "-o", "--output", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    route.set_defaults(run=_route)

    check = commands.add_parser(
        "check",
        help="report findings about the manifests, like a linter",
        description="Report findings about the manifests: path:line:col: severity[code] message.",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(check)
    check.add_argument(
        "--format",
        "-o",
        "--output",
        dest="format",
        choices=("text", "json", "sarif"),
        default="text",
        help="output format (default: text)",
    )
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default="error",
        help="exit 1 when a finding is at least this severe (default: error)",
    )
    check.set_defaults(run=_check)

    endpoints = commands.add_parser(
        "endpoints",
        help="list the endpoints backing a Service",
        description="List the endpoints backing a Service: one row per address and port.",
        epilog=ENDPOINTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(endpoints)
    endpoints.add_argument("service", metavar="[NAMESPACE/]SERVICE", help="the Service")
    endpoints.add_argument(
        "-o", "--output", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    endpoints.set_defaults(run=_endpoints)

    def output(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-o", "--output", choices=("text", "json"), default="text", help="output format (default: text)"
        )

    connect = commands.add_parser(
        "connect",
        help="where a connection to a Service address goes, and why",
        description="Route a connection as kube-proxy would: the Service, the endpoint, the policy.",
        epilog=CONNECT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(connect)
    connect.add_argument(
        "--from", dest="source", required=True, metavar="IP|NS/POD", help="the client: an IP address or a pod"
    )
    connect.add_argument("--to", required=True, type=_destination, metavar="IP:PORT", help="the destination")
    connect.add_argument("--protocol", choices=("TCP", "UDP", "SCTP"), default="TCP", help="default: TCP")
    connect.add_argument("--node", help="the node the packet arrives at (default: as the address implies)")
    connect.add_argument(
        "--balancer", choices=BALANCERS, default="random", help="default: random (kube-proxy)"
    )
    connect.add_argument("--seed", type=int, default=0, help="seed of the random draws (default: 0)")
    connect.add_argument("--count", type=_positive, metavar="N", help="route N connections; show the spread")
    connect.add_argument("--explain", action="store_true", help="show every step of the decision")
    output(connect)
    connect.set_defaults(run=_connect)

    env = commands.add_parser(
        "env",
        help="the environment variables kubelet gives a pod",
        description="The *_SERVICE_HOST / *_PORT_* variables kubelet injects, in its order; with "
        "--pod, a container's environment (its own env first).",
        epilog=ENV_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(env)
    env.add_argument("--pod", metavar="[NAMESPACE/]POD", help="a pod: its container's whole environment")
    env.add_argument("--container", help="with --pod: the container (default: the first)")
    env.add_argument(
        "--no-service-links",
        dest="service_links",
        action="store_false",
        help="as a pod with enableServiceLinks: false (without --pod)",
    )
    output(env)
    env.set_defaults(run=_env)

    dns = commands.add_parser(
        "dns",
        help="what cluster DNS answers for a name, like dig",
        description="Resolve a name as CoreDNS answers it; with -n, as a pod in that namespace asks "
        "(search list, ndots:5), showing every name tried.",
        epilog=DNS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(dns)
    dns.add_argument("name", metavar="NAME", help="the name to resolve")
    dns.add_argument(
        "-t",
        "--type",
        type=str.upper,
        choices=("A", "AAAA", "SRV", "PTR", "CNAME", "TXT"),
        default="A",
        help="query type (default: A)",
    )
    output(dns)
    dns.set_defaults(run=_dns)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args, sys.stdout)
        sys.stdout.flush()
        return status
    except InputError as e:
        for message in e.messages:
            sys.stderr.write(f"kroute: {message}\n")
        return 2
    except KrouteError as e:  # invalid options
        sys.stderr.write(f"kroute: error: {e}\n")
        return 2
    except BrokenPipeError:
        # The reader went away (`kroute ... | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
