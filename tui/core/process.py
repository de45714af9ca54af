"""Child processes in their own process group, read line by line, stopped as a group.

Every external tool pipedeck runs (act, docker build, the kfp.local driver, ...) goes
through :class:`GroupProcess`: cancelling signals the whole group, waits, then kills.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # imported where used: a run starts act before it needs either
    import asyncio

    import psutil

StreamName = Literal["stdout", "stderr"]

# Generous: act's JSON lines carry the whole step script in the ``step`` field.
LINE_LIMIT = 16 * 1024 * 1024
CHUNK = 256 * 1024  # bytes read at once from a child's pipe
# A child's pipes hold this much (Linux's default is 64 KiB): act's first output (~80 KiB on
# a small workflow, with -v) would else block it while this process is still importing what
# reads it.
PIPE_SIZE = 1024 * 1024


@dataclass(frozen=True)
class Line:
    stream: StreamName
    text: str


def _widen(pipe: IO[bytes] | None) -> None:
    """Let ``pipe`` hold :data:`PIPE_SIZE` bytes, or as much as the system allows (a pipe
    can be widened while it holds data; where it cannot, it stays as it is)."""
    if pipe is None:
        return
    import fcntl

    for size in (PIPE_SIZE, _max_pipe_size()):
        try:
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, size)
            return
        except (OSError, AttributeError):  # over the limit for this user, or not Linux
            continue


def _max_pipe_size() -> int:
    try:
        return int(Path("/proc/sys/fs/pipe-max-size").read_text())
    except (OSError, ValueError):
        return 0


class GroupProcess:
    """One child process, leader of its own process group."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.proc: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        """Start the child now, with no event loop yet (the CLI starts act before it imports
        what only reads act's output); its output waits in the pipes for :meth:`batches`."""
        if self.proc is None:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                bufsize=0,
            )
            for pipe in (self.proc.stdout, self.proc.stderr):
                _widen(pipe)

    async def start(self) -> None:
        self.spawn()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    async def lines(self) -> AsyncIterator[Line]:
        """stdout and stderr lines, interleaved in arrival order, until both close."""
        async for batch in self.batches():
            for line in batch:
                yield line

    async def batches(self) -> AsyncIterator[list[Line]]:
        """The same lines, as lists of all that have arrived: output is read in large chunks,
        so a burst is a few lists, not a wake-up per line."""
        import asyncio

        assert self.proc is not None and self.proc.stdout and self.proc.stderr
        queue: asyncio.Queue[list[Line] | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        transports: list[asyncio.BaseTransport] = []

        async def reader_of(pipe: IO[bytes]) -> asyncio.StreamReader:
            reader = asyncio.StreamReader(limit=LINE_LIMIT)
            transport, _ = await loop.connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(reader), pipe
            )
            transports.append(transport)
            return reader

        async def pump(reader: asyncio.StreamReader, name: StreamName) -> None:
            rest = b""
            try:
                while True:
                    chunk = await reader.read(CHUNK)
                    if not chunk:
                        break
                    *whole, rest = (rest + chunk).split(b"\n")
                    if whole:
                        text = b"\n".join(whole).decode("utf-8", errors="replace")
                        queue.put_nowait([Line(name, t.rstrip("\r")) for t in text.split("\n")])
            finally:
                if rest:
                    queue.put_nowait([Line(name, rest.decode("utf-8", errors="replace"))])
                queue.put_nowait(None)

        tasks = [
            asyncio.create_task(pump(await reader_of(self.proc.stdout), "stdout")),
            asyncio.create_task(pump(await reader_of(self.proc.stderr), "stderr")),
        ]
        open_streams = 2
        try:
            while open_streams:
                item = await queue.get()
                batch: list[Line] = []
                while True:
                    if item is None:
                        open_streams -= 1
                    else:
                        batch += item
                    if queue.empty():
                        break
                    item = queue.get_nowait()
                if batch:
                    yield batch
        finally:
            for task in tasks:
                task.cancel()
            for transport in transports:  # the consumer stopped early: close the pipes
                transport.close()

    async def wait(self) -> int:
        """The exit code, once the child has exited (watched through a pidfd: no thread)."""
        import asyncio

        assert self.proc is not None
        code = self.proc.poll()
        if code is not None:
            return code
        try:
            pidfd = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):  # no pidfd (an old kernel): a thread waits
            return await asyncio.to_thread(self.proc.wait)
        loop = asyncio.get_running_loop()
        exited: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not exited.done():
                exited.set_result(None)

        loop.add_reader(pidfd, readable)
        try:
            await exited
        finally:
            loop.remove_reader(pidfd)
            os.close(pidfd)
        return self.proc.wait()

    async def stop(self, grace: float = 10.0) -> None:
        """SIGINT the group (act cleans up its containers on it), then SIGTERM, then SIGKILL.

        Descendants that moved to process groups of their own (act runs each host-mode step
        in a new group) are remembered first and killed if they outlive the leader.
        """
        if self.proc is None:
            return
        import psutil

        descendants = _descendants(self.proc.pid)
        try:
            await self._stop_leader(grace)
        finally:
            for child in descendants:
                with contextlib.suppress(psutil.Error):
                    child.kill()

    async def _stop_leader(self, grace: float) -> None:
        import asyncio

        assert self.proc is not None
        if self.proc.poll() is not None:
            self._kill_group(signal.SIGKILL)  # stray grandchildren
            return
        for sig, wait_for in ((signal.SIGINT, grace), (signal.SIGTERM, 3.0)):
            self._kill_group(sig)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wait(), wait_for)
                break
        self._kill_group(signal.SIGKILL)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wait(), 5.0)

    def _kill_group(self, sig: signal.Signals) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)


def _descendants(pid: int) -> list[psutil.Process]:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def start_time(pid: int | None = None) -> float:
    """When process ``pid`` (this one by default) started, in epoch seconds, as psutil's
    ``create_time()`` says it (what :func:`alive` compares), read without importing psutil."""
    pid = os.getpid() if pid is None else pid
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
        ticks = int(stat.rsplit(b")", 1)[1].split()[19])
        lines = Path("/proc/stat").read_bytes().splitlines()
        boot = next(int(line.split()[1]) for line in lines if line.startswith(b"btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        import psutil

        return float(psutil.Process(pid).create_time())


def alive(pid: int, started: float) -> bool:
    """The process started at ``started`` (epoch seconds) still runs: not gone, not another
    process that got its pid, and not dead but unreaped (a zombie whose new parent does not
    reap it; a zombie leader whose other threads still run is alive)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        if abs(proc.create_time() - started) >= 1.0:
            return False
        return proc.status() != psutil.STATUS_ZOMBIE or proc.num_threads() > 1
    except (psutil.Error, ValueError):
        return False


# -- synchronous callers (image builds, kind/kubectl) ------------------------------------------


def stop_popen_group(proc: subprocess.Popen[Any], grace: float = 5.0) -> None:
    """SIGTERM a ``Popen`` child's process group, then SIGKILL it if it does not go."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
            return


def run_streaming(
    argv: Sequence[str], on_line: Callable[[str], None], *, timeout: float | None = None
) -> int:
    """Run ``argv`` in its own process group, each non-empty output line (stdout and stderr)
    to ``on_line``; returns the exit code. Past ``timeout`` (TimeoutError), or when anything
    raises (Ctrl-C, ``on_line``), the whole group is stopped."""
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, name=f"pump {argv[0]}", daemon=True).start()
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError(f"{argv[0]} timed out after {timeout:.0f}s")
            try:
                item = lines.get(timeout=left)
            except queue.Empty:
                continue
            if item is None:
                return proc.wait()
            if item.strip():
                on_line(item.rstrip())
    except BaseException:
        stop_popen_group(proc)
        raise
