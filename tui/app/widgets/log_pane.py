"""A log pane: the virtualised :class:`LogView`, a status line and the search box."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.app.widgets.log_view import DEFAULT_WINDOW, READ_CHUNK, LogView


def window_status(view: LogView) -> list[str]:
    """``1,234 lines`` when the window holds the whole log; else which of the run's lines it
    holds (``last 100,000 of 1,000,000 lines``, ``lines 800,001–900,000 of 1,000,000``), after
    how many of them show when a scope or the filter hides some."""
    start, end, total = view.window_start, view.window_end, view.total
    if start == 0 and end == total:
        return [f"{view.visible_count():,} lines"]
    shown = [f"{view.visible_count():,} shown"] if view.scoped or view.filtering else []
    if end == total:
        return [*shown, f"last {end - start:,} of {total:,} lines"]
    return [*shown, f"lines {start + 1:,}–{end:,} of {total:,}"]


class LogPane(Vertical):
    """Search (``/``, ``n``/``N``), filter (``f``), wrap (``w``), follow (``End``)."""

    DEFAULT_CSS = """
    LogPane {
        height: 1fr;
        & > LogView { height: 1fr; }
        & > #log-status { height: 1; color: $text-muted; background: $panel; padding: 0 1; }
        & > #log-search { display: none; height: 3; }
        &.searching > #log-search { display: block; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("n", "next_match", "Next match"),
        Binding("N", "previous_match", "Previous match", key_display="N"),
        Binding("f", "filter", "Filter"),
        Binding("w", "wrap", "Wrap"),
        Binding("end", "follow", "Follow the tail", show=False, key_display="End"),
        Binding("escape", "close_search", "Close search", show=False, key_display="Esc"),
    ]

    def __init__(
        self,
        *,
        window: int = DEFAULT_WINDOW,
        chunk: int = READ_CHUNK,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.scope = "whole run"
        self._window, self._chunk = window, chunk
        self._status = ""

    def compose(self) -> ComposeResult:
        yield LogView(self._window, chunk=self._chunk)
        yield Static("", id="log-status")
        yield Input(placeholder="search this log (Enter), Esc to close", id="log-search")

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.update_status()

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        self.update_status()

    @on(LogView.Changed)
    def _view_changed(self, event: LogView.Changed) -> None:
        event.stop()
        self.update_status()

    def update_status(self) -> None:
        view = self.view
        parts = [self.scope, *window_status(view)]
        if view.reading:
            parts.append(f"{view.reading}…")
        if view.search:
            where = f"{view.match_index + 1}/{len(view.matches)}" if view.matches else "0"
            parts.append(f"/{view.search} {where}")
        if view.filtering:
            parts.append("filtered")
        if view.wrap:
            parts.append("wrap")
        if not view.follow and view.pending:
            parts.append(f"{view.pending:,} new lines — End to follow")
        elif not view.follow:
            parts.append("paused — End to follow")
        status = " · ".join(parts)
        if status != self._status:  # one line, as wide as the pane: never a new layout
            self._status = status
            self.query_one("#log-status", Static).update(status, layout=False)

    def action_search(self) -> None:
        self.add_class("searching")
        box = self.query_one("#log-search", Input)
        box.value = self.view.search
        box.focus()

    @on(Input.Submitted, "#log-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.view.set_search(event.value.strip())
        self.remove_class("searching")
        self.view.focus()

    def action_close_search(self) -> None:
        if self.has_class("searching"):
            self.remove_class("searching")
            self.view.focus()

    def action_next_match(self) -> None:
        self.view.next_match(1)

    def action_previous_match(self) -> None:
        self.view.next_match(-1)

    def action_filter(self) -> None:
        view = self.view
        if not view.search and not view.filtering:
            self.notify("search first (/): the filter keeps the lines that match", timeout=3)
            return
        view.set_filtering(not view.filtering)

    def action_wrap(self) -> None:
        self.view.set_wrap(not self.view.wrap)

    def action_follow(self) -> None:
        self.view.action_follow()
