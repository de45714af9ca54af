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
