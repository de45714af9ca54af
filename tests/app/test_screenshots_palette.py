"""A user saves a screenshot (``S``) on a machine without ``~/Downloads`` and is told where it
went (the shown run's directory, a ``--screenshot-dir``, else the state dir); the command
palette lists pipedeck's own actions before the internals of Textual's widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList

from tests.app.conftest import column, wait_for
from tests.app.conftest import select_target as select_row
from tests.app.scripted import ScriptedSources
from tui.app.app import PipedeckApp
from tui.app.widgets.project_tree import ProjectTree
from tui.core.paths import state_dir
from tui.core.store import RunStore

SIZE = (160, 45)


@pytest.fixture
def no_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    assert not (home / "Downloads").exists()
    return home


def make_app(project: Path, screenshot_dir: Path | None = None) -> PipedeckApp:
    store = RunStore()
    sources = ScriptedSources(store)
    return PipedeckApp(project, sources=sources, store=store, screenshot_dir=screenshot_dir)


def saved_to(app: PipedeckApp) -> Path:
    """The path the last notification gave (``screenshot saved``)."""
    note = list(app._notifications)[-1]
    assert note.title == "screenshot saved", (note.title, note.message)
    return Path(note.message)


async def screenshot(pilot, app: PipedeckApp) -> Path:
    before = len(app._notifications)
    await pilot.press("S")
    await wait_for(pilot, lambda: len(app._notifications) > before, 10)
    return saved_to(app)


async def test_s_saves_in_the_state_dir_before_any_run(workflow_project, no_downloads):
    app = make_app(workflow_project("chain"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        path = await screenshot(pilot, app)
    assert path.parent == state_dir() / "screenshots"
    assert path.is_file() and path.read_text().lstrip().startswith("<svg")
    assert path.name.startswith("screenshot-") and path.suffix == ".svg"


async def test_s_saves_in_the_shown_runs_directory(workflow_project, no_downloads):
    app = make_app(workflow_project("chain"))
    async with app.run_test(size=SIZE) as pilot:
        tree = app.main.query_one(ProjectTree)
        await wait_for(pilot, lambda: "chain.yml" in tree.targets)
        await select_row(pilot, app, "chain.yml")
        await pilot.press("r")
        side = column(app)
        await wait_for(pilot, lambda: side.model.status == "success")
        first = await screenshot(pilot, app)
        second = await screenshot(pilot, app)  # two in one second: both kept
    assert side.record is not None
    assert first.parent == side.record.path == second.parent
    assert first != second and first.is_file() and second.is_file()
    assert "chain.yml" in first.read_text()  # the screen's text is in the SVG


async def test_s_saves_in_the_screenshot_dir_given(workflow_project, no_downloads, tmp_path):
    shots = tmp_path / "shots" / "new"  # made when the first is saved
    app = make_app(workflow_project("chain"), screenshot_dir=shots)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        path = await screenshot(pilot, app)
    assert path.parent == shots and path.is_file()


async def test_a_screenshot_that_cannot_be_saved_says_why(workflow_project, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    app = make_app(workflow_project("chain"), screenshot_dir=blocker / "shots")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("S")
        await wait_for(pilot, lambda: len(app._notifications) > 0, 10)
        note = list(app._notifications)[-1]
    assert note.severity == "error"
    assert note.message == f"could not save a screenshot in {blocker / 'shots'}: Not a directory"


def test_the_cli_refuses_a_screenshot_dir_that_is_a_file(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = cli("tui", "--screenshot-dir", str(blocker), "--project", str(tmp_path))
    assert result.code != 0
    assert f"--screenshot-dir {blocker}: not a directory" in result.stderr
    assert "Traceback" not in result.stderr


async def test_the_palette_lists_the_apps_actions_first(workflow_project):
    app = make_app(workflow_project("chain"))
    async with app.run_test(size=SIZE) as pilot:
        tree = app.main.query_one(ProjectTree)
        await wait_for(pilot, lambda: "chain.yml" in tree.targets)
        tree.focus()
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "CommandPalette")
        palette = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: palette.option_count > 10, 10)
        await pilot.pause(0.3)  # the palette adds what it gathered in batches
        titles = [str(palette.get_option_at_index(i).prompt) for i in range(palette.option_count)]
    names = [title.splitlines()[0] for title in titles]
    assert names[:4] == ["Run", "Dry-run", "Stop", "Re-run"]  # the main screen's keys
    internal = names.index("Cursor to next ancestor")  # the project tree's (Textual's Tree)
    for own in ("History", "Help", "Quit", "Screenshot (SVG)", "Pane 1"):
        assert names.index(own) < internal
    assert names.index("Theme") < internal  # Textual's system commands come before too
    assert names.count("Quit") == 1 and "Screenshot" not in names  # Textual's own replaced
