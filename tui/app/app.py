"""The Textual app. It only wires screens together; the screens do the work. It owns the
keys of every screen: quit, screenshots (``S``, :mod:`tui.app.screenshots`) and the command
palette's order (:mod:`tui.app.palette`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.app import hangup, palette, screenshots
from tui.app.screens import tour as tour_screen
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.main import Adopted, MainScreen
from tui.app.sources import CoreSources, Sources
from tui.core.store import RunStore
from tui.core.workflows.mode import RunnerMode


class PipedeckApp(App[None]):
    TITLE = "pipedeck"
    COMMANDS: ClassVar[set[Any]] = {palette.Commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("S", "screenshot", "Screenshot (SVG)", show=False, key_display="S"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        project: Path,
        sources: Sources | None = None,
        runner_mode: RunnerMode = "auto",
        adopt: Sequence[Adopted] = (),
        notice: str = "",
        tour: bool = False,
        store: RunStore | None = None,
        screenshot_dir: Path | None = None,
    ) -> None:
        """``store``: where runs are recorded and history is read (tests pass a temporary
        one); ``sources``: where targets and runs come from (default: ``tui.core``);
        ``screenshot_dir``: where ``S`` saves (default: the shown run's directory)."""
        super().__init__()
        self.screenshot_dir = screenshot_dir
        self.project = project
        self.store = store or RunStore()
        self.sources = sources or CoreSources(self.store)
        self.main = MainScreen(project, self.sources, self.store, mode=runner_mode, adopt=adopt)
        self.notice = notice
        self.tour = tour

    def on_mount(self) -> None:
        hangup.install(self, self.main.stop_all)  # the terminal closed, a kill: stop runs, end
        self.title = f"pipedeck — {self.project}"
        self.push_screen(self.main)
        if self.notice:
            self.notify(self.notice, severity="warning", timeout=15)
        if self.tour and tour_screen.wanted():
            self.push_screen(tour_screen.TourScreen(self.main))

    async def action_quit(self) -> None:
        running = sorted(self.main.runs)
        if not running:
            self.exit()
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                self.notify("stopping runs…", timeout=10)
                await self.main.stop_all()
                self.exit()

        what = " and ".join(f"the {side} run" for side in running)
        self.push_screen(ConfirmScreen(f"Stop {what} and quit?", yes="Stop and quit"), answered)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action of the current screen (with its key) in the command palette, the
        app's own first (:func:`tui.app.palette.ordered`)."""
        yield from palette.ordered(self, screen, super().get_system_commands(screen))

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """An SVG of the screen, saved where it can be; the notification says where."""
        runs = self.main.run_dirs() if self.main.is_attached else []
        folder = Path(path) if path else self.screenshot_dir
        try:
            folder = screenshots.folder_for(folder, runs)
            saved = screenshots.save(self.export_screenshot(), folder, filename)
        except OSError as exc:
            where = f" in {folder}" if folder else ""
            reason = exc.strerror or str(exc)
            self.notify(f"could not save a screenshot{where}: {reason}", severity="error")
            return
        self.notify(str(saved), title="screenshot saved", timeout=10)
