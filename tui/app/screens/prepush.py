"""``pipedeck prepush --tui``: the push's decisions on top (each workflow, triggered or not,
and why), then the triggered workflows' runs side by side, a run column each (its live tree
or DAG over its log, as on the main screen). Runs of one workflow for several refs go one
after another in its column. ``s`` stops them all, ``q`` quits (stopping what still runs)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.app.batching import stream_run
from tui.app.messages import EventBatch
from tui.app.screens.confirm import ConfirmScreen
from tui.app.widgets.run_column import RunColumn
from tui.core.errors import EXIT_CANCELLED, PipedeckError
from tui.core.runner import Run
from tui.core.statuses import status

# (name, start): start() starts the run (act begins) or raises PipedeckError
Start = tuple[str, Callable[[], Run]]


@dataclass(frozen=True)
class Decision:
    workflow: str
    triggered: bool
    reason: str


@dataclass
class Ended:
    """A run's end, for the command's exit code and its reports: ``run`` None when it could
    not start."""

    name: str
    exit_code: int
    run: Run | None = None


@dataclass
class Outcomes:
    ended: list[Ended] = field(default_factory=list)


class PrepushScreen(Screen[None]):
    CSS_PATH = "prepush.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "stop", "Stop the runs"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        title: str,
        decisions: Sequence[Decision],
        groups: Sequence[Sequence[Start]],
        outcomes: Outcomes,
    ) -> None:
        super().__init__()
        self.heading = title
        self.decisions = list(decisions)
        self.groups = [list(group) for group in groups]
        self.outcomes = outcomes
        self.runs: dict[int, Run] = {}  # column -> the run going in it

    def compose(self) -> ComposeResult:
        yield Static(Text(self.heading, style="bold"), id="prepush-title")
        table: DataTable[str | Text] = DataTable(id="prepush-decisions", cursor_type="row")
        yield table
        with Horizontal(id="prepush-runs"):
            for i, _ in enumerate(self.groups):
                yield RunColumn("workflow", numbers=(2 * i + 1, 2 * i + 2), id=f"prepush-{i}")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#prepush-decisions", DataTable)
        table.add_columns("workflow", "triggered", "why")
        yes, no = status("success"), status("skipped")
        for d in self.decisions:
            row = yes if d.triggered else no
            mark = Text(f"{row.glyph} {'yes' if d.triggered else 'no'}", row.style)
            table.add_row(Text(d.workflow), mark, Text(d.reason))
        for i, group in enumerate(self.groups):
            self.run_worker(self._group(i, group), group=f"prepush-{i}", exit_on_error=False)

    def column(self, i: int) -> RunColumn:
        return self.query_one(f"#prepush-{i}", RunColumn)

    async def _group(self, i: int, group: Sequence[Start]) -> None:
        for name, start in group:
            column = self.column(i)
            column.begin(name)
            try:
                run = await asyncio.to_thread(start)
            except PipedeckError as exc:
                column.fail_to_start(exc.message)
                self.outcomes.ended.append(Ended(name, exc.exit_code))
                continue
            self.runs[i] = run
            column.attach(run.record)
            code = EXIT_CANCELLED
            try:
                await stream_run(run, str(i), self.post_message)
                code = run.state.exit_code if run.state.exit_code is not None else code
            finally:
                self.runs.pop(i, None)
                self.outcomes.ended.append(Ended(name, code, run))
            if code == EXIT_CANCELLED:
                return

    def on_event_batch(self, message: EventBatch) -> None:
        self.column(int(message.side)).apply(message.events)

    async def stop_all(self) -> None:
        await asyncio.gather(*(run.cancel() for run in list(self.runs.values())))
        for worker in list(self.workers):
            if worker.group.startswith("prepush-"):
                await worker.wait()

    async def action_stop(self) -> None:
        if not self.runs:
            self.notify("nothing is running", timeout=3)
            return
        self.notify("stopping the runs…", timeout=3)
        await self.stop_all()

    async def action_quit(self) -> None:
        if not self.runs:
            self.app.exit()
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                self.notify("stopping the runs…", timeout=10)
                await self.stop_all()
                self.app.exit()

        question = f"Stop {len(self.runs)} running workflow(s) and quit?"
        self.app.push_screen(ConfirmScreen(question, yes="Stop and quit"), answered)
