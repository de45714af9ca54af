"""The app of ``pipedeck prepush --tui``: one screen, the push's runs side by side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tui.app import hangup
from tui.app.screens.prepush import Decision, Ended, Outcomes, PrepushScreen, Start


class PrepushApp(App[None]):
    TITLE = "pipedeck prepush"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self, title: str, decisions: Sequence[Decision], groups: Sequence[Sequence[Start]]
    ) -> None:
        super().__init__()
        self.outcomes = Outcomes()
        self.screen_ = PrepushScreen(title, decisions, groups, self.outcomes)

    def on_mount(self) -> None:
        hangup.install(self, self.screen_.stop_all)  # the terminal closed, a kill: stop runs, end
        self.push_screen(self.screen_)

    async def action_quit(self) -> None:
        await self.screen_.action_quit()


def run_prepush(
    title: str, decisions: Sequence[Decision], groups: Sequence[Sequence[Start]]
) -> list[Ended]:
    """Show the decisions and run the groups side by side until the user quits; each run's
    end, in the order asked."""
    app = PrepushApp(title, decisions, groups)
    app.run()
    order = {name: i for i, name in enumerate(name for group in groups for name, _ in group)}
    return sorted(app.outcomes.ended, key=lambda e: order.get(e.name, len(order)))
