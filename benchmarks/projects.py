"""What the benchmarks share: a git project holding one workflow, and a timed run."""

from __future__ import annotations

import compileall
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

GIT_ENV = {
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@b.invalid",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@b.invalid",
}


def workflow_project(project: Path, name: str, text: str) -> Path:
    """``project`` made a git repository whose one workflow is ``name`` (``text``)."""
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / ".github" / "workflows" / name).write_text(text)
    env = {**os.environ, **GIT_ENV}
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "b"]):
        subprocess.run(argv, cwd=project, env=env, check=True)
    return project


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time of one run of ``argv`` (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def pipedeck_command(*args: str) -> list[str]:
    """The command a user types: the ``pipedeck`` console script of this environment (next to
    its Python), with pipedeck's modules byte-compiled as ``pip install`` leaves them — an
    editable install run with PYTHONDONTWRITEBYTECODE (this machine's default) would compile
    every module on every run, which no installed pipedeck does."""
    compileall.compile_dir(REPO / "tui", quiet=1)
    script = Path(sys.executable).parent / "pipedeck"
    head = [str(script)] if script.is_file() else [sys.executable, "-m", "tui"]
    return [*head, *args]


@contextlib.contextmanager
def local_stack(project: Path, env: dict[str, str]) -> Iterator[dict[str, str]]:
    """`pipedeck up` for ``project`` on a free port (its DVC remote there gets the tracked
    data: the sample pipeline's preprocess reads it), `down` after. ``env`` gets the port;
    yields what a run gets to reach the server (endpoint, credentials, region)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        env["PIPEDECK_S3_PORT"] = str(sock.getsockname()[1])
    up = pipedeck_command("up", "--no-build", "--project", str(project))
    subprocess.run(up, env=env, check=True, capture_output=True)
    try:
        code = "import json; from tui.core.stack import s3; print(json.dumps(s3.run_env()))"
        shown = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=REPO, check=True, capture_output=True
        )
        yield json.loads(shown.stdout)
    finally:
        subprocess.run(pipedeck_command("down"), env=env, capture_output=True)
