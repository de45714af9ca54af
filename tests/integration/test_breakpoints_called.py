"""Breakpoints in the steps of a local reusable workflow the run's workflow calls, with the
real act (host mode): `--break CALLER/JOB/STEP` pauses there, `--break-on-failure` pauses at a
failing step in it, and the nodes are those of a run without breakpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BackgroundRun, run_cli, workflow_file_project

CALLER = """\
name: ci
on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo after
"""

CALLED = """\
name: called
on: workflow_call
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
      - name: second
        run: echo two
      - run: test -f marker && echo "marker found"
"""


def project(tmp_path: Path) -> Path:
    root = workflow_file_project(tmp_path, CALLER)
    (root / ".github" / "workflows" / "called.yml").write_text(CALLED)
    return root


@pytest.fixture
def running(background):
    def start(root: Path, *args: str) -> BackgroundRun:
        argv = ["run", "workflow", "ci.yml", "--runner", "host", "--json"]
        return background(root, *argv, *args)

    return start


def nodes(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["node_id"], e["name"]) for e in events if e["type"] == "node.started"]


def test_a_breakpoint_in_a_called_workflow_pauses_there(tmp_path, running) -> None:
    root = project(tmp_path)
    run = running(root, "--break", "call/inner/3")
    paused = run.until("node.paused")
    assert paused["node_id"] == "call/called/inner/2" and paused["reason"] == "breakpoint"
    assert run_cli("shell", "last", "--", "touch", "marker", cwd=root).code == 0
    assert run_cli("continue", "last", cwd=root).code == 0
    assert run.finish() == 0
    ended = {e["node_id"]: e["status"] for e in run.events if e["type"] == "node.finished"}
    assert ended["call/called/inner/2"] == "success" and ended["after"] == "success"
    plain = run_cli("run", "workflow", "ci.yml", "--runner", "host", "--json", cwd=root)
    assert plain.code == 1  # no marker in a fresh run: the third step fails
    inside = [n for n in nodes(run.events) if n[0].startswith("call/")]
    assert inside == [n for n in nodes(plain.events) if n[0].startswith("call/")]  # the same
    called = root / ".github" / "workflows" / "called.yml"
    assert called.read_text() == CALLED  # never touched


def test_break_on_failure_reaches_into_the_called_workflow(tmp_path, running) -> None:
    root = project(tmp_path)
    run = running(root, "--break-on-failure")
    paused = run.until("node.paused")
    assert paused["node_id"] == "call/called/inner/2" and paused["reason"] == "failure"
    assert run_cli("shell", "last", "--", "touch", "marker", cwd=root).code == 0
    assert run_cli("retry", "last", cwd=root).code == 0
    assert run.finish() == 0


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("call/2", "job call calls called.yml; name a step of one of its jobs: call/JOB/STEP"),
        ("call/nope/2", "expected call/JOB/STEP with a job of called.yml (inner)"),
        ("call/inner/9", "no step '9' in job inner"),
    ],
)
def test_a_break_that_names_nothing_in_the_called_workflow_is_one_line(
    tmp_path, spec: str, says: str
) -> None:
    root = project(tmp_path)
    result = run_cli("run", "workflow", "ci.yml", "--runner", "host", "--break", spec, cwd=root)
    assert result.code == 2
    assert result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
