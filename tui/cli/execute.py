"""Drive one run from the CLI: render it (or print ``--json``) as the lifecycle records it,
and turn Ctrl-C / SIGTERM into a clean cancel."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

from tui.cli.common import console, is_tty, note, one_line
from tui.cli.render import RunView
from tui.core import events as ev
from tui.core.errors import (
    EXIT_BAD_INPUT,
    EXIT_CANCELLED,
    EXIT_MISSING_PREREQ,
    EXIT_RUN_FAILED,
)
from tui.core.runner import Run

# Ctrl-C, a kill, and the terminal closing (ssh dropped) all end the run cleanly.
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def execute(run: Run, *, json_out: bool) -> int:
    """Run to completion; returns the exit code (``run.finished``'s)."""
    return asyncio.run(_execute(run, json_out=json_out))


async def _execute(run: Run, *, json_out: bool) -> int:
    loop = asyncio.get_running_loop()
    cancelling: list[asyncio.Task[None]] = []

    def on_signal() -> None:
        if not cancelling:
            with contextlib.suppress(OSError):  # after SIGHUP there may be no terminal
                print("pipedeck: stopping the run…", file=sys.stderr)
            cancelling.append(loop.create_task(run.cancel()))

    for line in run.record.notes:
        note(line)

    for sig in SIGNALS:
        loop.add_signal_handler(sig, on_signal)
    exit_code = EXIT_RUN_FAILED
    try:
        async with contextlib.aclosing(run.events()) as events:
            if json_out:
                async for event in events:
                    sys.stdout.write(ev.dumps(event) + "\n")
                    sys.stdout.flush()
                    if isinstance(event, ev.RunFinished):
                        exit_code = event.exit_code
            else:
                with RunView(console(), live=is_tty()) as view:
                    async for event in events:
                        view.handle(event)
                        if isinstance(event, ev.RunFinished):
                            exit_code = event.exit_code
    finally:
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)
        if cancelling:
            await asyncio.gather(*cancelling, return_exceptions=True)
            exit_code = EXIT_CANCELLED
    if exit_code in (EXIT_BAD_INPUT, EXIT_MISSING_PREREQ) and run.state.error:
        # what the user must fix, as every bad input is said: one line on stderr
        print(f"pipedeck: {one_line(run.state.error)}", file=sys.stderr)
    return exit_code
