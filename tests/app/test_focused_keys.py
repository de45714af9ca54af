"""A user's keys go where the user is: what is typed into a prompt stays in it (``f`` then
``s`` filters for ``s``, it stops nothing), and the run keys act on the focused side (``R`` in
the pipeline pane re-runs the pipeline while a workflow is running)."""

from __future__ import annotations

from textual.keys import key_to_character
from textual.widgets import Input

from tests.app.conftest import column, run_train, wait_for
from tests.app.conftest import select_target as select_row
from tests.app.scripted import ScriptedSources, scripted_app
from tui.app.app import PipedeckApp
from tui.app.widgets.log_pane import LogPane
from tui.app.widgets.log_view import LogView
from tui.app.widgets.project_tree import ProjectTree
from tui.core.run_state import LogLine

SIZE = (160, 45)


def sources(app: PipedeckApp) -> ScriptedSources:
    assert isinstance(app.sources, ScriptedSources)
    return app.sources


async def select_target(pilot, app: PipedeckApp, name: str) -> None:
    tree = app.main.query_one(ProjectTree)
    await wait_for(pilot, lambda: name in tree.targets, 30)
    tree.cursor_line = 0  # from the top: the rows below are looked at
    await select_row(pilot, app, name)


def notes(app: PipedeckApp) -> list[str]:
    return [n.message for n in app._notifications]


async def run_workflow(pilot, app: PipedeckApp) -> LogPane:
    await select_target(pilot, app, "chain.yml")
    await pilot.press("r")
    side = column(app)
    await wait_for(pilot, lambda: side.model.status == "success")
    await pilot.press("3")  # the workflow log pane
    return side.log_pane


async def test_f_opens_a_prompt_holding_the_search_and_keeps_the_keys_typed(workflow_project):
    app = scripted_app(workflow_project("chain"))
    async with app.run_test(size=SIZE) as pilot:
        pane = await run_workflow(pilot, app)
        view = pane.view
        await pilot.press("slash", *"line 1", "enter")
        assert view.search == "line 1" and not view.filtering
        assert app.focused is view
        started = list(sources(app).started)

        await pilot.press("f")
        await pilot.pause()
        box = pane.query_one("#log-prompt", Input)
        assert app.focused is box and box.display
        assert box.value == "line 1" and box.border_title == "filter: the lines that match"
        assert box.selection == (0, len("line 1"))  # selected: typing replaces it
        await pilot.press("end", "space", "s", "r")  # "stop", "run": letters of the filter
        await pilot.pause()
        assert box.value == "line 1 sr"
        assert app.screen is app.main  # no run form
        assert sources(app).started == started  # nothing ran
        assert "nothing is running" not in notes(app)
        assert not view.filtering  # not applied before Enter

        await pilot.press("escape")  # closes, changes nothing
        assert not box.display and app.focused is view
        assert view.search == "line 1" and not view.filtering

        await pilot.press("f", "ctrl+u", *"lint", "enter")
        assert view.search == "lint" and view.filtering
        assert view.visible_count() == len(view.matches) == 3  # lint's three lines
        assert "filtered" in str(pane.query_one("#log-status").render())
        await pilot.press("f", "ctrl+u", "enter")  # an empty filter: every line again
        assert not view.filtering and view.search == ""


async def test_no_key_bound_on_the_screen_or_the_app_acts_while_typing_in_a_prompt(
    workflow_project,
):
    app = scripted_app(workflow_project("chain"))
    async with app.run_test(size=SIZE) as pilot:
        pane = await run_workflow(pilot, app)
        keys = sorted(app.screen.active_bindings)  # every key bound where the prompt opens
        await pilot.press("slash")
        await pilot.pause()
        box = pane.query_one("#log-prompt", Input)
        assert app.focused is box
        box.value = ""
        typed = [key for key in keys if (char := key_to_character(key)) and char.isprintable()]
        assert {"r", "R", "s", "d", "q", "h", "S", "1", "question_mark", "f", "n"} <= set(typed)
        started = list(sources(app).started)
        for key in typed:
            await pilot.press(key)
        await pilot.pause()
        assert box.value == "".join(key_to_character(key) or "" for key in typed)
        assert app.is_running and app.screen is app.main and app.focused is box
        assert sources(app).started == started
        assert not pane.view.wrap  # w was typed, not pressed


async def test_keys_typed_into_the_run_form_stay_in_its_fields(workflow_project):
    app = scripted_app(workflow_project("chain"))
    async with app.run_test(size=SIZE) as pilot:
        await select_target(pilot, app, "pipelines/train.py:train")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RunFormScreen")
        await pilot.click("#param-lr")
        field = app.screen.query_one("#param-lr", Input)
        await pilot.press("q", "S", "s", "R", "question_mark", "1")
        await pilot.pause()
        assert field.value == "1"  # a float field refuses the letters; none reached the app
        assert app.is_running and app.screen.__class__.__name__ == "RunFormScreen"
        assert not sources(app).started


async def test_wrap_keeps_the_line_at_the_top_in_view(workflow_project):
    app = scripted_app(workflow_project("chain"))
    async with app.run_test(size=SIZE) as pilot:
        pane = await run_workflow(pilot, app)
        view: LogView = pane.view
        long = [f"line {n} " + "x" * 300 for n in range(200)]
        view.append([LogLine("test/1", "stdout", text) for text in long])
        await pilot.pause()
        view.scroll_to(y=120, animate=False, immediate=True)
        await pilot.pause()
        top = view._top_number()
        assert top is not None and not view.follow
        await pilot.press("w")
        await pilot.pause()
        assert view.wrap and view._top_number() == top
        await pilot.press("w")
        await pilot.pause()
        assert not view.wrap and view._top_number() == top

        view.scroll_end(animate=False, immediate=True)  # at the tail, following it
        await pilot.pause()
        assert view.follow
        top = view._top_number()
        await pilot.press("w")  # the lines at the top stay; the tail goes below the screen
        await pilot.pause()
        assert view.wrap and view._top_number() == top
        assert not view.follow and "End to follow" in str(pane.query_one("#log-status").render())
        await pilot.press("end", "w")  # End follows again; unwrapped, the tail is in view
        await pilot.pause()
        assert not view.wrap and view.follow


async def test_r_keys_act_on_the_focused_side(workflow_project):
    app = scripted_app(workflow_project("chain"), delay=0.1)
    async with app.run_test(size=SIZE) as pilot:
        pipeline, workflow = column(app, "pipeline"), column(app)
        await run_train(pilot, app)
        await wait_for(pilot, lambda: pipeline.model.status == "success", 30)
        first = pipeline.model.run_id

        await select_target(pilot, app, "chain.yml")
        await pilot.press("r")  # the workflow runs (slowly)
        await wait_for(pilot, lambda: "workflow" in app.main.runs)

        await pilot.press("4")  # the pipeline's run tree
        await pilot.press("R")  # the pipeline side's last request, again: no question
        await pilot.pause()
        assert app.screen is app.main  # not "A workflow run is going. Stop it…?"
        await wait_for(pilot, lambda: pipeline.model.run_id not in ("", first))
        assert "workflow" in app.main.runs  # the workflow goes on
        assert len([r for r in sources(app).started if "-p" in r]) == 2

        await pilot.press("s")  # stops the pipeline side's run only
        await wait_for(pilot, lambda: pipeline.model.status == "cancelled", 30)
        assert "workflow" in app.main.runs and workflow.model.status == "running"

        await pilot.press("5")  # the pipeline log, while a workflow is selected on the left
        await pilot.press("r")  # runs the pipeline side's target: its form
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RunFormScreen")
        assert app.screen.title_text == "run pipelines/train.py:train"
        await pilot.press("escape")
        await pilot.press("d")  # a dry-run is a workflow's
        await pilot.pause()
        assert "dry-run is for workflows (act --dryrun)" in notes(app)
        await wait_for(pilot, lambda: workflow.model.status == "success", 30)
        await pilot.press("s")
        await pilot.pause()
        assert "no pipeline run is going" in notes(app)
