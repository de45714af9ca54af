"""The inner loop from the app (real kfp.local, real act in host mode): `W` watches a pipeline
and runs it again when its file changes (W again: no more), `F` re-runs a workflow run's failed
jobs once the cause is fixed, `t` on a task runs the pipeline from it (its upstream from the
cache), and the project tree (and the history) say `stale` when a file changed since the last
run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.app.conftest import SIZE, column, log_text, select_target, wait_for
from tests.conftest import build_component_envs
from tests.conftest import workflow_file_project as workflow_project
from tui.app.widgets.project_tree import ProjectTree
from tui.core import events as ev
from tui.core.pipelines import env as component_env
from tui.core.pipelines.hooks import CACHE_HIT

PIPELINE = """\
from kfp import dsl


@dsl.component
def first(x: int) -> int:
    print("first ran")
    return x + 1


@dsl.component
def second(x: int) -> int:
    print("second ran")
    return x * 10


@dsl.component
def third(x: int) -> str:
    print(f"third saw {x}")
    return f"third saw {x}"


@dsl.pipeline
def chain(x: int = 1):
    third(x=second(x=first(x=x).output).output)
"""
TARGET = "chain.py:chain"

WORKFLOW = """\
name: ci
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo a ran
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: test -f needed.txt
  c:
    needs: b
    runs-on: ubuntu-latest
    steps:
      - run: echo c ran
"""


@pytest.fixture(scope="module")
def component_envs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pipeline's component environment, built once (as in test_pipeline_runs)."""
    probe = tmp_path_factory.mktemp("inner-loop-probe") / "chain.py"
    probe.write_text(PIPELINE)
    return build_component_envs(tmp_path_factory.getbasetemp() / "component-envs", probe)


@pytest.fixture
def use_component_envs(component_envs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(component_env.ENV_DIR_VAR, str(component_envs))
    yield


@pytest.fixture
def pipeline_project(tmp_path: Path, use_component_envs: None) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "chain.py").write_text(PIPELINE)
    return root


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def header(side) -> str:
    return str(side.query_one(".run-header").render())


def row_label(app, name: str) -> str:
    """The project tree's row of target ``name`` (not one of its step or task rows)."""
    stack = list(app.main.query_one(ProjectTree).root.children)
    while stack:
        node = stack.pop()
        data = node.data
        if data is not None and data.name == name and data.mark is None:
            return str(node.label)
        stack.extend(node.children)
    raise AssertionError(f"no row for {name}")


def stored_logs(app, run_id: str, node_id: str) -> list[str]:
    events = app.store.get(run_id).events()
    return [e.text for e in events if isinstance(e, ev.Log) and e.node_id == node_id]


async def run_pipeline(pilot, app, key: str = "r") -> None:
    """``key`` on the pipeline, and its form (x has a default) submitted as it is."""
    await select_target(pilot, app, TARGET)
    await pilot.press(key)
    await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RunFormScreen", 10)
    await pilot.press("ctrl+r")


async def finished(pilot, side, after: str = "") -> None:
    """Until a run other than ``after`` has finished on ``side``."""
    await wait_for(
        pilot,
        lambda: side.model.run_id not in ("", after) and side.model.finished,
        180,
    )


async def test_w_watches_a_pipeline_runs_it_again_on_an_edit_and_w_again_stops(
    pipeline_project, host_app
):
    app = host_app(pipeline_project)
    async with app.run_test(size=SIZE) as pilot:
        side = column(app, "pipeline")
        await pilot.press("W")  # nothing selected yet
        assert "select a workflow, a job or a pipeline" in notes(app)[-1]
        await run_pipeline(pilot, app, "W")
        await finished(pilot, side)
        assert side.model.status == "success", log_text(app, "pipeline")[-2000:]
        assert "watch: first run" in log_text(app, "pipeline")
        assert "⟳ watching · first run" in header(side)
        first = side.model.run_id

        (pipeline_project / "chain.py").write_text(PIPELINE.replace("third saw", "third now saw"))
        await finished(pilot, side, after=first)
        assert side.model.status == "success", log_text(app, "pipeline")[-2000:]
        assert "watch: chain.py changed" in log_text(app, "pipeline")
        assert "⟳ watching · chain.py changed" in header(side)
        assert any("runs again: chain.py changed" in n for n in notes(app))
        assert app.store.get(side.model.run_id).meta.extra["reason"] == "chain.py changed"

        await pilot.press("W")  # the same target: watch mode off
        await wait_for(pilot, lambda: "pipeline" not in app.main.watching, 10)
        assert "watching" not in header(side)
        second = side.model.run_id
        (pipeline_project / "chain.py").write_text(PIPELINE)
        await pilot.pause(1.5)  # more than the debounce: a run for it would have started
        assert side.model.run_id == second
        assert "pipeline" not in app.main.runs


async def test_f_reruns_the_failed_job_and_what_needs_it(tmp_path, host_app):
    root = workflow_project(tmp_path, WORKFLOW)
    app = host_app(root)
    async with app.run_test(size=SIZE) as pilot:
        side = column(app)
        await pilot.press("F")  # nothing ran yet
        assert "no workflow run to re-run yet" in notes(app)[-1]
        await select_target(pilot, app, "ci.yml")
        await pilot.press("r")
        await finished(pilot, side)
        assert side.model.status == "failure"
        assert side.model.nodes["a"].status == "success"
        failed = side.model.run_id

        (root / "needed.txt").write_text("here now\n")  # the fix
        await pilot.press("F")
        await finished(pilot, side, after=failed)
        assert side.model.status == "success", log_text(app)[-2000:]
        jobs = {n.node_id for n in side.model.nodes.values() if n.kind == "job"}
        assert jobs == {"b", "c"}  # a came from the failed run
        extra = app.store.get(side.model.run_id).meta.extra
        assert extra["rerun_of"] == failed and extra["rerun_jobs"] == ["b", "c"]
        assert any(f"rerun of {failed}" in t for t in stored_logs(app, side.model.run_id, ""))

        await pilot.press("F")  # it succeeded: nothing to re-run, said in one line
        await wait_for(pilot, lambda: "nothing failed to re-run" in notes(app)[-1], 10)


async def test_t_on_a_task_runs_the_pipeline_from_it_with_its_upstream_from_the_cache(
    pipeline_project, host_app
):
    app = host_app(pipeline_project)
    async with app.run_test(size=SIZE) as pilot:
        side = column(app, "pipeline")
        await run_pipeline(pilot, app)
        await finished(pilot, side)
        assert side.model.status == "success", log_text(app, "pipeline")[-2000:]
        first = side.model.run_id

        side.run_tree.focus()
        side.run_tree.select_node_id("second")
        await wait_for(pilot, lambda: side.run_tree.cursor_node.data == "second", 10)
        await pilot.press("t")
        await finished(pilot, side, after=first)
        assert side.model.status == "success", log_text(app, "pipeline")[-2000:]
        run_id = side.model.run_id
        assert CACHE_HIT in stored_logs(app, run_id, "first")
        assert "first ran" not in stored_logs(app, run_id, "first")
        for task in ("second", "third"):
            assert CACHE_HIT not in stored_logs(app, run_id, task), task
        assert "second ran" in stored_logs(app, run_id, "second")
        assert "third saw 20" in stored_logs(app, run_id, "third")

        app.main.query_one(ProjectTree).focus()
        await pilot.press("t")  # not on a task of a run tree
        assert "move to a task of a pipeline run" in notes(app)[-1]


async def test_a_target_changed_since_its_last_run_is_stale_until_it_runs_again(
    pipeline_project, host_app
):
    app = host_app(pipeline_project)
    async with app.run_test(size=SIZE) as pilot:
        side = column(app, "pipeline")
        await run_pipeline(pilot, app)
        await finished(pilot, side)
        assert side.model.status == "success", log_text(app, "pipeline")[-2000:]
        await pilot.pause(0.5)
        assert "stale" not in row_label(app, TARGET)

        (pipeline_project / "chain.py").touch()  # after the run
        await wait_for(pilot, lambda: "stale" in row_label(app, TARGET), 10)

        await pilot.press("h")  # the history marks the target's newest run too
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "HistoryScreen", 5)
        table = app.screen.query_one("DataTable")
        await wait_for(pilot, lambda: "stale" in str(table.get_row_at(0)[6]), 10)
        await pilot.press("escape")

        first = side.model.run_id
        await run_pipeline(pilot, app)
        await finished(pilot, side, after=first)
        assert side.model.status == "success"
        await wait_for(pilot, lambda: "stale" not in row_label(app, TARGET), 10)


async def test_s_stops_a_watched_run_and_the_watch_and_q_stops_them_before_quitting(
    workflow_project, host_app
):
    app = host_app(workflow_project("slow"))
    async with app.run_test(size=SIZE) as pilot:
        side = column(app)
        await select_target(pilot, app, "slow.yml")
        await pilot.press("W")
        await wait_for(pilot, lambda: "sleeping now" in log_text(app))
        assert "⟳ watching · first run" in header(side)
        await pilot.press("2", "s")  # the workflow side: stop its run
        await wait_for(pilot, lambda: side.model.status == "cancelled", 30)
        await wait_for(pilot, lambda: "workflow" not in app.main.watching, 10)
        assert any("watch off: slow.yml" in n for n in notes(app))

        await select_target(pilot, app, "slow.yml")
        await pilot.press("W")
        await wait_for(pilot, lambda: side.model.status == "running" and app.main.runs, 30)
        await wait_for(pilot, lambda: "sleeping now" in log_text(app))
        watched = side.model.run_id
        await pilot.press("q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, 30)
    assert not psutil.Process().children(recursive=True)
    assert app.store.get(watched).meta.status == "cancelled"
