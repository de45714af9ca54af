"""``?``: every key of the main screen, its panes and the app, with what it does, and what
each status glyph means (the one table in ``tui.core.statuses``)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.app.screens.history import HistoryScreen
from tui.app.widgets.log_pane import LogPane
from tui.core.statuses import legend

PANES = "1 project · 2 workflow run · 3 workflow log · 4 pipeline run · 5 pipeline log · 6 metrics"


def _rows(bindings: list[BindingType]) -> list[tuple[str, str]]:
    rows = []
    for item in bindings:
        if not isinstance(item, Binding) or not item.description:
            continue
        keys = item.key_display or item.key
        rows.append((keys, item.description))
    return rows


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_help", "Close", key_display="Esc"),
    ]

    def __init__(self, main: Screen[None]) -> None:
        super().__init__()
        self.main = main

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2), expand=True)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        sections: list[tuple[str, list[tuple[str, str]]]] = [
            ("Runs", _rows([b for b in self.main.BINDINGS if not _is_pane(b)])),
            ("Panes", [("1…6", PANES), ("tab / shift+tab", "Next / previous pane")]),
            ("Inner loop", LOOP_KEYS),
            ("History (h)", _rows(HistoryScreen.BINDINGS)),
            ("Debugging", DEBUG_KEYS),
            ("Log pane", _rows(LogPane.BINDINGS)),
            ("Trees", [("↑ ↓ / enter", "Move / expand"), ("space", "Toggle a node")]),
            ("Run pane", [("g", "The run's tree or its DAG (↑ ↓ move between nodes)")]),
            ("App", APP_KEYS),
        ]
        for title, rows in sections:
            table.add_row(Text(title, style="bold underline"), "")
            for keys, description in rows:
                table.add_row(keys, description)
            table.add_row("", "")
        table.add_row(Text("Statuses", style="bold underline"), "")
        for row in legend():
            table.add_row(Text(f"{row.glyph} {row.name}", style=row.style), row.meaning)
        with VerticalScroll(id="help"):
            yield Static(table)

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "pipedeck keys"
        self.query_one("#help").border_subtitle = "Esc closes"

    def action_dismiss_help(self) -> None:
        self.dismiss(None)


APP_KEYS = [  # tui.app.app
    ("q / ctrl+c", "Quit (asks when a run is going)"),
    ("S", "Screenshot (SVG, in the shown run's folder; the path is said)"),
    ("ctrl+p", "Commands"),
]

LOOP_KEYS = [  # tui.app.screens.loop_keys
    ("W", "Watch: run on each change (W again: off)"),
    ("F", "Re-run the failed jobs of the workflow run"),
    ("t", "On a run's task: run the pipeline from it"),
]

DEBUG_KEYS = [  # tui.app.screens.debug_keys
    ("b", "Breakpoint on the step or task (next run)"),
    ("B", "Break on failure (next run)"),
    ("c", "Continue a paused step"),
    ("k", "Skip a paused step"),
    ("e", "Shell where it runs (pdb where a Python task raised)"),
    ("r", "Retry a step paused after failing"),
    ("a", "Abort the paused run"),
]


def _is_pane(binding: BindingType) -> bool:
    return isinstance(binding, Binding) and binding.action.startswith("focus_pane")
