"""The per-run virtualenv host-mode steps get first on PATH, so a step's ``pip install`` lands
in it and never in the user's own Python (or in pipedeck's).

Made with ``venv --without-pip`` (a fraction of a second) and given pip by pointing a ``.pth``
file at the pip wheel the interpreter bundles (pip runs from its wheel, as in ``ensurepip``);
where no bundled wheel exists (Debian strips it), ``venv`` installs pip the usual way.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def base_python() -> str:
    """The interpreter behind pipedeck's own (virtual) environment."""
    return getattr(sys, "_base_executable", None) or sys.executable


def bundled_pip_wheel(python: str) -> Path | None:
    code = (
        "import ensurepip, pathlib; "
        "w = sorted(pathlib.Path(ensurepip.__file__).parent.glob('_bundled/pip-*.whl')); "
        "print(w[-1] if w else '')"
    )
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    found = done.stdout.strip()
    return Path(found) if done.returncode == 0 and found else None


def create(path: Path, python: str | None = None) -> Path:
    """A fresh virtualenv at ``path`` with a working ``pip``; returns its ``bin`` folder."""
    python = python or base_python()
    wheel = bundled_pip_wheel(python)
    argv = [python, "-m", "venv", str(path)]
    if wheel is not None:
        argv.insert(3, "--without-pip")
    subprocess.run(argv, check=True, capture_output=True)
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


def site_packages(venv: Path) -> Path:
    (found,) = venv.glob("lib/python3*/site-packages")
    return found


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
