"""Where pipedeck keeps its state: ``$XDG_STATE_HOME/pipedeck`` (platformdirs)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

import tui


def state_dir() -> Path:
    """The state root; honours ``XDG_STATE_HOME`` at call time (tests rely on that)."""
    return Path(platformdirs.user_state_dir("pipedeck", appauthor=False))


def runs_dir() -> Path:
    return state_dir() / "runs"


def localstack_dir() -> Path:
    """``localstack/`` of a source checkout, or ``tui/_localstack`` bundled into a wheel."""
    package = Path(tui.__file__).resolve().parent
    bundled = package / "_localstack"
    return bundled if bundled.is_dir() else package.parent / "localstack"
