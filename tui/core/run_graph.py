"""The DAG of a run's plan, as the DAG views draw it: one node per job (matrix leg) or per
pipeline task, edges by ``needs``, each node's live status from the run's one fold.

A pipeline's groups (``dsl.If`` branches, ``ParallelFor`` loops, exit handlers) are not
nodes of their own: their tasks are, with the group's dependencies (a group's first tasks
wait for what the group waits for; what waits for a group waits for its last tasks) and a note
saying what decides them (``if drift-check.output > drift_threshold``). A loop's task stands for
all its iterations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tui.core import dag
from tui.core.run_state import PlannedNode, RunState
from tui.core.statuses import NOT_RUN, PAUSED, PENDING, RUNNING

_ITERATION = re.compile(r"/iteration-\d+(?=/|$)")
# a node standing for several (a loop's iterations): the first of these any of them has
_PRECEDENCE = (PAUSED, RUNNING, "failure", "cancelled", "interrupted", NOT_RUN, PENDING)


@dataclass(frozen=True)
class GraphNode:
    id: str
    name: str
    needs: tuple[str, ...] = ()
    note: str = ""


def plan_graph(planned: Sequence[PlannedNode]) -> list[GraphNode]:
    """The plan's jobs or tasks (groups resolved into their tasks), in the plan's order."""
    by_id = {p.node_id: p for p in planned}
    children: dict[str, list[PlannedNode]] = {}
    for p in planned:
        children.setdefault(p.parent_id if p.parent_id in by_id else "", []).append(p)

    def is_group(node: PlannedNode) -> bool:
        return node.kind == "group" and bool(children.get(node.node_id))

    def last(node: PlannedNode) -> list[str]:
        """A group's last tasks (that nothing inside it waits for); a task's own id."""
        if not is_group(node):
            return [node.node_id]
        inner = children[node.node_id]
        needed = {n for c in inner for n in c.needs}
        return [i for c in inner if c.node_id not in needed for i in last(c)]

    def waits_for(node: PlannedNode) -> list[str]:
        if node.needs:
            return [i for n in node.needs if n in by_id for i in last(by_id[n])]
        parent = by_id.get(node.parent_id)
        return waits_for(parent) if parent is not None else []

    def note(node: PlannedNode) -> str:
        notes: list[str] = []
        current: PlannedNode | None = node
        while current is not None:
            if current.note:
                notes.append(current.note)
            current = by_id.get(current.parent_id)
        return "; ".join(reversed(notes))

    return [
        GraphNode(p.node_id, p.name, tuple(dict.fromkeys(waits_for(p))), note(p))
        for p in planned
        if not is_group(p)
    ]


def node_statuses(
    graph: Sequence[GraphNode], planned: Sequence[PlannedNode], model: RunState
) -> dict[str, str]:
    """Each graph node's status now: its own; a loop task's from all its iterations; a task
    that never ran in a branch not taken (a skipped group) is skipped."""
    iterations: dict[str, list[str]] = {}
    for node_id, node in model.nodes.items():
        plain = _ITERATION.sub("", node_id)
        if plain != node_id:
            iterations.setdefault(plain, []).append(node.status)
    parents = {p.node_id: p.parent_id for p in planned}
    out: dict[str, str] = {}
    for g in graph:
        if g.id in iterations:
            state = combined(iterations[g.id])
        else:
            own = model.nodes.get(g.id)
            state = own.status if own is not None else PENDING
        if state in (PENDING, NOT_RUN):
            parent = parents.get(g.id, "")
            while parent:
                group = model.nodes.get(parent)
                if group is not None and group.status == "skipped":
                    state = "skipped"
                    break
                parent = parents.get(parent, "")
        out[g.id] = state
    return out


def combined(statuses: Sequence[str]) -> str:
    """One status for several runs of a node: the most pressing; all done and some pending
    is still running; all skipped is skipped, else success."""
    present = set(statuses)
    if PENDING in present and present - {PENDING}:
        present.add(RUNNING)
    for name in _PRECEDENCE:
        if name in present:
            return name
    return "skipped" if present == {"skipped"} else "success"


def drawing(graph: Sequence[GraphNode], label: Callable[[GraphNode], str]) -> dag.Drawing:
    """The graph laid out, each node drawn as ``label(node)``."""
    return dag.draw([dag.Node(g.id, label(g), g.needs) for g in graph])


def notes(graph: Sequence[GraphNode], drawn: dag.Drawing | None = None) -> list[tuple[str, str]]:
    """(name, note) of each node something decides (a condition, a loop), for a legend: in
    the drawing's reading order (row by row, left to right) when given."""
    decided = [g for g in graph if g.note]
    if drawn is not None:
        spot = {node: (p.row, p.col) for node, p in drawn.places.items()}
        decided.sort(key=lambda g: spot.get(g.id, (0, 0)))
    return [(g.name, g.note) for g in decided]
