"""The demo's copy of the sample project (``tui.core.demo_workspace``): a git repository of
its own whose commit holds the ``.dvc`` file and not the data, made once and made again only
when the bundled files change."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tui.core import demo_workspace

SAMPLE = Path(__file__).resolve().parents[2] / "sample_project"


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout


def test_the_copy_is_a_repository_that_commits_the_dvc_file_not_the_data(
    state_dir: Path,
) -> None:
    copy = demo_workspace.workspace(SAMPLE)
    assert copy == state_dir / "pipedeck" / "demo" / "sample_project"
    committed = git(copy, "ls-files").split()
    assert {"data/iris.csv.dvc", ".dvc/config", "train.py", "pipeline.py"} <= set(committed)
    assert "data/iris.csv" not in committed  # the sample's data/.gitignore, as dvc wrote it
    assert (copy / "data" / "iris.csv").read_bytes() == (SAMPLE / "data" / "iris.csv").read_bytes()
    assert git(copy, "status", "--porcelain") == ""
    assert git(copy, "branch", "--show-current").strip() == "main"


def test_made_again_only_when_the_bundled_files_change(tmp_path: Path, state_dir: Path) -> None:
    source = tmp_path / "sample"
    source.mkdir()
    (source / "train.py").write_text("print('v1')\n")
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\0")
    (source / "model.pkl").write_bytes(b"left by a run")
    copy = demo_workspace.workspace(source)
    first = git(copy, "rev-parse", "HEAD")
    assert git(copy, "ls-files").split() == ["train.py"]
    (copy / "scratch").write_text("a run's leftovers\n")
    assert git(demo_workspace.workspace(source), "rev-parse", "HEAD") == first  # reused
    assert (copy / "scratch").exists()
    (source / "train.py").write_text("print('v2')\n")
    again = demo_workspace.workspace(source)
    assert (again / "train.py").read_text() == "print('v2')\n"
    assert not (again / "scratch").exists()  # made anew
    assert git(again, "log", "--format=%s").splitlines() == ["the sample project"]
