"""One side of the centre: a run's header, its live node tree above its log pane. The header
says when the run is watch mode's (``⟳ watching``) and why it ran."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.app.widgets.log_pane import LogPane
from tui.app.widgets.run_tree import RunTree, format_duration, status_icon
from tui.core import events as ev
from tui.core.log_index import StoredLog
from tui.core.run_state import LogLine, PlannedNode, RunState
from tui.core.statuses import RUNNING
from tui.core.store import RunRecord

TITLES = {"workflow": "workflow run", "pipeline": "pipeline run"}
WATCHING = "⟳ watching"


class RunColumn(Vertical):
    """Shows one run at a time; ``apply`` folds a batch of its events in."""

    DEFAULT_CSS = """
    RunColumn {
        width: 1fr;
        & > .run-header { height: 1; padding: 0 1; background: $panel; }
        & > RunTree { height: 2fr; border: round $panel-lighten-2; }
        & > LogPane { height: 3fr; border: round $panel-lighten-2; }
        & > RunTree:focus-within, & > LogPane:focus-within { border: round $primary; }
    }
    """

    def __init__(self, kind: str, *, numbers: tuple[int, int], id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = kind
        self.numbers = numbers
        self.model = RunState(kind)
        self._scope_id = ""  # the node whose log is shown ("": the whole run)
        self._started_at: float | None = None
        self.record: RunRecord | None = None  # the shown run's record, once it is known
        self.watch_reason: str | None = None  # watch mode's run: why it ran ("": not known yet)

    def compose(self) -> ComposeResult:
        yield Static("", classes="run-header")
        tree = RunTree(id=f"{self.kind}-tree")
        tree.border_title = f"[{self.numbers[0]}] {TITLES[self.kind]}"
        yield tree
        pane = LogPane(id=f"{self.kind}-log")
        pane.border_title = f"[{self.numbers[1]}] {self.kind} log"
        yield pane

    @property
    def run_tree(self) -> RunTree:
        return self.query_one(RunTree)

    @property
    def log_pane(self) -> LogPane:
        return self.query_one(LogPane)

    def on_mount(self) -> None:
        self.run_tree.start_over(f"no {self.kind} run yet — select one on the left and press r")
        self._update_header()
        self.set_interval(1.0, self._tick)

    # -- a run -----------------------------------------------------------------------------------

    def begin(self, target: str, planned: Sequence[PlannedNode] = ()) -> None:
        """A new run of ``target`` starts on this side (events follow)."""
        self.model = RunState(self.kind)
        self.model.target, self.model.status = target, RUNNING
        self.model.plan(planned)
        self._started_at = time.monotonic()
        self.record = None
        self.watch_reason = None
        self._scope_id = ""
        self.run_tree.start_over(target)
        self.run_tree.sync(self.model)
        self.log_pane.view.clear()
        self.log_pane.view.attach(None)
        self.log_pane.set_scope("whole run")
        self._update_header()

    def attach(self, record: RunRecord) -> None:
        """The run's record is known: older log lines can be read back from it."""
        self.record = record
        self.log_pane.view.attach(StoredLog(record.path))

    def set_watch(self, reason: str | None) -> None:
        """The run is watch mode's, run for ``reason`` (None: not watch mode's, or no more)."""
        self.watch_reason = reason
        self._update_header()

    def apply(self, events: Sequence[ev.Event]) -> None:
        changes = self.model.apply_all(events)
        self.run_tree.sync(self.model, changes.nodes)
        if self._scope_id and changes.nodes:
            self.log_pane.view.set_scope(self.model.scope(self._scope_id))
        self.log_pane.view.append_blocks(changes.blocks)
        if changes.finished:
            self._started_at = None
            failing = self.model.failing_node()
            if self.model.status == "failure" and failing:
                self.run_tree.select_node_id(failing)
        self._update_header()

    def show_stored(self, record: RunRecord, events: Sequence[ev.Event]) -> None:
        """Replay a stored run (from history) into this column."""
        self.begin(record.meta.target or "stored run")
        self.attach(record)
        self.apply(events)
        if not self.model.finished:  # it never finished
            self.model.status = record.meta.status
            self._started_at = None
            self._update_header()

    def fail_to_start(self, message: str) -> None:
        self._started_at = None
        self.model.status, self.model.error = "failure", message
        self.log_pane.view.append([LogLine("", "system", f"could not start the run: {message}")])
        self._update_header()

    # -- the log's scope -------------------------------------------------------------------------

    @on(RunTree.NodeChosen)
    def _node_chosen(self, event: RunTree.NodeChosen) -> None:
        event.stop()
        if event.node_id == self._scope_id:
            return
        self._scope_id = event.node_id
        scope = self.model.scope(event.node_id) if event.node_id else None
        self.log_pane.view.set_scope(scope)
        node = self.model.nodes.get(event.node_id)
        self.log_pane.set_scope(node.name if node else "whole run")

    # -- the header ------------------------------------------------------------------------------

    def _tick(self) -> None:
        if self._started_at is not None:
            self._update_header()

    def _update_header(self) -> None:
        model = self.model
        header = Text()
        if not model.target:
            header.append(f"no {self.kind} run", style="dim")
        else:
            header.append_text(status_icon(model.status))
            header.append(f" {model.target}", style="bold")
            if model.mode:
                header.append(f"  {model.mode}", style="dim")
            header.append(f"  {model.status}")
            if self.watch_reason is not None:
                watching = f"  {WATCHING}" + (
                    f" · {self.watch_reason}" if self.watch_reason else ""
                )
                header.append(watching, style="bold cyan")
            duration = model.duration
            if self._started_at is not None:
                duration = time.monotonic() - self._started_at
            if duration is not None:
                header.append(f"  {format_duration(duration)}", style="dim")
            if model.run_id:
                header.append(f"  {model.run_id}", style="dim")
        self.query_one(".run-header", Static).update(header, layout=False)  # one line, 1fr
        if model.target:
            self.run_tree.set_title(Text.assemble(status_icon(model.status), " whole run"))
