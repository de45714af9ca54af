"""A user reads a whole-run log and sees who printed each line (``[job › step]``, as the CLI
prefixes them), and can hide that (``o``); a pipeline's ``::metric`` lines go to the metrics
pane and stay out of the log unless asked for (``M``)."""

from __future__ import annotations

from tests.app.conftest import column, run_train, wait_for
from tests.app.conftest import select_target as select_row
from tests.app.scripted import ScriptedSources, pipeline_script
from tui.app.app import PipedeckApp
from tui.app.widgets.log_view import LogView
from tui.app.widgets.project_tree import ProjectTree
from tui.core import events as ev
from tui.core.launch import PipelineRequest
from tui.core.runner import Run
from tui.core.store import RunStore

SIZE = (160, 45)


class MetricLines(ScriptedSources):
    """The scripted pipeline, its train task printing ``::metric`` lines as a real task does
    (the pipeline runner turns each into a ``metric`` event too)."""

    def start_pipeline(self, request: PipelineRequest) -> Run:
        run_id = f"20260102-030405-p{len(self.started):03d}"
        script: list[ev.Event] = []
        for event in pipeline_script(run_id, request.target):
            script.append(event)
            if isinstance(event, ev.Log) and event.node_id == "train":
                for step, acc in enumerate((0.5, 0.7, 0.8)):
                    line = f"::metric name=accuracy,step={step}::{acc}"
                    script.append(ev.Log(run_id=run_id, node_id="train", text=line))
                script.append(ev.Log(run_id=run_id, node_id="train", text="model saved"))
        return self._run(run_id, "pipeline", request.target, request.project, script)


def rows(view: LogView) -> list[str]:
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def shown(view: LogView) -> list[str]:
    return [row for row in rows(view) if row]


async def select_target(pilot, app: PipedeckApp, name: str) -> None:
    tree = app.main.query_one(ProjectTree)
    await wait_for(pilot, lambda: name in tree.targets, 30)
    tree.cursor_line = 0
    await select_row(pilot, app, name)


async def test_every_line_of_the_whole_run_log_says_where_it_came_from(workflow_project):
    store = RunStore()
    app = PipedeckApp(workflow_project("chain"), sources=ScriptedSources(store), store=store)
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "chain.yml")
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: side.model.status == "success")
        await pilot.press("3")
        view = side.log_pane.view
        await pilot.pause()
        lines = shown(view)
        assert "[build › compute version] compute version line 0" in lines
        assert "[test › lint] lint line 2" in lines
        assert all(row.startswith("[") for row in lines)
        segments = list(view.render_line(0))  # the source is dim, the text is not
        source = next(s for s in segments if s.text.startswith("[build"))
        text = next(s for s in segments if "line 0" in s.text)
        assert source.style is not None and source.style.dim
        assert text.style is None or not text.style.dim

        await pilot.press("o")  # sources off: the lines as printed
        await pilot.pause()
        assert not view.show_sources
        assert "compute version line 0" in shown(view)
        assert not any(row.startswith("[") for row in shown(view))
        await pilot.press("w", "o")  # on again, wrapped: the source counts in the width
        await pilot.pause()
        assert view.show_sources and "[build › compute version] compute version line 0" in shown(
            view
        )


async def test_metric_lines_go_to_metrics_not_to_the_log_unless_asked(workflow_project):
    store = RunStore()
    app = PipedeckApp(workflow_project("chain"), sources=MetricLines(store), store=store)
    async with app.run_test(size=SIZE) as pilot:
        await run_train(pilot, app)
        side = column(app, "pipeline")
        await wait_for(pilot, lambda: side.model.status == "success")
        await pilot.press("5")
        view = side.log_pane.view
        await pilot.pause()
        lines = shown(view)
        assert lines == [
            "[make-data] make-data: working",
            "[train] train: working",
            "[train] model saved",
        ]
        status = str(side.log_pane.query_one("#log-status").render())
        assert "3 ::metric lines hidden (M)" in status
        assert [m.value for m in side.model.metric_series()[("train", "accuracy")]] == [
            0.5,
            0.7,
            0.8,
        ]  # the metrics have them

        await pilot.press("M")
        await pilot.pause()
        assert "[train] ::metric name=accuracy,step=1::0.7" in shown(view)
        assert len(shown(view)) == 6
        assert "hidden" not in str(side.log_pane.query_one("#log-status").render())
        await pilot.press("M")
        await pilot.pause()
        assert len(shown(view)) == 3


async def test_metric_lines_hide_in_a_window_that_showed_every_line_and_after_a_read_back(
    tmp_path,
):
    from tests.app.test_log_view import PaneApp, settle, stored_run
    from tui.core.log_index import StoredLog
    from tui.core.run_state import LogBlock, LogLine

    app = PaneApp(window=50, chunk=20)
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.view
        plain = [LogLine("train", "stdout", f"epoch {i}") for i in range(10)]
        view.append(plain)
        assert view._layout.visible is None  # every line shows: no list kept
        metric = "\n".join(f"::metric name=loss,step={i}::0.{i}" for i in range(5))
        view.append_blocks([LogBlock("train", "stdout", metric), LogBlock("eval", "stdout", "ok")])
        await pilot.pause()
        assert view.visible_count() == 11 and view.hidden_metrics == 5
        view.set_scope({"eval"})
        assert view.visible_count() == 1
        view.set_scope(None)
        view.set_search("epoch", filtering=True)
        assert view.visible_count() == 10
        view.set_search("", filtering=False)
        view.set_metric_lines(True)
        assert view.visible_count() == 16 and view.hidden_metrics == 0
        view.set_metric_lines(False)
        assert view.visible_count() == 11

    # a stored run read back in chunks: its ::metric lines are found in what is read
    lines = []
    for i in range(200):
        lines.append(LogLine("train", "stdout", f"epoch {i}"))
        lines.append(LogLine("train", "stdout", f"::metric name=loss,step={i}::{1 / (i + 1)}"))
    record, _ = stored_run(tmp_path, lines)
    app = PaneApp(window=50, chunk=20)
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.view
        view.attach(StoredLog(record.path))
        view.append(lines)  # the window keeps the last ~50
        await pilot.pause()
        start = view.window_start
        assert start > 0
        view.focus()
        await pilot.press("home", "home")  # past the top: older lines read from the store
        await settle(pilot, view)
        assert view.window_start < start
        texts = [view.render_line(y).text.strip() for y in range(view.size.height)]
        assert texts[0].startswith("epoch") and all(t.startswith("epoch") for t in texts if t)
        assert view.visible_count() == view.line_count - view.hidden_metrics
        assert view.hidden_metrics == view.line_count // 2
