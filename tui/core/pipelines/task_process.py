"""A task's process under kfp.local's subprocess runner: its stdout and stderr read line by
line (the executor's own lines told apart, ``capture.ExecutorLines``) as the task's logs.

Runs inside the driver, called by ``hooks.py``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

from tui.core import events as ev
from tui.core.pipelines.capture import ExecutorLines

LogLine = Callable[[ev.Stream, str], None]


def run(full_command: list[str], env_vars: dict[str, str] | None, log: LogLine) -> int:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env_vars or {})}
    proc = subprocess.Popen(
        full_command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    readers = [
        threading.Thread(
            target=_pump, args=(proc.stdout, ExecutorLines("stdout"), log), daemon=True
        ),
        threading.Thread(
            target=_pump, args=(proc.stderr, ExecutorLines("stderr"), log), daemon=True
        ),
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    return proc.wait()


def _pump(pipe: IO[bytes], lines: ExecutorLines, log: LogLine) -> None:
    with pipe:
        for raw in iter(pipe.readline, b""):
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            for stream, line in lines.feed(text):
                log(stream, line)


def no_pip_lock(original: Any) -> Any:
    """No pip install runs in a prepared environment, so tasks need not take kfp.local's
    pip lock (which would run ParallelFor iterations one at a time)."""

    @contextlib.contextmanager
    def environment(use_venv: bool, *args: Any, **kwargs: Any) -> Iterator[str]:
        if use_venv:
            with original(use_venv, *args, **kwargs) as python:
                yield python
        else:
            yield sys.executable

    return environment
