"""The status bar: one cell per environment check, "checking…" until its worker answers."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

CHECKS = {
    "docker": "Docker",
    "image": "runner image",
    "act": "act",
    "kfp": "kfp",
}


class StatusBar(Horizontal):
    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        & > Static { width: auto; padding: 0 2 0 1; }
    }
    """

    def compose(self) -> ComposeResult:
        for name, title in CHECKS.items():
            yield Static(self._cell(title, "checking…", None), id=f"check-{name}")

    @staticmethod
    def _cell(title: str, text: str, ok: bool | None) -> Text:
        mark = {True: ("●", "green"), False: ("●", "red"), None: ("○", "dim")}[ok]
        return Text.assemble((mark[0], mark[1]), f" {title}: ", (text, "dim" if ok is None else ""))

    def set_check(self, name: str, text: str, ok: bool | None) -> None:
        cell = self.query_one(f"#check-{name}", Static)
        cell.update(self._cell(CHECKS.get(name, name), text, ok))
        cell.tooltip = text
