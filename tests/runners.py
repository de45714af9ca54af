"""Runners that play a script of events: the boundary the app and the lifecycle are tested
at when the subject is pipedeck's own handling, not act's or kfp.local's behaviour."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

from tui.core import events as ev

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class ScriptedRunner:
    def __init__(self, run_id: str, script: Sequence[ev.Event], delay: float = 0.0) -> None:
        self.run_id = run_id
        self.script = list(script)
        self.delay = delay
        self.cancelled = False
        self.pid: int | None = None  # nothing runs locally

    async def events(self) -> AsyncIterator[ev.Event]:
        for event in self.script:
            if self.cancelled:
                break
            if self.delay:
                await asyncio.sleep(self.delay)
            yield event
        if self.cancelled:
            yield ev.RunFinished(
                run_id=self.run_id, ts=T0, status="cancelled", exit_code=130, duration=1.0
            )

    async def cancel(self) -> None:
        self.cancelled = True


class RaisingRunner(ScriptedRunner):
    """Plays its script, then raises: a runner with a bug (or a tool that broke it)."""

    def __init__(self, run_id: str, script: Sequence[ev.Event], error: Exception) -> None:
        super().__init__(run_id, script)
        self.error = error

    async def events(self) -> AsyncIterator[ev.Event]:
        async for event in super().events():
            yield event
        raise self.error


def broken_script(run_id: str, target: str) -> list[ev.Event]:
    """build succeeded; test started, its first step is running: where the runner breaks."""
    return [
        ev.RunStarted(run_id=run_id, ts=T0, kind="workflow", target=target, mode="host"),
        ev.NodeStarted(run_id=run_id, ts=T0, node_id="build", name="build", kind="job"),
        ev.NodeFinished(
            run_id=run_id, ts=T0, node_id="build", name="build", kind="job", status="success"
        ),
        ev.NodeStarted(run_id=run_id, ts=T0, node_id="test", name="test", kind="job"),
        ev.NodeStarted(
            run_id=run_id, ts=T0, node_id="test/0", name="unit", kind="step", parent_id="test"
        ),
        ev.Log(run_id=run_id, ts=T0, node_id="test/0", text="running unit tests"),
        ev.NodeStarted(run_id=run_id, ts=T0, node_id="lint", name="lint", kind="job"),
    ]
