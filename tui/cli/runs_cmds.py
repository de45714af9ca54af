"""Run history: ``pipedeck runs``, ``pipedeck show RUN``, ``pipedeck logs RUN``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tui.cli.app import app
from tui.cli.common import console, note
from tui.cli.render import RunView, seconds, status_text
from tui.core.store import INTERRUPTED, RunRecord, RunStore, StoredEvents

RunArg = Annotated[str, typer.Argument(help="Run id (or a unique prefix, or `last`).")]


def _get(run: str) -> RunRecord:
    store = RunStore()
    record = store.get(run)
    for line in store.notes:
        note(line)
    return record


def _note(stored: StoredEvents) -> None:
    if stored.note():
        note(stored.note())


@app.command("runs")
def runs(limit: Annotated[int, typer.Option("--limit", "-n", help="Show at most N.")] = 20) -> None:
    """List stored runs, newest first (crashed runs show as interrupted)."""
    store = RunStore()
    metas = store.list()[:limit]
    for line in store.notes:
        note(line)
    out = console()
    if store.unreadable:
        note(
            f"{store.unreadable} run(s) in {store.root} have an unreadable meta.json"
            " and are not listed"
        )
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
        status, took = status_text(m.status), seconds(m.duration)
        table.add_row(m.run_id, m.kind, m.target, m.mode, status, took)
    out.print(table)


@app.command("show")
def show(run: RunArg = "last") -> None:
    """A stored run: its nodes with status and duration, artifacts, metrics."""
    record = _get(run)
    out = console()
    view = RunView(out, live=False, echo=False)
    stored = record.events()
    for event in stored:
        view.handle(event)
    _note(stored)
    meta = record.meta
    out.print(f"[bold]{meta.kind}[/] {meta.target}  [dim]run {meta.run_id} in {record.path}[/]")
    out.print(Text("status: ").append(status_text(meta.status)))
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
