"""Collect a run's events and hand them on in batches, at most ``rate`` times a second."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

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
