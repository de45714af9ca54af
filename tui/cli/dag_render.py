"""A plan's DAG (``tui.core.run_graph``) as Rich text, for ``pipedeck list --dag``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from tui.core.dag import DagCycle
from tui.core.run_graph import GraphNode, drawing, notes, plan_graph


def graph_text(graph: Sequence[GraphNode]) -> Text:
    """The graph's lines: names bold, edges dim; what decides a node (a condition, a loop)
    under it. A cycle is said as such."""
    if not graph:
        return Text("no jobs or tasks", style="dim")
    try:
        drawn = drawing(graph, lambda node: node.name)
    except DagCycle as exc:
        return Text(f"✗ {exc.message}", style="red")
    out = Text()
    for i, row in enumerate(drawn.rows):
        if i:
            out.append("\n")
        for text, node_id in row:
            out.append(text, style="bold" if node_id else "dim")
    out.rstrip()
    legend = notes(graph, drawn)
    width = max((len(name) for name, _ in legend), default=0)
    for name, note in legend:
        out.append(f"\n{name.ljust(width)}  ", style="bold")
        out.append(note, style="dim")
    return out


def pipeline_dags(project: Path) -> RenderableType:
    """Every pipeline of ``project`` drawn as its task DAG (problems as ``list`` says them)."""
    from tui.core.pipelines.discovery import discover, display_path, planned_nodes

    found = discover(project)
    parts: list[RenderableType] = []
    for info in found.pipelines:
        title = Text(info.name or info.func, style="bold")
        where = display_path(info.file, project) + (f":{info.func}" if info.func else "")
        title.append(f"  {where}", style="dim")
        body = (
            graph_text(plan_graph(planned_nodes(info.spec)))
            if info.spec is not None
            else Text(info.error or "not compiled", style="red")
        )
        parts += [title, Padding(body, (0, 0, 1, 2), expand=False)]
    for problem in found.problems:
        parts.append(Text(f"✗ {problem.text(project)}", style="red"))
    if not parts:
        parts.append(Text(f"no pipelines in {project}", style="dim"))
    return Group(*parts)
