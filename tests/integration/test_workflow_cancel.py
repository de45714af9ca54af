"""Ctrl-C / SIGTERM mid-step: act's process group is stopped, the run's containers removed,
exit code 130, and the run stored as cancelled."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time

import psutil
import pytest

from tests.conftest import MODES, read_events_until, start_cli
from tui.core.store import RunStore


def sleepers(seconds: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "sleep" in " ".join(cmdline[:1]) and seconds in cmdline:
            found.append(proc)
    return found


def act_containers() -> list[str]:
    done = subprocess.run(
        ["docker", "ps", "-a", "--filter", "name=act-slow", "--format", "{{.Names}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
@pytest.mark.parametrize("mode", MODES)
def test_cancel_mid_step_leaves_nothing_running(
    workflow_project, mode, sig, request: pytest.FixtureRequest
) -> None:
    if mode == "docker":
        request.getfixturevalue("runner_image")
    project = workflow_project("slow")
    # A sleep length of this test's own, so other runs' sleeps cannot be mistaken for it.
    seconds = str(random.randint(10_000, 99_999))
    workflow = project / ".github" / "workflows" / "slow.yml"
    workflow.write_text(workflow.read_text().replace("sleep 987", f"sleep {seconds}"))
    deadline = time.monotonic() + 120
    proc = start_cli("run", "workflow", "--runner", mode, "--json", "--project", str(project))
    seen = read_events_until(proc, "sleeping now")
    assert time.monotonic() < deadline, "the step never started"
    while mode == "host" and not sleepers(seconds):
        assert time.monotonic() < deadline, "the step's sleep never ran on the host"
        time.sleep(0.05)
    proc.send_signal(sig)
    try:
        rest = proc.stdout.read()
        assert proc.wait(timeout=60) == 130
    finally:
        proc.kill()
    events = seen + [json.loads(line) for line in rest.splitlines()]
    end = events[-1]
    assert end["type"] == "run.finished" and end["status"] == "cancelled"
    steps = {e["name"]: e["status"] for e in events if e["type"] == "node.finished"}
    assert steps["sleep a long time"] == "cancelled"
    assert steps["wait"] == "cancelled"
    time.sleep(0.5)
    assert sleepers(seconds) == []
    if mode == "docker":
        assert act_containers() == []
    (meta,) = RunStore().list()
    assert meta.status == "cancelled" and meta.exit_code == 130
