"""Child processes in their own group: streamed lines, exit codes, and stopping the group."""

from __future__ import annotations

import sys
import time

import psutil
import pytest

from tui.core.process import run_streaming


def test_lines_and_exit_code() -> None:
    seen: list[str] = []
    code = run_streaming(
        [
            sys.executable,
            "-c",
            "import sys; print('out'); print('', flush=True); "
            "print('err', file=sys.stderr); sys.exit(3)",
        ],
        seen.append,
    )
    assert code == 3
    assert sorted(seen) == ["err", "out"]


def test_a_timeout_stops_the_whole_group() -> None:
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    pids: list[str] = []
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        run_streaming([sys.executable, "-c", script], pids.append, timeout=2)
    assert time.monotonic() - started < 20
    grandchild = int(pids[0])
    deadline = time.monotonic() + 5
    while psutil.pid_exists(grandchild) and time.monotonic() < deadline:
        if psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.05)
    assert not psutil.pid_exists(grandchild) or (
        psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE
    )
