"""What a run column knows about one run, built from its events (live or replayed).

Plain Python (no Textual): the nodes in the order they were planned or started, the run's
status, and a bounded window of its log lines. The full log stays in the run store.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from tui.core import events as ev

PENDING = "pending"
RUNNING = "running"
IDLE = "idle"
# Lines kept in memory per run; older ones are dropped (the store keeps them all).
LOG_WINDOW = 200_000


@dataclass
class NodeState:
    node_id: str
    name: str
    kind: str
    parent_id: str = ""
    status: str = PENDING
    duration: float | None = None

    @property
    def done(self) -> bool:
        return self.status not in (PENDING, RUNNING)


@dataclass(frozen=True, slots=True)
class LogLine:
    node_id: str
    stream: str
    text: str


@dataclass(frozen=True)
class PlannedNode:
    node_id: str
    name: str
    kind: str
    parent_id: str = ""


@dataclass
class RunModel:
    """One run on one side of the screen."""

    kind: str
    run_id: str = ""
    target: str = ""
    mode: str = ""
    started: datetime | None = None
    status: str = IDLE
    error: str = ""
    duration: float | None = None
    nodes: dict[str, NodeState] = field(default_factory=dict)
    metrics: list[ev.Metric] = field(default_factory=list)
    log_count: int = 0
    log: deque[LogLine] = field(default_factory=lambda: deque(maxlen=LOG_WINDOW))

    def plan(self, planned: Iterable[PlannedNode]) -> None:
        for p in planned:
            self.nodes.setdefault(p.node_id, NodeState(p.node_id, p.name, p.kind, p.parent_id))

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    def apply(self, events: Iterable[ev.Event]) -> tuple[list[LogLine], set[str]]:
        """Fold events in; returns the new log lines and the ids of nodes that changed."""
        lines: list[LogLine] = []
        changed: set[str] = set()
        for event in events:
            if isinstance(event, ev.Log):
                for part in event.text.split("\n"):
                    lines.append(LogLine(event.node_id, event.stream, part))
            elif isinstance(event, ev.NodeStarted):
                node = self.nodes.get(event.node_id)
                if node is None:
                    node = NodeState(event.node_id, event.name, event.kind, event.parent_id)
                    self.nodes[event.node_id] = node
                node.name, node.status = event.name, RUNNING
                changed.add(event.node_id)
            elif isinstance(event, ev.NodeFinished):
                node = self.nodes.get(event.node_id)
                if node is None:
                    node = NodeState(event.node_id, event.name, event.kind, event.parent_id)
                    self.nodes[event.node_id] = node
                node.status, node.duration = event.status, event.duration
                changed.add(event.node_id)
            elif isinstance(event, ev.Metric):
                self.metrics.append(event)
            elif isinstance(event, ev.RunStarted):
                self.run_id, self.target, self.mode = event.run_id, event.target, event.mode
                self.started = event.ts
                self.status = RUNNING
            elif isinstance(event, ev.RunFinished):
                self.status, self.error, self.duration = event.status, event.error, event.duration
                if event.error:
                    lines.append(LogLine("", "system", f"run {event.status}: {event.error}"))
        self.log_count += len(lines)
        self.log.extend(lines)
        return lines, changed

    def children(self, parent_id: str) -> Iterator[NodeState]:
        return (n for n in self.nodes.values() if n.parent_id == parent_id)

    def scope(self, node_id: str) -> set[str]:
        """``node_id`` and every node below it."""
        out = {node_id}
        grew = True
        while grew:
            grew = False
            for node in self.nodes.values():
                if node.parent_id in out and node.node_id not in out:
                    out.add(node.node_id)
                    grew = True
        return out

    def failing_node(self) -> str | None:
        """The node a user wants to see after a failure: the failed step of a failed job
        (a step that failed under ``continue-on-error`` in a passing job is not it)."""
        failed = [n for n in self.nodes.values() if n.status == "failure"]
        for node in failed:
            parent = self.nodes.get(node.parent_id)
            if node.kind in ("step", "task") and (parent is None or parent.status == "failure"):
                return node.node_id
        return failed[0].node_id if failed else None
