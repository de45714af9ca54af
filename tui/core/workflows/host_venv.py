"""The per-run virtualenv host-mode steps get first on PATH, so a step's ``pip install`` lands
in it and never in the user's own Python (or in pipedeck's).

Made in-process with ``venv`` (no pip: a few milliseconds) from the interpreter behind
pipedeck's own environment, and given pip by pointing a ``.pth`` file at the pip wheel that
interpreter bundles (pip runs from its wheel, as ``ensurepip`` does). Where no bundled wheel
exists (Debian strips it), ``venv`` installs pip the usual way (seconds).
"""

from __future__ import annotations

import shutil
import venv
from pathlib import Path


def bundled_pip_wheel() -> Path | None:
    import ensurepip

    wheels = sorted(Path(ensurepip.__file__).parent.glob("_bundled/pip-*.whl"))
    return wheels[-1] if wheels else None


def create(path: Path) -> Path:
    """A fresh virtualenv at ``path`` with a working ``pip``; returns its ``bin`` folder."""
    wheel = bundled_pip_wheel()
    venv.EnvBuilder(symlinks=True, with_pip=wheel is None).create(path)
    bin_dir = path / "bin"
    if wheel is not None:
        (site_packages(path) / "_pipedeck_pip.pth").write_text(f"{wheel}\n", encoding="utf-8")
        script = f"#!{bin_dir / 'python'}\nimport sys\nfrom pip._internal.cli.main import main\n"
        script += "sys.exit(main())\n"
        for name in ("pip", "pip3"):
            target = bin_dir / name
            target.write_text(script, encoding="utf-8")
            target.chmod(0o755)
    return bin_dir


def site_packages(venv_dir: Path) -> Path:
    (found,) = venv_dir.glob("lib/python3*/site-packages")
    return found


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
