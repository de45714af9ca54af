"""Run history: ``pipedeck runs``, ``pipedeck show RUN``, ``pipedeck logs RUN``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from tui.cli.app import app, print_json
from tui.cli.common import console, note
from tui.cli.render import RunView, seconds, status_text
from tui.core.run_state import NodeState, RunState
from tui.core.statuses import shown_status
from tui.core.store import INTERRUPTED, RunMeta, RunRecord, RunStore, StoredEvents

RunArg = Annotated[
    str,
    typer.Argument(help="Run id, or any unique part of it (`3fa9`, `0726`); `last`: the newest."),
]


def _get(run: str) -> RunRecord:
    store = RunStore()
    record = store.get(run)
    for line in store.notes:
        note(line)
    return record


def _note(stored: StoredEvents) -> None:
    if stored.note():
        note(stored.note())


def meta_json(meta: RunMeta) -> dict[str, Any]:
    """A run's meta.json as ``--json`` gives it (a dry run's success is ``planned``)."""
    return {**asdict(meta), "status": shown_status(meta.status, meta.mode)}


@app.command("runs")
def runs(
    limit: Annotated[int, typer.Option("--limit", "-n", help="Show at most N.")] = 20,
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print a JSON array of the runs' metas (run_id, kind, target, mode, status,"
            " started, finished, duration, exit_code, error, project, extra).",
        ),
    ] = False,
) -> None:
    """List stored runs, newest first (crashed runs show as interrupted, dry runs as
    planned)."""
    store = RunStore()
    metas = store.list()[:limit]
    for line in store.notes:
        note(line)
    if store.unreadable:
        note(
            f"{store.unreadable} run(s) in {store.root} have an unreadable meta.json"
            " and are not listed"
        )
    if json_out:
        print_json([meta_json(m) for m in metas])
        return
    out = console()
    if not metas:
        out.print("[dim]no runs yet[/]")
        return
    table = Table(show_edge=False)
    table.add_column("run", no_wrap=True)
    table.add_column("kind")
    table.add_column("target", overflow="fold")
    for column in ("mode", "status", "duration"):
        table.add_column(column, no_wrap=True)
    for m in metas:
        status, took = status_text(shown_status(m.status, m.mode)), seconds(m.duration)
        table.add_row(m.run_id, m.kind, m.target, m.mode, status, took)
    out.print(table)


@app.command("show")
def show(
    run: RunArg = "last",
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print a JSON object: meta (as `runs --json`), path, nodes (id, name, kind,"
            " parent, status, duration, matrix, iteration; parents first), artifacts (node,"
            " name, type, uri, metadata, sha256 of the content or null), metrics (node, name,"
            " value, step, source).",
        ),
    ] = False,
) -> None:
    """A stored run: its nodes with status and duration, artifacts, metrics."""
    record = _get(run)
    stored = record.events()
    state = RunState(record.meta.kind)
    if json_out:
        for event in stored:
            state.apply(event)
        _note(stored)
        print_json(show_json(record, state))
        return
    out = console()
    view = RunView(out, live=False, echo=False)
    for event in stored:
        view.handle(event)
    _note(stored)
    meta = record.meta
    out.print(f"[bold]{meta.kind}[/] {meta.target}  [dim]run {meta.run_id} in {record.path}[/]")
    out.print(Text("status: ").append(status_text(shown_status(meta.status, meta.mode))))
    if meta.extra.get("rerun_of"):  # `pipedeck rerun --failed`
        reused = ", ".join(str(j) for j in meta.extra.get("reused_jobs") or ()) or "none"
        out.print(Text(f"rerun of {meta.extra['rerun_of']}: jobs {reused} came from it"))
    out.print(view.tree())
    if view.state.artifacts:
        table = Table(title="Artifacts", title_justify="left", show_edge=False)
        for column in ("node", "name", "type", "path"):
            table.add_column(column)
        for a in view.state.artifacts:
            table.add_row(view.state.path(a.node_id), a.name, a.artifact_type, a.uri)
        out.print(table)
    view.summary()
    if meta.status == INTERRUPTED:
        out.print(
            "[yellow]the run's process died before it finished; events up to then are kept[/]"
        )
    from tui.cli.report_cmd import print_report  # the fidelity report: the last section

    print_report(record, out)


def show_json(record: RunRecord, state: RunState) -> dict[str, Any]:
    mode = record.meta.mode

    def walk(node: NodeState) -> list[dict[str, Any]]:
        row = {
            "id": node.node_id,
            "name": node.title,
            "kind": node.kind,
            "parent": node.parent_id,
            "status": shown_status(node.status, mode),
            "duration": node.duration,
            "matrix": node.matrix,
            "iteration": node.iteration,
        }
        return [row, *(r for child in state.children(node.node_id) for r in walk(child))]

    return {
        "meta": meta_json(record.meta),
        "path": record.path,
        "nodes": [row for root in state.roots() for row in walk(root)],
        "artifacts": [
            {
                "node": a.node_id,
                "name": a.name,
                "type": a.artifact_type,
                "uri": a.uri,
                "metadata": a.metadata,
                "sha256": a.sha256,
            }
            for a in state.artifacts
        ],
        "metrics": [
            {
                "node": m.node_id,
                "name": m.name,
                "value": m.value,
                "step": m.step,
                "source": m.source,
            }
            for m in state.metrics
        ],
    }
