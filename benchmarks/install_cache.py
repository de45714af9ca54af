"""The sample workflow's install step (`pip install -r requirements.txt`) on a first and a
second run, with pipedeck's caches fresh before the first.

Copies `sample_project/` into a new git repository, gives pipedeck a new state dir and cache
dir (so the shared pip download cache, the actions/cache entries and the setup-python
stand-in's venvs start empty) and a local S3 server on a free port (the workflow uploads its
model), and runs `pipedeck run workflow --runner host --offline --json` twice, as a user
without GitHub gets the stand-ins. The sample caches its installed requirements
(`actions/cache` of `env.pythonLocation`, keyed by requirements.txt's hash), so the second
run's install step finds them installed; the cache's own steps (unpacking on the second run,
packing on the first) are printed beside it, and the whole runs. Figures from the runs'
`node.finished` events; the ratios second/first (the target: the install step <= 25%); what
the shared pip cache held after the first run. `--rounds N` repeats the pair with fresh
caches and prints medians. Usage:

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
from dataclasses import dataclass
from pathlib import Path

from projects import GIT_ENV, REPO, pipedeck_command

INSTALL_STEP = "Install requirements"
CACHE_STEP = "Cache the installed requirements"  # its restore and its post step


def sample_copy(root: Path) -> Path:
    project = root / "sample"
    shutil.copytree(
        REPO / "sample_project", project, ignore=shutil.ignore_patterns("__pycache__", "*.pkl")
    )
    env = {**os.environ, **GIT_ENV}
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "s"]):
        subprocess.run(argv, cwd=project, env=env, check=True, capture_output=True)
    return project


def one_run(project: Path, env: dict[str, str]) -> tuple[float, float, dict[str, float]]:
    """The install step's duration, the run's wall time and every step's duration by name,
    in seconds."""
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
    durations = {
        names[e["node_id"]]: float(e["duration"])
        for e in events
        if e["type"] == "node.finished" and e["node_id"] in names and e.get("duration")
    }
    return float(steps[0]), wall, durations


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return len(files), sum(p.stat().st_size for p in files)


@dataclass
class Run:
    install: float  # the install step, seconds
    wall: float  # the whole run
    steps: dict[str, float]  # every step's duration, by name

    def cache_steps(self) -> float:
        """The actions/cache stand-in's steps (restore, and the post step that saves)."""
        return sum(t for name, t in self.steps.items() if CACHE_STEP in name)


def one_round() -> tuple[Run, Run, tuple[int, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        project = sample_copy(root)
        env = {**os.environ, "XDG_STATE_HOME": str(root / "state")}
        env["XDG_CACHE_HOME"] = str(root / "cache")  # act's tool cache: the stand-in's venvs
        env.pop("CI", None)
        for name in [n for n in env if n.startswith("PIPEDECK_")]:
            env.pop(name)
        env["PIPEDECK_S3_PORT"] = str(free_port())  # the workflow's `aws s3 cp` needs it
        up = pipedeck_command("up", "--no-build")
        subprocess.run(up, cwd=project, env=env, check=True, capture_output=True)
        try:
            first = Run(*one_run(project, env))
            held = folder_size(root / "state" / "pipedeck" / "pip-cache")
            second = Run(*one_run(project, env))
        finally:
            down = pipedeck_command("down")
            subprocess.run(down, cwd=project, env=env, capture_output=True)
    return first, second, held


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    rounds = [one_round() for _ in range(args.rounds)]
    label = "median of " if args.rounds > 1 else ""
    print(f"sample workflow ml-pipeline.yml, host mode, offline stand-ins, {args.rounds} round(s)")
    for index, which in ((0, "first"), (1, "second")):
        runs: list[Run] = [r[index] for r in rounds]  # type: ignore[misc]
        install = median([r.install for r in runs])
        cache = median([r.cache_steps() for r in runs])
        wall = median([r.wall for r in runs])
        print(
            f"{which:>6} run: {label}install step {install:6.2f} s, cache steps {cache:6.2f} s,"
            f" whole run {wall:6.2f} s"
        )
    first = median([r[0].install for r in rounds])
    second = median([r[1].install for r in rounds])
    verdict = "meets" if second <= 0.25 * first else "misses"
    print(f"install step, second / first   {second / first:5.0%}   ({verdict} the <= 25% target)")
    both = [
        (r[1].install + r[1].cache_steps()) / (r[0].install + r[0].cache_steps()) for r in rounds
    ]
    print(f"install + cache steps, second / first   {median(both):5.0%}")
    walls = median([r[1].wall / r[0].wall for r in rounds])
    print(f"whole run, second / first   {walls:5.0%}")
    files, size = rounds[-1][2]
    print(f"shared pip cache after the first run: {files} files, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
