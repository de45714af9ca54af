"""The sample workflow's install step (`pip install -r requirements.txt`) on a first and a
second run, with pipedeck's caches fresh before the first.

Copies `sample_project/` into a new git repository, gives pipedeck a new state dir (so the
shared pip download cache and the actions/cache entries start empty) and a local S3 server
on a free port (the workflow uploads its model), and runs `pipedeck run workflow --runner
host --offline --json` twice, as a user without GitHub gets the stand-ins.
Prints each run's install-step time (from its `node.finished` event) and the whole run's,
the ratio second/first (the target: <= 25%), and what the shared pip cache held after the
first run. `--rounds N` repeats the pair with fresh caches and prints medians. Usage:

    python benchmarks/install_cache.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from projects import GIT_ENV, REPO, pipedeck_command

INSTALL_STEP = "Install requirements"


def sample_copy(root: Path) -> Path:
    project = root / "sample"
    shutil.copytree(
        REPO / "sample_project", project, ignore=shutil.ignore_patterns("__pycache__", "*.pkl")
    )
    env = {**os.environ, **GIT_ENV}
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "s"]):
        subprocess.run(argv, cwd=project, env=env, check=True, capture_output=True)
    return project


def one_run(project: Path, env: dict[str, str]) -> tuple[float, float]:
    """The install step's duration and the run's wall time, in seconds."""
    argv = pipedeck_command("run", "workflow", "--runner", "host", "--offline", "--json")
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0:
        tail = [e.get("text", "") for e in events if e["type"] == "log"][-20:]
        raise SystemExit(f"the run failed ({done.returncode}):\n" + "\n".join(tail) + done.stderr)
    names = {e["node_id"]: e["name"] for e in events if e["type"] == "node.started"}
    steps = [
        e["duration"]
        for e in events
        if e["type"] == "node.finished" and names.get(e["node_id"]) == INSTALL_STEP
    ]
    if len(steps) != 1:
        raise SystemExit(f"expected one {INSTALL_STEP!r} step, found {len(steps)}")
    return float(steps[0]), wall


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return len(files), sum(p.stat().st_size for p in files)


def one_round() -> tuple[float, float, float, float, tuple[int, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        project = sample_copy(root)
        env = {**os.environ, "XDG_STATE_HOME": str(root / "state")}
        env.pop("CI", None)
        for name in [n for n in env if n.startswith("PIPEDECK_")]:
            env.pop(name)
        env["PIPEDECK_S3_PORT"] = str(free_port())  # the workflow's `aws s3 cp` needs it
        up = pipedeck_command("up", "--no-build")
        subprocess.run(up, cwd=project, env=env, check=True, capture_output=True)
        try:
            first, first_wall = one_run(project, env)
            held = folder_size(root / "state" / "pipedeck" / "pip-cache")
            second, second_wall = one_run(project, env)
        finally:
            down = pipedeck_command("down")
            subprocess.run(down, cwd=project, env=env, capture_output=True)
    return first, second, first_wall, second_wall, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    rounds = [one_round() for _ in range(args.rounds)]
    first = statistics.median(r[0] for r in rounds)
    second = statistics.median(r[1] for r in rounds)
    first_wall = statistics.median(r[2] for r in rounds)
    second_wall = statistics.median(r[3] for r in rounds)
    files, size = rounds[-1][4]
    label = "median of " if args.rounds > 1 else ""
    print(f"sample workflow ml-pipeline.yml, host mode, offline stand-ins, {args.rounds} round(s)")
    print(f"install step, first run    {label}{first:7.2f} s   (whole run {first_wall:6.2f} s)")
    print(f"install step, second run   {label}{second:7.2f} s   (whole run {second_wall:6.2f} s)")
    verdict = "meets" if second <= 0.25 * first else "misses"
    print(f"second / first             {second / first:7.0%}   ({verdict} the <= 25% target)")
    print(f"shared pip cache after the first run: {files} files, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
