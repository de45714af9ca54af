"""A chatty workflow (one step printing N lines) through raw act and through pipedeck.

For each N (default 200,000 and 1,000,000), paired runs, alternating, each tool's output to a
file: ``act --json -v`` (the floor: pipedeck must run act with both flags), ``act`` plain, then
pipedeck with ``--json``, with plain output, and ``pipedeck logs RUN`` of the stored run. Prints
the median of each and its ratio to ``act --json -v`` measured in the same run, and each
pipedeck process's peak RSS (its process tree, sampled). Usage:

    python benchmarks/log_throughput.py [--lines 200000 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import statistics
import struct
import subprocess
import tempfile
import termios
import threading
import time
from pathlib import Path

import psutil
from projects import pipedeck_command, workflow_project

WORKFLOW = """\
name: chatty
on: push
jobs:
  talk:
    runs-on: ubuntu-latest
    steps:
      - name: talk
        run: |
          python3 - <<'PY'
          import sys
          write = sys.stdout.write
          for i in range({lines}):
              write(f"line {{i}} of a chatty step, with some words after it\\n")
          PY
"""


def make_project(root: Path, lines: int) -> Path:
    return workflow_project(root / f"project-{lines}", "chatty.yml", WORKFLOW.format(lines=lines))


def timed(argv: list[str], cwd: Path, env: dict[str, str], out: Path) -> tuple[float, int]:
    """Wall time and peak RSS (bytes, the process tree's sum, sampled every 20 ms)."""
    peak = 0
    start = time.perf_counter()
    with out.open("wb") as fh:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=fh, stderr=subprocess.DEVNULL)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            top = psutil.Process(proc.pid)
            while not done.is_set():
                try:
                    tree = [top, *top.children(recursive=True)]
                    rss = sum(p.memory_info().rss for p in tree if p.name() != "act")
                    peak = max(peak, rss)
                except psutil.Error:
                    pass
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        done.set()
        sampler.join()
    elapsed = time.perf_counter() - start
    if code not in (0,):
        raise SystemExit(f"{argv[:4]}… exited {code}")
    return elapsed, peak


def in_terminal(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, float]:
    """Wall time, peak RSS and tree redraws a second, run in a pseudo-terminal (a live
    tree), its output read as fast as a terminal would take it."""
    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    redraws = 0
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**env, "TERM": "xterm-256color"},
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
    )
    os.close(child_fd)
    peak = 0

    def read() -> None:
        nonlocal redraws
        tail = b""
        while True:
            try:
                data = os.read(main_fd, 1 << 16)
            except OSError:
                return
            if not data:
                return
            redraws += (tail + data).count(b"F\x1b[J")
            tail = data[-8:]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    top = psutil.Process(proc.pid)
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            tree = [top, *top.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.name() != "act"))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    reader.join(timeout=5)
    os.close(main_fd)
    return elapsed, peak, redraws / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {**os.environ, "XDG_STATE_HOME": str(root / "state"), "PIPEDECK_RUNNER": "host"}
        env.pop("CI", None)
        for lines in args.lines:
            project = make_project(root, lines)
            pd = pipedeck_command("run", "workflow", "chatty.yml", "--runner", "host")
            first = subprocess.run(
                [*pd, "--json"], cwd=project, env=env, capture_output=True, text=True, check=True
            )
            argv = json.loads(first.stdout.splitlines()[0])["argv"]
            argv[argv.index("--artifact-server-path") + 1] = str(root / "raw-artifacts")
            for private in ("--env-file", "--action-cache-path"):
                i = argv.index(private)
                del argv[i : i + 2]
            plain_act = [a for a in argv if a not in ("--json", "-v")]
            rows: dict[str, list[tuple[float, int]]] = {}
            rates: list[float] = []
            for _ in range(args.runs):
                for name, cmd in (
                    ("act --json -v", argv),
                    ("act (plain)", plain_act),
                    ("pipedeck --json", [*pd, "--json"]),
                    ("pipedeck (plain)", pd),
                ):
                    rows.setdefault(name, []).append(timed(cmd, project, env, root / "out"))
                elapsed, peak, per_second = in_terminal(pd, project, env)
                rows.setdefault("pipedeck (terminal)", []).append((elapsed, peak))
                rates.append(per_second)
                logs = pipedeck_command("logs", "last")
                rows.setdefault("pipedeck logs RUN", []).append(
                    timed(logs, project, env, root / "logs-out")
                )
                got = sum(1 for line in (root / "logs-out").open("rb") if b"chatty step" in line)
                if got != lines:
                    raise SystemExit(f"pipedeck logs printed {got} of {lines} lines")
            floor = statistics.median(t for t, _ in rows["act --json -v"])
            print(f"\n{lines:,} lines, {args.runs} paired runs (host mode), output to a file")
            for name, samples in rows.items():
                median = statistics.median(t for t, _ in samples)
                rss = max(r for _, r in samples) / 2**20
                shown = f"peak RSS {rss:6.1f} MiB" if name.startswith("pipedeck") else ""
                print(f"  {name:20} {median:8.2f} s  {median / floor:6.2f}x act --json -v  {shown}")
            print(f"  tree redraws in the terminal: {max(rates):.1f} a second at most")


if __name__ == "__main__":
    main()
