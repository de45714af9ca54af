"""The terminal closed (SIGHUP) or a kill (SIGTERM): stop the runs, then leave.

After SIGHUP there is no terminal to give back: Textual's exit restores it by writing to it,
and with the pty gone that write blocks for ever (its output queue full, its input thread
spinning on the dead pty at half a core) — so once the runs are stopped and their records
closed, the process ends with ``os._exit``. After SIGTERM the app exits as usual, with a
deadline after which it ends the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App

STOP_TIMEOUT = 30.0  # seconds for the runs to stop (each has its own kill grace)
EXIT_DEADLINE = 5.0  # seconds for Textual's exit after SIGTERM


def install(app: App[Any], stop: Callable[[], Awaitable[None]]) -> None:
    """On SIGHUP and SIGTERM: ``stop()`` the runs, then end the process."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGHUP, signal.SIGTERM):
        loop.add_signal_handler(sig, functools.partial(_on_signal, app, stop, sig))


def _on_signal(app: App[Any], stop: Callable[[], Awaitable[None]], sig: int) -> None:
    app.run_worker(_end(app, stop, sig))


async def _end(app: App[Any], stop: Callable[[], Awaitable[None]], sig: int) -> None:
    code = 128 + sig
    deadline = threading.Timer(STOP_TIMEOUT + EXIT_DEADLINE, os._exit, (code,))
    deadline.daemon = True  # the process may end first
    deadline.start()  # a thread: it ends the process even while the event loop is stuck
    with contextlib.suppress(Exception):  # a run that would not stop: ending matters more
        await asyncio.wait_for(stop(), STOP_TIMEOUT)
    if sig == signal.SIGHUP:
        os._exit(code)  # no terminal to restore
    app.exit(return_code=code)
