"""The pause control channel: how a paused workflow step or pipeline task and whoever decides
(``pipedeck continue|shell|retry|skip|debug``, the TUI's keys, the CLI's prompt) talk.

A pause is a set of files in the run's private debug folder (``<debug>/pauses/``), written by
the step's shell hook (``tui.core.workflows.breakpoints``) or by the pipeline driver
(``tui.core.pipelines.task_pause``): ``<id>.pause`` (why, the exit code, the step's key,
working directory and hostname, a line each), ``<id>.env`` (its environment, NUL-separated),
``<id>.node`` (the node id shown), and, once someone decides, ``<id>.cmd`` (``continue``,
``skip`` or ``retry``); in docker mode ``<id>.container`` (the job's), for a Python task that
raised ``<id>.socket`` (where its debugger waits). Every file is written whole (a temporary
name, then renamed), so no reader sees half of one.

Imports only the standard library and pipedeck's own stdlib-only modules: the pipeline driver
uses it in the component environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tui.core import events as ev
from tui.core.errors import MissingPrerequisite

POLL = 0.2  # seconds between looks, in the hooks and in the runner


@dataclass(frozen=True)
class Pause:
    pause_id: str
    reason: str  # "breakpoint", "failure" or "exception" (a Python task, postmortem.py)
    code: int
    key: str
    cwd: str
    host: str  # the step's hostname
    folder: Path

    def node_id(self) -> str:
        return self.read("node")

    def debugger(self) -> Path:
        """Where a Python task that raised waits for its debugger (``postmortem.py``)."""
        return Path(self.read("socket"))

    @property
    def failed(self) -> bool:
        """Paused after the step or task failed (it can be retried), not before it ran."""
        return self.reason in ("failure", "exception")

    def read(self, what: str) -> str:
        """One of the pause's files (``<id>.<what>``), stripped; '' when it is not there."""
        try:
            return (self.folder / f"{self.pause_id}.{what}").read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def container(self) -> str:
        """The job container the step runs in (the runner names it), or ''."""
        return self.read("container")

    def env(self) -> dict[str, str]:
        data = (self.folder / f"{self.pause_id}.env").read_bytes().decode("utf-8", "replace")
        out: dict[str, str] = {}
        for item in data.split("\0"):
            name, found, value = item.partition("=")
            if found and name:
                out[name] = value
        return out

    def command(self) -> str:
        return self.read("cmd")

    def sync_workspace(self, project: Path, since: float) -> list[str]:
        """Host mode, before a retry: the project's files changed since ``since`` (the run's
        start) copied into act's working copy of the job (one way: project → copy); the
        relative paths copied. The user's fix reaches the step."""
        found = self.env().get("GITHUB_WORKSPACE", "")  # a workflow step's (not a task's)
        workspace = Path(found)
        if not found or self.container() or not workspace.is_dir():
            return []
        if workspace.resolve() == project.resolve():
            return []
        copied = []
        for folder, dirs, files in os.walk(project):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in files:
                source = Path(folder, name)
                try:
                    if source.stat().st_mtime <= since:
                        continue
                except OSError:
                    continue
                target = workspace / source.relative_to(project)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                copied.append(str(source.relative_to(project)))
        return sorted(copied)

    def send(self, command: str) -> None:
        """Decide the pause (written whole: the hook never reads half a command)."""
        write_file(self.folder, f"{self.pause_id}.cmd", f"{command}\n")

    def retry(self, project: Path, started: str) -> list[str]:
        """Retry the step or task: in host mode, after the project's changes since the run
        ``started`` (ISO time) reached act's working copy; the files copied."""
        copied = self.sync_workspace(project, datetime.fromisoformat(started).timestamp())
        self.send("retry")
        return copied


def paused_events(
    run_id: str, node_id: str, reason: str, code: int, also: str = ""
) -> list[ev.Event]:
    """What a pause is in the run's events: ``node.paused``, and the same words in its log."""
    text = detail(run_id, reason, code, also)
    return [
        ev.NodePaused(run_id=run_id, node_id=node_id, reason=reason, exit_code=code, detail=text),
        ev.Log(run_id=run_id, node_id=node_id, stream="system", text=f"⏸ {text}"),
    ]


def pauses_dir(debug: Path) -> Path:
    return debug / "pauses"


def open_pauses(debug: Path) -> list[Pause]:
    """The pauses that wait for a command (oldest first)."""
    folder = pauses_dir(debug)
    out = []
    for path in sorted(folder.glob("*.pause"), key=lambda p: p.stat().st_mtime):
        pause = read_pause(path)
        if pause is not None and not pause.command():
            out.append(pause)
    return out


def read_pause(path: Path) -> Pause | None:
    try:
        reason, code, key, cwd, host = path.read_text(encoding="utf-8").split("\n")[:5]
        return Pause(path.stem, reason, int(code), key, cwd, host, path.parent)
    except (OSError, ValueError):
        return None


def write_file(folder: Path, name: str, text: str) -> None:
    """``folder/name`` written whole: a temporary name, then renamed."""
    tmp = folder / f"{name}.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(folder / name)


def write_pause(
    folder: Path,
    pause_id: str,
    reason: str,
    code: int,
    node_id: str,
    cwd: Path,
    env: Mapping[str, str],
) -> None:
    """A pause as the driver makes one (a workflow step's hook writes the same in sh)."""
    write_file(folder, f"{pause_id}.env", "\0".join(f"{k}={v}" for k, v in env.items()))
    write_file(folder, f"{pause_id}.node", node_id)
    lines = [reason, str(code), node_id, str(cwd), os.uname().nodename]
    write_file(folder, f"{pause_id}.pause", "\n".join(lines) + "\n")


def detail(run_id: str, reason: str, code: int, also: str = "") -> str:
    """What a pause says: why, and the commands that go on from it."""
    verbs: tuple[str, ...] = ("shell", "retry", "continue", "skip")
    if reason == "breakpoint":
        verbs = ("shell", "continue", "skip")
    elif reason == "exception":
        verbs = ("debug", *verbs)
    why = {
        "failure": f"failed (exit {code})",
        "exception": "stopped where it raised (debug: pdb at that frame)",
    }.get(reason, "breakpoint: before it runs")
    how = ", ".join(f"pipedeck {verb} {run_id}" for verb in verbs)
    text = f"paused, {why}; go on with {how} (or pipedeck stop {run_id})"
    if reason != "breakpoint":
        text += "; continue lets it fail"
    return text + (f"; {also}" if also else "")


def shown_pauses(debug: object) -> list[Pause]:
    """The pauses of a run (``debug``: its meta's ``debug`` folder, if any) that its runner
    has shown (named their node) and that wait for a command."""
    if not debug:
        return []
    return [p for p in open_pauses(Path(str(debug))) if p.node_id()]


def shell_command(
    pause: Pause, command: Sequence[str], *, tty: bool
) -> tuple[list[str], dict[str, str] | None, str | None]:
    """What ``pipedeck shell`` (and the TUI's ``e``) runs: ``command`` (or a shell) where the
    step is, with its environment: in its job container (docker mode), else on this machine
    in its folder. Returns argv, env and cwd (None: this process's)."""
    env = pause.env()
    container = pause.container()
    if container:
        docker = shutil.which("docker")
        if docker is None:
            raise MissingPrerequisite("the step runs in a container and docker is not on PATH")
        flags = ["-i", "-t"] if tty else ["-i"]
        env_flags = [f for k, v in env.items() for f in ("-e", f"{k}={v}")]
        argv = [docker, "exec", *flags, "-w", pause.cwd, *env_flags, container]
        return [*argv, *(command or ["bash"])], None, None
    return list(command) or [os.environ.get("SHELL") or "bash"], env, pause.cwd


def enter(pause: Pause) -> int:
    """The terminal where the pause is, until the user leaves: Python's debugger at the frame
    a task raised in, else a shell where the step or task runs."""
    if pause.reason == "exception":
        from tui.core.pipelines import postmortem

        return postmortem.attach(pause.debugger())
    argv, env, cwd = shell_command(pause, [], tty=True)
    return subprocess.run(argv, cwd=cwd, env=env, check=False).returncode
