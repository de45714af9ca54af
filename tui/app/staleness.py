"""Which targets are stale: their newest run started before the newest change of a file they
depend on (what watch mode re-runs them for, ``tui.core.watch``).

The dependency lists are worked out once per refresh (they read YAML and Python sources);
telling whether a target is stale again is only ``stat`` calls. Everything here may block:
screens call it from workers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from tui.core.store import RunMeta
from tui.core.watch import watched_pipeline, watched_workflow

Files = frozenset[Path]


def pipeline_file(project: Path, target: str) -> Path:
    """The file of a pipeline target (``FILE[:FUNC]``, relative to the project)."""
    head, sep, tail = target.rpartition(":")
    file = head if sep and head and tail.isidentifier() else target
    path = Path(file)
    return path if path.is_absolute() else project / path


def dependencies(kind: str, project: Path, target: str, path: Path) -> Files:
    """What a workflow (``path``: its file) or a pipeline (``path``: its module) depends on."""
    if kind == "pipeline":
        return watched_pipeline(project, target, path).files
    return watched_workflow(project, target, path).files


def started_at(meta: RunMeta) -> float | None:
    try:
        return datetime.fromisoformat(meta.started).timestamp()
    except ValueError:
        return None


def newest_runs(metas: Iterable[RunMeta], project: Path) -> dict[str, float]:
    """When each target's newest run in ``project`` started (``metas`` newest first, as
    ``RunStore.list`` gives them; older runs stored without a project count, as in
    ``RunStore.last_statuses``)."""
    here = str(project.resolve())
    out: dict[str, float] = {}
    seen: set[str] = set()
    for meta in metas:
        if meta.project not in (here, "") or meta.target in seen:
            continue
        seen.add(meta.target)
        when = started_at(meta)
        if when is not None:
            out[meta.target] = when
    return out


def changed_since(files: Iterable[Path], when: float) -> bool:
    """Whether a file of ``files`` was modified after ``when`` (one ``stat`` each)."""
    for path in files:
        with contextlib.suppress(OSError):
            if path.stat().st_mtime > when:
                return True
    return False


def stale(deps: Mapping[str, Files], started: Mapping[str, float]) -> set[str]:
    """The targets of ``deps`` whose newest run (``started``) is older than a file's change."""
    return {
        name
        for name, files in deps.items()
        if name in started and changed_since(files, started[name])
    }


def stale_runs(metas: Iterable[RunMeta]) -> set[str]:
    """The runs (ids) of ``metas`` (newest first) that are their target's newest run in their
    project and started before a file it depends on changed (the history screen's marks)."""
    out: set[str] = set()
    seen: set[tuple[str, str]] = set()
    deps: dict[tuple[str, str, Path], Files] = {}
    for meta in metas:
        key = (meta.project, meta.target)
        if key in seen:
            continue
        seen.add(key)
        when = started_at(meta)
        path = _target_path(meta)
        if when is None or path is None:
            continue
        project = Path(meta.project)
        cached = (meta.kind, meta.project, path)
        if cached not in deps:
            deps[cached] = dependencies(meta.kind, project, meta.target, path)
        if changed_since(deps[cached], when):
            out.add(meta.run_id)
    return out


def _target_path(meta: RunMeta) -> Path | None:
    """The file a stored run ran (None: not known, or not there any more)."""
    if not meta.project or meta.kind not in ("workflow", "pipeline"):
        return None
    if meta.kind == "workflow":
        workflow = str(meta.extra.get("workflow") or "")
        path = Path(workflow) if workflow else None
    else:
        path = pipeline_file(Path(meta.project), meta.target)
    return path if path is not None and path.is_file() else None
