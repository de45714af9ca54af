"""Breakpoints in a workflow run: act is given a temporary copy of the workflow in which each
watched ``run:`` step first sources a small hook (``hook.sh``), which pauses the step before
it runs (a breakpoint) or after it failed (``--break-on-failure``) until a command arrives.

The copy changes nothing else: a step keeps its shell, its options and its display name (a
step without ``name:`` gets its own script as name, which is what act shows for it), so nodes
and logs look as without breakpoints. The user's file is never touched; a run without
breakpoints gets no copy and pays nothing.

The hook writes the pause's files as ``tui.core.pause_channel`` reads them (the step's
environment as it would see it, ``GITHUB_ENV`` additions included) and waits for their
command. ``retry`` runs the step's script again, in the same shell, environment and folder;
if it fails again it pauses again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from tui.core.errors import BadInput
from tui.core.pause_channel import pauses_dir

if TYPE_CHECKING:
    from tui.core.workflows.act_argv import WorkflowRequest

# How act runs a step's script for these shells (GitHub's defaults): ``retry`` runs it again so.
RERUN = {"bash": "bash --noprofile --norc -eo pipefail", "sh": "sh -e"}

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
    plan: dict[str, list[dict[str, Any]]],
    specs: Sequence[str],
    on_failure: bool,
    path: Path,
    caller: str = "",
) -> list[Watched]:
    """What ``--break JOB/STEP`` (STEP: the step's ``id``, its name or its 1-based position)
    and ``--break-on-failure`` watch; a spec that names nothing, or a step the hook cannot
    run in, is a one-line error. ``caller``: the job calling the local reusable workflow
    ``path`` (its specs and keys are ``CALLER/JOB/STEP``)."""
    before: set[str] = set()
    prefix = f"{caller}/" if caller else ""
    for given in specs:
        spec = prefix + given
        job, _, step = given.partition("/")
        if job not in plan or not step:
            jobs = ", ".join(plan) or "none"
            shape = f"{prefix}JOB/STEP" if caller else "JOB/STEP"
            raise BadInput(f"--break {spec}: expected {shape} with a job of {path.name} ({jobs})")
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
        before.add(f"{prefix}{job}/{row['id']}")
    out = []
    for job, rows in plan.items():
        for row in rows:
            key = f"{prefix}{job}/{row['id']}"
            hooked = row["run"] is not None and row["shell"] in RERUN
            if hooked and (key in before or on_failure):
                out.append(Watched(key, key in before, on_failure))
    return out


def timeouts(path: Path, workdir: Path | None = None, caller: str = "") -> dict[str, str]:
    """For each step key (``<job id>/<step id>``, ``<caller>/<job id>/<step id>`` in a local
    reusable workflow it calls, given ``workdir``) under a ``timeout-minutes`` (its own or its
    job's), what a pause there must say: act ends it then, paused or not."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    out: dict[str, str] = {}
    if workdir is not None:
        for job, (called, _) in local_calls(text, workdir).items():
            out.update(timeouts(called, caller=job))
    prefix = f"{caller}/" if caller else ""
    jobs = data.get("jobs") if isinstance(data, dict) else None
    for job_id, job in (jobs or {}).items():
        if not isinstance(job, dict):
            continue
        for index, step in enumerate(job.get("steps") or []):
            if not isinstance(step, dict):
                continue
            key = f"{prefix}{job_id}/{step.get('id') or index}"
            if step.get("timeout-minutes") is not None:
                out[key] = f"the step's timeout-minutes ({step['timeout-minutes']})"
            elif job.get("timeout-minutes") is not None:
                out[key] = f"job {job_id}'s timeout-minutes ({job['timeout-minutes']})"
    return out


def check(request: WorkflowRequest) -> None:
    """What the user asked to break on exists and can pause (a one-line error otherwise)."""
    if request.folder is not None:
        raise BadInput("--break: name one workflow file (breakpoints do not take a folder)")
    workdir = request.act_cwd or request.project
    _hooked_texts(request.workflow.path, workdir, request.breakpoints, request.break_on_failure)


def local_calls(text: str, workdir: Path) -> dict[str, tuple[Path, Any]]:
    """The jobs of a workflow that call a local reusable workflow (``uses: ./….yml``, as act
    finds it from ``workdir``): the called file and the ``uses`` value's node."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    out: dict[str, tuple[Path, Any]] = {}
    top = {k.value: v for k, v in root.value} if isinstance(root, yaml.MappingNode) else {}
    jobs = top.get("jobs")
    for job_key, job in jobs.value if isinstance(jobs, yaml.MappingNode) else ():
        if not isinstance(job, yaml.MappingNode):
            continue
        uses = {k.value: v for k, v in job.value}.get("uses")
        value = _scalar(uses)
        if value.startswith("./") and value.split("@")[0].endswith((".yml", ".yaml")):
            called = workdir / value.split("@")[0]
            if called.is_file():
                out[str(job_key.value)] = (called, uses)
    return out


def write_copy(
    source: Path, debug: Path, specs: Sequence[str], on_failure: bool, workdir: Path
) -> Path:
    """The workflow act is given (``debug/workflow/<name>``), the copies of the local reusable
    workflows it calls that hold a watched step (its ``uses:`` then names the copy, by a path
    from ``workdir`` as act resolves it), and the hook beside them."""
    main, called = _hooked_texts(source, workdir, specs, on_failure)
    pauses_dir(debug).mkdir(parents=True, exist_ok=True)
    (debug / "hook.sh").write_text(HOOK, encoding="utf-8")
    text, edits = main
    for caller, (path, uses, hooked) in called.items():
        copy = debug / "workflow" / "called" / caller / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(hooked, encoding="utf-8")
        where = "./" + os.path.relpath(copy, workdir)
        edits.append((uses.start_mark.index, uses.end_mark.index, json.dumps(where)))
    out = debug / "workflow" / source.name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_apply(text, edits), encoding="utf-8")
    return out


Edit = tuple[int, int, str]


def _hooked_texts(
    source: Path, workdir: Path, specs: Sequence[str], on_failure: bool
) -> tuple[tuple[str, list[Edit]], dict[str, tuple[Path, Any, str]]]:
    """The workflow's text with the edits that hook its watched steps, and for each caller
    of a local reusable workflow with a watched step: the called file, the caller's ``uses``
    node and the called workflow's hooked text. Checks every spec (one-line errors)."""
    text = source.read_text(encoding="utf-8")
    calls = local_calls(text, workdir)
    own: list[str] = []
    inner: dict[str, list[str]] = {}
    for spec in specs:
        job, _, rest = spec.partition("/")
        if job in calls and "/" in rest:
            inner.setdefault(job, []).append(rest)
        elif job in calls:
            raise BadInput(
                f"--break {spec}: job {job} calls {calls[job][0].name}; name a step of one of"
                f" its jobs: {job}/JOB/STEP"
            )
        else:
            own.append(spec)
    edits = _hook_edits(text, step_plan(text, source), own, on_failure, source)
    called = {}
    for caller, (path, uses) in calls.items():
        if caller not in inner and not on_failure:
            continue
        called_text = path.read_text(encoding="utf-8")
        plan = step_plan(called_text, path)
        hooks = _hook_edits(called_text, plan, inner.get(caller, []), on_failure, path, caller)
        called[caller] = (path, uses, _apply(called_text, hooks))
    return (text, edits), called


def _hook_edits(
    text: str,
    plan: dict[str, list[dict[str, Any]]],
    specs: Sequence[str],
    on_failure: bool,
    path: Path,
    caller: str = "",
) -> list[Edit]:
    watched = {w.key: w for w in watched_steps(plan, specs, on_failure, path, caller)}
    prefix = f"{caller}/" if caller else ""
    edits: list[Edit] = []
    for job, rows in plan.items():
        for row in rows:
            watch = watched.get(f"{prefix}{job}/{row['id']}")
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
    return edits


def _apply(text: str, edits: list[Edit]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


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
