"""The text canvas a DAG (``dag.py``) is drawn on: edges as box-drawing joins, each edge's
horizontal run on a track (a row) of its own unless it shares a parent or a child with the runs
it touches, and a line crossing another's run drawn over it (``─│─``), never joined to it.
"""

from __future__ import annotations

from dataclasses import dataclass

N, S, E, W = 1, 2, 4, 8
GLYPHS = {
    N | S: "│",
    E | W: "─",
    N: "│",
    S: "│",
    E: "─",
    W: "─",
    N | E: "╰",
    N | W: "╯",
    S | E: "╭",
    S | W: "╮",
    N | S | E: "├",
    N | S | W: "┤",
    N | E | W: "┴",
    S | E | W: "┬",
    N | S | E | W: "┼",
}


@dataclass(frozen=True)
class Edge:
    parent: str
    child: str
    top: int  # the parent's anchor column
    bottom: int  # the child's anchor column

    @property
    def span(self) -> tuple[int, int]:
        return min(self.top, self.bottom), max(self.top, self.bottom)


def tracks(edges: list[Edge]) -> list[list[Edge]]:
    """Edges into rows: runs that touch share a row only if they all leave one parent or all
    reach one child."""
    tracks: list[list[Edge]] = []
    for edge in sorted(edges, key=lambda e: (e.top, e.bottom)):
        for track in tracks:
            if _fits(track, edge):
                track.append(edge)
                break
        else:
            tracks.append([edge])
    return tracks


def _fits(track: list[Edge], edge: Edge) -> bool:
    group = [edge]
    grown = True
    while grown:  # the edges joined to ``edge`` by touching runs
        grown = False
        for other in track:
            if other not in group and any(_touch(other, g) for g in group):
                group.append(other)
                grown = True
    return len({e.parent for e in group}) == 1 or len({e.child for e in group}) == 1


def _touch(a: Edge, b: Edge) -> bool:
    (a0, a1), (b0, b1) = a.span, b.span
    return a0 <= b1 + 1 and b0 <= a1 + 1


class Canvas:
    def __init__(self) -> None:
        self.text: dict[tuple[int, int], str] = {}
        self.owner: dict[tuple[int, int], str] = {}  # the node whose label holds a cell
        # per cell: the directions each part of an edge joins, with the nodes it belongs to
        self.parts: dict[tuple[int, int], list[tuple[int, frozenset[str]]]] = {}

    def join(self, row: int, col: int, dirs: int, owners: frozenset[str]) -> None:
        self.parts.setdefault((row, col), []).append((dirs, owners))

    def vertical(self, col: int, first: int, last: int, owners: frozenset[str]) -> None:
        for row in range(first, last + 1):
            self.join(row, col, N | S, owners)

    def glyph(self, row: int, col: int) -> str:
        parts = self.parts[(row, col)]
        joined = any(d & (N | S) and d & (E | W) for d, _ in parts)  # a corner or a tee
        for dirs, owners in parts:  # a line crossing another's run: drawn over it
            if (
                not joined
                and dirs == N | S
                and any(d == E | W and not owners & others for d, others in parts)
            ):
                return GLYPHS[N | S]
        union = 0
        for dirs, _ in parts:
            union |= dirs
        return GLYPHS[union]

    def spans(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        """Each row as runs of (text, node id): a node's label, or edges (id "")."""
        glyphs = {k: (self.glyph(*k), "") for k in self.parts}
        cells_ = {**glyphs, **{k: (char, self.owner.get(k, "")) for k, char in self.text.items()}}
        height = max((r for r, _ in cells_), default=-1) + 1
        grid: list[dict[int, tuple[str, str]]] = [{} for _ in range(height)]
        for (row, col), cell in cells_.items():
            grid[row][col] = cell
        out = []
        for row_cells in grid:
            runs: list[tuple[str, str]] = []
            for col in range(max(row_cells, default=-1) + 1):
                char, owner = row_cells.get(col, (" ", ""))
                if runs and runs[-1][1] == owner:
                    runs[-1] = (runs[-1][0] + char, owner)
                else:
                    runs.append((char, owner))
            out.append(tuple(runs))
        return tuple(out)


def draw_edge(canvas: Canvas, edge: Edge, top_row: int, run_row: int, bottom_row: int) -> None:
    owners = frozenset({edge.parent, edge.child})
    parent_side, child_side = frozenset({edge.parent}), frozenset({edge.child})
    canvas.vertical(edge.top, top_row + 1, run_row - 1, parent_side)
    canvas.vertical(edge.bottom, run_row + 1, bottom_row - 1, child_side)
    if edge.top == edge.bottom:
        canvas.join(run_row, edge.top, N | S, owners)
        return
    left, right = edge.span
    canvas.join(run_row, edge.top, N | (E if edge.top == left else W), owners)
    canvas.join(run_row, edge.bottom, S | (E if edge.bottom == left else W), owners)
    for col in range(left + 1, right):
        canvas.join(run_row, col, E | W, owners)
