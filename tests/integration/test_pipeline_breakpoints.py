"""Breakpoints in pipeline runs with the real kfp.local (subprocess mode): a task that raises
pauses, `./run-task` in the shell reproduces it, a fix to the component's source and `retry`
make the run succeed with what is downstream; `--break TASK` pauses before it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BackgroundRun, run_cli
from tests.integration.test_pipeline_runs import (  # noqa: F401  (session fixtures)
    component_envs,
    use_component_envs,
)

PIPELINE = """\
from kfp import dsl


@dsl.component
def divide(a: float, b: float) -> float:
    return a / b


@dsl.component
def report(value: float):
    print(f"result {value}")


@dsl.pipeline
def calc(a: float = 1.0, b: float = 0.0):
    out = divide(a=a, b=b)
    report(value=out.output)
"""


@pytest.fixture
def running(background):
    def start(root: Path, *args: str) -> BackgroundRun:
        argv = ["run", "pipeline", "calc.py", "--json", "--no-cache", "--runner", "subprocess"]
        return background(root, *argv, *args)

    return start


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "calc.py").write_text(PIPELINE)
    return root


def statuses(events: list[dict]) -> dict[str, str]:
    return {e["node_id"]: e["status"] for e in events if e["type"] == "node.finished"}


def test_a_failing_task_pauses_run_task_reproduces_it_a_fix_and_retry_succeed(
    tmp_path, running
) -> None:
    root = project(tmp_path)
    run = running(root, "--break-on-failure")
    paused = run.until("node.paused")
    assert paused["node_id"] == "divide" and paused["reason"] == "exception"
    assert "report" not in statuses(run.events)  # nothing downstream ran
    shell = run_cli("shell", "last", "--", "sh", "-c", "./run-task; echo b=$INPUT_B", cwd=root)
    assert "ZeroDivisionError" in shell.stdout + shell.stderr
    assert "b=0.0" in shell.stdout  # the task's input parameters, in its environment
    (root / "calc.py").write_text(PIPELINE.replace("return a / b", "return a / b if b else a"))
    assert run_cli("retry", "last", cwd=root).code == 0
    assert run.finish() == 0
    done = statuses(run.events)
    assert done["divide"] == "success" and done["report"] == "success"
    logs = [e["text"] for e in run.events if e["type"] == "log" and e["node_id"] == "report"]
    assert any("result 1.0" in text for text in logs)  # downstream got the fixed output


def test_a_python_task_that_raises_stops_there_and_debug_is_pdb_at_that_frame(
    tmp_path, running
) -> None:
    root = project(tmp_path)
    run = running(root, "--break-on-failure")
    assert run.until("node.paused")["reason"] == "exception"
    debug = subprocess.run(
        [sys.executable, "-m", "tui", "debug", "last"],
        cwd=root,
        input="p a, b\nq\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert debug.returncode == 0, debug.stderr
    assert "-> return a / b" in debug.stdout and "(1.0, 0.0)" in debug.stdout
    (root / "calc.py").write_text(PIPELINE.replace("return a / b", "return a / b if b else a"))
    assert run_cli("retry", "last", cwd=root).code == 0  # the same pause: no second one
    assert run.finish() == 0
    assert [e["reason"] for e in run.events if e["type"] == "node.paused"] == ["exception"]
    assert statuses(run.events)["report"] == "success"


def test_break_before_a_task_then_continue(tmp_path, running) -> None:
    root = project(tmp_path)
    run = running(root, "--break", "divide", "--param", "b=2")
    paused = run.until("node.paused")
    assert paused["node_id"] == "divide" and paused["reason"] == "breakpoint"
    assert run_cli("retry", "last", cwd=root).code == 2  # not after a failure
    assert run_cli("debug", "last", cwd=root).code == 2  # it raised nothing
    assert run_cli("continue", "last", cwd=root).code == 0
    assert run.finish() == 0
    assert statuses(run.events)["report"] == "success"


def test_skip_at_a_task_marks_it_failed(tmp_path, running) -> None:
    root = project(tmp_path)
    run = running(root, "--break-on-failure")
    run.until("node.paused")
    assert run_cli("skip", "last", cwd=root).code == 0
    assert run.finish() == 1
    done = statuses(run.events)
    assert done["divide"] == "failure" and done.get("report", "not run") == "not run"


def test_a_break_on_a_task_that_is_not_there_is_one_line_exit_2(tmp_path) -> None:
    root = project(tmp_path)
    result = run_cli(
        "run", "pipeline", "calc.py", "--runner", "subprocess", "--break", "nope", cwd=root
    )
    assert result.code == 2
    assert "--break nope: no such task (tasks: divide, report)" in result.stderr
