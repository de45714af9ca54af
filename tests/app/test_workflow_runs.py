"""A user runs, stops and inspects workflows in the app — with the real act (host mode)."""

from __future__ import annotations

import psutil

from tests.app.conftest import SIZE, column, log_text, select_target, wait_for
from tui.app.widgets.log_view import LogView
from tui.app.widgets.run_tree import RunTree


async def test_run_a_workflow_steps_turn_green_and_logs_appear(workflow_project, host_app):
    app = host_app(workflow_project("chain"))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "chain.yml")
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: side.model.status == "success")
        steps = [n for n in side.model.nodes.values() if n.kind == "step"]
        assert steps and all(n.status == "success" for n in steps)
        assert {"build", "test", "deploy"} <= set(side.model.nodes)
        tree = side.query_one(RunTree)
        labels = [str(node.label) for node in tree._by_id.values()]
        assert any(label.startswith("✓ use version") for label in labels)
        assert "deploying 1.2.3" in log_text(app)
        assert side.model.run_id  # it was recorded in the store


async def test_stop_a_run_midway_leaves_no_process(workflow_project, host_app):
    app = host_app(workflow_project("slow"))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "slow.yml")
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: "sleeping now" in log_text(app))
        assert side.model.nodes["wait"].status == "running"
        await pilot.press("s")
        await wait_for(pilot, lambda: side.model.status == "cancelled", 30)
        assert not app.main.runs
        assert side.model.nodes["wait"].status in ("cancelled", "failure")
    left = psutil.Process().children(recursive=True)
    assert not left, f"processes left behind: {[p.cmdline() for p in left]}"


async def test_a_failed_run_shows_the_failing_step_and_its_log(workflow_project, host_app):
    app = host_app(workflow_project("failing"))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "failing.yml")
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: side.model.status == "failure")
        await wait_for(
            pilot,
            lambda: (
                side.run_tree.cursor_node is not None
                and side.run_tree.cursor_node.data == "broken/1"
            ),
            10,
        )
        await wait_for(pilot, lambda: side.log_pane.scope == "fails", 10)
        shown = log_text(app)
        assert "about to fail" in shown
        assert "before the failure" not in shown  # only the failing step's log


async def test_search_and_filter_a_log_pane(workflow_project, host_app):
    app = host_app(workflow_project("chain"))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "chain.yml")
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: side.model.status == "success")
        await pilot.press("3")  # the workflow log pane
        view = side.query_one(LogView)
        assert app.focused is view
        await pilot.press("slash", *"1.2.3", "enter")
        await pilot.pause()
        assert view.search == "1.2.3"
        total = view.visible_count()
        assert len(view.matches) >= 3 and view.match_index == 0
        await pilot.press("n")
        assert view.match_index == 1
        await pilot.press("N")
        assert view.match_index == 0
        status = str(side.query_one("#log-status").render())
        assert f"/1.2.3 1/{len(view.matches)}" in status
        await pilot.press("f", "enter")  # the filter prompt holds the search: Enter keeps
        assert view.visible_count() == len(view.matches) < total  # only the matching lines
        await pilot.press("f", "ctrl+u", "enter")  # an empty filter: every line again
        assert view.visible_count() == total
        await pilot.press("w")
        assert view.wrap


async def test_quit_while_running_asks_then_stops_the_run(workflow_project, host_app):
    app = host_app(workflow_project("slow"))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "slow.yml")
        await pilot.press("r")
        await wait_for(pilot, lambda: "sleeping now" in log_text(app))
        await pilot.press("q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, 30)
    assert not psutil.Process().children(recursive=True)


async def test_the_run_form_passes_dispatch_inputs(workflow_project, host_app):
    app = host_app(workflow_project("dispatch"))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "dispatch.yml")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RunFormScreen", 5)
        await pilot.press("ctrl+r")
        side = column(app)
        await wait_for(pilot, lambda: side.model.status == "success")
        assert "target=staging dry=true" in log_text(app)


async def test_dry_run_plans_without_running(workflow_project, host_app):
    app = host_app(workflow_project("chain"))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "chain.yml")
        await pilot.press("d")
        side = column(app)
        await wait_for(pilot, lambda: side.model.status == "success")
        assert side.model.mode == "dry-run"
        assert "deploying 1.2.3" not in log_text(app)
        first = side.model.run_id
        await pilot.press("R")  # re-run the last: another dry run
        await wait_for(pilot, lambda: side.model.run_id not in ("", first))
        await wait_for(pilot, lambda: side.model.status == "success")
        assert side.model.mode == "dry-run"
