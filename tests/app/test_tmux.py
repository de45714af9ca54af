"""The real ``pipedeck`` in a real terminal (tmux): open it, run a workflow with keys, read the
screen with ``capture-pane``, quit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tui.core.statuses import RUNNING
from tui.core.store import RunStore

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def tmux(*args: str) -> str:
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, check=True)
    return done.stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_screen(session: str, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen:\n{shown}")


def test_pipedeck_in_tmux_runs_a_workflow(workflow_project, state_dir: Path):
    project = workflow_project("chain")
    session = f"pipedeck-test-{uuid.uuid4().hex[:8]}"
    command = (
        f"cd {project} && unset COLUMNS LINES && XDG_STATE_HOME={state_dir} PIPEDECK_RUNNER=host "
        f"{sys.executable} -m tui; echo PIPEDECK-EXITED-$?; sleep 30"
    )
    tmux("new-session", "-d", "-s", session, "-x", "180", "-y", "45", command)
    tmux("resize-window", "-t", session, "-x", "180", "-y", "45")
    try:
        wait_screen(session, "chain.yml")  # discovery answered
        wait_screen(session, "act: 0.2")  # the status bar's worker answered
        tmux("send-keys", "-t", session, "r")
        shown = wait_screen(session, "deploying 1.2.3")
        shown = wait_screen(session, "✓ deploy")
        assert "✓ use version" in shown
        assert "success" in shown
        tmux("send-keys", "-t", session, "q")
        wait_screen(session, "PIPEDECK-EXITED-0", 20)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_pipedeck_demo_in_tmux(state_dir: Path, tmp_path: Path):
    """`pipedeck demo`: the tour, then both of the sample project's runs finish side by side."""
    from tui.core.workflows.act_argv import free_port

    ca = Path("/etc/ssl/certs/ca-certificates.crt")  # this machine's proxy CA, when present
    ca_env = f"PIPEDECK_CA_BUNDLE={ca} " if ca.exists() else ""
    session = f"pipedeck-demo-{uuid.uuid4().hex[:8]}"
    command = (
        f"cd {tmp_path} && unset COLUMNS LINES && XDG_STATE_HOME={state_dir} "
        f"PIPEDECK_S3_PORT={free_port()} {ca_env}"
        f"{sys.executable} -m tui demo; echo PIPEDECK-EXITED-$?; sleep 30"
    )
    tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", command)
    tmux("resize-window", "-t", session, "-x", "200", "-y", "50")
    try:
        wait_screen(session, "[1] The project", 60)  # the tour's first card
        tmux("send-keys", "-t", session, "Enter")
        wait_screen(session, "[2] The workflow run")
        tmux("send-keys", "-t", session, "Escape")
        shown = wait_screen(session, "✓ success  ml-pipeline.yml", 600)  # the headers
        shown = wait_screen(session, "✓ success  pipeline.py:ml_pipeline", 600)
        # the log's last lines (a frame after the header); the line's source prefix leaves
        # the bucket's name past the pane's edge
        shown = wait_screen(session, "upload: ./model.pkl to s3://", 10)
        assert "test_accuracy" in shown  # the metrics pane
        assert "The workflow run" not in shown  # the tour stayed closed
        # both runs' records finished (a header can show success a moment before the run's
        # post steps and record end: `q` then would ask whether to stop a running run)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            runs = RunStore().list()
            if len(runs) == 2 and all(run.status != RUNNING for run in runs):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"the demo's runs did not finish: {RunStore().list()}")
        tmux("send-keys", "-t", session, "q")
        wait_screen(session, "PIPEDECK-EXITED-0", 30)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        down = [sys.executable, "-m", "tui", "down"]  # the demo started the S3 server
        subprocess.run(
            down, capture_output=True, env={**os.environ, "XDG_STATE_HOME": str(state_dir)}
        )


def test_the_terminal_closing_mid_run_stops_the_run_and_pipedeck(workflow_project, state_dir):
    """SIGHUP from a pty that is gone: the run is stopped, its record finished, and pipedeck
    ends — not stuck restoring a terminal that no longer exists, spinning on its input."""
    project = workflow_project("slow")
    session = f"pipedeck-hangup-{uuid.uuid4().hex[:8]}"
    pid_file = state_dir / "pipedeck.pid"
    state_dir.mkdir(parents=True, exist_ok=True)
    command = (
        f"cd {project} && unset COLUMNS LINES CI && XDG_STATE_HOME={state_dir} "
        f"PIPEDECK_RUNNER=host exec {sys.executable} -c "
        f"\"import os, sys; open('{pid_file}', 'w').write(str(os.getpid())); "
        f"sys.argv = ['pipedeck']; from tui.entry import main; main()\""
    )
    tmux("new-session", "-d", "-s", session, "-x", "180", "-y", "45", command)
    try:
        wait_screen(session, "slow.yml")
        wait_screen(session, "act: 0.2")
        tmux("send-keys", "-t", session, "r")
        wait_screen(session, "sleeping now")
        pid = int(pid_file.read_text())
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.2)
    assert not alive(pid), "pipedeck outlived its terminal"
    left = subprocess.run(["pgrep", "-f", "sleep 987"], capture_output=True, text=True)
    assert left.stdout.strip() == "", "the step's process outlived the terminal"
    (meta,) = (state_dir / "pipedeck" / "runs").glob("*/meta.json")
    assert '"status": "cancelled"' in meta.read_text()


def alive(pid: int) -> bool:
    """``pid`` runs (a zombie waiting for tmux to reap it has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
