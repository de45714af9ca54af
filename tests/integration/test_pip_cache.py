"""pip's caches offline: setup-python's ``cache: pip`` restores and saves the job's own pip
cache through the actions/cache store by actions/setup-python's key; other runs share one pip
download cache under the state dir, host and docker mode alike, unless they opt out; the run's
log and its fidelity report say so."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MODES, log_lines, run_cli, workflow_file_project
from tui.core.workflows import actions_cache, pip_cache

HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
SETUP_PYTHON = """\
name: pip-cache
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: py
        uses: actions/setup-python@v5
        with:
          python-version: "3.x"
          cache: pip
          cache-dependency-path: requirements-dev.txt
      - name: show
        run: echo "hit=${{ steps.py.outputs.cache-hit }} dir=$(pip cache dir)"
      - name: fill
        run: >-
          test -e "$(pip cache dir)/kept.txt" && echo "kept=yes" || echo "kept=no";
          echo one > "$(pip cache dir)/kept.txt"
"""

SHARED = """\
name: shared
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: >-
          echo "dir=${PIP_CACHE_DIR:-unset} pip=$(pip cache dir 2>&1)";
          ls "${PIP_CACHE_DIR:-/nonexistent}" 2>/dev/null | tr '\\n' ' ' | sed 's/^/seen=/'; echo;
          where=$([ -d /opt/pipedeck/venv ] && echo docker || echo host);
          if [ -n "${PIP_CACHE_DIR:-}" ]; then touch "$PIP_CACHE_DIR/from-$where"; fi
"""


def run(project: Path, mode: str, *extra: str) -> tuple[list[str], list[str]]:
    """The run's log lines, and its system lines."""
    ca = ["--ca-bundle", str(HOST_CA)] if mode == "docker" and HOST_CA.exists() else []
    result = run_cli(
        "run", "workflow", "--offline", "--runner", mode, "--json", *ca, *extra,
        "--project", str(project),
    )  # fmt: skip
    lines = log_lines(result.events)
    assert result.code == 0, "\n".join(lines)[-3000:] + result.stderr
    system = log_lines(result.events, lambda e: e["stream"] == "system")
    return lines, system


def line(lines: list[str], start: str) -> str:
    return next(text for text in lines if text.startswith(start))


def commit(project: Path) -> None:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t.invalid",
        "PATH": "/usr/bin:/bin",
    }
    for argv in (["git", "add", "-A"], ["git", "commit", "-q", "-m", "deps"]):
        subprocess.run(argv, cwd=project, check=True, capture_output=True, env=env)


def hash_files(*contents: bytes) -> str:
    """``hashFiles()`` of files with these contents, in path order."""
    total = hashlib.sha256()
    for content in contents:
        total.update(hashlib.sha256(content).digest())
    return total.hexdigest()


@pytest.mark.parametrize("mode", MODES)
def test_setup_python_cache_pip_restores_the_jobs_pip_cache_by_the_requirements_hash(
    tmp_path: Path, mode: str, request: pytest.FixtureRequest
) -> None:
    if mode == "docker":
        request.getfixturevalue("runner_image")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "requirements-dev.txt").write_bytes(b"six==1.16.0\n")
    project = workflow_file_project(tmp_path, SETUP_PYTHON)

    first, _ = run(project, mode)
    assert line(first, "hit=").startswith("hit=false dir=")
    own = line(first, "hit=").partition("dir=")[2]
    assert own.endswith("/pip-cache") and own != str(pip_cache.folder())  # the job's own
    assert "kept=no" in first
    [entry] = actions_cache.entries()
    # actions/setup-python's key: setup-python-<os>-<release>-python-<version>-pip-<hash>
    assert entry.key.startswith("setup-python-Linux-") and "-python-3." in entry.key
    digest = hash_files(b"six==1.16.0\n")
    assert entry.key.endswith(f"-pip-{digest}")
    assert any(f"Cache saved with key: {entry.key}" in text for text in first)

    second, _ = run(project, mode)
    assert line(second, "hit=").startswith("hit=true dir=")
    assert "kept=yes" in second  # what the first run's job left in its pip cache
    assert any("not saving cache" in text for text in second)

    (project / "requirements-dev.txt").write_bytes(b"six==1.17.0\n")
    commit(project)
    third, _ = run(project, mode)
    assert line(third, "hit=").startswith("hit=false dir=")
    assert "kept=yes" in third  # restored from the older entry by the restore key
    keys = [e.key for e in actions_cache.entries()]
    assert len(keys) == 2 and keys[0].endswith(hash_files(b"six==1.17.0\n"))


def test_cache_pip_without_a_requirements_file_fails_as_setup_python_does(
    tmp_path: Path,
) -> None:
    project = workflow_file_project(tmp_path, SETUP_PYTHON)
    result = run_cli(
        "run", "workflow", "--offline", "--runner", "host", "--json", "--project", str(project)
    )
    assert result.code == 1
    errors = [text for text in log_lines(result.events) if "No file in" in text]
    assert errors and "matched to [requirements-dev.txt or **/pyproject.toml]" in errors[0]


@pytest.mark.docker
def test_host_and_docker_runs_share_one_pip_download_cache(
    tmp_path: Path, runner_image: str
) -> None:
    project = workflow_file_project(tmp_path, SHARED)
    folder = str(pip_cache.folder())

    host, system = run(project, "host")
    assert line(host, "dir=") == f"dir={folder} pip={folder}"
    said = line(system, pip_cache.LINE_START)
    assert f"shared download cache {folder} (PIP_CACHE_DIR)" in said

    docker, _ = run(project, "docker")
    assert line(docker, "dir=") == f"dir={folder} pip={folder}"  # mounted at the same path
    assert "from-host" in line(docker, "seen=")
    assert (pip_cache.folder() / "from-docker").is_file()  # written in the job container

    report = run_cli("report", "last", "--json")
    assert report.code == 0, report.stderr
    items = json.loads(report.stdout)
    assert any("shared pip cache" in item["what"] for item in items)


def test_the_setting_and_the_workflows_env_opt_out_of_the_shared_pip_cache(
    tmp_path: Path,
) -> None:
    project = workflow_file_project(tmp_path, SHARED)
    (project / "pipedeck.toml").write_text("pip_cache = false\n")
    lines, system = run(project, "host")
    assert line(lines, "dir=").startswith("dir=unset")
    assert line(system, pip_cache.LINE_START) == (
        "pip cache: pip's own (the setting pip_cache = false), not pipedeck's shared download cache"
    )
    report = run_cli("report", "last")
    assert "shared pip cache" not in report.stdout

    (project / "pipedeck.toml").unlink()
    workflow = project / ".github" / "workflows" / "ci.yml"
    workflow.write_text(SHARED.replace("jobs:", "env:\n  PIP_NO_CACHE_DIR: '1'\njobs:", 1))
    commit(project)
    lines, system = run(project, "host")
    assert line(lines, "dir=").startswith("dir=unset")
    assert "(ci.yml sets PIP_NO_CACHE_DIR)" in line(system, pip_cache.LINE_START)
    assert not pip_cache.folder().exists()
