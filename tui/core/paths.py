"""Where pipedeck keeps its state: ``$XDG_STATE_HOME/pipedeck`` (platformdirs elsewhere)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import tui


def state_dir() -> Path:
    """The state root; honours ``XDG_STATE_HOME`` at call time (tests rely on that). On Linux
    the XDG base directory rule itself (what platformdirs does there: ``$XDG_STATE_HOME`` when
    it is an absolute path, else ``~/.local/state``), without importing platformdirs on every
    command's way in; elsewhere platformdirs."""
    if sys.platform.startswith("linux"):
        base = Path(os.environ.get("XDG_STATE_HOME", ""))
        if not base.is_absolute():  # unset, blank or relative: the spec says ignore it
            base = Path("~/.local/state").expanduser()
        return base / "pipedeck"
    import platformdirs

    return Path(platformdirs.user_state_dir("pipedeck", appauthor=False))


PRIVATE_DIR = 0o700  # what pipedeck keeps (run logs, keys) is its user's alone
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """``path``, created 0700 (and made so if it exists and is ours); under the state dir,
    the state folders from the state dir down to it likewise."""
    root = state_dir()
    if path.is_relative_to(root):
        parts = path.relative_to(root).parts
        folders = [root.joinpath(*parts[:i]) for i in range(len(parts) + 1)]
    else:
        folders = [path]
    folders[0].parent.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        info = folder.stat()
        if info.st_mode & 0o777 != PRIVATE_DIR and info.st_uid == os.getuid():
            folder.chmod(PRIVATE_DIR)
    return path


def runs_dir() -> Path:
    return state_dir() / "runs"


def scratch_dir(run_id: str) -> Path:
    """A run's private working folder (0700 once made): act's per-run action cache (host
    workspaces, step scripts), the secret file's copy, the host-mode virtualenv, the pipeline
    driver's temp files. Removed when the run ends; swept when a killed run left it."""
    return state_dir() / "scratch" / run_id


def localstack_dir() -> Path:
    """``localstack/`` of a source checkout, or ``tui/_localstack`` bundled into a wheel."""
    package = Path(tui.__file__).resolve().parent
    bundled = package / "_localstack"
    return bundled if bundled.is_dir() else package.parent / "localstack"
