"""Parsed workflow plans kept between runs, so a run of a workflow file that has not changed
does not import PyYAML (~9 ms, the largest single cost on a run's way to starting act) nor
parse it again.

An entry is found by the file's absolute path and used only when its key matches: the file's
bytes (their length and CRC-32: the file is read, never trusted by its mtime), whether it was
read leniently, and the code that parsed it (pipedeck's version, ``plan.py`` as it is now, and
the Python version, whose ``marshal`` format the entry is in). The entry holds the plan as
plain values (``plan.to_plain``); anything unreadable is a miss, never an error. Entries live
in ``<state>/plans/`` (0700), one per workflow path, each written whole (a temporary name, then
renamed), so two runs never read half of one.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from pathlib import Path
from typing import Any

import tui
from tui.core.paths import PRIVATE_FILE, private_dir, state_dir

PLAN_CODE = Path(__file__).with_name("plan.py")


def get(path: Path, lenient: bool, data: bytes) -> Any | None:
    """The plain plan stored for ``path`` read from ``data``, or None."""
    try:
        with _entry(path).open("rb") as fh:
            key, plain = marshal.load(fh)  # noqa: S302  (this user's 0700 folder; pipedeck wrote it)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return plain if key == _key(path, lenient, data) else None


def put(path: Path, lenient: bool, data: bytes, plain: Any) -> None:
    """Keep ``plain`` (what ``path`` holding ``data`` parses to) for the next run; a cache
    that cannot be written is only slower."""
    entry = _entry(path)
    tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    try:
        private_dir(entry.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps((_key(path, lenient, data), plain)))
        tmp.replace(entry)
    except (OSError, ValueError):
        tmp.unlink(missing_ok=True)


def _entry(path: Path) -> Path:
    where = str(path.absolute())
    return state_dir() / "plans" / f"{zlib.crc32(where.encode()):08x}-{path.name}"


def _key(path: Path, lenient: bool, data: bytes) -> tuple[Any, ...]:
    try:
        code = PLAN_CODE.stat().st_mtime_ns
    except OSError:
        code = 0
    return (
        str(path.absolute()),
        lenient,
        len(data),
        zlib.crc32(data),
        tui.__version__,
        code,
        sys.version,
    )
