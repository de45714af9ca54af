"""``pipedeck continue | shell | retry | skip | stop RUN [NODE]``: act on a paused run (a
workflow step or a pipeline task) from any terminal or script (the run itself may be printing
``--json`` or have no terminal)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from tui.cli.app import app
from tui.core.errors import BadInput
from tui.core.pause_channel import Pause, open_pauses, shell_command
from tui.core.pipelines import postmortem
from tui.core.process import alive
from tui.core.store import RUNNING, RunRecord, RunStore

RunArg = Annotated[str, typer.Argument(help="Run id (or a unique prefix, or `last`).")]
NodeArg = Annotated[
    str | None, typer.Argument(help="The paused node (needed when several are paused).")
]
STOP_WAIT = 30.0  # seconds `stop` waits for the run to end
SHOW_WAIT = 2.0  # seconds to wait for the run to show a pause the hook just made


def _pause(run: str, node: str | None) -> tuple[RunRecord, Pause]:
    record = RunStore().get(run)
    debug = record.meta.extra.get("debug")
    if record.meta.status != RUNNING or not debug:
        raise BadInput(f"run {record.run_id} is not paused (status: {record.meta.status})")
    waiting = open_pauses(Path(str(debug)))
    deadline = time.monotonic() + SHOW_WAIT
    while any(not p.node_id() for p in waiting) and time.monotonic() < deadline:
        time.sleep(0.05)  # a pause the run has not shown yet (it looks every 0.2 s)
    shown = [p for p in waiting if p.node_id()]
    if not shown:
        raise BadInput(f"run {record.run_id} is not paused")
    if node is not None:
        found = [p for p in shown if node in (p.node_id(), p.key)]
        if not found:
            names = ", ".join(p.node_id() for p in shown)
            raise BadInput(f"{node}: not a paused node of run {record.run_id} (paused: {names})")
        return record, found[0]
    if len(shown) > 1:
        names = ", ".join(p.node_id() for p in shown)
        raise BadInput(f"run {record.run_id} has several paused nodes ({names}); name one")
    return record, shown[0]


def _decide(run: str, node: str | None, command: str, *, failure_only: bool = False) -> None:
    record, pause = _pause(run, node)
    if failure_only and not pause.failed:
        raise BadInput(
            f"{pause.node_id()} is paused before it ran, not after a failure: continue or skip it"
        )
    if command == "retry":
        copied = pause.retry(Path(record.meta.project), record.meta.started)
        if copied:
            print(f"copied into the job's working copy: {', '.join(copied)}")
    else:
        pause.send(command)
    print(f"{pause.node_id()}: {command}")


@app.command("continue")
def continue_(run: RunArg = "last", node: NodeArg = None) -> None:
    """Go on from a pause (after a failure: let the step fail)."""
    _decide(run, node, "continue")


@app.command("skip")
def skip(run: RunArg = "last", node: NodeArg = None) -> None:
    """Skip the paused step (reported skipped, the job goes on; a task: marked failed)."""
    _decide(run, node, "skip")


@app.command("retry")
def retry(run: RunArg = "last", node: NodeArg = None) -> None:
    """Run the failed step (or task, with its edited source) again, where it ran."""
    _decide(run, node, "retry", failure_only=True)


@app.command(
    "shell",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def shell(ctx: typer.Context, run: RunArg = "last", node: NodeArg = None) -> None:
    """A shell (or `-- CMD…`) where the paused step or task is: its folder, its environment,
    its container in docker mode."""
    run, node, command = _split_command(run, node, ctx.args)
    _record, pause = _pause(run, node)
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    argv, env, cwd = shell_command(pause, command, tty=tty)
    try:
        code = subprocess.run(argv, cwd=cwd, env=env, check=False).returncode
    except FileNotFoundError:
        raise BadInput(f"{argv[0]}: no such command") from None
    raise typer.Exit(code)


def _split_command(
    run: str, node: str | None, extra: list[str]
) -> tuple[str, str | None, list[str]]:
    """RUN, NODE and CMD of ``shell RUN [NODE] -- CMD…``: click drops the ``--`` and fills
    RUN and NODE with CMD's first words, so the split is read from the command line."""
    argv = sys.argv[1:]
    if "--" not in argv or "shell" not in argv:
        return run, node, extra
    cut = argv.index("--")
    words = [w for w in argv[argv.index("shell") + 1 : cut] if not w.startswith("-")]
    return (words[0] if words else "last"), (words[1] if len(words) > 1 else None), argv[cut + 1 :]


@app.command("debug")
def debug(run: RunArg = "last", node: NodeArg = None) -> None:
    """Python's debugger (pdb) at the frame where a paused pipeline task raised."""
    _record, pause = _pause(run, node)
    if pause.reason != "exception":
        raise BadInput(
            f"{pause.node_id()} did not stop at a Python exception (run it with"
            " --break-on-failure; a component that raises stops there): use pipedeck shell"
        )
    raise typer.Exit(postmortem.attach(pause.debugger()))


@app.command("stop")
def stop(run: RunArg = "last") -> None:
    """Stop a running run (as Ctrl-C in its terminal does) and wait for it to end."""
    store = RunStore()
    record = store.get(run)
    meta = record.meta
    if meta.status != RUNNING or not alive(meta.pid, meta.pid_started):
        raise BadInput(f"run {record.run_id} is not running (status: {meta.status})")
    os.kill(meta.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT
    while time.monotonic() < deadline:
        if not alive(meta.pid, meta.pid_started):
            break
        time.sleep(0.2)
    status = store.get(record.run_id).meta.status
    print(f"run {record.run_id}: {status}")
