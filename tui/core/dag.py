"""A dependency graph (jobs by ``needs``, tasks by their dependencies) laid out in layers and
drawn as text with box-drawing edges, parents above their children.

The layout is the layered one (Sugiyama's): each node's layer is the longest path from a
node without needs; an edge that spans layers passes through a point in each layer between
(drawn ``│``); nodes in a layer are ordered by the mean position of their neighbours, a few
sweeps down and up; each edge's horizontal run gets a track (a row) between two layers, where
runs share a row only when they leave one parent or reach one child, so a shared line never
reads as an edge that is not there. A vertical line crossing another edge's run is drawn over
it (``─│─``), a junction as ``┬``/``┴``/``┼``.

No Textual, no Rich: a :class:`Drawing` is plain lines plus where each node's label sits, so
the CLI and the TUI style the labels (status glyphs) their own way.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tui.core.dag_canvas import Canvas, Edge, N, S, draw_edge
from tui.core.dag_canvas import tracks as edge_tracks
from tui.core.errors import BadInput

GAP = 3  # cells between two labels of a layer
SWEEPS = 4  # ordering sweeps (down then up) by neighbours' mean position


class DagCycle(BadInput):
    """The nodes depend on each other in a circle: there is no order to run them in."""

    def __init__(self, cycle: Sequence[str], what: str = "needs") -> None:
        super().__init__(f"a {what} cycle: {' → '.join(cycle)} (each needs the next)")
        self.cycle = tuple(cycle)


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    """Where a node's label is drawn: ``lines[row][col:col + width]`` (in cells)."""

    row: int
    col: int
    width: int


@dataclass(frozen=True)
class Drawing:
    # each row as runs of (text, node id): a node's label, or edges and blanks (id "")
    rows: tuple[tuple[tuple[str, str], ...], ...]
    places: Mapping[str, Place] = field(default_factory=dict)
    order: tuple[str, ...] = ()  # the nodes in topological order (by layer, then as given)
    layers: tuple[tuple[str, ...], ...] = ()

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple("".join(text for text, _ in row).rstrip() for row in self.rows)

    @property
    def width(self) -> int:
        return max((cells(line) for line in self.lines), default=0)


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# -- order -------------------------------------------------------------------------------------


def topological_order(
    ids: Sequence[str], needs: Mapping[str, Sequence[str]], what: str = "needs"
) -> list[str]:
    """``ids`` with every node after what it needs; ties keep the order of ``ids``. Needs
    that name no node of ``ids`` are ignored. A cycle raises :class:`DagCycle` naming it."""
    index = {node: i for i, node in enumerate(ids)}
    waiting = {node: {n for n in needs.get(node, ()) if n in index and n != node} for node in ids}
    for node in ids:
        if node in needs.get(node, ()):
            raise DagCycle([node, node], what)
    users: dict[str, list[str]] = {node: [] for node in ids}
    for node, wanted in waiting.items():
        for need in wanted:
            users[need].append(node)
    ready = [index[node] for node in ids if not waiting[node]]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        node = ids[heapq.heappop(ready)]
        out.append(node)
        for user in users[node]:
            waiting[user].discard(node)
            if not waiting[user]:
                heapq.heappush(ready, index[user])
    if len(out) < len(ids):
        raise DagCycle(_a_cycle({n: w for n, w in waiting.items() if w}), what)
    return out


def _a_cycle(waiting: Mapping[str, set[str]]) -> list[str]:
    """One cycle among nodes that all still wait (each has a need that waits too)."""
    node = min(waiting)
    seen: list[str] = []
    while node not in seen:
        seen.append(node)
        node = min(n for n in waiting[node] if n in waiting)
    return [*seen[seen.index(node) :], node]


def layer_of(order: Sequence[str], needs: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Each node's layer: the longest path to it from a node without needs (``order`` is
    topological)."""
    known = set(order)
    layer: dict[str, int] = {}
    for node in order:
        wanted = [layer[n] for n in needs.get(node, ()) if n in known]
        layer[node] = max(wanted, default=-1) + 1
    return layer


def layered_order(ids: Sequence[str], needs: Mapping[str, Sequence[str]]) -> list[str]:
    """Topological order by layer (what can run first, first), ties in the order of ``ids``."""
    order = topological_order(ids, needs)
    layer = layer_of(order, needs)
    index = {node: i for i, node in enumerate(ids)}
    return sorted(order, key=lambda n: (layer[n], index[n]))


def reduced(order: Sequence[str], needs: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Each node's needs less those another of its needs depends on (``order`` is
    topological): the transitive reduction."""
    above: dict[str, set[str]] = {}  # every node each node depends on, directly or not
    out: dict[str, list[str]] = {}
    for node in order:
        direct = list(needs.get(node, ()))
        implied = set().union(*(above[n] for n in direct)) if direct else set()
        out[node] = [n for n in direct if n not in implied]
        above[node] = implied | set(direct)
    return out


# -- layout ------------------------------------------------------------------------------------


@dataclass
class _Point:
    """A node, or a point a long edge passes through (``label`` is empty)."""

    id: str
    label: str
    layer: int
    ups: list[str] = field(default_factory=list)
    downs: list[str] = field(default_factory=list)
    x: int = 0

    @property
    def width(self) -> int:
        return cells(self.label) if self.label else 1

    @property
    def anchor(self) -> int:
        return self.x + (self.width - 1) // 2


def draw(nodes: Sequence[Node], *, reduce: bool = True) -> Drawing:
    """The graph of ``nodes`` (needs naming no node are ignored) as lines of text. With
    ``reduce``, an edge that another path already implies is left out (``c`` needs ``a`` and
    ``b``, ``b`` needs ``a``: no line from ``a`` to ``c``): the order is the same, the picture
    plainer. Layers always count every need."""
    if not nodes:
        return Drawing(())
    ids = [n.id for n in nodes]
    needs = {n.id: [m for m in dict.fromkeys(n.needs) if m in set(ids)] for n in nodes}
    order = layered_order(ids, needs)
    layer = layer_of(order, needs)
    if reduce:
        needs = reduced(order, needs)
    points = {n.id: _Point(n.id, n.label, layer[n.id]) for n in nodes}
    for child in order:
        for parent in needs[child]:
            _link(points, parent, child)
    rows = _rows(points, order)
    _order_rows(points, rows)
    _place(points, rows)
    return _render(points, rows, order)


def _link(points: dict[str, _Point], parent: str, child: str) -> None:
    """An edge, through one point per layer it spans (the long edges of one parent share
    their points: one line down, splitting where each ends)."""
    top, bottom = points[parent], points[child]
    upper = parent
    for depth in range(top.layer + 1, bottom.layer):
        point_id = f"\0{parent}\0{depth}"
        if point_id not in points:
            points[point_id] = _Point(point_id, "", depth, ups=[upper])
            points[upper].downs.append(point_id)
        upper = point_id
    points[upper].downs.append(child)
    bottom.ups.append(upper)


def _rows(points: Mapping[str, _Point], order: Sequence[str]) -> list[list[str]]:
    rank = {node: i for i, node in enumerate(order)}
    count = max(p.layer for p in points.values()) + 1
    rows: list[list[str]] = [[] for _ in range(count)]

    def key(point: _Point) -> tuple[float, str]:
        if point.label:
            return (rank[point.id], "")
        parent = point.id.split("\0")[1]
        return (rank[parent] + 0.5, point.id)

    for point in sorted(points.values(), key=key):
        rows[point.layer].append(point.id)
    return rows


def _order_rows(points: Mapping[str, _Point], rows: list[list[str]]) -> None:
    """Fewer crossings: each row sorted by the mean position of its neighbours (stable)."""

    def sweep(row: list[str], neighbours_row: list[str], up: bool) -> None:
        where = {node: i for i, node in enumerate(neighbours_row)}
        means: dict[str, float] = {}
        for node in row:
            spots = [where[n] for n in (points[node].ups if up else points[node].downs)]
            if spots:
                means[node] = sum(spots) / len(spots)
        # a node without neighbours there keeps its place; the others are sorted around it
        moving = iter(sorted(means, key=means.__getitem__))
        row[:] = [next(moving) if node in means else node for node in row]

    for _ in range(SWEEPS):
        for i in range(1, len(rows)):
            sweep(rows[i], rows[i - 1], up=True)
        for i in range(len(rows) - 2, -1, -1):
            sweep(rows[i], rows[i + 1], up=False)


def _place(points: Mapping[str, _Point], rows: list[list[str]]) -> None:
    """Columns: each node under the mean of its parents, then each parent over the mean of
    its children where there is room; no anchor right under another row's unrelated one."""
    for i, row in enumerate(rows):
        above = {points[n].anchor for n in rows[i - 1]} if i else set()
        floor = 0
        for node in row:
            point = points[node]
            desired = floor
            if point.ups:
                mean = sum(points[u].anchor for u in point.ups) / len(point.ups)
                desired = max(floor, round(mean) - (point.width - 1) // 2)
            point.x = desired
            related = {points[u].anchor for u in point.ups}
            while point.anchor in above - related:
                point.x += 1
            floor = point.x + point.width + GAP
    for i in range(len(rows) - 2, -1, -1):  # parents over their children, right to left
        row = rows[i]
        for j in range(len(row) - 1, -1, -1):
            point = points[row[j]]
            if not point.downs:
                continue
            mean = sum(points[d].anchor for d in point.downs) / len(point.downs)
            desired = round(mean) - (point.width - 1) // 2
            ceiling = points[row[j + 1]].x - GAP - point.width if j + 1 < len(row) else desired
            point.x = max(point.x, min(desired, ceiling))


# -- drawing -----------------------------------------------------------------------------------


def _render(points: Mapping[str, _Point], rows: list[list[str]], order: Sequence[str]) -> Drawing:
    canvas = Canvas()
    places: dict[str, Place] = {}
    row_at = 0
    for i, row in enumerate(rows):
        for node in row:
            point = points[node]
            if point.label:
                places[node] = Place(row_at, point.x, point.width)
                col = point.x
                for char in point.label:
                    canvas.text[(row_at, col)] = char
                    canvas.owner[(row_at, col)] = node
                    col += 1
                    if cells(char) == 2:
                        canvas.text[(row_at, col)] = ""
                        col += 1
            else:
                canvas.join(row_at, point.x, N | S, frozenset({node}))
        if i + 1 == len(rows):
            break
        edges = [
            Edge(node, down, points[node].anchor, points[down].anchor)
            for node in row
            for down in points[node].downs
        ]
        tracks = edge_tracks(edges)
        below = row_at + len(tracks) + 1
        for t, track in enumerate(tracks):
            run_row = row_at + 1 + t
            for edge in track:
                draw_edge(canvas, edge, row_at, run_row, below)
        row_at = below
    return Drawing(
        canvas.spans(),
        places,
        tuple(order),
        tuple(tuple(n for n in row if points[n].label) for row in rows),
    )
