"""Breakpoints for pipeline tasks in docker mode, inside the driver: the pauses of
``task_pause.py`` (same files, events and commands), with the task's container kept alive for
them so ``pipedeck shell`` (and the TUI's ``e``) can ``docker exec`` into it.

Only with ``PIPEDECK_DEBUG`` in the driver's environment (:func:`enabled`; else
``docker_tasks.py`` runs the container as always and nothing of this runs). The container is
created with an idle keeper as its main process (``sh``, so the image needs one), and the task's
command (the image's entrypoint and the command kfp.local gives) runs in it through Docker's
exec API — at a breakpoint before it runs, at a failure pause after it failed, the container is
there with whatever the task and the user changed in it. ``continue`` runs the command (after a
breakpoint) or lets the task fail, ``retry`` runs it again with the component's source as the
pipeline file has it now, ``skip`` marks the task failed; the container is removed when the task
ends.

The task's folder under the run's debug folder is mounted at the same path, so each pause's
working directory (``executor_input.json`` and ``run-task``, which runs the task exactly as the
executor does) is in the container too; the pause's environment is the container's, with the
task's inputs as ``INPUT_<NAME>`` / ``INPUT_<NAME>_PATH``. Python post-mortem (stopping at the
raising frame, ``pipedeck debug``) is subprocess mode's only: a task that raises here gets an
ordinary failure pause (its traceback is in its log; ``./run-task`` shows it again).

Imports only the standard library and pipedeck's driver-side modules (the docker SDK's objects
are handed in).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from tui.core import events as ev
from tui.core.pipelines import task_pause
from tui.core.pipelines.capture import ChunkLines, ExecutorLines
from tui.core.pipelines.task_process import LogLine

# The container's main process while the task is paused or runs (exec'd beside it).
KEEPER = ["sh", "-c", 'trap "exit 0" TERM; while :; do sleep 1; done']

Log = Callable[[str, str, str], None]  # (node id, stream, text), as docker_tasks.Log


def enabled() -> bool:
    """Breakpoints asked for (the driver was told where pauses go)."""
    return bool(os.environ.get(task_pause.DEBUG_VAR))


def run(
    client: Any,
    image: str,
    command: list[str],
    create: dict[str, Any],
    node_id: str,
    log: Log,
    emit: Callable[[ev.Event], None],
    run_id: str,
) -> int:
    """The task in a container of ``image`` (in the engine) created with ``create``
    (``client.containers.create``'s keyword arguments but the command), paused where the user
    asked; its exit code. The container is removed when this returns."""

    def log_line(stream: ev.Stream, text: str) -> None:
        log(node_id, stream, text)

    config = client.images.get(image).attrs.get("Config") or {}
    entrypoint = _words(create.pop("entrypoint", None) or config.get("Entrypoint"))
    argv = [*entrypoint, *(command or _words(config.get("Cmd")))]
    pauses = task_pause.Pauses(
        Path(os.environ[task_pause.DEBUG_VAR]), node_id, emit, run_id, log_line, {}
    )
    folder = pauses.task_dir
    folder.mkdir(parents=True, exist_ok=True)
    volumes = {**create.pop("volumes", {}), str(folder): {"bind": str(folder), "mode": "rw"}}
    container = client.containers.create(image, None, entrypoint=KEEPER, volumes=volumes, **create)
    try:
        try:
            container.start()
        except Exception as exc:  # the image has no sh: nothing to pause in
            log_line("system", f"could not start the task's container to pause in: {exc}")
            return 1
        container.reload()
        pauses.env = _env(container.attrs.get("Config", {}).get("Env"))
        pauses.container = str(container.id)
        return task_pause.paused_run(
            argv, pauses, lambda cmd: (_exec(client, str(container.id), cmd, log_line), "")
        )
    finally:
        with contextlib.suppress(Exception):  # the caller removes what is left by its label
            container.remove(force=True, v=True)


def _exec(client: Any, container_id: str, argv: list[str], log: LogLine) -> int:
    """``argv`` run in the container (its user, working directory and environment), its
    output the task's log lines; its exit code."""
    exec_id = client.api.exec_create(container_id, argv, stdout=True, stderr=True)["Id"]
    out, err = _Lines("stdout", log), _Lines("stderr", log)
    with contextlib.suppress(Exception):  # the container went away (cancel): output ends
        for stdout, stderr in client.api.exec_start(exec_id, stream=True, demux=True):
            if stdout:
                out.feed(stdout)
            if stderr:
                err.feed(stderr)
    out.close()
    err.close()
    for _ in range(50):  # the output ends as the process does; its exit code follows
        try:
            info = client.api.exec_inspect(exec_id)
        except Exception:
            return 1
        if not info.get("Running") and info.get("ExitCode") is not None:
            return int(info["ExitCode"])
        time.sleep(0.1)
    return 1


class _Lines:
    """One stream's chunks → whole lines (the executor's own told apart) → the task's log."""

    def __init__(self, stream: Literal["stdout", "stderr"], log: LogLine) -> None:
        self.lines = ExecutorLines(stream)
        self.log = log
        self.chunks = ChunkLines()

    def feed(self, chunk: bytes) -> None:
        self._emit(self.chunks.feed(chunk))

    def close(self) -> None:
        self._emit(self.chunks.close())

    def _emit(self, lines: list[str]) -> None:
        for line in lines:
            for kind, text in self.lines.feed(line):
                self.log(kind, text)


def _words(value: Any) -> list[str]:
    if not value:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _env(items: Any) -> dict[str, str]:
    out = {}
    for item in items or []:
        name, found, value = str(item).partition("=")
        if found and name:
            out[name] = value
    return out
