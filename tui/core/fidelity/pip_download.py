"""The fidelity report's item for pipedeck's shared pip download cache: the run's system
line (``tui.core.workflows.pip_cache.line``) says whether its steps' pip used it; listed when a
step of the workflow runs pip (a workflow that never does has nothing to differ)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tui.core import events as ev
from tui.core.fidelity.items import Item
from tui.core.workflows.pip_cache import LINE_START

SHARED = f"{LINE_START}shared download cache "
PIP = re.compile(r"\bpip3?\b")


def runs_pip(workflow: Mapping[str, Any]) -> bool:
    """Whether a ``run:`` step of the workflow (its YAML data) calls pip."""
    jobs = workflow.get("jobs")
    for job in jobs.values() if isinstance(jobs, Mapping) else ():
        steps = job.get("steps") if isinstance(job, Mapping) else None
        for step in steps if isinstance(steps, list) else ():
            if isinstance(step, Mapping) and PIP.search(str(step.get("run", ""))):
                return True
    return False


def pip_cache_items(logs: Iterable[ev.Log], workflow: Mapping[str, Any]) -> Iterator[Item]:
    if not runs_pip(workflow):
        return
    for log in logs:
        if log.stream == "system" and log.text.startswith(SHARED):
            where = log.text[len(SHARED) :].partition(" ")[0]
            yield Item(
                "",
                f"pip's downloads went through pipedeck's shared pip cache ({where}), kept between"
                " runs and shared by host and docker mode",
                "on GitHub each job starts with an empty pip cache (unless setup-python's"
                " `cache: pip` or actions/cache restores one): a first run there downloads"
                " every package, and an index or network problem shows there, not here",
                "set pip_cache = false in the pipedeck settings (or PIP_NO_CACHE_DIR in the"
                " workflow's env) to run with pip's own cache; setup-python's `cache: pip`"
                " gives a job its own, restored as on GitHub",
            )
            return
