"""Breakpoints in a workflow run: act is given a temporary copy of the workflow in which each
watched ``run:`` step first sources a small hook (``hook.sh``), which pauses the step before
it runs (a breakpoint) or after it failed (``--break-on-failure``) until a command arrives.

The copy changes nothing else: a step keeps its shell, its options and its display name (a
step without ``name:`` gets its own script as name, which is what act shows for it), so nodes
and logs look as without breakpoints. The user's file is never touched; a run without
breakpoints gets no copy and pays nothing.

A pause is a set of files in the run's debug folder (``pauses/``): ``<id>.pause`` (why, the
exit code, the step's key, working directory and hostname), ``<id>.env`` (the step's
environment, NUL-separated: what it would see, ``GITHUB_ENV`` additions included), and, once
someone decides, ``<id>.cmd`` (``continue``, ``skip`` or ``retry``); the runner adds
``<id>.node`` (the node id it showed) and, in docker mode, ``<id>.container`` (the job's).
``retry`` runs the step's script again, in the same shell, environment and folder; if it
fails again it pauses again.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from tui.core.errors import BadInput, MissingPrerequisite

if TYPE_CHECKING:
    from tui.core.workflows.act_argv import WorkflowRequest

# How act runs a step's script for these shells (GitHub's defaults): ``retry`` runs it again so.
RERUN = {"bash": "bash --noprofile --norc -eo pipefail", "sh": "sh -e"}
COMMANDS = ("continue", "skip", "retry")
POLL = 0.2  # seconds between looks, in the hook and in the runner

HOOK = r"""# pipedeck's breakpoint hook (sourced by the first line of a watched step's script)
__pd_dir="$PIPEDECK_DEBUG/pauses"
__pd_pause() {  # $1: breakpoint or failure, $2: the exit code; leaves the command in __pd_cmd
  __pd_id="$$-$(date +%s%N)"
  env -0 > "$__pd_dir/$__pd_id.env.tmp" && mv "$__pd_dir/$__pd_id.env.tmp" "$__pd_dir/$__pd_id.env"
  printf '%s\n%s\n%s\n%s\n%s\n' "$1" "$2" "$__pd_key" "$PWD" "$(hostname)" \
    > "$__pd_dir/$__pd_id.pause.tmp"
  mv "$__pd_dir/$__pd_id.pause.tmp" "$__pd_dir/$__pd_id.pause"
  while [ ! -e "$__pd_dir/$__pd_id.cmd" ]; do sleep 0.2; done
  read -r __pd_cmd < "$__pd_dir/$__pd_id.cmd" || true
  mv "$__pd_dir/$__pd_id.pause" "$__pd_dir/$__pd_id.done"
}
__pd_after() {
  __pd_code=$?
  trap - EXIT
  if [ "$__pd_code" -ne 0 ]; then
    __pd_pause failure "$__pd_code"
    if [ "$__pd_cmd" = retry ]; then
      PIPEDECK_RETRY=1 $__pd_rerun "$0"
      exit $?
    elif [ "$__pd_cmd" = skip ]; then
      exit 0
    fi
  fi
  exit "$__pd_code"
}
if [ "$__pd_before" = 1 ] && [ -z "$PIPEDECK_RETRY" ]; then
  __pd_pause breakpoint 0
  if [ "$__pd_cmd" = skip ]; then
    exit 0
  fi
fi
if [ "$__pd_onfail" = 1 ]; then
  trap __pd_after EXIT
fi
"""


@dataclass(frozen=True)
class Watched:
    """A ``run:`` step the copy hooks: ``key`` is ``<job id>/<act's step id>``."""

    key: str
    before: bool
    on_failure: bool


@dataclass(frozen=True)
class Pause:
    pause_id: str
    reason: str  # "breakpoint" or "failure"
    code: int
    key: str
    cwd: str
    host: str  # the step's hostname
    folder: Path

    @property
    def node_file(self) -> Path:
        return self.folder / f"{self.pause_id}.node"

    def node_id(self) -> str:
        try:
            return self.node_file.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def debugger(self) -> Path:
        """Where a Python task that raised waits for its debugger (``postmortem.py``)."""
        return Path(self.read("socket"))

    def read(self, what: str) -> str:
        try:
            return (self.folder / f"{self.pause_id}.{what}").read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def container(self) -> str:
        """The job container the step runs in (the runner names it), or ''."""
        try:
            return (self.folder / f"{self.pause_id}.container").read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def env(self) -> dict[str, str]:
        data = (self.folder / f"{self.pause_id}.env").read_bytes().decode("utf-8", "replace")
        out: dict[str, str] = {}
        for item in data.split("\0"):
            name, found, value = item.partition("=")
            if found and name:
                out[name] = value
        return out

    def command(self) -> str:
        try:
            return (self.folder / f"{self.pause_id}.cmd").read_text(encoding="utf-8").strip()
        except OSError:
            return ""

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
        tmp = self.folder / f"{self.pause_id}.cmd.tmp"
        tmp.write_text(f"{command}\n", encoding="utf-8")
        tmp.replace(self.folder / f"{self.pause_id}.cmd")


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


def step_plan(text: str, path: Path) -> dict[str, list[dict[str, Any]]]:
    """Each job's steps as the file has them: their id, name, shell and the ``run`` nodes."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    out: dict[str, list[dict[str, Any]]] = {}
    if not isinstance(root, yaml.MappingNode):
        return out
    top = {k.value: v for k, v in root.value}
    default_shell = _shell(top.get("defaults"))
    jobs = top.get("jobs")
    if not isinstance(jobs, yaml.MappingNode):
        return out
    for job_key, job in jobs.value:
        if not isinstance(job, yaml.MappingNode):
            continue
        fields = {k.value: v for k, v in job.value}
        job_shell = _shell(fields.get("defaults")) or default_shell
        steps = fields.get("steps")
        rows: list[dict[str, Any]] = []
        for index, step in enumerate(steps.value if isinstance(steps, yaml.SequenceNode) else ()):
            if not isinstance(step, yaml.MappingNode):
                continue
            keys = {k.value: (k, v) for k, v in step.value}
            run = keys.get("run")
            shell = keys.get("shell")
            rows.append(
                {
                    "index": index,
                    "id": _scalar(keys.get("id")) or str(index),
                    "name": _scalar(keys.get("name")),
                    "run": run,
                    "shell": (_scalar(shell) if shell else job_shell) or "bash",
                }
            )
        out[str(job_key.value)] = rows
    return out


def watched_steps(
    plan: dict[str, list[dict[str, Any]]], specs: Sequence[str], on_failure: bool, path: Path
) -> list[Watched]:
    """What ``--break JOB/STEP`` (STEP: the step's ``id``, its name or its 1-based position)
    and ``--break-on-failure`` watch; a spec that names nothing, or a step the hook cannot
    run in, is a one-line error."""
    before: set[str] = set()
    for spec in specs:
        job, _, step = spec.partition("/")
        if job not in plan or not step:
            jobs = ", ".join(plan) or "none"
            raise BadInput(f"--break {spec}: expected JOB/STEP with a job of {path.name} ({jobs})")
        rows = plan[job]
        found = [
            r
            for r in rows
            if step in (r["id"], r["name"]) or (step.isdigit() and int(step) == r["index"] + 1)
        ]
        if not found:
            steps = ", ".join(r["name"] or r["id"] for r in rows)
            raise BadInput(f"--break {spec}: no step {step!r} in job {job} (steps: {steps})")
        row = found[0]
        if row["run"] is None:
            raise BadInput(
                f"--break {spec}: a `uses:` step; breakpoints pause `run:` steps (steps inside"
                " an action are out of reach)"
            )
        if row["shell"] not in RERUN:
            raise BadInput(
                f"--break {spec}: the step runs in shell {row['shell']}; breakpoints need bash"
                " or sh"
            )
        before.add(f"{job}/{row['id']}")
    out = []
    for job, rows in plan.items():
        for row in rows:
            key = f"{job}/{row['id']}"
            hooked = row["run"] is not None and row["shell"] in RERUN
            if hooked and (key in before or on_failure):
                out.append(Watched(key, key in before, on_failure))
    return out


def timeouts(path: Path) -> dict[str, str]:
    """For each step key (``<job id>/<step id>``) under a ``timeout-minutes`` (its own or its
    job's), what a pause there must say: act ends it then, paused or not."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, str] = {}
    jobs = data.get("jobs") if isinstance(data, dict) else None
    for job_id, job in (jobs or {}).items():
        if not isinstance(job, dict):
            continue
        for index, step in enumerate(job.get("steps") or []):
            if not isinstance(step, dict):
                continue
            key = f"{job_id}/{step.get('id') or index}"
            if step.get("timeout-minutes") is not None:
                out[key] = f"the step's timeout-minutes ({step['timeout-minutes']})"
            elif job.get("timeout-minutes") is not None:
                out[key] = f"job {job_id}'s timeout-minutes ({job['timeout-minutes']})"
    return out


def check(request: WorkflowRequest) -> None:
    """What the user asked to break on exists and can pause (a one-line error otherwise)."""
    if request.folder is not None:
        raise BadInput("--break: name one workflow file (breakpoints do not take a folder)")
    path = request.workflow.path
    watched_steps(step_plan(path.read_text(encoding="utf-8"), path), request.breakpoints,
                  request.break_on_failure, path)  # fmt: skip


def write_copy(source: Path, debug: Path, specs: Sequence[str], on_failure: bool) -> Path:
    """The workflow act is given (``debug/<name>``) and the hook beside it."""
    text = source.read_text(encoding="utf-8")
    plan = step_plan(text, source)
    watched = {w.key: w for w in watched_steps(plan, specs, on_failure, source)}
    edits: list[tuple[int, int, str]] = []
    for job, rows in plan.items():
        for row in rows:
            watch = watched.get(f"{job}/{row['id']}")
            if watch is None:
                continue
            key_node, value = row["run"]
            script = str(value.value)
            hook = (
                f"__pd_key={_sh(watch.key)}; __pd_before={int(watch.before)};"
                f" __pd_onfail={int(watch.on_failure)}; __pd_rerun={_sh(RERUN[row['shell']])};"
                ' . "$PIPEDECK_DEBUG/hook.sh"'
            )
            start, end = value.start_mark.index, value.end_mark.index
            newline = text[start:end].endswith("\n")
            new = json.dumps(f"{hook}\n{script}")
            if not row["name"]:  # what act shows for a step with no name: its script
                new += f"\n{' ' * key_node.start_mark.column}name: {json.dumps(script)}"
            edits.append((start, end, new + ("\n" if newline else "")))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    pauses_dir(debug).mkdir(parents=True, exist_ok=True)
    (debug / "hook.sh").write_text(HOOK, encoding="utf-8")
    copy = debug / "workflow" / source.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(text, encoding="utf-8")
    return copy


def _shell(defaults: Any) -> str:
    if not isinstance(defaults, yaml.MappingNode):
        return ""
    run = {k.value: v for k, v in defaults.value}.get("run")
    if not isinstance(run, yaml.MappingNode):
        return ""
    return _scalar(({k.value: v for k, v in run.value}.get("shell"), None)[0])


def _scalar(node: Any) -> str:
    if isinstance(node, tuple):
        node = node[1]
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def _sh(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def keys_of(watched: Iterable[Watched]) -> set[str]:
    return {w.key for w in watched}


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
