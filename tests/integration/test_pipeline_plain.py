"""pipedeck reports the same outcome per task as plain kfp.local on the same pipeline, and a
cancelled run leaves no process behind."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest

from tests.conftest import FIXTURES, REPO, read_events_until, start_cli
from tests.integration.test_pipeline_runs import (  # noqa: F401  (session fixtures)
    component_envs,
    run,
    use_component_envs,
)
from tui.core.pipelines.spec import load_spec

PIPELINES = FIXTURES / "pipelines"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TASK_STATUS = re.compile(r"Task '([^']+)' finished with status (SUCCESS|FAILURE)")

PLAIN = """
import importlib.util, sys
from kfp import local
spec = importlib.util.spec_from_file_location("fixture", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=sys.argv[3],
           raise_on_error=False)
getattr(module, sys.argv[2])()
"""


def plain_kfp_local(file: str, func: str, root: Path) -> Counter[tuple[str, str]]:
    """(component, status) of every task plain kfp.local ran.

    Successes are counted from the ``executor_output.json`` each successful task leaves in
    the pipeline root, not from kfp.local's log: concurrent ParallelFor iterations race on the
    root logger's handlers there, and a "finished with status" line can go missing. Failures
    come from the log (no fixture fails inside a ParallelFor).
    """
    done = subprocess.run(
        [sys.executable, "-c", PLAIN, str(PIPELINES / file), func, str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = ANSI.sub("", done.stdout + done.stderr)
    found = Counter((p.parent.name, "success") for p in root.rglob("executor_output.json"))
    for name, status in TASK_STATUS.findall(text):
        if status == "FAILURE":
            found[(name, "failure")] += 1
    return found


NEVER_RAN = ("skipped", "not run")  # a branch not taken; upstream failed


def pipedeck_statuses(file: str, func: str, state_dir: Path) -> Counter[tuple[str, str]]:
    result = run(f"{file}:{func}", "--no-cache")
    events = result.events
    run_id = events[0]["run_id"]
    spec = load_spec(state_dir / "pipedeck" / "runs" / run_id / "pipeline.yaml")
    component = {node.id: node.component.removeprefix("comp-") for node in spec.nodes()}
    out: Counter[tuple[str, str]] = Counter()
    for e in events:
        if e["type"] == "node.finished" and e["kind"] == "task" and e["status"] not in NEVER_RAN:
            plan_id = "/".join(p for p in e["node_id"].split("/") if not p.startswith("iteration-"))
            out[(component[plan_id], e["status"])] += 1
    return out


@pytest.mark.parametrize(
    ("file", "func"),
    [
        ("simple.py", "simple"),
        ("metrics.py", "metrics_pipeline"),
        ("parallel.py", "parallel"),
        ("branches.py", "branches"),
        ("failing.py", "failing"),
        ("exit_handler.py", "exit_handler"),
        ("nested.py", "outer"),
    ],
)
def test_same_status_per_task_as_plain_kfp_local(
    file: str, func: str, state_dir: Path, tmp_path: Path
) -> None:
    plain = plain_kfp_local(file, func, tmp_path / "plain-root")
    assert plain, "plain kfp.local ran no task"
    assert pipedeck_statuses(file, func, state_dir) == plain


def test_cancel_stops_the_driver_and_its_tasks(state_dir: Path) -> None:
    proc = start_cli("run", "pipeline", "slow.py", "--json", "--no-cache", cwd=PIPELINES)
    events = read_events_until(proc, "started waiting")
    run_id = events[0]["run_id"]
    run_dir = state_dir / "pipedeck" / "runs" / run_id

    def leftovers() -> list[psutil.Process]:
        found = []
        for p in psutil.process_iter(["cmdline"]):
            cmdline = " ".join(p.info["cmdline"] or [])
            if str(run_dir) in cmdline or ("wait_long" in cmdline and str(REPO) not in cmdline):
                found.append(p)
        return found

    assert leftovers(), "the driver should be running"
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    assert time.monotonic() - started < 20
    events += [json.loads(line) for line in rest.splitlines() if line.strip()]
    assert proc.returncode == 130
    end = events[-1]
    assert end["type"] == "run.finished" and end["status"] == "cancelled"
    task = [e for e in events if e["type"] == "node.finished" and e["node_id"] == "wait-long"]
    assert task and task[-1]["status"] == "cancelled"
    deadline = time.monotonic() + 5
    while leftovers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not leftovers()
