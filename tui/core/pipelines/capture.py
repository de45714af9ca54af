"""Inside the driver: kfp.local's own output turned into ``log`` events of the right task.

kfp.local prints through ``builtins.print`` and logs through the root logger to
``sys.stdout``. The driver points ``sys.stdout`` at a :class:`TaskStream`, which splits what is
written into lines and sends each as a ``system`` log of the task the writing thread is running
(ParallelFor iterations run in worker threads, so this holds for concurrent tasks too).
:class:`KfpChatter` drops kfp.local's banner lines that the event stream already carries.
Standard library only.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import threading
from collections.abc import Callable
from typing import Literal

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# Lines kfp.local logs that node/run events already say (status, outputs, banners).
_CHATTER = re.compile(
    r"^(Executing task |Streamed logs:|Running pipeline: |Pipeline .* finished with status"
    r"|Task .* (finished with status |outputs:|has no outputs|cache hit )"
    r"|Skipping (conditional )?task |PipInstallManager configured|Docker PipInstallManager"
    r"|Cleaned up workspace)"
)
_RULE = re.compile(r"^-{10,}$")

LineSink = Callable[[str], None]


def plain(text: str) -> str:
    return ANSI.sub("", text)


class KfpChatter(logging.Filter):
    """A root-logger filter (kfp.local swaps handlers, never logger filters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = plain(record.getMessage()).strip()
        except Exception:  # a broken user log call: let logging report it
            return True
        return not _CHATTER.match(message)


class TaskStream(io.TextIOBase):
    """A write-only text stream: complete lines go to ``sink`` (per writing thread)."""

    def __init__(self, sink: LineSink) -> None:
        super().__init__()
        self._sink = sink
        self._partial: dict[int, str] = {}
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        key = threading.get_ident()
        with self._lock:
            buffered = self._partial.pop(key, "") + text
        *lines, rest = buffered.split("\n")
        if rest:
            with self._lock:
                self._partial[key] = rest
        for line in lines:
            self._emit(line)
        return len(text)

    def flush(self) -> None:
        key = threading.get_ident()
        with self._lock:
            rest = self._partial.pop(key, "")
        if rest:
            self._emit(rest)

    def flush_all(self) -> None:
        with self._lock:
            rests = list(self._partial.values())
            self._partial.clear()
        for rest in rests:
            self._emit(rest)

    def _emit(self, line: str) -> None:
        line = line.rstrip("\r")
        bare = plain(line).strip()
        if not bare or _RULE.match(bare):
            return
        self._sink(line)


class ExecutorLines:
    """Classifies one output stream of a component.

    The KFP executor's INFO lines (``[KFP Executor <time> INFO]: Looking for component...``,
    the indented ``executor_input`` JSON after ``Got executor_input:`` up to a ``}`` at column
    0, ``Wrote executor output file``) say nothing the events do not; they are dropped. Its
    other lines (warnings, errors) are ``system``; everything else is the user's, on
    ``default`` (``stdout`` or ``stderr``).
    """

    def __init__(self, default: Literal["stdout", "stderr"]) -> None:
        self.default = default
        self._in_block = False

    def feed(self, line: str) -> list[tuple[Literal["stdout", "stderr", "system"], str]]:
        if self._in_block:
            self._in_block = line.rstrip() != "}"
            return []
        if line.startswith("[KFP Executor "):
            head = line.split("]:", 1)[0]
            if head.endswith(" INFO"):
                self._in_block = line.rstrip().endswith("Got executor_input:")
                return []
            return [("system", line)]
        return [(self.default, line)]


class ChunkLines:
    """A byte stream's chunks as whole lines (UTF-8, a line's ``\r`` dropped): what a
    container's output gives in pieces of any size."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.partial = ""

    def feed(self, chunk: bytes) -> list[str]:
        self.partial += self.decoder.decode(chunk)
        *complete, self.partial = self.partial.split("\n")
        return [line.rstrip("\r") for line in complete]

    def close(self) -> list[str]:
        """What is left after the last chunk: a last line with no newline, or nothing."""
        rest = self.partial + self.decoder.decode(b"", final=True)
        self.partial = ""
        return [rest.rstrip("\r")] if rest else []
