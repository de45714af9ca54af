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
        shown = wait_screen(session, "✓ ml-pipeline.yml", 600)
        shown = wait_screen(session, "✓ pipeline.py:ml_pipeline", 600)
        assert "upload: ./model.pkl to s3://my-model-storage/model.pkl" in shown
        assert "test_accuracy" in shown  # the metrics pane
        assert "The workflow run" not in shown  # the tour stayed closed
        tmux("send-keys", "-t", session, "q")
        wait_screen(session, "PIPEDECK-EXITED-0", 30)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        down = [sys.executable, "-m", "tui", "down"]  # the demo started the S3 server
        subprocess.run(
            down, capture_output=True, env={**os.environ, "XDG_STATE_HOME": str(state_dir)}
        )
