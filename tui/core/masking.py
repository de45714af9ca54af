"""Secret masking: every secret value and every ``::add-mask::`` value becomes ``***``
in every string of every event, before anything is shown or stored."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from tui.core import events as ev

MASK = "***"
E = TypeVar("E", bound=ev.Event)


class Masker:
    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: list[str] = []
        for value in values:
            self.add(value)

    def add(self, value: str) -> None:
        """Mask ``value`` and, as GitHub does, each of its lines."""
        for part in [value, *value.splitlines()]:
            part = part.strip("\r\n")
            if part.strip() and part not in self._values:
                self._values.append(part)
        self._values.sort(key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._values)

    def text(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.value(v) for v in value)
        return value

    def event(self, event: E) -> E:
        if not self._values:
            return event
        changes = {}
        for f in dataclasses.fields(event):
            if f.name in ("run_id", "ts"):
                continue
            old = getattr(event, f.name)
            new = self.value(old)
            if new != old:
                changes[f.name] = new
        return dataclasses.replace(event, **changes) if changes else event
