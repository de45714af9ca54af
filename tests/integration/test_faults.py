"""Fault injection, as a hostile world does it: pipedeck killed with ``kill -9`` mid-run on
both sides and in both modes, its terminal closed (SIGHUP), its disk full, two docker runs of
one workflow at once. Afterwards nothing of the run is left: no process, no container, no
file holding a secret — the next pipedeck command sweeps what a kill left, and says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, MODES, read_events_until, run_cli, start_cli
from tests.integration.test_pipeline_docker import driver_envs  # noqa: F401  (fixture)
from tests.integration.test_pipeline_runs import component_envs  # noqa: F401  (fixture)
from tui.core.images.containers import run_container_names
from tui.core.pipelines import env as component_env
from tui.core.store import RunStore
from tui.core.sweep import processes_of
from tui.core.workflows.act_cache import shared_cache

SECRET = "fault-9c1e-secret-value"
SLOW_WITH_SECRET = """name: slow secret
on: push
jobs:
  wait:
    runs-on: ubuntu-latest
    steps:
      - name: sleep with a secret
        run: |
          echo "token ${{ secrets.TOKEN }} in the script"
          echo "sleeping now"
          sleep 300
"""
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


@pytest.fixture
def secret_project(tmp_path: Path) -> Path:
    from tests.conftest import git_init

    project = tmp_path / "project"
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / ".github" / "workflows" / "slow.yml").write_text(SLOW_WITH_SECRET)
    (project / ".secrets").write_text(f"TOKEN={SECRET}\n")
    git_init(project)
    (project / ".git" / "info" / "exclude").write_text(".secrets\n")
    return project


@pytest.fixture
def temp_entries() -> Iterator[set[str]]:
    """What the temp folder held before the test: only what the test adds is searched."""
    yield set(os.listdir(tempfile.gettempdir()))


def files_holding(secret: str, roots: list[Path], skip: Path | None = None) -> list[str]:
    found = []
    for root in roots:
        if not root.exists():
            continue
        for path in [root] if root.is_file() else root.rglob("*"):
            if skip is not None and path.is_relative_to(skip):
                continue
            try:
                small = path.is_file() and not path.is_symlink() and path.stat().st_size < 5e6
                if small and secret.encode() in path.read_bytes():
                    found.append(str(path))
            except OSError:
                continue
    return found


def secret_leftovers(state_dir: Path, before: set[str], project: Path) -> list[str]:
    temp = Path(tempfile.gettempdir())
    new = [temp / name for name in os.listdir(temp) if name not in before]
    roots = [state_dir, *new, *shared_cache().glob("[0-9a-f]" * 16)]
    return files_holding(SECRET, roots, skip=project)


def wait_until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        time.sleep(0.1)


def meta(run_id: str) -> dict:
    return json.loads((RunStore().root / run_id / "meta.json").read_text())


@pytest.mark.parametrize("mode", MODES)
def test_kill_9_mid_workflow_then_the_next_command_sweeps_it(
    secret_project, state_dir, temp_entries, mode, request, monkeypatch
) -> None:
    if mode == "docker":
        request.getfixturevalue("runner_image")
        if HOST_CA.is_file():
            monkeypatch.setenv("PIPEDECK_CA_BUNDLE", str(HOST_CA))
    proc = start_cli("run", "workflow", "slow.yml", "--runner", mode, "--json", cwd=secret_project)
    events = read_events_until(proc, "sleeping now")
    run_id = events[0]["run_id"]
    assert all(SECRET not in json.dumps(e) for e in events)
    proc.kill()  # SIGKILL: pipedeck gets no chance to clean up
    proc.wait(timeout=10)
    if mode == "host":
        assert processes_of(run_id), "act and the step should outlive a killed pipedeck"
    else:
        wait_until(lambda: run_container_names(run_id, meta(run_id)["extra"]["containers"]))

    before_sweep = secret_leftovers(state_dir, temp_entries, secret_project)
    assert mode == "docker" or before_sweep, "host mode: act's step script holds the secret"
    swept = run_cli("runs")
    assert swept.code == 0
    assert f"run {run_id} was interrupted" in swept.stderr
    assert "interrupted" in swept.stdout
    assert processes_of(run_id) == []
    recorded = meta(run_id)["extra"].get("containers", [])
    assert run_container_names(run_id, recorded) == []
    assert secret_leftovers(state_dir, temp_entries, secret_project) == []
    assert meta(run_id)["status"] == "interrupted"
    assert run_cli("runs").stderr == ""  # swept once


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_ends_the_run_with_nothing_left(
    secret_project, state_dir, temp_entries, sig
) -> None:
    proc = start_cli(
        "run", "workflow", "slow.yml", "--runner", "host", "--json", cwd=secret_project
    )
    events = read_events_until(proc, "sleeping now")
    run_id = events[0]["run_id"]
    proc.send_signal(sig)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130
    end = json.loads(rest.splitlines()[-1])
    assert end["type"] == "run.finished" and end["status"] == "cancelled"
    assert processes_of(run_id) == []
    assert secret_leftovers(state_dir, temp_entries, secret_project) == []
    assert meta(run_id)["status"] == "cancelled"


PIPELINE_MODES = [
    pytest.param("subprocess", id="subprocess"),
    pytest.param("docker", id="docker", marks=pytest.mark.docker),
]


@pytest.mark.parametrize("mode", PIPELINE_MODES)
def test_kill_9_mid_pipeline_then_the_next_command_sweeps_it(
    state_dir, temp_entries, mode, request, monkeypatch
) -> None:
    if mode == "docker":
        request.getfixturevalue("component_image")
        monkeypatch.setenv(component_env.ENV_DIR_VAR, str(request.getfixturevalue("driver_envs")))
    else:
        monkeypatch.setenv(
            component_env.ENV_DIR_VAR, str(request.getfixturevalue("component_envs"))
        )
    argv = ["run", "pipeline", "slow.py", "--json", "--no-cache", "--runner", mode]
    proc = start_cli(*argv, cwd=FIXTURES / "pipelines")
    events = read_events_until(proc, "started waiting")
    run_id = events[0]["run_id"]
    proc.kill()
    proc.wait(timeout=10)
    if mode == "subprocess":
        assert processes_of(run_id), "the driver and its task should outlive pipedeck"
    else:
        assert run_container_names(run_id), "the task's container should outlive pipedeck"

    swept = run_cli("runs")
    assert f"run {run_id} was interrupted" in swept.stderr
    assert processes_of(run_id) == []
    assert run_container_names(run_id) == []
    temp = Path(tempfile.gettempdir())
    left = [n for n in os.listdir(temp) if n not in temp_entries and n.startswith("tmp")]
    assert not [n for n in left if (temp / n / "ephemeral_component.py").exists()]
    assert not (state_dir / "pipedeck" / "scratch" / run_id).exists()


def test_a_full_state_disk_is_exit_3_and_leaves_whole_lines(tmp_path, monkeypatch) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        project = tmp_path / "project"
        (project / ".github" / "workflows").mkdir(parents=True)
        flood = "name: flood\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        flood += "      - run: seq 1 300000\n"
        (project / ".github" / "workflows" / "flood.yml").write_text(flood)
        from tests.conftest import git_init

        git_init(project)
        monkeypatch.setenv("XDG_STATE_HOME", str(mount))
        result = run_cli("run", "workflow", "flood.yml", "--runner", "host", cwd=project)
        assert result.code == 3, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "no space left for the run store" in lines[0], lines
        assert str(mount / "pipedeck") in lines[0] and "MiB" in lines[0]
        (events,) = (mount / "pipedeck" / "runs").glob("*/events.jsonl")
        assert events.read_bytes().endswith(b"\n")  # never a partial line
        listed = run_cli("runs")
        assert listed.code == 0 and "Traceback" not in listed.stderr
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.mark.docker
def test_a_second_docker_run_of_the_same_workflow_is_refused(
    secret_project, runner_image, monkeypatch
) -> None:
    if HOST_CA.is_file():
        monkeypatch.setenv("PIPEDECK_CA_BUNDLE", str(HOST_CA))
    argv = ["run", "workflow", "slow.yml", "--runner", "docker", "--json"]
    first = start_cli(*argv, cwd=secret_project)
    try:
        events = read_events_until(first, "sleeping now")
        run_id = events[0]["run_id"]
        second = run_cli(*argv, cwd=secret_project)
        assert second.code == 3
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and f"run {run_id} is running slow.yml" in lines[0]
        host = start_cli("run", "workflow", "slow.yml", "--runner", "host", "--json",
                         cwd=secret_project)  # fmt: skip
        try:
            read_events_until(host, "sleeping now")  # host mode runs beside it
        finally:
            host.send_signal(signal.SIGINT)
            host.communicate(timeout=60)
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert run_container_names(run_id, meta(run_id)["extra"]["containers"]) == []


async def test_quitting_the_tui_mid_run_leaves_nothing(secret_project, state_dir, temp_entries):
    from tests.app.conftest import SIZE, column, log_text, select_target, wait_for
    from tui.app.app import PipedeckApp

    app = PipedeckApp(secret_project, runner_mode="host")
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "slow.yml")
        await pilot.press("r")
        await wait_for(pilot, lambda: "sleeping now" in log_text(app))
        run_id = column(app).model.run_id
        assert processes_of(run_id)
        await pilot.press("q")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen", 5)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, 30)
    assert processes_of(run_id) == []
    assert secret_leftovers(state_dir, temp_entries, secret_project) == []
    assert meta(run_id)["status"] == "cancelled"
