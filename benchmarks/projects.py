"""What the benchmarks share: a git project holding one workflow, and a timed run."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

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
