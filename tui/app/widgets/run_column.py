"""One side of the centre: a run's header, its live node tree (or its DAG, ``g``) above its log
pane. The header says the run's status first, and when the run is watch mode's
(``⟳ watching``) and why it ran; it wraps rather than cut. The tree takes the lines it needs (up
to a half), the log the rest."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from tui.app.widgets.dag_view import DagView
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
        & > .run-header { height: auto; max-height: 3; padding: 0 1; background: $panel; }
        & > RunTree, & > DagView {
            height: auto; min-height: 3; max-height: 50%; border: round $panel-lighten-2;
        }
        & > DagView { display: none; }
        &.-dag > DagView { display: block; }
        &.-dag > RunTree { display: none; }
        & > LogPane { height: 1fr; min-height: 5; border: round $panel-lighten-2; }
        & > RunTree:focus-within, & > DagView:focus, & > LogPane:focus-within {
            border: round $primary;
        }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "toggle_dag", "DAG", tooltip="The run's tree or its DAG"),
    ]

    class StatusShown(Message):
        """The column's run changed status or target (for a tab that names the side)."""

        def __init__(self, column: RunColumn) -> None:
            super().__init__()
            self.column = column

        @property
        def control(self) -> RunColumn:
            return self.column

    class Began(StatusShown):
        """A run starts in the column (a layout showing one side at a time shows this one)."""

    def __init__(self, kind: str, *, numbers: tuple[int, int], id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = kind
        self.numbers = numbers
        self.model = RunState(kind)
        self._scope_id = ""  # the node whose log is shown ("": the whole run)
        self._started_at: float | None = None
        self.record: RunRecord | None = None  # the shown run's record, once it is known
        self.watch_reason: str | None = None  # watch mode's run: why it ran ("": not known yet)
        self.planned: tuple[PlannedNode, ...] = ()  # the run's plan, for the DAG
        self._shown_status: tuple[str, str] = ("", "")
        self._header_size = 0

    def compose(self) -> ComposeResult:
        yield Static("", classes="run-header")
        tree = RunTree(id=f"{self.kind}-tree")
        tree.border_title = f"[{self.numbers[0]}] {TITLES[self.kind]}"
        yield tree
        dag = DagView(id=f"{self.kind}-dag")
        dag.border_title = f"[{self.numbers[0]}] {TITLES[self.kind]} · DAG"
        yield dag
        pane = LogPane(id=f"{self.kind}-log", namer=lambda node_id: self.model.path(node_id))
        pane.border_title = f"[{self.numbers[1]}] {self.kind} log"
        yield pane

    @property
    def run_tree(self) -> RunTree:
        return self.query_one(RunTree)

    @property
    def dag_view(self) -> DagView:
        return self.query_one(DagView)

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
        self.planned = tuple(planned)
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
        self._sync_dag()
        self.post_message(self.Began(self))

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
        before = self._pane_lines()
        self.run_tree.sync(self.model, changes.nodes)
        if changes.nodes or changes.finished:
            self._sync_dag()
        if self._pane_lines() != before:  # the tree takes more lines: the log fewer
            self.call_after_refresh(self._keep_following)
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
    @on(DagView.NodeChosen)
    def _node_chosen(self, event: RunTree.NodeChosen | DagView.NodeChosen) -> None:
        event.stop()
        if event.node_id == self._scope_id:
            return
        self._scope_id = event.node_id
        scope = self.model.scope(event.node_id) if event.node_id else None
        self.log_pane.view.set_scope(scope)
        node = self.model.nodes.get(event.node_id)
        self.log_pane.set_scope(node.name if node else "whole run")

    # -- tree or DAG -----------------------------------------------------------------------------

    @property
    def showing_dag(self) -> bool:
        return self.has_class("-dag")

    def action_toggle_dag(self) -> None:
        """Show the run's DAG in place of its tree, or the tree again; the cursor stays."""
        focused = self.screen.focused
        had_focus = focused is self.run_tree or focused is self.dag_view
        self.toggle_class("-dag")
        self.call_after_refresh(self._keep_following)  # the pane above changed its height
        if self.showing_dag:
            self._sync_dag()
            self.dag_view.select(self._scope_id)
            if had_focus:
                self.dag_view.focus()
        else:
            if self._scope_id:
                self.run_tree.select_node_id(self._scope_id)
            if had_focus:
                self.run_tree.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # the pane's number focuses the tree: while the DAG is shown, it means the DAG
        if self.showing_dag and event.widget is self.run_tree:
            self.dag_view.focus()

    def _pane_lines(self) -> tuple[int, int]:
        return self.run_tree.last_line, self.dag_view.virtual_size.height

    def _keep_following(self) -> None:
        """A log that followed its end before the tree grew still shows its last line."""
        view = self.log_pane.view
        if view.follow:
            view.action_follow()

    def _sync_dag(self) -> None:
        if self.showing_dag:
            self.dag_view.show(self._graph_plan(), self.model, "whole run")

    def _graph_plan(self) -> Sequence[PlannedNode]:
        """The run's plan; for a run begun without one (the demo's, a stored run's), the plan
        of the project's target of that name; else the run's top nodes, without edges."""
        if self.planned:
            return self.planned
        from tui.app.widgets.project_tree import ProjectTree
        from tui.core.workflows.discovery import planned_nodes

        for tree in self.screen.query(ProjectTree):
            target = tree.targets.get(self.model.target)
            if target is not None and target.pipeline is not None:
                return target.pipeline.planned
            if target is not None and target.workflow is not None:
                return planned_nodes(target.workflow, target.job)
        return [
            PlannedNode(n.node_id, n.name, n.kind) for n in self.model.roots() if n.kind != "step"
        ]

    # -- the header ------------------------------------------------------------------------------

    def _tick(self) -> None:
        if self._started_at is not None:
            self._update_header()

    def _update_header(self) -> None:
        model = self.model
        header = Text()
        if not model.target:
            header.append(f"no {self.kind} run", style="dim")
        else:  # the status first: a narrow column wraps the rest
            header.append_text(status_icon(model.status))
            header.append(f" {model.status}")
            parts: list[tuple[str, str]] = [(model.target, "bold")]
            if model.mode:
                parts.append((model.mode, "dim"))
            if self.watch_reason is not None:
                reason = f" · {self.watch_reason}" if self.watch_reason else ""
                parts.append((WATCHING + reason, "bold cyan"))
            duration = model.duration
            if self._started_at is not None:
                duration = time.monotonic() - self._started_at
            if duration is not None:
                parts.append((format_duration(duration), "dim"))
            if model.run_id:
                parts.append((model.run_id, "dim"))
            for text, style in parts:  # the gaps unstyled: a screenshot keeps them
                header.append("  ")
                header.append(text, style=style)
        # a new length may need another line (the header wraps); a tick of the clock does not
        size, self._header_size = self._header_size, len(header)
        self.query_one(".run-header", Static).update(header, layout=size != len(header))
        shown = (model.status, model.target)
        if shown != self._shown_status:
            self._shown_status = shown
            self.post_message(self.StatusShown(self))
        if model.target:
            self.run_tree.set_title(Text.assemble(status_icon(model.status), " whole run"))
