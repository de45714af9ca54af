"""Where the demo runs the bundled sample project: a copy of it that is a git repository of
its own, under the state dir (``demo/sample_project``), as a user's clone of it would be.

The bundled sample sits inside pipedeck's checkout or its installed package, where neither
works as the project: DVC refuses a folder outside git (``dvc pull``: "not a git
repository"), and act copies a repository's work tree as GitHub's checkout does, leaving out
what ``.gitignore`` lists — so the DVC-tracked data reaches a run through ``dvc pull``, not
as a copied file. The copy is made again when the bundled files changed (a digest of them),
else reused; ``--project`` runs a project where it is.

Blocking (files, git): the demo's set-up calls it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from tui.core.errors import MissingPrerequisite
from tui.core.paths import state_dir

# what a run of the sample leaves in it, and DVC's own scratch: never part of the copy
LEFT_OUT_DIRS = frozenset({"__pycache__", ".venv", ".git", ".pytest_cache"})
LEFT_OUT_PATHS = frozenset({".dvc/cache", ".dvc/tmp", ".dvc/config.local"})
LEFT_OUT_FILES = frozenset({"model.pkl", "metrics.json"})
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,  # the user's hooks, signing, default branch: not here
    "GIT_AUTHOR_NAME": "pipedeck demo",
    "GIT_AUTHOR_EMAIL": "demo@pipedeck.invalid",
    "GIT_COMMITTER_NAME": "pipedeck demo",
    "GIT_COMMITTER_EMAIL": "demo@pipedeck.invalid",
}


def workspace_dir() -> Path:
    return state_dir() / "demo" / "sample_project"


def workspace(source: Path) -> Path:
    """The git copy of ``source`` (made or refreshed now when ``source`` changed)."""
    target = workspace_dir()
    stamp = target.parent / "source.sha256"
    files = project_files(source)
    digest = _digest(source, files)
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / "workspace.lock").open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            if _read(stamp) == digest and (target / ".git").is_dir():
                return target
            stamp.unlink(missing_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            for relative in files:
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / relative, target / relative)
            _git(target, "init", "-q", "-b", "main")
            _git(target, "add", "-A")
            _git(target, "commit", "-q", "--no-verify", "-m", "the sample project")
            stamp.write_text(digest, encoding="utf-8")
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    return target


def project_files(source: Path) -> list[Path]:
    """The sample's files, relative, in order (without what runs leave behind)."""
    found = []
    for root, dirs, names in os.walk(source):
        here = Path(root).relative_to(source)
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in LEFT_OUT_DIRS and (here / d).as_posix() not in LEFT_OUT_PATHS
        )
        found += [here / n for n in sorted(names) if n not in LEFT_OUT_FILES]
    return found


def _digest(source: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for relative in files:
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update((source / relative).read_bytes() + b"\0")
    return digest.hexdigest()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _git(folder: Path, *args: str) -> None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=folder,
            env={**os.environ, **GIT_ENV},
            capture_output=True,
            text=True,
            timeout=60,
        )
    except FileNotFoundError:
        raise MissingPrerequisite(
            "git not found: the demo makes its copy of the sample project a git repository"
            " (DVC needs one); install git"
        ) from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise MissingPrerequisite(
            f"git {args[0]} in {folder}: " + (lines[-1] if lines else f"exit {done.returncode}")
        )
