"""`pipedeck watch` as a user runs it: real kfp.local and real act, real file changes.

A pipeline: after the first run, an edit of only the last component makes a run in which the
first two tasks are cache hits and the last one ran. A workflow: an edit of a file its `run:`
step names re-runs it, an edit of another file does not, and an edit while it runs cancels
that run and starts a new one."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import BackgroundRun, git_init
from tests.integration.test_pipeline_runs import (  # noqa: F401  (session fixtures)
    component_envs,
    use_component_envs,
)

PIPELINE = """\
from kfp import dsl


@dsl.component
def first(x: int) -> int:
    return x + 1


@dsl.component
def second(x: int) -> int:
    return x * 10


@dsl.component
def third(x: int) -> str:
    return f"third saw {x}"


@dsl.pipeline
def chain(x: int = 1):
    third(x=second(x=first(x=x).output).output)
"""

WORKFLOW = """\
name: ci
on: push
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: sh check.sh
"""


def logs(events: list[dict], run_id: str, node: str = "") -> list[str]:
    return [
        e["text"]
        for e in events
        if e["type"] == "log" and e["run_id"] == run_id and e.get("node_id", "") == node
    ]


def next_run(watch: BackgroundRun) -> tuple[dict, dict]:
    """The next run's run.started and run.finished."""
    started = watch.until("run.started")
    finished = watch.until("run.finished")
    assert finished["run_id"] == started["run_id"]
    return started, finished


def edit(path: Path, text: str) -> None:
    time.sleep(0.3)  # the watcher is up (it starts watching before the first run ends)
    path.write_text(text)


@pytest.fixture
def watching(background):
    def start(root: Path, *args: str) -> BackgroundRun:
        return background(root, "watch", *args, "--json", "--debounce", "100")

    return start


def test_an_edit_of_the_last_component_reruns_it_alone(tmp_path, watching) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "chain.py").write_text(PIPELINE)
    watch = watching(root, "chain.py")
    first, done = next_run(watch)
    assert done["status"] == "success"
    assert any("watch: first run" in t for t in logs(watch.events, first["run_id"]))

    edit(root / "chain.py", PIPELINE.replace('f"third saw {x}"', 'f"third now saw {x}"'))
    again, done = next_run(watch)
    assert done["status"] == "success", done
    run_id = again["run_id"]
    assert any("watch: chain.py changed" in t for t in logs(watch.events, run_id))
    for task in ("first", "second"):
        assert any("cache hit" in t for t in logs(watch.events, run_id, task)), task
    assert not any("cache hit" in t for t in logs(watch.events, run_id, "third"))
    assert any("third now saw 20" in t for t in logs(watch.events, run_id, "third"))


def test_a_workflow_reruns_for_the_file_its_step_names_not_for_others(tmp_path, watching) -> None:
    root = tmp_path / "project"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (root / "check.sh").write_text("echo version one\n")
    (root / "notes.txt").write_text("not used by the workflow\n")
    git_init(root)
    watch = watching(root, "ci.yml", "--runner", "host")
    _, done = next_run(watch)
    assert done["status"] == "success", done

    edit(root / "notes.txt", "changed, and no run for it\n")
    time.sleep(1.0)  # more than the debounce: a run for it would start now
    edit(root / "check.sh", "echo version two\n")
    again, done = next_run(watch)
    run_id = again["run_id"]
    system = logs(watch.events, run_id)
    assert any("watch: check.sh changed" in t for t in system), system  # not notes.txt
    assert done["status"] == "success"
    step = [e for e in watch.events if e["type"] == "log" and e["run_id"] == run_id]
    assert any("version two" in e["text"] for e in step)

    # an edit while a run is going: that run is cancelled, a new one starts
    edit(root / "check.sh", "echo slow && sleep 30\n")
    slow = watch.until("run.started")
    while not any(
        e["type"] == "log" and e["run_id"] == slow["run_id"] and "slow" in e["text"]
        for e in watch.events
    ):
        watch.until("log")
    edit(root / "check.sh", "echo quick\n")
    cancelled = watch.until("run.finished")
    assert cancelled["run_id"] == slow["run_id"] and cancelled["status"] == "cancelled"
    last, done = next_run(watch)
    assert done["status"] == "success"
    assert any(
        e["type"] == "log" and e["run_id"] == last["run_id"] and "quick" in e["text"]
        for e in watch.events
    )
