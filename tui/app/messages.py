"""Messages shared between the app's screens and widgets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.message import Message

from tui.core import events as ev


@dataclass
class EventBatch(Message):
    """Events of one run, collected by its worker over ≤ 50 ms (never one message per line)."""

    side: str  # "workflow" or "pipeline"
    run_id: str
    events: Sequence[ev.Event]


@dataclass
class CheckResult(Message):
    """A status-bar check answered (``ok`` None: informational)."""

    name: str
    text: str
    ok: bool | None


def worker_error(error: BaseException | None) -> str:
    """A failed worker's error as the user reads it: a PipedeckError's message, else the
    exception's type and text (one line, never a traceback)."""
    from tui.core.errors import PipedeckError

    if isinstance(error, PipedeckError):
        return error.message
    return f"{type(error).__name__}: {error}"
