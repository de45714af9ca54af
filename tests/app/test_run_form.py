"""The parameter form refuses what a parameter's type refuses, naming the field, and keeps
the form open; a valid value goes through."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input

from tests.app.scripted import PIPELINE
from tui.app.screens.run_form import PipelineOptions, RunFormScreen


class FormApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.answer: object = "no answer yet"

    def on_mount(self) -> None:
        def answered(result: object) -> None:
            self.answer = result

        self.push_screen(RunFormScreen("run train", pipeline=PIPELINE), answered)


async def test_a_required_float_left_empty_is_refused_then_a_number_runs() -> None:
    app = FormApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, RunFormScreen)
        epochs = screen.query_one("#param-epochs", Input)
        assert epochs.type == "integer"  # typing `1.5` cannot get a `.` in
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.screen is screen  # still open
        lr = screen.query_one("#param-lr", Input)
        assert lr.has_class("-invalid") and app.focused is lr
        shown = [n.message for n in app._notifications]
        assert "lr: required (a value of its type)" in shown
        await pilot.press(*"0.01")
        assert not lr.has_class("-invalid")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.answer, PipelineOptions)
        assert app.answer.params == {"epochs": "3", "lr": "0.01"}
