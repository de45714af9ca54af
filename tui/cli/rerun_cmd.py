"""``pipedeck rerun RUN --failed``: a workflow run's failed jobs, and those that depend on
them, run again; the jobs that succeeded keep their results and outputs (``rerun.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tui.cli.app import app
from tui.cli.common import existing_file, note
from tui.core.errors import BadInput
from tui.core.launch import start_workflow
from tui.core.store import RunStore
from tui.core.workflows.rerun import plan_rerun


@app.command("rerun")
def rerun(
    run: Annotated[str, typer.Argument(help="Run id (or a unique prefix, or `last`).")] = "last",
    failed: Annotated[
        bool,
        typer.Option(
            "--failed", help="Only the failed jobs and the jobs that depend on them (required)."
        ),
    ] = False,
    secret: Annotated[
        list[str] | None,
        typer.Option(
            "--secret", "-s", help="NAME=VALUE, or NAME from the env (secrets are never stored)."
        ),
    ] = None,
    secret_file: Annotated[
        Path | None, typer.Option("--secret-file", help="KEY=VALUE secrets (masked).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print events as JSON lines.")] = False,
) -> None:
    """Run a finished workflow run's failed jobs again, with every job that needs them; the
    jobs that succeeded are not run: their recorded outputs are what `needs` sees."""
    if not failed:
        raise BadInput("rerun: give --failed (it re-runs the failed jobs and what needs them)")
    from tui.cli.workflow_cmds import secret_values

    store = RunStore()
    record = store.get(run)
    for line in store.notes:
        note(line)
    request = plan_rerun(
        record,
        secrets=secret_values(secret),
        secret_file=existing_file(secret_file, "--secret-file"),
    )
    started = start_workflow(request, store, spawn=True)
    from tui.cli.execute import execute, exit_with

    exit_with(execute(started, json_out=json_out))
