"""The Textual app. It only wires screens together; the screens do the work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.app import hangup
from tui.app.screens import tour as tour_screen
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.main import Adopted, MainScreen
from tui.app.sources import CoreSources, Sources
from tui.core.store import RunStore
from tui.core.workflows.mode import RunnerMode


class PipedeckApp(App[None]):
    TITLE = "pipedeck"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
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
    ) -> None:
        """``store``: where runs are recorded and history is read (tests pass a temporary
        one); ``sources``: where targets and runs come from (default: ``tui.core``)."""
        super().__init__()
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

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action of the current screen (with its key) in the command palette."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or binding.system:
                continue
            seen.add(binding.action)
            node, action = active.node, binding.action

            async def run(node: object = node, action: str = action) -> None:
                await self.run_action(action, node)  # type: ignore[arg-type]

            yield SystemCommand(
                binding.description, f"{binding.action} — key {binding.key_display or key}", run
            )
