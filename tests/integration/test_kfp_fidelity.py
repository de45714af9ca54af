"""pipedeck reports what kfp.local reports: for each class where the two once disagreed, a
fixture (``tests/fixtures/kfp_fidelity/``) run through ``pipedeck run pipeline`` and through
kfp.local by hand (``tests/kfp_oracle.py``); pipeline result, every task's status, retries and
cache hits must agree. pipedeck may show more (each attempt, a cache hit kfp.local misses)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, CliResult, run_cli
from tests.integration.conftest import HOST_CA
from tests.integration.test_pipeline_docker import driver_envs  # noqa: F401  (session fixture)
from tests.integration.test_pipeline_runs import (  # noqa: F401  (session fixtures)
    component_envs,
    use_component_envs,
)
from tests.kfp_oracle import pipedeck_kfp_report, raw_kfp
from tui.core.pipelines import env as component_env
from tui.core.pipelines.hooks import CACHE_HIT

FIDELITY = FIXTURES / "kfp_fidelity"
RUNNERS = [
    pytest.param("subprocess", id="subprocess"),
    pytest.param("docker", id="docker", marks=pytest.mark.docker),
]
RUNNER = {"name": "subprocess"}


@pytest.fixture(params=RUNNERS, autouse=True)
def runner(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each class in both of pipedeck's pipeline runners (the oracle: kfp.local's own
    SubprocessRunner; the docker runner runs the same tasks in the component image)."""
    if request.param == "docker":
        request.getfixturevalue("component_image")
        monkeypatch.setenv(component_env.ENV_DIR_VAR, str(request.getfixturevalue("driver_envs")))
        if HOST_CA.is_file():
            monkeypatch.setenv("PIPEDECK_CA_BUNDLE", str(HOST_CA))
    monkeypatch.setitem(RUNNER, "name", request.param)
    return str(request.param)


def run(target: str, *args: str, cwd: Path = FIDELITY) -> CliResult:
    result = run_cli(
        "run", "pipeline", target, "--json", "--runner", RUNNER["name"], *args, cwd=cwd
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def started(result: CliResult) -> dict[str, dict]:
    return {e["node_id"]: e for e in result.events if e["type"] == "node.started"}


def finished(result: CliResult) -> dict[str, dict]:
    return {e["node_id"]: e for e in result.events if e["type"] == "node.finished"}


def test_retries_are_each_an_attempt(tmp_path: Path) -> None:
    raw = raw_kfp(Path(sys.executable), FIDELITY / "retries.py", "retries", root=tmp_path)
    result = run("retries.py", "--no-cache")
    assert pipedeck_kfp_report(result.events, result.code) == raw
    assert raw.ok and raw.attempts == {"flaky": 2}
    nodes = finished(result)
    assert nodes["flaky/attempt-1"]["status"] == "failure"
    assert nodes["flaky/attempt-2"]["status"] == "success"
    assert nodes["flaky"]["status"] == "success"
    assert started(result)["flaky/attempt-1"]["parent_id"] == "flaky"
    logs = [e for e in result.events if e["type"] == "log"]
    assert any(e["node_id"] == "flaky/attempt-1" and "on purpose" in e["text"] for e in logs)


def test_upstream_failed_is_not_run_a_branch_not_taken_is_skipped(tmp_path: Path) -> None:
    raw = raw_kfp(Path(sys.executable), FIDELITY / "upstream.py", "upstream", root=tmp_path)
    result = run("upstream.py", "--no-cache")
    assert pipedeck_kfp_report(result.events, result.code) == raw
    assert not raw.ok
    assert raw.tasks == {
        "boom": "failure",
        "needs-boom": "not run",
        "fine": "success",
        "condition-1": "skipped",
    }
    nodes = finished(result)
    assert nodes["condition-1/branch"]["status"] == "skipped"  # inside the branch not taken
    shown = run_cli("show", "last", cwd=FIDELITY)
    assert "not run" in shown.stdout and "skipped" in shown.stdout


def test_task_names_are_kfps_with_display_names_beside() -> None:
    result = run("names.py", "--no-cache")
    assert result.code == 0, result.stderr
    nodes = started(result)
    assert {n for n, e in nodes.items() if e["kind"] == "task"} == {"say", "say-2", "shout"}
    assert all(e["name"] == n for n, e in nodes.items())  # the task name, as kfp.local says
    assert nodes["say"]["display_name"] == "Say the first thing"
    assert nodes["say-2"]["display_name"] == ""


def test_a_task_with_metrics_hits_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    for _ in range(2):
        raw = raw_kfp(
            Path(sys.executable), FIDELITY / "metrics.py", "metrics_pipeline", root=root, cache=True
        )
    assert raw.ok and raw.cached == frozenset()  # kfp.local alone: a miss every time
    project = tmp_path / "project"
    shutil.copytree(FIDELITY, project)
    first = run("metrics.py", cwd=project)
    second = run("metrics.py", cwd=project)
    assert first.code == second.code == 0
    assert not any(CACHE_HIT in e.get("text", "") for e in first.events)
    hits = [e for e in second.events if e["type"] == "log" and e["text"] == CACHE_HIT]
    assert [e["node_id"] for e in hits] == ["evaluate"]
    metric = [e for e in second.events if e["type"] == "metric"]
    assert [(m["name"], m["value"]) for m in metric] == [("accuracy", 0.91)]  # still reported


@pytest.mark.parametrize(
    ("name", "args", "ok"),
    [("add", {"a": 1, "b": 2}, True), ("fail_alone", {}, False)],
)
def test_a_lone_component_runs_as_under_kfp_local(
    name: str, args: dict[str, int], ok: bool, tmp_path: Path
) -> None:
    raw = raw_kfp(Path(sys.executable), FIDELITY / "lone.py", name, args, root=tmp_path)
    params = [f for k, v in args.items() for f in ("--param", f"{k}={v}")]
    result = run(f"lone.py:{name}", "--no-cache", *params)
    assert pipedeck_kfp_report(result.events, result.code) == raw
    assert raw.ok is ok and result.code == (0 if ok else 1)
    task = name.replace("_", "-")
    assert set(finished(result)) == {task}
    if ok:
        outputs = [e["text"] for e in result.events if e["type"] == "log" and "Output" in e["text"]]
        assert any("3" in line for line in outputs), outputs


def test_a_compiled_component_yaml_runs_as_under_kfp_local(tmp_path: Path) -> None:
    compiled = tmp_path / "add.yaml"
    made = run_cli("compile", "lone.py:add", "-o", str(compiled), cwd=FIDELITY)
    assert made.code == 0, made.stderr
    raw = raw_kfp(Path(sys.executable), compiled, args={"a": 2, "b": 5}, root=tmp_path / "raw")
    result = run(str(compiled), "--no-cache", "--param", "a=2", "--param", "b=5")
    assert pipedeck_kfp_report(result.events, result.code) == raw
    assert raw.ok and result.code == 0
    assert {e["node_id"]: e["status"] for e in finished(result).values()} == {"add": "success"}
