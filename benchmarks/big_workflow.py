"""A 50 MB workflow file: `pipedeck run workflow --runner host --json` against raw act.

The file has one job that runs (`build`) and as many others as it takes to reach the size,
each with hundreds of steps (shape `keys`: each with an `env:` map, many small YAML nodes;
`scripts`: each with a long script, fewer larger ones; both by default); those jobs run only on
`workflow_dispatch`, so on `push` act reads the whole file, plans it and skips them (as a
real monorepo's generated workflow does). Raw act gets the command line pipedeck gave it.
Prints the median of paired runs (default 3) and the ratio. Usage:

    python benchmarks/big_workflow.py [--megabytes 50] [--runs 3]
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

HEAD = """\
name: big
on: [push, workflow_dispatch]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "the one job that runs on push"
"""


def job(index: int, shape: str) -> str:
    """A generated job: ``keys`` has many small YAML nodes per step (an ``env:`` map),
    ``scripts`` fewer, longer ones (a long ``run:`` script per step)."""
    steps, keys, script_lines = (500, 12, 2) if shape == "keys" else (500, 0, 12)
    lines = [
        f"  job{index}:",
        f"    name: generated job {index}",
        "    if: github.event_name == 'workflow_dispatch'",
        "    runs-on: ubuntu-latest",
        "    steps:",
    ]
    for step in range(steps):
        lines.append(f"      - name: step {step} of job {index}")
        if keys:
            lines.append("        env:")
            lines += [f"          KEY_{k}: value-{k}-{step}" for k in range(keys)]
        lines.append("        run: |")
        lines.append(f'          echo "job {index} step {step}"')
        lines += [
            f"          ./scripts/check.sh --fast --part {n} {'x' * 60}"
            for n in range(script_lines)
        ]
    return "\n".join(lines) + "\n"


def make_project(root: Path, megabytes: int, shape: str) -> Path:
    parts, size, index = [HEAD], len(HEAD), 0
    while size < megabytes * 1024 * 1024:
        part = job(index, shape)
        parts.append(part)
        size += len(part)
        index += 1
    return workflow_project(root / "project", "big.yml", "".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shape", choices=("keys", "scripts", "both"), default="both")
    args = parser.parse_args()
    for shape in ("keys", "scripts") if args.shape == "both" else (args.shape,):
        measure(args.megabytes, args.runs, shape)


def measure(megabytes: int, runs: int, shape: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        project = make_project(root, megabytes, shape)
        size = (project / ".github" / "workflows" / "big.yml").stat().st_size
        env = {**os.environ, "XDG_STATE_HOME": str(root / "state")}
        pipedeck = pipedeck_command("run", "workflow", "--runner", "host", "--json")
        first = subprocess.run(
            pipedeck, cwd=project, env=env, capture_output=True, text=True, check=True
        )
        act_argv = json.loads(first.stdout.splitlines()[0])["argv"]
        act_argv[act_argv.index("--artifact-server-path") + 1] = str(root / "raw-artifacts")
        pd_times, act_times = [], []
        for _ in range(runs):
            act_times.append(timed(act_argv, project, env))
            pd_times.append(timed(pipedeck, project, env))
    pd, act = statistics.median(pd_times), statistics.median(act_times)
    print(f"workflow: {size / 1e6:.1f} MB of {shape}, {runs} paired runs (host mode, --json)")
    print(f"raw act          median {act:7.2f} s")
    print(f"pipedeck         median {pd:7.2f} s")
    print(f"ratio            {pd / act:.2f}x  (target <= 2x)")


if __name__ == "__main__":
    main()
