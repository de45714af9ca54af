"""GitHub's filter patterns (branches, tags, paths), as its "Filter pattern cheat sheet" has
them, read into regular expressions matched against a whole name:

- ``*`` any characters but ``/``; ``**`` any characters, ``/`` included (``**/`` also none:
  ``**/README.md`` matches ``README.md``);
- ``?`` zero or one of the preceding character, ``+`` one or more of it (``*.jsx?`` matches
  ``page.js`` and ``page.jsx``; at the start of a pattern either is itself);
- ``[…]`` one character listed, or in a range of ``a-z``, ``A-Z`` or ``0-9``;
- ``\\`` makes the next character literal; ``!`` first negates the pattern.

A list of patterns is read in order and the last one that matches decides (``*.md``,
``!README.md``, ``README*`` includes ``README.md`` again). Matching is case-sensitive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

_RANGES = (("a", "z"), ("A", "Z"), ("0", "9"))


class BadPattern(ValueError):
    """A pattern GitHub refuses (the workflow then does not run at all)."""


@dataclass(frozen=True)
class Pattern:
    raw: str  # as the workflow has it, ``!`` included
    negative: bool
    regex: re.Pattern[str]

    def matches(self, name: str) -> bool:
        return self.regex.fullmatch(name) is not None


@lru_cache(maxsize=4096)
def compile_pattern(raw: str) -> Pattern:
    negative = raw.startswith("!")
    body = raw[1:] if negative else raw
    try:
        regex = re.compile(to_regex(body), re.DOTALL)
    except re.error as exc:  # what to_regex lets through and Python still refuses
        raise BadPattern(f"invalid pattern {raw!r}: {exc}") from None
    return Pattern(raw, negative, regex)


def compile_patterns(raws: Iterable[str]) -> list[Pattern]:
    return [compile_pattern(raw) for raw in raws]


def to_regex(pattern: str) -> str:
    """The regular expression (for ``fullmatch``) of one pattern, its ``!`` taken off."""
    atoms: list[str] = []  # each one regex unit, so ? and + apply to it whole
    pos = 0
    while pos < len(pattern):
        char = pattern[pos]
        if char == "*":
            if pattern.startswith("**/", pos):
                atoms.append("(?:.+/)?")
                pos += 3
            elif pattern.startswith("**", pos):
                atoms.append(".*")
                pos += 2
            else:
                atoms.append("[^/]*")
                pos += 1
        elif char in "?+":
            if atoms:
                atoms[-1] = f"(?:{atoms[-1]}){char}"
            else:
                atoms.append(re.escape(char))
            pos += 1
        elif char == "[":
            atom, pos = _char_class(pattern, pos)
            atoms.append(atom)
        elif char == "\\":
            if pos + 1 >= len(pattern):
                raise BadPattern(f"invalid pattern {pattern!r}: nothing after \\")
            atoms.append(re.escape(pattern[pos + 1]))
            pos += 2
        else:
            atoms.append(re.escape(char))
            pos += 1
    return "".join(atoms)


def _char_class(pattern: str, start: int) -> tuple[str, int]:
    """``[…]`` at ``start``: its regex and the position after its ``]``."""
    end = pattern.find("]", start + 1)
    if end < 0:
        raise BadPattern(f"invalid pattern {pattern!r}: no ']' after '['")
    body = pattern[start + 1 : end]
    if not body:
        raise BadPattern(f"invalid pattern {pattern!r}: empty brackets '[]'")
    parts: list[str] = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            low, high = body[i], body[i + 2]
            if not any(a <= low <= high <= b for a, b in _RANGES):
                raise BadPattern(
                    f"invalid pattern {pattern!r}: range {low}-{high} (ranges: a-z, A-Z, 0-9)"
                )
            parts.append(f"{re.escape(low)}-{re.escape(high)}")
            i += 3
        else:
            parts.append(re.escape(body[i]))
            i += 1
    return f"[{''.join(parts)}]", end + 1


def deciding(patterns: Sequence[Pattern], name: str) -> Pattern | None:
    """The last pattern of ``patterns`` that matches ``name`` (it decides), or None."""
    for pattern in reversed(patterns):
        if pattern.matches(name):
            return pattern
    return None


def selected(patterns: Sequence[Pattern], name: str) -> bool:
    """Does the list select ``name``: its deciding pattern is a positive one."""
    found = deciding(patterns, name)
    return found is not None and not found.negative
