"""``pipedeck logs``: the stored lines streamed from the store, ``--tail`` through the line
index, ``--follow`` while a real act run goes on."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import run_cli, workflow_file_project

TICKS = 30
WORKFLOW = f"""\
name: ticks
on: push
jobs:
  tick:
    runs-on: ubuntu-latest
    steps:
      - name: count
        run: |
          for i in $(seq 1 {TICKS}); do echo "tick $i"; sleep 0.1; done
      - name: after
        run: echo "all done"
"""


def ticks_project(tmp_path: Path) -> Path:
    return workflow_file_project(tmp_path, WORKFLOW, "ticks.yml")


def test_tail_is_the_end_of_the_whole_log(tmp_path: Path) -> None:
    project = ticks_project(tmp_path)
    assert run_cli("run", "workflow", "--runner", "host", cwd=project).code == 0
    everything = run_cli("logs", "last").stdout.splitlines()
    assert "[tick › count] tick 1" in everything and "[tick › after] all done" in everything
    for count in (0, 1, 5, len(everything), len(everything) + 10):
        tail = run_cli("logs", "last", "--tail", str(count))
        assert tail.code == 0, tail.stderr
        assert (
            tail.stdout.splitlines() == everything[len(everything) - min(count, len(everything)) :]
        )
    node = run_cli("logs", "last", "--node", "count", "-n", "3").stdout.splitlines()
    assert node == [f"[tick › count] tick {i}" for i in range(TICKS - 2, TICKS + 1)]


def test_follow_prints_a_running_run_to_its_end(tmp_path: Path) -> None:
    project = ticks_project(tmp_path)
    run = subprocess.Popen(
        [sys.executable, "-m", "tui", "run", "workflow", "--runner", "host", "--json"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert run.stdout is not None
        for line in run.stdout:  # the first tick is stored: the run is under way
            if b"tick 1" in line:
                break
        follow = run_cli("logs", "last", "--follow", timeout=120)
        run.wait(timeout=120)
    finally:
        run.kill()
    assert follow.code == 0, follow.stderr
    lines = follow.stdout.splitlines()
    ticks = [line for line in lines if line.startswith("[tick › count] tick ")]
    assert ticks == [f"[tick › count] tick {i}" for i in range(1, TICKS + 1)]
    assert "[tick › after] all done" in lines  # it followed the run to its last step
    assert run_cli("logs", "last").stdout.splitlines() == lines


def test_follow_of_a_finished_run_is_its_log(tmp_path: Path) -> None:
    project = ticks_project(tmp_path)
    assert run_cli("run", "workflow", "--runner", "host", cwd=project).code == 0
    start = time.monotonic()
    follow = run_cli("logs", "last", "-f")
    assert follow.code == 0 and time.monotonic() - start < 30
    assert follow.stdout == run_cli("logs", "last").stdout
