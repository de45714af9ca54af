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
