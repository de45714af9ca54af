"""A virtualised log: only the visible lines are rendered (Line API), ANSI kept.

Lines are stored raw; a visible line becomes a Rich ``Text`` (``Text.from_ansi``) once and is
kept in an LRU cache. The view holds a bounded window of lines (older ones are dropped in
chunks; the run store has them all), follows the tail while scrolled to the bottom, counts the
lines that arrive while it is not, and can search, filter to matching lines and wrap.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.run_model import LogLine

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
DEFAULT_WINDOW = 100_000


def plain(text: str) -> str:
    """The text a user reads: no escape sequences, only what follows the last ``\\r``."""
    if "\x1b" in text:
        text = ANSI.sub("", text)
    if "\r" in text:
        text = text.rstrip("\r").rsplit("\r", 1)[-1]
    return text


class LogView(ScrollView, can_focus=True):
    """The lines of one log, rendered lazily."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--system",
        "log-view--stderr",
        "log-view--match",
        "log-view--current",
    }
    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $text;
        overflow: auto auto;
        & > .log-view--system { color: $text-muted; text-style: italic; }
        & > .log-view--stderr { color: $text-error; }
        & > .log-view--match { background: $warning 40%; }
        & > .log-view--current { background: $warning; color: $background; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("end", "follow", "End: follow", show=False),
        Binding("home", "scroll_home", "Top", show=False),
    ]

    class Changed(Message):
        """Follow state, pending lines or matches changed (coalesced: the newest wins)."""

        def __init__(self, view: LogView) -> None:
            super().__init__()
            self.view = view

        @property
        def control(self) -> LogView:
            return self.view

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.Changed) and message.view is self.view

    def __init__(
        self,
        window: int = DEFAULT_WINDOW,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.window = window
        self._lines: list[LogLine] = []
        self._widths: list[int] = []
        self._first = 0  # absolute number of _lines[0] (lines dropped so far)
        self._visible: list[int] | None = None  # filtered indices into _lines
        self._rows: list[int] | None = None  # wrap: first row of each visible line
        self._wrap_width = 0
        self._max_width = 0
        self._cache: LRUCache[int, Text] = LRUCache(2048)
        self.follow = True
        self.pending = 0
        self.search = ""
        self.filtering = False
        self.wrap = False
        self.matches: list[int] = []
        self.match_index = -1
        self.total = 0  # every line ever appended

    # -- content ---------------------------------------------------------------------------

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def visible_count(self) -> int:
        return len(self._lines) if self._visible is None else len(self._visible)

    def lines(self) -> Sequence[LogLine]:
        return self._lines

    def clear(self) -> None:
        self._lines.clear()
        self._widths.clear()
        self._first = 0
        self._cache.clear()
        self._max_width = 0
        self.total = 0
        self.pending = 0
        self.follow = True
        self.matches, self.match_index = [], -1
        self._reindex()

    def set_lines(self, lines: Iterable[LogLine]) -> None:
        self.clear()
        self.append(list(lines))
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    def append(self, lines: Sequence[LogLine]) -> None:
        if not lines:
            return
        start = len(self._lines)
        self._lines.extend(lines)
        widths = [cell_len(plain(line.text)) for line in lines]
        self._widths.extend(widths)
        self._max_width = max(self._max_width, max(widths))
        self.total += len(lines)
        added = len(lines)
        if len(self._lines) > self.window + self.window // 10:
            self._drop(len(self._lines) - self.window)
        elif self._visible is not None or self._rows is not None:
            added = self._extend_index(start)
        self._update_size()
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        else:
            self.pending += added
        self.post_message(self.Changed(self))

    def _drop(self, count: int) -> None:
        before = self._row_of(count) if self._rows is not None else count
        del self._lines[:count]
        del self._widths[:count]
        self._first += count
        self._reindex()
        if not self.follow:
            self.scroll_to(y=max(0, self.scroll_y - before), animate=False, immediate=True)

    # -- index (filter / wrap) ---------------------------------------------------------------

    def _matches_line(self, index: int) -> bool:
        return self.search.lower() in plain(self._lines[index].text).lower()

    def _reindex(self) -> None:
        if self.filtering and self.search:
            self._visible = [i for i in range(len(self._lines)) if self._matches_line(i)]
        else:
            self._visible = None
        self._rows = None
        if self.wrap:
            self._rows = []
            self._extend_rows(0)
        self._find_matches()
        self._update_size()

    def _extend_index(self, start: int) -> int:
        """Index lines from ``start`` on; returns how many became visible."""
        added = len(self._lines) - start
        if self._visible is not None:
            new = [i for i in range(start, len(self._lines)) if self._matches_line(i)]
            first_pos = len(self._visible)
            self._visible.extend(new)
            added = len(new)
            if self._rows is not None:
                self._extend_rows(first_pos)
        elif self._rows is not None:
            self._extend_rows(start)
        return added

    def _height(self, index: int) -> int:
        width = max(1, self._wrap_width)
        return max(1, -(-self._widths[index] // width))

    def _extend_rows(self, first_pos: int) -> None:
        assert self._rows is not None
        del self._rows[first_pos:]
        row = self._rows_total_upto(first_pos)
        for pos in range(first_pos, self.visible_count()):
            self._rows.append(row)
            row += self._height(self._index(pos))
        self._wrap_rows_total = row

    def _rows_total_upto(self, pos: int) -> int:
        if self._rows is None or pos == 0 or not self._rows:
            return 0
        last = pos - 1
        return self._rows[last] + self._height(self._index(last))

    def _row_of(self, index: int) -> int:
        """First row of line ``index`` (or of the first visible line at/after it)."""
        if self._visible is None:
            pos = index
        else:
            pos = next((p for p, i in enumerate(self._visible) if i >= index), len(self._visible))
        if self._rows is None:
            return pos
        return self._rows[pos] if pos < len(self._rows) else self._total_rows()

    def _index(self, pos: int) -> int:
        return pos if self._visible is None else self._visible[pos]

    def _total_rows(self) -> int:
        if self._rows is None:
            return self.visible_count()
        return self._rows_total_upto(len(self._rows))

    def _update_size(self) -> None:
        width = 0 if self.wrap else self._max_width
        self.virtual_size = Size(width, self._total_rows())

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if self.wrap and width != self._wrap_width:
            self._wrap_width = width
            self._reindex()
            self.refresh()

    # -- search, filter, wrap ------------------------------------------------------------------

    def _find_matches(self) -> None:
        if not self.search:
            self.matches, self.match_index = [], -1
            return
        self.matches = [
            pos for pos in range(self.visible_count()) if self._matches_line(self._index(pos))
        ]
        self.match_index = min(self.match_index, len(self.matches) - 1)

    def set_search(self, term: str) -> None:
        self.search = term
        self.match_index = -1
        self._reindex()
        self.refresh()
        if self.matches:
            self.next_match()
        self.post_message(self.Changed(self))

    def set_filtering(self, on: bool) -> None:
        self.filtering = on
        self._reindex()
        self.refresh()
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.post_message(self.Changed(self))

    def set_wrap(self, on: bool) -> None:
        self.wrap = on
        self._wrap_width = self.scrollable_content_region.width
        self._reindex()
        self.scroll_to(x=0, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Changed(self))

    def next_match(self, step: int = 1) -> None:
        if not self.matches:
            return
        self.match_index = (self.match_index + step) % len(self.matches)
        pos = self.matches[self.match_index]
        row = self._rows[pos] if self._rows is not None else pos
        self.follow = False
        self.scroll_to(y=max(0, row - self.size.height // 2), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Changed(self))

    def action_follow(self) -> None:
        self.follow = True
        self.pending = 0
        self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.post_message(self.Changed(self))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        at_end = round(new_value) >= self.max_scroll_y
        if at_end != self.follow:
            self.follow = at_end
            if at_end:
                self.pending = 0
            self.post_message(self.Changed(self))

    # -- rendering -------------------------------------------------------------------------------

    def _text(self, index: int) -> Text:
        key = self._first + index
        text = self._cache.get(key)
        if text is None:
            line = self._lines[index]
            raw = line.text.expandtabs(8)
            if "\r" in raw:
                raw = raw.rstrip("\r").rsplit("\r", 1)[-1]
            text = Text.from_ansi(raw, end="")
            if line.stream in ("system", "stderr"):
                style = self.get_component_rich_style(f"log-view--{line.stream}", partial=True)
                text.stylize_before(style)
            self._cache[key] = text
        return text

    def _decorate(self, text: Text, pos: int) -> Text:
        if not self.search or pos not in self._match_set():
            return text
        current = self.matches[self.match_index] == pos if self.match_index >= 0 else False
        name = "log-view--current" if current else "log-view--match"
        style = self.get_component_rich_style(name, partial=True)
        text = text.copy()
        text.highlight_words([self.search], style, case_sensitive=False)
        return text

    def _match_set(self) -> set[int]:
        cached: tuple[list[int], set[int]] | None = getattr(self, "_match_cache", None)
        if cached is None or cached[0] is not self.matches:
            cached = (self.matches, set(self.matches))
            self._match_cache = cached
        return cached[1]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base: Style = self.rich_style
        row = scroll_y + y
        if row >= self._total_rows():
            return Strip.blank(width, base)
        if self._rows is None:
            pos, sub = row, 0
        else:
            pos = bisect_right(self._rows, row) - 1
            sub = row - self._rows[pos]
        text = self._decorate(self._text(self._index(pos)), pos)
        console = self.app.console
        if self._rows is None:
            segments = list(text.render(console, end=""))
        else:
            width_ = max(1, self._wrap_width)
            parts = text.divide(range(width_, len(text), width_))
            part = parts[sub] if sub < len(parts) else Text("")
            segments = list(part.render(console, end=""))
        strip = Strip(Segment.apply_style(segments, base))
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def refresh_lines_cache(self) -> None:
        self._cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
