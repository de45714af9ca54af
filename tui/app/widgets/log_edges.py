"""A scroll view that tells when the user goes past its top or its bottom.

The log view reads more lines from the run store then. Keys and the mouse wheel count even
when the view cannot scroll any further; the view's own scrolling (:meth:`_move_to`,
:meth:`_scroll_end`) never does.
"""

from __future__ import annotations

from textual import events
from textual.scroll_view import ScrollView


class EdgeScrollView(ScrollView):
    _scrolling = False  # the view scrolls itself: not the user reaching an edge
    _bottom = True  # the view was at its bottom when it last scrolled

    def watch_show_horizontal_scrollbar(self, old: bool, new: bool) -> None:
        """A horizontal scrollbar came (a long line) or went: it takes a row of the view, so
        a view at its bottom scrolls to its new bottom, its last line in sight."""
        if self._bottom:
            self.call_after_refresh(self._repin)

    def _repin(self) -> None:
        if self._bottom:  # not if the user scrolled away since
            self._scroll_end()

    def _edge(self, direction: int) -> None:
        """The user went past the top (-1) or the bottom (1)."""

    def _scrolled(self, at_bottom: bool) -> None:
        """The view scrolled, to its bottom or not."""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        at_bottom = round(new_value) >= self.max_scroll_y
        self._bottom = at_bottom
        self._scrolled(at_bottom)
        # Later, not here: this may run in a scroll animation's step, which handling the
        # edge must not stop by scrolling the view itself. And only if the view is still at
        # the edge then: a read that landed meanwhile may have moved it away.
        if not self._scrolling and new_value < old_value and round(new_value) <= 0:
            self.call_later(self._at_top)
        elif not self._scrolling and new_value > old_value and at_bottom:
            self.call_later(self._at_bottom)

    def action_scroll_up(self) -> None:
        self._at_top()
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self._at_top()
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self._at_top()
        super().action_scroll_home()

    def action_scroll_down(self) -> None:
        self._at_bottom()
        super().action_scroll_down()

    def action_page_down(self) -> None:
        self._at_bottom()
        super().action_page_down()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._at_top()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._at_bottom()

    def _at_top(self) -> None:
        if round(self.scroll_y) <= 0:
            self._edge(-1)

    def _at_bottom(self) -> None:
        if round(self.scroll_y) >= self.max_scroll_y:
            self._edge(1)

    def _move_to(self, y: int) -> None:
        self._scrolling = True
        try:
            self.scroll_to(y=y, animate=False, immediate=True, force=True)
        finally:
            self._scrolling = False

    def _scroll_end(self) -> None:
        self._scrolling = True
        try:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        finally:
            self._scrolling = False
