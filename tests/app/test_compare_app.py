"""A user picks two runs in history and compares them: ``space`` marks one, ``c`` on another
opens the comparison (older → newer), Esc goes back. Then the comparison's look, frozen at
three sizes, from two stored runs with fixed events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Static

from tests.app.conftest import wait_for
from tests.app.scripted import scripted_app
from tests.app.test_snapshots import settle
from tests.conftest import run_cli
from tests.runners import T0
from tui.app.screens.compare import CompareScreen
from tui.app.screens.history import MARK, HistoryScreen
from tui.core import events as ev
from tui.core.store import RunStore

SIZES = [(100, 30), (120, 35), (220, 55)]


def cells(screen: CompareScreen, table: str, column: int) -> list[str]:
    found = screen.query_one(f"#{table}", DataTable)
    return [str(found.get_row_at(i)[column]).strip() for i in range(found.row_count)]


async def test_pick_two_runs_in_history_and_compare_them(workflow_project, host_app):
    project = workflow_project("compare")
    for value, code in (("1", 0), ("2", 1), ("1", 0)):
        (project / "value.txt").write_text(value + "\n")
        argv = ("run", "workflow", "--runner", "host", "--offline", "-C", str(project))
        assert run_cli(*argv).code == code
    third, second, first = (m.run_id for m in RunStore().list())  # newest first
    app = host_app(project)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), 5)
        history = app.screen
        assert isinstance(history, HistoryScreen)
        await pilot.press("c")  # nothing marked: it says how
        await pilot.pause()
        assert app.screen is history
        assert any("mark a run with space" in n.message for n in app._notifications)

        await pilot.press("down", "space")  # the second run
        assert history.marked == [second]
        table = history.query_one(DataTable)
        assert str(table.get_cell(second, history._mark_column)) == MARK
        await pilot.press("down", "c")  # c on the first run: marked one vs the cursor's
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), 5)
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert (compare.run_a, compare.run_b) == (first, second)  # older → newer
        await wait_for(pilot, lambda: compare.comparison is not None, 10)
        header = str(compare.query_one("#compare-header", Static).render())
        assert header == f"workflow compare.yml: {first} (success) → {second} (failure)"
        names = cells(compare, "compare-nodes", 0)
        check = names.index("check")
        assert cells(compare, "compare-nodes", 1)[check] == "✓ success"
        assert cells(compare, "compare-nodes", 2)[check] == "✗ failure"
        assert cells(compare, "compare-nodes", 6)[check] == "status"
        assert cells(compare, "compare-metric-table", 0) == ["accuracy"]
        assert cells(compare, "compare-metric-table", 4) == ["+0.01"]
        assert cells(compare, "compare-artifact-table", 0) == ["model"]
        assert cells(compare, "compare-artifact-table", 2) == ["changed"]

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is history, 5)
        await pilot.press("space", "up", "up", "space")  # marks: second, then first, third
        assert history.marked == [first, third]  # a third mark drops the oldest one
        assert str(table.get_cell(second, history._mark_column)) == ""
        await pilot.press("c")  # the two marked, wherever the cursor is
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), 5)
        again = app.screen
        assert isinstance(again, CompareScreen)
        assert (again.run_a, again.run_b) == (first, third)
        await wait_for(pilot, lambda: again.comparison is not None, 10)
        assert again.comparison is not None and again.comparison.artifacts == []
        assert "none changed (2 the same)" in str(
            again.query_one("#compare-artifacts .compare-title", Static).render()
        )
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: app.screen is app.main, 5)


def store_run(run_id: str, minutes: int, events: list[ev.Event], status: str) -> None:
    """A run stored as the lifecycle stores one, at a fixed time."""
    from pathlib import Path

    record = RunStore().create("workflow", "train.yml", Path.cwd(), "host", run_id=run_id)
    for event in events:
        record.append(event)
    record.meta.started = (T0 + timedelta(minutes=minutes)).isoformat()
    record.meta.pid = 0
    record.meta.status = status
    record.write_meta()
    record.close()


def scripted_pair() -> None:
    """train.yml twice: the second run's evaluate failed (upload then never ran), lint is new,
    the model and report changed, a metric moved the wrong way."""

    def run(run_id: str, second: bool) -> list[ev.Event]:
        ts = T0
        out: list[ev.Event] = [
            ev.RunStarted(run_id=run_id, ts=ts, kind="workflow", target="train.yml", mode="host")
        ]
        out.append(ev.NodeStarted(run_id=run_id, ts=ts, node_id="train", name="train", kind="job"))
        steps = [
            ("train/0", "set up python", "success", 2.0),
            ("train/1", "fit model on the full training set", "success", 41.5 if second else 38.0),
            ("train/2", "evaluate", "failure" if second else "success", 6.25),
        ]
        if second:
            steps.insert(1, ("train/lint", "lint", "success", 1.0))
        steps.append(("train/3", "upload model", "not run" if second else "success", None))
        if not second:
            steps.append(("train/4", "notify", "success", 0.5))
        for node_id, name, status, took in steps:
            out.append(
                ev.NodeFinished(
                    run_id=run_id,
                    ts=ts,
                    node_id=node_id,
                    name=name,
                    kind="step",
                    status=status,  # type: ignore[arg-type]
                    duration=took,
                    parent_id="train",
                )
            )
        for name, a, b in (("accuracy", 0.9133, 0.8712), ("loss", 0.2104, 0.3017)):
            for step in range(3):
                value = (b if second else a) - 0.01 * (2 - step)
                out.append(
                    ev.Metric(
                        run_id=run_id, ts=ts, name=name, value=value, step=step, node_id="train/1"
                    )
                )
        if not second:
            out.append(ev.Metric(run_id=run_id, ts=ts, name="epochs", value=3, node_id="train/1"))
        digest = "ab12" * 16 if second else "cd34" * 16
        for name, sha in (
            ("model", digest),
            ("report", None if not second else "ef56" * 16),
            ("data", "0011" * 16),
        ):
            out.append(
                ev.Artifact(
                    run_id=run_id,
                    ts=ts,
                    node_id="train/1",
                    name=name,
                    uri=f"s3://models/{run_id}/{name}",
                    artifact_type="s3.object",
                    sha256=sha,
                )
            )
        failed = "failure" if second else "success"
        out.append(
            ev.NodeFinished(
                run_id=run_id,
                ts=ts,
                node_id="train",
                name="train",
                kind="job",
                status=failed,
                duration=52.0,
            )
        )
        out.append(
            ev.RunFinished(
                run_id=run_id, ts=ts, status=failed, exit_code=1 if second else 0, duration=53.5
            )
        )
        return out

    store_run("20260102-030405-aaaa", 0, run("20260102-030405-aaaa", False), "success")
    store_run("20260102-031000-bbbb", 6, run("20260102-031000-bbbb", True), "failure")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_compare_screen(snap_compare, workflow_project, size):
    project = workflow_project("chain")
    scripted_pair()
    app = scripted_app(project)

    async def open_comparison(pilot) -> None:
        await settle(pilot)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen), 5)
        await pilot.press("space", "down", "c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CompareScreen), 5)
        await wait_for(pilot, lambda: pilot.app.screen.comparison is not None, 10)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=open_comparison)
