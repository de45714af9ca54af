"""Breakpoints with the real act (host mode): pause before a step or after a failing one, act
from another process (`shell`, `continue`, `retry`, `skip`), and the run goes on as act runs
it; without breakpoints nothing of this is there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BackgroundRun, run_cli, workflow_file_project
from tui.core.store import RunStore

MARKER = """\
name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
      - name: second
        run: |
          echo two
      - run: test -f marker && echo "marker found"
"""

FIX = """\
name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
      - run: test -f fixed
      - run: echo after
"""


TWO_JOBS = """\
name: two
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo a
  b:
    runs-on: ubuntu-latest
    steps:
      - run: echo b
"""


def project(tmp_path: Path, text: str) -> Path:
    return workflow_file_project(tmp_path, text)


@pytest.fixture
def running(background):
    def start(root: Path, *args: str, mode: str = "host") -> BackgroundRun:
        return background(root, "run", "workflow", "--runner", mode, "--json", *args)

    return start


def statuses(events: list[dict]) -> dict[str, str]:
    return {e["node_id"]: e["status"] for e in events if e["type"] == "node.finished"}


def test_a_breakpoint_pauses_before_the_step_and_a_shell_works_where_it_runs(
    tmp_path, running
) -> None:
    root = project(tmp_path, MARKER)
    run = running(root, "--break", "build/2")
    paused = run.until("node.paused")
    assert paused["node_id"] == "build/1" and paused["reason"] == "breakpoint"
    assert "pipedeck continue" in paused["detail"]
    assert "build/2" not in statuses(run.events)  # nothing after the breakpoint ran
    shell = run_cli("shell", "last", "--", "touch", "marker", cwd=root)
    assert shell.code == 0, shell.stderr
    assert not (root / "marker").exists()  # it ran in the job's folder, not the user's
    assert run_cli("continue", "last", cwd=root).code == 0
    assert run.finish() == 0
    done = statuses(run.events)
    assert done["build/1"] == "success" and done["build/2"] == "success"
    names = {e["node_id"]: e["name"] for e in run.events if e["type"] == "node.started"}
    assert names["build/0"] == "echo one" and names["build/1"] == "second"  # as act shows them
    assert names["build/2"] == 'test -f marker && echo "marker found"'
    resumed = [e for e in run.events if e["type"] == "node.resumed"]
    assert [(e["node_id"], e["action"]) for e in resumed] == [("build/1", "continue")]
    stored = [e.type for e in RunStore().get("last").events()]
    assert "node.paused" in stored and "node.resumed" in stored  # a replay shows the pause
    assert (root / ".github" / "workflows" / "ci.yml").read_text() == MARKER  # never touched


def test_break_on_failure_then_fix_and_retry_succeeds(tmp_path, running) -> None:
    root = project(tmp_path, FIX)
    run = running(root, "--break-on-failure")
    paused = run.until("node.paused")
    assert paused["node_id"] == "build/1" and paused["reason"] == "failure"
    assert paused["exit_code"] == 1
    assert "build/2" not in statuses(run.events)
    assert run_cli("shell", "last", "--", "touch", "fixed", cwd=root).code == 0
    assert run_cli("retry", "last", cwd=root).code == 0
    assert run.finish() == 0
    done = statuses(run.events)
    assert done["build/1"] == "success" and done["build/2"] == "success"
    assert done["build"] == "success"


def test_a_pause_under_a_timeout_says_act_ends_it_then(tmp_path, running) -> None:
    root = project(tmp_path, FIX.replace("    runs-on:", "    timeout-minutes: 7\n    runs-on:"))
    run = running(root, "--break-on-failure")
    paused = run.until("node.paused")
    assert "act ends it when job build's timeout-minutes (7) runs out" in paused["detail"]
    assert run_cli("continue", "last", cwd=root).code == 0
    assert run.finish() == 1


def test_retry_in_host_mode_takes_the_fix_made_in_the_project(tmp_path, running) -> None:
    root = project(tmp_path, FIX)
    run = running(root, "--break-on-failure")
    run.until("node.paused")
    (root / "fixed").write_text("made in the project, not in act's copy\n")
    retry = run_cli("retry", "last", cwd=root)
    assert retry.code == 0, retry.stderr
    assert "copied into the job's working copy: fixed" in retry.stdout
    assert run.finish() == 0
    assert statuses(run.events)["build/1"] == "success"


def test_in_a_terminal_the_keys_answer_on_a_prompt_line(tmp_path) -> None:
    """`c` on the prompt line under the live tree goes on from a breakpoint."""
    import os
    import select
    import time

    root = project(tmp_path, MARKER.replace("test -f marker && ", ""))
    master, slave = os.openpty()
    argv = [
        sys.executable,
        "-m",
        "tui",
        "run",
        "workflow",
        "--runner",
        "host",
        "--break",
        "build/2",
    ]
    # a CI machine sets CI, which turns the live view (and so the prompt) off: a user's
    # terminal does not
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(COLUMNS="150", LINES="40", TERM="xterm")
    proc = subprocess.Popen(argv, cwd=root, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    seen = b""

    def read_until(text: bytes, timeout: float = 60) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while text not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
        assert text in seen, seen.decode(errors="replace")[-3000:]

    try:
        read_until("(breakpoint) — c continue".encode())
        os.write(master, b"c")
        read_until("✓ run success".encode())
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:  # it failed midway: stop the run as Ctrl-C does
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        os.close(master)


@pytest.mark.docker
def test_in_docker_mode_the_shell_is_in_the_job_container(tmp_path, running, runner_image) -> None:
    root = project(tmp_path, FIX)
    run = running(root, "--break-on-failure", mode="docker")
    assert run.until("node.paused")["reason"] == "failure"
    shell = run_cli(
        "shell", "last", "--", "sh", "-c", "touch fixed && test -f /.dockerenv", cwd=root
    )
    assert shell.code == 0, shell.stderr
    assert not (root / "fixed").exists()  # in the container's copy, not the user's
    assert run_cli("retry", "last", cwd=root).code == 0
    assert run.finish() == 0
    assert statuses(run.events)["build/1"] == "success"


def test_several_paused_nodes_need_one_named(tmp_path, running) -> None:
    root = project(tmp_path, TWO_JOBS)
    run = running(root, "--break", "a/1", "--break", "b/1")
    first = run.until("node.paused")["node_id"]
    second = run.until("node.paused")["node_id"]
    assert {first, second} == {"a/0", "b/0"}
    both = run_cli("continue", "last", cwd=root)
    assert both.code == 2 and "several paused nodes" in both.stderr
    assert "a/0" in both.stderr and "b/0" in both.stderr
    assert run_cli("continue", "last", "a/0", cwd=root).code == 0
    assert run_cli("continue", "last", "b/0", cwd=root).code == 0
    assert run.finish() == 0


def test_skip_at_a_failure_is_reported_skipped_and_the_job_goes_on(tmp_path, running) -> None:
    root = project(tmp_path, FIX)
    run = running(root, "--break-on-failure")
    run.until("node.paused")
    assert run_cli("skip", "last", cwd=root).code == 0
    assert run.finish() == 0
    done = statuses(run.events)
    assert done["build/1"] == "skipped" and done["build/2"] == "success"


def test_continue_at_a_failure_lets_it_fail(tmp_path, running) -> None:
    root = project(tmp_path, FIX)
    run = running(root, "--break-on-failure")
    run.until("node.paused")
    assert run_cli("continue", "last", cwd=root).code == 0
    assert run.finish() == 1
    assert statuses(run.events)["build/1"] == "failure"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--break", "ghost/1"], "--break ghost/1: expected JOB/STEP with a job of ci.yml"),
        (["--break", "build/9"], "--break build/9: no step '9' in job build"),
        (["--break", "build"], "--break build: expected JOB/STEP"),
    ],
)
def test_a_breakpoint_that_names_nothing_is_one_line_exit_2(tmp_path, args, fragment) -> None:
    root = project(tmp_path, MARKER)
    result = run_cli("run", "workflow", "--runner", "host", *args, cwd=root)
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [f"pipedeck: {result.stderr.strip()[10:]}"]
    assert fragment in result.stderr
    assert RunStore().list() == []  # nothing stored


def test_commands_on_a_run_that_is_not_paused_say_so(tmp_path) -> None:
    root = project(tmp_path, MARKER)
    assert run_cli("run", "workflow", "--runner", "host", cwd=root).code == 1  # no marker
    for command in ("continue", "retry", "skip", "shell"):
        result = run_cli(command, "last", cwd=root)
        assert result.code == 2 and "is not paused" in result.stderr, (command, result.stderr)
    stop = run_cli("stop", "last", cwd=root)
    assert stop.code == 2 and "is not running" in stop.stderr


def test_without_breakpoints_act_gets_the_users_file(tmp_path) -> None:
    root = project(tmp_path, MARKER)
    result = run_cli("run", "workflow", "--runner", "host", "--json", cwd=root)
    started = next(e for e in result.events if e["type"] == "run.started")
    argv = started["argv"]
    assert argv[argv.index("-W") + 1] == ".github/workflows/ci.yml"
    assert not any(e["type"].startswith("node.p") for e in result.events)
