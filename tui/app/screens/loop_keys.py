"""The main screen's inner-loop keys: ``W`` watches the target selected on the left (it runs,
then runs again each time a file it depends on changes: ``tui.core.watch_loop``), ``F`` re-runs
the failed jobs of the workflow column's run (``tui.core.workflows.rerun``), ``t`` on a task of
the pipeline column's run runs that pipeline from the task (its upstream from the cache). The
project tree marks ``stale`` the targets changed since their last run (``tui.app.staleness``).

A watch's runs go to their side's column as any run does, one watched target per side; its
loop runs in the side's run group, so a run started on that side (``r``) replaces it, and
stopping its run (``s``, quitting) ends it."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.worker import Worker, WorkerError

from tui.app import staleness
from tui.app.messages import EventBatch
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.report_keys import ReportKeys
from tui.app.screens.run_form import (
    FormResult,
    PipelineOptions,
    RunFormScreen,
    WorkflowOptions,
    needs_form,
)
from tui.app.widgets.project_tree import ProjectTree, Target
from tui.core import events as ev
from tui.core.errors import PipedeckError
from tui.core.launch import PipelineRequest
from tui.core.watch import Watched
from tui.core.watch_loop import WatchLoop
from tui.core.workflows.discovery import planned_nodes

if TYPE_CHECKING:
    from tui.app.sources import Sources
    from tui.core.runner import Run
    from tui.core.store import RunStore
    from tui.core.workflows.mode import RunnerMode
    from tui.core.workflows.rerun import RerunRequest

STAT_EVERY = 2.0  # seconds between two looks (stat calls only) at the files targets depend on


@dataclass
class Watching:
    """Watch mode on one side: its target, the options its runs start with, its loop."""

    target: Target
    options: WorkflowOptions | PipelineOptions
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    loop: WatchLoop | None = None
    worker: Worker[None] | None = None


class LoopKeys(ReportKeys):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("W", "watch", "Watch: run again on each change", show=False, key_display="W"),
        Binding("F", "rerun_failed", "Re-run the failed jobs", show=False, key_display="F"),
        Binding("t", "run_from_task", "Run the pipeline from this task", show=False),
    ]

    project: Path
    sources: Sources
    store: RunStore
    mode: RunnerMode
    if TYPE_CHECKING:  # the main screen's

        async def _stream(self, side: str, run: Run) -> None: ...

        async def stop_side(self, side: str) -> None: ...

    def __init__(self) -> None:
        super().__init__()
        self.watching: dict[str, Watching] = {}  # side -> its watch
        self._deps: dict[str, staleness.Files] = {}  # target -> the files it depends on
        self._started: dict[str, float] = {}  # target -> when its newest run started

    def on_mount(self) -> None:
        self.set_interval(STAT_EVERY, self._look_for_changes)

    # -- W: watch ------------------------------------------------------------------------------

    async def action_watch(self) -> None:
        target = self.query_one(ProjectTree).target
        if target is None:
            self.notify("select a workflow, a job or a pipeline on the left first", timeout=4)
            return
        side = target.kind
        current = self.watching.get(side)
        if current is not None:
            await self.stop_watch(side)
            if current.target.name == target.name:
                return  # W on the watched target: watch mode off

        def chosen(options: FormResult | None) -> None:
            if options is not None:
                self._watch_when_free(target, options)

        if needs_form(target.workflow, target.pipeline):  # as r asks, once for the watch
            form = RunFormScreen(
                f"watch {target.name}", target.workflow, target.pipeline, mode=self.mode
            )
            self.app.push_screen(form, chosen)
        elif target.kind == "workflow":
            chosen(WorkflowOptions(mode=self.mode))
        else:
            chosen(PipelineOptions())

    def _watch_when_free(self, target: Target, options: FormResult) -> None:
        side = target.kind
        if not self._busy(side):
            self.when_side_closed(side, lambda: self.start_watch(target, options))
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self.stop_side(side)
                self.start_watch(target, options)

        question = f"A {side} run is going. Stop it and watch {target.name}?"
        self.app.push_screen(ConfirmScreen(question), answered)

    def start_watch(self, target: Target, options: FormResult) -> None:
        """Watch mode on ``target``'s side: it runs now, then again on each change."""
        watching = Watching(target, options)
        self.watching[target.kind] = watching
        self.notify(f"watching {target.name}: it runs again when a file it uses changes")
        watching.worker = self.run_worker(
            self._watch_loop(watching),
            name=f"watch {target.name}",
            group=f"{target.kind}-run",  # a run started on the side replaces the watch
            exclusive=True,
            exit_on_error=False,
        )

    async def stop_watch(self, side: str) -> None:
        """Watch mode off on ``side``; its run still going is stopped."""
        watching = self.watching.get(side)
        if watching is None:
            return
        watching.stop.set()
        if watching.worker is not None:
            with contextlib.suppress(WorkerError):
                await watching.worker.wait()

    async def _watch_loop(self, watching: Watching) -> None:
        target, side = watching.target, watching.target.kind
        column = self.column(side)

        async def start(entry: Watched) -> Run:
            if target.kind == "workflow":
                from tui.core.workflows import discovery

                found = await asyncio.to_thread(  # the file as it is now
                    discovery.resolve, self.project, str(entry.path), lenient=True
                )
                workflow = found[0]
                column.begin(target.name, planned_nodes(workflow, target.job))
                column.set_watch("")
                assert isinstance(watching.options, WorkflowOptions)
                request = watching.options.request(self.project, workflow, target.job)
                run = await asyncio.to_thread(
                    self.sources.start_workflow, self.with_breakpoints(request)
                )
            else:
                assert target.pipeline is not None
                column.begin(target.name, target.pipeline.planned)
                column.set_watch("")
                assert isinstance(watching.options, PipelineOptions)
                wanted = watching.options.request(self.project, entry.target)
                run = await asyncio.to_thread(
                    self.sources.start_pipeline, self.with_task_breakpoints(wanted)
                )
            return run

        async def show(entry: Watched, run: Run) -> None:
            why = str(run.record.meta.extra.get("reason") or "")
            column.set_watch(why)
            if why and why != "first run":
                self.notify(f"{target.name} runs again: {why}", title="watch", timeout=4)
            await self._stream(side, run)
            assert watching.loop is not None
            going = watching.loop.going.get(entry.target)
            if run.cancel_requested and going is not None and going[0] is run:
                watching.stop.set()  # stopped by the user (s, a quit), not by the loop

        def say(entry: Watched, line: str) -> None:
            column.fail_to_start(line)
            self.notify(line, title="watch", severity="error", timeout=8)

        try:
            entry = await asyncio.to_thread(self._watched, target)
            watching.loop = WatchLoop(self.project, [entry], start, show, say)
            await watching.loop.run(watching.stop)
        finally:
            if self.watching.get(side) is watching:
                del self.watching[side]
                self.notify(f"watch off: {target.name}", timeout=3)
                with contextlib.suppress(NoMatches):
                    column.set_watch(None)

    def _watched(self, target: Target) -> Watched:
        from tui.core.watch import watched_pipeline, watched_workflow

        if target.workflow is not None:
            return watched_workflow(self.project, target.name, target.workflow.path)
        assert target.pipeline is not None
        name = target.pipeline.target
        return watched_pipeline(self.project, name, staleness.pipeline_file(self.project, name))

    # -- F: re-run the failed jobs -----------------------------------------------------------

    def action_rerun_failed(self) -> None:
        focused = self.focused
        if focused is not None and self.column("pipeline") in focused.ancestors_with_self:
            self.notify(
                "F re-runs the failed jobs of the workflow run; t on a task of a pipeline run"
                " runs the pipeline from it",
                timeout=5,
            )
            return
        record = self.column("workflow").record
        if self._busy("workflow"):
            self.notify("the workflow run is going: F re-runs its failed jobs once it ends")
        elif record is None:
            self.notify("no workflow run to re-run yet (r runs one)", timeout=4)
        else:
            self.plan_failed(record.run_id)

    @work(group="rerun-plan", exclusive=True, exit_on_error=False)
    async def plan_failed(self, run_id: str) -> None:
        from tui.core.workflows.rerun import plan_rerun

        await self._side_closed("workflow")
        try:
            request = await asyncio.to_thread(lambda: plan_rerun(self.store.get(run_id)))
        except PipedeckError as exc:
            self.notify(exc.message, title="re-run failed jobs", severity="warning", timeout=8)
            return
        if self._busy("workflow"):
            self.notify("a workflow run started meanwhile: F once it ends", timeout=4)
            return
        self.rerun_jobs(request)

    @work(group="workflow-run", exclusive=True, exit_on_error=False)
    async def rerun_jobs(self, request: RerunRequest) -> None:
        jobs = request.rerun.jobs
        planned = [node for job in jobs for node in planned_nodes(request.workflow, job)]
        self.column("workflow").begin(request.target, planned)
        run = await asyncio.to_thread(self.sources.start_workflow, self.with_breakpoints(request))
        of_run = request.rerun.of_run
        self.notify(f"re-running {', '.join(jobs)} of run {of_run}", title="workflow run")
        await self._stream("workflow", run)

    # -- t: run a pipeline from a task ---------------------------------------------------------

    def action_run_from_task(self) -> None:
        column = self.column("pipeline")
        tree = column.run_tree
        node_id = tree.cursor_node.data if tree.cursor_node is not None else None
        node = column.model.nodes.get(node_id or "")
        record = column.record
        if self.focused is not tree or node is None or node.kind != "task" or record is None:
            self.notify("move to a task of a pipeline run (its tree, 4) first", timeout=4)
            return
        if self._busy("pipeline"):
            self.notify("the pipeline run is going: t runs from a task once it ends", timeout=4)
            return
        meta = record.meta
        project = Path(meta.project) if meta.project else self.project
        mode = meta.mode if meta.mode in ("subprocess", "docker") else "subprocess"
        params = params_of(meta.extra.get("arguments"))  # as the run was given them
        request = PipelineRequest(project, meta.target, params, True, mode, from_task=node_id or "")
        self.notify(f"running {meta.target} from {node.name}…", timeout=3)
        self.when_side_closed("pipeline", lambda: self.run_from_task(request))

    @work(group="pipeline-run", exclusive=True, exit_on_error=False)
    async def run_from_task(self, request: PipelineRequest) -> None:
        try:  # checked (the cache holds the upstream tasks) before the column starts over
            run = await asyncio.to_thread(
                self.sources.start_pipeline, self.with_task_breakpoints(request)
            )
        except PipedeckError as exc:
            self.notify(exc.message, title="run from a task", severity="warning", timeout=8)
            return
        target = self.query_one(ProjectTree).targets.get(request.target)
        planned = target.pipeline.planned if target and target.pipeline else ()
        self.column("pipeline").begin(request.target, planned)
        await self._stream("pipeline", run)

    # -- a side's run ending -----------------------------------------------------------------

    def _busy(self, side: str) -> bool:
        """A run is going on ``side`` (one its column shows finished is only closing)."""
        return side in self.runs and not self.column(side).model.finished

    async def _side_closed(self, side: str) -> None:
        """Until the workers of ``side`` that close a finished run have ended (a watch's loop
        goes on): a run started on the side must not cancel one still closing."""
        watching = self.watching.get(side)
        for worker in list(self.workers):
            if worker.group == f"{side}-run" and (
                watching is None or worker is not watching.worker
            ):
                with contextlib.suppress(WorkerError):
                    await worker.wait()

    @work(group="side-closing", exit_on_error=False)
    async def when_side_closed(self, side: str, then: Callable[[], object]) -> None:
        await self._side_closed(side)
        then()

    # -- staleness -----------------------------------------------------------------------------

    @on(ProjectTree.TargetsShown)
    def _targets_shown(self) -> None:
        self.refresh_staleness()

    @on(EventBatch)
    def _run_finished(self, message: EventBatch) -> None:
        if any(isinstance(e, ev.RunFinished) for e in message.events):
            self.refresh_staleness()

    @work(group="staleness", exclusive=True, exit_on_error=False)
    async def refresh_staleness(self) -> None:
        """What each target depends on and when its newest run started, worked out again."""
        tree = self.query_one(ProjectTree)
        deps, started = await asyncio.to_thread(self._stale_inputs, tree.targets)
        self._deps, self._started = deps, started
        tree.show_stale(await asyncio.to_thread(staleness.stale, deps, started))

    def _stale_inputs(
        self, targets: dict[str, Target]
    ) -> tuple[dict[str, staleness.Files], dict[str, float]]:
        started = staleness.newest_runs(self.store.list(), self.project)
        by_path: dict[Path, staleness.Files] = {}
        deps: dict[str, staleness.Files] = {}
        for name, target in targets.items():
            if name not in started:
                continue  # never run: not stale
            if target.workflow is not None:
                kind, path = "workflow", target.workflow.path
            elif target.pipeline is not None:
                kind, path = "pipeline", staleness.pipeline_file(self.project, name)
            else:
                continue
            if path not in by_path:
                by_path[path] = staleness.dependencies(kind, self.project, name, path)
            deps[name] = by_path[path]
        return deps, started

    def _look_for_changes(self) -> None:
        if self._deps:
            self._restat()

    @work(group="staleness-stat", exclusive=True, exit_on_error=False)
    async def _restat(self) -> None:
        deps, started = self._deps, self._started
        names = await asyncio.to_thread(staleness.stale, deps, started)
        if deps is self._deps:  # not refreshed meanwhile
            self.query_one(ProjectTree).show_stale(names)


def params_of(arguments: Any) -> dict[str, str]:
    """A run's recorded arguments (``meta.extra["arguments"]``) as the parameter strings that
    give them again (``--param`` values)."""
    if not isinstance(arguments, dict):
        return {}
    out = {}
    for name, value in arguments.items():
        if isinstance(value, bool):
            out[str(name)] = "true" if value else "false"
        elif isinstance(value, list | dict):
            out[str(name)] = json.dumps(value)
        else:
            out[str(name)] = str(value)
    return out
