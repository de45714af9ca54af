"""``pipedeck logs RUN``: a stored run's log lines, streamed from its store in constant memory.

The nodes (for the ``[job › step]`` prefixes and ``--node``) come from a first pass over the
events that are not log lines (told apart by their first bytes, nothing decoded); the lines
then stream from the store — all of them, or the last ``--tail N`` through the line index —
and ``--follow`` keeps printing what a running run adds until it finishes.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

import typer

from tui.cli.app import app
from tui.cli.common import note
from tui.cli.lines import LineWriter, wants_color
from tui.core import events as ev
from tui.core.errors import BadInput
from tui.core.log_index import StoredLog
from tui.core.run_state import RunState
from tui.core.store import RUNNING, RunRecord, RunStore, skipped_note

RunArg = Annotated[str, typer.Argument(help="Run id (or a unique prefix, or `last`).")]
LOG_PREFIX = b'{"type":"log"'  # how a stored log event's line starts (type comes first)
FOLLOW_POLL = 0.2  # seconds between looks at a running run's store
BUFFER = 1 << 16


@app.command("logs")
def logs(
    run: RunArg = "last",
    node: Annotated[
        str | None, typer.Option("--node", help="Only this node (id or name, e.g. a job).")
    ] = None,
    tail: Annotated[
        int | None, typer.Option("--tail", "-n", help="Only the last N lines.", min=0)
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing while the run goes on.")
    ] = False,
) -> None:
    """Print a stored run's log lines, optionally of one node and its children."""
    store = RunStore()
    record = store.get(run)
    for line in store.notes:
        note(line)
    skipped = _Skipped()
    state, offset, torn = _nodes(record.events_path, skipped)
    selected: set[str] | None = None
    if node is not None:
        roots = state.find(node)
        if not roots:
            names = ", ".join(n.node_id for n in state.roots())
            raise BadInput(f"--node {node}: no such node in run {record.run_id} (jobs: {names})")
        selected = set().union(*(state.scope(r.node_id) for r in roots))
    out = _Out(sys.stdout, LineWriter(wants_color(sys.stdout)), state, selected)
    if tail is not None and selected is None:
        stored = StoredLog(record.path)
        count = stored.count()
        for stored_line in stored.read(max(0, count - tail), count):
            out.line(stored_line.node_id, stored_line.stream, stored_line.text)
    else:
        events = _log_events(record.events_path, 0, offset, skipped)
        if selected is not None:
            events = (e for e in events if e.node_id in selected)
        if tail is not None:  # of one node: its lines are counted as they stream
            events = _last(events, tail)
        for event in events:
            out.event(event)
    out.flush()
    if follow and not state.finished:
        _follow(record, state, out, offset)
    elif torn:  # a last line torn by a kill: not one being written
        skipped.count += 1
    if skipped.count:
        note(skipped_note(record.events_path, skipped.count))


class _Skipped:
    """Stored lines that could not be read (counted, never fatal)."""

    def __init__(self) -> None:
        self.count = 0


class _Out:
    def __init__(
        self, stream: IO[str], writer: LineWriter, state: RunState, selected: set[str] | None
    ) -> None:
        self.stream = stream
        self.writer = writer
        self.state = state
        self.selected = selected
        self.parts: list[str] = []
        self.size = 0

    def event(self, event: ev.Log) -> None:
        self.line(event.node_id, event.stream, event.text)

    def line(self, node_id: str, stream: str, text: str) -> None:
        if self.selected is not None and node_id not in self.selected:
            return
        prefix = self.state.path(node_id) if node_id else stream
        part = self.writer.lines(prefix, stream, text)
        self.parts.append(part)
        self.size += len(part)
        if self.size >= BUFFER:
            self.flush()

    def flush(self) -> None:
        try:
            self.stream.write("".join(self.parts))
            self.stream.flush()
        except BrokenPipeError:  # `pipedeck logs RUN | head`
            raise SystemExit(0) from None
        self.parts, self.size = [], 0


def _nodes(path: Path, skipped: _Skipped) -> tuple[RunState, int, bool]:
    """The run's state from every event but its log lines, where its whole lines end, and
    whether a torn line follows them."""
    state = RunState()
    offset = 0
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return state, 0, False
    with fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                return state, offset, True  # torn by a kill, or being written: not yet
            offset += len(raw)
            if raw.startswith(LOG_PREFIX):
                continue
            try:
                state.apply(ev.loads(raw))
            except (ValueError, RecursionError):
                skipped.count += 1
    return state, offset, False


def _log_events(path: Path, start: int, stop: int | None, skipped: _Skipped) -> Iterator[ev.Log]:
    """The log events stored from byte ``start`` to ``stop``."""
    pos = start
    with path.open("rb") as fh:
        fh.seek(start)
        for raw in fh:
            pos += len(raw)
            if stop is not None and pos > stop:
                break
            if not raw.startswith(LOG_PREFIX):
                continue
            try:
                event = ev.loads(raw)
            except (ValueError, RecursionError):
                skipped.count += 1
                continue
            if isinstance(event, ev.Log):
                yield event


def _last(events: Iterator[ev.Log], count: int) -> Iterator[ev.Log]:
    """The events holding the last ``count`` lines, the first of them cut to fit."""
    kept: deque[tuple[ev.Log, int]] = deque()
    lines = 0
    for event in events:
        size = event.text.count("\n") + 1
        kept.append((event, size))
        lines += size
        while kept and lines - kept[0][1] >= count:
            lines -= kept.popleft()[1]
    if not count:
        return
    for i, (event, _size) in enumerate(kept):
        if i == 0 and lines > count:
            text = "\n".join(event.text.split("\n")[lines - count :])
            event = dataclasses.replace(event, text=text)
        yield event


def _select_new(event: ev.Event, selected: set[str] | None) -> None:
    """A node started below a selected one (``--node`` while following) is selected too."""
    if not isinstance(event, ev.NodeStarted) or selected is None:
        return
    if event.parent_id in selected:
        selected.add(event.node_id)


def _follow(record: RunRecord, state: RunState, out: _Out, offset: int) -> None:
    """Print what the run appends until it finishes (or the user stops it)."""
    path = record.events_path
    done = state.finished
    try:
        while not done:
            time.sleep(FOLLOW_POLL)
            with path.open("rb") as fh:
                fh.seek(offset)
                for raw in fh:
                    if not raw.endswith(b"\n"):
                        break
                    offset += len(raw)
                    try:
                        event = ev.loads(raw)
                    except (ValueError, RecursionError):
                        continue
                    if isinstance(event, ev.Log):
                        out.event(event)
                    else:
                        state.apply(event)
                        _select_new(event, out.selected)
                        done = done or isinstance(event, ev.RunFinished)
            out.flush()
            if not done and RunStore().get(record.run_id).meta.status != RUNNING:
                done = True  # it died without a run.finished (listed as interrupted)
    except KeyboardInterrupt:
        out.flush()
