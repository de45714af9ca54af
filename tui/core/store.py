"""The run store: one directory per run, every event appended as it happens.

Layout (``DESIGN.md``, run history): ``runs/<run_id>/events.jsonl``, ``meta.json`` and the
run's artifact/output folders. A run whose process died without writing ``run.finished`` is
reported as ``interrupted``.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import psutil

from tui.core import events as ev
from tui.core.errors import BadInput
from tui.core.log_index import IndexWriter
from tui.core.paths import runs_dir
from tui.core.run_state import log_line_count

RUNNING = "running"
INTERRUPTED = "interrupted"


def new_run_id(now: datetime | None = None) -> str:
    """Sortable, unique and short: ``20261126-072655-3fa9``."""
    now = now or ev.utcnow()
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


@dataclass
class RunMeta:
    run_id: str
    kind: str
    target: str
    mode: str = ""
    project: str = ""
    started: str = ""
    finished: str = ""
    status: str = RUNNING
    exit_code: int | None = None
    duration: float | None = None
    error: str = ""
    pid: int = 0
    pid_started: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class RunRecord:
    """One run's directory. Appends events, keeps the log's line index (``log.idx``, see
    :mod:`tui.core.log_index`) beside them and ``meta.json`` current."""

    def __init__(self, path: Path, meta: RunMeta) -> None:
        self.path = path
        self.meta = meta
        self._events: IO[bytes] | None = None
        self._index: IndexWriter | None = None
        self._offset = 0  # where the next event line starts in events.jsonl

    @property
    def run_id(self) -> str:
        return self.meta.run_id

    @property
    def events_path(self) -> Path:
        return self.path / "events.jsonl"

    @property
    def artifacts_dir(self) -> Path:
        return self.path / "artifacts"

    def append(self, event: ev.Event) -> None:
        if self._events is None:
            self._open()
        assert self._events is not None and self._index is not None
        data = (ev.dumps(event) + "\n").encode("utf-8")
        offset = self._offset
        self._events.write(data)
        self._events.flush()
        self._offset += len(data)
        self._index.add(offset, log_line_count(event))
        if isinstance(event, ev.RunStarted):
            self.meta.mode = event.mode
            self.meta.target = event.target
            self.write_meta()
        elif isinstance(event, ev.RunFinished):
            self.meta.status = event.status
            self.meta.exit_code = event.exit_code
            self.meta.duration = event.duration
            self.meta.error = event.error
            self.meta.finished = event.ts.isoformat()
            self.write_meta()

    def _open(self) -> None:
        self._index = IndexWriter(self.path)  # before events.jsonl: see IndexWriter
        self._events = self.events_path.open("ab")
        self._offset = self._events.seek(0, os.SEEK_END)
        if self._offset:  # a record opened again: end a torn line, index what is there
            with self.events_path.open("rb") as fh:
                fh.seek(self._offset - 1)
                torn = fh.read(1) != b"\n"
            if torn:
                self._events.write(b"\n")
                self._events.flush()
                self._offset += 1
            self._index.catch_up()

    def write_meta(self) -> None:
        tmp = self.path / "meta.json.tmp"
        tmp.write_text(json.dumps(self.meta.__dict__, indent=2), encoding="utf-8")
        tmp.replace(self.path / "meta.json")

    def close(self) -> None:
        if self._events is not None:
            self._events.close()
            self._events = None
        if self._index is not None:
            self._index.close()
            self._index = None

    def events(self) -> Iterator[ev.Event]:
        return read_events(self.events_path)


def read_events(path: Path) -> Iterator[ev.Event]:
    """Events of a stored run; a torn last line (the process was killed mid-write) is skipped."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.endswith("\n"):
                break
            try:
                yield ev.loads(line)
            except (ValueError, KeyError):
                continue


class RunStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or runs_dir()

    def create(
        self, kind: str, target: str, project: Path, mode: str = "", *, run_id: str = ""
    ) -> RunRecord:
        """A new run's directory; ``run_id`` fixes its id (scripted runs in tests)."""
        self.root.mkdir(parents=True, exist_ok=True)
        while True:
            run_id = run_id or new_run_id()
            path = self.root / run_id
            try:
                path.mkdir()
                break
            except FileExistsError:
                run_id = ""
                continue
        me = psutil.Process(os.getpid())
        meta = RunMeta(
            run_id=run_id,
            kind=kind,
            target=target,
            mode=mode,
            project=str(project),
            started=ev.utcnow().isoformat(),
            pid=me.pid,
            pid_started=me.create_time(),
        )
        record = RunRecord(path, meta)
        record.write_meta()
        return record

    def list(self) -> list[RunMeta]:
        """Every stored run, newest first, with crashed runs marked ``interrupted``."""
        if not self.root.exists():
            return []
        metas = [m for p in self.root.iterdir() if (m := self._load_meta(p)) is not None]
        return sorted(metas, key=lambda m: (m.started, m.run_id), reverse=True)

    def get(self, run_id: str) -> RunRecord:
        """A run by id or unique id prefix (``last`` means the newest)."""
        runs = self.list()
        last = run_id == "last"
        matches = runs[:1] if last else [m for m in runs if m.run_id.startswith(run_id)]
        if not matches:
            raise BadInput(f"no stored run matches {run_id!r}; `pipedeck runs` lists them")
        if len(matches) > 1 and matches[0].run_id != run_id:
            raise BadInput(
                f"run id {run_id!r} is ambiguous ({len(matches)} runs); give more characters"
            )
        meta = matches[0]
        return RunRecord(self.root / meta.run_id, meta)

    def _load_meta(self, path: Path) -> RunMeta | None:
        try:
            data = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            meta = RunMeta(**data)
        except (OSError, ValueError, TypeError):
            return None
        if meta.status == RUNNING and not _alive(meta.pid, meta.pid_started):
            meta.status = INTERRUPTED
        return meta


def _alive(pid: int, started: float) -> bool:
    try:
        proc = psutil.Process(pid)
        return abs(proc.create_time() - started) < 1.0
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False
