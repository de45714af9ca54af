"""The protocol every runner implements, and the loop that records a run as it streams.

A runner is made for one run. ``events()`` yields the run's events, starting with
``run.started`` and always ending with ``run.finished`` (also when cancelled or when the tool
crashed); ``cancel()`` may be called from anywhere on the same event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from tui.core import events as ev
from tui.core.store import RunRecord


class Runner(Protocol):
    run_id: str

    @property
    def pid(self) -> int | None:
        """The run's local child process (its process tree is what the run is running), or
        None: not started yet, or nothing runs locally (a remote KFP)."""
        ...

    def events(self) -> AsyncIterator[ev.Event]: ...

    async def cancel(self) -> None: ...


async def recorded(runner: Runner, record: RunRecord) -> AsyncIterator[ev.Event]:
    """Pass the runner's events through, appending each to the run store first."""
    try:
        async for event in runner.events():
            record.append(event)
            yield event
    finally:
        record.close()
