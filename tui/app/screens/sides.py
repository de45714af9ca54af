"""The main screen's run keys, acting on the focused side: with a run pane (its tree or its log)
focused, ``r`` runs that side's target (the one it last ran or shows; else the one selected on
the left, if it is of that side), ``d`` dry-runs it (workflows), ``R`` re-runs the side's last
request (each side keeps its own) and ``s`` stops the side's run. With the focus elsewhere,
``r``/``d`` run the target selected on the left, ``R`` the last request of the session and ``s``
stops every run."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.screen import Screen

from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.run_form import (
    FormResult,
    PipelineOptions,
    RunFormScreen,
    WorkflowOptions,
    needs_form,
)
from tui.app.widgets.project_tree import ProjectTree, Target

if TYPE_CHECKING:
    from tui.app.widgets.run_column import RunColumn
    from tui.core.runner import Run
    from tui.core.workflows.mode import RunnerMode

SIDES = ("workflow", "pipeline")


@dataclass(frozen=True)
class RunRequest:
    target: Target
    options: WorkflowOptions | PipelineOptions


class RunKeys(Screen[None]):
    """``r``, ``d``, ``R`` and ``s`` (the main screen binds them)."""

    project: Path
    mode: RunnerMode
    runs: dict[str, Run]
    last_request: RunRequest | None  # the session's last, whichever side
    last_by_side: dict[str, RunRequest]
    if TYPE_CHECKING:  # the main screen's

        def column(self, side: str) -> RunColumn: ...

        def start(self, request: RunRequest) -> None: ...

        async def stop_side(self, side: str) -> None: ...

        def retry_paused(self) -> bool: ...

    def focused_side(self) -> str | None:
        """The side whose run pane (tree or log) has the focus, if one has."""
        focused = self.focused
        if focused is None:
            return None
        return next((s for s in SIDES if self.column(s) in focused.ancestors_with_self), None)

    def side_target(self, side: str) -> Target | None:
        """What ``r`` runs on ``side``: its last request's target, the target its column shows
        (a demo's run, one from history), else the one selected on the left if of that side."""
        tree = self.query_one(ProjectTree)
        last = self.last_by_side.get(side)
        if last is not None:
            return tree.targets.get(last.target.name, last.target)
        shown = tree.targets.get(self.column(side).model.target)
        if shown is not None and shown.kind == side:
            return shown
        selected = tree.target
        return selected if selected is not None and selected.kind == side else None

    def run_dirs(self) -> list[Path]:
        """The shown runs' directories in the run store: the focused side's first, then a
        going run's."""
        side = self.focused_side()
        order = [*([side] if side else []), *sorted(self.runs), *SIDES]
        records = (self.column(s).record for s in dict.fromkeys(order))
        return [record.path for record in records if record is not None]

    # -- r, d ----------------------------------------------------------------------------------

    def action_run(self) -> None:
        if not self.retry_paused():  # r at a failure pause: retry the step
            self.request_run(dry_run=False)

    def action_dry_run(self) -> None:
        self.request_run(dry_run=True)

    def request_run(self, dry_run: bool) -> None:
        side = self.focused_side()
        if side is None:
            target = self.query_one(ProjectTree).target
            if target is None:
                self.notify("select a workflow, a job or a pipeline on the left first", timeout=4)
                return
        else:
            found = self.side_target(side)
            if found is None:
                self.notify(f"select a {side} on the left first (nothing ran on this side)")
                return
            target = found
        if dry_run and target.kind != "workflow":
            self.notify("dry-run is for workflows (act --dryrun)", timeout=4)
            return
        if not dry_run and needs_form(target.workflow, target.pipeline):
            self.ask_then_submit(target)
            return
        options: WorkflowOptions | PipelineOptions
        if target.kind == "workflow":
            options = WorkflowOptions(mode=self.mode, dry_run=dry_run)
        else:
            options = PipelineOptions()
        self.submit(RunRequest(target, options))

    def ask_then_submit(self, target: Target) -> None:
        def chosen(options: FormResult | None) -> None:
            if options is not None:
                self.submit(RunRequest(target, options))

        form = RunFormScreen(f"run {target.name}", target.workflow, target.pipeline, mode=self.mode)
        self.app.push_screen(form, chosen)

    def submit(self, request: RunRequest) -> None:
        """Start ``request`` on its side; if a run is going there, ask to stop it first."""
        side = request.target.kind
        if side not in self.runs:
            self.start(request)
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self.stop_side(side)
                self.start(request)

        self.app.push_screen(
            ConfirmScreen(f"A {side} run is going. Stop it and start {request.target.name}?"),
            answered,
        )

    def remember(self, request: RunRequest) -> None:
        """``request`` starts: ``R`` runs it again (on its side, or from anywhere)."""
        self.last_request = self.last_by_side[request.target.kind] = request

    # -- R, s ----------------------------------------------------------------------------------

    def action_rerun(self) -> None:
        side = self.focused_side()
        if side is None:
            if self.last_request is None:
                self.notify("nothing ran yet in this session", timeout=3)
            else:
                self.submit(self.last_request)
            return
        last = self.last_by_side.get(side)
        if last is not None:
            self.submit(last)
        elif self.side_target(side) is not None:  # a run this session did not start
            self.request_run(dry_run=False)
        else:
            self.notify(f"nothing ran on the {side} side yet", timeout=3)

    async def action_stop(self) -> None:
        side = self.focused_side()
        if side is not None and side not in self.runs:
            self.notify(f"no {side} run is going", timeout=3)
            return
        if not self.runs:
            self.notify("nothing is running", timeout=3)
            return
        sides = [side] if side else list(self.runs)
        self.notify(f"stopping the {' and '.join(sides)} run…", timeout=3)
        await asyncio.gather(*(self.stop_side(s) for s in sides))
