"""A log that follows its end keeps its last line in sight when the pane above it grows or a
long line brings a horizontal scrollbar (it takes a row of the view)."""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import column, select_target, wait_for
from tests.app.scripted import ScriptedSources, workflow_script
from tests.runners import T0
from tui.app.app import PipedeckApp
from tui.core import events as ev
from tui.core.runner import Run
from tui.core.store import RunStore
from tui.core.workflows.act_argv import WorkflowRequest


class LongLineSources(ScriptedSources):
    def start_workflow(self, request: WorkflowRequest) -> Run:
        run_id = f"20260102-030405-{len(self.started):04d}"
        script = workflow_script(run_id, request.workflow.path.name)
        finished = script.pop()
        for text in [*(f"line {i}" for i in range(60)), "Completed " + "x" * 300, "the end"]:
            script.append(ev.Log(run_id=run_id, ts=T0, node_id="test/1", text=text))
        script.append(finished)
        return self._run(run_id, "workflow", request.target, request.project, script)


async def test_the_last_line_stays_in_sight_after_a_long_line(workflow_project) -> None:
    project: Path = workflow_project("chain")
    store = RunStore()
    app = PipedeckApp(project, sources=LongLineSources(store), store=store)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: app.main.query_one("ProjectTree").target is not None)
        await select_target(pilot, app, "chain.yml")
        await pilot.press("r")
        await wait_for(pilot, lambda: column(app).model.status == "success")
        view = column(app).log_pane.view
        await wait_for(pilot, lambda: view.show_horizontal_scrollbar, 5)
        await pilot.pause(0.2)
        assert view.follow
        assert round(view.scroll_y) == view.max_scroll_y  # "the end" is on screen
