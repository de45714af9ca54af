"""A run's DAG, live: its jobs or tasks laid out by their needs (``tui.core.dag``), each with
its status glyph from the one table, the conditions that decide a node under the graph.

The cursor moves between the nodes (and the whole run, the first line) in reading order;
moving it narrows the column's log to that node, as the tree's cursor does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.widgets.run_tree import status_icon
from tui.core.dag import DagCycle, Drawing
from tui.core.run_graph import GraphNode, drawing, node_statuses, notes, plan_graph
from tui.core.run_state import PlannedNode, RunState
from tui.core.statuses import PENDING, status

CURSOR = Style(reverse=True)
_BLANKS = re.compile(r"( +)")


class DagView(ScrollView, can_focus=True):
    """Lines: the whole run, the graph, then a legend of what decides which node."""

    DEFAULT_CSS = """
    DagView { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right,j", "move(1)", "Next node", show=False),
        Binding("up,left,k", "move(-1)", "Previous node", show=False),
        Binding("home", "first", "Whole run", show=False),
    ]

    class NodeChosen(Message):
        """The user moved to a node: show its log ("" = the whole run)."""

        def __init__(self, view: DagView, node_id: str) -> None:
            super().__init__()
            self.view = view
            self.node_id = node_id

        @property
        def control(self) -> DagView:
            return self.view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Text] = []
        self._rows: dict[str, int] = {}  # node id -> its line ("" is the whole run's)
        self._spots: dict[str, tuple[int, int, int]] = {}  # what the cursor highlights
        self._order: list[str] = [""]  # what the cursor moves through
        self.cursor = ""
        self.problem = ""  # the graph could not be drawn (a needs cycle): why
        self._plan: tuple[PlannedNode, ...] | None = None
        self._graph: list[GraphNode] = []
        self._drawn: Drawing | str = ""

    # -- what it shows -----------------------------------------------------------------------

    def show(self, planned: Sequence[PlannedNode], model: RunState, title: str) -> None:
        """Redraw from the plan and the run's state: the layout is made once per plan, each
        redraw only styles its glyphs."""
        plan = tuple(planned)
        if plan != self._plan:  # the layout depends on the plan alone: kept between redraws
            self._plan, self._graph = plan, plan_graph(plan)
            try:
                self._drawn = drawing(self._graph, lambda g: f"○ {g.name}")
            except DagCycle as exc:
                self._drawn = exc.message
        graph, drawn = self._graph, self._drawn
        statuses = node_statuses(graph, plan, model)
        whole = Text.assemble(status_icon(model.status), f" {title}")
        lines: list[Text] = [whole]
        rows: dict[str, int] = {"": 0}
        order: list[str] = [""]
        self.problem = ""
        spots: dict[str, tuple[int, int, int]] = {}
        if not graph:
            lines.append(Text("  no jobs or tasks planned for this run", style="dim italic"))
        elif isinstance(drawn, str):  # a needs cycle
            self.problem = drawn
            lines.append(Text(f"✗ {drawn}", style="bold red"))
        else:  # each label's glyph (one cell, whatever the status) is drawn in its style
            graph_lines, spots = _graph_lines(drawn, statuses, len(lines))
            lines.extend(graph_lines)
            order.extend(sorted(spots, key=lambda node_id: spots[node_id][:2]))
            rows.update({node_id: spot[0] for node_id, spot in spots.items()})
            lines.extend(_legend(notes(graph, drawn)))
        self._lines, self._rows, self._order = lines, rows, order
        self._spots = {**spots, "": (0, 0, len(whole))}
        if self.cursor not in rows:
            self.cursor = ""
        width = max((line.cell_len for line in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def select(self, node_id: str) -> None:
        if node_id in self._rows:
            self.cursor = node_id
            self.refresh()
            self.scroll_to(y=max(0, self._rows[node_id] - 1), animate=False)

    @property
    def text(self) -> str:
        """What it shows, as plain text (tests read it)."""
        return "\n".join(line.plain.rstrip() for line in self._lines)

    # -- keys ----------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        index = self._order.index(self.cursor) if self.cursor in self._order else 0
        self._choose(self._order[max(0, min(len(self._order) - 1, index + step))])

    def action_first(self) -> None:
        self._choose("")

    def _choose(self, node_id: str) -> None:
        if node_id == self.cursor:
            return
        self.select(node_id)
        self.post_message(self.NodeChosen(self, node_id))

    # -- drawing -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        base = self.rich_style
        width = self.size.width
        if index >= len(self._lines):
            return Strip.blank(width, base)
        line = self._lines[index]
        row, start, end = self._spots.get(self.cursor, (-1, 0, 0))
        if index == row:
            line = line.copy()
            line.stylize(CURSOR, start, end)
        segments = [Segment(s.text, s.style) for s in line.render(self.app.console) if s.text]
        strip = Strip(segments).apply_style(base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)


def _graph_lines(
    drawn: Drawing, statuses: dict[str, str], first_row: int
) -> tuple[list[Text], dict[str, tuple[int, int, int]]]:
    """The drawing's rows with each node's glyph in its status's style (a pending node dim),
    and where each node's label is: (line, start, end) in characters."""
    lines: list[Text] = []
    spots: dict[str, tuple[int, int, int]] = {}
    for r, row in enumerate(drawn.rows):
        line = Text(no_wrap=True, end="")
        for text, node_id in row:
            if not node_id:  # edges dim; blanks apart (an SVG screenshot drops leading ones)
                for part in _BLANKS.split(text):
                    line.append(part, style="" if part.isspace() else "dim")
                continue
            state = statuses.get(node_id, PENDING)
            spots[node_id] = (first_row + r, len(line), len(line) + len(text))
            glyph = status(state)
            line.append(glyph.glyph, style=glyph.style)
            line.append(text[1:], style="dim" if state == PENDING else "")
        line.rstrip()
        lines.append(line)
    return lines, spots


def _legend(decided: Sequence[tuple[str, str]]) -> list[Text]:
    if not decided:
        return []
    width = max(len(name) for name, _ in decided)
    out = [Text("")]
    for name, note in decided:
        out.append(Text.assemble((name.ljust(width), "bold"), "  ", (note, "dim"), end=""))
    return out
