"""Human output of a run: a live tree of nodes, prefixed log lines, a summary table.

On a terminal a Rich ``Live`` tree redraws in place; elsewhere (CI, pipes) each node's finish
is one plain line. ``NO_COLOR`` is honoured by Rich. What is drawn comes from the one run state
(``tui.core.run_state``) and the one status table (``tui.core.statuses``).
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from tui.core import events as ev
from tui.core.run_state import NodeState, RunState
from tui.core.statuses import status


def status_text(name: str, *, word: bool = True) -> Text:
    """``✓ success`` (or the glyph alone) in the status's style."""
    row = status(name)
    return Text(f"{row.glyph} {name}" if word else row.glyph, style=row.style)


def seconds(value: float | None) -> str:
    return f"{value:.1f}s" if value is not None else "-"


class RunView:
    """Consumes events; renders them to ``console``."""

    def __init__(self, console: Console, live: bool, echo: bool = True) -> None:
        self.console = console
        self.echo = echo
        self.state = RunState()
        self._live = Live(console=console, refresh_per_second=8, transient=True) if live else None

    def __enter__(self) -> RunView:
        if self._live is not None:
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
        self.summary()

    def handle(self, event: ev.Event) -> None:
        self.state.apply(event)
        if isinstance(event, ev.RunStarted) and self.echo:
            self.console.print(
                f"[bold]{escape(event.kind)}[/] {escape(event.target)} "
                f"[dim](mode: {escape(event.mode)}, run {event.run_id})[/]"
            )
        elif isinstance(event, ev.NodeFinished) and self._live is None and self.echo:
            self.console.print(self._label(self.state.nodes[event.node_id], with_path=True))
        elif isinstance(event, ev.Log) and self.echo:
            self._log(event)
        if self._live is not None:
            self._live.update(self.tree())

    def _log(self, event: ev.Log) -> None:
        prefix = self.state.path(event.node_id) if event.node_id else event.stream
        style = "red" if event.stream == "stderr" else "dim" if event.stream == "system" else ""
        for part in event.text.split("\n"):
            line = Text(f"[{prefix}] ", style="cyan")
            line.append(Text.from_ansi(part, style=style))
            self.console.print(line)

    def _label(self, node: NodeState, with_path: bool = False) -> Text:
        name = self.state.path(node.node_id) if with_path else node.title
        label = status_text(node.status, word=False)
        label.append(f" {name}", style="")
        if node.duration is not None:
            label.append(f"  {node.duration:.1f}s", style="dim")
        return label

    def tree(self) -> Group:
        state = self.state
        tree = Tree(Text(state.target or "run", style="bold"))

        def add(branch: Tree, node: NodeState) -> None:
            sub = branch.add(self._label(node))
            for child in state.children(node.node_id):
                add(sub, child)

        for root in state.roots():
            add(tree, root)
        return Group(tree)

    def summary(self) -> None:
        state = self.state
        top = state.roots()
        if top:
            table = Table(title="Summary", title_justify="left", show_edge=False)
            table.add_column("node")
            table.add_column("status")
            table.add_column("duration", justify="right")
            for node in top:
                table.add_row(node.title, status_text(node.status), seconds(node.duration))
            self.console.print(table)
        if state.metrics:
            self.console.print(self.metrics_table())
        if state.finished:
            row = status(state.status)
            line = Text(f"{row.glyph} run {state.status}", style=f"bold {row.style}")
            line.append(f" in {state.duration or 0:.1f}s (exit {state.exit_code})", style="dim")
            self.console.print(line)
            if state.error:
                self.console.print(Text(state.error, style="red"))

    def metrics_table(self) -> Table:
        """One row per (node, metric): its last value; a series shows its steps and range."""
        table = Table(title="Metrics", title_justify="left", show_edge=False)
        for column in ("node", "metric", "value", "series"):
            table.add_column(column)
        for (node_id, name), points in self.state.metric_series().items():
            last = points[-1]
            stepped = [p for p in points if p.step is not None]
            summary = ""
            if len(stepped) > 1:
                low = min(p.value for p in stepped)
                high = max(p.value for p in stepped)
                summary = f"{len(stepped)} steps, {low:g}…{high:g}"
            table.add_row(self.state.path(node_id), name, f"{last.value:g}", summary)
        return table
