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


def test_a_child_spawned_before_the_event_loop_is_read_whole_and_waited() -> None:
    """The CLI starts act before it has an event loop; the output waits in the pipes."""
    import asyncio

    from tui.core.process import GroupProcess

    script = (
        "import sys\nfor i in range(50000): print(i)\nprint('bye', file=sys.stderr)\nsys.exit(4)"
    )
    proc = GroupProcess([sys.executable, "-c", script])
    proc.spawn()
    time.sleep(0.2)  # it writes more than a pipe holds, and waits for us

    async def read() -> tuple[list[str], list[str], int]:
        out: list[str] = []
        err: list[str] = []
        async for line in proc.lines():
            (out if line.stream == "stdout" else err).append(line.text)
        return out, err, await proc.wait()

    out, err, code = asyncio.run(read())
    assert out == [str(i) for i in range(50000)] and err == ["bye"] and code == 4


def test_start_time_is_the_one_psutil_reports() -> None:
    import os

    from tui.core.process import start_time

    assert abs(start_time() - psutil.Process(os.getpid()).create_time()) < 0.05
