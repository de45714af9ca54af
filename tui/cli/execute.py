"""Drive one run from the CLI: render it (or print ``--json``) as the lifecycle records it,
and turn Ctrl-C / SIGTERM into a clean cancel."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn

from tui.cli.common import console, is_tty, note, one_line
from tui.core import events as ev
from tui.core.errors import (
    EXIT_BAD_INPUT,
    EXIT_CANCELLED,
    EXIT_MISSING_PREREQ,
    EXIT_RUN_FAILED,
)
from tui.core.runner import Run

if TYPE_CHECKING:
    from tui.cli.render import RunView

# Ctrl-C, a kill, and the terminal closing (ssh dropped) all end the run cleanly.
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class SignalStop:
    """While entered, the first of :data:`SIGNALS` says ``say`` on stderr and starts the
    coroutines ``stop()`` gives (the runs' cancels); leaving waits for them to end."""

    def __init__(self, say: str, stop: Callable[[], Iterable[Coroutine[Any, Any, None]]]) -> None:
        self.say = say
        self.stop = stop
        self.stopped = False
        self._tasks: list[asyncio.Task[None]] = []

    def _on_signal(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        with contextlib.suppress(OSError):  # after SIGHUP there may be no terminal
            print(f"pipedeck: {self.say}", file=sys.stderr)
        loop = asyncio.get_running_loop()
        self._tasks.extend(loop.create_task(cancel) for cancel in self.stop())

    async def __aenter__(self) -> SignalStop:
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            loop.add_signal_handler(sig, self._on_signal)
        return self

    async def __aexit__(self, *_: object) -> None:
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


FLUSH_EVERY = 0.05  # seconds: --json output is never more than this behind


class Flushed:
    """A binary stream written in whole lines and flushed at most every ``FLUSH_EVERY``
    seconds (and after the last write of a burst, by a timer), never once per line."""

    def __init__(self, out: BinaryIO, loop: asyncio.AbstractEventLoop) -> None:
        self.out = out
        self.loop = loop
        self.last = time.monotonic()
        self.timer: asyncio.TimerHandle | None = None

    def write(self, data: bytes) -> None:
        self.out.write(data)
        if time.monotonic() - self.last >= FLUSH_EVERY:
            self.flush()
        elif self.timer is None:
            self.timer = self.loop.call_later(FLUSH_EVERY, self.flush)

    def flush(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nobody reads
            self.out.flush()
        self.last = time.monotonic()


def event_line(run: Run, event: ev.Event) -> bytes:
    """``event`` as its ``--json`` line: the bytes the store just wrote when it is the event
    just recorded (no second encoding), else encoded now."""
    recorded, data = run.record.last
    return data if recorded is event else ev.encode(event) + b"\n"


async def tick(view: RunView) -> None:
    """Redraw ``view`` while its run is quiet (it redraws itself on events)."""
    while True:
        await asyncio.sleep(0.1)
        view.tick()


def exit_with(code: int) -> NoReturn:
    """End the process after a run: its files are closed by now (the run lifecycle closes its
    record), so only stdout and stderr are flushed, and the interpreter's teardown of the
    hundreds of modules a run loads (~13 ms, a tenth of a quick run's cost) is skipped."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nobody reads
            stream.flush()
    os._exit(code)


def execute(run: Run, *, json_out: bool) -> int:
    """Run to completion; returns the exit code (``run.finished``'s)."""
    return asyncio.run(_execute(run, json_out=json_out))


async def _execute(run: Run, *, json_out: bool) -> int:
    loop = asyncio.get_running_loop()
    for line in run.record.notes:
        note(line)
    exit_code = EXIT_RUN_FAILED
    stop = SignalStop("stopping the run…", lambda: [run.cancel()])
    async with stop, contextlib.aclosing(run.events()) as events:
        if json_out:
            out = Flushed(sys.stdout.buffer, loop)
            try:
                async for event in events:
                    out.write(event_line(run, event))
                    if isinstance(event, ev.RunFinished):
                        exit_code = event.exit_code
            finally:
                out.flush()
        else:
            from tui.cli.render import RunView  # Rich: only when it draws

            with RunView(console(), live=is_tty()) as view:
                ticker = loop.create_task(tick(view))  # output is timely when quiet
                prompt = None
                if view.live and run.record.meta.extra.get("debug"):  # breakpoints
                    from tui.cli.pause_prompt import PausePrompt

                    prompt = PausePrompt(run, view)
                    prompt.start(loop)
                try:
                    async for event in events:
                        view.handle(event)
                        if isinstance(event, ev.RunFinished):
                            exit_code = event.exit_code
                finally:
                    if prompt is not None:
                        prompt.stop()
                    ticker.cancel()
    if stop.stopped:
        exit_code = EXIT_CANCELLED
    if exit_code in (EXIT_BAD_INPUT, EXIT_MISSING_PREREQ) and run.state.error:
        # what the user must fix, as every bad input is said: one line on stderr
        print(f"pipedeck: {one_line(run.state.error)}", file=sys.stderr)
    return exit_code
