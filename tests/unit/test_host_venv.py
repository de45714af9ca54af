"""Host mode's per-run virtualenv: a run takes the spare one (a rename, off its critical path)
and it works where it lands; a spare another interpreter made is never used."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tui.core.paths import state_dir
from tui.core.workflows import host_venv


def test_a_run_takes_the_spare_and_it_works_where_it_lands(tmp_path: Path) -> None:
    host_venv.make_spare(tmp_path)
    spare = state_dir() / host_venv.SPARE
    assert (spare / "bin" / "python").exists()
    target = tmp_path / "run" / "venv"
    target.parent.mkdir()
    bin_dir = host_venv.take(target)
    assert bin_dir == target / "bin" and not spare.exists()  # moved, not made
    assert str(spare) not in (bin_dir / "activate").read_text()
    assert str(target) in (bin_dir / "activate").read_text()
    if (bin_dir / "pip").exists():
        assert (bin_dir / "pip").read_text().startswith(f"#!{bin_dir / 'python'}\n")
        done = subprocess.run([bin_dir / "pip", "--version"], capture_output=True, text=True)
        assert done.returncode == 0 and str(target) not in done.stderr
    prefix = subprocess.run(
        [bin_dir / "python", "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True
    )
    assert prefix.stdout.strip() == str(target)


def test_without_a_spare_one_is_made(tmp_path: Path) -> None:
    bin_dir = host_venv.take(tmp_path / "venv")
    assert (bin_dir / "python").exists()


def test_a_spare_of_another_interpreter_is_replaced_not_used(tmp_path: Path) -> None:
    host_venv.make_spare(tmp_path)
    spare = state_dir() / host_venv.SPARE
    (spare / host_venv.MARKER).write_text("/somewhere/else/python 3.0")
    bin_dir = host_venv.take(tmp_path / "venv")
    assert spare.exists()  # left alone: it was not this interpreter's
    assert (tmp_path / "venv" / host_venv.MARKER).read_text() != "/somewhere/else/python 3.0"
    host_venv.make_spare(tmp_path)
    assert (spare / host_venv.MARKER).read_text() == (bin_dir.parent / host_venv.MARKER).read_text()
