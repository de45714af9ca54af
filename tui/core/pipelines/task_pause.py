"""Breakpoints for pipeline tasks, inside the driver (subprocess mode here; docker mode in
``docker_pause.py``, on the same loop): a task pauses before it runs (``--break TASK``) or
after it failed (``--break-on-failure``) until a command arrives — the same pause files as a
workflow step's (``tui.core.pause_channel``), answered by
``pipedeck continue|shell|retry|skip`` and the TUI's keys.

At a pause the task's folder (the pause's working directory) holds ``executor_input.json``
and ``run-task``, which runs the task exactly as the executor does; the pause's environment is
the task's, with each input parameter as ``INPUT_<NAME>`` and each input artifact's path as
``INPUT_<NAME>_PATH``. ``retry`` runs the task again with the same inputs — with the
component's source as the pipeline file has it now, when it was edited since the run started;
``skip`` marks the task failed. Without ``PIPEDECK_DEBUG`` in the environment nothing of this
runs.

Docker mode pauses the same way (``docker_pause.py``: the task's container is kept alive for
its pauses, :class:`Pauses` with its environment and name, :func:`paused_run` around its runs).

Imports only the standard library and the driver's own modules (it runs in the driver).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.core import events as ev
from tui.core import pause_channel
from tui.core.pipelines import postmortem, task_process

DEBUG_VAR = "PIPEDECK_DEBUG"
BREAK_VAR = "PIPEDECK_BREAK"  # JSON list of task names
ON_FAILURE_VAR = "PIPEDECK_BREAK_ON_FAILURE"
SOURCE_VAR = "PIPEDECK_PIPELINE_SOURCE"  # the pipeline file (a retry takes its edits)
STARTED_VAR = "PIPEDECK_RUN_STARTED"  # epoch seconds


def driver_env(
    debug: Path, breaks: tuple[str, ...], on_failure: bool, source: Path | None
) -> dict[str, str]:
    """What the driver is told (pipedeck's side): where pauses go and what to pause on."""
    return {
        DEBUG_VAR: str(debug),
        BREAK_VAR: json.dumps(list(breaks)),
        ON_FAILURE_VAR: "1" if on_failure else "",
        SOURCE_VAR: str(source or ""),
        STARTED_VAR: str(time.time()),
    }


Attempt = Callable[[list[str]], tuple[int, str]]
"""Runs the task's command once: its exit code, and the pause it already stopped at ('' none)."""


def run(
    full_command: list[str],
    env_vars: dict[str, str] | None,
    log: task_process.LogLine,
    node_id: str,
    emit: Callable[[ev.Event], None],
    run_id: str,
) -> int:
    """The task's process (``task_process.run``), paused where the user asked."""
    debug = os.environ.get(DEBUG_VAR)
    if not debug:
        return task_process.run(full_command, env_vars, log)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env_vars or {})}
    pauses = Pauses(Path(debug), node_id, emit, run_id, log, env)
    on_failure = os.environ.get(ON_FAILURE_VAR) == "1"

    def attempt(command: list[str]) -> tuple[int, str]:
        at_exception: list[str] = []  # the pause id a Python exception stopped at

        def watched(stream: ev.Stream, line: str) -> None:
            if stream == "stderr" and line.startswith(postmortem.MARKER):
                pause_id, _, socket_path = line.removeprefix(postmortem.MARKER).partition(" ")
                pauses.announce("exception", 1, command, pause_id)
                pauses.note(pause_id, "socket", socket_path.strip())
                at_exception.append(pause_id)
                return
            log(stream, line)

        env_now = postmortem.task_env(Path(debug), env_vars) if on_failure else env_vars
        code = task_process.run(command, env_now, watched)
        return code, (at_exception[0] if at_exception else "")

    return paused_run(full_command, pauses, attempt)


def paused_run(full_command: list[str], pauses: Pauses, attempt: Attempt) -> int:
    """The task run by ``attempt``, paused where the user asked: before it (``--break``),
    after it failed (``--break-on-failure``; ``retry`` runs it again with the component's
    current source). Its exit code (1 when skipped at the breakpoint)."""
    before = pauses.node_id in json.loads(os.environ.get(BREAK_VAR) or "[]")
    if before and pauses.wait_for(pauses.announce("breakpoint", 0, full_command)) == "skip":
        pauses.log("system", "skipped at the breakpoint: marked failed")
        return 1
    on_failure = os.environ.get(ON_FAILURE_VAR) == "1"
    while True:
        code, stopped = attempt(full_command)
        if code == 0 or not on_failure:
            return code
        command = pauses.wait_for(stopped or pauses.announce("failure", code, full_command))
        if command != "retry":
            return code
        full_command = _with_current_source(full_command, pauses.log)


class Pauses:
    """One task's pauses: ``env`` is its environment (the inputs are added at each pause);
    ``container`` the container it runs in (docker mode: ``pipedeck shell`` execs into it)."""

    def __init__(
        self,
        debug: Path,
        node_id: str,
        emit: Callable[[ev.Event], None],
        run_id: str,
        log: task_process.LogLine,
        env: dict[str, str],
        container: str = "",
    ) -> None:
        self.folder = pause_channel.pauses_dir(debug)
        self.node_id = node_id
        self.emit = emit
        self.run_id = run_id
        self.log = log
        self.env = env
        self.container = container

    @property
    def task_dir(self) -> Path:
        """Where the task's pauses keep their folders (each its own, by pause id)."""
        return self.folder.parent / "tasks" / self.node_id.replace("/", "_")

    def announce(self, reason: str, code: int, full_command: list[str], pause_id: str = "") -> str:
        """Write the pause and say so; returns its id (for :meth:`wait_for`)."""
        pause_id = pause_id or f"{os.getpid()}-{time.time_ns()}"
        work = self.task_dir / pause_id
        work.mkdir(parents=True, exist_ok=True)
        env = {**self.env, **_inputs(full_command, work)}
        script = work / "run-task"
        script.write_text(f"#!/bin/sh\nexec {shlex.join(full_command)}\n", encoding="utf-8")
        script.chmod(0o755)
        if self.container:  # before the pause itself: whoever sees it can exec into it
            self.note(pause_id, "container", self.container)
        pause_channel.write_pause(self.folder, pause_id, reason, code, self.node_id, work, env)
        also = "skip marks it failed; `./run-task` in the shell runs it as the executor does"
        for event in pause_channel.paused_events(self.run_id, self.node_id, reason, code, also):
            self.emit(event)
        return pause_id

    def wait_for(self, pause_id: str) -> str:
        """Wait for the pause's command; returns it."""
        run = self.run_id
        command_file = self.folder / f"{pause_id}.cmd"
        while not command_file.exists():
            time.sleep(pause_channel.POLL)
        command = command_file.read_text(encoding="utf-8").strip()
        (self.folder / f"{pause_id}.pause").rename(self.folder / f"{pause_id}.done")
        self.emit(ev.NodeResumed(run_id=run, node_id=self.node_id, action=command))
        return command

    def note(self, pause_id: str, what: str, text: str) -> None:
        """Another file of the pause (``<id>.socket``: where its debugger waits;
        ``<id>.container``: the container to exec into)."""
        pause_channel.write_file(self.folder, f"{pause_id}.{what}", text)


def _inputs(full_command: list[str], work: Path) -> dict[str, str]:
    """The executor input (written beside ``run-task``) as environment variables."""
    if "--executor_input" not in full_command:
        return {}
    raw = full_command[full_command.index("--executor_input") + 1]
    (work / "executor_input.json").write_text(raw, encoding="utf-8")
    try:
        inputs = json.loads(raw).get("inputs", {})
    except ValueError:
        return {}
    env = {}
    for name, value in (inputs.get("parameterValues") or {}).items():
        env[f"INPUT_{_var(name)}"] = value if isinstance(value, str) else json.dumps(value)
    for name, artifacts in (inputs.get("artifacts") or {}).items():
        first = (artifacts.get("artifacts") or [{}])[0]
        uri = str(first.get("uri", ""))
        env[f"INPUT_{_var(name)}_PATH"] = uri.removeprefix("file://")
    return env


def _var(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name).upper()


def _with_current_source(full_command: list[str], log: task_process.LogLine) -> list[str]:
    """``full_command`` with the component's source as the pipeline file has it now (when it
    was edited since the run started); unchanged when it was not, or cannot be read."""
    source = os.environ.get(SOURCE_VAR, "")
    started = float(os.environ.get(STARTED_VAR) or 0)
    if "--function_to_execute" not in full_command or not source:
        return full_command
    path = Path(source)
    try:
        if path.stat().st_mtime <= started:
            return full_command
    except OSError:
        return full_command
    function = full_command[full_command.index("--function_to_execute") + 1]
    try:
        new = _component_source(path, function)
    except Exception as exc:  # the user's file: say why, retry as it was
        log("system", f"could not read {path.name} again ({type(exc).__name__}: {exc}); retrying")
        return full_command
    marker = f"def {function}("
    out = [new if marker in part and "kfp" in part else part for part in full_command]
    if out != full_command:
        log("system", f"retrying {function} with its source as {path.name} has it now")
    return out


def _component_source(path: Path, function: str) -> str:
    """The ephemeral module KFP runs for component ``function`` of ``path``, as it is now."""
    name = f"_pipedeck_retry_{time.time_ns()}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    component: Any = getattr(module, function)
    command = component.component_spec.implementation.container.command
    marker = f"def {function}("
    return next(part for part in command if marker in part)
