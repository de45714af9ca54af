"""``pipedeck demo --headless``: the sample project's workflow and pipeline side by side,
with a summary (what CI and the README check run)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tui.cli.app import app
from tui.cli.common import console, note
from tui.cli.execute import SignalStop
from tui.cli.render import seconds, status_text
from tui.core import demo as demo_core
from tui.core import events as ev
from tui.core.demo_data import DataVersions, data_versions
from tui.core.errors import EXIT_CANCELLED, EXIT_RUN_FAILED
from tui.core.run_state import RunState
from tui.core.statuses import INTERRUPTED


@app.command("demo")
def demo(
    headless: Annotated[
        bool, typer.Option("--headless", help="No TUI: run both sides, print a summary.")
    ] = False,
    runner: Annotated[
        str, typer.Option("--runner", help="Workflow runner: host, docker or auto.")
    ] = "auto",
    project: Annotated[
        Path | None, typer.Option("--project", "-C", help="Default: the bundled sample_project.")
    ] = None,
) -> None:
    """The sample ML project end to end: its GitHub Actions workflow (test, train, upload the
    model to the local S3 server) and its Kubeflow pipeline (preprocess, train, evaluate, deploy,
    drift check), side by side."""
    if not headless:
        from tui.cli.tui_cmd import open_demo

        open_demo(project, runner)
        return
    raise typer.Exit(asyncio.run(_headless(project, runner)))


async def _headless(project: Path | None, runner: str) -> int:
    out = console()
    prepared = demo_core.prepare(project, runner)
    for side in prepared.sides:
        for line in side.run.record.notes:
            note(line)
    out.print(f"[bold]pipedeck demo[/] on {prepared.project}")
    if prepared.source is not None:
        out.print(f"[dim]a git repository made from {prepared.source}[/]")
    out.print(f"[dim]S3 server {prepared.endpoint}[/]")
    for seeded in prepared.data:
        if seeded.ok:  # the others are in the note
            out.print(f"[dim]{seeded.line}[/]")
    if prepared.note:
        out.print(f"[yellow]{prepared.note}[/]")

    def on_event(side: demo_core.Side, event: ev.Event) -> None:
        if isinstance(event, ev.RunStarted):
            out.print(f"[cyan]{side.kind:8}[/] {event.target} [dim](mode {event.mode})[/]")
        elif isinstance(event, ev.NodeFinished) and event.kind in ("job", "task"):
            node = side.state.nodes[event.node_id]
            line = Text(f"{side.kind:8} ", style="cyan")
            line.append_text(status_text(node.status, word=False))
            line.append(f" {node.title}", style=status_text(node.status).style)
            if node.duration is not None:
                line.append(f"  {node.duration:.1f}s", style="dim")
            out.print(line)

    stop = SignalStop("stopping both runs…", lambda: [demo_core.cancel(prepared)])
    async with stop:
        await demo_core.drive(prepared, on_event)
    if stop.stopped:
        return EXIT_CANCELLED
    versions = await asyncio.to_thread(data_versions, prepared)
    _summary(prepared, versions)
    return 0 if prepared.ok and versions.ok else EXIT_RUN_FAILED


def _summary(prepared: demo_core.Demo, versions: DataVersions) -> None:
    out = console()
    out.print(summary_table([side.state for side in prepared.sides]))
    uri = prepared.model_uri
    out.print(f"model: {uri}" if uri else "[red]model: not in the S3 server's bucket[/]")
    if versions.tracked is not None:
        t = versions.tracked
        out.print(f"data: {t.path} md5 {t.md5} ({t.dvc_file}, DVC remote {versions.remote})")
    for side in prepared.sides:
        line = Text(f"metrics ({side.kind}): {metrics_line(side.state)}")
        if versions.tracked is not None:
            line.append_text(data_version_text(side.kind, versions))
        out.print(line)
        if side.state.error:
            out.print(f"[red]{side.kind}: {side.state.error}[/]")
    out.print("[dim]details: pipedeck show RUN · pipedeck logs RUN · the TUI: pipedeck demo[/]")


def data_version_text(kind: str, versions: DataVersions) -> Text:
    """`` · data md5 …`` and where the run recorded it; red when it is not the tracked one."""
    recorded = versions.workflow if kind == "workflow" else versions.pipeline
    where = "the model's S3 metadata" if kind == "workflow" else "the model artifact's metadata"
    if not recorded:
        return Text(f" · data md5: none in {where}", style="red")
    tracked = versions.tracked.md5 if versions.tracked is not None else ""
    text = Text(f" · data md5 {recorded} ({where})")
    if recorded != tracked:
        text.append(" — not the tracked version", style="red")
    return text


def summary_table(states: list[RunState]) -> Table:
    """One row per side: target, status, duration, run id (a run that never finished is
    interrupted)."""
    table = Table(title="pipedeck demo", title_justify="left", show_edge=False)
    for column in ("side", "target", "status", "duration", "run"):
        table.add_column(column, no_wrap=column == "run")
    for state in states:
        status = state.status if state.finished else INTERRUPTED
        duration = seconds(state.duration) if state.finished else "-"
        table.add_row(state.kind, state.target, status_text(status), duration, state.run_id)
    return table


def metrics_line(state: RunState) -> str:
    shown = ", ".join(f"{name} {m.value:.3g}" for name, m in state.last_metrics().items())
    return shown or "none"
