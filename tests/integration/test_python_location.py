"""The setup-python stand-in's Python lives where GitHub's does, in the same place from run to
run (``<tool cache>/Python/<version>/x64``), fresh each job: so the common "cache the
installed requirements" pattern — actions/cache of ``env.pythonLocation``, keyed by the
requirements' hash — hits on the next run as it does on GitHub, and misses when the
requirements change. In host mode, where runs share the machine, a job that finds another
live job's Python in that place gets one of its own and says so."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MODES, REPO, log_lines, run_cli, workflow_file_project

WORKFLOW = """\
name: installed-cache
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.x"
      - id: cache
        uses: actions/cache@v4
        with:
          path: ${{ env.pythonLocation }}
          key: ${{ runner.os }}-${{ env.pythonLocation }}-${{ hashFiles('requirements.txt') }}
      - name: install
        run: pip install -r requirements.txt
      - name: report
        run: >-
          echo "hit=${{ steps.cache.outputs.cache-hit }} location=$pythonLocation
          six=$(python -c 'import six, os; print(os.path.dirname(six.__file__))')"
"""


def run(project: Path, mode: str) -> list[str]:
    result = run_cli(
        "run", "workflow", "--offline", "--runner", mode, "--json", "--project", str(project)
    )
    lines = log_lines(result.events)
    assert result.code == 0, "\n".join(lines)[-3000:] + result.stderr
    return lines


def commit(project: Path) -> None:
    who = ["-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    for argv in (["git", "add", "-A"], ["git", *who, "commit", "-qm", "requirements"]):
        subprocess.run(argv, cwd=project, check=True, capture_output=True)


def report(lines: list[str]) -> dict[str, str]:
    text = next(line for line in lines if line.startswith("hit="))
    return dict(part.split("=", 1) for part in text.split())


@pytest.mark.parametrize("mode", MODES)
def test_cached_installed_requirements_hit_on_the_next_run(
    tmp_path, state_dir, mode, request
) -> None:
    if mode == "docker":
        request.getfixturevalue("runner_image")
    project = workflow_file_project(tmp_path, WORKFLOW)
    (project / "requirements.txt").write_text("six\n")
    commit(project)

    first = run(project, mode)
    one = report(first)
    assert one["hit"] == "false"
    assert one["location"].endswith("/x64") and "/Python/3." in one["location"]
    assert one["six"].startswith(one["location"])  # installed into the stand-in's Python
    assert any("Successfully installed six" in line for line in first)

    second = run(project, mode)
    two = report(second)
    assert two["hit"] == "true"
    assert two["location"] == one["location"]  # the same place, as GitHub's tool cache
    assert any("Requirement already satisfied: six" in line for line in second)
    assert not any("Successfully installed" in line for line in second)

    (project / "requirements.txt").write_text("six\n# changed\n")
    commit(project)
    third = run(project, mode)
    assert report(third)["hit"] == "false"  # a new key: a fresh Python, a fresh install
    assert any("Successfully installed six" in line for line in third)


def setup_python(home: Path, temp: Path) -> tuple[str, str]:
    """Run the stand-in's setup.sh as act would for a job whose RUNNER_TEMP is ``temp``: the
    venv it made (pythonLocation) and what it printed."""
    temp.mkdir(parents=True, exist_ok=True)
    files = {name: temp / name for name in ("env", "path", "output")}
    for path in files.values():
        path.touch()
    env = {
        **os.environ,
        "RUNNER_TEMP": str(temp),
        "PIPEDECK_PYTHON_HOME": str(home),
        "GITHUB_ENV": str(files["env"]),
        "GITHUB_PATH": str(files["path"]),
        "GITHUB_OUTPUT": str(files["output"]),
        "WANTED": "3",
    }
    script = REPO / "localstack" / "actions" / "setup-python" / "setup.sh"
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    location = files["env"].read_text().strip().removeprefix("pythonLocation=")
    return location, done.stdout


def test_a_live_job_keeps_its_python_place_from_another(tmp_path) -> None:
    home = tmp_path / "tool_cache"
    first, _ = setup_python(home, tmp_path / "job-a" / "tmp")
    assert first.startswith(f"{home}/Python/3.") and first.endswith("/x64")

    # job a still runs (its RUNNER_TEMP is there): job b gets a place of its own
    second, said = setup_python(home, tmp_path / "job-b" / "tmp")
    assert second.startswith(str(tmp_path / "job-b" / "tmp"))
    assert "is another running job's Python" in said
    assert Path(first, "bin", "python").exists()  # job a's venv untouched

    # job a ended (act removed its folder): the place is free again, made fresh
    subprocess.run(["rm", "-rf", str(tmp_path / "job-a")], check=True)
    Path(first, "leftover").write_text("from the last job\n")
    third, said = setup_python(home, tmp_path / "job-c" / "tmp")
    assert third == first
    assert "another running job" not in said
    assert not Path(first, "leftover").exists()
