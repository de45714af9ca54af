"""A log pane: the virtualised :class:`LogView`, a status line and a prompt (search, filter).

The prompt owns the keys typed into it (an ``Input`` takes every printable key): a search
for ``s`` never stops a run. Enter applies it, Esc (or leaving it) closes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.app.widgets.log_view import DEFAULT_WINDOW, READ_CHUNK, LogView

PROMPTS = {  # title, what Enter does
    "search": ("search", "Enter searches"),
    "filter": ("filter: the lines that match", "Enter filters (empty: every line)"),
}


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
    """Search (``/``, ``n``/``N``), filter (``f``), wrap (``w``), follow (``End``), the
    lines' sources (``o``) and ``::metric`` lines (``M``; ``m`` is the metrics view)."""

    DEFAULT_CSS = """
    LogPane {
        height: 1fr;
        & > LogView { height: 1fr; }
        & > #log-status { height: 1; color: $text-muted; background: $panel; padding: 0 1; }
        & > #log-prompt { display: none; height: 3; }
        &.prompting > #log-prompt { display: block; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("n", "next_match", "Next match"),
        Binding("N", "previous_match", "Previous match", key_display="N"),
        Binding("f", "filter", "Filter"),
        Binding("w", "wrap", "Wrap"),
        Binding("o", "sources", "Line sources", show=False),
        Binding("M", "metric_lines", "::metric lines", show=False, key_display="M"),
        Binding("end", "follow", "Follow the tail", show=False, key_display="End"),
        Binding("escape", "close_prompt", "Close the prompt", show=False, key_display="Esc"),
    ]

    def __init__(
        self,
        *,
        window: int = DEFAULT_WINDOW,
        chunk: int = READ_CHUNK,
        namer: Callable[[str], str] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``namer``: a node's source (``job › step``), drawn before each of its lines."""
        super().__init__(id=id, classes=classes)
        self.scope = "whole run"
        self.prompt = ""  # the open prompt: "search", "filter" or "" (none)
        self._window, self._chunk, self._namer = window, chunk, namer
        self._status = ""

    def compose(self) -> ComposeResult:
        yield LogView(self._window, chunk=self._chunk, namer=self._namer)
        yield Static("", id="log-status")
        yield Input(id="log-prompt")

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
        if hidden := view.hidden_metrics:
            parts.append(f"{hidden:,} ::metric lines hidden (M)")
        if not view.follow and view.pending:
            parts.append(f"{view.pending:,} new lines — End to follow")
        elif not view.follow:
            parts.append("paused — End to follow")
        status = " · ".join(parts)
        if status != self._status:  # one line, as wide as the pane: never a new layout
            self._status = status
            self.query_one("#log-status", Static).update(status, layout=False)

    # -- the prompt ------------------------------------------------------------------------------

    @property
    def prompt_box(self) -> Input:
        return self.query_one("#log-prompt", Input)

    def open_prompt(self, kind: str) -> None:
        """The search or filter prompt, holding the current search (selected, as a browser's
        find bar does: typing replaces it, an arrow key keeps it)."""
        self.prompt = kind
        title, enter = PROMPTS[kind]
        box = self.prompt_box
        box.border_title, box.border_subtitle = title, f"{enter} · Esc closes"
        box.placeholder = f"{kind} this log"
        box.value = self.view.search
        self.add_class("prompting")
        box.focus()

    def action_search(self) -> None:
        self.open_prompt("search")

    def action_filter(self) -> None:
        self.open_prompt("filter")

    @on(Input.Submitted, "#log-prompt")
    def _prompt_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        term = event.value.strip()
        if self.prompt == "filter":
            self.view.set_search(term, filtering=bool(term))
        else:
            self.view.set_search(term)
        self.action_close_prompt()

    @on(Input.Blurred, "#log-prompt")
    def _prompt_left(self, event: Input.Blurred) -> None:
        event.stop()
        self.prompt = ""
        self.remove_class("prompting")

    def action_close_prompt(self) -> None:
        if self.prompt:
            self.prompt = ""
            self.remove_class("prompting")
            self.view.focus()

    def action_next_match(self) -> None:
        self.view.next_match(1)

    def action_previous_match(self) -> None:
        self.view.next_match(-1)

    def action_wrap(self) -> None:
        self.view.set_wrap(not self.view.wrap)

    def action_sources(self) -> None:
        self.view.set_sources(not self.view.show_sources)
        self.notify(f"line sources {'shown' if self.view.show_sources else 'hidden'}", timeout=2)

    def action_metric_lines(self) -> None:
        self.view.set_metric_lines(not self.view.metric_lines)
        shown = "shown" if self.view.metric_lines else "hidden (in the metrics pane)"
        self.notify(f"::metric lines {shown}", timeout=2)

    def action_follow(self) -> None:
        self.view.action_follow()
