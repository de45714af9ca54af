"""Real workflows through the real act, driven through the pipedeck CLI as a user would.

Every scenario runs in host mode; in docker mode too where an engine answers (CI starts one).
Each also runs raw act with the same arguments and checks pipedeck reports the same result
for every job.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MODES, CliResult, log_lines, run_cli
from tui.core.workflows.act_argv import free_port


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    if request.param == "docker":
        request.getfixturevalue("runner_image")
    return str(request.param)


def run(project: Path, mode: str, *args: str) -> CliResult:
    return run_cli("run", "workflow", *args, "--runner", mode, "--json", "--project", str(project))


def jobs(result: CliResult) -> dict[str, str]:
    return {
        e["node_id"]: e["status"]
        for e in result.events
        if e["type"] == "node.finished" and e["kind"] == "job"
    }


def steps(result: CliResult, job: str) -> dict[str, str]:
    return {
        e["name"]: e["status"]
        for e in result.events
        if e["type"] == "node.finished" and e["kind"] == "step" and e["parent_id"] == job
    }


def logs(result: CliResult, node_prefix: str = "") -> list[str]:
    return log_lines(result.events, lambda e: e["node_id"].startswith(node_prefix))


def finished(result: CliResult) -> dict:
    (last,) = [e for e in result.events if e["type"] == "run.finished"]
    return last


def raw_act_jobs(
    result: CliResult, project: Path, tmp_path: Path, secret_file: Path | None
) -> dict[str, str]:
    """Run act itself with the argv pipedeck used; its own jobResult per job."""
    argv = list(next(e for e in result.events if e["type"] == "run.started")["argv"])
    for flag, value in (
        ("--secret-file", str(secret_file) if secret_file else None),
        ("--artifact-server-path", str(tmp_path / "raw-artifacts")),
        ("--artifact-server-port", str(free_port())),
    ):
        if flag in argv:
            argv[argv.index(flag) + 1] = value or ""
    done = subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=300)
    out: dict[str, str] = {}
    for line in (done.stdout + "\n" + done.stderr).splitlines():
        if line.startswith("{"):
            rec = json.loads(line)
            if "jobResult" in rec:
                out[rec["job"].split("/", 1)[1].strip()] = rec["jobResult"]
    return out


def test_needs_chain_passes_outputs_and_step_summary(workflow_project, mode, tmp_path) -> None:
    project = workflow_project("chain")
    result = run(project, mode)
    assert result.code == 0, result.stderr
    assert jobs(result) == {"build": "success", "test": "success", "deploy": "success"}
    order = [
        e["node_id"] for e in result.events if e["type"] == "node.started" and e["kind"] == "job"
    ]
    assert order == ["build", "test", "deploy"]
    assert "testing version 1.2.3" in logs(result, "test/")
    assert "### Deployed 1.2.3" in logs(result, "deploy/")
    assert "output version=1.2.3" in logs(result, "build/")
    assert finished(result)["status"] == "success"
    assert raw_act_jobs(result, project, tmp_path, None) == jobs(result)


def test_matrix_legs_are_reported_separately(workflow_project, mode, tmp_path) -> None:
    project = workflow_project("matrix")
    result = run(project, mode)
    assert result.code == 0, result.stderr
    started = {
        e["node_id"]: e for e in result.events if e["type"] == "node.started" and e["kind"] == "job"
    }
    assert len(started) == 2
    assert sorted(e["matrix"]["flavour"] for e in started.values()) == ["chocolate", "vanilla"]
    for node_id, event in started.items():
        assert f"tasting {event['matrix']['flavour']}" in logs(result, node_id + "/")
    assert set(jobs(result).values()) == {"success"}
    assert raw_act_jobs(result, project, tmp_path, None) == jobs(result)


def test_a_failing_step_fails_its_job_and_the_run(workflow_project, mode, tmp_path) -> None:
    project = workflow_project("failing")
    result = run(project, mode)
    assert result.code == 1
    job_status = jobs(result)
    assert job_status["broken"] == "failure"
    assert job_status["tolerant"] == "success"  # continue-on-error
    assert job_status.get("after", "skipped") == "skipped"
    broken = steps(result, "broken")
    assert broken["fails"] == "failure"
    assert broken["never runs"] == "skipped"
    assert broken["report failure"] == "success"  # if: failure()
    assert "cleaning up after failure" in logs(result, "broken/")
    assert "about to fail" in logs(result, "broken/")
    tolerant = steps(result, "tolerant")
    assert tolerant["flaky but tolerated"] == "failure"
    assert tolerant["carries on"] == "success"
    end = finished(result)
    assert end["status"] == "failure" and end["exit_code"] == 1
    assert "broken" in end["error"]
    raw = raw_act_jobs(result, project, tmp_path, None)
    assert raw == {k: v for k, v in job_status.items() if k in raw}
    assert set(raw) >= {"broken", "tolerant"}
    if mode == "docker":  # act keeps a failed job's container unless told not to
        left = subprocess.run(
            ["docker", "ps", "-aq", "--filter", "name=act-failing"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert left.stdout.strip() == ""


def test_secrets_and_add_mask_never_reach_events_or_the_store(
    workflow_project, mode, tmp_path, state_dir
) -> None:
    project = workflow_project("secrets")
    secret_file = tmp_path / "my.secrets"
    secret_file.write_text("API_TOKEN=tok-9f8e7d6c\n")
    result = run(project, mode, "--secret-file", str(secret_file))
    assert result.code == 0, result.stderr
    assert "token is ***" in logs(result, "leak/")
    assert "password is ***" in logs(result, "leak/")
    assert "again *** and ***" in logs(result, "leak/")
    stored = next((state_dir / "pipedeck" / "runs").glob("*/events.jsonl")).read_text()
    for text in (result.stdout, result.stderr, stored):
        assert "tok-9f8e7d6c" not in text
        assert "hunter2-dynamic" not in text
    assert raw_act_jobs(result, project, tmp_path, secret_file) == jobs(result)


def test_workflow_dispatch_with_inputs(workflow_project, mode, tmp_path) -> None:
    project = workflow_project("dispatch")
    result = run(project, mode, "--input", "target=production", "--input", "dry=false")
    assert result.code == 0, result.stderr
    assert "target=production dry=false" in logs(result, "deploy/")
    assert raw_act_jobs(result, project, tmp_path, None) == jobs(result)


def test_dry_run_runs_no_step(workflow_project, mode, tmp_path) -> None:
    project = workflow_project("chain")
    result = run(project, mode, "--dry-run")
    assert result.code == 0, result.stderr
    assert set(jobs(result)) == {"build", "test", "deploy"}
    assert "testing version 1.2.3" not in logs(result)
    assert "--dryrun" in result.events[0]["argv"]
    assert raw_act_jobs(result, project, tmp_path, None) == jobs(result)


def test_json_stdout_equals_the_stored_events(workflow_project, state_dir) -> None:
    project = workflow_project("matrix")
    result = run(project, "host")
    (stored,) = (state_dir / "pipedeck" / "runs").glob("*/events.jsonl")
    assert [json.loads(line) for line in stored.read_text().splitlines()] == result.events
