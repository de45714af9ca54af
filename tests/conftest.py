"""Shared fixtures: every test gets its own state dir; helpers to build fixture projects and
run the real ``pipedeck`` CLI as a user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


# The runner modes a workflow test runs in (docker: where a Docker engine is).
MODES = [
    pytest.param("host", id="host"),
    pytest.param("docker", id="docker", marks=pytest.mark.docker),
]


# Inputs of the test suite itself, never read by pipedeck (tests/cluster/conftest.py).
SUITE_INPUTS = frozenset({"PIPEDECK_CLUSTER_IMAGES"})


@pytest.fixture(autouse=True)
def clean_pipedeck_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with no ``PIPEDECK_*`` setting from the user's environment (a test
    that wants one sets it with ``monkeypatch``); child processes inherit the clean env."""
    for name in [n for n in os.environ if n.startswith("PIPEDECK_")]:
        if name not in SUITE_INPUTS:
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runs are stored under a per-test XDG_STATE_HOME (inherited by child processes)."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


def git_init(folder: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "pipedeck tests",
        "GIT_AUTHOR_EMAIL": "tests@pipedeck.invalid",
        "GIT_COMMITTER_NAME": "pipedeck tests",
        "GIT_COMMITTER_EMAIL": "tests@pipedeck.invalid",
    }
    for argv in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", "fixture"],
    ):
        subprocess.run(argv, cwd=folder, env=env, check=True, capture_output=True)


def workflow_file_project(tmp_path: Path, text: str, name: str = "ci.yml") -> Path:
    """A git project whose one workflow (``name``) is ``text``."""
    project = tmp_path / "project"
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / ".github" / "workflows" / name).write_text(text)
    git_init(project)
    return project


class BackgroundRun:
    """A ``pipedeck … --json`` started in the background, its events read as they come."""

    def __init__(self, root: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", *args],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.events: list[dict] = []

    def until(self, kind: str) -> dict:
        """Read events up to the next one of type ``kind`` (and return it)."""
        assert self.proc.stdout is not None and self.proc.stderr is not None
        for line in self.proc.stdout:
            event = json.loads(line)
            self.events.append(event)
            if event["type"] == kind:
                return event
        raise AssertionError(f"no {kind} event (stderr: {self.proc.stderr.read()[-2000:]})")

    def finish(self) -> int:
        self.until("run.finished")
        return self.proc.wait(timeout=120)

    def stop(self) -> None:
        """A test that failed midway: stop the run as a user does (act and its steps go)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def background() -> Iterator[Callable[..., BackgroundRun]]:
    """Start ``pipedeck ARGS…`` in the background (stopped at the end if still going)."""
    started: list[BackgroundRun] = []

    def start(root: Path, *args: str) -> BackgroundRun:
        started.append(BackgroundRun(root, *args))
        return started[-1]

    yield start
    for run in started:
        run.stop()


@pytest.fixture
def workflow_project(tmp_path: Path) -> Callable[..., Path]:
    """A git project holding the named fixture workflows in .github/workflows/."""

    def make(*names: str) -> Path:
        project = tmp_path / "project"
        folder = project / ".github" / "workflows"
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(FIXTURES / "workflows" / f"{name}.yml", folder / f"{name}.yml")
        (project / "README.md").write_text("fixture project\n")
        git_init(project)
        return project

    return make


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def log_lines(events: list[dict], keep: Callable[[dict], bool] = lambda e: True) -> list[str]:
    """Every log line of ``events`` whose event ``keep`` accepts (one ``log`` event may carry
    several consecutive lines of one node)."""
    return [
        line for e in events if e["type"] == "log" and keep(e) for line in e["text"].split("\n")
    ]


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> CliResult:
    """The real CLI in a child process (``python -m tui``), as a user runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli


def build_component_envs(root: Path, pipeline: Path) -> Path:
    """The component environment ``pipeline`` needs, built once under ``root`` (what a
    session or module fixture hands to runs through PIPEDECK_COMPONENT_ENV_DIR)."""
    from tui.core.pipelines import env as component_env
    from tui.core.pipelines.compile import load_pipeline

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(component_env.ENV_DIR_VAR, str(root))
        loaded = load_pipeline(str(pipeline), pipeline.parent, root / "probe")
        component_env.ensure(
            component_env.component_env(loaded.spec.packages, loaded.spec.pip_options)
        )
    return root


def start_cli(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    """The real CLI in the background (a test then signals it, as Ctrl-C would)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_events_until(proc: subprocess.Popen[str], log_text: str) -> list[dict]:
    """``--json`` events from ``proc`` up to and including the log line ``log_text``."""
    assert proc.stdout is not None
    events: list[dict] = []
    for line in proc.stdout:
        events.append(json.loads(line))
        if events[-1]["type"] == "log" and log_text in events[-1]["text"].split("\n"):
            return events
    raise AssertionError(f"the run ended before it logged {log_text!r}: {events[-3:]}")
