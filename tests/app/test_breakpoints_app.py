"""Breakpoints from the app (real act, host mode; real kfp.local): `b` on a step of the run
tree or of the project tree marks it for the next run, the run pauses there (⏸), `c` goes on;
`b` on a pipeline task does the same for the next pipeline run; `B` and `r` retry a failing
step."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.conftest import SIZE, column, select_target, wait_for
from tests.conftest import FIXTURES, build_component_envs
from tests.conftest import workflow_file_project as project
from tui.app.widgets.project_tree import ProjectTree
from tui.app.widgets.run_tree import BREAKPOINT
from tui.core.pipelines import env as component_env

PIPELINE = FIXTURES / "pipelines" / "metrics.py"

WORKFLOW = """\
name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
      - name: second
        run: echo two
      - run: echo three
"""


def label(side, node_id: str) -> str:
    return str(side.run_tree._by_id[node_id].label)


def row_label(app, job: str, position: int) -> str:
    """The project tree's row of step ``position`` of ``job``."""
    stack = list(app.main.query_one(ProjectTree).root.children)
    while stack:
        node = stack.pop()
        if node.data is not None and (node.data.job, node.data.step) == (job, position):
            return str(node.label)
        stack.extend(node.children)
    raise AssertionError(f"no row for step {position} of {job}")


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture(scope="module")
def component_envs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pipeline's component environment, built once (as in test_pipeline_runs)."""
    return build_component_envs(tmp_path_factory.getbasetemp() / "component-envs", PIPELINE)


@pytest.fixture
def use_component_envs(component_envs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(component_env.ENV_DIR_VAR, str(component_envs))
    yield


async def test_b_marks_a_step_the_next_run_pauses_there_and_c_goes_on(tmp_path, host_app):
    app = host_app(project(tmp_path, WORKFLOW))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "ci.yml")
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: side.model.status == "success")
        side.run_tree.focus()
        side.run_tree.select_node_id("build/1")
        await wait_for(pilot, lambda: side.run_tree.cursor_node.data == "build/1", 10)
        await pilot.press("b")
        assert label(side, "build/1").startswith(BREAKPOINT)  # shown on the node
        assert app.main.breakpoints[app.main.workflow_file] == {"build/2": "build/1"}
        app.main.query_one("ProjectTree").focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: "build/1" in side.model.nodes, 30)
        await wait_for(pilot, lambda: side.model.nodes["build/1"].status == "paused", 30)
        await wait_for(pilot, lambda: "⏸" in label(side, "build/1"), 10)
        assert side.model.nodes["build/0"].status == "success"
        assert "build/2" not in side.model.nodes or side.model.nodes["build/2"].status != "success"
        await pilot.press("c")
        await wait_for(pilot, lambda: side.model.status == "success", 30)
        assert side.model.nodes["build/2"].status == "success"


async def test_capital_b_breaks_on_failure_and_r_retries(tmp_path, host_app):
    root = project(tmp_path, WORKFLOW.replace("echo two", "test -f fixed"))
    app = host_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "ci.yml")
        await pilot.press("B")
        assert app.main.break_on_failure
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: "build/1" in side.model.nodes, 30)
        await wait_for(pilot, lambda: side.model.nodes["build/1"].status == "paused", 30)
        pause = app.main._pause()
        assert pause is not None and pause.reason == "failure"
        Path(pause.cwd, "fixed").touch()  # what the user would do in the shell (e)
        await pilot.press("r")
        await wait_for(pilot, lambda: side.model.status == "success", 30)
        assert side.model.nodes["build/1"].status == "success"


async def test_b_on_a_step_of_the_project_tree_marks_it_and_the_run_pauses_there(
    tmp_path, host_app
):
    app = host_app(project(tmp_path, WORKFLOW))
    async with app.run_test(size=SIZE) as pilot:
        tree = app.main.query_one(ProjectTree)
        await select_target(pilot, app, "ci.yml:build")
        await pilot.press("b")  # a job's row: nothing to mark
        assert "move to a step or a task" in notes(app)[-1]
        assert not any(app.main.breakpoints.values())
        await pilot.press("enter", "down", "down")  # the job's steps, its second one
        assert tree.row.step == 2 and tree.target.name == "ci.yml:build"
        assert row_label(app, "build", 2) == "  2 second"
        await pilot.press("b")
        assert row_label(app, "build", 2) == f"{BREAKPOINT} 2 second"  # shown on the row
        workflow = tree.row.workflow.path
        assert app.main.breakpoints[workflow] == {"build/2": "build/1"}
        await pilot.press("r")  # the step's job runs
        side = column(app)
        await wait_for(pilot, lambda: "build/1" in side.model.nodes, 30)
        await wait_for(pilot, lambda: side.model.nodes["build/1"].status == "paused", 30)
        await wait_for(pilot, lambda: "⏸" in label(side, "build/1"), 10)
        assert label(side, "build/1").startswith(BREAKPOINT)  # the run tree shows it too
        assert side.model.target == "ci.yml:build"
        assert side.model.nodes["build/0"].status == "success"
        await pilot.press("c")
        await wait_for(pilot, lambda: side.model.status == "success", 30)
        assert side.model.nodes["build/2"].status == "success"

        side.run_tree.focus()  # a mark set in the run tree shows on the project tree's row
        side.run_tree.select_node_id("build/2")
        await wait_for(pilot, lambda: side.run_tree.cursor_node.data == "build/2", 10)
        await pilot.press("b")
        assert row_label(app, "build", 3) == f"{BREAKPOINT} 3 echo three"

        tree.focus()  # b again on the project tree's row removes its mark, in both trees
        await pilot.press("b")
        assert row_label(app, "build", 2) == "  2 second"
        assert not label(side, "build/1").startswith(BREAKPOINT)
        assert app.main.breakpoints[workflow] == {"build/3": "build/2"}


async def test_b_on_a_uses_step_of_the_project_tree_says_only_run_steps_pause(tmp_path, host_app):
    text = WORKFLOW.replace("      - run: echo one\n", "      - uses: actions/checkout@v4\n")
    app = host_app(project(tmp_path, text))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "ci.yml:build")
        await pilot.press("enter", "down", "b")
        assert "a uses: step — only run: steps can pause before they run" in notes(app)[-1]
        assert not any(app.main.breakpoints.values())
        assert row_label(app, "build", 1) == "  1 Run actions/checkout@v4"


async def test_b_on_a_task_of_the_project_tree_pauses_the_next_pipeline_run_before_it(
    tmp_path, host_app, use_component_envs
):
    root = tmp_path / "project"
    (root / "pipelines").mkdir(parents=True)
    shutil.copy(PIPELINE, root / "pipelines" / "metrics.py")
    app = host_app(root)
    async with app.run_test(size=SIZE) as pilot:
        tree = app.main.query_one(ProjectTree)
        target = "pipelines/metrics.py:metrics_pipeline"
        await select_target(pilot, app, target)
        await pilot.press("enter", "down")  # the pipeline's tasks, its first
        assert tree.row.task == "train"
        await pilot.press("b")
        assert str(tree.cursor_node.label) == f"{BREAKPOINT} train"
        assert app.main.task_breakpoints[target] == {"train"}
        await pilot.press("r")  # the task's pipeline runs (its parameters form first)
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RunFormScreen", 5)
        await pilot.press("ctrl+r")
        pipeline = column(app, "pipeline")
        await wait_for(pilot, lambda: "train" in pipeline.model.nodes, 180)
        await wait_for(pilot, lambda: pipeline.model.nodes["train"].status == "paused", 180)
        await wait_for(pilot, lambda: "⏸" in label(pipeline, "train"), 10)
        assert label(pipeline, "train").startswith(BREAKPOINT)
        await pilot.press("c")
        await wait_for(pilot, lambda: pipeline.model.status == "success", 180)
        assert pipeline.model.nodes["train"].status == "success"
        await pilot.press("b")  # again: the mark goes
        assert str(tree.cursor_node.label) == "  train"
        assert app.main.task_breakpoints[target] == set()
