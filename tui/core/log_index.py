"""The line index of a stored run's log: ``log.idx`` beside ``events.jsonl``.

A run's log lines are what :func:`tui.core.run_state.log_lines` makes of its events, numbered
from 0. For every log line ``log.idx`` holds the byte offset of the event line that holds it
(u64, little endian, 8 bytes), appended as the event is appended (:class:`IndexWriter`, fed by
:meth:`tui.core.store.RunRecord.append`); line *i* is line ``i - first`` of its event, where
``first`` is the first entry with the same offset.

:class:`StoredLog` reads lines back by number and searches them without reading the whole log,
and trusts nothing it reads: a torn or short index (a process killed mid-write, or a run another
process is still writing) is caught up by scanning ``events.jsonl`` past the last indexed event,
a missing one (runs stored before the index existed) is rebuilt by a scan, and a torn or
undecodable event line is skipped. It is safe to share between threads.
"""

from __future__ import annotations

import contextlib
import os
import re
import struct
import sys
import threading
from array import array
from collections.abc import Callable, Collection
from itertools import groupby
from pathlib import Path

from tui.core import events as ev
from tui.core.run_state import LogLine, log_line_count, log_lines

EVENTS_FILE = "events.jsonl"
INDEX_FILE = "log.idx"
ENTRY = 8  # bytes per index entry
CHUNK = 10_000  # lines decoded at a time by search
_BLOCK = 1 << 20  # bytes read at a time when scanning events.jsonl
_BIG_ENDIAN = sys.byteorder == "big"
_ENTRY = struct.Struct("<Q")

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def plain(text: str) -> str:
    """The text a user reads: no escape sequences, only what follows the last ``\\r``.
    Searches (here and in the log view) match on it, case-insensitively."""
    if "\x1b" in text:
        text = ANSI.sub("", text)
    if "\r" in text:
        text = text.rstrip("\r").rsplit("\r", 1)[-1]
    return text


def event_lines(raw: bytes) -> list[LogLine] | None:
    """The log lines of one stored event line; ``None`` when it cannot be decoded."""
    try:
        return log_lines(ev.loads(raw))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def _entries(data: bytes) -> array[int]:
    out = array("Q")
    out.frombytes(data[: len(data) - len(data) % ENTRY])
    if _BIG_ENDIAN:
        out.byteswap()
    return out


def _pack(offsets: array[int]) -> bytes:
    if _BIG_ENDIAN:
        offsets = array("Q", offsets)
        offsets.byteswap()
    return offsets.tobytes()


class StoredLog:
    """The log lines of one stored run, read through its line index."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.events_path = self.run_dir / EVENTS_FILE
        self.index_path = self.run_dir / INDEX_FILE
        self._lock = threading.RLock()
        self._indexed = -1  # entries of log.idx last seen (-1: not looked yet)
        self._extra = array("Q")  # offsets of lines log.idx lacks, found by scanning
        self._scanned = 0  # where the scan of events.jsonl goes on
        self._skip = 0  # lines of the event at _scanned that are already counted
        self._in_memory = False  # no index on disk and none can be written: all in _extra

    # -- counting ----------------------------------------------------------------------------

    def count(self) -> int:
        """Every log line the run has so far (the index, caught up with the events)."""
        with self._lock:
            try:
                size = self.events_path.stat().st_size
            except OSError:
                return 0
            try:
                indexed = self.index_path.stat().st_size // ENTRY
            except FileNotFoundError:
                indexed = 0 if self._in_memory else self._rebuild(size)
            except OSError:
                indexed = 0
            changed = indexed != self._indexed or size < self._scanned
            if changed and not self._overtaken(indexed, size):
                self._restart(indexed)
            if size > self._scanned:
                self._scan(size)
            return self._indexed + len(self._extra)

    def _overtaken(self, indexed: int, size: int) -> bool:
        """The index grew over lines found by scanning (its writer flushed): drop those from
        the scanned ones, if the index agrees with them."""
        grown = indexed - self._indexed
        if self._indexed < 0 or not 0 < grown <= len(self._extra) or size < self._scanned:
            return False
        with self.index_path.open("rb") as fh:
            fh.seek((indexed - 1) * ENTRY)
            last = _entries(fh.read(ENTRY))
        if not last or last[0] != self._extra[grown - 1]:
            return False
        del self._extra[:grown]
        self._indexed = indexed
        return True

    def _restart(self, indexed: int) -> None:
        """Catch up again from the last event the index (now ``indexed`` long) names."""
        self._indexed, self._extra, self._scanned, self._skip = indexed, array("Q"), 0, 0
        if indexed == 0:
            return
        start = max(0, indexed - 4096)
        tail = self._offsets(start, indexed)
        last, i = tail[-1], len(tail)
        while i > 0 and tail[i - 1] == last:
            i -= 1
        same = len(tail) - i if i > 0 or start == 0 else indexed - self._first_of(indexed - 1)
        self._scanned, self._skip = last, same

    def _scan(self, size: int) -> None:
        """Index (in memory) the complete event lines from ``_scanned`` up to ``size``."""
        with self.events_path.open("rb") as fh:
            fh.seek(self._scanned)
            rest = b""
            while self._scanned + len(rest) < size:
                block = fh.read(min(_BLOCK, size - self._scanned - len(rest)))
                if not block:
                    break
                data = rest + block
                start = 0
                while (end := data.find(b"\n", start)) >= 0:
                    lines = event_lines(data[start:end])
                    count = len(lines) if lines is not None else 0
                    if count > self._skip:
                        self._extra.extend([self._scanned] * (count - self._skip))
                    self._scanned += end + 1 - start
                    self._skip = 0
                    start = end + 1
                rest = data[start:]

    def _rebuild(self, size: int) -> int:
        """A run stored before the index existed: write its index (if the directory lets us)
        and return its length; else keep it in memory and return 0."""
        self._indexed, self._extra, self._scanned, self._skip = 0, array("Q"), 0, 0
        self._scan(size)
        entries, self._extra = self._extra, array("Q")
        tmp = self.run_dir / f".{INDEX_FILE}.{os.getpid()}.{threading.get_ident()}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(_pack(entries))
            os.link(tmp, self.index_path)  # never over an index a writer has just created
        except FileExistsError:  # it has: read that one
            self._indexed = -1
            return self.index_path.stat().st_size // ENTRY
        except OSError:
            self._extra, self._in_memory = entries, True
            return 0
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._indexed = len(entries)
        return len(entries)

    # -- the index ---------------------------------------------------------------------------

    def _offsets(self, start: int, stop: int) -> array[int]:
        """Index entries ``start`` to ``stop`` (from log.idx, then the caught-up ones)."""
        out = array("Q")
        indexed = self._indexed
        if start < indexed:
            with self.index_path.open("rb") as fh:
                fh.seek(start * ENTRY)
                out = _entries(fh.read((min(stop, indexed) - start) * ENTRY))
        if stop > indexed:
            out.extend(self._extra[max(0, start - indexed) : stop - indexed])
        return out

    def _first_of(self, line: int) -> int:
        """The first line of the event that holds ``line``."""
        offset = self._offsets(line, line + 1)[0]
        first = line
        while first > 0:
            start = max(0, first - 4096)
            before = self._offsets(start, first)
            i = len(before)
            while i > 0 and before[i - 1] == offset:
                i -= 1
            first = start + i
            if i > 0:
                break
        return first

    # -- reading -----------------------------------------------------------------------------

    def read(self, start: int, stop: int) -> list[LogLine]:
        """Lines ``start`` to ``stop`` (global numbers, 0-based; clipped to the log)."""
        with self._lock:
            stop = min(stop, self.count())
            start = max(0, start)
            if start >= stop:
                return []
            offsets = self._offsets(start, stop)
            skip = start - self._first_of(start)
        out: list[LogLine] = []
        with self.events_path.open("rb") as fh:
            fh.seek(offsets[0])
            data = fh.read(offsets[-1] - offsets[0])
            data += fh.readline()
        base = offsets[0]
        for offset, group in groupby(offsets):
            wanted = len(list(group))
            begin = offset - base
            end = data.find(b"\n", begin)
            lines = event_lines(data[begin : end if end >= 0 else len(data)])
            got = lines[skip : skip + wanted] if lines is not None else []
            if len(got) < wanted:  # the event changed under its index: keep the numbering
                got += [LogLine("", "system", "")] * (wanted - len(got))
            out.extend(got)
            skip = 0
        return out

    def search(
        self,
        term: str,
        start: int,
        backwards: bool = False,
        node_ids: Collection[str] | None = None,
        *,
        stop: int | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int | None:
        """The first line at or after ``start`` (``backwards``: the last one before
        ``start``) whose plain text holds ``term``, case-insensitively, and whose node is one
        of ``node_ids`` (None: any). ``stop`` bounds the scan (default: the end, or line 0
        backwards); ``cancelled`` is asked between chunks. ``term=""`` finds the nearest line
        of those nodes."""
        needle = term.lower()
        wanted = None if node_ids is None else set(node_ids)
        if backwards:
            low, high = (0 if stop is None else max(0, stop)), min(start, self.count())
            edges = range(high, low, -CHUNK)
        else:
            low, high = max(0, start), self.count() if stop is None else min(stop, self.count())
            edges = range(low, high, CHUNK)
        for edge in edges:
            if cancelled is not None and cancelled():
                return None
            first, last = (
                (max(low, edge - CHUNK), edge) if backwards else (edge, min(high, edge + CHUNK))
            )
            lines = self.read(first, last)
            order = range(len(lines) - 1, -1, -1) if backwards else range(len(lines))
            for i in order:
                line = lines[i]
                if wanted is not None and line.node_id not in wanted:
                    continue
                if not needle or needle in plain(line.text).lower():
                    return first + i
        return None


class IndexWriter:
    """The store's side: appends to ``log.idx`` as events are appended to ``events.jsonl``.

    Entries are written in batches (readers catch a short index up from the events anyway),
    and on :meth:`close`."""

    BATCH = 4096  # entries

    def __init__(self, run_dir: Path) -> None:
        path = Path(run_dir) / INDEX_FILE
        # Opened before events.jsonl exists: a reader that finds events and no index knows
        # the run is older than the index and may rebuild it.
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._run_dir = Path(run_dir)
        self._pending = bytearray()
        size = os.fstat(self._fd).st_size
        if size % ENTRY:  # torn by a kill: drop the partial entry
            os.ftruncate(self._fd, size - size % ENTRY)

    def catch_up(self) -> None:
        """Index what ``events.jsonl`` already holds (a record opened again)."""
        log = StoredLog(self._run_dir)
        log.count()
        self._pending += _pack(log._extra)
        self.flush()

    def add_event(self, offset: int, event: ev.Event) -> None:
        """``event``'s log lines are in the event line written at byte ``offset``."""
        self.add(offset, log_line_count(event))

    def add(self, offset: int, lines: int) -> None:
        """``lines`` log lines are in the event line written at byte ``offset``."""
        if lines > 0:
            self._pending += _ENTRY.pack(offset) * lines
            if len(self._pending) >= self.BATCH * ENTRY:
                self.flush()

    def flush(self) -> None:
        data = bytes(self._pending)
        self._pending.clear()
        if self._fd is not None and data:
            try:
                written = 0
                while written < len(data):
                    written += os.write(self._fd, data[written:])
            except OSError:  # no room: stop indexing (readers catch up from events.jsonl)
                os.close(self._fd)
                self._fd = None

    def close(self) -> None:
        if self._fd is not None:
            self.flush()  # no room: it closes the file itself
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
