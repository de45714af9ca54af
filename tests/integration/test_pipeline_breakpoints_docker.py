"""Breakpoints in pipeline runs with the real kfp.local in docker mode (``--runner docker``): a
task that fails pauses with its container kept alive, `pipedeck shell` runs in that container
where `./run-task` reproduces the failure, a fix to the component's source and `retry` make the
run succeed; `--break TASK` pauses before it in its container; `skip` marks it failed; the
run's containers are gone when it ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BackgroundRun, run_cli
from tests.integration.test_pipeline_breakpoints import PIPELINE, project, statuses
from tests.integration.test_pipeline_docker import (  # noqa: F401  (fixtures)
    containers_of,
    docker_env,
    driver_envs,
)

pytestmark = pytest.mark.docker

FIXED = PIPELINE.replace("return a / b", "return a / b if b else 0.0")


@pytest.fixture
def running(background):
    def start(root: Path, *args: str) -> BackgroundRun:
        argv = ["run", "pipeline", "calc.py", "--json", "--no-cache", "--runner", "docker"]
        return background(root, *argv, *args)

    return start


def logs(run: BackgroundRun, node_id: str) -> list[str]:
    return [e["text"] for e in run.events if e["type"] == "log" and e["node_id"] == node_id]


def test_a_failing_task_pauses_in_its_container_run_task_reproduces_it_fix_and_retry(
    tmp_path, running
) -> None:
    root = project(tmp_path)
    run = running(root, "--break-on-failure")
    paused = run.until("node.paused")
    run_id = run.events[0]["run_id"]
    assert run.events[0]["mode"] == "docker"
    # no post-mortem in docker mode: an ordinary failure pause
    assert paused["node_id"] == "divide" and paused["reason"] == "failure"
    assert "./run-task" in paused["detail"] and f"pipedeck retry {run_id}" in paused["detail"]
    assert "report" not in statuses(run.events)  # nothing downstream ran
    assert containers_of(run_id), "the failed task's container is kept for the pause"
    again = run_cli("shell", "last", "--", "./run-task", cwd=root)
    assert again.code != 0
    assert "ZeroDivisionError" in again.stdout + again.stderr
    where = run_cli(
        "shell",
        "last",
        "--",
        "sh",
        "-c",
        'test -f /.dockerenv && echo in-container; ls; echo "b=$INPUT_B"; '
        'echo "path=$PATH"; echo "xdg=${XDG_STATE_HOME-unset}"',
        cwd=root,
    )
    assert where.code == 0, where.stderr
    out = where.stdout.splitlines()
    assert "in-container" in out
    assert {"executor_input.json", "run-task"} <= set(out)
    assert "b=0.0" in out  # the task's input parameters, in its environment
    assert any(line.startswith("path=/opt/pipedeck/venv/bin") for line in out)  # the image's
    assert "xdg=unset" in out  # the container's environment, not this machine's
    (root / "calc.py").write_text(FIXED)
    assert run_cli("retry", "last", cwd=root).code == 0
    assert run.finish() == 0
    # the pause in the task's log, as in subprocess mode
    assert any(text.startswith("⏸ paused, failed (exit 1)") for text in logs(run, "divide"))
    resumed = [e["action"] for e in run.events if e["type"] == "node.resumed"]
    assert resumed == ["retry"]
    done = statuses(run.events)
    assert done["divide"] == "success" and done["report"] == "success"
    assert any(
        "retrying divide with its source as calc.py has it now" in t for t in logs(run, "divide")
    )
    assert any("result 0.0" in text for text in logs(run, "report"))  # the fixed output
    assert containers_of(run_id) == []


def test_break_before_a_task_shell_in_its_container_then_continue(tmp_path, running) -> None:
    root = project(tmp_path)
    run = running(root, "--break", "divide", "--param", "b=2")
    paused = run.until("node.paused")
    run_id = run.events[0]["run_id"]
    assert paused["node_id"] == "divide" and paused["reason"] == "breakpoint"
    assert not [t for t in logs(run, "divide") if "result" in t]  # it has not run
    assert (
        run_cli("shell", "last", "--", "touch", "marker", "/tmp/outside-the-mount", cwd=root).code
        == 0
    )
    # the same container each time: a change outside the pause's folder stays
    assert run_cli("shell", "last", "--", "test", "-f", "marker", cwd=root).code == 0
    assert (
        run_cli("shell", "last", "--", "test", "-f", "/tmp/outside-the-mount", cwd=root).code == 0
    )
    assert run_cli("shell", "last", "--", "test", "-f", "/tmp/never-made", cwd=root).code != 0
    assert run_cli("retry", "last", cwd=root).code == 2  # not after a failure
    assert run_cli("continue", "last", cwd=root).code == 0
    assert run.finish() == 0
    assert [e["action"] for e in run.events if e["type"] == "node.resumed"] == ["continue"]
    done = statuses(run.events)
    assert done["divide"] == "success" and done["report"] == "success"
    assert any("result 0.5" in text for text in logs(run, "report"))
    assert containers_of(run_id) == []


def test_skip_at_a_failure_pause_marks_it_failed_and_leaves_no_container(tmp_path, running) -> None:
    root = project(tmp_path)
    run = running(root, "--break-on-failure")
    run.until("node.paused")
    run_id = run.events[0]["run_id"]
    assert containers_of(run_id)
    assert run_cli("skip", "last", cwd=root).code == 0
    assert run.finish() == 1
    done = statuses(run.events)
    assert done["divide"] == "failure" and done.get("report", "not run") == "not run"
    assert containers_of(run_id) == []
