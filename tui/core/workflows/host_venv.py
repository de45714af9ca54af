"""The per-run virtualenv host-mode steps get first on PATH, so a step's ``pip install`` lands
in it and never in the user's own Python (or in pipedeck's).

Made by hand to PEP 405's layout (``pyvenv.cfg`` naming the base interpreter's home, ``bin/``
links to it, an empty ``site-packages``) and given pip by a ``.pth`` file pointing at the pip
wheel the interpreter bundles (pip runs from its wheel, as ``ensurepip`` does): ~1 ms, where
importing ``venv`` and ``ensurepip`` alone takes ~10 ms of a run's way to starting act. Where
no bundled wheel exists (Debian strips it), ``venv`` makes it and installs pip (seconds).
No activation scripts: steps get the environment through ``PATH`` and ``VIRTUAL_ENV``.

Nothing in it names its own folder (``pip`` is a shell script running the ``python`` beside
it), so it can move: a run's venv nobody installed into is kept for the next run
(:mod:`tui.core.workflows.ready`), one made by another interpreter never used.
"""

from __future__ import annotations

import platform
import shutil
import sys
import sysconfig
import zlib
from pathlib import Path

from tui.core.paths import state_dir
from tui.core.workflows import ready

OLD_SPARE = "host-venv-spare"  # what pipedeck <= 0.1 kept made ahead of the next run


def bundled_pip_wheel() -> Path | None:
    bundled = Path(sysconfig.get_path("stdlib")) / "ensurepip" / "_bundled"
    wheels = sorted(bundled.glob("pip-*.whl"))
    return wheels[-1] if wheels else None


def create(path: Path) -> Path:
    """A fresh virtualenv at ``path`` with a working ``pip``; returns its ``bin`` folder."""
    shutil.rmtree(state_dir() / OLD_SPARE, ignore_errors=True)
    wheel = bundled_pip_wheel()
    if wheel is None:
        import venv

        venv.EnvBuilder(symlinks=True, with_pip=True).create(path)
        return path / "bin"
    base = Path(getattr(sys, "_base_executable", sys.executable))  # what venv makes it from
    short = f"python{sys.version_info.major}.{sys.version_info.minor}"
    bin_dir = path / "bin"
    site = path / "lib" / short / "site-packages"
    site.mkdir(parents=True)
    bin_dir.mkdir()
    if sys.maxsize > 2**32:
        (path / "lib64").symlink_to("lib")
    config = (
        f"home = {base.parent}\ninclude-system-site-packages = false\n"
        f"version = {platform.python_version()}\nexecutable = {base.resolve()}\n"
    )
    (path / "pyvenv.cfg").write_text(config, encoding="utf-8")
    (bin_dir / "python").symlink_to(base)
    for alias in ("python3", short):
        (bin_dir / alias).symlink_to("python")
    (site / "_pipedeck_pip.pth").write_text(f"{wheel}\n", encoding="utf-8")
    pip = bin_dir / "pip"
    pip.write_text(PIP_SCRIPT, encoding="utf-8")
    pip.chmod(0o755)
    (bin_dir / "pip3").symlink_to("pip")
    return bin_dir


def take(path: Path) -> Path:
    """The run's virtualenv at ``path``: the one a run before left untouched, or a new one."""
    if ready.take(_slot_name(), path):
        return path / "bin"
    return create(path)


def give_back(path: Path) -> None:
    """Keep the run's virtualenv for the next run if no step changed it; else remove it."""
    if _untouched(path):
        ready.give_back(_slot_name(), path)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _untouched(path: Path) -> bool:
    short = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = path / "lib" / short / "site-packages"
    try:
        return (
            _names(path) <= {"bin", "lib", "lib64", "pyvenv.cfg"}
            and _names(path / "lib") == {short}
            and _names(path / "lib" / short) == {"site-packages"}
            and _names(site) == {"_pipedeck_pip.pth"}
            and _names(path / "bin") == {"python", "python3", short, "pip", "pip3"}
        )
    except OSError:
        return False


def _names(folder: Path) -> set[str]:
    return {entry.name for entry in folder.iterdir()}


def _slot_name() -> str:
    base = getattr(sys, "_base_executable", sys.executable)
    return f"host-venv-{zlib.crc32(f'{base} {sys.version}'.encode()):08x}"  # hashlib: +2 ms


# pip from the bundled wheel (the .pth puts it on sys.path), run by the venv's own python
PIP_SCRIPT = '#!/bin/sh\nexec "$(dirname "$0")/python" -m pip "$@"\n'
