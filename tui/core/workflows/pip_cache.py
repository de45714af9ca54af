"""The pip download cache workflow runs share: one folder under the state dir, given to
steps as ``PIP_CACHE_DIR`` (host mode) and mounted at the same path into job containers
(docker mode), so a second run of a workflow finds what the first one downloaded.

GitHub's runners start every job with an empty pip cache; this is a difference, said in the
run's log and in its fidelity report. The opt-outs:

- the setting ``pip_cache = false`` (``PIPEDECK_PIP_CACHE=0``): pip keeps its own cache;
- a workflow that sets ``PIP_CACHE_DIR`` or ``PIP_NO_CACHE_DIR`` in an ``env:`` (or a run
  given either through ``--env``): the workflow decides;
- a job whose setup-python step says ``cache: pip``: the stand-in gives that job a pip cache
  of its own, restored from and saved to the actions/cache store as on GitHub.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from tui.core import config
from tui.core.paths import state_dir
from tui.core.workflows.plan import Workflow

VARIABLE = "PIP_CACHE_DIR"
OPT_OUT_VARIABLES = ("PIP_CACHE_DIR", "PIP_NO_CACHE_DIR")
LINE_START = "pip cache: "  # the run's system line (read back by the fidelity report)
_WORKFLOW_SETS = re.compile(r"^\s*(PIP_CACHE_DIR|PIP_NO_CACHE_DIR)\s*:", re.M)


def folder() -> Path:
    """``$XDG_STATE_HOME/pipedeck/pip-cache``."""
    return state_dir() / "pip-cache"


def opted_out(project: Path, workflows: Sequence[Workflow], env: dict[str, str]) -> str:
    """Why the run leaves pip its own cache ("" when it shares pipedeck's)."""
    if not config.load(project).pip_cache:
        return "the setting pip_cache = false"
    given = [name for name in OPT_OUT_VARIABLES if name in env]
    if given:
        return f"the run's environment sets {given[0]}"
    for workflow in workflows:
        try:
            found = _WORKFLOW_SETS.search(workflow.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if found:
            return f"{workflow.path.name} sets {found.group(1)}"
    return ""


def shared(project: Path, workflows: Sequence[Workflow], env: dict[str, str]) -> Path | None:
    """The shared folder (made now, owner only), or None when the run opts out."""
    if opted_out(project, workflows, env):
        return None
    path = folder()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def line(project: Path, workflows: Sequence[Workflow], env: dict[str, str]) -> str:
    """What the run says about it in its log."""
    why = opted_out(project, workflows, env)
    if why:
        return f"{LINE_START}pip's own ({why}), not pipedeck's shared download cache"
    return (
        f"{LINE_START}shared download cache {folder()} ({VARIABLE}), kept between runs and"
        " shared by host and docker mode: a second run downloads nothing it already has,"
        " where GitHub starts each job with an empty one (pip_cache = false turns it off)"
    )
