"""Which run wrote each entry of kfp.local's task cache, and ``--from``'s cache policy.

kfp.local 2.17 keeps one ``<key>.json`` per task result in its cache root (``cache.py``,
``LocalCache``: the key is a SHA-256 of the component, image, command, arguments and env).
Beside them pipedeck keeps ``pipedeck-runs/<key>.json`` — ``{"run_id", "task", "written"}``,
one small file per entry, written whole (a temp file renamed over it), so runs sharing the cache
never lose each other's records. A run that hits an entry says where it came from: ``from cache
(run <run_id>)`` in the task's system log, just before ``hooks.CACHE_HIT``.

:class:`CachePolicy` is installed in the driver (standard library and kfp only): it wraps
``LocalCache.put`` to record the writer and ``LocalCache.get`` to report it, and with ``--from``
bypasses the cache for the tasks to run again (``from_task.py``): kfp.local then runs them and
writes their new results, which this run now wrote.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

INDEX_DIR = "pipedeck-runs"
FROM_CACHE = "from cache (run {run_id})"
UNKNOWN_WRITER = "from cache (written by a run pipedeck has no record of)"


class TaskLog(Protocol):
    """What the policy needs of ``hooks.Hooks``: the running task and its log."""

    def current_task(self) -> str: ...

    def log(self, node_id: str, stream: Any, text: str) -> None: ...


def record_path(cache_root: Path, key: str) -> Path:
    return cache_root / INDEX_DIR / f"{key}.json"


def record(cache_root: Path, key: str, run_id: str, task: str) -> None:
    """Note that ``run_id``'s ``task`` wrote cache entry ``key`` (the file written whole)."""
    folder = cache_root / INDEX_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    data = {"run_id": run_id, "task": task, "written": datetime.now(UTC).isoformat()}
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
        Path(tmp).replace(record_path(cache_root, key))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def writer(cache_root: Path, key: str) -> dict[str, str] | None:
    """Who wrote entry ``key`` (None: no record, e.g. it predates pipedeck's records)."""
    try:
        data = json.loads(record_path(cache_root, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("run_id"), str):
        return None
    return {k: str(v) for k, v in data.items()}


def hit_line(found: dict[str, str] | None, node_id: str) -> str:
    """The log line of a cache hit: which run (and, if another, which task) wrote it."""
    if found is None:
        return UNKNOWN_WRITER
    line = FROM_CACHE.format(run_id=found["run_id"])
    task = found.get("task", "")
    if task and task != node_id:  # same component, same inputs: one entry serves both
        line = f"{line[:-1]}, task {task})"
    return line


def reruns(node_id: str, rerun: frozenset[str]) -> bool:
    """Is ``node_id`` (``group/…/task``) in a top-level task that ``--from`` runs again?"""
    return node_id.split("/", 1)[0] in rerun


class CachePolicy:
    """Install with :meth:`install` in the driver, after the hooks (whose task it reads)."""

    def __init__(
        self, hooks: TaskLog, run_id: str, from_task: str = "", rerun: tuple[str, ...] = ()
    ) -> None:
        self.hooks = hooks
        self.run_id = run_id
        self.from_task = from_task
        self.rerun = frozenset(rerun)
        self._saved: list[tuple[Any, str, Any]] = []

    def install(self) -> None:
        from kfp.local import cache

        self._patch(cache.LocalCache, "get", self._get)
        self._patch(cache.LocalCache, "put", self._put)

    def uninstall(self) -> None:
        while self._saved:
            owner, attr, original = self._saved.pop()
            setattr(owner, attr, original)

    def _patch(self, owner: Any, attr: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, attr)
        self._saved.append((owner, attr, original))
        setattr(owner, attr, make(original))

    def _get(self, original: Any) -> Any:
        def get(cache: Any, key: str) -> Any:
            node_id = self.hooks.current_task()
            if node_id and reruns(node_id, self.rerun):
                text = f"--from {self.from_task}: runs again, not taken from the cache"
                self.hooks.log(node_id, "system", text)
                return None  # kfp.local runs it and puts its new result
            found = original(cache, key)
            if found is not None and node_id:
                entry = writer(Path(cache.cache_root), key)
                self.hooks.log(node_id, "system", hit_line(entry, node_id))
            return found

        return get

    def _put(self, original: Any) -> Any:
        def put(cache: Any, key: str, outputs: Any) -> None:
            original(cache, key, outputs)
            with contextlib.suppress(OSError):  # the result is cached; only its writer is lost
                record(Path(cache.cache_root), key, self.run_id, self.hooks.current_task())

        return put
