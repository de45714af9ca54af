"""Overhead of `pipedeck run workflow --runner host --json` over raw act on the same workflow.

Runs both, alternating, N times (default 7) and prints the median wall time of each, the
difference (the constant cost of a run) and their ratio, for two workflows: the `chain.yml`
fixture (a quick one: the cost shows whole) and a ~3 s one (three jobs that each wait one
second: the cost against a real run). Raw act gets the command line pipedeck gave it. Usage:

    python benchmarks/act_overhead.py [--runs N] [--workflow chain|three-seconds|both]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from projects import pipedeck_command, timed, workflow_project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "workflows"


THREE_SECONDS = """\
name: three-seconds
on: push
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 1 && echo first
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: sleep 1 && echo second
  third:
    needs: second
    runs-on: ubuntu-latest
    steps:
      - run: sleep 1 && echo third
"""


def make_project(root: Path, name: str) -> Path:
    text = THREE_SECONDS if name == "three-seconds" else (FIXTURES / f"{name}.yml").read_text()
    return workflow_project(root / name, f"{name}.yml", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workflow", default="both")
    args = parser.parse_args()
    names = ("chain", "three-seconds") if args.workflow == "both" else (args.workflow,)
    for name in names:
        measure(name, args.runs)


def measure(name: str, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        project = make_project(root, name)
        env = {**os.environ, "XDG_STATE_HOME": str(root / "state")}
        pipedeck = pipedeck_command("run", "workflow", "--runner", "host", "--json")
        first = subprocess.run(
            pipedeck, cwd=project, env=env, capture_output=True, text=True, check=True
        )
        act_argv = json.loads(first.stdout.splitlines()[0])["argv"]
        act_argv[act_argv.index("--artifact-server-path") + 1] = str(root / "raw-artifacts")
        pd_times, act_times = [], []
        for _ in range(runs):
            pd_times.append(timed(pipedeck, project, env))
            act_times.append(timed(act_argv, project, env))
    pd, act = statistics.median(pd_times), statistics.median(act_times)
    print(f"workflow: {name}.yml, {runs} paired runs (host mode)")
    print(f"raw act          median {act * 1000:8.1f} ms")
    print(f"pipedeck         median {pd * 1000:8.1f} ms")
    print(f"overhead ratio   {pd / act:.2f}x  (+{(pd - act) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
