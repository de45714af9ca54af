"""Human output of a run: a live tree of nodes, prefixed log lines, a summary table.

On a terminal a Rich ``Live`` tree redraws in place; elsewhere (CI, pipes) each node's start
and finish is one plain line. ``NO_COLOR`` is honoured by Rich.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from tui.core import events as ev

ICONS = {
    "running": ("●", "yellow"),
    "success": ("✓", "green"),
    "failure": ("✗", "red"),
    "skipped": ("○", "dim"),
    "cancelled": ("■", "magenta"),
}


@dataclass
class NodeState:
    node_id: str
    name: str
    kind: str
    parent_id: str
    status: str = "running"
    duration: float | None = None
    children: list[str] = field(default_factory=list)


class RunView:
    """Consumes events; renders them to ``console``."""

    def __init__(self, console: Console, live: bool, echo: bool = True) -> None:
        self.console = console
        self.echo = echo
        self.nodes: dict[str, NodeState] = {}
        self.roots: list[str] = []
        self.started: ev.RunStarted | None = None
        self.finished: ev.RunFinished | None = None
        self.metrics: list[ev.Metric] = []
        self.artifacts: list[ev.Artifact] = []
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
        if isinstance(event, ev.RunStarted):
            self.started = event
            if self.echo:
                self.console.print(
                    f"[bold]{escape(event.kind)}[/] {escape(event.target)} "
                    f"[dim](mode: {escape(event.mode)}, run {event.run_id})[/]"
                )
        elif isinstance(event, ev.NodeStarted):
            self.add_node(event)
        elif isinstance(event, ev.NodeFinished):
            self._finish(event)
        elif isinstance(event, ev.Log):
            self._log(event)
        elif isinstance(event, ev.Metric):
            self.metrics.append(event)
        elif isinstance(event, ev.Artifact):
            self.artifacts.append(event)
        elif isinstance(event, ev.RunFinished):
            self.finished = event
        if self._live is not None:
            self._live.update(self.tree())

    def add_node(self, event: ev.NodeStarted) -> None:
        if event.node_id in self.nodes:
            return
        node = NodeState(event.node_id, event.name, event.kind, event.parent_id)
        self.nodes[event.node_id] = node
        parent = self.nodes.get(event.parent_id)
        if parent is not None:
            parent.children.append(event.node_id)
        else:
            self.roots.append(event.node_id)

    def _finish(self, event: ev.NodeFinished) -> None:
        if event.node_id not in self.nodes:
            self.add_node(
                ev.NodeStarted(
                    run_id=event.run_id,
                    node_id=event.node_id,
                    name=event.name,
                    kind=event.kind,
                    parent_id=event.parent_id,
                )
            )
        node = self.nodes[event.node_id]
        node.status = event.status
        node.duration = event.duration
        if self._live is None and self.echo:
            self.console.print(self._label(node, with_path=True))

    def _log(self, event: ev.Log) -> None:
        if not self.echo:
            return
        prefix = self.path(event.node_id) if event.node_id else event.stream
        style = "red" if event.stream == "stderr" else "dim" if event.stream == "system" else ""
        line = Text(f"[{prefix}] ", style="cyan")
        line.append(Text.from_ansi(event.text, style=style))
        self.console.print(line)

    def path(self, node_id: str) -> str:
        parts = []
        node = self.nodes.get(node_id)
        while node is not None:
            parts.append(node.name.splitlines()[0] if node.name else node.node_id)
            node = self.nodes.get(node.parent_id)
        return " › ".join(reversed(parts)) or node_id

    def _label(self, node: NodeState, with_path: bool = False) -> Text:
        icon, style = ICONS.get(node.status, ("?", ""))
        name = self.path(node.node_id) if with_path else node.name.splitlines()[0]
        label = Text(f"{icon} ", style=style)
        label.append(name)
        if node.duration is not None:
            label.append(f"  {node.duration:.1f}s", style="dim")
        return label

    def tree(self) -> Group:
        title = self.started.target if self.started else "run"
        tree = Tree(Text(title, style="bold"))

        def add(branch: Tree, node_id: str) -> None:
            node = self.nodes[node_id]
            sub = branch.add(self._label(node))
            for child in node.children:
                add(sub, child)

        for root in self.roots:
            add(tree, root)
        return Group(tree)

    def summary(self) -> None:
        top = [self.nodes[r] for r in self.roots]
        if top:
            table = Table(title="Summary", title_justify="left", show_edge=False)
            table.add_column("node")
            table.add_column("status")
            table.add_column("duration", justify="right")
            for node in top:
                icon, style = ICONS.get(node.status, ("?", ""))
                duration = f"{node.duration:.1f}s" if node.duration is not None else "-"
                table.add_row(node.name, Text(f"{icon} {node.status}", style=style), duration)
            self.console.print(table)
        if self.metrics:
            self.console.print(self.metrics_table())
        if self.finished is not None:
            f = self.finished
            icon, style = ICONS.get(f.status, ("?", ""))
            line = Text(f"{icon} run {f.status}", style=f"bold {style}")
            line.append(f" in {f.duration:.1f}s (exit {f.exit_code})", style="dim")
            self.console.print(line)
            if f.error:
                self.console.print(Text(f.error, style="red"))

    def metrics_table(self) -> Table:
        """One row per (node, metric): its last value; a series shows its steps and range."""
        series: dict[tuple[str, str], list[ev.Metric]] = {}
        for m in self.metrics:
            series.setdefault((m.node_id, m.name), []).append(m)
        table = Table(title="Metrics", title_justify="left", show_edge=False)
        for column in ("node", "metric", "value", "series"):
            table.add_column(column)
        for (node_id, name), points in series.items():
            last = points[-1]
            stepped = [p for p in points if p.step is not None]
            summary = ""
            if len(stepped) > 1:
                low = min(p.value for p in stepped)
                high = max(p.value for p in stepped)
                summary = f"{len(stepped)} steps, {low:g}…{high:g}"
            table.add_row(self.path(node_id), name, f"{last.value:g}", summary)
        return table
