"""The inner loop with the real kfp.local (subprocess mode): a user runs a pipeline once, edits
one task, and `run pipeline FILE --from TASK` takes what is upstream of it from the cache
(saying which run wrote it) and runs the task and what is downstream of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliResult, log_lines, run_cli
from tests.integration.test_pipeline_runs import (  # noqa: F401  (session fixtures)
    component_envs,
    use_component_envs,
)
from tui.core.pipelines.hooks import CACHE_HIT
from tui.core.pipelines.spec import parse_spec

PIPELINE = """\
from kfp import dsl


@dsl.component
def a() -> int:
    print("a ran")
    return 1


@dsl.component
def b(x: int) -> int:
    print("b ran")
    return x + 1


@dsl.component
def c(x: int) -> str:
    print("c ran")
    return f"c got {x}"


@dsl.pipeline
def chain() -> str:
    return c(x=b(x=a().output).output).output
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "chain.py").write_text(PIPELINE)
    return root


def run(root: Path, *args: str) -> CliResult:
    argv = ["run", "pipeline", "chain.py", "--runner", "subprocess", *args]
    return run_cli(*argv, cwd=root)


def run_id(result: CliResult) -> str:
    return str(result.events[0]["run_id"])


def statuses(result: CliResult) -> dict[str, str]:
    return {e["node_id"]: e["status"] for e in result.events if e["type"] == "node.finished"}


def logs(result: CliResult, node_id: str, stream: str) -> list[str]:
    return log_lines(result.events, lambda e: e["node_id"] == node_id and e["stream"] == stream)


def assert_hit(result: CliResult, node_id: str, writer: str) -> None:
    system = logs(result, node_id, "system")
    assert CACHE_HIT in system, system
    assert f"from cache (run {writer})" in system, system
    assert logs(result, node_id, "stdout") == []  # not executed


def assert_ran(result: CliResult, node_id: str) -> None:
    assert f"{node_id} ran" in logs(result, node_id, "stdout")
    assert CACHE_HIT not in logs(result, node_id, "system")


def test_from_the_edited_task_takes_upstream_from_the_cache_and_runs_it(project: Path) -> None:
    first = run(project, "--json")
    assert first.code == 0, first.stderr
    assert statuses(first) == {"a": "success", "b": "success", "c": "success"}
    source = project / "chain.py"
    source.write_text(source.read_text().replace('f"c got {x}"', 'f"c now says {x * 10}"'))

    second = run(project, "--from", "c", "--json")
    assert second.code == 0, second.stderr
    assert statuses(second) == {"a": "success", "b": "success", "c": "success"}
    assert_hit(second, "a", run_id(first))
    assert_hit(second, "b", run_id(first))
    assert_ran(second, "c")
    assert 'output Output = "c now says 20"' in logs(second, "c", "system")
    assert second.events[-1]["status"] == "success"

    # c's new result is in the cache now, written by the --from run
    third = run(project, "--json")
    assert third.code == 0, third.stderr
    assert_hit(third, "a", run_id(first))
    assert_hit(third, "c", run_id(second))


def test_from_a_middle_task_runs_it_and_downstream_even_when_cached(project: Path) -> None:
    first = run(project, "--json")
    assert first.code == 0, first.stderr

    again = run(project, "--from", "b", "--json")
    assert again.code == 0, again.stderr
    assert statuses(again) == {"a": "success", "b": "success", "c": "success"}
    assert_hit(again, "a", run_id(first))
    for node in ("b", "c"):
        assert_ran(again, node)
        assert "--from b: runs again, not taken from the cache" in logs(again, node, "system")


def test_from_with_nothing_cached_names_the_first_upstream_task(project: Path) -> None:
    result = run(project, "--from", "c")
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "pipedeck: --from c: a has no cached result for these inputs yet "
        "(run the pipeline once without --from)"
    ]
    assert run_cli("runs", cwd=project).stdout.count("chain") == 0  # nothing was stored


def test_from_an_unknown_task_lists_the_tasks(project: Path) -> None:
    result = run(project, "--from", "nope")
    assert result.code == 2
    assert "--from nope: no such task (tasks: a, b, c)" in result.stderr


def test_from_with_no_cache_is_refused(project: Path) -> None:
    result = run(project, "--from", "c", "--no-cache")
    assert result.code == 2
    assert "--from c: takes the upstream tasks from the cache; drop --no-cache" in result.stderr


# -- the plan, read from the compiled spec (no kfp.local run) -------------------------------


def spec_of(tasks: dict[str, list[str]], groups: tuple[str, ...] = ()) -> dict:
    """A compiled-spec shape: each task named by its dependencies (groups are sub-DAGs)."""
    components: dict = {}
    executors: dict = {}
    dag: dict = {}
    for name, needs in tasks.items():
        if name in groups:
            components[f"comp-{name}"] = {"dag": {"tasks": {}}}
        else:
            components[f"comp-{name}"] = {"executorLabel": f"exec-{name}"}
            executors[f"exec-{name}"] = {"container": {"image": "python:3.11"}}
        dag[name] = {
            "componentRef": {"name": f"comp-{name}"},
            "dependentTasks": needs,
            "taskInfo": {"name": name},
            "cachingOptions": {"enableCache": True},
        }
    return {
        "pipelineInfo": {"name": "p"},
        "root": {"dag": {"tasks": dag}},
        "components": components,
        "deploymentSpec": {"executors": executors},
    }


def test_the_plan_splits_a_diamond_into_upstream_and_what_runs_again() -> None:
    from tui.core.pipelines.from_task import plan

    # prep → (left, right) → join → report; side stands alone
    spec = parse_spec(
        spec_of(
            {
                "prep": [],
                "left": ["prep"],
                "right": ["prep"],
                "join": ["left", "right"],
                "report": ["join"],
                "side": [],
            }
        )
    )
    got = plan(spec, "join")
    assert got.upstream == ("prep", "left", "right")
    assert got.rerun == ("join", "report")
    assert got.reruns("report") and not got.reruns("side") and not got.reruns("prep")


def test_the_plan_refuses_a_group_upstream() -> None:
    from tui.core.errors import BadInput
    from tui.core.pipelines.from_task import plan

    spec = parse_spec(spec_of({"loop": [], "after": ["loop"]}, groups=("loop",)))
    with pytest.raises(BadInput, match="--from after: 'loop' upstream of it is a group"):
        plan(spec, "after")


def test_the_cache_index_says_which_run_and_task_wrote_an_entry(tmp_path: Path) -> None:
    from tui.core.pipelines import cache_index

    cache_index.record(tmp_path, "k1", "run-1", "a")
    assert cache_index.hit_line(cache_index.writer(tmp_path, "k1"), "a") == "from cache (run run-1)"
    # one component with the same inputs under two task names: one entry serves both
    shared = cache_index.hit_line(cache_index.writer(tmp_path, "k1"), "a-2")
    assert shared == "from cache (run run-1, task a)"
    assert cache_index.writer(tmp_path, "unknown") is None
    assert cache_index.hit_line(None, "a") == cache_index.UNKNOWN_WRITER
