"""Secret masking: every secret value and every ``::add-mask::`` value becomes ``***``
in every string of every event, before anything is shown or stored."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from tui.core import events as ev

MASK = "***"
E = TypeVar("E", bound=ev.Event)


class Masker:
    """Every value to mask, matched by one compiled pattern: a text with none of them (nearly
    every line) is passed through by one regex search; one with a hit has every occurrence of
    every value replaced, longest first."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: list[str] = []
        self._pattern: re.Pattern[str] | None = None
        for value in values:
            self.add(value)

    def add(self, value: str) -> None:
        """Mask ``value`` and, as GitHub does, each of its lines."""
        for part in [value, *value.splitlines()]:
            part = part.strip("\r\n")
            if part.strip() and part not in self._values:
                self._values.append(part)
        self._values.sort(key=len, reverse=True)
        # a JSON line holds a value escaped: as Go's encoding/json writes it (act is Go), or
        # as other JSON writers do
        forms = dict.fromkeys(
            f
            for v in self._values
            for f in (v, go_json(v), json.dumps(v)[1:-1], json.dumps(v, ensure_ascii=False)[1:-1])
        )
        self._pattern = re.compile("|".join(re.escape(f) for f in forms)) if forms else None

    def __bool__(self) -> bool:
        return bool(self._values)

    def hit(self, text: str) -> bool:
        """Does ``text`` hold a value, as it is or JSON-escaped (a raw line of act's log)?"""
        return self._pattern is not None and self._pattern.search(text) is not None

    def text(self, text: str) -> str:
        if self._pattern is None or self._pattern.search(text) is None:
            return text
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


def go_json(value: str) -> str:
    """``value`` inside a JSON string as Go's encoding/json escapes it."""
    out = []
    for ch in value:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch < " " or ch in "<>&\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


_GO_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
