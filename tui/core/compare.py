"""Two stored runs side by side (``pipedeck diff A B``, the history screen's comparison): per
node its status and duration in each run, each metric's last value in each, and the
artifacts whose content changed.

Each run is folded by the one run state (:mod:`tui.core.run_state`). Nodes are matched by id
(a job's or step's id, a task's name); a node in one run only is ``added`` (in B) or
``removed`` (only in A). Metrics are matched by node and name, their last value compared.
Artifacts are matched by node and name (several of one name, in the order reported) and told
apart by their content's sha256 (``Artifact.sha256``): a side without one is ``unknown``.
Runs of different kinds or targets can be compared; the header line says they differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from tui.core import events as ev
from tui.core.run_state import RunState
from tui.core.statuses import shown_status
from tui.core.store import RunMeta, RunRecord

NodeChange = Literal["same", "status", "added", "removed"]
ArtifactChange = Literal["changed", "unknown", "added", "removed"]


@dataclass(frozen=True)
class Side:
    """One run of the two, as its header shows it."""

    run_id: str
    kind: str
    target: str
    mode: str
    status: str
    duration: float | None

    @classmethod
    def of(cls, meta: RunMeta) -> Side:
        status = shown_status(meta.status, meta.mode)
        return cls(meta.run_id, meta.kind, meta.target, meta.mode, status, meta.duration)


@dataclass(frozen=True)
class NodeDelta:
    node_id: str
    title: str  # the node's one-line name (B's where it is in B)
    kind: str
    depth: int  # how many ancestors it has: views indent by it
    change: NodeChange
    status_a: str | None  # None: not in that run
    status_b: str | None
    duration_a: float | None
    duration_b: float | None

    @property
    def duration_delta(self) -> float | None:
        if self.duration_a is None or self.duration_b is None:
            return None
        return self.duration_b - self.duration_a


@dataclass(frozen=True)
class MetricDelta:
    node_id: str
    node: str  # the node's path (``job › step``), '' for the run's own metrics
    name: str
    a: float | None  # the last value in A; None: A has no such metric
    b: float | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a


@dataclass(frozen=True)
class ArtifactDelta:
    node_id: str
    node: str
    name: str
    change: ArtifactChange
    sha256_a: str | None
    sha256_b: str | None
    uri_a: str
    uri_b: str

    def cells(self, digits: int) -> tuple[str, str, str, str, str]:
        """name, node, change and both sha256s cut to ``digits``: a row of a table of them."""
        a, b = (self.sha256_a or "-")[:digits], (self.sha256_b or "-")[:digits]
        return self.name, self.node or "(run)", self.change, a, b


@dataclass(frozen=True)
class Comparison:
    a: Side
    b: Side
    nodes: list[NodeDelta]
    metrics: list[MetricDelta]
    artifacts: list[ArtifactDelta]  # only those whose content changed, or may have
    same_artifacts: int = 0  # artifacts of the same content in both
    notes: list[str] = field(default_factory=list)  # lines skipped in events.jsonl

    @property
    def differs(self) -> str:
        """What sets the runs apart beyond their results ('' when kind and target agree)."""
        if self.a.kind != self.b.kind:
            return f"different kinds: {self.a.kind} vs {self.b.kind}"
        if self.a.target != self.b.target:
            return f"different targets: {self.a.target} vs {self.b.target}"
        return ""

    def header(self) -> str:
        """One line: which runs, from A to B; what differs beyond the results."""
        a, b = self.a, self.b
        what = f"{a.kind} {a.target}" if not self.differs else "runs"
        line = f"{what}: {a.run_id} ({a.status}) → {b.run_id} ({b.status})"
        return f"{line} — {self.differs}" if self.differs else line

    def counts(self) -> str:
        """``2 nodes changed status, 1 added · 3 metrics · 1 artifact changed`` and so on."""
        tally: dict[str, int] = {}
        for node in self.nodes:
            tally[node.change] = tally.get(node.change, 0) + 1
        parts = [
            f"{tally[k]} {label}"
            for k, label in (
                ("status", "changed status"),
                ("added", "added"),
                ("removed", "removed"),
            )
            if tally.get(k)
        ]
        nodes = _plural(len(self.nodes), "node") + (
            f" ({', '.join(parts)})" if parts else ", none changed"
        )
        changed = sum(1 for x in self.artifacts if x.change == "changed")
        unknown = sum(1 for x in self.artifacts if x.change == "unknown")
        arts = f"{_plural(changed, 'artifact')} changed"
        if unknown:
            arts += f", {unknown} unknown"
        if self.same_artifacts:
            arts += f", {self.same_artifacts} the same"
        moved = sum(1 for m in self.metrics if m.delta)
        return f"{nodes} · {_plural(len(self.metrics), 'metric')} ({moved} moved) · {arts}"

    def to_json(self) -> dict[str, Any]:
        def side(s: Side) -> dict[str, Any]:
            return {
                "run_id": s.run_id,
                "kind": s.kind,
                "target": s.target,
                "mode": s.mode,
                "status": s.status,
                "duration": s.duration,
            }

        return {
            "a": side(self.a),
            "b": side(self.b),
            "differs": self.differs,
            "nodes": [
                {
                    "id": n.node_id,
                    "name": n.title,
                    "kind": n.kind,
                    "depth": n.depth,
                    "change": n.change,
                    "status": [n.status_a, n.status_b],
                    "duration": [n.duration_a, n.duration_b],
                    "duration_delta": n.duration_delta,
                }
                for n in self.nodes
            ],
            "metrics": [
                {"node": m.node_id, "name": m.name, "a": m.a, "b": m.b, "delta": m.delta}
                for m in self.metrics
            ],
            "artifacts": [
                {
                    "node": x.node_id,
                    "name": x.name,
                    "change": x.change,
                    "sha256": [x.sha256_a, x.sha256_b],
                    "uri": [x.uri_a, x.uri_b],
                }
                for x in self.artifacts
            ],
            "same_artifacts": self.same_artifacts,
        }


def compare_records(a: RunRecord, b: RunRecord) -> Comparison:
    """Read both runs' events (a torn or undecodable line is skipped, and noted)."""
    states, notes = [], []
    for record in (a, b):
        stored = record.events()
        states.append(RunState.of(stored))
        if stored.note():
            notes.append(stored.note())
    found = compare(a.meta, states[0], b.meta, states[1])
    return Comparison(
        found.a, found.b, found.nodes, found.metrics, found.artifacts, found.same_artifacts, notes
    )


def compare(meta_a: RunMeta, a: RunState, meta_b: RunMeta, b: RunState) -> Comparison:
    arts, same = _artifacts(a, b)
    return Comparison(
        Side.of(meta_a), Side.of(meta_b), _nodes(meta_a, a, meta_b, b), _metrics(a, b), arts, same
    )


def _walk(state: RunState) -> Iterator[str]:
    """Node ids parents first, each node's children in the order they became known."""
    stack = [n.node_id for n in reversed(state.roots())]
    seen: set[str] = set()
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        yield node_id
        stack.extend(c.node_id for c in reversed(list(state.children(node_id))))


def _order(a: RunState, b: RunState) -> list[str]:
    """A's nodes in tree order, each node only B has put after the node B has before it."""
    merged = list(_walk(a))
    where = {node_id: i for i, node_id in enumerate(merged)}
    previous: str | None = None
    for node_id in _walk(b):
        if node_id not in where:
            at = where[previous] + 1 if previous is not None else 0
            merged.insert(at, node_id)
            where = {n: i for i, n in enumerate(merged)}
        previous = node_id
    return merged


def _nodes(meta_a: RunMeta, a: RunState, meta_b: RunMeta, b: RunState) -> list[NodeDelta]:
    out = []
    for node_id in _order(a, b):
        in_a, in_b = a.nodes.get(node_id), b.nodes.get(node_id)
        node = in_b or in_a
        assert node is not None
        depth = len((b if in_b else a).ancestors(node_id))
        status_a = shown_status(in_a.status, meta_a.mode) if in_a else None
        status_b = shown_status(in_b.status, meta_b.mode) if in_b else None
        change: NodeChange = (
            "added"
            if in_a is None
            else "removed"
            if in_b is None
            else "status"
            if status_a != status_b
            else "same"
        )
        out.append(
            NodeDelta(
                node_id,
                node.title,
                node.kind,
                depth,
                change,
                status_a,
                status_b,
                in_a.duration if in_a else None,
                in_b.duration if in_b else None,
            )
        )
    return out


def _metrics(a: RunState, b: RunState) -> list[MetricDelta]:
    last_a = {key: series[-1].value for key, series in a.metric_series().items()}
    last_b = {key: series[-1].value for key, series in b.metric_series().items()}
    keys = list(dict.fromkeys([*last_a, *last_b]))
    return [
        MetricDelta(node_id, _path(a, b, node_id), name, last_a.get(key), last_b.get(key))
        for key in keys
        for node_id, name in (key,)
    ]


def _artifacts(a: RunState, b: RunState) -> tuple[list[ArtifactDelta], int]:
    """Artifacts whose content changed, may have (a side without a sha256), or that only
    one run has; and how many are the same."""
    by_a: dict[tuple[str, str], list[ev.Artifact]] = {}
    by_b: dict[tuple[str, str], list[ev.Artifact]] = {}
    for state, by in ((a, by_a), (b, by_b)):
        for artifact in state.artifacts:
            by.setdefault((artifact.node_id, artifact.name), []).append(artifact)
    out, same = [], 0
    for key in dict.fromkeys([*by_a, *by_b]):
        left, right = by_a.get(key, []), by_b.get(key, [])
        for i in range(max(len(left), len(right))):
            x = left[i] if i < len(left) else None
            y = right[i] if i < len(right) else None
            change = _change(x, y)
            if change is None:
                same += 1
                continue
            out.append(
                ArtifactDelta(
                    key[0],
                    _path(a, b, key[0]),
                    key[1],
                    change,
                    x.sha256 if x else None,
                    y.sha256 if y else None,
                    x.uri if x else "",
                    y.uri if y else "",
                )
            )
    return out, same


def _change(x: ev.Artifact | None, y: ev.Artifact | None) -> ArtifactChange | None:
    if x is None:
        return "added"
    if y is None:
        return "removed"
    if not x.sha256 or not y.sha256:
        return "unknown"
    return None if x.sha256 == y.sha256 else "changed"


def _path(a: RunState, b: RunState, node_id: str) -> str:
    if not node_id:
        return ""
    return (b if node_id in b.nodes else a).path(node_id)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def signed(value: float | None, unit: str = "") -> str:
    """A delta as a user reads it: ``+1.2s``, ``-0.0133``, ``±0``; ``-`` when unknown."""
    if value is None:
        return "-"
    shown = f"{value:+.1f}" if unit == "s" else f"{value:+.4g}"
    if float(shown) == 0:  # nothing that shows: no sign
        return f"±0{unit}"
    return f"{shown}{unit}"


def number(value: float | None) -> str:
    """A metric's value: four significant digits, ``-`` when the run has none."""
    return "-" if value is None else f"{value:.4g}"
