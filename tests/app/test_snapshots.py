"""The look of each screen, frozen (pytest-textual-snapshot). Scripted runs with fixed ids,
timestamps and durations; fixed environment checks; no cursor blink."""

from __future__ import annotations

import json

from tests.app.conftest import column, run_train, select_target, wait_for
from tests.app.scripted import scripted_app
from tui.app.app import PipedeckApp
from tui.core.paths import runs_dir

SIZE = (160, 45)


def make_app(project, **kwargs) -> PipedeckApp:
    return scripted_app(project, **kwargs)


async def settle(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: "checking" not in str(app.main.query_one("#check-kfp").render()))
    await wait_for(pilot, lambda: app.main.query_one("ProjectTree").target is not None)
    for toast in list(app.query("Toast")):
        toast.remove()
    app.clear_notifications()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.2)  # let tables recompute their column widths


def test_idle_main_screen(snap_compare, workflow_project):
    app = make_app(workflow_project("chain", "dispatch", "matrix"))
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_both_runs_finished(snap_compare, workflow_project):
    app = make_app(workflow_project("chain"))

    async def run_both(pilot) -> None:
        await settle(pilot)
        await select_target(pilot, app, "chain.yml")
        await pilot.press("r")
        await wait_for(pilot, lambda: column(app).model.status == "success")
        await run_train(pilot, app)
        await wait_for(pilot, lambda: column(app, "pipeline").model.status == "success")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_both)


def test_failed_run(snap_compare, workflow_project):
    app = make_app(workflow_project("chain"), fail=True)

    async def run_failing(pilot) -> None:
        await settle(pilot)
        await select_target(pilot, app, "chain.yml")
        await pilot.press("r")
        await wait_for(pilot, lambda: column(app).log_pane.scope == "lint")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_failing)


def test_help_screen(snap_compare, workflow_project):
    app = make_app(workflow_project("chain"))

    async def open_help(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_help)


def test_history_screen(snap_compare, workflow_project):
    project = workflow_project("chain")
    for run_id, kind, target, status, error in (
        ("20260102-030405-aaaa", "workflow", "chain.yml", "success", ""),
        ("20260102-031000-bbbb", "workflow", "failing.yml", "failure", "failed job(s): broken"),
        ("20260102-032000-cccc", "pipeline", "pipelines/train.py:train", "interrupted", ""),
    ):
        folder = runs_dir() / run_id
        folder.mkdir(parents=True)
        meta = {
            "run_id": run_id,
            "kind": kind,
            "target": target,
            "mode": "host" if kind == "workflow" else "subprocess",
            "status": status,
            "duration": 12.5,
            "error": error,
        }
        (folder / "meta.json").write_text(json.dumps(meta))
    app = make_app(project)

    async def open_history(pilot) -> None:
        await settle(pilot)
        await pilot.press("h")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_history)


def test_demo_screen_with_its_tour(snap_compare):
    """`pipedeck demo` opens on the sample project with the tour's first card."""
    from tui.core.demo import sample_project

    app = scripted_app(sample_project(), tour=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)
