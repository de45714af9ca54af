"""Raw act as the oracle: run act itself on the same project with the same flags and read its
own report — exit code, each job's result, how many step results of each status — to set
beside what pipedeck reported for the same run.

act's report is read as its user reads it: a ``jobResult`` is a job's result, ``🚧 Skipping
unsupported platform`` is a job act skipped, every ``stepResult`` is a step's. pipedeck may show
more than act (a ``not run`` job act never reported): that is left out of its side.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.workflows.act_argv import free_port

UNSUPPORTED = "🚧  Skipping unsupported platform"
# pipedeck's own files in a run's argv (private, gone once the run ended): flag -> the test's
PRIVATE_FILES = ("--secret-file", "--env-file", "--action-cache-path")


@dataclass(frozen=True)
class Report:
    code: int
    jobs: dict[str, str]  # act's job key (without the workflow's name) -> result
    steps: dict[str, dict[str, int]]  # job key -> step results counted by status


def act_report(lines: Iterable[str], code: int, workflow: str = "") -> Report:
    """act's own results in its ``--json -v`` output; keys lose the ``<workflow>/`` prefix of
    a single-workflow run (``workflow``), as pipedeck's node ids do."""
    jobs: dict[str, str] = {}
    steps: dict[str, Counter[str]] = {}
    for line in lines:
        rec = _record(line)
        if rec is None or "job" not in rec:
            continue
        key = str(rec["job"]).strip()
        key = key.removeprefix(f"{workflow}/") if workflow else key
        if "jobResult" in rec:
            jobs[key] = str(rec["jobResult"])
        elif str(rec.get("msg", "")).startswith(UNSUPPORTED):
            jobs[key] = "skipped"
        if "stepResult" in rec:
            steps.setdefault(key, Counter())[str(rec["stepResult"])] += 1
    return Report(code, jobs, {k: dict(v) for k, v in steps.items()})


def pipedeck_report(events: Sequence[Mapping[str, Any]], code: int) -> Report:
    """The same report from pipedeck's events (what it showed act reporting)."""
    finished = [e for e in events if e["type"] == "node.finished" and e["status"] != "not run"]
    kinds = {e["node_id"]: e["kind"] for e in events if e["type"] == "node.started"}
    parents = {e["node_id"]: e["parent_id"] for e in events if e["type"] == "node.started"}
    jobs = {e["node_id"]: str(e["status"]) for e in finished if e["kind"] == "job"}
    steps: dict[str, Counter[str]] = {}
    for e in finished:
        if e["kind"] != "step":
            continue
        job = e["parent_id"]
        while kinds.get(job) == "step":  # a composite action's steps sit under its step
            job = parents[job]
        steps.setdefault(job, Counter())[str(e["status"])] += 1
    return Report(code, jobs, {k: dict(v) for k, v in steps.items()})


def raw_argv(
    argv: Sequence[str],
    scratch: Path,
    files: Mapping[str, Path | None] | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The argv pipedeck ran act with, for act itself: pipedeck's private files swapped for
    the test's (``files``: flag -> file, None drops the flag), fresh artifact and action-cache
    folders, ``extra`` flags (the user's own, where pipedeck folded them into a private file)
    appended."""
    files = dict(files or {})
    artifacts = str(scratch / "raw-artifacts")
    out: list[str] = []
    old_artifacts = ""
    it = iter(argv)
    for arg in it:
        if arg in PRIVATE_FILES:
            next(it)
            if arg == "--action-cache-path":
                out += [arg, str(scratch / "raw-action-cache")]
            elif files.get(arg) is not None:
                out += [arg, str(files[arg])]
        elif arg == "--artifact-server-path":
            old_artifacts = next(it)
            out += [arg, artifacts]
        elif arg == "--artifact-server-port":
            next(it)
            out += [arg, str(free_port())]
        else:
            out.append(arg)
    if old_artifacts:  # docker mode mounts it into the job containers
        out = [a.replace(old_artifacts, artifacts) for a in out]
    return out + list(extra)


def raw_act(argv: Sequence[str], project: Path, workflow: str = "", timeout: float = 300) -> Report:
    done = subprocess.run(list(argv), cwd=project, capture_output=True, text=True, timeout=timeout)
    return act_report((done.stdout + "\n" + done.stderr).splitlines(), done.returncode, workflow)


def started_argv(events: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(a) for a in next(e for e in events if e["type"] == "run.started")["argv"]]


def _record(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        rec = json.loads(line)
    except ValueError:
        return None
    return rec if isinstance(rec, dict) else None
