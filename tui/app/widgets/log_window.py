"""The log view's window: a bounded range of a run's log lines in memory, and its layout.

A :class:`Window` covers the run's lines ``lo`` to ``hi`` (global numbers, as the run store
numbers them). It holds every one of them or, once it was read back from the store under a
scope, only those of the nodes it ``kept``; it remembers the nodes it has ``seen``, so widening
the scope to nodes it never saw needs no re-read. A :class:`Chunk` is what joins it: live lines
(:func:`split_blocks`: a ``log`` event's lines stay one string until they join the window), or
lines read from the store in a thread (:func:`read_back`, :func:`read_forward`).

A line is kept as its raw text and its origin (node and stream: one tuple shared by the lines
of a block), nothing more: its width in cells is measured when it is drawn or wrapped
(:meth:`Window.width`), its colours decoded when it is drawn. A :class:`Layout` says which of
the window's lines show (scope, search filter, ``::metric`` lines hidden), their rows when
wrapped, and which match the search. A line may be drawn after its source (``[job › step] ``,
:attr:`Window.labels`): the source is measured and wrapped with it.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress

from tui.app.widgets.log_wrap import cells, display_text, row_count
from tui.core import metric_lines
from tui.core.log_index import StoredLog, plain
from tui.core.run_state import LogBlock, LogLine

Kept = frozenset[str] | None  # the nodes a window keeps the lines of (None: all)
Origin = tuple[str, str]  # the node id and the stream of a line
UNMEASURED = -1  # a line's width before it is drawn or wrapped
METRIC_MARK = "::metric "  # what a ``::metric name=…::value`` line holds (a cheap first look)


@dataclass
class Chunk:
    lo: int
    hi: int
    texts: list[str] = field(default_factory=list)  # raw (ANSI kept, masked)
    origins: list[Origin] = field(default_factory=list)
    numbers: array[int] = field(default_factory=lambda: array("q"))
    seen: set[str] = field(default_factory=set)  # nodes of every line lo..hi (sparse reads)
    metric: bool = True  # may hold ``::metric`` lines (False: known not to)


def is_metric(text: str) -> bool:
    """A ``::metric name=…::value`` line: the run reported a metric (shown in metrics)."""
    return METRIC_MARK in text and metric_lines.parse(plain(text)) is not None


def metric_flags(texts: Sequence[str], metric: bool = True) -> bytearray:
    """1 for each ``::metric`` line of ``texts`` (none looked for unless ``metric``)."""
    if not metric:
        return bytearray(len(texts))
    return bytearray(map(is_metric, texts))


def chunk_of(
    lo: int, texts: list[str], origins: list[Origin], kept: Kept, metric: bool = True
) -> Chunk:
    """The lines ``lo`` to ``lo + len(texts)``, keeping those of ``kept`` (the lists are the
    chunk's from then on); ``metric``: they may hold ``::metric`` lines."""
    hi = lo + len(texts)
    if kept is None:
        return Chunk(lo, hi, texts, origins, array("q", range(lo, hi)), metric=metric)
    seen = {node for node, _stream in set(origins)}
    chosen = [i for i, (node, _stream) in enumerate(origins) if node in kept]
    return Chunk(
        lo,
        hi,
        [texts[i] for i in chosen],
        [origins[i] for i in chosen],
        array("q", [lo + i for i in chosen]),
        seen,
        metric,
    )


def lines_chunk(lo: int, lines: Iterable[LogLine], kept: Kept) -> Chunk:
    """:func:`chunk_of` for lines one by one (read from the store)."""
    texts: list[str] = []
    origins: list[Origin] = []
    shared: dict[Origin, Origin] = {}
    for line in lines:
        texts.append(line.text)
        origin = (line.node_id, line.stream)
        origins.append(shared.setdefault(origin, origin))
    return chunk_of(lo, texts, origins, kept)


def split_blocks(blocks: Iterable[LogBlock]) -> tuple[list[str], list[Origin], bool]:
    """The lines of a batch's blocks, their origins, and whether a block holds a
    ``::metric`` line: one split (and one look for the mark) per block."""
    texts: list[str] = []
    origins: list[Origin] = []
    metric = False
    for block in blocks:
        parts = block.text.split("\n")
        texts += parts
        origins += [(block.node_id, block.stream)] * len(parts)
        metric = metric or METRIC_MARK in block.text
    return texts, origins, metric


def join(parts: Sequence[Chunk], at: int) -> Chunk:
    """Adjacent chunks as one (an empty one at ``at`` when there are none)."""
    if not parts:
        return Chunk(at, at)
    out = Chunk(parts[0].lo, parts[-1].hi)
    for part in parts:
        out.texts += part.texts
        out.origins += part.origins
        out.numbers += part.numbers
        out.seen |= part.seen
    out.metric = any(part.metric for part in parts)
    return out


def read_back(
    source: StoredLog, stop: int, kept: Kept, chunk: int, cancelled: Callable[[], bool]
) -> Chunk:
    """Lines before ``stop``: ``chunk`` of them, or up to ``chunk`` lines of the ``kept``
    nodes, reading at most ten chunks back (the work of one step is bounded)."""
    parts: list[Chunk] = []
    lo, got = stop, 0
    while lo > 0 and got < chunk and stop - lo < 10 * chunk and not cancelled():
        start = max(0, lo - chunk)
        part = lines_chunk(start, source.read(start, lo), kept)
        if part.hi != lo:  # the store has fewer lines than that (damaged): stop here
            break
        parts.insert(0, part)
        got += len(part.texts)
        lo = start
    return join(parts, stop)


def read_forward(
    source: StoredLog, start: int, stop: int, kept: Kept, chunk: int, cancelled: Callable[[], bool]
) -> Chunk:
    """Lines from ``start`` on (before ``stop``), as :func:`read_back` the other way."""
    parts: list[Chunk] = []
    hi, got = start, 0
    while hi < stop and got < chunk and hi - start < 10 * chunk and not cancelled():
        end = min(stop, hi + chunk)
        parts.append(lines_chunk(hi, source.read(hi, end), kept))
        got += len(parts[-1].texts)
        if parts[-1].hi != end:  # the store has fewer lines than that (damaged)
            break
        hi = end
    return join(parts, start)


def _unmeasured(count: int) -> array[int]:
    return array("i", [UNMEASURED]) * count


class Window:
    """The lines in memory, with the search term's hits (plain text, case-insensitive), which
    are ``::metric`` lines (``quiet``) and the widths measured so far (with the line's source,
    when :attr:`labels` names it)."""

    def __init__(self) -> None:
        self.kept: Kept = None
        self.term = ""
        self.labels: Callable[[Origin], str] | None = None  # a line's source, drawn before it
        self.reset(Chunk(0, 0), None)

    def __len__(self) -> int:
        return len(self.texts)

    def reset(self, chunk: Chunk, kept: Kept) -> None:
        self.lo, self.hi, self.kept = chunk.lo, chunk.hi, kept
        self.texts, self.origins, self.numbers = chunk.texts, chunk.origins, chunk.numbers
        self.widths = _unmeasured(len(chunk.texts))
        self.seen = set(chunk.seen)
        self.hits = self._hits(chunk.texts)
        self.quiet = metric_flags(chunk.texts, chunk.metric)

    def line(self, position: int) -> LogLine:
        node, stream = self.origins[position]
        return LogLine(node, stream, self.texts[position])

    def node(self, position: int) -> str:
        return self.origins[position][0]

    def head(self, position: int) -> str:
        """What is drawn before the line: its source (``[job › step] ``), or nothing."""
        return "" if self.labels is None else self.labels(self.origins[position])

    def set_labels(self, labels: Callable[[Origin], str] | None) -> None:
        """Draw each line after its source (None: not); the widths are measured again."""
        self.labels = labels
        self.widths = _unmeasured(len(self.texts))

    def width(self, position: int) -> int:
        """The line's width in cells (its source's and its display text's), measured the
        first time asked."""
        size = self.widths[position]
        if size == UNMEASURED:
            head = self.head(position)
            size = cells(display_text(self.texts[position])) + (cells(head) if head else 0)
            self.widths[position] = size
        return size

    def rows(self, position: int, width: int) -> int:
        """The line's rows when wrapped at ``width`` cells."""
        size = self.width(position)
        if size <= width:
            return 1
        return row_count(self.head(position) + display_text(self.texts[position]), width, size)

    def widest(self) -> int:
        """The widest line measured so far."""
        return max(0, max(self.widths, default=0))

    def _hits(self, texts: Sequence[str]) -> bytearray:
        term = self.term
        if not term:
            return bytearray()
        return bytearray(term in plain(text).lower() for text in texts)

    def set_term(self, term: str) -> None:
        self.term = term.lower()
        self.hits = self._hits(self.texts)

    def extend(self, chunk: Chunk) -> None:
        assert chunk.lo == self.hi, (chunk.lo, self.hi)
        self.hi = chunk.hi
        self.texts += chunk.texts
        self.origins += chunk.origins
        self.numbers += chunk.numbers
        self.widths += _unmeasured(len(chunk.texts))
        self.seen |= chunk.seen
        self.hits += self._hits(chunk.texts)
        self.quiet += metric_flags(chunk.texts, chunk.metric)

    def prepend(self, chunk: Chunk) -> None:
        assert chunk.hi == self.lo, (chunk.hi, self.lo)
        self.lo = chunk.lo
        self.texts[:0] = chunk.texts
        self.origins[:0] = chunk.origins
        self.numbers[:0] = chunk.numbers
        self.widths[:0] = _unmeasured(len(chunk.texts))
        self.seen |= chunk.seen
        self.hits[:0] = self._hits(chunk.texts)
        self.quiet[:0] = metric_flags(chunk.texts, chunk.metric)

    def _parts(
        self,
    ) -> tuple[list[str], list[Origin], array[int], array[int], bytearray, bytearray]:
        return self.texts, self.origins, self.numbers, self.widths, self.hits, self.quiet

    def drop_head(self, count: int) -> None:
        self.lo = self.numbers[count] if count < len(self) else self.hi
        for part in self._parts():
            del part[:count]

    def drop_tail(self, count: int) -> None:
        count = min(count, len(self))
        keep = len(self) - count
        if count:
            self.hi = self.numbers[keep]
        for part in self._parts():
            del part[keep:]

    def restrict(self, kept: frozenset[str]) -> None:
        """Keep only the lines of ``kept`` (before reading more of them from the store)."""
        self.seen |= {node for node, _stream in set(self.origins)}
        chosen = [p for p, (node, _stream) in enumerate(self.origins) if node in kept]
        self.texts = [self.texts[p] for p in chosen]
        self.origins = [self.origins[p] for p in chosen]
        self.numbers = array("q", [self.numbers[p] for p in chosen])
        self.widths = array("i", [self.widths[p] for p in chosen])
        self.hits = bytearray(self.hits[p] for p in chosen) if self.term else bytearray()
        self.quiet = bytearray(self.quiet[p] for p in chosen)
        self.kept = kept

    def position(self, number: int) -> int:
        """The first position whose line number is ``number`` or later."""
        return bisect_left(self.numbers, number)


def count_shown(layout: Layout, texts: list[str], origins: list[Origin], metric: bool) -> int:
    """How many of these lines (not in the window) would show in ``layout``."""
    scope, term = layout.scope, layout.window.term if layout.filtering else ""
    if scope is not None:
        texts = [text for text, (node, _) in zip(texts, origins, strict=True) if node in scope]
    if metric and layout.hide_metrics:
        texts = [text for text in texts if not is_metric(text)]
    if term:
        return sum(term in plain(text).lower() for text in texts)
    return len(texts)


class Layout:
    """The window's lines that show, their rows, and the matches of the search."""

    def __init__(self, window: Window) -> None:
        self.window = window
        self.scope: frozenset[str] | None = None
        self.filtering = False
        self.hide_metrics = True  # ``::metric`` lines are the metrics pane's
        self.wrap_width = 0  # 0: lines are not wrapped
        self.visible: list[int] | None = None  # positions shown (None: all)
        self.rows: list[int] = [0]  # first row of each shown line, then the total
        self.matches: list[int] = []  # indices (into the shown lines) of the search's hits

    def count(self) -> int:
        return len(self.window) if self.visible is None else len(self.visible)

    @property
    def total_rows(self) -> int:
        return self.rows[-1] if self.wrap_width else self.count()

    def position(self, index: int) -> int:
        return index if self.visible is None else self.visible[index]

    def index_of(self, position: int) -> int:
        """The index of the first shown line at or after window ``position``."""
        return position if self.visible is None else bisect_left(self.visible, position)

    def row_of(self, index: int) -> int:
        return self.rows[index] if self.wrap_width else index

    def locate(self, row: int) -> tuple[int, int]:
        """The shown line at ``row``, and which of its rows it is."""
        if not self.wrap_width:
            return row, 0
        index = bisect_right(self.rows, row) - 1
        return index, row - self.rows[index]

    def _shown(self, start: int) -> list[int] | None:
        """The positions from ``start`` on that show (None: all of them)."""
        window, scope = self.window, self.scope
        filtering = self.filtering and bool(window.term)
        quiet = window.quiet if self.hide_metrics and window.quiet.find(1, start) >= 0 else None
        span = range(start, len(window))
        if scope is None and not filtering and quiet is None:
            return None
        if scope is None and quiet is None:
            return list(compress(span, window.hits[start:]))
        origins, hits = window.origins, window.hits
        return [
            p
            for p in span
            if (not filtering or hits[p])
            and (scope is None or origins[p][0] in scope)
            and (quiet is None or not quiet[p])
        ]

    def _heights(self, positions: Sequence[int]) -> list[int]:
        rows, width = self.window.rows, self.wrap_width
        return [rows(p, width) for p in positions]

    def drop_head(self, count: int) -> None:
        """The window dropped its first ``count`` lines (without measuring any line again)."""
        visible = self.visible
        gone = count if visible is None else bisect_left(visible, count)
        if visible is not None:
            self.visible = [p - count for p in visible[gone:]]
        if self.wrap_width:
            first = self.rows[gone]
            self.rows = [row - first for row in self.rows[gone:]]
        self.matches = [m - gone for m in self.matches if m >= gone]

    def rebuild(self) -> None:
        self.visible, self.matches, self.rows = None, [], [0]
        self.extend(0)

    def extend(self, start: int) -> int:
        """Lay out the window's lines from ``start`` on; returns how many show."""
        window = self.window
        shown = self._shown(start)
        if shown is None and self.visible is not None:  # all of these show, not all before
            shown = list(range(start, len(window)))
        first = start
        if shown is not None:
            if self.visible is None:  # all before these showed (a ``::metric`` line hides)
                self.visible = list(range(start))
            first = len(self.visible)
            self.visible += shown
        positions: Sequence[int] = range(start, len(window)) if shown is None else shown
        if window.term:
            hits = window.hits
            self.matches += [first + i for i, p in enumerate(positions) if hits[p]]
        if self.wrap_width:
            self.rows += accumulate(self._heights(positions), initial=self.rows[-1])
            del self.rows[-len(positions) - 1]  # the old total, now the new lines' first row
        return len(positions)
