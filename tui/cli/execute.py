"""Drive one run from the CLI: record it, render it (or print ``--json``), handle signals."""

from __future__ import annotations

import asyncio
import signal
import sys

from tui.cli.common import console, is_tty
from tui.cli.render import RunView
from tui.core import events as ev
from tui.core.errors import EXIT_CANCELLED, EXIT_RUN_FAILED
from tui.core.runner import Runner, recorded
from tui.core.store import RunRecord


def execute(runner: Runner, record: RunRecord, *, json_out: bool) -> int:
    """Run to completion; Ctrl-C / SIGTERM cancel the run cleanly. Returns the exit code."""
    return asyncio.run(_execute(runner, record, json_out=json_out))


async def _execute(runner: Runner, record: RunRecord, *, json_out: bool) -> int:
    loop = asyncio.get_running_loop()
    cancelling: list[asyncio.Task[None]] = []

    def on_signal() -> None:
        if not cancelling:
            print("pipedeck: stopping the run…", file=sys.stderr)
            cancelling.append(loop.create_task(runner.cancel()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    exit_code = EXIT_RUN_FAILED
    try:
        if json_out:
            async for event in recorded(runner, record):
                sys.stdout.write(ev.dumps(event) + "\n")
                sys.stdout.flush()
                if isinstance(event, ev.RunFinished):
                    exit_code = event.exit_code
        else:
            with RunView(console(), live=is_tty()) as view:
                async for event in recorded(runner, record):
                    view.handle(event)
                    if isinstance(event, ev.RunFinished):
                        exit_code = event.exit_code
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        if cancelling:
            await asyncio.gather(*cancelling, return_exceptions=True)
            exit_code = EXIT_CANCELLED
    return exit_code
