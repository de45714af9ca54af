"""Starting the runs a push triggers: each a normal workflow run (``launch.start_workflow``)
of the event, given the event's payload file; the run keeps a copy of the payload in its
folder (what ``pipedeck rerun`` gives act again) and records which push started it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.launch import start_workflow
from tui.core.paths import PRIVATE_FILE
from tui.core.prepush.triggers import Trigger
from tui.core.workflows.act_argv import WorkflowRequest
from tui.core.workflows.mode import RunnerMode
from tui.core.workflows.plan import load_workflow

if TYPE_CHECKING:
    from tui.core.runner import Run
    from tui.core.store import RunStore

PAYLOAD_NAME = "event.json"


def start_triggered(
    project: Path,
    trigger: Trigger,
    *,
    event: str,
    ref: str,
    payload: Path,
    mode: RunnerMode,
    offline: bool,
    store: RunStore | None = None,
) -> Run:
    """The run of ``trigger``'s workflow for ``event`` (act started before this returns)."""
    request = WorkflowRequest(
        project=project,
        workflow=load_workflow(trigger.path, lenient=True, skim=True),
        event=event,
        payload=payload,
        mode=mode,
        offline=offline,
    )
    run = start_workflow(request, store, spawn=True)
    record = run.record
    kept = record.path / PAYLOAD_NAME
    shutil.copyfile(payload, kept)  # act has its own copy's path; this one outlives it
    kept.chmod(PRIVATE_FILE)
    options = record.meta.extra.get("request")
    if isinstance(options, dict):
        options["payload"] = str(kept)
    record.meta.extra["prepush"] = {"ref": ref, "reason": trigger.decision.reason}
    record.write_meta()
    return run
