"""The Runner protocol, and THE run lifecycle every consumer runs a runner through.

A runner is made for one run: ``events()`` yields its events, ``cancel()`` may be called
from anywhere on the same event loop. A runner does its best to end with ``run.finished``,
but consumers never rely on it: they iterate :meth:`Run.events`, which guarantees, whatever
the runner does (returns, raises, is cancelled, its tool crashes):

- the stream starts with one ``run.started`` and ends with one ``run.finished``;
- every node that started gets exactly one ``node.finished``: a user's cancel (or a signal)
  makes every open node ``cancelled``; a crash or an exception makes the innermost running
  node and the nodes it runs under ``failure``, the rest ``cancelled``;
- every event is appended to the run store before anyone sees it, and ``meta.json`` is
  finished (also when the consumer itself is cancelled or stops reading).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import sys
import time
import traceback
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Protocol, cast

from tui.core import events as ev
from tui.core.errors import (
    EXIT_CANCELLED,
    EXIT_INTERNAL,
    EXIT_MISSING_PREREQ,
    EXIT_RUN_FAILED,
    PipedeckError,
)
from tui.core.run_state import RunState
from tui.core.statuses import RUNNING
from tui.core.store import RunRecord, StoreFull

CANCELLED_BY_USER = "cancelled by the user"


class Runner(Protocol):
    run_id: str

    @property
    def pid(self) -> int | None:
        """The run's local child process (its process tree is what the run is running), or
        None: not started yet, or nothing runs locally (a remote KFP)."""
        ...

    def events(self) -> AsyncIterator[ev.Event]: ...

    async def cancel(self) -> None: ...


class Run:
    """One run: a runner and its record, driven through the lifecycle."""

    def __init__(self, runner: Runner, record: RunRecord) -> None:
        self.runner = runner
        self.record = record
        self.state = RunState(record.meta.kind)
        self.cancel_requested = False
        self.store_error: StoreFull | None = None
        self._begun: float | None = None
        self._used = False
        # system log lines the starter of the run puts first (watch mode: why it re-ran)
        self.prelude: list[str] = []

    @property
    def run_id(self) -> str:
        return self.record.run_id

    @property
    def pid(self) -> int | None:
        return self.runner.pid

    @property
    def kind(self) -> str:
        return self.record.meta.kind

    @property
    def target(self) -> str:
        return self.record.meta.target

    async def cancel(self) -> None:
        """Stop the run (a user's cancel, a signal): open nodes end ``cancelled``."""
        self.cancel_requested = True
        await self.runner.cancel()

    async def events(self) -> AsyncGenerator[ev.Event, None]:
        if self._used:
            raise RuntimeError(f"run {self.run_id} was already run")
        self._used = True
        self._begun = time.monotonic()
        source = self.runner.events()
        try:
            async for event in source:
                for admitted in self._admit(event):
                    yield admitted
                if self.state.finished:
                    break
        except (asyncio.CancelledError, GeneratorExit):
            # The consumer went away (its task cancelled, or it stopped reading): stop the
            # tool, then finish the run in the store, since nobody can be told any more.
            with contextlib.suppress(Exception):
                await asyncio.shield(self.runner.cancel())
            self.cancel_requested = True
            for event in self._ending("cancelled", EXIT_CANCELLED, CANCELLED_BY_USER):
                self._record(event)
            raise
        except Exception as exc:
            if os.environ.get("PIPEDECK_DEBUG"):
                traceback.print_exc(file=sys.stderr)
            with contextlib.suppress(Exception):
                await self.runner.cancel()  # whatever it started must not outlive it
            for event in self._crashed(exc):
                yield event
        else:
            if not self.state.finished:
                if self.cancel_requested:
                    ending = self._ending("cancelled", EXIT_CANCELLED, CANCELLED_BY_USER)
                else:
                    error = "the run ended without a result (the runner stopped early)"
                    ending = self._ending("failure", EXIT_RUN_FAILED, error)
                for event in ending:
                    yield self._record(event)
        finally:
            aclose = getattr(source, "aclose", None)  # a runner's generator: run its finally
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
            self.record.close()

    # -- what passes ---------------------------------------------------------------------

    def _admit(self, event: ev.Event) -> list[ev.Event]:
        """The events the stream shows for one runner event (in order, already recorded)."""
        out: list[ev.Event] = []
        if self.state.status == "" and not isinstance(event, ev.RunStarted):
            out.append(self._record(self._run_started()))
        if isinstance(event, ev.RunStarted) and self.state.status != "":
            return out  # a second run.started
        if isinstance(event, ev.NodeFinished):
            node = self.state.nodes.get(event.node_id)
            if node is not None and node.done:
                return out  # each node finishes once
        if isinstance(event, ev.RunFinished):
            status, code, error = event.status, event.exit_code, event.error
            if self.cancel_requested and status != "cancelled":
                status, code = "cancelled", EXIT_CANCELLED
                error = error or CANCELLED_BY_USER
            for closing in self._close_open(status):
                out.append(self._record(closing))
            if (status, code, error) != (event.status, event.exit_code, event.error):
                event = ev.RunFinished(
                    run_id=event.run_id,
                    ts=event.ts,
                    status=status,
                    exit_code=code,
                    duration=event.duration,
                    error=error,
                )
        out.append(self._record(event))
        if self.prelude and any(isinstance(e, ev.RunStarted) for e in out):
            lines, self.prelude = self.prelude, []
            out += [
                self._record(ev.Log(run_id=self.run_id, stream="system", text=text))
                for text in lines
            ]
        return out

    def _record(self, event: ev.Event) -> ev.Event:
        """Fold ``event`` in and append it to the store. The first write the disk refuses
        (StoreFull) ends the run, saying why; later events are kept where there is room."""
        self.state.apply(event)
        try:
            self.record.append(event)
        except StoreFull as exc:
            if self.store_error is None:  # the first: end the run (it says why)
                self.store_error = exc
                raise
        return event

    def _run_started(self) -> ev.RunStarted:
        meta = self.record.meta
        kind: ev.RunKind = "pipeline" if meta.kind == "pipeline" else "workflow"
        return ev.RunStarted(run_id=self.run_id, kind=kind, target=meta.target, mode=meta.mode)

    def _crashed(self, exc: Exception) -> list[ev.Event]:
        if isinstance(exc, PipedeckError):
            code, error = exc.exit_code, exc.message
        elif isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            where = f" for {exc.filename}" if exc.filename else ""
            code = EXIT_MISSING_PREREQ
            error = f"no space left on the device{where}; free some space and run again"
        else:
            code = EXIT_INTERNAL
            error = f"pipedeck error: {type(exc).__name__}: {exc}"
        if self.cancel_requested:
            return [self._record(e) for e in self._ending("cancelled", EXIT_CANCELLED, error)]
        return [self._record(e) for e in self._ending("failure", code, error)]

    def _ending(self, status: ev.RunStatus, code: int, error: str) -> list[ev.Event]:
        """What closes a run the runner did not close (not yet recorded): run.started if it
        never came, node.finished for its open nodes, then run.finished."""
        out: list[ev.Event] = []
        if self.state.status == "":
            out.append(self._run_started())  # nothing can be open yet
        out += self._close_open(status)
        out.append(
            ev.RunFinished(
                run_id=self.run_id,
                status=status,
                exit_code=code,
                duration=self._elapsed(),
                error=error,
            )
        )
        return out

    def _close_open(self, status: str) -> list[ev.NodeFinished]:
        """node.finished for every open node: innermost first, then outwards."""
        open_nodes = self.state.open_nodes()
        if not open_nodes:
            return []
        failing: set[str] = set()
        if status == "failure":
            innermost = self.state.innermost_open()
            if innermost is not None:
                ancestors = self.state.ancestors(innermost.node_id)
                failing = {innermost.node_id, *(a.node_id for a in ancestors)}
        out = []
        for node in reversed(open_nodes):
            if node.status != RUNNING:
                continue
            node_status: ev.NodeStatus = "failure" if node.node_id in failing else "cancelled"
            out.append(
                ev.NodeFinished(
                    run_id=self.run_id,
                    node_id=node.node_id,
                    name=node.name,
                    kind=cast(ev.NodeKind, node.kind),
                    status=node_status,
                    parent_id=node.parent_id,
                    matrix=node.matrix,
                    iteration=node.iteration,
                )
            )
        return out

    def _elapsed(self) -> float:
        return round(time.monotonic() - (self._begun or time.monotonic()), 3)
