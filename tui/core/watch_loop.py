"""Watch mode's loop: each watched target runs once, then again whenever a file it depends on
changes (``tui.core.watch``), debounced; a run of the same target still going is cancelled
first. The CLI (``pipedeck watch``) and the TUI (``W``) drive it with their own ways of making
and showing a run."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from tui.core.errors import PipedeckError
from tui.core.runner import Run
from tui.core.watch import Watched, affected, again, reason

DEBOUNCE_MS = 300  # a save is often several writes (an editor's temp file, then a rename)

Start = Callable[[Watched], Awaitable[Run]]  # makes the run (its events not read yet)
Show = Callable[[Watched, Run], Coroutine[Any, Any, None]]  # reads the run's events to their end
Say = Callable[[Watched, str], None]  # one line for the user (a run that could not start)


class WatchLoop:
    def __init__(
        self,
        project: Path,
        watched: Sequence[Watched],
        start: Start,
        show: Show,
        say: Say,
        *,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        self.project = project.resolve()
        self.watched = list(watched)
        self.start = start
        self.show = show
        self.say = say
        self.debounce_ms = debounce_ms
        self.going: dict[str, tuple[Run, asyncio.Task[None]]] = {}  # target → its run
        self.started = 0  # runs started (the first ones included)

    async def run(self, stop: asyncio.Event | None = None, first: bool = True) -> None:
        """Until ``stop`` is set (then every run still going is cancelled)."""
        from watchfiles import DefaultFilter, awatch

        stop = stop or asyncio.Event()
        try:
            if first:
                for entry in self.watched:
                    await self.rerun(entry, "first run")
            async for changes in awatch(
                self.project,
                watch_filter=DefaultFilter(),
                debounce=self.debounce_ms,
                step=50,
                stop_event=stop,
            ):
                changed = {Path(path).resolve() for _, path in changes}
                for entry, files in affected(self.watched, changed):
                    await self.rerun(entry, reason(self.project, files))
        finally:
            await self.stop_all()

    async def rerun(self, entry: Watched, why: str) -> None:
        """Run ``entry`` again (after cancelling its run still going), saying ``why``."""
        await self._cancel(entry.target)
        fresh = again(self.project, entry)  # an edit may have changed what it imports
        self.watched = [fresh if w.target == entry.target else w for w in self.watched]
        try:
            run = await self.start(fresh)
        except PipedeckError as exc:
            self.say(fresh, f"{fresh.target}: {why}; not run: {exc.message}")
            return
        run.prelude.append(f"watch: {why}")
        run.record.meta.extra["reason"] = why
        run.record.write_meta()
        self.started += 1
        task: asyncio.Task[None] = asyncio.create_task(self.show(fresh, run))
        self.going[fresh.target] = (run, task)
        target = fresh.target
        task.add_done_callback(lambda _task: self._done(target, run))

    def _done(self, target: str, run: Run) -> None:
        current = self.going.get(target)
        if current is not None and current[0] is run:
            del self.going[target]

    async def _cancel(self, target: str) -> None:
        current = self.going.pop(target, None)
        if current is None:
            return
        run, task = current
        with contextlib.suppress(Exception):
            await run.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await task

    async def stop_all(self) -> None:
        for target in list(self.going):
            await self._cancel(target)

    async def idle(self) -> None:
        """Until no run is going (tests, and the benchmark)."""
        while self.going:
            await asyncio.gather(*(task for _, task in self.going.values()), return_exceptions=True)
