"""The sample project's versioned data, as its user works with it in a repository of their
own: real DVC (the versions the sample's requirements.txt pins, in a virtualenv of their
own), real git, the real local S3 server.

- `pipedeck up` puts the tracked data into the DVC remote (a bucket of the local server), so
  `dvc pull` in a fresh clone gets the version the `.dvc` file pins;
- a new data version (`dvc add`, commit the `.dvc` file) is what `pipedeck prepush` shows
  triggering the training workflow; a docs-only change does not trigger it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tui.core.stack import s3
from tui.core.workflows.act_argv import free_port

SAMPLE = REPO / "sample_project"
WORKFLOW = "ml-pipeline.yml"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "pipedeck tests",
    "GIT_AUTHOR_EMAIL": "tests@pipedeck.invalid",
    "GIT_COMMITTER_NAME": "pipedeck tests",
    "GIT_COMMITTER_EMAIL": "tests@pipedeck.invalid",
}


def run(folder: Path, *argv: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        argv,
        cwd=folder,
        env={**os.environ, **GIT_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{' '.join(argv)}: {done.stdout}{done.stderr}"
    return done.stdout


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def dvc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `dvc` command of a virtualenv holding the DVC lines of the sample's requirements."""
    pins = [
        line.strip()
        for line in (SAMPLE / "requirements.txt").read_text().splitlines()
        if line.startswith("dvc")
    ]
    assert any(p.startswith("dvc-s3==") for p in pins), pins
    venv = tmp_path_factory.mktemp("dvc") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *pins],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return venv / "bin" / "dvc"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The sample copied into a git repository of its own, pushed once to a bare remote (so
    prepush has an upstream to diff against)."""
    remote = tmp_path / "remote.git"
    run(tmp_path, "git", "init", "-q", "--bare", str(remote))
    folder = tmp_path / "ml-project"
    shutil.copytree(
        SAMPLE,
        folder,
        ignore=shutil.ignore_patterns("__pycache__", "*.pkl", "metrics.json", "cache", "tmp"),
    )
    run(folder, "git", "init", "-q", "-b", "main")
    run(folder, "git", "add", "-A")
    run(folder, "git", "commit", "-q", "-m", "the sample project")
    run(folder, "git", "remote", "add", "origin", str(remote))
    run(folder, "git", "push", "-q", "-u", "origin", "main")
    return folder


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = free_port()
    monkeypatch.setenv("PIPEDECK_S3_PORT", str(port))
    yield f"http://127.0.0.1:{port}"
    run_cli("down")


def training(project: Path) -> tuple[bool, str]:
    """What `prepush --dry-run --json` decides for the training workflow."""
    result = run_cli("prepush", "--dry-run", "--json", "--project", str(project))
    assert result.code == 0, result.stderr
    (decision,) = [
        e
        for e in result.events
        if e["type"] == "trigger.decided" and e["workflow"].endswith(WORKFLOW)
    ]
    return decision["triggered"], decision["reason"]


def test_git_holds_the_dvc_file_and_not_the_data(project: Path) -> None:
    tracked = run(project, "git", "ls-files").split()
    assert "data/iris.csv.dvc" in tracked and ".dvc/config" in tracked
    assert "data/iris.csv" not in tracked  # data/.gitignore, as `dvc add` wrote it


def test_up_pushes_the_tracked_data_and_a_fresh_clone_pulls_it(
    project: Path, stack: str, dvc: Path, tmp_path: Path
) -> None:
    up = run_cli("up", "--no-build", "--project", str(project))
    assert up.code == 0, up.stderr
    pinned = md5(project / "data" / "iris.csv")
    assert (
        f"DVC remote s3://pipedeck-data/dvcstore: pushed data/iris.csv (md5 {pinned},"
        " tracked by data/iris.csv.dvc)" in " ".join(up.stdout.split())
    )
    client = s3.client(stack)
    stored = client.get_object(
        Bucket="pipedeck-data", Key=f"dvcstore/files/md5/{pinned[:2]}/{pinned[2:]}"
    )
    assert stored["Body"].read() == (project / "data" / "iris.csv").read_bytes()
    again = run_cli("up", "--no-build", "--project", str(project))
    assert "DVC remote s3://pipedeck-data/dvcstore: has data/iris.csv" in " ".join(
        again.stdout.split()
    )

    clone = tmp_path / "clone"
    run(tmp_path, "git", "clone", "-q", "-b", "main", str(tmp_path / "remote.git"), str(clone))
    assert not (clone / "data" / "iris.csv").exists()
    pulled = run(clone, str(dvc), "pull", env=s3.run_env())  # what pipedeck gives a run
    assert "1 file fetched" in pulled
    assert md5(clone / "data" / "iris.csv") == pinned


def test_up_says_what_it_cannot_push(project: Path, stack: str) -> None:
    """The tracked file is neither in the remote nor here (a clone before `dvc pull`), then it
    is here but another version (edited, no `dvc add`): nothing is pushed, each is said."""
    data = project / "data" / "iris.csv"
    original = data.read_bytes()
    data.unlink()
    gone = run_cli("up", "--no-build", "--project", str(project))
    assert gone.code == 0, gone.stderr
    assert "lacks data/iris.csv md5" in gone.stdout and "it is not here" in gone.stdout
    data.write_bytes(original + b"6.0,3.0,4.8,1.8,virginica\n")
    edited = run_cli("up", "--no-build", "--project", str(project))
    assert "the file here is another version" in " ".join(edited.stdout.split())
    client = s3.client(stack)
    assert "pipedeck-data" in {b["Name"] for b in client.list_buckets()["Buckets"]}
    assert not client.list_objects_v2(Bucket="pipedeck-data").get("Contents")  # none pushed


def test_a_new_data_version_triggers_training_and_a_docs_change_does_not(
    project: Path, dvc: Path
) -> None:
    (project / "README.md").write_text((project / "README.md").read_text() + "\nA note.\n")
    run(project, "git", "commit", "-q", "-am", "docs only")
    assert training(project) == (False, "paths: no pattern matched README.md")
    run(project, "git", "push", "-q")

    data = project / "data" / "iris.csv"
    before = (project / "data" / "iris.csv.dvc").read_text()
    data.write_text(data.read_text() + "6.0,3.0,4.8,1.8,virginica\n")
    run(project, str(dvc), "add", "-q", "data/iris.csv")
    after = (project / "data" / "iris.csv.dvc").read_text()
    assert md5(data) in after and md5(data) not in before  # the new version, pinned
    run(project, "git", "add", "data/iris.csv.dvc")
    run(project, "git", "commit", "-q", "-m", "one more flower")
    changed = run(project, "git", "show", "--name-only", "--format=", "HEAD").split()
    assert changed == ["data/iris.csv.dvc"]  # the commit holds the version, not the data
    assert training(project) == (
        True,
        "branches: main matched main; paths: data/*.dvc matched data/iris.csv.dvc",
    )
