"""``pipedeck diff RUN_A RUN_B``: two stored runs compared (``tui.core.compare``)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tui.cli.app import app, print_json
from tui.cli.common import console, note
from tui.cli.render import seconds, status_text
from tui.core.compare import Comparison, compare_records, number, signed
from tui.core.errors import BadInput
from tui.core.store import RunRecord, RunStore

RUN_HELP = "Run id, or any unique part of it (`3fa9`, `0726`); `last`: the newest."
SHA = 12  # hex digits of a sha256 shown (--json has them all)
CHANGE_STYLE = {"status": "bold yellow", "added": "green", "removed": "red", "same": "dim"}


@app.command("diff")
def diff(
    run_a: Annotated[str, typer.Argument(help=f"The run compared from. {RUN_HELP}")],
    run_b: Annotated[str, typer.Argument(help=f"The run compared to. {RUN_HELP}")],
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print a JSON object: a and b (run_id, kind, target, mode, status, duration),"
            " differs ('' or what sets the runs apart: kind, target), nodes (id, name, kind,"
            " depth, change: same/status/added/removed, status and duration as [a, b] with"
            " null where a run lacks the node, duration_delta), metrics (node, name, a, b,"
            " delta: each metric's last value), artifacts (node, name, change:"
            " changed/unknown/added/removed, sha256 and uri as [a, b]), same_artifacts.",
        ),
    ] = False,
) -> None:
    """Compare two stored runs: each node's status and duration, each metric's last value,
    and the artifacts whose content changed (by sha256), from RUN_A to RUN_B."""
    store = RunStore()
    a, b = _get(store, "RUN_A", run_a), _get(store, "RUN_B", run_b)
    for line in store.notes:
        note(line)
    found = compare_records(a, b)
    for line in found.notes:
        note(line)
    if json_out:
        print_json(found.to_json())
        return
    print_comparison(found)


def _get(store: RunStore, which: str, run: str) -> RunRecord:
    try:
        return store.get(run)
    except BadInput as exc:
        raise BadInput(f"{which}: {exc.message}") from None


def print_comparison(found: Comparison) -> None:
    out = console()
    out.print(Text(found.header(), style="bold"))
    out.print(Text(found.counts(), style="dim"))
    nodes = Table(title="Nodes", title_justify="left", show_edge=False)
    nodes.add_column("node", overflow="fold")
    for column in ("A", "B"):
        nodes.add_column(column, no_wrap=True)
    for column in ("took A", "took B", "Δ"):
        nodes.add_column(column, justify="right", no_wrap=True)
    nodes.add_column("change", no_wrap=True)
    for n in found.nodes:
        nodes.add_row(
            Text("  " * n.depth + n.title),
            status_text(n.status_a) if n.status_a else Text("-", style="dim"),
            status_text(n.status_b) if n.status_b else Text("-", style="dim"),
            seconds(n.duration_a),
            seconds(n.duration_b),
            signed(n.duration_delta, "s"),
            Text("" if n.change == "same" else n.change, style=CHANGE_STYLE[n.change]),
        )
    out.print(nodes)
    if found.metrics:
        metrics = Table(title="Metrics (last value)", title_justify="left", show_edge=False)
        metrics.add_column("metric", overflow="fold")
        metrics.add_column("node", overflow="fold")
        for column in ("A", "B", "Δ"):
            metrics.add_column(column, justify="right", no_wrap=True)
        for m in found.metrics:
            moved = "bold" if m.delta else ""
            metrics.add_row(
                m.name, m.node or "(run)", number(m.a), number(m.b), Text(signed(m.delta), moved)
            )
        out.print(metrics)
    if found.artifacts:
        arts = Table(title="Artifacts changed", title_justify="left", show_edge=False)
        for column in ("name", "node", "change", "sha256 A", "sha256 B"):
            arts.add_column(column, overflow="fold", no_wrap=column.startswith("sha"))
        for x in found.artifacts:
            arts.add_row(*x.cells(SHA))
        out.print(arts)
    else:
        out.print(Text("no artifact changed", style="dim"))
