"""The entries of the offline ``actions/cache`` stand-in: where they live, listing, pruning
and the size cap's LRU eviction.

The stand-in runs inside the job, where pipedeck may not be installed, so the index, the
key matching and the eviction are written once, in the stand-in's own standard-library
``localstack/actions/cache/cache.py``; this module loads that file and gives it types.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from tui.core.errors import MissingPrerequisite
from tui.core.paths import localstack_dir, state_dir

FOLDER_VARIABLE = "PIPEDECK_ACTIONS_CACHE"  # the stand-in reads the folder from it
MAX_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class Entry:
    key: str
    size: int
    created: datetime
    last_used: datetime
    workflow: str
    job: str
    archive: Path

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "size": self.size,
            "created": self.created.isoformat(),
            "last_used": self.last_used.isoformat(),
            "workflow": self.workflow,
            "job": self.job,
            "archive": str(self.archive),
        }


def cache_dir() -> Path:
    """``$XDG_STATE_HOME/pipedeck/actions-cache``."""
    return state_dir() / "actions-cache"


@functools.cache
def standin() -> ModuleType:
    """The stand-in's ``cache.py``, loaded as a module."""
    path = localstack_dir() / "actions" / "cache" / "cache.py"
    spec = importlib.util.spec_from_file_location("pipedeck_actions_cache_standin", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise MissingPrerequisite(f"the actions/cache stand-in is missing: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def entries(folder: Path | None = None) -> list[Entry]:
    """The entries, most recently used first."""
    folder = folder or cache_dir()
    found = [_entry(folder, raw) for raw in standin().read_index(folder)]
    return sorted(found, key=lambda e: e.last_used, reverse=True)


def prune(prefix: str | None, folder: Path | None = None) -> list[Entry]:
    """Remove every entry (``prefix`` None) or those whose key starts with ``prefix``;
    the removed ones."""
    folder = folder or cache_dir()
    if not (folder / standin().INDEX).exists():
        return []
    removed = []
    with standin().locked(folder) as raw_entries:
        for raw in list(raw_entries):
            if prefix is None or str(raw["key"]).startswith(prefix):
                standin().remove(folder, raw_entries, raw)
                removed.append(_entry(folder, raw))
    return removed


def evict(max_bytes: int, folder: Path | None = None) -> list[Entry]:
    """Remove the least recently used entries until the rest fit in ``max_bytes``."""
    folder = folder or cache_dir()
    if not (folder / standin().INDEX).exists():
        return []
    with standin().locked(folder) as raw_entries:
        removed = standin().evict(folder, raw_entries, max_bytes)
    return [_entry(folder, raw) for raw in removed]


def total_size(found: list[Entry]) -> int:
    return sum(entry.size for entry in found)


def _entry(folder: Path, raw: dict[str, Any]) -> Entry:
    return Entry(
        key=str(raw["key"]),
        size=int(raw.get("size", 0)),
        created=_time(raw.get("created")),
        last_used=_time(raw.get("last_used")),
        workflow=str(raw.get("workflow", "")),
        job=str(raw.get("job", "")),
        archive=folder / str(raw.get("archive", "")),
    )


def _time(value: object) -> datetime:
    seconds = float(value) if isinstance(value, int | float) else 0.0
    return datetime.fromtimestamp(seconds, UTC)
