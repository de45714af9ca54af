"""Log lines as the log view measures and draws them: by terminal cells.

A line's *display text* is what a user reads (:func:`tui.core.log_index.plain`), without control
characters and with tabs expanded to 8-column stops by cells; it is made when the line is drawn
or wrapped (never for the lines of a burst nobody looks at), and both measured and drawn. Rows
are cut between graphemes at the wrap width, never inside a double-width character, by one
function (:func:`row_starts`) that gives both the row count and the rows drawn. ANSI colour is
decoded (``Text.from_ansi``) only when a line is drawn; if the decoded plain text is not the
display text, the display text is drawn, uncoloured, so what is measured and what is drawn
cannot disagree.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, split_graphemes
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from tui.core.log_index import plain

TAB = 8
# What a terminal must not be sent: C0 (but tab) and C1 controls, DEL, line/paragraph breaks.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# The same, keeping ESC: cleaned from the raw text before its escape sequences are decoded.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\x9f\u2028\u2029]")


def expand_tabs(text: str) -> str:
    """Tabs to spaces, to the next multiple of 8 cells (as Rich's ``Text.expand_tabs``)."""
    if "\t" not in text:
        return text
    if text.isascii():
        return text.expandtabs(TAB)
    parts = text.split("\t")
    out: list[str] = []
    column = 0
    for part in parts[:-1]:
        column += cell_len(part)
        pad = TAB - column % TAB
        out.append(part + " " * pad)
        column += pad
    out.append(parts[-1])
    return "".join(out)


def display_text(text: str) -> str:
    """What the view measures and draws for a raw line."""
    shown = plain(text)
    if shown.isprintable():  # the common case: nothing to clean, no tab
        return shown
    return expand_tabs(CONTROL.sub("", shown))


def cells(display: str) -> int:
    return len(display) if display.isascii() else cell_len(display)


def row_starts(display: str, width: int, size: int) -> list[int]:
    """Where each row of ``display`` (``size`` cells) starts when wrapped at ``width``
    cells: between graphemes, a double-width character that does not fit moving whole to the
    next row."""
    width = max(1, width)
    if size <= width:
        return [0]
    if display.isascii():
        return list(range(0, len(display), width))
    spans, _ = split_graphemes(display)
    starts = [0]
    used = 0
    for start, _end, span_cells in spans:
        if used + span_cells > width and used:
            starts.append(start)
            used = 0
        used += span_cells
    return starts


def row_count(display: str, width: int, size: int) -> int:
    """``len(row_starts(...))``, without building the list for ASCII lines."""
    width = max(1, width)
    if size <= width:
        return 1
    if display.isascii():
        return -(-len(display) // width)
    return len(row_starts(display, width, size))


def ansi_text(raw: str, display: str) -> Text | None:
    """The line with its colours, or ``None`` when it has none or they cannot be trusted
    (their plain text is not ``display``): then ``display`` is drawn as it is."""
    if "\x1b" not in raw:
        return None
    if "\r" in raw:
        raw = raw.rstrip("\r").rsplit("\r", 1)[-1]
    text = Text.from_ansi(RAW_CONTROL.sub("", raw), end="")
    text.expand_tabs(TAB)
    return text if text.plain == display else None


def _plain_rows(
    head: str, display: str, starts: list[int], head_style: Style, line_style: Style
) -> tuple[Strip, ...]:
    """The rows of an uncoloured line after its ``head``, cut at ``starts`` (offsets into
    ``head + display``)."""
    full, cut = head + display, len(head)
    ends = [*starts[1:], len(full)]
    rows: list[Strip] = []
    for a, b in zip(starts, ends, strict=True):
        segments = [Segment(full[a : min(b, cut)], head_style)] if a < cut else []
        if b > cut:
            segments.append(Segment(full[max(a, cut) : b], line_style))
        rows.append(Strip(segments))
    return tuple(rows)


def draw(
    raw: str,
    display: str,
    starts: list[int],
    *,
    console: Console,
    base: Style,
    style: Style | None,
    highlight: tuple[str, Style] | None = None,
    head: str = "",
    head_style: Style | None = None,
) -> tuple[Strip, ...]:
    """The rows of one line (uncropped): ``style`` for its stream, ``highlight`` the search
    term and its style, on ``base`` (the widget's style); ``head`` (the line's source, in
    ``head_style``) before it, ``starts`` being offsets into ``head + display``."""
    text = ansi_text(raw, display)
    if text is None and highlight is None:
        line_style = base + style if style else base
        if head:
            return _plain_rows(head, display, starts, base + head_style, line_style)
        ends = [*starts[1:], len(display)]
        return tuple(
            Strip([Segment(display[a:b], line_style)]) for a, b in zip(starts, ends, strict=True)
        )
    if text is None:
        text = Text(display, end="")
    if style:
        text.stylize_before(style)
    if highlight is not None:
        text.highlight_words([highlight[0]], highlight[1], case_sensitive=False)
    if head:
        text = Text.assemble((head, head_style or ""), text, end="")
    parts = text.divide(starts[1:]) if len(starts) > 1 else [text]
    return tuple(
        Strip(Segment.apply_style(list(part.render(console, end="")), base)) for part in parts
    )
