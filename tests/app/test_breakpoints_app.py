"""Breakpoints from the app (real act, host mode): `b` on a step of the run tree marks it for
the next run, the run pauses there (⏸), `c` goes on; `B` and `r` retry a failing step."""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import SIZE, column, select_target, wait_for
from tests.conftest import workflow_file_project as project
from tui.app.widgets.run_tree import BREAKPOINT

WORKFLOW = """\
name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
      - name: second
        run: echo two
      - run: echo three
"""


def label(side, node_id: str) -> str:
    return str(side.run_tree._by_id[node_id].label)


async def test_b_marks_a_step_the_next_run_pauses_there_and_c_goes_on(tmp_path, host_app):
    app = host_app(project(tmp_path, WORKFLOW))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "ci.yml")
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: side.model.status == "success")
        side.run_tree.focus()
        side.run_tree.select_node_id("build/1")
        await wait_for(pilot, lambda: side.run_tree.cursor_node.data == "build/1", 10)
        await pilot.press("b")
        assert label(side, "build/1").startswith(BREAKPOINT)  # shown on the node
        assert app.main.breakpoints[app.main.workflow_file] == {"build/2": "build/1"}
        app.main.query_one("ProjectTree").focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: "build/1" in side.model.nodes, 30)
        await wait_for(pilot, lambda: side.model.nodes["build/1"].status == "paused", 30)
        await wait_for(pilot, lambda: "⏸" in label(side, "build/1"), 10)
        assert side.model.nodes["build/0"].status == "success"
        assert "build/2" not in side.model.nodes or side.model.nodes["build/2"].status != "success"
        await pilot.press("c")
        await wait_for(pilot, lambda: side.model.status == "success", 30)
        assert side.model.nodes["build/2"].status == "success"


async def test_capital_b_breaks_on_failure_and_r_retries(tmp_path, host_app):
    root = project(tmp_path, WORKFLOW.replace("echo two", "test -f fixed"))
    app = host_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "ci.yml")
        await pilot.press("B")
        assert app.main.break_on_failure
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: "build/1" in side.model.nodes, 30)
        await wait_for(pilot, lambda: side.model.nodes["build/1"].status == "paused", 30)
        pause = app.main._pause()
        assert pause is not None and pause.reason == "failure"
        Path(pause.cwd, "fixed").touch()  # what the user would do in the shell (e)
        await pilot.press("r")
        await wait_for(pilot, lambda: side.model.status == "success", 30)
        assert side.model.nodes["build/1"].status == "success"
