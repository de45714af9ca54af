"""A huge workflow file read for what a run needs, not parsed whole.

Parsing 50 MB of jobs with PyYAML takes many times what act takes to run them, so a run of a
file larger than ``plan.SKIM_BYTES`` reads only what act's command line and the run's
bookkeeping need: the workflow's ``name:`` and ``on:`` (parsed: the events and the
``workflow_dispatch`` inputs); each job's id and its own ``name:``, ``runs-on:``, ``needs:``,
``uses:``, ``services:`` and ``strategy:``; and the ``uses:`` of its steps (the actions that
offline stand-ins and the action cache are for).

Keys are found by their indentation, as YAML block mappings place them: the jobs' ids at one
indentation under ``jobs:``, each job's keys at the next. The content of a block scalar (a
``run: |`` script) is always indented deeper than its key, so it is never taken for one. The
steps' ``uses:`` are every ``uses:`` line under the job: a script line that looks like one
adds an action that is never used (a stand-in or a cached copy act does not need), never
drops one. A file this reading cannot follow (flow style, anchors, tabs, no top-level
``jobs:``) gets ``None``: it is parsed whole. pipedeck's own checks are skipped, and a
``problems`` line says so: act, which parses the file anyway, decides.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tui.core.workflows.plan import JobPlan, Workflow, events_of, job_plan

# Each pattern starts with a literal (a newline, a word) so re finds it at memchr speed.
_TOP = re.compile(r"\n([^\s#][^\n]*)")  # a line at column 0: a top-level key
_TOP_KEY = re.compile(r"(name|on|\"on\"|'on'|true|jobs)[ \t]*:(?:[ \t]+(.*))?$")
_KEY = re.compile(
    r"(?P<key>[^\s:#\"'][^:\n]*?|\"[^\"\n]+\"|'[^'\n]+')[ \t]*:(?:[ \t]+(?P<value>.*))?$"
)
_FIRST = re.compile(r"^( *)[^\s#]", re.M)  # the first line with content, and its indentation
_USES = re.compile(r"uses[ \t]*:[ \t]*([^\s#][^\n#]*?)[ \t]*(?:#[^\n]*)?$", re.M)
_USES_PREFIX = re.compile(r" *(?:-[ \t]+)?")  # what may stand before `uses:` on its line
_ANCHORS = re.compile(r": [&*][A-Za-z0-9_]|- [&*][A-Za-z0-9_]|<<:")
_JOB_KEYS = ("name", "runs-on", "needs", "uses", "services", "strategy")


class Unskimmable(Exception):
    """The file uses YAML this reading does not follow: parse it whole."""


def skim_workflow(path: Path, text: str) -> Workflow | None:
    """What a run needs of ``path`` (its ``text``), or None when it must be parsed whole."""
    try:
        return _skim(path, text)
    except (Unskimmable, yaml.YAMLError, AttributeError, TypeError):
        return None


def _skim(path: Path, text: str) -> Workflow:
    if "\t" in text or _ANCHORS.search(text):
        raise Unskimmable  # tabs, anchors, aliases, merge keys: the parser's business
    found: dict[str, tuple[int, int, str]] = {}  # key → (line start, block end, inline value)
    text = "\n" + text  # every line, the first too, follows a newline (offsets shift by 1)
    tops = list(_TOP.finditer(text))
    starts = 0
    for i, line in enumerate(tops):
        content = line.group(1)
        if content.rstrip() == "---" and not found and not starts:
            starts += 1  # the one document's start
            continue
        if content.startswith(("---", "...", "%", "{", "[")):
            raise Unskimmable
        match = _TOP_KEY.match(content)
        if match is None:
            continue
        end = tops[i + 1].start() + 1 if i + 1 < len(tops) else len(text)
        key = "on" if match.group(1).strip("\"'") in ("on", "true") else match.group(1)
        found[key] = (line.start() + 1, end, (match.group(2) or "").strip())
    if "jobs" not in found or (found["jobs"][2] and not found["jobs"][2].startswith("#")):
        raise Unskimmable  # no jobs, or `jobs: {…}` in flow style
    name = ""
    if "name" in found:
        name = str(yaml.safe_load(found["name"][2] or "''") or "")
    on: Any = None
    if "on" in found:
        start, end, _ = found["on"]
        parsed = yaml.safe_load(text[start:end])
        on = parsed.get("on", parsed.get(True)) if isinstance(parsed, dict) else None
    events, inputs = events_of(on)
    start, end, _ = found["jobs"]
    newline = text.find("\n", start, end)
    jobs = _jobs(text, newline + 1 if newline >= 0 else end, end)
    megabytes = round(len(text) / (1024 * 1024))
    note = (
        f"{path.name} is {megabytes} MB: pipedeck read only what the run needs (events, jobs,"
        " runs-on, actions used) and skipped its own checks; act decides"
    )
    return Workflow(
        path=path,
        name=name or path.name,
        events=events,
        jobs=jobs,
        inputs=inputs,
        problems=(note,),
    )


def _indent_at(text: str, start: int, end: int) -> int | None:
    first = _FIRST.search(text, start, end)
    return len(first.group(1)) if first else None


def _keys(text: str, start: int, end: int, indent: int) -> list[tuple[str, str, int, int]]:
    """The block mapping at ``indent`` in ``text[start:end]``: (key, inline value, line
    start, block end) each. A ``- `` item at the key's own indentation belongs to its value."""
    at = re.compile(rf"\n {{{indent}}}([^ \n][^\n]*)")
    keys: list[tuple[str, str, int, int]] = []
    for line in at.finditer(text, start - 1, end):
        content = line.group(1)
        line_start = line.start() + 1
        if content.startswith("#"):
            continue
        if content.startswith("- ") or content == "-":
            if not keys:
                raise Unskimmable
            continue
        match = _KEY.match(content)
        if match is None:
            raise Unskimmable  # not a block mapping this reading follows
        if keys:
            keys[-1] = (*keys[-1][:3], line_start)
        value = (match.group("value") or "").strip()
        keys.append((match.group("key").strip("\"'"), value, line_start, end))
    return keys


def _jobs(text: str, start: int, end: int) -> dict[str, JobPlan]:
    indent = _indent_at(text, start, end)
    if not indent:
        raise Unskimmable
    jobs: dict[str, JobPlan] = {}
    for job_id, value, line_start, block_end in _keys(text, start, end, indent):
        if value and not value.startswith("#"):
            raise Unskimmable  # a job must be a block mapping
        body = text.index("\n", line_start) + 1
        jobs[job_id] = _job(text, job_id, body, block_end)
    return jobs


def _job(text: str, job_id: str, start: int, end: int) -> JobPlan:
    indent = _indent_at(text, start, end)
    if indent is None:
        raise Unskimmable
    raw: dict[str, Any] = {}
    for key, _value, line_start, block_end in _keys(text, start, end, indent):
        if key in _JOB_KEYS:
            parsed = yaml.safe_load(text[line_start:block_end])
            raw[key] = parsed.get(key) if isinstance(parsed, dict) else None
    raw["steps"] = [{"uses": uses} for uses in _step_uses(text, start, end, indent)]
    return job_plan(job_id, raw)


def _step_uses(text: str, start: int, end: int, indent: int) -> list[str]:
    """Every ``uses:`` under a job whose keys sit at ``indent`` (not the job's own)."""
    out = []
    for match in _USES.finditer(text, start, end):
        line_start = text.rfind("\n", start - 1, match.start()) + 1
        prefix = text[line_start : match.start()]
        if _USES_PREFIX.fullmatch(prefix) and len(prefix) > indent:
            out.append(match.group(1).strip("\"'"))
    return out
