"""Offline stand-ins for setup-python, upload/download-artifact and cache, in host and docker
mode: the step's Python is a per-run virtualenv, never the runner's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import MODES, log_lines, run_cli
from tui.core.store import RunStore

HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


def logs(result, prefix: str = "") -> list[str]:
    return log_lines(result.events, lambda e: e["node_id"].startswith(prefix))


@pytest.mark.parametrize("mode", MODES)
def test_offline_standins_run_the_workflow(workflow_project, mode, request) -> None:
    if mode == "docker":
        request.getfixturevalue("runner_image")
    project = workflow_project("offline")
    extra = ["--ca-bundle", str(HOST_CA)] if HOST_CA.exists() else []
    result = run_cli(
        "run",
        "workflow",
        "--offline",
        "--runner",
        mode,
        "--json",
        *extra,
        "--project",
        str(project),
    )
    assert result.code == 0, "\n".join(logs(result))[-3000:] + result.stderr
    text = "\n".join(logs(result))
    assert "offline: local stand-ins replace actions/setup-python@v5" in text
    for action in ("setup-python", "cache", "upload-artifact", "download-artifact"):
        assert f"pipedeck: offline stand-in for actions/{action}" in text
    prefix = next(line for line in logs(result, "build/") if line.startswith("prefix "))
    # python is the stand-in's venv, in GitHub's tool-cache layout (Python/<version>/x64)
    assert re.search(r"/Python/3\.\d+\.\d+/x64$", prefix), prefix
    six = next(line for line in logs(result, "build/") if "six from " in line)
    assert prefix.split()[-1] in six  # pip install landed in it, not in the runner's Python
    assert "accuracy 0.97" in logs(result, "check/")
    artifacts = RunStore().get("last").artifacts_dir
    assert (artifacts / "report" / "out" / "report.txt").read_text().strip() == "accuracy 0.97"


def test_setup_python_standin_fails_clearly_for_a_missing_version(workflow_project) -> None:
    project = workflow_project("oldpython")
    result = run_cli(
        "run", "workflow", "--offline", "--runner", "host", "--json", "--project", str(project)
    )
    assert result.code == 1
    errors = [line for line in logs(result, "legacy/") if line.startswith("error")]
    assert any("Python 2.6 is not available on this runner" in line for line in errors)


@pytest.mark.parametrize("mode", MODES)
def test_pip_install_without_setup_python_lands_in_a_per_run_venv(
    workflow_project, mode, request, state_dir
) -> None:
    if mode == "docker":
        request.getfixturevalue("runner_image")
    project = workflow_project("pipinstall")
    extra = ["--ca-bundle", str(HOST_CA)] if HOST_CA.exists() else []
    result = run_cli(
        "run", "workflow", "--runner", mode, "--json", *extra, "--project", str(project)
    )
    assert result.code == 0, "\n".join(logs(result))[-3000:] + result.stderr
    six = next(line for line in logs(result) if "six from " in line)
    prefix = next(line for line in logs(result) if line.startswith("prefix "))
    if mode == "host":
        scratch = state_dir / "pipedeck" / "scratch"  # the run's own folder
        assert str(scratch) in prefix and str(scratch) in six
        assert list(scratch.iterdir()) == []  # removed when the run ended
    else:
        assert "/opt/pipedeck/venv" in prefix


def test_an_artifact_name_that_would_escape_the_run_fails_its_step(workflow_project) -> None:
    project = workflow_project("escape")
    argv = ["run", "workflow", "--offline", "--runner", "host", "--json"]
    result = run_cli(*argv, "--project", str(project))
    assert result.code == 1
    ended = {e["node_id"]: e for e in result.events if e["type"] == "node.finished"}
    assert ended["up"]["status"] == "failure"
    upload = [e for e in ended.values() if e["name"] == "actions/upload-artifact@v4"]
    assert upload and {e["status"] for e in upload} == {"failure"}  # that step, and why
    assert any("artifact name is not valid: ../../escaped" in text for text in logs(result, "up/"))
    run_dir = RunStore().get("last").path
    assert not (run_dir / "escaped").exists() and not (run_dir.parent / "escaped").exists()
    assert list(run_dir.parent.parent.rglob("escaped")) == []
