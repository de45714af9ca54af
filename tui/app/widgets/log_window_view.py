"""A scroll view over one bounded window of a run's log (numbered as the run store numbers
it). Live lines join the window while it ends at the run's last line (its head dropped in
chunks), else are only counted (``pending``). Past the window's top or bottom, and on End,
one bounded chunk is read back from the store in a thread worker (:mod:`.log_window`).
:class:`~tui.app.widgets.log_view.LogView` adds scope, search, wrap and the drawing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual.geometry import Size
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app.widgets.log_edges import EdgeScrollView
from tui.app.widgets.log_window import (
    Chunk,
    Kept,
    Layout,
    Origin,
    Window,
    chunk_of,
    count_shown,
    join,
    read_back,
    read_forward,
    split_blocks,
)
from tui.core.log_index import StoredLog
from tui.core.run_state import LogBlock, LogLine

DEFAULT_WINDOW = 100_000
READ_CHUNK = 10_000  # lines read from the store at a time
Job = Callable[[Callable[[], bool]], Any]


class LogWindowView(EdgeScrollView):
    """The window, its layout on screen, following the tail, and reading from the store."""

    def __init__(
        self,
        window: int = DEFAULT_WINDOW,
        *,
        chunk: int = READ_CHUNK,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.window = window  # lines kept in memory (and a tenth more before a drop)
        self.chunk = chunk
        self.source: StoredLog | None = None
        self.total = 0  # every line the run has
        self.follow = True
        self.pending = 0
        self.wrap = False
        self.reading = ""  # what is being read from the store, while it is
        self._win = Window()
        self._layout = Layout(self._win)
        self._scope: frozenset[str] | None = None
        self._max_width = 0  # of the lines measured so far
        self._widening = False
        self._worker: Worker[Any] | None = None
        # Live lines (texts, origins) kept aside while the tail is read, and the first's number.
        self._buffer: tuple[list[str], list[Origin]] | None = None
        self._buffer_from = 0

    def _changed(self) -> None:
        """Something the status line shows changed."""

    # -- the window ------------------------------------------------------------------------------

    @property
    def line_count(self) -> int:
        return len(self._win)

    def visible_count(self) -> int:
        return self._layout.count()

    @property
    def window_start(self) -> int:
        return self._win.lo

    @property
    def window_end(self) -> int:
        return self._win.hi

    @property
    def scoped(self) -> bool:
        return self._scope is not None

    def _holds_all(self) -> bool:
        return self._win.lo == 0 and self._win.hi == self.total

    def _start_over(self) -> None:
        self._cancel_read()
        self.source, self.total, self.pending, self.follow = None, 0, 0, True
        self._scope = self._layout.scope = None
        self._win.reset(Chunk(0, 0), None)

    def attach(self, source: StoredLog | None) -> None:
        """Where lines older than the window come from (None: nowhere)."""
        self._cancel_read()
        self.source = source
        self._fill()
        self._changed()

    def append(self, lines: Sequence[LogLine]) -> None:
        """Live lines (already masked), numbered on from the last."""
        self._append([line.text for line in lines], [(line.node_id, line.stream) for line in lines])

    def append_blocks(self, blocks: Sequence[LogBlock]) -> None:
        """:meth:`append` for a batch's log as its events carry it (blocks of lines)."""
        self._append(*split_blocks(blocks))

    def _append(self, texts: list[str], origins: list[Origin], metric: bool = True) -> None:
        """One append for the whole batch: nothing is measured or drawn here, the screen
        draws (and measures) the rows it shows. ``metric``: ``::metric`` lines may be in it."""
        if not texts:
            return
        first, win, count = self.total, self._win, len(texts)
        self.total += count
        if self._buffer is not None:  # the tail is being read: these lines follow it
            kept_texts, kept_origins = self._buffer
            kept_texts += texts
            kept_origins += origins
            extra = max(0, len(kept_texts) - self.window)
            del kept_texts[:extra], kept_origins[:extra]
            self._buffer_from += extra
        elif win.hi != first or self._frozen(count):
            self.follow = False
            self.pending += count_shown(self._layout, texts, origins, metric)
        elif count > self.window:  # a burst bigger than the window: its tail
            skip = count - self.window
            tail = chunk_of(first + skip, texts[skip:], origins[skip:], win.kept, metric)
            win.reset(tail, win.kept)
            self._relayout(keep=False)
            self.pending += 0 if self.follow else self._layout.count()
        else:
            start = len(win)
            win.extend(chunk_of(first, texts, origins, win.kept, metric))
            added = self._layout.extend(start)
            if len(win) > self.window + self.window // 10:
                self._drop_head(len(win) - self.window)
            self._update_size()
            if self.follow:
                self._scroll_end()
            else:
                self.pending += added
        self._changed()

    def _frozen(self, count: int) -> bool:
        """Not following, and keeping ``count`` more lines would drop lines at or below the
        top of the screen: the window stays where it is (the lines are pending)."""
        win = self._win
        if self.follow or self.source is None:  # nothing behind the window: it moves on
            return False
        if len(win) + count <= self.window + self.window // 10:
            return False
        drop = len(win) + count - self.window
        return drop >= len(win) or self._rows_before(drop) > self.scroll_y

    def _rows_before(self, position: int) -> int:
        layout = self._layout
        return layout.row_of(layout.index_of(position))

    def _drop_head(self, count: int) -> None:
        rows = self._rows_before(count)
        self._win.drop_head(count)
        self._layout.drop_head(count)
        self._max_width = self._win.widest()
        self._update_size()
        if self.follow:
            self._scroll_end()
        else:
            self._move_to(max(0, round(self.scroll_y) - rows))
        self.refresh()

    # -- layout ----------------------------------------------------------------------------------

    def _wrap_columns(self) -> int:
        """The wrap width: the content width less a vertical scrollbar, shown or not (so it
        does not change as the scrollbar comes and goes)."""
        return max(1, self.content_region.width - self.styles.scrollbar_size_vertical)

    def _relayout(self, keep: bool = True, top: int | None = None) -> None:
        """Lay the window out again, keeping the line at the top of the screen there (or line
        ``top``). Call it with ``keep`` only while the layout still fits the window."""
        if top is None and keep and not self.follow:
            top = self._top_number()
        self._layout.wrap_width = self._wrap_columns() if self.wrap else 0
        self._layout.rebuild()
        self._max_width = self._win.widest()
        self._update_size()
        if self.follow:
            self._scroll_end()
        elif top is not None:
            self._move_to(self._rows_before(self._win.position(top)))
        self.refresh()
        self._changed()

    def _top_number(self) -> int | None:
        layout = self._layout
        if layout.total_rows == 0:
            return None
        index, _ = layout.locate(min(round(self.scroll_y), layout.total_rows - 1))
        return self._win.numbers[layout.position(index)]

    def _update_size(self) -> None:
        width = 0 if self.wrap else self._max_width
        self.virtual_size = Size(width, self._layout.total_rows)

    def _measured(self, size: int) -> None:
        """A line drawn was measured: the view scrolls as wide as the widest line measured
        (lines are measured as they are drawn, not as they come in)."""
        if size > self._max_width:
            self._max_width = size
            if not self.wrap and not self._widening:
                self._widening = True
                self.call_later(self._widen)

    def _widen(self) -> None:
        self._widening = False
        self._update_size()

    # -- following, and reading past the edges of the window -------------------------------------

    def action_follow(self) -> None:
        if self._win.hi == self.total:
            self.follow, self.pending = True, 0
            self._scroll_end()
            self._changed()
        elif self.source is not None:
            self._reload(tail=True)

    def _reload(self, *, tail: bool) -> None:
        """Read the window again from the store, for the scope: its tail, or around the line
        at the top of the screen."""
        source, scope, total, chunk = self.source, self._scope, self.total, self.chunk
        assert source is not None
        around = self._top_number()
        if tail or around is None:

            def last(cancelled: Callable[[], bool]) -> Chunk:
                return read_back(source, total, scope, chunk, cancelled)

            self._read("reading", last, self._got_tail, tail=True)
            return
        line = around

        def job(cancelled: Callable[[], bool]) -> Chunk:
            before = read_back(source, line, scope, chunk // 2, cancelled)
            return join([before, read_forward(source, line, total, scope, chunk, cancelled)], line)

        def done(got: Chunk) -> None:
            self._win.reset(got, scope)
            self._relayout(keep=False)
            self._move_to(self._rows_before(self._win.position(line)))

        self._read("reading", job, done)

    def _got_tail(self, got: Chunk) -> None:
        (texts, origins), self._buffer = self._buffer or ([], []), None
        live = chunk_of(self._buffer_from, texts, origins, self._scope)
        if got.hi == live.lo:
            self._win.reset(got, self._scope)
            self._win.extend(live)
        else:  # more lines came in while reading than the window holds
            self._win.reset(live, self._scope)
        if len(self._win) > self.window:
            self._win.drop_head(len(self._win) - self.window)
        self.follow, self.pending = True, 0
        self._relayout(keep=False)
        self._fill()

    def _fill(self) -> None:
        """A scoped or filtered view with room on screen reads back until it has none, or
        the run's start is reached."""
        filtered = self._scope is not None or (self._layout.filtering and bool(self._win.term))
        if not filtered and self._layout.hide_metrics:
            filtered = 1 in self._win.quiet
        if filtered and self._layout.total_rows < self.size.height:
            self._edge(-1)

    def _edge(self, direction: int) -> None:
        """The user went past the top (-1) or the bottom (1) of the window."""
        if self.source is None or self._worker is not None:
            return
        win, source, chunk, total = self._win, self.source, self.chunk, self.total
        if direction < 0 and win.lo > 0:
            lo, kept = win.lo, self._read_kept()

            def older(cancelled: Callable[[], bool]) -> Chunk:
                return read_back(source, lo, kept, chunk, cancelled)

            self._read("reading", older, self._got_older)
        elif direction > 0 and win.hi < total:
            hi, kept = win.hi, self._read_kept()

            def newer(cancelled: Callable[[], bool]) -> Chunk:
                return read_forward(source, hi, total, kept, chunk, cancelled)

            self._read("reading", newer, self._got_newer)

    def _read_kept(self) -> Kept:
        """Reads for a scope keep only its lines: so does the window from then on."""
        win = self._win
        if win.kept is None and self._scope is not None:
            top = None if self.follow else self._top_number()
            win.restrict(self._scope)
            self._relayout(keep=False, top=top)
        return win.kept

    def _got_older(self, got: Chunk) -> None:
        win = self._win
        if got.hi != win.lo:
            return
        win.prepend(got)
        if len(win) > self.window + self.window // 10:
            win.drop_tail(len(win) - self.window)
            self.follow = False
        top = round(self.scroll_y)
        self._relayout(keep=False)
        added = self._rows_before(len(got.texts))
        self._move_to(top + added)
        if not added and top == 0:  # nothing to show yet (scoped, filtered): on back
            self._edge(-1)
        else:
            self._fill()

    def _got_newer(self, got: Chunk) -> None:
        win = self._win
        if got.lo != win.hi:
            return
        start = len(win)
        win.extend(got)
        added = self._layout.extend(start)
        if len(win) > self.window + self.window // 10:
            self._drop_head(len(win) - self.window)
        self._update_size()
        self.refresh()
        self._changed()
        if not added and round(self.scroll_y) >= self.max_scroll_y:
            self._edge(1)

    def _scrolled(self, at_bottom: bool) -> None:
        at_end = at_bottom and self._win.hi == self.total and self._buffer is None
        if at_end != self.follow:
            self.follow = at_end
            if at_end:
                self.pending = 0
            self._changed()

    # -- the reading worker ----------------------------------------------------------------------

    def _read(
        self, what: str, job: Job, done: Callable[[Any], None], *, tail: bool = False
    ) -> None:
        """Run ``job`` in a thread, then ``done`` with its result unless another read or a
        change of run superseded it. While the tail is read (``tail``), live lines are kept
        aside to follow it."""

        def work() -> tuple[Callable[[Any], None], Any]:
            worker = get_current_worker()
            return done, job(lambda: worker.is_cancelled)

        self._buffer, self._buffer_from = (([], []), self.total) if tail else (None, 0)
        self.reading = what
        self._worker = self.run_worker(
            work, name=f"log {what}", group="log-read", exclusive=True, thread=True,
            exit_on_error=False,
        )  # fmt: skip
        self._changed()

    def _cancel_read(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self._worker, self.reading, self._buffer = None, "", None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place this view's reads end: applied, or a failure shown to the user."""
        worker, state = event.worker, event.state
        if worker is not self._worker or state not in (
            WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED,
        ):  # fmt: skip
            return
        self._worker, self.reading = None, ""
        if state == WorkerState.SUCCESS and worker.result is not None:
            done, result = worker.result
            done(result)
        else:
            self._buffer = None
            if state == WorkerState.ERROR:
                self.notify(f"could not read the log back: {worker.error}", severity="error")
        self._changed()
