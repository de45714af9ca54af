"""Screenshots (``S``): an SVG of the screen, saved where it can be — the ``--screenshot-dir``
given to ``pipedeck tui``, else the shown run's directory in the run store (the focused side's
run first), else ``screenshots/`` in the state dir. Textual's own action saves to
``~/Downloads`` and fails without a reason where there is none."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from tui.core.paths import private_dir, state_dir


def folder_for(explicit: Path | None, run_dirs: Iterable[Path]) -> Path:
    """Where a screenshot goes: ``explicit``, else the first run directory that exists, else
    the state dir's ``screenshots`` folder (made 0700)."""
    if explicit is not None:
        return explicit
    for folder in run_dirs:
        if folder.is_dir():
            return folder
    return private_dir(state_dir() / "screenshots")


def file_name(folder: Path, now: datetime | None = None) -> Path:
    """``screenshot-YYYYmmdd-HHMMSS.svg`` in ``folder`` (``-2``, ``-3``… if taken)."""
    stem = f"screenshot-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}"
    path, n = folder / f"{stem}.svg", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.svg"
    return path


def save(svg: str, folder: Path, name: str | None = None) -> Path:
    """Write ``svg`` in ``folder`` (made if missing) as ``name`` (default: the time); an
    OSError says why it could not be."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name if name else file_name(folder)
    path.write_text(svg, encoding="utf-8")
    return path
