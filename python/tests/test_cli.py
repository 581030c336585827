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


# --- help and entry points ------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["check"], ["endpoints"]])
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
