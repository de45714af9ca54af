"""Log lines for a terminal, a pipe or a file: ``[node path] text``, written as plain text in
big writes — never one Rich render per line (Rich takes ~10 µs a line; a chatty step prints
hundreds of thousands). Colour only on a terminal without ``NO_COLOR``; elsewhere the steps'
own ANSI codes are taken out, as Rich did.
"""

from __future__ import annotations

import os
import re
from typing import IO

# CSI sequences (colours, cursor moves) and other two-byte escapes
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
RESET = "\x1b[0m"
SGR = {  # the few styles the CLI uses, as ANSI
    "": "",
    "bold": "\x1b[1m",
    "dim": "\x1b[2m",
    "cyan": "\x1b[36m",
    "red": "\x1b[31m",
    "magenta": "\x1b[35m",
    "bold green": "\x1b[1;32m",
    "bold red": "\x1b[1;31m",
    "bold yellow": "\x1b[1;33m",
}
STREAM_STYLE = {"stderr": "red", "system": "dim"}


def wants_color(out: IO[str]) -> bool:
    """Rich's rule: a terminal, and no NO_COLOR (or TERM=dumb)."""
    try:
        tty = out.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


class LineWriter:
    """Formats log events' lines; the caller writes the text (several lines at once)."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def paint(self, text: str, style: str) -> str:
        code = SGR.get(style, "") if self.color else ""
        return f"{code}{text}{RESET}" if code else text

    def lines(self, prefix: str, stream: str, text: str) -> str:
        """``text`` (one or more lines) as ``[prefix] line`` lines, each ending in a newline."""
        if not self.color:
            head = f"[{prefix}] "
            return "".join(f"{head}{part}\n" for part in ANSI.sub("", text).split("\n"))
        head = f"{SGR['cyan']}[{prefix}]{RESET} "
        style = SGR.get(STREAM_STYLE.get(stream, ""), "")
        tail = RESET if style or "\x1b" in text else ""
        return "".join(f"{head}{style}{part}{tail}\n" for part in text.split("\n"))
