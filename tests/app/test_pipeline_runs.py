"""A workflow and a pipeline run side by side (real act, real kfp.local)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.conftest import SIZE, column, log_text, select_target, wait_for
from tests.conftest import FIXTURES, build_component_envs
from tui.app.widgets.metrics_pane import MetricsPane
from tui.core.pipelines import env as component_env

PIPELINE = FIXTURES / "pipelines" / "metrics.py"


@pytest.fixture(scope="module")
def component_envs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The component environment, built once (a user's is cached across runs too)."""
    return build_component_envs(tmp_path_factory.getbasetemp() / "component-envs", PIPELINE)


@pytest.fixture(autouse=True)
def use_component_envs(component_envs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(component_env.ENV_DIR_VAR, str(component_envs))
    yield


async def test_start_a_pipeline_while_a_workflow_runs(workflow_project, host_app):
    project = workflow_project("matrix", "slow")
    (project / "pipelines").mkdir()
    shutil.copy(PIPELINE, project / "pipelines" / "metrics.py")
    app = host_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "slow.yml")
        await pilot.press("r")
        workflow = column(app)
        await wait_for(pilot, lambda: "sleeping now" in log_text(app))

        await select_target(pilot, app, "pipelines/metrics.py:metrics_pipeline")
        await pilot.press("r")  # the form shows the parameters with their defaults
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RunFormScreen", 5)
        assert app.screen.query_one("#param-epochs").value == "2"
        await pilot.press("ctrl+r")
        pipeline = column(app, "pipeline")
        try:
            await wait_for(pilot, lambda: pipeline.model.status not in ("idle", "running"), 180)
        except AssertionError:
            raise AssertionError(
                f"{pipeline.model.status}: {log_text(app, 'pipeline')[-3000:]}"
            ) from None
        assert pipeline.model.status == "success", log_text(app, "pipeline")[-2000:]
        assert workflow.model.status == "running"  # the workflow still runs alongside
        assert pipeline.model.nodes["train"].status == "success"
        assert "epoch 1" in log_text(app, "pipeline")
        values = app.main.query_one(MetricsPane).metric_values()
        assert values["pipeline › train › accuracy"] == "0.75"

        await pilot.press("2", "s")  # focus the workflow side, stop it
        await wait_for(pilot, lambda: workflow.model.status == "cancelled", 30)


async def test_b_on_a_task_pauses_the_next_pipeline_run_before_it(tmp_path, host_app):
    project = tmp_path / "project"
    (project / "pipelines").mkdir(parents=True)
    shutil.copy(PIPELINE, project / "pipelines" / "metrics.py")
    app = host_app(project)
    async with app.run_test(size=SIZE) as pilot:
        pipeline = column(app, "pipeline")

        async def run_it() -> None:
            await select_target(pilot, app, "pipelines/metrics.py:metrics_pipeline")
            await pilot.press("r")
            await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RunFormScreen", 5)
            await pilot.press("ctrl+r")

        await run_it()
        await wait_for(pilot, lambda: pipeline.model.status == "success", 180)
        pipeline.run_tree.focus()
        pipeline.run_tree.select_node_id("train")
        await wait_for(pilot, lambda: pipeline.run_tree.cursor_node.data == "train", 10)
        await pilot.press("b")
        assert app.main.task_breakpoints[app.main.pipeline_target] == {"train"}
        await run_it()
        await wait_for(pilot, lambda: pipeline.model.nodes["train"].status == "paused", 180)
        await pilot.press("c")
        await wait_for(pilot, lambda: pipeline.model.status == "success", 180)
        assert pipeline.model.nodes["train"].status == "success"
