"""The per-run virtualenv host-mode steps get first on PATH, so a step's ``pip install`` lands
in it and never in the user's own Python (or in pipedeck's).

Made in-process with ``venv`` (no pip: a few milliseconds) from the interpreter behind
pipedeck's own environment, and given pip by pointing a ``.pth`` file at the pip wheel that
interpreter bundles (pip runs from its wheel, as ``ensurepip`` does). Where no bundled wheel
exists (Debian strips it), ``venv`` installs pip the usual way (seconds).

Making one (and importing ``venv``) takes tens of milliseconds, so a run does not make its
own: it takes the spare one a run made beforehand (:func:`take`: a rename) and makes the next
spare while act runs (:func:`make_spare`). A spare made by another interpreter is not used.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from tui.core.paths import state_dir

SPARE = "host-venv-spare"
MARKER = "pipedeck-made-for"  # the interpreter a spare was made with
ACTIVATE = ("activate", "activate.csh", "activate.fish")


def bundled_pip_wheel() -> Path | None:
    import ensurepip

    wheels = sorted(Path(ensurepip.__file__).parent.glob("_bundled/pip-*.whl"))
    return wheels[-1] if wheels else None


def create(path: Path) -> Path:
    """A fresh virtualenv at ``path`` with a working ``pip``; returns its ``bin`` folder."""
    import venv

    wheel = bundled_pip_wheel()
    venv.EnvBuilder(symlinks=True, with_pip=wheel is None).create(path)
    bin_dir = path / "bin"
    if wheel is not None:
        (site_packages(path) / "_pipedeck_pip.pth").write_text(f"{wheel}\n", encoding="utf-8")
        _pip_scripts(bin_dir)
    (path / MARKER).write_text(_interpreter(), encoding="utf-8")
    return bin_dir


def take(path: Path) -> Path:
    """A fresh virtualenv at ``path``: the spare moved there when there is one made by this
    interpreter (another run may take it first: then one is made), else one made now."""
    spare = state_dir() / SPARE
    try:
        if (spare / MARKER).read_text(encoding="utf-8") != _interpreter():
            raise OSError("made by another interpreter")
        spare.rename(path)
    except OSError:
        return create(path)
    bin_dir = path / "bin"
    for name in ACTIVATE:  # they name the folder the venv was made in
        script = bin_dir / name
        if script.is_file():
            script.write_text(script.read_text().replace(str(spare), str(path)))
    if (bin_dir / "pip").is_file():
        _pip_scripts(bin_dir)  # their #! line names the python they run
    return bin_dir


def make_spare(work: Path) -> None:
    """Make the next run's virtualenv (in ``work``, then moved into place), unless one is
    ready; a spare of another interpreter is replaced."""
    spare = state_dir() / SPARE
    try:
        if (spare / MARKER).read_text(encoding="utf-8") == _interpreter():
            return
    except OSError:
        pass
    made = work / f"{SPARE}-{os.urandom(4).hex()}"
    create(made)
    if spare.exists():
        shutil.rmtree(spare, ignore_errors=True)
    spare.parent.mkdir(parents=True, exist_ok=True)
    try:
        made.rename(spare)
    except OSError:  # another run put one there first
        shutil.rmtree(made, ignore_errors=True)
        return
    for name in ACTIVATE:
        script = spare / "bin" / name
        if script.is_file():
            script.write_text(script.read_text().replace(str(made), str(spare)))


def _pip_scripts(bin_dir: Path) -> None:
    script = f"#!{bin_dir / 'python'}\nimport sys\nfrom pip._internal.cli.main import main\n"
    script += "sys.exit(main())\n"
    for name in ("pip", "pip3"):
        target = bin_dir / name
        target.write_text(script, encoding="utf-8")
        target.chmod(0o755)


def _interpreter() -> str:
    base = getattr(sys, "_base_executable", sys.executable)  # what venv makes it from
    return f"{base} {sys.version}"


def site_packages(venv_dir: Path) -> Path:
    (found,) = venv_dir.glob("lib/python3*/site-packages")
    return found


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
