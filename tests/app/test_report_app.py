"""``i``: the fidelity report of the run on the focused side, in a modal — a real run with
real act that references a secret it was not given lists it, with what to do."""

from __future__ import annotations

from tests.app.conftest import column, select_target, wait_for
from tui.app.screens.report import ItemView, ReportScreen

SIZE = (160, 45)


async def test_i_shows_what_will_differ_on_github(workflow_project, host_app):
    app = host_app(workflow_project("secrets"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")  # nothing ran yet: said, no modal
        assert not isinstance(app.screen, ReportScreen)
        await select_target(pilot, app, "secrets.yml")
        await pilot.press("r")
        await wait_for(pilot, lambda: column(app).model.status in ("success", "failure"))
        app.main.query_one("#workflow-tree").focus()
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        await wait_for(pilot, lambda: screen.items is not None)
        shown = "\n".join(view.text() for view in screen.query(ItemView))
        assert "secrets.API_TOKEN" in shown and "--secret-file" in shown
        assert "leak" in shown  # the node it concerns
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ReportScreen))
