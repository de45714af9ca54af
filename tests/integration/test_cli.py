"""The CLI as a user meets it: one-line errors with the right exit codes, run history."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli


def assert_one_line_error(result, code: int, *fragments: str) -> None:
    assert result.code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pipedeck: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["nope.yml"], ["nope.yml: no such workflow file"]),
        (["chain.yml", "--job", "ghost"], ["--job ghost", "build, test, deploy"]),
        (["chain.yml", "--event", "pull_request"], ["--event pull_request", "push"]),
        (["chain.yml", "--runner", "vm"], ["--runner vm"]),
        (["chain.yml", "--matrix", "nocolon"], ["--matrix 'nocolon'"]),
        (["matrix.yml", "--matrix", "size:big"], ["--matrix size", "flavour"]),
        (["chain.yml", "--input", "a=b"], ["--input", "workflow_dispatch"]),
        (["dispatch.yml"], ["--input target=VALUE is required"]),
        (["dispatch.yml", "--input", "target=moon"], ["choose one of staging, production"]),
        (["chain.yml", "--secret-file", "missing.env"], ["--secret-file missing.env"]),
        ([], ["several workflows"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(workflow_project, args, fragments) -> None:
    project = workflow_project("chain", "matrix", "dispatch")
    runner = [] if "--runner" in args else ["--runner", "host"]
    result = run_cli("run", "workflow", *args, *runner, "--project", str(project))
    assert_one_line_error(result, 2, *fragments)


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "bad.yml").write_text("on: push\njobs:\n  a:\n    steps: [\n")
    result = run_cli("run", "workflow", "bad.yml", "--project", str(tmp_path))
    assert_one_line_error(result, 2, "bad.yml:", "malformed YAML")
    listing = run_cli("list", "--project", str(tmp_path))
    assert_one_line_error(listing, 2, "bad.yml:")


def test_missing_project_dir() -> None:
    assert_one_line_error(run_cli("list", "--project", "/no/such/dir"), 2, "--project")


def test_usage_errors_are_one_line_too() -> None:
    assert_one_line_error(run_cli("run", "workflow", "--bogus"), 2, "--bogus", "--help")
    assert_one_line_error(run_cli("frobnicate"), 2, "frobnicate")
    assert run_cli("--help").code == 0


def test_docker_mode_without_an_engine_is_exit_3(workflow_project) -> None:
    project = workflow_project("chain")
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "run",
            "workflow",
            "--runner",
            "docker",
            "--project",
            str(project),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr.count("\n") == 1 and "no Docker engine answers" in done.stderr
    # nothing ran, so nothing is stored
    assert run_cli("runs").stdout.strip() == "no runs yet"


def test_history_lists_shows_and_prints_logs(workflow_project) -> None:
    project = workflow_project("failing")
    assert run_cli("run", "workflow", "--runner", "host", "--project", str(project)).code == 1
    runs = run_cli("runs")
    assert runs.code == 0 and "failing.yml" in runs.stdout and "failure" in runs.stdout
    show = run_cli("show", "last")
    assert show.code == 0
    for text in ("broken", "tolerant", "failure", "success"):
        assert text in show.stdout
    logs = run_cli("logs", "last", "--node", "broken")
    assert "before the failure" in logs.stdout
    assert "still here" not in logs.stdout
    everything = run_cli("logs", "last")
    assert "still here" in everything.stdout
    assert_one_line_error(run_cli("logs", "last", "--node", "ghost"), 2, "--node ghost")
    assert_one_line_error(run_cli("show", "nope"), 2, "no stored run matches 'nope'")


def test_human_output_has_tree_lines_and_summary(workflow_project) -> None:
    project = workflow_project("chain")
    result = run_cli("run", "workflow", "--runner", "host", "--project", str(project))
    assert result.code == 0, result.stderr
    assert "[test › use version] testing version 1.2.3" in result.stdout
    assert "✓ deploy" in result.stdout
    assert "Summary" in result.stdout and "run success" in result.stdout


def test_list_shows_stages_matrix_and_inputs(workflow_project) -> None:
    project = workflow_project("chain", "matrix", "dispatch")
    result = run_cli("list", "--project", str(project))
    assert result.code == 0
    for text in (
        "stage 1",
        "stage 3",
        "needs: build, test",
        "matrix flavour=vanilla",
        "target: choice (required)",
    ):
        assert text in result.stdout


def test_list_shows_pipelines_with_parameters_and_tasks(workflow_project) -> None:
    from tests.conftest import FIXTURES

    project = workflow_project("chain")
    (project / "simple.py").write_text((FIXTURES / "pipelines" / "simple.py").read_text())
    result = run_cli("list", "--project", str(project))
    assert result.code == 0, result.stderr
    for text in ("Pipelines", "simple.py:simple", "count: int = 3", "read-data  needs: make-data"):
        assert text in result.stdout


def test_validate(workflow_project, tmp_path: Path) -> None:
    project = workflow_project("chain", "matrix")
    ok = run_cli("validate", "--project", str(project))
    assert ok.code == 0, ok.stdout + ok.stderr
    assert "✓ .github/workflows/chain.yml" in ok.stdout
    (project / ".github" / "workflows" / "typo.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n"
    )
    bad = run_cli("validate", "--project", str(project))
    assert bad.code == 1
    assert "✗" in bad.stdout and "typo.yml" in bad.stdout
    (project / "broken_pipeline.py").write_text(
        "from kfp import dsl\n\n@dsl.pipeline\ndef p():\n    undefined_task()\n"
    )
    broken = run_cli("validate", "--project", str(project))
    assert broken.code == 1
    assert "broken_pipeline.py:" in broken.stdout
