"""A run's own ``--action-cache-path``.

act keeps two kinds of things in its action cache folder (``$XDG_CACHE_HOME/act``): what runs
share (cloned actions, the git cache offline runs rely on, the tool cache) and what one run
writes (host mode's ``<16 hex digits>/`` workspace: step scripts with secrets inlined, the
event, env files). A run of pipedeck gives act a private folder in its scratch folder instead,
in which every shared entry is a link into the shared cache — also the entries the workflow's
actions will be cloned into, made first so a first clone lands in the shared cache — so the
run's own files go when its scratch folder goes, and the shared ones stay.

The folder of links is the same for the next run: :func:`give_back` removes what act wrote in
it (the workspaces, with secrets inlined; anything that is not a link) and keeps it for the
next run, which takes it with one rename and adds the links it lacks
(:mod:`tui.core.workflows.ready`).
"""

from __future__ import annotations

import os
import re
import shutil
import zlib
from collections.abc import Sequence
from pathlib import Path

from tui.core.paths import PRIVATE_DIR
from tui.core.workflows import ready
from tui.core.workflows.act_names import action_cache_entries
from tui.core.workflows.plan import Workflow

_RUN_FOLDER = re.compile(r"[0-9a-f]{16}")  # act's per-job host workspace
TOOL_CACHE = "tool_cache"


def shared_cache() -> Path:
    """act's default action cache folder, as act works it out."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "act"


def remote_actions(workflows: Sequence[Workflow]) -> list[str]:
    """``owner/repo[/path]@ref`` of every remote action the workflows' steps use."""
    found: dict[str, None] = {}
    for job in (job for workflow in workflows for job in workflow.jobs.values()):
        for step in job.steps:
            uses = step.uses
            if uses and "@" in uses and not uses.startswith(("./", "docker://")):
                found.setdefault(uses, None)
    return list(found)


def private_cache(folder: Path, workflows: Sequence[Workflow], shared: Path | None = None) -> Path:
    """Make ``folder`` (0700) the run's action cache, linked to the shared one."""
    shared = shared or shared_cache()
    shared.mkdir(parents=True, exist_ok=True)
    names = {e.name for e in shared.iterdir() if not _RUN_FOLDER.fullmatch(e.name)}
    names.add(TOOL_CACHE)
    for uses in remote_actions(workflows):
        names.update(action_cache_entries(uses))
    if ready.take(_slot_name(shared), folder):
        for stale in {e.name for e in folder.iterdir()} - names:  # the shared entry went
            (folder / stale).unlink()
    else:
        folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    for name in sorted(names):
        target = shared / name
        if not target.exists():
            target.mkdir(parents=True, exist_ok=True)
        link = folder / name
        if not link.is_symlink():
            link.symlink_to(target, target_is_directory=target.is_dir())
    return folder


def give_back(folder: Path, shared: Path | None = None) -> None:
    """The run is over: what act wrote in ``folder`` goes, its links are kept for the next
    run."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink():
            continue
        if entry.is_dir():
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink()
    ready.give_back(_slot_name(shared or shared_cache()), folder)


def _slot_name(shared: Path) -> str:
    return f"act-cache-{zlib.crc32(str(shared).encode()):08x}"  # hashlib: +2 ms a run
