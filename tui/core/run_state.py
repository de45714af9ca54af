"""The one fold of a run's events into what every view shows: nodes with their statuses and
durations, log lines, metrics and artifacts.

The CLI's live tree and summary, ``show``, ``logs``, the TUI's run columns and history replay,
the demo's summary and the run lifecycle itself all read a :class:`RunState`. It is
incremental: :meth:`RunState.apply` takes one event, :meth:`RunState.apply_all` a batch.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tui.core import events as ev
from tui.core.statuses import NOT_RUN, PAUSED, PENDING, RUNNING, is_done

PATH_SEPARATOR = " › "


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line a user reads: which node wrote it, on which stream."""

    node_id: str
    stream: str
    text: str


@dataclass(frozen=True)
class PlannedNode:
    """A node known before it starts (from the workflow YAML or the compiled pipeline)."""

    node_id: str
    name: str
    kind: str
    parent_id: str = ""
    needs: tuple[str, ...] = ()  # the node ids it waits for (its siblings'), for the DAG
    note: str = ""  # what decides whether or how it runs: ``if …``, ``ParallelFor``


@dataclass
class NodeState:
    node_id: str
    name: str
    kind: str
    parent_id: str = ""
    status: str = PENDING
    duration: float | None = None
    matrix: Mapping[str, Any] | None = None
    iteration: int | None = None
    display_name: str = ""  # a pipeline task's display name, shown beside its name
    seq: int = 0  # order in which nodes became known
    started_seq: int = -1  # order in which nodes started (-1: never)
    log_lines: int = 0

    @property
    def done(self) -> bool:
        return is_done(self.status)

    @property
    def title(self) -> str:
        """The name on one line (act names a step by its whole script), a display name
        beside it."""
        first = self.name.strip().splitlines()[0] if self.name.strip() else ""
        title = first or self.node_id
        return f"{title} · {self.display_name}" if self.display_name else title


@dataclass(frozen=True, slots=True)
class LogBlock:
    """Consecutive lines of one node and stream, as one event carries them: ``text`` holds
    them joined by newlines. A view that shows many lines keeps them so, not line by line."""

    node_id: str
    stream: str
    text: str

    def lines(self) -> list[LogLine]:
        return [LogLine(self.node_id, self.stream, part) for part in self.text.split("\n")]


def log_block(event: ev.Event) -> LogBlock | None:
    """The lines an event adds to a run's log: a ``log`` event's lines (one event may carry
    several), and the error a run finished with. The store's line index counts the same."""
    if isinstance(event, ev.Log):
        return LogBlock(event.node_id, event.stream, event.text)
    if isinstance(event, ev.RunFinished) and event.error:
        return LogBlock("", "system", f"run {event.status}: {event.error}")
    return None


def log_lines(event: ev.Event) -> list[LogLine]:
    """:func:`log_block`'s lines, one by one."""
    block = log_block(event)
    return [] if block is None else block.lines()


def merge_logs(events: list[ev.Event]) -> list[ev.Event]:
    """Consecutive ``log`` events of one node and stream as one."""
    out: list[ev.Event] = []
    pending: list[str] = []
    first: ev.Log | None = None
    for event in events:
        if isinstance(event, ev.Log):
            if first is not None and (event.node_id, event.stream) == (first.node_id, first.stream):
                pending.append(event.text)
                continue
            if first is not None:
                out.append(_joined(first, pending))
            first, pending = event, [event.text]
            continue
        if first is not None:
            out.append(_joined(first, pending))
            first, pending = None, []
        out.append(event)
    if first is not None:
        out.append(_joined(first, pending))
    return out


def _joined(first: ev.Log, texts: list[str]) -> ev.Log:
    if len(texts) == 1:
        return first
    return ev.Log(
        run_id=first.run_id,
        ts=first.ts,
        node_id=first.node_id,
        stream=first.stream,
        text="\n".join(texts),
    )


def log_line_count(event: ev.Event) -> int:
    """``len(log_lines(event))``, without making the lines (the store's hot path)."""
    if isinstance(event, ev.Log):
        return event.text.count("\n") + 1
    if isinstance(event, ev.RunFinished) and event.error:
        return event.error.count("\n") + 1
    return 0


@dataclass
class Changes:
    """What a batch changed: its log lines (as the blocks its events carry them in), the
    nodes whose status or name changed, and whether the run finished in it."""

    blocks: list[LogBlock] = field(default_factory=list)
    nodes: set[str] = field(default_factory=set)
    finished: bool = False

    @property
    def lines(self) -> list[LogLine]:
        """The batch's log lines, one by one (made when asked for)."""
        return [line for block in self.blocks for line in block.lines()]


class RunState:
    """Everything known about one run, folded from its events."""

    def __init__(self, kind: str = "", *, log_window: int = 0) -> None:
        self.kind = kind
        self.run_id = ""
        self.target = ""
        self.mode = ""
        self.argv: tuple[str, ...] = ()
        self.started: datetime | None = None
        self.status = ""  # "" before the run starts; then running, then run.finished's
        self.exit_code: int | None = None
        self.error = ""
        self.duration: float | None = None
        self.nodes: dict[str, NodeState] = {}
        self.metrics: list[ev.Metric] = []
        self.artifacts: list[ev.Artifact] = []
        self.log_count = 0
        # Kept only when asked for (log_window > 0): the newest lines; the store has them all.
        self.log: deque[LogLine] = deque(maxlen=log_window or 0)
        self._children: dict[str, list[str]] = {}
        self._started_count = 0

    @classmethod
    def of(cls, events: Iterable[ev.Event], *, log_window: int = 0) -> RunState:
        state = cls(log_window=log_window)
        for event in events:
            state.apply(event)
        return state

    # -- folding ------------------------------------------------------------------------------

    def plan(self, planned: Iterable[PlannedNode]) -> None:
        """Nodes that will run, drawn before they start (``pending``)."""
        for p in planned:
            self._node(p.node_id, p.name, p.kind, p.parent_id)

    def apply_all(self, events: Iterable[ev.Event]) -> Changes:
        changes = Changes()
        for event in events:
            self.apply(event, changes)
        return changes

    def apply(self, event: ev.Event, changes: Changes | None = None) -> None:
        if isinstance(event, ev.Log):
            count = log_line_count(event)  # the lines themselves are made only when kept
            if self.log.maxlen:
                self.log.extend(log_lines(event))
            if changes is not None:
                changes.blocks.append(LogBlock(event.node_id, event.stream, event.text))
            self.log_count += count
            node = self.nodes.get(event.node_id)
            if node is not None:
                node.log_lines += count
        elif isinstance(event, ev.NodeStarted):
            node = self._node(event.node_id, event.name, event.kind, event.parent_id)
            node.name, node.status = event.name, RUNNING
            node.matrix, node.iteration = event.matrix, event.iteration
            node.display_name = event.display_name
            node.started_seq = self._started_count
            self._started_count += 1
            if changes is not None:
                changes.nodes.add(node.node_id)
        elif isinstance(event, ev.NodeFinished):
            node = self._node(event.node_id, event.name, event.kind, event.parent_id)
            node.status, node.duration = event.status, event.duration
            if changes is not None:
                changes.nodes.add(node.node_id)
        elif isinstance(event, ev.NodePaused | ev.NodeResumed):
            node = self.nodes.get(event.node_id)
            if node is not None and node.status in (RUNNING, PAUSED):
                node.status = PAUSED if isinstance(event, ev.NodePaused) else RUNNING
                if changes is not None:
                    changes.nodes.add(node.node_id)
        elif isinstance(event, ev.Metric):
            self.metrics.append(event)
        elif isinstance(event, ev.Artifact):
            self.artifacts.append(event)
        elif isinstance(event, ev.RunStarted):
            self.run_id, self.kind, self.target = event.run_id, event.kind, event.target
            self.mode, self.argv, self.started = event.mode, event.argv, event.ts
            self.status = RUNNING
        elif isinstance(event, ev.RunFinished):
            self.run_id = self.run_id or event.run_id
            self.status, self.exit_code = event.status, event.exit_code
            self.error, self.duration = event.error, event.duration
            block = log_block(event)
            self.log_count += log_line_count(event)
            if self.log.maxlen and block is not None:
                self.log.extend(block.lines())
            for node in self.nodes.values():  # planned, and the run ended before they started
                if node.status == PENDING:
                    node.status = NOT_RUN
                    if changes is not None:
                        changes.nodes.add(node.node_id)
            if changes is not None:
                if block is not None:
                    changes.blocks.append(block)
                changes.finished = True

    def _node(self, node_id: str, name: str, kind: str, parent_id: str) -> NodeState:
        node = self.nodes.get(node_id)
        if node is None:
            node = NodeState(node_id, name, kind, parent_id, seq=len(self.nodes))
            self.nodes[node_id] = node
            self._children.setdefault(parent_id, []).append(node_id)
        return node

    # -- reading ------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.status not in ("", RUNNING)

    def children(self, parent_id: str) -> Iterator[NodeState]:
        return (self.nodes[c] for c in self._children.get(parent_id, ()))

    def roots(self) -> list[NodeState]:
        """Top-level nodes (jobs, top tasks), and nodes whose parent never appeared."""
        return [n for n in self.nodes.values() if not n.parent_id or n.parent_id not in self.nodes]

    def open_nodes(self) -> list[NodeState]:
        """Nodes started and not finished, in the order they started."""
        running = [n for n in self.nodes.values() if n.status == RUNNING]
        return sorted(running, key=lambda n: n.started_seq)

    def innermost_open(self) -> NodeState | None:
        """The open node that was running when the run broke: the deepest open node with no
        open child (a step before a job), the newest started among equals."""
        running = self.open_nodes()
        parents = {n.parent_id for n in running}
        leaves = [n for n in running if n.node_id not in parents]
        if not leaves:
            return None
        return max(leaves, key=lambda n: (len(self.ancestors(n.node_id)), n.started_seq))

    def ancestors(self, node_id: str) -> list[NodeState]:
        out: list[NodeState] = []
        node = self.nodes.get(node_id)
        seen = {node_id}
        while node is not None and node.parent_id and node.parent_id not in seen:
            seen.add(node.parent_id)
            node = self.nodes.get(node.parent_id)
            if node is not None:
                out.append(node)
        return out

    def path(self, node_id: str) -> str:
        """``job › step`` as the CLI prefixes log lines; the id when the node is unknown."""
        node = self.nodes.get(node_id)
        if node is None:
            return node_id
        parts = [a.title for a in reversed(self.ancestors(node_id))]
        return PATH_SEPARATOR.join([*parts, node.title])

    def scope(self, node_id: str) -> set[str]:
        """``node_id`` and every node below it."""
        out: set[str] = set()
        stack = [node_id]
        while stack:
            current = stack.pop()
            if current in out:
                continue
            out.add(current)
            stack.extend(self._children.get(current, ()))
        return out

    def find(self, wanted: str) -> list[NodeState]:
        """Nodes whose id, name or one-line title is ``wanted``."""
        return [n for n in self.nodes.values() if wanted in (n.node_id, n.name, n.title)]

    def failing_node(self) -> str | None:
        """The node a user wants to see after a failure: the failed step of a failed job
        (a step that failed under ``continue-on-error`` in a passing job is not it)."""
        failed = [n for n in self.nodes.values() if n.status == "failure"]
        for node in failed:
            parent = self.nodes.get(node.parent_id)
            if node.kind in ("step", "task") and (parent is None or parent.status == "failure"):
                return node.node_id
        return failed[0].node_id if failed else None

    def metric_series(self) -> dict[tuple[str, str], list[ev.Metric]]:
        """Metrics per (node, name), in the order reported."""
        series: dict[tuple[str, str], list[ev.Metric]] = {}
        for metric in self.metrics:
            series.setdefault((metric.node_id, metric.name), []).append(metric)
        return series

    def last_metrics(self) -> dict[str, ev.Metric]:
        """The last value reported under each metric name."""
        return {metric.name: metric for metric in self.metrics}
