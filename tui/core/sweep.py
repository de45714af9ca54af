"""Sweeping what a killed pipedeck left behind.

While a run goes, ``runs/.live/<run_id>`` marks it. A run whose marker is there but whose
pipedeck process is gone (``kill -9``, a crash, a closed machine) was interrupted: the next
pipedeck command that opens the store stops what it left and says so in one line.

What a run leaves is known by its own marks, never by age or name patterns:

- processes: every process a run starts (act and its steps, the kfp.local driver and its
  tasks, pip building a component environment) carries ``PIPEDECK_RUN_ID=<run_id>`` in its
  environment — also the ones act moves to process groups of their own;
- containers: labelled ``pipedeck.run=<run_id>``, or named in the run's ``meta.json``
  (``extra.containers`` / ``extra.networks``: what act names without our options), created
  after the run started;
- folders: the run's scratch folder (``tui.core.paths.scratch_dir``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.paths import scratch_dir

if TYPE_CHECKING:  # imported where used: a run's way in needs none of it
    import psutil

RUN_ENV = "PIPEDECK_RUN_ID"  # in the environment of every process a run starts
LIVE = ".live"


@dataclass
class Swept:
    run_id: str
    processes: int = 0
    containers: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.processes or self.containers or self.folders)

    def line(self) -> str:
        parts = []
        if self.processes:
            parts.append(f"{self.processes} process{'es' if self.processes != 1 else ''}")
        if self.containers:
            parts.append(f"{len(self.containers)} container(s)/network(s)")
        if self.folders:
            parts.append(f"{len(self.folders)} scratch folder(s) (secrets included)")
        what = ", ".join(parts) if parts else "nothing left behind"
        return f"run {self.run_id} was interrupted (its pipedeck was killed); stopped {what}"


def processes_of(run_id: str) -> list[psutil.Process]:
    import psutil

    """Live processes started for ``run_id`` (never this process or the ones above it)."""
    mine = {os.getpid(), *(p.pid for p in _ancestors())}
    found = []
    for proc in psutil.process_iter():
        if proc.pid in mine:
            continue
        with contextlib.suppress(psutil.Error):
            if proc.environ().get(RUN_ENV) == run_id:
                found.append(proc)
    return found


def _ancestors() -> Iterator[psutil.Process]:
    import psutil

    with contextlib.suppress(psutil.Error):
        yield from psutil.Process().parents()


def stop_processes(procs: list[psutil.Process], grace: float = 3.0) -> int:
    import psutil

    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=grace)
    return len(procs)


def sweep_run(
    run_id: str,
    started: str,
    names: list[str],
    networks: list[str],
    docker: bool,
    folders: list[Path] | None = None,
) -> Swept:
    """Stop what run ``run_id`` left: processes first (so nothing writes any more), then
    containers (only when it used Docker), then its folders."""
    result = Swept(run_id)
    result.processes = stop_processes(processes_of(run_id))
    if docker:
        from tui.core.images.containers import remove_run_containers

        since = datetime.fromisoformat(started) if started else None
        result.containers = remove_run_containers(run_id, names, networks, since)
    for folder in folders if folders is not None else [scratch_dir(run_id)]:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            result.folders.append(str(folder))
    return result
