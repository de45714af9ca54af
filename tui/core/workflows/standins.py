"""Offline stand-ins for well-known actions (``localstack/actions/``), handed to act with
``--local-repository`` when ``--offline`` is given or GitHub cannot be reached."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from pathlib import Path

from tui.core.paths import localstack_dir
from tui.core.workflows.plan import Workflow

STANDINS = {
    "actions/setup-python": "setup-python",
    "actions/upload-artifact": "upload-artifact",
    "actions/download-artifact": "download-artifact",
    "actions/cache": "cache",
}
# what a stand-in uses itself: setup-python's does `cache: pip` through the cache stand-in,
# under a name of pipedeck's own (it replaces nothing of the workflow's)
HELPERS = {"actions/setup-python": ("pipedeck/setup-python-cache@v1", "cache")}


def actions_dir() -> Path:
    return localstack_dir() / "actions"


def used_standins(workflows: Sequence[Workflow]) -> list[str]:
    """``owner/repo@ref`` of every step that a stand-in can replace, in first-use order."""
    seen: dict[str, None] = {}
    for job in (job for workflow in workflows for job in workflow.jobs.values()):
        for step in job.steps:
            name, _, ref = step.uses.partition("@")
            if name.lower() in STANDINS and ref:
                seen.setdefault(f"{name}@{ref}", None)
    return list(seen)


def local_repositories(workflows: Sequence[Workflow], mapped: Sequence[str] = ()) -> list[str]:
    """act ``--local-repository`` values mapping each used action to its stand-in folder;
    an action in ``mapped`` (the user's own ``--local-repository``) keeps the user's."""
    taken = {entry.partition("=")[0].lower() for entry in mapped}
    out = []
    for uses in used_standins(workflows):
        if uses.lower() in taken:
            continue
        name = uses.partition("@")[0].lower()
        out.append(f"{uses}={actions_dir() / STANDINS[name]}")
        helper = HELPERS.get(name)
        if helper is not None and not any(o.startswith(f"{helper[0]}=") for o in out):
            out.append(f"{helper[0]}={actions_dir() / helper[1]}")
    return out


def replaced(mapped: Sequence[str]) -> str:
    """The workflow's actions the stand-ins replace (``mapped``: their
    ``--local-repository`` values), for the run's log; the stand-ins' own helpers left out."""
    helpers = {helper for helper, _ in HELPERS.values()}
    names = (entry.partition("=")[0] for entry in mapped)
    return ", ".join(name for name in names if name not in helpers)


def python_substitute_line(mapped: Sequence[str], substitute: str) -> str:
    """What a run says first when setup-python's stand-in may run another Python than the
    one requested (``mapped``: the run's stand-in ``--local-repository`` values); "" when it
    cannot (the setting is off, or the real action runs)."""
    name = "actions/setup-python@"
    if substitute != "nearest" or not any(m.lower().startswith(name) for m in mapped):
        return ""
    return (
        "python_substitute nearest: a Python version the runner lacks runs as the nearest"
        " installed one (the setup-python step says which)"
    )


def github_reachable(timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection(("github.com", 443), timeout=timeout):
            return True
    except OSError:
        return False
