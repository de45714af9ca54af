"""The Python and Node a workflow's jobs ran with here, for the fidelity report: on GitHub the
runner image a ``runs-on`` label names has its own defaults (actions/runner-images lists them
per image), so a step that counts on a version may behave differently there.

Host mode: this machine's — the Python host-mode steps get (the per-run virtualenv is made
from the interpreter pipedeck runs on) and ``node`` on PATH. Docker mode: the job image's,
asked once per image id (``docker run``) and kept in the state dir. A job that pins a tool
(``actions/setup-python`` / ``actions/setup-node`` steps) is not listed for it.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tui.core.fidelity.items import Item, node_of
from tui.core.paths import private_dir, state_dir

CACHE = "tool-versions.json"
PINS = {"python": "actions/setup-python", "node": "actions/setup-node"}
PROBE = (
    'python3 -c "import platform; print(platform.python_version())" 2>/dev/null || echo -;'
    " node --version 2>/dev/null || echo -"
)


def host_versions() -> dict[str, str]:
    """The Python and Node host-mode steps run with ('' when there is none)."""
    node = ""
    found = shutil.which("node")
    if found:
        try:
            done = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=10)
            node = done.stdout.strip() if done.returncode == 0 else ""
        except (OSError, subprocess.TimeoutExpired):
            node = ""
    return {"python": platform.python_version(), "node": node.removeprefix("v")}


def image_versions(image: str) -> dict[str, str]:
    """The Python and Node of ``image`` (asked once per image id); {} when the engine or the
    image is not there."""
    try:
        inspected = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{.Id}}", image],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    image_id = inspected.stdout.strip()
    if inspected.returncode != 0 or not image_id:
        return {}
    path = state_dir() / CACHE
    try:
        known: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if isinstance(known.get(image_id), dict):
        return {str(k): str(v) for k, v in known[image_id].items()}
    try:
        done = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "sh", image_id, "-c", PROBE],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    lines = [line.strip() for line in done.stdout.splitlines()]
    if done.returncode != 0 or len(lines) < 2:
        return {}
    versions = {
        "python": "" if lines[0] == "-" else lines[0],
        "node": "" if lines[1] == "-" else lines[1].removeprefix("v"),
    }
    known[image_id] = versions
    private_dir(path.parent)
    path.write_text(json.dumps(known, indent=1), encoding="utf-8")
    return versions


def tool_items(
    jobs: Mapping[str, Mapping[str, Any]],
    mapped: Mapping[str, str],
    host_platform: str,
    node_for: Callable[[str], str],
) -> Iterator[Item]:
    """One item per ``runs-on`` label: the versions its jobs ran with here, unless each of
    them pins both. ``jobs``: job id -> its YAML; ``mapped``: label (lowercase) -> its ``-P``
    value; ``node_for``: a job id's node in the run."""
    from tui.core.workflows.plan import job_plan

    by_label: dict[str, list[str]] = {}  # label -> the ids of the jobs that use it
    for job_id, raw in jobs.items():
        for label in job_plan(job_id, dict(raw)).runs_on:
            by_label.setdefault(label, []).append(job_id)
    for label, ids in by_label.items():
        value = mapped.get(label.lower())
        unpinned = {tool: [i for i in ids if tool not in _pins(jobs[i])] for tool in PINS}
        if not value or not any(unpinned.values()):
            continue
        where = "this machine's" if value == host_platform else f"the image {value}'s"
        versions = host_versions() if value == host_platform else image_versions(value)
        if not versions:
            continue
        groups: dict[tuple[str, ...], list[str]] = {}  # the jobs -> the tools none pins
        for tool, job_ids in unpinned.items():
            if job_ids:
                groups.setdefault(tuple(job_ids), []).append(tool)
        for group, tools in groups.items():
            said = [f"{_name(tool)} {versions.get(tool) or 'none'}" for tool in tools]
            node, named = node_of([node_for(i) for i in group])
            yield Item(
                node,
                f"runs-on {label}{named} ran with {' and '.join(said)} ({where})",
                f"on GitHub the {label} runner image has its own default versions (the"
                " image's page in actions/runner-images lists them); a step that counts on one"
                " may behave differently there",
                "pin them in the workflow: "
                + ", ".join(f"{PINS[tool]} with {tool}-version" for tool in tools),
            )


def first(jobs: Callable[[str], list[str]]) -> Callable[[str], str]:
    """A job id's first node, from a function giving all of them (matrix legs)."""
    return lambda job_id: jobs(job_id)[0]


def _pins(raw: Mapping[str, Any]) -> set[str]:
    steps = raw.get("steps") if isinstance(raw, Mapping) else None
    uses = [str(s.get("uses", "")) for s in steps or [] if isinstance(s, Mapping)]
    return {tool for tool, action in PINS.items() if any(u.startswith(f"{action}@") for u in uses)}


def _name(tool: str) -> str:
    return {"python": "Python", "node": "Node"}[tool]
