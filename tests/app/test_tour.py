"""The demo's guided tour points at each pane in turn; once dismissed it is not shown again."""

from __future__ import annotations

from tests.app.conftest import SIZE
from tests.app.scripted import scripted_app
from tui.app.app import PipedeckApp
from tui.app.screens.tour import STOPS, TARGET_CLASS, TourScreen, marker


def pointed_at(app: PipedeckApp) -> list[str]:
    return [w.id or type(w).__name__ for w in app.main.query(f".{TARGET_CLASS}")]


async def test_the_tour_walks_the_panes_and_stays_dismissed(workflow_project) -> None:
    project = workflow_project("chain")
    app = scripted_app(project, tour=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TourScreen)
        assert pointed_at(app) == ["project"]
        await pilot.press("enter")
        assert pointed_at(app) == ["workflow-tree"]
        await pilot.press("enter", "enter", "left")
        assert pointed_at(app) == ["workflow-log"]
        for _ in range(len(STOPS) - 3):
            await pilot.press("enter")
        assert pointed_at(app) == ["StatusBar"]
        await pilot.press("enter")  # the last stop closes it
        await pilot.pause()
        assert not isinstance(app.screen, TourScreen)
        assert pointed_at(app) == []
    assert marker().exists()

    again = scripted_app(project, tour=True)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not isinstance(again.screen, TourScreen)


async def test_escape_closes_the_tour_at_once(workflow_project) -> None:
    app = scripted_app(workflow_project("chain"), tour=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TourScreen) and pointed_at(app) == []
    assert marker().exists()
