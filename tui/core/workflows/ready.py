"""Folders a run makes that the next run can use as they are, kept between runs by a rename.

Host mode's virtualenv (while no step installed anything into it) and the run's action cache
folder of links (once act's per-job workspaces are out of it) are the same for the next run.
Making them is a few dozen file creations — 0.3 to 0.9 ms each on a cloud VM's disk, tens of
milliseconds of a quick run — so a run hands them back to a slot under the state dir when it
ends and the next run takes them with one rename. Two runs at once: the first takes the slot,
the other makes its own; of two giving back, the second's is removed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tui.core.paths import state_dir

SLOTS = "ready"


def slot(name: str) -> Path:
    return state_dir() / SLOTS / name


def take(name: str, dest: Path) -> bool:
    """Move the slot's folder to ``dest`` (which must not exist); False when there is none."""
    try:
        slot(name).rename(dest)
    except OSError:
        return False
    return True


def give_back(name: str, folder: Path) -> None:
    """Keep ``folder`` for the next run (a slot already full: ``folder`` is removed)."""
    target = slot(name)
    try:
        folder.rename(target)
    except FileNotFoundError:  # the first run: no slots folder yet
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.rename(target)
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
    except OSError:  # full: another run gave its back first
        shutil.rmtree(folder, ignore_errors=True)
