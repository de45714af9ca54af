"""Metrics a step or a task reports as it goes, one line each, in GitHub's workflow-command
form (GitHub itself shows such a line as-is; act parses it as a ``metric`` command)::

    ::metric name=accuracy,step=3::0.93

``step`` is optional. A series of one name over steps is what the TUI plots.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_LINE = re.compile(r"^::metric (?P<props>[^:]*)::(?P<value>\S+)\s*$")


@dataclass(frozen=True)
class MetricLine:
    name: str
    value: float
    step: int | None


def parse_props(props: str) -> dict[str, str]:
    out = {}
    for part in props.split(","):
        key, sep, value = part.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def from_command(props: dict[str, str], arg: str) -> MetricLine | None:
    """A metric from a parsed command's properties and argument; None when malformed."""
    name = props.get("name", "").strip()
    try:
        value = float(arg.strip())
        step = int(props["step"]) if props.get("step", "").strip() else None
    except ValueError:
        return None
    if not name or not math.isfinite(value):
        return None
    return MetricLine(name, value, step)


def parse(text: str) -> MetricLine | None:
    """The metric a log line reports, if it is a ``::metric …::VALUE`` line."""
    match = _LINE.match(text.strip())
    if match is None:
        return None
    return from_command(parse_props(match.group("props")), match.group("value"))
