"""A user runs the fixture pipelines with the real kfp.local (subprocess runner) and reads the
events ``pipedeck run pipeline --json`` prints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, CliResult, build_component_envs, log_lines, run_cli
from tui.core.pipelines import env as component_env
from tui.core.pipelines.hooks import CACHE_HIT

PIPELINES = FIXTURES / "pipelines"


@pytest.fixture(scope="session")
def component_envs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One component environment for the whole session (the fixtures share their packages)."""
    return build_component_envs(
        tmp_path_factory.getbasetemp() / "component-envs", PIPELINES / "simple.py"
    )


@pytest.fixture(autouse=True)
def use_component_envs(component_envs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(component_env.ENV_DIR_VAR, str(component_envs))
    yield


def run(target: str, *args: str) -> CliResult:
    return run_cli("run", "pipeline", target, "--json", *args, cwd=PIPELINES)


def finished(result: CliResult) -> dict[str, dict]:
    return {e["node_id"]: e for e in result.events if e["type"] == "node.finished"}


def statuses(result: CliResult) -> dict[str, str]:
    return {node: e["status"] for node, e in finished(result).items()}


def logs(result: CliResult, node_id: str, stream: str | None = None) -> list[str]:
    return log_lines(
        result.events, lambda e: e["node_id"] == node_id and stream in (None, e["stream"])
    )


def run_finished(result: CliResult) -> dict:
    last = result.events[-1]
    assert last["type"] == "run.finished", result.stderr
    return last


def test_artifacts_pass_between_tasks(state_dir: Path) -> None:
    result = run("simple.py")
    assert result.code == 0, result.stderr
    assert statuses(result) == {"make-data": "success", "read-data": "success"}
    (artifact,) = [e for e in result.events if e["type"] == "artifact"]
    assert artifact["node_id"] == "make-data"
    assert artifact["name"] == "data"
    assert artifact["artifact_type"] == "system.Dataset"
    assert artifact["metadata"] == {"rows": 3}
    path = Path(artifact["uri"])
    assert path.is_file()
    assert path.is_relative_to(state_dir)  # the pipeline_root lives in the run directory
    assert path.read_text().splitlines() == ["0,hello", "1,hello", "2,hello"]
    assert "read 3 rows; summary was hello x3" in logs(result, "read-data", "stdout")
    assert 'output Output = "hello x3"' in logs(result, "make-data", "system")


def test_params_override_defaults() -> None:
    result = run("simple.py", "--param", "count=5", "--param", "message=hey")
    assert result.code == 0, result.stderr
    assert "making 5 rows of 'hey'" in logs(result, "make-data", "stdout")
    assert "read 5 rows; summary was hey x5" in logs(result, "read-data", "stdout")


def test_metrics_arrive_as_metric_events() -> None:
    result = run("metrics.py", "--param", "epochs=3")
    assert result.code == 0, result.stderr
    metrics = {e["name"]: e for e in result.events if e["type"] == "metric"}
    assert {name: m["value"] for name, m in metrics.items()} == {"accuracy": 0.75, "loss": 0.5}
    assert all(m["source"] == "kfp" and m["node_id"] == "train" for m in metrics.values())
    by_type = {e["artifact_type"]: e for e in result.events if e["type"] == "artifact"}
    matrix = by_type["system.ClassificationMetrics"]["metadata"]["confusionMatrix"]
    assert matrix["rows"] == [{"row": [8, 2]}, {"row": [1, 9]}]
    assert logs(result, "train", "stdout") == ["epoch 0", "epoch 1", "epoch 2"]


def test_parallel_for_iterations_are_nodes_with_their_own_logs() -> None:
    result = run("parallel.py")
    assert result.code == 0, result.stderr
    done = finished(result)
    shouts = {n: e for n, e in done.items() if e["kind"] == "task" and e["name"] == "shout"}
    assert sorted(e["iteration"] for e in shouts.values()) == [0, 1, 2]
    for node_id, event in shouts.items():
        index = event["iteration"]
        assert node_id == f"for-loop-2/iteration-{index}/shout"
        assert event["parent_id"] == f"for-loop-2/iteration-{index}"
        assert done[event["parent_id"]]["kind"] == "group"
        assert done[event["parent_id"]]["iteration"] == index
        item = "abc"[index]
        assert logs(result, node_id, "stdout") == [f"item={item} line={i}" for i in range(3)]
    assert done["for-loop-2"]["status"] == "success"
    assert done["done"]["status"] == "success"


def test_if_else_runs_one_branch_and_skips_the_other() -> None:
    big = statuses(run("branches.py"))
    assert big["condition-branches-1/condition-2/say"] == "success"
    assert big["condition-branches-1/condition-3"] == "skipped"
    assert big["condition-branches-1/condition-3/say-2"] == "skipped"
    small = run("branches.py", "--param", "threshold=3")
    assert small.code == 0, small.stderr
    assert statuses(small)["condition-branches-1/condition-2"] == "skipped"
    assert statuses(small)["condition-branches-1/condition-3/say-2"] == "success"
    assert logs(small, "condition-branches-1/condition-3/say-2", "stdout") == ["small"]


def test_a_failing_task_fails_the_run_and_downstream_does_not_run() -> None:
    result = run("failing.py")
    assert result.code == 1
    assert statuses(result) == {"first": "success", "explode": "failure", "after": "not run"}
    assert logs(result, "after", "stdout") == []
    assert "not run: upstream task 'explode' failed" in logs(result, "after", "system")
    end = run_finished(result)
    assert end["status"] == "failure" and end["exit_code"] == 1
    assert "task 'explode' failed" in end["error"]
    assert "ValueError: the model diverged" in end["error"]


def test_a_second_run_reports_cache_hits() -> None:
    first = run("simple.py")
    assert first.code == 0, first.stderr
    assert not any(CACHE_HIT in e.get("text", "") for e in first.events)
    second = run("simple.py")
    assert second.code == 0, second.stderr
    assert statuses(second) == {"make-data": "success", "read-data": "success"}
    for node in ("make-data", "read-data"):
        assert CACHE_HIT in logs(second, node, "system")
        assert logs(second, node, "stdout") == []  # not executed again
    uncached = run("simple.py", "--no-cache")
    assert not any(CACHE_HIT in e.get("text", "") for e in uncached.events)


def test_exit_handler_runs_after_a_failed_body() -> None:
    result = run("exit_handler.py")
    assert result.code == 1
    done = statuses(result)
    assert done["exit-handler-1/work"] == "failure"
    assert done["exit-handler-1"] == "failure"
    assert done["cleanup"] == "success"
    assert logs(result, "cleanup", "stdout") == ["cleanup sees state FAILED"]
    ok = run("exit_handler.py", "--param", "fail=false")
    assert ok.code == 0, ok.stderr
    assert logs(ok, "cleanup", "stdout") == ["cleanup sees state SUCCEEDED"]


def test_nested_pipeline_is_a_group() -> None:
    result = run("nested.py:outer")
    assert result.code == 0, result.stderr
    done = finished(result)
    assert done["inner"]["kind"] == "group"
    assert done["inner/add"]["parent_id"] == "inner"
    assert logs(result, "add", "stdout") == ["2 + 10"]


def test_compiled_yaml_runs_too() -> None:
    result = run("compiled/branches.yaml", "--param", "threshold=9")
    assert result.code == 0, result.stderr
    assert statuses(result)["condition-branches-1/condition-2/say"] == "success"
