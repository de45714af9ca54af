"""The main screen: the project on the left, the workflow run and the pipeline run side by side.

The screen owns the I/O: it starts runs through the app's sources in named workers, and
routes their batched events to the run columns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from tui.app.batching import stream_run
from tui.app.messages import CheckResult, EventBatch, worker_error
from tui.app.resources import Sampler, sampler_for
from tui.app.screens.metrics_keys import MetricsKeys
from tui.app.screens.run_form import PipelineOptions, WorkflowOptions
from tui.app.screens.sides import SIDES, RunKeys, RunRequest
from tui.app.sources import Sources
from tui.app.widgets.metrics_pane import MetricsPane
from tui.app.widgets.project_tree import ProjectTree
from tui.app.widgets.run_area import RunArea, fit_layout
from tui.app.widgets.run_column import RunColumn
from tui.app.widgets.status_bar import StatusBar
from tui.core import events as ev
from tui.core.errors import PipedeckError
from tui.core.runner import Run
from tui.core.store import RunRecord, RunStore
from tui.core.workflows.discovery import planned_nodes
from tui.core.workflows.mode import RunnerMode

APPLY_SLICE = 2000  # events folded in between two chances to paint
PANES: tuple[str, ...] = (
    "#project",
    "#workflow-tree",
    "#workflow-log LogView",
    "#pipeline-tree",
    "#pipeline-log LogView",
    "#ml-metrics",
)


# (side, run): a run prepared before the app opened (the demo's).
Adopted = tuple[str, Run]


class MainScreen(RunKeys, MetricsKeys):
    CSS_PATH = "main.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run"),
        Binding("d", "dry_run", "Dry-run"),
        Binding("s", "stop", "Stop"),
        Binding("R", "rerun", "Re-run", key_display="R"),
        Binding("h", "history", "History"),
        Binding("z", "maximize", "Zoom"),
        Binding("m", "metrics", "Metrics"),
        Binding("question_mark", "help", "Help", key_display="?"),
        *(
            Binding(str(n), f"focus_pane({n})", f"Pane {n}", show=False)
            for n in range(1, len(PANES) + 1)
        ),
    ]

    def __init__(
        self,
        project: Path,
        sources: Sources,
        store: RunStore,
        *,
        mode: RunnerMode = "auto",
        adopt: Sequence[Adopted] = (),
    ) -> None:
        super().__init__()
        self.adopted = list(adopt)
        self.project = project
        self.sources = sources
        self.store = store
        self.mode = mode
        self.runs: dict[str, Run] = {}
        self.last_request: RunRequest | None = None
        self.last_by_side: dict[str, RunRequest] = {}
        self.samplers: dict[str, Sampler] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with Vertical(id="left"):
                tree = ProjectTree(id="project")
                tree.border_title = f"[1] {self.project.name}"
                yield tree
                metrics = MetricsPane(id="metrics")
                metrics.border_title = "[6] metrics"
                yield metrics
            yield RunArea(id="runs")  # the workflow and pipeline columns
        yield StatusBar()
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        fit_layout(self, event.size.width)

    def on_mount(self) -> None:
        self.query_one(ProjectTree).focus()
        self.discover_workflows()
        self.discover_pipelines()
        for name, check in self.sources.checks().items():
            self.run_check(name, check)
        self.set_interval(1.0, self.sample_resources)
        for side, run in self.adopted:
            self.adopt(side, run)

    # -- start-up workers --------------------------------------------------------------------

    def column(self, side: str) -> RunColumn:
        return self.query_one(f"#{side}", RunColumn)

    def last_statuses(self) -> dict[str, str]:
        out = self.store.last_statuses(self.project)
        for line in self.store.notes:  # what a sweep of killed runs found
            self.app.call_from_thread(self.notify, line, severity="warning", timeout=10)
        self.store.notes.clear()
        return out

    @work(group="discover-workflows", exclusive=True, exit_on_error=False)
    async def discover_workflows(self) -> None:
        found = await asyncio.to_thread(self.sources.discover_workflows, self.project)
        last = await asyncio.to_thread(self.last_statuses)
        self.query_one(ProjectTree).show_workflows(found.workflows, found.names, last)
        for problem in found.problems:
            self.notify(problem, title="workflow file", severity="error", timeout=10)

    @work(group="discover-pipelines", exclusive=True, exit_on_error=False)
    async def discover_pipelines(self) -> None:
        try:
            found, problems = await asyncio.to_thread(self.sources.discover_pipelines, self.project)
        except PipedeckError as exc:
            found, problems = [], [exc.message]
        last = await asyncio.to_thread(self.last_statuses)
        self.query_one(ProjectTree).show_pipelines(found, problems, last)

    @work(exit_on_error=False)
    async def run_check(self, name: str, check: Callable[[], tuple[str, bool | None]]) -> None:
        text, ok = await asyncio.to_thread(check)
        self.post_message(CheckResult(name, text, ok))

    def on_check_result(self, message: CheckResult) -> None:
        self.query_one(StatusBar).set_check(message.name, message.text, message.ok)

    def sample_resources(self) -> None:
        for side in SIDES:
            run = self.runs.get(side)
            pid = run.pid if run is not None else None
            if pid is None:
                if self.samplers.pop(side, None) is not None:
                    self.query_one(MetricsPane).set_usage(side, None)
                continue
            model = self.column(side).model
            sampler = sampler_for(
                self.samplers.get(side), pid, model.mode, model.started, model.run_id
            )
            self.samplers[side] = sampler
            self.sample_side(side, sampler)

    @work(group="resources", exit_on_error=False)
    async def sample_side(self, side: str, sampler: Sampler) -> None:
        sample = await asyncio.to_thread(sampler.sample)
        if side in self.runs:
            self.query_one(MetricsPane).set_usage(side, sample)

    # -- running -------------------------------------------------------------------------------

    def adopt(self, side: str, run: Run) -> None:
        """Stream a run something else prepared (``pipedeck demo``) into its side."""
        self.column(side).begin(run.target)
        self.run_worker(
            self._stream(side, run), group=f"{side}-run", exclusive=True, exit_on_error=False
        )

    def start(self, request: RunRequest) -> None:
        self.remember(request)
        if request.target.kind == "workflow":
            self.run_workflow(request)
        else:
            self.run_pipeline(request)

    @work(group="workflow-run", exclusive=True, exit_on_error=False)
    async def run_workflow(self, request: RunRequest) -> None:
        target, options = request.target, request.options
        assert target.workflow is not None and isinstance(options, WorkflowOptions)
        self.column("workflow").begin(target.name, planned_nodes(target.workflow, target.job))
        wanted = self.with_breakpoints(options.request(self.project, target.workflow, target.job))
        run = await asyncio.to_thread(self.sources.start_workflow, wanted)
        await self._stream("workflow", run)

    @work(group="pipeline-run", exclusive=True, exit_on_error=False)
    async def run_pipeline(self, request: RunRequest) -> None:
        target, options = request.target, request.options
        assert target.pipeline is not None and isinstance(options, PipelineOptions)
        self.column("pipeline").begin(target.name, target.pipeline.planned)
        wanted = self.with_task_breakpoints(options.request(self.project, target.pipeline.target))
        run = await asyncio.to_thread(self.sources.start_pipeline, wanted)
        await self._stream("pipeline", run)

    async def _stream(self, side: str, run: Run) -> None:
        """Drive ``run`` through the lifecycle; its events reach the column in batches."""
        self.runs[side] = run
        self.column(side).attach(run.record)
        try:
            await stream_run(run, side, self.post_message)
        finally:
            if self.runs.get(side) is run:
                del self.runs[side]

    async def on_event_batch(self, message: EventBatch) -> None:
        """Fold a batch in; a big one in slices, letting the screen paint in between."""
        column = self.column(message.side)
        events = message.events
        for start in range(0, len(events), APPLY_SLICE):
            if start:
                await asyncio.sleep(0)
            column.apply(events[start : start + APPLY_SLICE])
        metrics = [e for e in events if isinstance(e, ev.Metric)]
        if metrics:
            names = {node_id: node.name for node_id, node in column.model.nodes.items()}
            self.query_one(MetricsPane).add_metrics(message.side, metrics, names)
        for event in events:
            if isinstance(event, ev.RunFinished):
                self._finished(message.side, column, event)

    def _finished(self, side: str, column: RunColumn, event: ev.RunFinished) -> None:
        target = column.model.target
        if event.status == "success":
            self.notify(f"{target}: success", title=f"{side} run")
        elif event.status == "cancelled":
            self.notify(f"{target}: stopped", title=f"{side} run", severity="warning")
        else:
            message = event.error.splitlines()[0] if event.error else "failed"
            self.notify(f"{target}: {message}", title=f"{side} run", severity="error")
        self.query_one(ProjectTree).set_status(target, event.status)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker failures reach the user."""
        if event.state != WorkerState.ERROR:
            return
        message = worker_error(event.worker.error)
        group = event.worker.group
        side = group.removesuffix("-run")
        if side in SIDES:
            self.column(side).fail_to_start(message)
        self.notify(message, title=f"{group.replace('-', ' ')} failed", severity="error")

    # -- stopping ------------------------------------------------------------------------------

    async def stop_side(self, side: str) -> None:
        run = self.runs.get(side)
        if run is None:
            return
        await run.cancel()
        for worker in self.workers:
            if worker.group == f"{side}-run":
                await worker.wait()

    async def stop_all(self) -> None:
        await asyncio.gather(*(self.stop_side(side) for side in list(self.runs)))

    # -- panes, history, help ----------------------------------------------------------------

    def action_focus_pane(self, number: int) -> None:
        if 1 <= number <= len(PANES):
            self.query_one(PANES[number - 1]).focus()

    def action_maximize(self) -> None:
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            self.maximize(self.focused)

    def action_history(self) -> None:
        from tui.app.screens.history import HistoryScreen

        def chosen(run_id: str | None) -> None:
            if run_id:
                self.show_stored(run_id)

        self.app.push_screen(HistoryScreen(self.store), chosen)

    @work(group="history", exclusive=True, exit_on_error=False)
    async def show_stored(self, run_id: str) -> None:
        def load() -> tuple[RunRecord, list[ev.Event], str]:
            record = self.store.get(run_id)
            stored = record.events()
            return record, list(stored), stored.note()

        record, events, note = await asyncio.to_thread(load)
        if note:
            self.notify(note, severity="warning", timeout=8)
        kind = record.meta.kind
        side = kind if kind in SIDES else "workflow"
        if side in self.runs:
            self.notify(f"a {side} run is going: stop it (s) to look at a stored run", timeout=5)
            return
        self.column(side).show_stored(record, events)

    def action_help(self) -> None:
        from tui.app.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
