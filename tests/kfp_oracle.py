"""Raw kfp.local as the oracle: a pipeline (or a lone component) called under ``kfp.local`` by
hand, in a child process, and kfp.local's own report read back — the log lines it writes for
every task (``Executing task``, ``finished with status``, ``cache hit``, ``Skipping task …
upstream … failed``, ``Skipping conditional task``) and whether the call raised.

The child uses the component environment's Python (kfp and the components' packages in it)
with ``SubprocessRunner(use_venv=False)`` — what pipedeck's subprocess runner does, minus its
hooks — so nothing is installed per task.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EXECUTING = re.compile(r"Executing task '([^']+)'")
_FINISHED = re.compile(r"Task '([^']+)' finished with status (SUCCESS|FAILURE)")
_CACHE_HIT = re.compile(r"Task (\S+) cache hit")
_UPSTREAM = re.compile(r"Skipping task (\S+): upstream task\(s\)")
_CONDITION = re.compile(r"Skipping conditional task (\S+) \(condition")

SCRIPT = """
import importlib.util, json, logging, sys
from kfp import components, local
path, name, args, root = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
cache = sys.argv[5] == "1"
logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=root,
           raise_on_error=True, enable_caching=cache)
if path.endswith((".yaml", ".yml")):
    target = components.load_component_from_file(path)
else:
    spec = importlib.util.spec_from_file_location("fixture", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    target = getattr(module, name)
try:
    target(**args)
except RuntimeError as exc:  # kfp.local's own report of the failure
    print(str(exc), file=sys.stderr)
    print("ORACLE-RESULT " + json.dumps({"ok": False, "error": str(exc)}), file=sys.stderr)
else:
    print("ORACLE-RESULT " + json.dumps({"ok": True}), file=sys.stderr)
"""


@dataclass(frozen=True)
class KfpReport:
    ok: bool
    tasks: dict[str, str]  # task -> success / failure / not run / skipped (a branch)
    attempts: dict[str, int] = field(default_factory=dict)  # tasks executed more than once
    cached: frozenset[str] = frozenset()


def raw_kfp(
    python: Path,
    target: Path,
    name: str = "",
    args: Mapping[str, Any] | None = None,
    *,
    root: Path,
    cache: bool = False,
    cwd: Path | None = None,
) -> KfpReport:
    done = subprocess.run(
        [
            *(str(python), "-c", SCRIPT, str(target), name),
            *(json.dumps(dict(args or {})), str(root), "1" if cache else "0"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )
    text = _ANSI.sub("", done.stdout + "\n" + done.stderr)
    results = [line for line in text.splitlines() if line.startswith("ORACLE-RESULT ")]
    assert results, f"raw kfp.local did not finish:\n{text[-3000:]}"
    return read_report(text.splitlines(), json.loads(results[-1].split(" ", 1)[1])["ok"])


def read_report(lines: Sequence[str], ok: bool) -> KfpReport:
    tasks: dict[str, str] = {}
    executed: Counter[str] = Counter()
    cached: set[str] = set()
    for line in lines:
        if m := _EXECUTING.search(line):
            executed[m.group(1)] += 1
        elif m := _FINISHED.search(line):
            tasks[m.group(1)] = "success" if m.group(2) == "SUCCESS" else "failure"
        elif m := _CACHE_HIT.search(line):
            tasks[m.group(1)] = "success"
            cached.add(m.group(1))
        elif m := _UPSTREAM.search(line):
            tasks[m.group(1)] = "not run"
        elif m := _CONDITION.search(line):
            tasks[m.group(1)] = "skipped"
    attempts = {task: n for task, n in executed.items() if n > 1}
    return KfpReport(ok, tasks, attempts, frozenset(cached))


def pipedeck_kfp_report(events: Sequence[Mapping[str, Any]], code: int) -> KfpReport:
    """The same report from pipedeck's events, by task name (the last part of a node id):
    tasks and the branches kfp.local reports; what it does not report is left out (the tasks
    inside a branch not taken, each attempt's own node)."""
    finished = [e for e in events if e["type"] == "node.finished"]
    by_id = {e["node_id"]: e for e in finished}
    tasks: dict[str, str] = {}
    attempts: Counter[str] = Counter()
    cached: set[str] = set()
    for e in finished:
        leaf = e["node_id"].rsplit("/", 1)[-1]
        parent = by_id.get(e["parent_id"])
        if e["kind"] == "attempt":
            attempts[str(parent["name"] if parent else leaf)] += 1
        elif e["kind"] == "task" and not (
            parent
            and parent["status"] in ("skipped", "not run")
            and e["status"] == parent["status"]
        ):
            tasks[leaf] = str(e["status"])
        elif e["kind"] == "group" and e["status"] == "skipped":
            tasks[leaf] = "skipped"
    hits = [e for e in events if e["type"] == "log" and e["text"].startswith("cache hit")]
    for e in hits:
        cached.add(e["node_id"].rsplit("/", 1)[-1])
    return KfpReport(
        code == 0, tasks, {k: n for k, n in attempts.items() if n > 1}, frozenset(cached)
    )
