"""Collect a run's events and hand them on in batches, at most ``rate`` times a second."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, TypeVar

from tui.app.messages import EventBatch

if TYPE_CHECKING:
    from textual.message import Message

    from tui.core import events as ev
    from tui.core.runner import Run

T = TypeVar("T")

INTERVAL = 0.05  # 20 Hz


async def batched(
    source: AsyncIterator[T], deliver: Callable[[list[T]], None], interval: float = INTERVAL
) -> None:
    """Read ``source`` to its end; call ``deliver`` with what arrived, every ``interval`` s.

    The reader and the flusher are separate, so a quiet stream still flushes its last lines
    promptly and a burst of thousands of lines becomes a few calls.
    """
    buffer: list[T] = []

    async def read() -> None:
        async for item in source:
            buffer.append(item)

    reader = asyncio.ensure_future(read())
    try:
        while not reader.done():
            await asyncio.wait({reader}, timeout=interval)
            if buffer:
                chunk = buffer[:]
                buffer.clear()
                deliver(chunk)
        reader.result()  # re-raise what the reader raised
    finally:
        if not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        if buffer:
            deliver(buffer[:])
            buffer.clear()


async def stream_run(run: Run, side: str, post: Callable[[Message], object]) -> None:
    """Drive ``run`` through its lifecycle to its end, posting its events as
    :class:`EventBatch` messages for ``side`` (at most 20 a second)."""

    def deliver(events: list[ev.Event]) -> None:
        post(EventBatch(side, run.run_id, events))

    async with contextlib.aclosing(run.events()) as events:
        await batched(events, deliver)
