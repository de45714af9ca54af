"""pipedeck reports what act reports: for each class of workflow where the two once disagreed,
a fixture project (``tests/fixtures/fidelity/``) run through ``pipedeck run workflow`` and
through act itself with the same flags; exit code, every job's result and the count of step
results by status must be the same (``tests/act_oracle.py``). pipedeck may show more — a job
act never reported is ``not run`` — never something different.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.act_oracle import Report, pipedeck_report, raw_act, raw_argv, started_argv
from tests.conftest import FIXTURES, MODES, CliResult, git_init, log_lines, run_cli


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    if request.param == "docker":
        request.getfixturevalue("runner_image")
    return str(request.param)


@pytest.fixture
def fidelity_project(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        project = tmp_path / "project"
        shutil.copytree(FIXTURES / "fidelity" / name, project)
        git_init(project)
        return project

    return make


def run(project: Path, mode: str, *args: str) -> CliResult:
    return run_cli("run", "workflow", *args, "--runner", mode, "--json", cwd=project, timeout=300)


def both(
    project: Path, mode: str, tmp_path: Path, *args: str, workflow: str = "", raw_extra=()
) -> tuple[Report, Report, CliResult]:
    """pipedeck's report and act's own for the same flags."""
    result = run(project, mode, *args)
    assert "Traceback" not in result.stderr, result.stderr
    mine = pipedeck_report(result.events, result.code)
    argv = raw_argv(started_argv(result.events), tmp_path, extra=raw_extra)
    return mine, raw_act(argv, project, workflow), result


def logs(result: CliResult, node_id: str) -> list[str]:
    return log_lines(result.events, lambda e: e.get("node_id") == node_id)


def statuses(result: CliResult, kind: str) -> dict[str, str]:
    return {
        e["node_id"]: e["status"]
        for e in result.events
        if e["type"] == "node.finished" and e["kind"] == kind
    }


def test_windows_and_macos_jobs_are_skipped_as_act_skips_them(
    fidelity_project, mode, tmp_path
) -> None:
    project = fidelity_project("platforms")
    mine, raw, result = both(project, mode, tmp_path, "platforms.yml", workflow="platforms")
    assert mine == raw
    assert raw.jobs == {
        "linux": "success",
        "windows": "skipped",
        "mac": "skipped",
        "after-windows": "skipped",
    }
    assert any("-P windows-latest=" in line for line in logs(result, "windows"))


def test_a_platform_the_user_maps_runs(fidelity_project, mode, tmp_path, request) -> None:
    project = fidelity_project("platforms")
    target = "-self-hosted" if mode == "host" else request.getfixturevalue("runner_image")
    mine, raw, _ = both(
        project,
        mode,
        tmp_path,
        "platforms.yml",
        "-P",
        f"windows-latest={target}",
        workflow="platforms",
    )
    assert mine == raw
    assert raw.jobs["windows"] == "success" and raw.jobs["after-windows"] == "success"
    assert raw.jobs["mac"] == "skipped"


def test_an_undeclared_input_goes_through(fidelity_project, mode, tmp_path) -> None:
    project = fidelity_project("inputs")
    args = ("dispatch.yml", "--input", "target=prod", "--input", "extra=yes")
    mine, raw, _ = both(project, mode, tmp_path, *args, workflow="dispatch")
    assert mine == raw
    assert raw.code == 0 and raw.jobs == {"show": "success"}


def test_the_payload_gives_a_required_input(fidelity_project, mode, tmp_path) -> None:
    project = fidelity_project("inputs")
    args = ("dispatch.yml", "--event", "workflow_dispatch", "-e", "event.json")
    mine, raw, result = both(project, mode, tmp_path, *args, workflow="dispatch")
    assert mine == raw
    assert raw.code == 0 and raw.jobs == {"show": "success"}
    assert "--eventpath" in started_argv(result.events)


def test_a_repeated_matrix_key_selects_each_value(fidelity_project, mode, tmp_path) -> None:
    project = fidelity_project("matrix")
    args = ("nodes.yml", "--matrix", "node:8", "--matrix", "node:8.x")
    mine, raw, result = both(project, mode, tmp_path, *args, workflow="nodes")
    assert mine == raw
    assert sorted(raw.jobs.values()) == ["success", "success"]
    legs = {
        e["matrix"]["node"]
        for e in result.events
        if e["type"] == "node.started" and e["kind"] == "job"
    }
    assert legs == {"8", "8.x"}


def test_an_action_from_a_local_repository(fidelity_project, mode, tmp_path) -> None:
    project = fidelity_project("local_action")
    args = ("greet.yml", "--local-repository", "someone/greet-action@v1=./local-greet")
    mine, raw, result = both(project, mode, tmp_path, *args, workflow="greet")
    assert mine == raw
    assert raw.code == 0 and raw.jobs == {"hello": "success"}
    argv = started_argv(result.events)
    assert f"someone/greet-action@v1={project / 'local-greet'}" in argv  # made absolute


def test_a_file_act_rejects_gets_no_invented_result(fidelity_project, mode, tmp_path) -> None:
    project = fidelity_project("rejected")
    mine, raw, result = both(project, mode, tmp_path, "val.yml", workflow="val")
    assert mine == raw
    assert raw.code == 1 and raw.jobs == {}
    text = "\n".join(e.get("text", "") for e in result.events if e["type"] == "log")
    assert "workflow is not valid" in text


def test_an_action_act_cannot_fetch_adds_no_step(fidelity_project, mode, tmp_path) -> None:
    project = fidelity_project("unreachable_action")
    mine, raw, result = both(project, mode, tmp_path, "err.yml", workflow="err")
    assert mine == raw
    assert raw.jobs == {"remote": "failure"}
    # act's error is on the job: no failed step act never gave a result for (its Post
    # step act reports skipped)
    assert "failure" not in statuses(result, "step").values()
    assert any("no-such-action" in line for line in logs(result, "remote"))


def test_a_reusable_workflow_is_a_group_over_the_called_jobs(
    fidelity_project, mode, tmp_path
) -> None:
    project = fidelity_project("reusable")
    mine, raw, result = both(project, mode, tmp_path, "caller.yml", workflow="caller")
    assert mine == raw
    assert raw.jobs == {
        "prepare": "success",
        "call/called/first": "success",
        "call/called/second": "success",
        "after": "success",
    }
    assert statuses(result, "group") == {"call": "success"}
    parents = {e["node_id"]: e["parent_id"] for e in result.events if e["type"] == "node.started"}
    assert parents["call/called/first"] == parents["call/called/second"] == "call"
    assert "call" not in statuses(result, "job")


def test_a_folder_runs_every_workflow_keyed_by_workflow(fidelity_project, mode, tmp_path) -> None:
    project = fidelity_project("folder")
    mine, raw, result = both(project, mode, tmp_path, "ci/")
    assert mine == raw
    assert raw.jobs == {"alpha/build": "success", "beta/build": "success"}  # gamma: not push
    names = {e["node_id"]: e["name"] for e in result.events if e["type"] == "node.started"}
    assert names["alpha/build"] == "alpha › build"
    assert "-W" in (argv := started_argv(result.events))
    assert argv[argv.index("-W") + 1] == ".github/workflows/ci/"


def test_pipedecks_check_warns_and_act_decides(fidelity_project, mode, tmp_path) -> None:
    project = fidelity_project("lenient")
    mine, raw, result = both(project, mode, tmp_path, ".github/workflows/")
    assert mine == raw
    assert raw.code == 1 and raw.jobs == {"good/ok": "success"}  # act ran what it could
    warnings = [
        e["text"]
        for e in result.events
        if e["type"] == "log" and "pipedeck's check; act decides" in e["text"]
    ]
    assert any("needs unknown job 'ghost'" in w for w in warnings)


def test_a_file_with_an_unknown_need_alone(fidelity_project, mode, tmp_path) -> None:
    project = fidelity_project("lenient")
    mine, raw, result = both(project, mode, tmp_path, "needs.yml", workflow="needs")
    assert mine == raw
    assert raw.code == 1 and raw.jobs == {}
    assert result.stderr == ""  # act's answer, not a pipedeck refusal
