"""A runner that breaks midway (a bug in pipedeck, or a tool that crashed it): the TUI still
shows a whole run — every node finished, the run failed with the error — and the store has it."""

from __future__ import annotations

import json

from tests.app.conftest import SIZE, column, log_text, select_target, wait_for
from tests.app.scripted import scripted_app
from tui.core.store import RunStore


async def test_a_run_whose_runner_raises_ends_cleanly_on_screen_and_in_the_store(
    workflow_project,
) -> None:
    app = scripted_app(workflow_project("chain"), broken=True)
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "chain.yml")
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: side.model.finished, 10)
        assert side.model.status == "failure"
        assert "RuntimeError: the act log parser broke" in side.model.error
        assert {n.node_id: n.status for n in side.model.nodes.values()} == {
            "build": "success",
            "test": "failure",
            "test/0": "failure",
            "lint": "cancelled",
            "deploy": "not run",  # planned from the workflow file, never started
        }
        # the step that was running when it broke is selected, with its log
        await wait_for(pilot, lambda: side.log_pane.scope == "unit", 10)
        assert log_text(app) == "running unit tests"
        assert not app.main.runs
    meta = RunStore().list()[0]
    assert meta.status == "failure" and meta.exit_code == 70
    stored = [json.loads(line) for line in (RunStore().root / meta.run_id / "events.jsonl").open()]
    finished = [e["node_id"] for e in stored if e["type"] == "node.finished"]
    assert sorted(finished) == ["build", "lint", "test", "test/0"]
    assert [e["type"] for e in stored].count("run.finished") == 1
