"""The run pane's DAG (``g``): the plan's nodes by their needs with live status glyphs, a
node chosen in it narrows the log; and the layout that keeps both runs readable below 160
columns (a tab per side)."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.app.conftest import column, run_train, select_target, wait_for
from tests.app.dag_script import iris_app
from tests.app.scripted import scripted_app
from tests.app.test_snapshots import settle
from tui.app.widgets.dag_view import DagView
from tui.app.widgets.run_area import RunArea

SIZES = {"narrow": (100, 30), "medium": (120, 35), "wide": (220, 55)}


async def run_pipeline(pilot, app) -> None:
    await settle(pilot)
    await select_target(pilot, app, "pipeline.py:ml_pipeline")
    await pilot.press("r")  # the parameters form (all have defaults)
    await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RunFormScreen")
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: column(app, "pipeline").model.status == "success")


async def run_both(pilot, app) -> None:
    await settle(pilot)
    await select_target(pilot, app, "chain.yml")
    await pilot.press("r")
    await wait_for(pilot, lambda: column(app).model.status == "success")
    await run_pipeline(pilot, app)


async def test_g_toggles_the_tree_and_the_dag_and_the_dag_narrows_the_log(workflow_project):
    app = iris_app(workflow_project("chain"))
    async with app.run_test(size=(160, 45)) as pilot:
        await run_pipeline(pilot, app)
        pipeline = column(app, "pipeline")
        await pilot.press("4")  # the pipeline's tree
        await pilot.press("g")
        await pilot.pause()
        dag = pipeline.query_one(DagView)
        assert pipeline.showing_dag and dag.display and not pipeline.run_tree.display
        assert app.screen.focused is dag
        text = dag.text
        assert "✓ whole run" in text.splitlines()[0]
        for drawn in ("✓ preprocess", "✓ drift-check", "– retrain", "✓ report-no-drift", "╭"):
            assert drawn in text
        assert text.index("preprocess") < text.index("evaluate") < text.index("deploy")
        assert "retrain          if drift-check.output > drift_threshold" in text
        await pilot.press("down")  # the first node: preprocess
        await wait_for(pilot, lambda: pipeline.log_pane.scope == "preprocess")
        await pilot.press("3")  # the workflow's log, then back with the pane's number
        await pilot.press("4")
        assert app.screen.focused is dag  # the number means the DAG while it is shown
        await pilot.press("g")
        await pilot.pause()
        assert not pipeline.showing_dag and app.screen.focused is pipeline.run_tree
        assert pipeline.run_tree.cursor_node is not None
        assert pipeline.run_tree.cursor_node.data == "preprocess"


async def test_below_160_columns_a_tab_per_side_follows_focus_and_new_runs(workflow_project):
    app = iris_app(workflow_project("chain"))
    async with app.run_test(size=SIZES["medium"]) as pilot:
        area = app.main.query_one(RunArea)
        assert app.main.has_class("-narrow")
        await run_both(pilot, app)
        assert area.shown == "pipeline"  # the run just started
        assert not column(app, "workflow").display
        await pilot.press("2")  # the workflow's tree: its tab comes to the front
        await pilot.pause()
        assert area.shown == "workflow" and column(app, "workflow").display
        tabs = {str(tab.label) for tab in area.query("Tab")}
        assert tabs == {"✓ workflow run", "✓ pipeline run"}
        await pilot.resize_terminal(170, 45)
        await pilot.pause()
        assert not app.main.has_class("-narrow")
        assert column(app, "workflow").display and column(app, "pipeline").display


def test_both_runs_finished_at_100x30(snap_compare, workflow_project):
    app = scripted_app(workflow_project("chain"))
    assert snap_compare(app, terminal_size=SIZES["narrow"], run_before=lambda p: finish(p, app))


def test_both_runs_finished_at_120x35(snap_compare, workflow_project):
    app = scripted_app(workflow_project("chain"))
    assert snap_compare(app, terminal_size=SIZES["medium"], run_before=lambda p: finish(p, app))


def test_both_runs_finished_at_220x55(snap_compare, workflow_project):
    app = scripted_app(workflow_project("chain"))
    assert snap_compare(app, terminal_size=SIZES["wide"], run_before=lambda p: finish(p, app))


def test_the_dag_view_at_100x30(snap_compare, workflow_project):
    app = iris_app(workflow_project("chain"))
    assert snap_compare(app, terminal_size=SIZES["narrow"], run_before=lambda p: dags(p, app))


def test_the_dag_view_at_120x35(snap_compare, workflow_project):
    app = iris_app(workflow_project("chain"))
    assert snap_compare(app, terminal_size=SIZES["medium"], run_before=lambda p: dags(p, app))


def test_the_dag_view_at_220x55(snap_compare, workflow_project):
    app = iris_app(workflow_project("chain"))
    assert snap_compare(app, terminal_size=SIZES["wide"], run_before=lambda p: dags(p, app))


async def finish(pilot, app) -> None:
    """The chain workflow and the scripted ``train`` pipeline (its metrics in the corner)."""
    await settle(pilot)
    await select_target(pilot, app, "chain.yml")
    await pilot.press("r")
    await wait_for(pilot, lambda: column(app).model.status == "success")
    await run_train(pilot, app)
    await wait_for(pilot, lambda: column(app, "pipeline").model.status == "success")
    # the metrics corner plots the accuracy (as a user highlighting its row would)
    table = app.main.query_one("#ml-metrics", DataTable)
    keys = [str(key.value) for key in table.rows]
    table.move_cursor(row=keys.index("pipeline:train/accuracy"), animate=False)
    await settle(pilot)


async def dags(pilot, app) -> None:
    """Both runs finished, each side's DAG shown (the pipeline's focused)."""
    await run_both(pilot, app)
    for tree in ("2", "4"):
        await pilot.press(tree, "g")
    await settle(pilot)


async def test_the_tour_brings_the_side_it_points_at_to_the_front(workflow_project):
    from tui.app.screens.tour import TourScreen

    app = scripted_app(workflow_project("chain"), tour=True)
    async with app.run_test(size=SIZES["narrow"]) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TourScreen)
        area = app.main.query_one(RunArea)
        await pilot.press("enter")  # [2] the workflow run
        assert area.shown == "workflow"
        await pilot.press("enter", "enter")  # [4] the pipeline run
        await pilot.pause()
        assert area.shown == "pipeline" and column(app, "pipeline").display
        assert column(app, "pipeline").run_tree.has_class("tour-target")


async def test_a_stored_run_gets_its_dag_from_the_projects_plan(workflow_project):
    app = iris_app(workflow_project("chain"))
    async with app.run_test(size=(160, 45)) as pilot:
        await run_pipeline(pilot, app)
        pipeline = column(app, "pipeline")
        first = pipeline.model.run_id
        await pilot.press("h")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "HistoryScreen")
        await pilot.press("enter")  # the newest run: replayed without a plan
        await wait_for(pilot, lambda: app.screen is app.main and pipeline.record is not None)
        await wait_for(pilot, lambda: pipeline.model.run_id == first and pipeline.model.finished)
        assert pipeline.planned == ()
        await pilot.press("4", "g")
        await pilot.pause()
        text = pipeline.dag_view.text
        assert "✓ preprocess" in text and "╭" in text and "– retrain" in text
