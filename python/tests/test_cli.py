"""The `kroute` command line, run as `python -m kroute` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import kroute

SERVICE = """\
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
"""


def pod(name: str, ip: str, ready: bool, app: str = "kubia", node: str | None = None) -> str:
    node_line = f"  nodeName: {node}\n" if node else ""
    return f"""\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels: {{app: {app}}}
spec:
{node_line}  containers: [{{name: app}}]
status:
  phase: Running
  podIP: {ip}
  conditions: [{{type: Ready, status: "{"True" if ready else "False"}"}}]
"""


PODS = "---\n".join(
    [
        pod("kubia-a", "10.244.1.2", True, node="node-1"),
        pod("kubia-b", "10.244.1.3", True),
        pod("kubia-c", "10.244.2.4", False),
    ]
)
TAB_YAML = "apiVersion: v1\nkind: Service\nmetadata:\n\tname: kubia\n"
# An error-severity finding: port 70000.
BAD_PORT = "apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec:\n  selector: {app: x}\n  ports:\n  - port: 70000\n"


def kroute_cli(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kroute", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "svc.yaml").write_text(SERVICE)
    (tmp_path / "pods.yaml").write_text(PODS)
    (tmp_path / "bad.yaml").write_text(TAB_YAML)
    return tmp_path


# --- check ----------------------------------------------------------------------------------------


def test_check_clean_input_exits_0(tree: Path) -> None:
    r = kroute_cli("check", "-f", "svc.yaml", "-f", "pods.yaml", cwd=tree)
    assert r.returncode == 0, r.stderr
    assert "no findings in 2 files" in r.stdout


def test_check_warning_exits_0_unless_fail_on_warning(tree: Path) -> None:
    (tree / "lonely.yaml").write_text(SERVICE)
    r = kroute_cli("check", "-f", "lonely.yaml", cwd=tree)
    assert r.returncode == 0, r.stderr
    line = r.stdout.splitlines()[0]
    assert line.startswith("lonely.yaml:10:5: warning[service-selects-nothing] Service kubia selects no pod")
    assert line.endswith("(Service default/kubia spec.selector)")
    assert kroute_cli("check", "-f", "lonely.yaml", "--fail-on", "warning", cwd=tree).returncode == 1
    assert kroute_cli("check", "-f", "lonely.yaml", "--fail-on", "info", cwd=tree).returncode == 1


def test_check_error_exits_1(tree: Path) -> None:
    (tree / "port.yaml").write_text(BAD_PORT)
    r = kroute_cli("check", "-f", "port.yaml", cwd=tree)
    assert r.returncode == 1
    assert "port.yaml:7:11: error[invalid-value]" in r.stdout


def test_findings_name_the_right_file_and_line(tree: Path) -> None:
    # The Service is in one file, its near-miss pod in the second document of another.
    (tree / "one.yaml").write_text("# leading comment\n" + SERVICE)
    (tree / "two.yaml").write_text(
        pod("pod-x", "10.244.0.9", True, app="other")
        + "---\n"
        + pod("pod-y", "10.244.0.8", True, app="kubia-v2")
    )
    (tree / "three.yaml").write_text(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
    )
    r = kroute_cli("check", "-f", "one.yaml", "-f", "two.yaml", "-f", "three.yaml", "-o", "json", cwd=tree)
    assert r.returncode == 0, r.stderr
    found = [(d["file"], d["code"], d["line"], d["document"]) for d in json.loads(r.stdout)]
    assert ("one.yaml", "service-selects-nothing", 11, 0) in found
    # Lines and documents count from the start of each file, as when it is checked alone.
    alone = kroute_cli("check", "-f", "three.yaml", "-o", "json", cwd=tree)
    three = [(d["file"], d["code"], d["line"], d["document"]) for d in json.loads(alone.stdout)]
    assert three == [("three.yaml", "kind-skipped", 2, 0), ("three.yaml", "kind-skipped", 7, 1)]
    assert [f for f in found if f[0] == "three.yaml"] == three
    text = kroute_cli("check", "-f", "one.yaml", "-f", "two.yaml", "-f", "three.yaml", cwd=tree).stdout
    assert "three.yaml:7:1: info[kind-skipped] kind Deployment" in text


def test_check_json_is_canonical(tree: Path) -> None:
    (tree / "lonely.yaml").write_text(SERVICE)
    r = kroute_cli("check", "-f", "lonely.yaml", "--format", "json", cwd=tree)
    (d,) = json.loads(r.stdout)
    expected = kroute.Cluster.from_yaml(SERVICE).diagnostics[0].to_dict()
    assert d == {**expected, "file": "lonely.yaml"}


def test_check_sarif(tree: Path) -> None:
    (tree / "port.yaml").write_text(BAD_PORT)
    r = kroute_cli("check", "-f", "port.yaml", "--format", "sarif", cwd=tree)
    assert r.returncode == 1
    sarif = json.loads(r.stdout)
    assert sarif["version"] == "2.1.0"
    assert "sarif" in sarif["$schema"]
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "kroute"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert "invalid-value" in rule_ids
    assert run["results"]
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "port.yaml"
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["invalid-value"] == "error"


def test_check_directory_is_recursive_and_sorted(tree: Path) -> None:
    d = tree / "manifests"
    (d / "b").mkdir(parents=True)
    (d / "b" / "svc.yml").write_text(SERVICE)
    (d / "a.json").write_text(
        json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}})
    )
    (d / "notes.txt").write_text("\tnot yaml")
    (d / ".github").mkdir()
    (d / ".github" / "ci.yml").write_text("\tnot a manifest")
    r = kroute_cli("check", "-f", "manifests", "-o", "json", cwd=tree)
    assert r.returncode == 0, r.stderr
    files = [x["file"] for x in json.loads(r.stdout)]
    assert files == [str(Path("manifests/a.json")), str(Path("manifests/b/svc.yml"))]
    assert kroute_cli("check", "-f", "manifests", cwd=tree).stdout.endswith("in 2 files\n")


def test_check_stdin(tree: Path) -> None:
    r = kroute_cli("check", "-f", "-", cwd=tree, stdin=SERVICE)
    assert r.returncode == 0
    assert r.stdout.startswith("<stdin>:10:5: warning[service-selects-nothing]")
    r = kroute_cli("check", "-f", "-", "-f", "pods.yaml", cwd=tree, stdin=SERVICE)
    assert "no findings" in r.stdout


def test_unreadable_file_exits_2_naming_file_line_column(tree: Path) -> None:
    r = kroute_cli("check", "-f", "svc.yaml", "-f", "bad.yaml", cwd=tree)
    assert r.returncode == 2
    assert r.stdout == ""
    assert "bad.yaml:4:" in r.stderr
    (message,) = [line for line in r.stderr.splitlines() if "bad.yaml" in line]
    where = message.split("bad.yaml:", 1)[1].split(":")
    assert where[0] == "4" and where[1].isdigit(), message
    assert "tab" in message


def test_every_unreadable_input_is_reported(tree: Path) -> None:
    (tree / "latin1.yaml").write_bytes(b"a: 1\nb: caf\xe9\n")
    r = kroute_cli("check", "-f", "bad.yaml", "-f", "missing.yaml", "-f", "latin1.yaml", cwd=tree)
    assert r.returncode == 2
    assert "bad.yaml:4:" in r.stderr
    assert "missing.yaml" in r.stderr
    assert "latin1.yaml:2:7: error: not UTF-8" in r.stderr
    # In the order given.
    assert [line.split(":")[1].strip() for line in r.stderr.splitlines()] == [
        "bad.yaml",
        "missing.yaml",
        "latin1.yaml",
    ]


def test_errors_in_a_later_file_keep_their_own_lines(tree: Path) -> None:
    (tree / "late.yaml").write_text("a: 1\n---\nb: [1,\n")
    r = kroute_cli("check", "-f", "pods.yaml", "-f", "late.yaml", cwd=tree)
    assert r.returncode == 2
    assert "late.yaml:" in r.stderr and "pods.yaml" not in r.stderr


def test_usage_errors_exit_2(tree: Path) -> None:
    assert kroute_cli("check", cwd=tree).returncode == 2  # -f is required
    assert kroute_cli("check", "-f", "svc.yaml", "--format", "xml", cwd=tree).returncode == 2
    empty = tree / "empty"
    empty.mkdir()
    r = kroute_cli("check", "-f", "empty", cwd=tree)
    assert r.returncode == 2 and "no *.yaml" in r.stderr
    r = kroute_cli("check", "-f", "svc.yaml", "-n", "Bad_Namespace", cwd=tree)
    assert r.returncode == 2 and "namespace" in r.stderr


# --- endpoints ------------------------------------------------------------------------------------


def test_endpoints_table(tree: Path) -> None:
    r = kroute_cli("endpoints", "-f", "svc.yaml", "-f", "pods.yaml", "kubia", cwd=tree)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["IP", "PORT", "NAME", "READY", "SERVING", "TERMINATING", "POD", "NODE"]
    assert lines[1].split() == ["10.244.1.2", "8080/TCP", "-", "true", "true", "false", "kubia-a", "node-1"]
    assert lines[3].split() == ["10.244.2.4", "8080/TCP", "-", "false", "false", "false", "kubia-c", "-"]
    # Aligned: every column starts at the same offset on every line.
    for column in ("PORT", "READY", "POD", "NODE"):
        offset = lines[0].index(column)
        assert all(line[offset - 1] == " " and line[offset] != " " for line in lines[1:])
    assert "\x1b[" not in r.stdout  # not a terminal


def test_endpoints_json_is_canonical(tree: Path) -> None:
    r = kroute_cli(
        "endpoints", "-f", "svc.yaml", "-f", "pods.yaml", "default/kubia", "--output", "json", cwd=tree
    )
    assert r.returncode == 0, r.stderr
    expected = kroute.Cluster.from_yaml(SERVICE + "---\n" + PODS).endpoints("default", "kubia")
    assert json.loads(r.stdout) == [e.to_dict() for e in expected]


def test_endpoints_namespace_flag_and_unknown_service(tree: Path) -> None:
    r = kroute_cli(
        "endpoints", "-f", "svc.yaml", "-f", "pods.yaml", "-n", "prod", "kubia", "-o", "json", cwd=tree
    )
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) == 3
    r = kroute_cli("endpoints", "-f", "svc.yaml", "default/nope", cwd=tree)
    assert r.returncode == 1
    assert "no Service default/nope" in r.stderr
    r = kroute_cli("endpoints", "-f", "bad.yaml", "kubia", cwd=tree)
    assert r.returncode == 2 and "bad.yaml:4:" in r.stderr


def test_endpoints_from_stdin_and_none(tree: Path) -> None:
    r = kroute_cli("endpoints", "-f", "-", "kubia", cwd=tree, stdin=SERVICE)
    assert r.returncode == 0
    assert r.stdout == "" and "no endpoints for Service default/kubia" in r.stderr


def _run_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    full_env.update(env)
    proc = subprocess.run(
        [sys.executable, "-m", "kroute", *args],
        cwd=cwd,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=full_env,
        timeout=120,
        check=False,
    )
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert proc.returncode == 0, proc.stderr
    return out.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_colour_only_on_a_terminal_and_never_with_no_color(tree: Path) -> None:
    args = ["endpoints", "-f", "svc.yaml", "-f", "pods.yaml", "kubia"]
    assert "\x1b[" in _run_on_a_terminal(args, tree, {})
    plain = _run_on_a_terminal(args, tree, {"NO_COLOR": "1"})
    assert "\x1b[" not in plain and "10.244.1.2" in plain


# --- connect --------------------------------------------------------------------------------------


def test_connect_text(seed_file: Path) -> None:
    r = kroute_cli(
        "connect", "-f", str(seed_file), "--from", "10.244.9.9", "--to", "10.96.0.50:80", cwd=seed_file.parent
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("FORWARD -> 10.244.1.") and "(pod kubia-" in lines[0]
    assert lines[1].split() == ["service", "default/kubia", "port", "80", "(http)", "via", "ClusterIP"]
    assert any(line.split()[:2] == ["affinity", "new"] for line in lines)
    assert "trace" not in r.stdout


def test_connect_json_is_the_api_decision(seed_file: Path, seed_yaml: str) -> None:
    r = kroute_cli(
        "connect",
        "-f",
        str(seed_file),
        "--from",
        "default/client",
        "--to",
        "203.0.113.100:80",
        "--seed",
        "3",
        "--explain",
        "-o",
        "json",
        cwd=seed_file.parent,
    )
    assert r.returncode == 0, r.stderr
    expected = kroute.Cluster.from_yaml(seed_yaml).router(seed=3, explain=True)
    assert (
        json.loads(r.stdout)
        == expected.connect(None, "203.0.113.100", 80, from_pod="default/client").to_dict()
    )


def test_connect_explain_lists_the_steps(seed_file: Path) -> None:
    r = kroute_cli(
        "connect",
        "-f",
        str(seed_file),
        "--from",
        "client",
        "--to",
        "10.96.0.50:80",
        "--explain",
        cwd=seed_file.parent,
    )
    assert r.returncode == 0, r.stderr
    assert "  trace\n    1. 10.96.0.50:80 is Service default/kubia port 80 via ClusterIP\n" in r.stdout


def test_connect_count_shows_the_spread(seed_file: Path) -> None:
    args = [
        "connect",
        "-f",
        str(seed_file),
        "--from",
        "198.51.100.7",
        "--to",
        "192.168.0.12:30123",
        "--count",
        "900",
    ]
    r = kroute_cli(*args, "-o", "json", cwd=seed_file.parent)
    assert r.returncode == 0, r.stderr
    dist = json.loads(r.stdout)
    assert dist["connections"] == 900 and dist["verdicts"] == {"FORWARD": 900}
    assert sorted(e["pod"] for e in dist["endpoints"]) == ["kubia-a", "kubia-b", "kubia-c"]
    assert sum(e["connections"] for e in dist["endpoints"]) == 900
    assert all(200 < e["connections"] < 400 for e in dist["endpoints"])
    text = kroute_cli(*args, cwd=seed_file.parent).stdout.splitlines()
    assert text[0].split() == ["POD", "ENDPOINT", "NODE", "CONNECTIONS", "SHARE"]
    assert len(text) == 5 and text[-1] == "900 connections: FORWARD 900"
    # With ClientIP affinity every connection of one client lands on one pod.
    sticky = kroute_cli(
        "connect",
        "-f",
        str(seed_file),
        "--from",
        "10.1.1.1",
        "--to",
        "10.96.0.50:80",
        "--count",
        "50",
        "-o",
        "json",
        cwd=seed_file.parent,
    )
    assert [e["connections"] for e in json.loads(sticky.stdout)["endpoints"]] == [50]


def test_connect_not_forwarded_exits_1(seed_file: Path) -> None:
    r = kroute_cli(
        "connect",
        "-f",
        str(seed_file),
        "--from",
        "198.51.100.7",
        "--to",
        "203.0.113.100:80",
        "--node",
        "node-2",
        cwd=seed_file.parent,
    )
    assert r.returncode == 1
    assert r.stdout.startswith("DROP\n") and "no local endpoints on node node-2" in r.stdout
    r = kroute_cli(
        "connect", "-f", str(seed_file), "--from", "10.0.0.1", "--to", "10.96.9.9:80", cwd=seed_file.parent
    )
    assert r.returncode == 1 and r.stdout.startswith("PASS")


def test_connect_errors(seed_file: Path) -> None:
    cwd = seed_file.parent
    r = kroute_cli("connect", "-f", str(seed_file), "--from", "prod/ghost", "--to", "10.96.0.50:80", cwd=cwd)
    assert r.returncode == 1 and "no Pod prod/ghost" in r.stderr
    for to in ("kubia:80", "10.96.0.50", "10.96.0.50:0", "10.96.0.50:http"):
        r = kroute_cli("connect", "-f", str(seed_file), "--from", "10.0.0.1", "--to", to, cwd=cwd)
        assert r.returncode == 2 and "--to" in r.stderr, to
    r = kroute_cli("connect", "-f", str(seed_file), "--from", "10.0.0.1", "--to", "[::1]:80", cwd=cwd)
    assert r.returncode == 1 and r.stdout.startswith("PASS")
    r = kroute_cli(
        "connect",
        "-f",
        str(seed_file),
        "--from",
        "10.0.0.1",
        "--to",
        "10.96.0.50:80",
        "--balancer",
        "fastest",
        cwd=cwd,
    )
    assert r.returncode == 2


# --- env ------------------------------------------------------------------------------------------


def test_env_lists_the_service_variables(seed_file: Path, seed_yaml: str) -> None:
    r = kroute_cli("env", "-f", str(seed_file), "-n", "default", cwd=seed_file.parent)
    assert r.returncode == 0, r.stderr
    expected = kroute.Cluster.from_yaml(seed_yaml).env_vars("default")
    assert r.stdout == "".join(f"{k}={v}\n" for k, v in expected.items())
    links = kroute_cli("env", "-f", str(seed_file), "--no-service-links", cwd=seed_file.parent)
    assert links.stdout.splitlines()[0] == "KUBERNETES_SERVICE_HOST=10.96.0.1"
    assert all(line.startswith("KUBERNETES_") for line in links.stdout.splitlines())


def test_env_of_a_pod(seed_file: Path, seed_yaml: str) -> None:
    r = kroute_cli("env", "-f", str(seed_file), "--pod", "client", cwd=seed_file.parent)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[:2] == ["KUBIA_SERVICE_PORT=8080", "BACKEND_URL=http://10.96.0.50:80"]
    j = kroute_cli(
        "env",
        "-f",
        str(seed_file),
        "--pod",
        "default/client",
        "--container",
        "sidecar",
        "-o",
        "json",
        cwd=seed_file.parent,
    )
    records = kroute.Cluster.from_yaml(seed_yaml).pod_env_records("default", "client", "sidecar")
    assert json.loads(j.stdout) == [v.to_dict() for v in records]


def test_env_errors(seed_file: Path) -> None:
    r = kroute_cli("env", "-f", str(seed_file), "--pod", "ghost", cwd=seed_file.parent)
    assert r.returncode == 1 and "no Pod default/ghost" in r.stderr
    r = kroute_cli(
        "env", "-f", str(seed_file), "--pod", "client", "--container", "nope", cwd=seed_file.parent
    )
    assert r.returncode == 1 and "no container" in r.stderr
    r = kroute_cli("env", "-f", str(seed_file), "--container", "main", cwd=seed_file.parent)
    assert r.returncode == 2 and "--container needs --pod" in r.stderr
    r = kroute_cli("env", "-f", str(seed_file), "--pod", "client", "--no-service-links", cwd=seed_file.parent)
    assert r.returncode == 2


# --- dns ------------------------------------------------------------------------------------------


def test_dns_shows_every_name_tried_like_dig(seed_file: Path) -> None:
    r = kroute_cli("dns", "-f", str(seed_file), "kubia.default", "-n", "default", cwd=seed_file.parent)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == ";; status: NOERROR, answers: 1"
    tried = r.stdout.split(";; TRIED")[1].split("\n\n")[0].splitlines()[1:]
    assert tried == [";kubia.default.default.svc.cluster.local.", ";kubia.default.svc.cluster.local."]
    assert ";; ANSWER SECTION:\nkubia.default.svc.cluster.local.\t5\tIN\tA\t10.96.0.50\n" in r.stdout


def test_dns_srv_cname_and_json(seed_file: Path, seed_yaml: str) -> None:
    cwd = seed_file.parent
    srv = kroute_cli(
        "dns",
        "-f",
        str(seed_file),
        "_postgres._tcp.backend-database.default.svc.cluster.local",
        "--type",
        "srv",
        cwd=cwd,
    )
    assert (
        srv.returncode == 0
        and "IN\tSRV\t0 100 5432 backend-database.default.svc.cluster.local." in srv.stdout
    )
    assert ";; ADDITIONAL SECTION:" in srv.stdout
    cname = kroute_cli("dns", "-f", str(seed_file), "external-service.default.svc.cluster.local", cwd=cwd)
    assert "IN\tCNAME\twww.example.com." in cname.stdout
    j = kroute_cli("dns", "-f", str(seed_file), "backend-database", "-n", "default", "-o", "json", cwd=cwd)
    expected = kroute.Cluster.from_yaml(seed_yaml).resolve("backend-database", "A", "default")
    assert json.loads(j.stdout) == expected.to_dict()


def test_dns_exit_status(seed_file: Path) -> None:
    cwd = seed_file.parent
    r = kroute_cli("dns", "-f", str(seed_file), "nope.default.svc.cluster.local", cwd=cwd)
    assert r.returncode == 1 and r.stdout.startswith(";; status: NXDOMAIN")
    r = kroute_cli("dns", "-f", str(seed_file), "kubia", cwd=cwd)
    assert r.returncode == 1 and "UPSTREAM" in r.stdout and "-n NAMESPACE" in r.stdout
    r = kroute_cli("dns", "-f", str(seed_file), "a..b", cwd=cwd)
    assert r.returncode == 2 and "not a DNS name" in r.stderr
    r = kroute_cli("dns", "-f", str(seed_file), "kubia", "--type", "MX", cwd=cwd)
    assert r.returncode == 2


# --- help and entry points ------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["check"], ["endpoints"], ["connect"], ["env"], ["dns"]])
def test_help_has_examples(command: list[str], tmp_path: Path) -> None:
    r = kroute_cli(*command, "--help", cwd=tmp_path)
    assert r.returncode == 0
    assert "examples:" in r.stdout and "kroute " in r.stdout.split("examples:")[1]


def test_console_script_and_version(tmp_path: Path) -> None:
    r = kroute_cli("--version", cwd=tmp_path)
    assert r.stdout.strip() == f"kroute {kroute.__version__}"
    script = Path(sys.executable).parent / ("kroute.exe" if sys.platform == "win32" else "kroute")
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    r2 = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert r2.returncode == 0 and r2.stdout == r.stdout


def test_main_is_callable_in_process(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    from kroute.cli import main

    monkeypatch.chdir(tree)
    assert main(["check", "-f", "svc.yaml", "-f", "pods.yaml"]) == 0
    assert "no findings" in capsys.readouterr().out


SEED_INGRESS = Path(__file__).with_name("seed-ingress.yaml")


@pytest.mark.parametrize(
    ("url", "status", "service"),
    [
        ("http://kubia.example.com/foo/x", 200, "bar"),
        ("http://kubia.example.com/foobar", 404, None),
        ("http://kubia.example.com/kubia/../foo", 200, "bar"),
        ("http://unknown.example.com/", 404, None),
        ("https://kubia.example.com/kubia", 200, "kubia"),
    ],
)
def test_route_seed_ingress(url: str, status: int, service: str | None) -> None:
    """The seed's Ingress: /foo/x goes to bar, /foobar does not, dot segments normalise first."""
    r = kroute_cli("route", "-f", str(SEED_INGRESS), url, "-o", "json", cwd=SEED_INGRESS.parent)
    assert r.returncode == (0 if status < 400 else 1), r.stderr
    d = json.loads(r.stdout)
    assert d["status"] == status
    assert (d["backend"] or {}).get("service") == service
    if url.startswith("https"):
        assert d["tls"]["secretName"] == "tls-secret"


def test_route_text_and_bad_url() -> None:
    r = kroute_cli("route", "-f", str(SEED_INGRESS), "http://kubia.example.com/foo", "--explain", cwd=SEED_INGRESS.parent)
    assert r.returncode == 0 and "backend:   default/bar" in r.stdout
    bad = kroute_cli("route", "-f", str(SEED_INGRESS), "http://kubia.example.com/%00", cwd=SEED_INGRESS.parent)
    assert bad.returncode in (1, 2)
