"""The run lifecycle: whatever a runner does, a run ends with every node finished once, one
``run.finished``, and its ``meta.json`` finished — for every consumer."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.runners import T0, RaisingRunner, ScriptedRunner, broken_script
from tui.cli.execute import execute
from tui.core import events as ev
from tui.core.errors import EXIT_CANCELLED, EXIT_INTERNAL, BadInput
from tui.core.runner import Run
from tui.core.store import RunStore


def make_run(tmp_path: Path, runner: ScriptedRunner) -> Run:
    store = RunStore(tmp_path / "runs")
    record = store.create("workflow", "ci.yml", tmp_path, "host", run_id=runner.run_id)
    return Run(runner, record)


async def collect(run: Run) -> list[ev.Event]:
    async with contextlib.aclosing(run.events()) as events:
        return [event async for event in events]


def finished_once(events: list[ev.Event | dict]) -> dict[str, str]:
    """Every started node finished exactly once; returns node id -> final status."""
    kinds = [e["type"] if isinstance(e, dict) else e.type for e in events]
    assert kinds[0] == "run.started" and kinds.count("run.started") == 1
    assert kinds[-1] == "run.finished" and kinds.count("run.finished") == 1
    started, finished = Counter(), {}
    for e in events:
        data = e if isinstance(e, dict) else ev.to_dict(e)
        if data["type"] == "node.started":
            started[data["node_id"]] += 1
        elif data["type"] == "node.finished":
            assert data["node_id"] not in finished, f"{data['node_id']} finished twice"
            finished[data["node_id"]] = data["status"]
    assert set(started) == set(finished) and all(n == 1 for n in started.values())
    return finished


def stored(run: Run) -> tuple[list[ev.Event], dict]:
    meta = json.loads((run.record.path / "meta.json").read_text())
    return list(run.record.events()), meta


async def test_a_runner_that_raises_midway_ends_the_run(tmp_path) -> None:
    runner = RaisingRunner("r1", broken_script("r1", "ci.yml"), RuntimeError("parser broke"))
    run = make_run(tmp_path, runner)
    events = await collect(run)
    statuses = finished_once(events)
    # the innermost running node (test's step) and the job it runs under failed; the other
    # open job was cancelled; the finished one kept its result
    assert statuses == {
        "build": "success",
        "test/0": "failure",
        "test": "failure",
        "lint": "cancelled",
    }
    last = events[-1]
    assert isinstance(last, ev.RunFinished)
    assert last.status == "failure" and last.exit_code == EXIT_INTERNAL
    assert "RuntimeError: parser broke" in last.error
    kept, meta = stored(run)
    assert [ev.to_dict(e) for e in kept] == [ev.to_dict(e) for e in events]
    assert meta["status"] == "failure" and meta["exit_code"] == EXIT_INTERNAL
    assert runner.cancelled  # whatever it started was stopped


async def test_a_pipedeck_error_keeps_its_message_and_exit_code(tmp_path) -> None:
    script = broken_script("r1", "ci.yml")[:3]
    run = make_run(tmp_path, RaisingRunner("r1", script, BadInput("--secret-file x: not UTF-8")))
    events = await collect(run)
    last = events[-1]
    assert isinstance(last, ev.RunFinished)
    assert (last.status, last.exit_code, last.error) == ("failure", 2, "--secret-file x: not UTF-8")


async def test_a_runner_that_raises_before_it_starts_still_gives_a_whole_run(tmp_path) -> None:
    run = make_run(tmp_path, RaisingRunner("r1", [], OSError("no such file")))
    events = await collect(run)
    assert [e.type for e in events] == ["run.started", "run.finished"]
    started = events[0]
    assert isinstance(started, ev.RunStarted) and started.target == "ci.yml"
    assert stored(run)[1]["status"] == "failure"


async def test_a_runner_that_stops_without_a_result(tmp_path) -> None:
    run = make_run(tmp_path, ScriptedRunner("r1", broken_script("r1", "ci.yml")))
    events = await collect(run)
    assert finished_once(events)["test/0"] == "failure"
    last = events[-1]
    assert isinstance(last, ev.RunFinished) and last.status == "failure"
    assert "without a result" in last.error


async def test_duplicates_and_events_after_the_end_are_dropped(tmp_path) -> None:
    node = {"run_id": "r1", "ts": T0, "node_id": "a", "name": "a", "kind": "job"}
    script = [
        ev.RunStarted(run_id="r1", ts=T0, kind="workflow", target="ci.yml", mode="host"),
        ev.RunStarted(run_id="r1", ts=T0, kind="workflow", target="ci.yml", mode="host"),
        ev.NodeStarted(**node),
        ev.NodeFinished(**node, status="success"),
        ev.NodeFinished(**node, status="failure"),
        ev.RunFinished(run_id="r1", ts=T0, status="success", exit_code=0, duration=1.0),
        ev.Log(run_id="r1", ts=T0, text="after the end"),
    ]
    events = await collect(make_run(tmp_path, ScriptedRunner("r1", script)))
    assert [e.type for e in events] == [
        "run.started",
        "node.started",
        "node.finished",
        "run.finished",
    ]
    assert finished_once(events) == {"a": "success"}


class Blocking(ScriptedRunner):
    """Plays its script, then waits for ever (a long step) until cancelled."""

    def __init__(self, run_id: str, script: list[ev.Event]) -> None:
        super().__init__(run_id, script)
        self.stopped = asyncio.Event()

    async def events(self) -> AsyncIterator[ev.Event]:
        for event in self.script:
            yield event
        await self.stopped.wait()
        yield ev.RunFinished(
            run_id=self.run_id, status="cancelled", exit_code=EXIT_CANCELLED, duration=1.0
        )

    async def cancel(self) -> None:
        self.cancelled = True
        self.stopped.set()


async def test_a_cancel_makes_every_open_node_cancelled(tmp_path) -> None:
    run = make_run(tmp_path, Blocking("r1", broken_script("r1", "ci.yml")))
    seen: list[ev.Event] = []

    async def consume() -> None:
        async with contextlib.aclosing(run.events()) as events:
            async for event in events:
                seen.append(event)
                if isinstance(event, ev.NodeStarted) and event.node_id == "lint":
                    await run.cancel()

    await consume()
    statuses = finished_once(seen)
    assert statuses == {
        "build": "success",
        "test/0": "cancelled",
        "test": "cancelled",
        "lint": "cancelled",
    }
    assert stored(run)[1]["status"] == "cancelled"


@pytest.mark.parametrize("how", ["task cancelled", "stopped reading"])
async def test_a_consumer_that_goes_away_still_finishes_the_run_in_the_store(tmp_path, how) -> None:
    runner = Blocking("r1", broken_script("r1", "ci.yml"))
    run = make_run(tmp_path, runner)
    if how == "task cancelled":
        task = asyncio.create_task(collect(run))
        while run.state.nodes.get("lint") is None:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    else:
        async with contextlib.aclosing(run.events()) as events:
            async for event in events:
                if isinstance(event, ev.NodeStarted) and event.node_id == "lint":
                    break
    kept, meta = stored(run)
    assert finished_once(kept)["test/0"] == "cancelled"
    assert meta["status"] == "cancelled"
    assert runner.cancelled


def test_the_cli_json_output_of_a_broken_run_is_whole(tmp_path, capsys) -> None:
    runner = RaisingRunner("r1", broken_script("r1", "ci.yml"), RuntimeError("parser broke"))
    run = make_run(tmp_path, runner)
    code = execute(run, json_out=True)
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == EXIT_INTERNAL
    assert finished_once(printed)["test"] == "failure"
    assert "parser broke" in printed[-1]["error"]
    kept, meta = stored(run)
    assert [json.loads(ev.dumps(e)) for e in kept] == printed
    assert meta["status"] == "failure"
