"""The run store: one directory per run, every event appended as it happens.

Layout (``DESIGN.md``, run history): ``runs/<run_id>/events.jsonl``, ``meta.json`` and the
run's artifact/output folders. A run whose process died without writing ``run.finished`` is
reported as ``interrupted``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from tui.core.errors import BadInput, MissingPrerequisite
from tui.core.paths import PRIVATE_DIR, PRIVATE_FILE, private_dir, runs_dir
from tui.core.process import alive as process_alive
from tui.core.process import start_time
from tui.core.statuses import DRY_RUN, PLANNED
from tui.core.sweep import LIVE, Swept, sweep_run

if TYPE_CHECKING:
    from tui.core import events as ev
    from tui.core.log_index import IndexWriter

RUNNING = "running"
MIB = 1024 * 1024
INTERRUPTED = "interrupted"


def new_run_id(now: datetime | None = None) -> str:
    """Sortable, unique and short: ``20261126-072655-3fa9``."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%d-%H%M%S}-{os.urandom(2).hex()}"


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
        self._fd: int | None = None  # events.jsonl, written in whole lines
        self.notes: list[str] = []  # lines for the user, from the store (e.g. a sweep)
        self._index: IndexWriter | None = None
        self._offset = 0  # where the next event line starts in events.jsonl
        self.last: tuple[ev.Event | None, bytes] = (None, b"")  # the last line appended

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
        """Write ``event`` as one whole line (never part of one: a write the disk cannot take
        is undone and raises :class:`StoreFull`), index its log lines, keep meta.json."""
        if self._fd is None:
            self._open()
        assert self._fd is not None and self._index is not None
        from tui.core import events as ev  # the event model: not on a run's way in

        data = ev.encode(event) + b"\n"
        self.last = (event, data)  # a --json consumer writes these bytes as they are
        offset = self._offset
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, offset)
            raise _full(exc, self.path, len(data)) from None
        self._offset += len(data)
        self._index.add_event(offset, event)
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
            (self.path.parent / LIVE / self.run_id).unlink(missing_ok=True)

    def _open(self) -> None:
        from tui.core.log_index import IndexWriter  # on the first event: not on a run's way in

        self._index = IndexWriter(self.path)  # before events.jsonl: see IndexWriter
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        self._fd = os.open(self.events_path, flags, PRIVATE_FILE)
        self._offset = os.lseek(self._fd, 0, os.SEEK_END)
        if self._offset:  # a record opened again: end a torn line, index what is there
            with self.events_path.open("rb") as fh:
                fh.seek(self._offset - 1)
                torn = fh.read(1) != b"\n"
            if torn:
                os.write(self._fd, b"\n")
                self._offset += 1
            self._index.catch_up()

    def write_meta(self) -> None:
        tmp = self.path / "meta.json.tmp"
        data = orjson.dumps(self.meta.__dict__, option=orjson.OPT_INDENT_2)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            tmp.replace(self.path / "meta.json")
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise _full(exc, self.path, len(data)) from None

    def store_planned(self, dry_run: bool) -> None:
        """A dry run that succeeded is stored ``planned``, never ``success``: it ran nothing.
        Called once run.finished is recorded (the event model's run statuses have no word
        for it); history, ``runs`` and the last-run marks read meta.json."""
        if dry_run and self.meta.status == "success":
            self.meta.status = PLANNED
            with contextlib.suppress(OSError, StoreFull):  # no room: `success` on disk
                self.write_meta()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._index is not None:
            self._index.close()
            self._index = None

    def events(self) -> StoredEvents:
        return read_events(self.events_path)


class StoreFull(MissingPrerequisite):
    """The run store's disk has no room: what was being written was undone."""


def _full(exc: OSError, where: Path, size: int) -> OSError | StoreFull:
    if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
        return exc
    free = shutil.disk_usage(where).free
    need = max(size, 10 * MIB) // MIB + 1
    return StoreFull(
        f"no space left for the run store in {where.parent} ({free // MIB} MiB free);"
        f" free at least {need} MiB there (or set XDG_STATE_HOME elsewhere) and run again"
    )


class StoredEvents:
    """The events of a stored run, read lazily. A torn last line (the process was killed
    mid-write), an undecodable line or one that is not an event is skipped and counted in
    ``skipped`` (final once iteration ends): the reader never fails on what it finds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.skipped = 0

    def __iter__(self) -> Iterator[ev.Event]:
        from tui.core.events import loads

        self.skipped = 0
        try:
            fh = self.path.open("rb")
        except FileNotFoundError:
            return
        with fh:
            for raw in fh:
                try:
                    if not raw.endswith(b"\n"):
                        raise ValueError("a torn last line")
                    yield loads(raw.decode("utf-8"))
                except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
                    self.skipped += 1

    def note(self) -> str:
        """One line for the user when lines were skipped, else ''."""
        return skipped_note(self.path, self.skipped)


def skipped_note(path: Path, skipped: int) -> str:
    """What a reader says when ``skipped`` lines of ``path`` could not be read ('' if none)."""
    if not skipped:
        return ""
    lines = "line" if skipped == 1 else "lines"
    return f"{skipped} {lines} of {path} could not be read and were skipped"


def read_events(path: Path) -> StoredEvents:
    return StoredEvents(path)


class RunStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or runs_dir()
        self.unreadable = 0  # runs the last list() could not read
        self.notes: list[str] = []  # one line each: what the sweeps found (tui.core.sweep)

    @property
    def live_dir(self) -> Path:
        return self.root / LIVE

    def sweep(self) -> list[Swept]:
        """Stop what interrupted runs left (their pipedeck process died mid-run) and mark
        them ``interrupted``; each such run adds a line to ``notes``."""
        if not self.live_dir.is_dir():
            return []
        done = []
        for marker in sorted(self.live_dir.iterdir()):
            meta = self._load_meta(self.root / marker.name, mark=False)
            if meta is not None and meta.status == RUNNING and _alive(meta.pid, meta.pid_started):
                continue  # still going
            if meta is not None and meta.status == RUNNING:
                extra = meta.extra
                names = [str(n) for n in extra.get("containers", [])]
                networks = [str(n) for n in extra.get("networks", [])]
                docker = meta.mode == "docker" or bool(names)
                result = sweep_run(meta.run_id, meta.started, names, networks, docker)
                meta.status = INTERRUPTED
                meta.error = meta.error or "pipedeck was stopped before the run finished"
                meta.extra["swept"] = {
                    "processes": result.processes,
                    "containers": result.containers,
                    "folders": result.folders,
                }
                with contextlib.suppress(OSError, StoreFull):
                    RunRecord(self.root / meta.run_id, meta).write_meta()
                self.notes.append(result.line())
                done.append(result)
            marker.unlink(missing_ok=True)
        return done

    def create(
        self,
        kind: str,
        target: str,
        project: Path,
        mode: str = "",
        *,
        run_id: str = "",
        extra: dict[str, Any] | None = None,
    ) -> RunRecord:
        """A new run's directory; ``run_id`` fixes its id (scripted runs in tests), ``extra``
        starts ``meta.extra`` (written once). What interrupted runs left is swept first."""
        private_dir(self.root)
        self.sweep()
        while True:
            run_id = run_id or new_run_id()
            path = self.root / run_id
            try:
                path.mkdir(mode=PRIVATE_DIR)
                break
            except FileExistsError:
                run_id = ""
                continue
        meta = RunMeta(
            run_id=run_id,
            kind=kind,
            target=target,
            mode=mode,
            project=str(project.resolve()),
            started=datetime.now(UTC).isoformat(),
            pid=os.getpid(),
            pid_started=start_time(),
        )
        meta.extra.update(extra or {})
        record = RunRecord(path, meta)
        record.notes = list(self.notes)  # what the sweep found, for whoever starts the run
        record.write_meta()
        private_dir(self.live_dir)
        os.close(os.open(self.live_dir / run_id, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
        return record

    def discard(self, record: RunRecord) -> None:
        """Forget a run that never ran (its runner could not be made)."""
        record.close()
        (self.live_dir / record.run_id).unlink(missing_ok=True)
        shutil.rmtree(record.path, ignore_errors=True)

    def last_statuses(self, project: Path) -> dict[str, str]:
        """The status of each target's newest run in ``project`` (older runs, stored before
        the project was, count for every project). A dry run is no target's last run."""
        here = str(project.resolve())
        out: dict[str, str] = {}
        for meta in self.list():  # newest first
            if meta.project in (here, "") and meta.mode != DRY_RUN:
                out.setdefault(meta.target, meta.status)
        return out

    def list(self) -> list[RunMeta]:
        """Every stored run, newest first, with crashed runs marked ``interrupted``. A run
        whose meta.json cannot be read is left out and counted in ``unreadable``."""
        self.unreadable = 0
        if not self.root.exists():
            return []
        self.sweep()
        metas = []
        for path in self.root.iterdir():
            if path.name.startswith("."):
                continue
            meta = self._load_meta(path) if path.is_dir() else None
            if meta is not None:
                metas.append(meta)
            elif path.is_dir():
                self.unreadable += 1
        return sorted(metas, key=lambda m: (m.started, m.run_id), reverse=True)

    def get(self, run_id: str) -> RunRecord:
        """A run by any unique part of its id: the exact id, ``last`` (the newest), a unique
        prefix, then a unique substring (``3fa9``, ``072655``)."""
        runs = self.list()
        if run_id == "last":
            matches = runs[:1]
        else:
            matches = [m for m in runs if m.run_id == run_id]
            matches = matches or [m for m in runs if m.run_id.startswith(run_id)]
            matches = matches or [m for m in runs if run_id and run_id in m.run_id]
        if not matches:
            raise BadInput(f"no stored run matches {run_id!r}; `pipedeck runs` lists them")
        if len(matches) > 1:
            few = ", ".join(m.run_id for m in matches[:3]) + (", …" if len(matches) > 3 else "")
            raise BadInput(
                f"run id {run_id!r} is ambiguous ({len(matches)} runs: {few}); give more characters"
            )
        meta = matches[0]
        return RunRecord(self.root / meta.run_id, meta)

    def _load_meta(self, path: Path, mark: bool = True) -> RunMeta | None:
        from tui.core.events import field_checks

        try:
            data = orjson.loads((path / "meta.json").read_bytes())
            checks = field_checks(RunMeta)
            if not isinstance(data, dict) or not all(
                k in checks and checks[k](v) for k, v in data.items()
            ):
                return None
            meta = RunMeta(**data)
        except (OSError, ValueError, TypeError, RecursionError):
            return None
        if mark and meta.status == RUNNING and not _alive(meta.pid, meta.pid_started):
            meta.status = INTERRUPTED
        return meta


def _alive(pid: int, started: float) -> bool:
    return process_alive(pid, started)
