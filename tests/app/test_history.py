"""A user opens a stored run from the history screen; it replays into its pane."""

from __future__ import annotations

from tests.app.conftest import SIZE, column, log_text, wait_for
from tests.conftest import run_cli
from tui.app.screens.history import HistoryScreen


async def test_open_a_stored_run_from_history(workflow_project, host_app):
    project = workflow_project("chain", "failing")
    assert run_cli("run", "workflow", "chain.yml", "--runner", "host", cwd=project).code == 0
    assert run_cli("run", "workflow", "failing.yml", "--runner", "host", cwd=project).code == 1
    app = host_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), 5)
        history = app.screen
        # newest first; two runs in the same second may come in either order (run ids)
        targets = [m.target for m in history.metas]
        assert sorted(targets) == ["chain.yml", "failing.yml"]
        await pilot.press(*["down"] * targets.index("chain.yml"), "enter")
        side = column(app)
        await wait_for(pilot, lambda: side.model.target == "chain.yml", 10)
        assert side.model.status == "success"
        assert side.model.nodes["deploy"].status == "success"
        assert "deploying 1.2.3" in log_text(app)

        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), 5)
        await pilot.press(*["down"] * targets.index("failing.yml"), "enter")
        # the failed run opens with its failing step selected
        await wait_for(pilot, lambda: side.model.target == "failing.yml", 10)
        await wait_for(pilot, lambda: side.log_pane.scope == "fails", 10)
        assert "about to fail" in log_text(app)
