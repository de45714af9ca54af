"""A workflow file too big to parse whole before act starts (over ``plan.SKIM_BYTES``): the
run reads only what it needs, and reports what raw act reports on the same file."""

from __future__ import annotations

from pathlib import Path

from tests.act_oracle import pipedeck_report, raw_act, raw_argv, started_argv
from tests.conftest import log_lines, run_cli, workflow_file_project
from tui.core.workflows.plan import SKIM_BYTES

HEAD = """\
name: big
on: [push, workflow_dispatch]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: greet
        run: echo "the one job that runs on push"
  after:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "after build"
"""


def generated(index: int) -> str:
    steps = "".join(
        f"      - name: step {s}\n        run: |\n          echo {s} {'x' * 100}\n"
        for s in range(50)
    )
    return (
        f"  job{index}:\n    if: github.event_name == 'workflow_dispatch'\n"
        f"    runs-on: ubuntu-latest\n    steps:\n{steps}"
    )


def test_a_huge_workflow_runs_as_act_runs_it(tmp_path: Path) -> None:
    parts, size, i = [HEAD], len(HEAD), 0
    while size <= SKIM_BYTES:
        parts.append(generated(i))
        size += len(parts[-1])
        i += 1
    project = workflow_file_project(tmp_path, "".join(parts), "big.yml")
    result = run_cli("run", "workflow", "--runner", "host", "--json", cwd=project, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    mine = pipedeck_report(result.events, result.code)
    theirs = raw_act(raw_argv(started_argv(result.events), tmp_path), project, "big")
    assert mine == theirs
    assert mine.code == 0 and mine.jobs["build"] == "success" and mine.jobs["after"] == "success"
    assert mine.jobs["job0"] == "skipped"
    system = log_lines(result.events, lambda e: e["stream"] == "system")
    assert any("skipped its own checks; act decides" in line for line in system)
