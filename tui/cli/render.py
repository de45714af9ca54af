"""Human output of a run: prefixed log lines, a live tree of nodes on a terminal, a summary.

Log lines are plain text written in large writes (``lines.py``). On a terminal a tree of the
nodes is redrawn below them at most ``FPS`` times a second — its own region, moved over with
cursor codes (what Rich's ``Live`` does, without Rich rendering each line above it); elsewhere
(CI, pipes, files) each node's finish is one plain line. What is drawn comes from the one run
state (``tui.core.run_state``) and the one status table (``tui.core.statuses``).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from tui.cli.lines import LineWriter, wants_color
from tui.core import events as ev
from tui.core.run_state import NodeState, RunState
from tui.core.statuses import DRY_RUN, shown_status, status

if TYPE_CHECKING:
    from rich.console import Console, Group, RenderableType
    from rich.table import Table
    from rich.text import Text

FPS = 8  # the tree is redrawn at most this often
DRY = " (dry-run)"  # the mark on every line of a dry run's nodes: nothing ran
BUFFER = 1 << 16  # characters of log lines kept before a write


def status_text(name: str, *, word: bool = True) -> Text:
    """``✓ success`` (or the glyph alone) in the status's style."""
    from rich.text import Text

    row = status(name)
    return Text(f"{row.glyph} {name}" if word else row.glyph, style=row.style)


def seconds(value: float | None) -> str:
    return f"{value:.1f}s" if value is not None else "-"


def screen_text(console: Console, drawing: RenderableType) -> str:
    """``drawing`` as terminal text as wide as the terminal, cut to its height (the last
    line saying how many more there are)."""
    columns, rows = shutil.get_terminal_size()
    with console.capture() as capture:
        console.print(drawing, width=columns, crop=True)
    lines = capture.get().splitlines()
    room = max(3, rows - 2)
    if len(lines) > room:
        lines = [*lines[: room - 1], f"… {len(lines) - room + 1} more"]
    return "".join(f"{line}\n" for line in lines)


class RunView:
    """Consumes events; writes them to ``out`` (``console`` draws the tree and the tables)."""

    def __init__(
        self,
        console: Console,
        live: bool,
        echo: bool = True,
        out: IO[str] | None = None,
        label: str = "",
    ) -> None:
        """``label``: said first in every line's ``[…]`` (runs shown together: their names)."""
        self.console = console
        self.label = label
        self.node_lines = not live  # a line per finished node: where no tree shows them
        self.echo = echo
        self.live = live
        self.out = out or console.file
        self.writer = LineWriter(wants_color(self.out))
        self.state = RunState()
        self._pending: list[str] = []
        self._size = 0
        self._drawn = 0  # terminal lines the tree took when last drawn
        self._dirty = False
        self._last = 0.0
        self.footer: Callable[[], str] | None = None  # a line under the tree (a pause's keys)

    def __enter__(self) -> RunView:
        return self

    def __exit__(self, *exc: object) -> None:
        self.tick(force=True, tree=False)
        self.summary()

    # -- events ---------------------------------------------------------------------------

    def handle(self, event: ev.Event) -> None:
        self.state.apply(event)
        if not self.echo:
            return
        if isinstance(event, ev.Log):
            prefix = self.state.path(event.node_id) if event.node_id else event.stream
            prefix = f"{self.label} › {prefix}" if self.label else prefix
            prefix += DRY if event.node_id and self.dry_run else ""
            self._add(self.writer.lines(prefix, event.stream, event.text))
        elif isinstance(event, ev.RunStarted):
            head = self.writer.paint(f"{event.kind}", "bold")
            tail = self.writer.paint(f"(mode: {event.mode}, run {event.run_id})", "dim")
            self._add(f"{head} {event.target} {tail}\n")
        elif isinstance(event, ev.NodeFinished) and self.node_lines:
            self._add(self._plain_label(self.state.nodes[event.node_id]) + "\n")
        self._dirty = True
        full = self._size >= BUFFER and not self.live  # a terminal's lines wait for a frame
        if full or time.monotonic() - self._last >= 1 / FPS:
            self.tick()

    def _add(self, text: str) -> None:
        self._pending.append(text)
        self._size += len(text)

    def tick(self, force: bool = False, tree: bool = True) -> None:
        """Write what is pending; on a terminal, redraw the tree below it (at most ``FPS``
        times a second unless ``force``)."""
        now = time.monotonic()
        if not force and not self._dirty and not self._pending:
            return
        if not force and self.live and now - self._last < 1 / FPS:
            return
        parts: list[str] = []
        if self.live and self._drawn:
            parts.append(f"\x1b[{self._drawn}F\x1b[J")  # up to the tree's first line; clear
            self._drawn = 0
        parts += self._pending
        self._pending, self._size = [], 0
        if self.live and tree:
            drawing = self._draw() + (self.footer() if self.footer is not None else "")
            parts.append(drawing)
            self._drawn = drawing.count("\n")
        try:
            self.out.write("".join(parts))
            self.out.flush()
        except (OSError, ValueError):
            pass  # nobody reads any more (a closed pipe, a gone terminal)
        self._dirty = False
        self._last = now

    # -- the tree -------------------------------------------------------------------------

    def _draw(self) -> str:
        """The tree as terminal text, cut to the terminal's height."""
        return screen_text(self.console, self.tree())

    @property
    def dry_run(self) -> bool:
        return self.state.mode == DRY_RUN

    def _status(self, name: str) -> str:
        """What a status is shown as: in a dry run, what succeeded was only planned."""
        return shown_status(name, self.state.mode)

    def _plain_label(self, node: NodeState) -> str:
        row = status(self._status(node.status))
        took = ""
        if node.duration is not None:
            took = f"  {self.writer.paint(f'{node.duration:.1f}s', 'dim')}"
        took += self.writer.paint(DRY, "dim") if self.dry_run else ""
        path = self.state.path(node.node_id)
        path = f"{self.label} › {path}" if self.label else path
        return f"{self.writer.paint(row.glyph, row.style)} {path}{took}"

    def _label(self, node: NodeState) -> Text:
        label = status_text(self._status(node.status), word=False)
        label.append(f" {node.title}", style="")
        if node.duration is not None:
            label.append(f"  {node.duration:.1f}s", style="dim")
        if self.dry_run:
            label.append(DRY, style="dim")
        return label

    def tree(self) -> Group:
        from rich.console import Group
        from rich.text import Text
        from rich.tree import Tree

        state = self.state
        tree = Tree(Text(state.target or "run", style="bold"))

        def add(branch: Tree, node: NodeState) -> None:
            sub = branch.add(self._label(node))
            for child in state.children(node.node_id):
                add(sub, child)

        for root in state.roots():
            add(tree, root)
        return Group(tree)

    # -- the end --------------------------------------------------------------------------

    def summary(self) -> None:
        from rich.table import Table
        from rich.text import Text

        state = self.state
        top = state.roots()
        if top:
            table = Table(title="Summary", title_justify="left", show_edge=False)
            table.add_column("node")
            table.add_column("status")
            table.add_column("duration", justify="right")
            for node in top:
                shown = status_text(self._status(node.status))
                table.add_row(node.title, shown, seconds(node.duration))
            self.console.print(table)
        if state.metrics:
            self.console.print(self.metrics_table())
        if state.finished:
            row = status(self._status(state.status))
            line = Text(f"{row.glyph} run {row.name}", style=f"bold {row.style}")
            line.append(f" in {state.duration or 0:.1f}s (exit {state.exit_code})", style="dim")
            if self.dry_run:
                line.append("  dry run: every step planned, none ran", style="dim")
            self.console.print(line)
            if state.error:
                self.console.print(Text(state.error, style="red"))

    def metrics_table(self) -> Table:
        """One row per (node, metric): its last value; a series shows ``first → last
        (min…max)`` and its steps."""
        from rich.table import Table

        from tui.core.metric_series import series_of

        table = Table(title="Metrics", title_justify="left", show_edge=False)
        for column in ("node", "metric", "value", "series"):
            table.add_column(column)
        for series in series_of(self.state, self.state.kind):
            stepped = len(series.points)
            summary = f"{series.summary()}, {stepped} steps" if stepped > 1 else ""
            node = self.state.path(series.node_id)
            table.add_row(node, series.name, f"{series.last:g}", summary)
        return table
