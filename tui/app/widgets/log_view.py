"""A virtualised log: only the visible lines are rendered (Line API), ANSI kept.

The view shows one bounded window of a run's lines, read back from the run store as the user
scrolls (:class:`~tui.app.widgets.log_window_view.LogWindowView`). It can show only some nodes'
lines (the scope), search (``n``/``N`` go on past the window, through the store), keep only
the matching lines (filter) and wrap by cells (:mod:`tui.app.widgets.log_wrap`). Each line is
drawn after its source (``[job › step] ``, dim: the CLI's prefix, named by the ``namer`` the
run's column gives), and ``::metric`` lines are left to the metrics pane; both can be shown or
hidden. Rendered rows are kept in an LRU cache keyed by line number, wrap width and highlight,
so a repaint or a scroll back over seen lines renders nothing again.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from tui.app.widgets.log_window import (
    UNMEASURED,
    Chunk,
    Origin,
    join,
    read_back,
    read_forward,
)
from tui.app.widgets.log_window_view import DEFAULT_WINDOW, READ_CHUNK, LogWindowView
from tui.app.widgets.log_wrap import cells, display_text, draw, row_starts
from tui.core.run_state import LogLine

__all__ = ["DEFAULT_WINDOW", "READ_CHUNK", "LogView"]

CACHED_LINES = 4096

CacheKey = tuple[int, int, str, int]  # line number, wrap width (0: none), term, highlight
# A drawn row: its segments and cells, cached without its Strip (a Strip brings seven caches
# of its own: a few thousand cached rows were tens of thousands of objects to the collector).
Row = tuple[list[Segment], int]


class LogView(LogWindowView, can_focus=True):
    """The lines of one log, rendered lazily."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--system",
        "log-view--stderr",
        "log-view--match",
        "log-view--current",
        "log-view--source",
    }
    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $text;
        overflow: auto auto;
        & > .log-view--system { color: $text-muted; text-style: italic; }
        & > .log-view--stderr { color: $text-error; }
        & > .log-view--match { background: $warning 40%; }
        & > .log-view--current { background: $primary; color: $text; text-style: bold underline; }
        & > .log-view--source { text-style: dim; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("end", "follow", "End: follow", show=False),
        Binding("home", "scroll_home", "Top", show=False),
    ]

    class Changed(Message):
        """Follow state, pending lines, the window or matches changed (the newest wins)."""

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
        chunk: int = READ_CHUNK,
        namer: Callable[[str], str] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``namer``: a node's source as the CLI prefixes its lines (``job › step``); with
        one, lines are drawn after their source."""
        super().__init__(window, chunk=chunk, name=name, id=id, classes=classes)
        self.search = ""
        self.filtering = False
        self._current: int | None = None  # line number of the current match
        self._cache: LRUCache[CacheKey, tuple[Row, ...]] = LRUCache(CACHED_LINES)
        self._styles: dict[str, Style] = {}
        self._looks: tuple[Style, ...] = ()  # the styles the cached rows were drawn with
        self._restyled = True
        self._base = Style()  # the widget's style, taken when a paint starts
        self.namer = namer
        self._labels: dict[Origin, str] = {}
        self.show_sources = False
        self.set_sources(namer is not None)

    def _changed(self) -> None:
        self.post_message(self.Changed(self))

    # -- what is shown ---------------------------------------------------------------------------

    def lines(self) -> Sequence[LogLine]:
        """The window's lines in scope (the search filter aside), made when asked for."""
        scope, win = self._scope, self._win
        return [win.line(p) for p in range(len(win)) if scope is None or win.node(p) in scope]

    @property
    def matches(self) -> list[int]:
        """The matching lines of the window, as indices into the lines shown."""
        return self._layout.matches

    @property
    def match_index(self) -> int:
        """Which of :attr:`matches` is the current one (-1: none)."""
        if self._current is None:
            return -1
        i, found = self._match_at(self._current)
        return i if found else -1

    def _match_at(self, number: int) -> tuple[int, bool]:
        """Where line ``number`` is (or would be) among the matches, and whether it is."""
        numbers, layout, matches = self._win.numbers, self._layout, self._layout.matches
        i = bisect_left(matches, number, key=lambda m: numbers[layout.position(m)])
        return i, i < len(matches) and numbers[layout.position(matches[i])] == number

    # -- a run, its scope; search, filter, wrap --------------------------------------------------

    def clear(self) -> None:
        """A new run starts."""
        self._start_over()
        self._current = None
        self._labels.clear()
        self._cache.clear()
        self._relayout()

    def _label(self, origin: Origin) -> str:
        label = self._labels.get(origin)
        if label is None:
            node, stream = origin
            name = (self.namer(node) if self.namer else node) if node else stream
            label = self._labels[origin] = f"[{name}] "
        return label

    @property
    def metric_lines(self) -> bool:
        """``::metric`` lines show (they are hidden by default: the metrics pane has them)."""
        return not self._layout.hide_metrics

    @property
    def hidden_metrics(self) -> int:
        """The window's ``::metric`` lines that do not show."""
        return self._win.quiet.count(1) if self._layout.hide_metrics else 0

    def set_sources(self, on: bool) -> None:
        """Draw each line after its source (job › step, task; the stream for a run's own)."""
        self.show_sources = on
        self._labels.clear()
        self._win.set_labels(self._label if on else None)
        self._cache.clear()
        if self.is_mounted:
            self._relayout()

    def set_metric_lines(self, on: bool) -> None:
        """Show the ``::metric`` lines (or leave them to the metrics pane)."""
        self._layout.hide_metrics = not on
        self._relayout()
        self._fill()

    def set_scope(self, node_ids: Collection[str] | None) -> None:
        """Show only the lines of these nodes (None: the whole run)."""
        scope = None if node_ids is None else frozenset(node_ids)
        if scope == self._scope:
            return
        self._scope = self._layout.scope = scope
        win = self._win
        if win.kept is not None:
            missing = win.seen - win.kept if scope is None else (scope - win.kept) & win.seen
            if missing and self.source is not None:
                self._reload(tail=win.hi == self.total)
            else:  # the window holds every line of the new scope it covers
                win.kept = None if scope is None else win.kept | scope
        self._relayout()
        self._fill()

    def set_search(self, term: str, filtering: bool | None = None) -> None:
        """Search for ``term`` (and keep only its lines, or all, when ``filtering`` says)."""
        self.search = term
        if filtering is not None:
            self.filtering = self._layout.filtering = filtering
        self._win.set_term(term)
        self._current = None
        self._relayout()
        if term and (self.matches or not self._holds_all()):
            self.next_match()
        self._fill()

    def set_filtering(self, on: bool) -> None:
        self.filtering = self._layout.filtering = on
        self._relayout()
        self._fill()

    def set_wrap(self, on: bool) -> None:
        """Wrap (or not), the line at the top of the screen staying there — following the
        tail too: it goes on only if the tail is still on screen then."""
        top = self._top_number()
        self.wrap, self.follow = on, False
        self._relayout(top=top)
        self.scroll_to(x=0, animate=False, immediate=True)
        self._scrolled(round(self.scroll_y) >= self.max_scroll_y)

    def on_resize(self, event: events.Resize) -> None:
        if self.wrap and self._wrap_columns() != self._layout.wrap_width:
            self._cache.clear()
            self._relayout()
        self._fill()

    # -- matches ---------------------------------------------------------------------------------

    def next_match(self, step: int = 1) -> None:
        """The next (``step`` 1) or previous (-1) match; past the window's last (first) one,
        the store is searched and the window moves there."""
        matches = self.matches
        target: int | None = None
        if matches and self._current is None:
            target = matches[0] if step > 0 else matches[-1]
        elif matches and self._current is not None:
            i, found = self._match_at(self._current)
            i = i + found if step > 0 else i - 1
            target = matches[i] if 0 <= i < len(matches) else None
        if target is None and self.search and self.source is not None and not self._holds_all():
            self._search_store(step)
            return
        if target is None and matches:  # around, in a window that holds every line
            target = matches[0] if step > 0 else matches[-1]
        if target is not None:
            self._go(target)

    def _go(self, index: int) -> None:
        self._current = self._win.numbers[self._layout.position(index)]
        self.follow = False
        self._move_to(max(0, self._layout.row_of(index) - self.size.height // 2))
        self.refresh()
        self._changed()

    def _search_store(self, step: int) -> None:
        """Search the store beyond the window (then from the other end), and move the
        window around the match."""
        source, term, scope = self.source, self.search, self._scope
        assert source is not None
        lo, hi, total, chunk = self._win.lo, self._win.hi, self.total, self.chunk
        spans = [(hi, total), (0, lo)] if step > 0 else [(lo, 0), (total, hi)]

        def job(cancelled: Callable[[], bool]) -> tuple[int, Chunk] | None:
            for start, stop in spans:
                found = source.search(term, start, step < 0, scope, stop=stop, cancelled=cancelled)
                if found is not None:
                    before = read_back(source, found + 1, scope, chunk // 2, cancelled)
                    after = read_forward(source, found + 1, total, scope, chunk // 2, cancelled)
                    return found, join([before, after], found)
            return None

        def done(result: tuple[int, Chunk] | None) -> None:
            if result is None:
                if self.matches:
                    self._go(self.matches[0] if step > 0 else self.matches[-1])
                else:
                    self.notify(f"{term!r} is not in this log", timeout=3)
                return
            found, got = result
            self._win.reset(got, scope)
            self.follow = False
            self._relayout(keep=False)
            self._go(self._layout.index_of(self._win.position(found)))

        self._read("searching", job, done)

    # -- rendering -------------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name, partial=True)
        return style

    def _rows(self, position: int) -> tuple[Row, ...]:
        """The rows of the window's line at ``position``: from the cache, or drawn once (and
        measured then, if it was not yet)."""
        win = self._win
        number, width = win.numbers[position], self._layout.wrap_width
        term = self.search if win.term and win.hits[position] else ""
        level = 0 if not term else 2 if number == self._current else 1
        key = (number, width, term, level)
        rows = self._cache.get(key)
        if rows is None:
            text, (_node, stream) = win.texts[position], win.origins[position]
            display, head = display_text(text), win.head(position)
            size = win.widths[position]
            if size == UNMEASURED:
                size = win.widths[position] = cells(display) + (cells(head) if head else 0)
                self._measured(size)
            starts = row_starts(head + display, width, size) if width else [0]
            stream = stream if stream in ("system", "stderr") else ""
            highlight = None
            if level:
                name = "log-view--current" if level == 2 else "log-view--match"
                highlight = (term, self._style(name))
            strips = draw(
                text,
                display,
                starts,
                console=self.app.console,
                base=self._base,
                style=self._style(f"log-view--{stream}") if stream else None,
                highlight=highlight,
                head=head,
                head_style=self._style("log-view--source"),
            )
            rows = self._cache[key] = tuple((list(strip), strip.cell_length) for strip in strips)
        return rows

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = self.rich_style  # once a paint, not once a row (it walks the ancestors)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if self._restyled:
            self._check_looks()
        base = self._base
        layout = self._layout
        row = scroll_y + y
        if row >= layout.total_rows:
            return Strip.blank(width, base)
        index, sub = layout.locate(row)
        rows = self._rows(layout.position(index))
        if sub >= len(rows):
            return Strip.blank(width, base)
        segments, cells_used = rows[sub]
        return Strip(segments, cells_used).crop_extend(scroll_x, scroll_x + width, base)

    def notify_style_update(self) -> None:
        """Styles changed (a theme, a pseudo-class): rows drawn with other styles will go,
        when the next row is drawn (the component styles may not be ready yet)."""
        super().notify_style_update()
        self._styles.clear()
        self._restyled = True

    def _check_looks(self) -> None:
        self._restyled = False
        self._base = self.rich_style
        looks = (self._base, *(self._style(name) for name in sorted(self.COMPONENT_CLASSES)))
        if looks != self._looks:
            self._looks = looks
            self._cache.clear()
