"""Host mode's per-run virtualenv: made in a millisecond by hand, it is a real virtualenv —
its Python's prefix is the folder, pip runs from it and installs into it, never elsewhere."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tui.core.paths import state_dir
from tui.core.workflows import host_venv


def python_says(bin_dir: Path, code: str) -> str:
    done = subprocess.run([bin_dir / "python", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_run_venv_is_a_virtualenv_of_its_own(tmp_path: Path) -> None:
    bin_dir = host_venv.create(tmp_path / "venv")
    assert bin_dir == tmp_path / "venv" / "bin"
    prefix, base = python_says(
        bin_dir, "import sys; print(sys.prefix); print(sys.base_prefix)"
    ).split()
    assert prefix == str(tmp_path / "venv") != base
    purelib = python_says(bin_dir, "import sysconfig; print(sysconfig.get_path('purelib'))")
    assert purelib.startswith(str(tmp_path / "venv"))
    for alias in ("python3", "pip", "pip3"):
        assert (bin_dir / alias).exists()


@pytest.mark.skipif(host_venv.bundled_pip_wheel() is None, reason="no bundled pip wheel")
def test_pip_installs_into_the_run_venv(tmp_path: Path) -> None:
    package = tmp_path / "tiny"
    (package / "tiny_pkg").mkdir(parents=True)
    (package / "tiny_pkg" / "__init__.py").write_text("VALUE = 42\n")
    (package / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
        '[project]\nname = "tiny-pkg"\nversion = "1"\n'
    )
    (package / "backend.py").write_text(BACKEND)
    bin_dir = host_venv.create(tmp_path / "venv")
    done = subprocess.run(
        [bin_dir / "pip", "install", "--no-index", "--no-build-isolation", "-q", str(package)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    where = python_says(bin_dir, "import tiny_pkg; print(tiny_pkg.__file__)")
    assert where.startswith(str(tmp_path / "venv" / "lib"))


def test_making_one_takes_milliseconds_not_an_import_of_venv(tmp_path: Path) -> None:
    start = time.perf_counter()
    for n in range(5):
        host_venv.create(tmp_path / f"venv-{n}")
    assert time.perf_counter() - start < 1.0  # venv with pip: seconds each


def test_an_untouched_venv_is_the_next_runs_and_works_where_it_lands(tmp_path: Path) -> None:
    for run in ("one", "two"):
        (tmp_path / run).mkdir()
    first = host_venv.take(tmp_path / "one" / "venv")
    inode = first.stat().st_ino
    host_venv.give_back(tmp_path / "one" / "venv")
    assert not (tmp_path / "one" / "venv").exists()
    second = host_venv.take(tmp_path / "two" / "venv")
    assert second.stat().st_ino == inode  # moved, not made
    assert python_says(second, "import sys; print(sys.prefix)") == str(tmp_path / "two" / "venv")
    if host_venv.bundled_pip_wheel() is not None:
        done = subprocess.run([second / "pip", "--version"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_a_venv_a_step_installed_into_is_removed_not_kept(tmp_path: Path) -> None:
    host_venv.take(tmp_path / "venv")
    site = next((tmp_path / "venv" / "lib").glob("python3*/site-packages"))
    (site / "requests").mkdir()
    host_venv.give_back(tmp_path / "venv")
    assert not (tmp_path / "venv").exists()
    host_venv.take(tmp_path / "again")
    again = next((tmp_path / "again" / "lib").glob("python3*/site-packages"))
    assert [p.name for p in again.iterdir()] == ["_pipedeck_pip.pth"]


def test_the_old_spare_folder_goes(tmp_path: Path) -> None:
    old = state_dir() / host_venv.OLD_SPARE
    (old / "bin").mkdir(parents=True)
    host_venv.create(tmp_path / "venv")
    assert not old.exists()


# A PEP 517 backend of a few lines (no setuptools needed, offline): a wheel of tiny_pkg.
BACKEND = """
import base64, hashlib, zipfile
from pathlib import Path

def _record(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "tiny_pkg-1-py3-none-any.whl"
    files = {
        "tiny_pkg/__init__.py": Path("tiny_pkg/__init__.py").read_bytes(),
        "tiny_pkg-1.dist-info/METADATA": b"Metadata-Version: 2.1\\nName: tiny-pkg\\nVersion: 1\\n",
        "tiny_pkg-1.dist-info/WHEEL": b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\n"
        b"Tag: py3-none-any\\n",
    }
    lines = [_record(k, v) for k, v in files.items()] + ["tiny_pkg-1.dist-info/RECORD,,"]
    with zipfile.ZipFile(Path(wheel_directory) / name, "w") as wheel:
        for k, v in files.items():
            wheel.writestr(k, v)
        wheel.writestr("tiny_pkg-1.dist-info/RECORD", "\\n".join(lines) + "\\n")
    return name
"""
