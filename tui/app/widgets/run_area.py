"""The centre of the main screen: the workflow run and the pipeline run.

Wide (≥ 160 columns), the two columns stand side by side. Narrower (the screen has the
``-narrow`` class, set by :func:`fit_layout` on each resize), one column shows at a time
under a tab per side; each tab has its side's status glyph, so the other side's state stays
in sight. Focusing a pane of the hidden side (its number key), or a run starting there (unless
the user works in the shown side's panes), brings its tab to the front.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Tab, Tabs

from tui.app.widgets.run_column import TITLES, RunColumn
from tui.app.widgets.run_tree import status_icon

SIDES = (("workflow", (2, 3)), ("pipeline", (4, 5)))
SHOWN = "-shown"  # the column a narrow layout shows


class RunArea(Vertical):
    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(self._label(side, ""), id=f"tab-{side}") for side, _ in SIDES))
        with Horizontal(id="columns"):
            for side, numbers in SIDES:
                column = RunColumn(side, numbers=numbers, id=side)
                if side == SIDES[0][0]:
                    column.add_class(SHOWN)
                yield column

    @property
    def shown(self) -> str:
        """The side a narrow layout shows."""
        return next((c.kind for c in self.query(RunColumn) if c.has_class(SHOWN)), SIDES[0][0])

    def show_side(self, side: str) -> None:
        if side != self.shown:
            self.query_one(Tabs).active = f"tab-{side}"  # TabActivated shows it

    @on(Tabs.TabActivated)
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        side = (event.tab.id or "").removeprefix("tab-")
        for column in self.query(RunColumn):
            column.set_class(column.kind == side, SHOWN)

    @on(RunColumn.StatusShown)
    def _status_shown(self, event: RunColumn.StatusShown) -> None:
        column = event.column
        tab = self.query_one(f"#tab-{column.kind}", Tab)
        tab.label = self._label(column.kind, column.model.status)
        if isinstance(event, RunColumn.Began) and not self._busy_elsewhere(column):
            self.show_side(column.kind)

    def _busy_elsewhere(self, column: RunColumn) -> bool:
        """The user works in the other side's column (its tree or log has the focus)."""
        focused = self.screen.focused
        return focused is not None and any(
            other is not column and other in focused.ancestors for other in self.query(RunColumn)
        )

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.reveal(event.widget)

    def reveal(self, widget: Widget) -> None:
        """Show the side ``widget`` is on (a pane focused, or the tour pointing at it)."""
        for column in self.query(RunColumn):
            if column in widget.ancestors_with_self:
                self.show_side(column.kind)

    @staticmethod
    def _label(side: str, status: str) -> Text:
        """``✓ workflow run``: short, so both tabs fit at any width (the header names the
        target)."""
        return Text.assemble(status_icon(status), f" {TITLES[side]}")


WIDE = 160  # columns from which the two runs stand side by side


def fit_layout(screen: Widget, width: int) -> None:
    """The screen's layout class for its width: ``-narrow`` below :data:`WIDE` (one side at a
    time, a tab per side), none at or above it (side by side); the rules are in main.tcss."""
    screen.set_class(width < WIDE, "-narrow")
