"""A user reads a long log in a log pane: wrapped by cells, drawn once, scrolled back through
the run store, scoped to a node, searched past what is in memory; a burst of multi-line events
is measured and drawn only where it is shown."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from textual.app import App, ComposeResult
from textual.pilot import Pilot

import tui.app.widgets.log_view as log_view_module
from tui.app.widgets.log_pane import LogPane
from tui.app.widgets.log_view import LogView
from tui.app.widgets.log_window import UNMEASURED
from tui.app.widgets.log_wrap import display_text, draw, row_count, row_starts
from tui.core import events as ev
from tui.core.log_index import StoredLog, plain
from tui.core.run_state import LogBlock, LogLine
from tui.core.store import RunRecord, RunStore

CJK_AND_TABS = [
    "a中文字符测试一二三四五六七八九十",  # a wide character that does not fit moves down whole
    "col1\tcol2\t中文\tend",
    "\x1b[31m错误\x1b[0m：文件\t未找到 (file not found)",
    "\tindented 表格\tcell",
    "plain ascii line that is longer than twenty cells",
]


class PaneApp(App[None]):
    def __init__(self, window: int = 100_000, chunk: int = 10_000) -> None:
        super().__init__()
        self.window, self.chunk = window, chunk

    def compose(self) -> ComposeResult:
        yield LogPane(window=self.window, chunk=self.chunk)

    @property
    def pane(self) -> LogPane:
        return self.query_one(LogPane)

    @property
    def view(self) -> LogView:
        return self.pane.view


def status(app: PaneApp) -> str:
    return str(app.pane.query_one("#log-status").render())


def screen_rows(view: LogView) -> list[str]:
    return [view.render_line(y).text for y in range(view.size.height)]


async def settle(pilot: Pilot[None], view: LogView) -> None:
    """Wait for the view's reads from the store to land."""
    for _ in range(400):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not view.reading:
            return
    raise AssertionError(f"still {view.reading}")


def write(record: RunRecord, lines: Sequence[LogLine]) -> None:
    for line in lines:
        record.append(
            ev.Log(run_id=record.run_id, node_id=line.node_id, stream="stdout", text=line.text)
        )
    record.close()


def stored_run(tmp_path: Path, lines: Sequence[LogLine]) -> tuple[RunRecord, list[LogLine]]:
    record = RunStore(tmp_path).create("workflow", "ci.yml", tmp_path)
    write(record, lines)
    return record, list(lines)


def numbered(count: int, node: str = "noisy") -> list[LogLine]:
    return [LogLine(node, "stdout", f"\x1b[32m{i:>8}\x1b[0m step output {i}") for i in range(count)]


def number_of(line: LogLine) -> int:
    return int(plain(line.text).split()[0])


async def test_wrapped_cjk_and_tabs_show_every_character_once_and_no_blank_row() -> None:
    app = PaneApp()
    async with app.run_test(size=(22, 14)) as pilot:  # 20 cells of text, 2 of scrollbar
        view = app.view
        view.append([LogLine("build", "stdout", text) for text in CJK_AND_TABS])
        view.focus()
        await pilot.press("w")
        await pilot.pause()
        assert view.wrap and view._layout.wrap_width == 20
        rows = screen_rows(view)
        used = [row for row in rows if row.strip()]
        assert rows[: len(used)] == used, "a blank row inside the log"
        assert len(used) == view.virtual_size.height == 11
        expected = "".join(plain(text) for text in CJK_AND_TABS).replace("\t", "")
        assert "".join(rows).replace(" ", "") == expected.replace(" ", "")
        assert all(cell_len(row.rstrip()) <= 20 for row in rows)
        assert rows[0].rstrip() == "a中文字符测试一二三" and rows[1].startswith("四五六七八九十")
        assert rows[2].rstrip() == "col1    col2    中文"  # tabs to 8-cell stops, by cells
        assert rows[3].rstrip() == "    end"


async def test_rows_drawn_once_are_not_drawn_again(monkeypatch) -> None:
    drawn: list[str] = []
    real = log_view_module.draw

    def counting(raw, *args, **kwargs):  # type: ignore[no-untyped-def]
        drawn.append(raw)
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(log_view_module, "draw", counting)
    app = PaneApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.view
        view.append(numbered(1_000))
        await pilot.pause()
        first = len(drawn)
        assert 0 < first <= view.size.height
        view.refresh()  # a repaint draws nothing again
        await pilot.pause()
        assert len(drawn) == first
        view.focus()
        await pilot.press("pageup", "pageup")
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        scrolled = len(drawn)
        assert scrolled > first
        await pilot.press("pagedown", "pagedown")  # back over seen lines
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        assert len(drawn) == scrolled
        await pilot.press("slash", *"step output 990", "enter")
        await pilot.pause()
        assert view.matches and view.match_index == 0
        seen, again = set(drawn[:scrolled]), drawn[scrolled:]
        assert any("990" in raw for raw in again)  # the match, highlighted
        assert all(raw not in seen for raw in again if "990" not in raw), "drawn twice"
        row = next(
            view.render_line(y)
            for y in range(view.size.height)
            if "990" in view.render_line(y).text
        )
        highlighted = [seg for seg in row if "step output 990" in seg.text]
        assert highlighted and highlighted[0].style is not None and highlighted[0].style.bgcolor


async def test_a_long_stored_log_scrolls_back_through_the_store(tmp_path: Path) -> None:
    record, lines = stored_run(tmp_path, numbered(30_000))
    app = PaneApp(window=5_000, chunk=1_000)
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.view
        view.attach(StoredLog(record.path))
        for start in range(0, 30_000, 2_000):  # the run streams in
            view.append(lines[start : start + 2_000])
        await pilot.pause()
        assert view.line_count <= 5_500 and view.total == 30_000
        assert status(app).startswith("whole run · last ")
        assert "of 30,000 lines" in status(app)
        start = view.window_start
        view.focus()
        await pilot.press("home")
        await settle(pilot, view)
        assert view.window_start == start - 1_000
        assert status(app).startswith(f"whole run · lines {start - 1_000 + 1:,}–")
        rows = screen_rows(view)
        assert rows[0].split()[0] == str(start)  # the line that was at the top stays there
        await pilot.press("home")  # on back, one chunk at a time
        await settle(pilot, view)
        assert view.window_start == start - 2_000
        assert [number_of(line) for line in view.lines()] == list(
            range(view.window_start, view.window_end)
        )
        late = numbered(10, node="late")  # the run goes on meanwhile: stored, then shown
        write(RunRecord(record.path, record.meta), late)
        view.append(late)
        await pilot.pause()
        assert "10 new lines — End to follow" in status(app)
        await pilot.press("end")
        await settle(pilot, view)
        assert view.follow and view.window_end == view.total == 30_010
        assert "whole run · last " in status(app) and "End to follow" not in status(app)
        assert screen_rows(view)[-1].split()[0] == "9"  # the last of the late lines


async def test_a_scope_reads_back_until_its_lines_appear(tmp_path: Path) -> None:
    early = [LogLine("setup", "stdout", f"setting up {i}") for i in range(3)]
    record, lines = stored_run(tmp_path, early + numbered(40_000))
    app = PaneApp(window=5_000, chunk=1_000)
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.view
        view.attach(StoredLog(record.path))
        view.append(lines)
        await pilot.pause()
        assert not any(line.node_id == "setup" for line in view.lines())
        view.set_scope({"setup"})
        app.pane.set_scope("setup")
        await settle(pilot, view)
        assert [line.text for line in view.lines()] == [line.text for line in early]
        assert status(app).startswith("setup · 3 lines")
        view.set_scope({"setup", "noisy"})  # widening it reads the window again
        app.pane.set_scope("whole job")
        await settle(pilot, view)
        assert view.lines() and view.lines()[-1] == lines[-1]
        view.set_scope(None)
        await settle(pilot, view)
        assert view.window_end == 40_003 and view.visible_count() == view.line_count


async def test_live_lines_of_a_scope_are_filtered_in_the_window() -> None:
    app = PaneApp()
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.view
        view.append([LogLine("a" if i % 2 else "b", "stdout", f"line {i}") for i in range(10)])
        view.set_scope({"a"})
        await pilot.pause()
        assert [line.text for line in view.lines()] == [f"line {i}" for i in range(1, 10, 2)]
        view.append([LogLine("a", "stdout", "more a"), LogLine("b", "stdout", "more b")])
        assert view.lines()[-1].text == "more a" and view.visible_count() == 6
        view.set_scope(None)
        assert view.visible_count() == 12


async def test_search_goes_on_past_the_window(tmp_path: Path) -> None:
    lines = numbered(30_000)
    lines[1_234] = LogLine("noisy", "stdout", "the NEEDLE is here")
    lines[20_000] = LogLine("noisy", "stdout", "another needle")
    record, lines = stored_run(tmp_path, lines)
    app = PaneApp(window=5_000, chunk=1_000)
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.view
        view.attach(StoredLog(record.path))
        view.append(lines)
        await pilot.pause()
        view.focus()
        await pilot.press("slash", *"needle", "enter")  # none in the window: past its end,
        await settle(pilot, view)  # then from the start of the run, as less does
        assert view.window_start <= 1_234 < view.window_end
        assert view.match_index == 0 and "/needle 1/1" in status(app)
        assert any("the NEEDLE is here" in row for row in screen_rows(view))
        assert status(app).startswith("whole run · lines ") and " of 30,000 · " in status(app)
        await pilot.press("n")  # past the last match of the window: the next one
        await settle(pilot, view)
        assert view.window_start <= 20_000 < view.window_end
        assert any("another needle" in row for row in screen_rows(view))
        await pilot.press("N")  # before the first one: the previous one
        await settle(pilot, view)
        assert any("the NEEDLE is here" in row for row in screen_rows(view))
        await pilot.press("end")
        await settle(pilot, view)
        assert view.follow and view.window_end == 30_000 and not view.matches


AWKWARD = [
    *CJK_AND_TABS,
    "",
    "\t",
    "👩‍👩‍👧 family ❤️ love e\u0301 é 🇫🇷",  # ZWJ sequence, VS16, combining mark, flag
    "bell\x07 back\x08space\x1b[2K \x1b]0;title\x07 osc \r progress 50%\rprogress 100%",
    "\x1b[1;33mwarning\x1b[0m\t\x1b[4m下划线\x1b[24m\tok\x1b[",  # a torn escape at the end
    "x" * 45 + "中" + "y" * 3,
]


def test_rows_are_counted_and_drawn_by_the_same_cut() -> None:
    """Whatever a line holds, the rows a line is given are the rows drawn, each fits the
    width, and together they are the line's text, every character once."""
    console = Console(width=200)
    for raw in AWKWARD:
        shown = display_text(raw)
        size = cell_len(shown)
        for width in (1, 2, 3, 7, 20, 80):
            starts = row_starts(shown, width, size)
            rows = draw(raw, shown, starts, console=console, base=Style(), style=None)
            assert len(rows) == row_count(shown, width, size) == len(starts), (raw, width)
            assert "".join(row.text for row in rows) == shown
            assert all(row.cell_length <= max(width, 2) for row in rows), (raw, width)
            assert all(row.text for row in rows[1:]), "a blank row"


def blocks_of(lines: Sequence[LogLine], size: int) -> list[LogBlock]:
    """The lines as a real run delivers a burst: ``size`` lines of one node to a ``log`` event."""
    out: list[LogBlock] = []
    for start in range(0, len(lines), size):
        part = lines[start : start + size]
        out.append(LogBlock(part[0].node_id, part[0].stream, "\n".join(p.text for p in part)))
    return out


async def test_a_burst_of_multi_line_events_is_drawn_and_measured_only_where_shown() -> None:
    lines = [LogLine("noisy", "stdout", "w" * 150)]  # a wide line, far above the tail
    lines += numbered(19_999)
    app = PaneApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.view
        view.append_blocks(blocks_of(lines, 500))
        await pilot.pause()
        assert view.total == view.line_count == 20_000 and view.follow
        assert screen_rows(view)[-1].split()[:3] == ["19998", "step", "output"]  # the tail
        measured = [w for w in view._win.widths if w != UNMEASURED]
        assert 0 < len(measured) <= view.size.height, "lines measured that were never shown"
        assert view.virtual_size.width < 150  # the wide line was not drawn: not measured
        view.focus()
        await pilot.press("home")
        await pilot.pause()
        assert screen_rows(view)[0].startswith("w" * 20)
        await pilot.pause()
        assert view.virtual_size.width == 150  # drawn now: the view scrolls as wide as it
        assert status(app).startswith("whole run · 20,000 lines")


async def test_multi_line_events_keep_their_nodes_for_scope_and_search() -> None:
    app = PaneApp()
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.view
        view.append_blocks(
            [
                LogBlock("a", "stdout", "a one\na two"),
                LogBlock("b", "stderr", "b one\nb two\nb three"),
                LogBlock("a", "stdout", "a three"),
            ]
        )
        assert [line.node_id for line in view.lines()] == ["a", "a", "b", "b", "b", "a"]
        assert view.lines()[2] == LogLine("b", "stderr", "b one")
        view.set_scope({"a"})
        await pilot.pause()
        assert [line.text for line in view.lines()] == ["a one", "a two", "a three"]
        view.set_scope(None)
        view.set_search("three")
        await pilot.pause()
        assert len(view.matches) == 2 and view.match_index == 0
        view.set_filtering(True)
        await pilot.pause()
        assert view.visible_count() == 2


async def test_a_stored_run_of_multi_line_events_scrolls_back_line_by_line(
    tmp_path: Path,
) -> None:
    lines = numbered(12_000)
    record = RunStore(tmp_path).create("workflow", "ci.yml", tmp_path)
    blocks = blocks_of(lines, 700)  # events cut across the chunks read back
    for block in blocks:
        record.append(ev.Log(run_id=record.run_id, node_id=block.node_id, text=block.text))
    record.close()
    app = PaneApp(window=3_000, chunk=1_000)
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.view
        view.attach(StoredLog(record.path))
        view.append_blocks(blocks)
        await pilot.pause()
        start = view.window_start
        assert view.window_end == 12_000 and start > 0
        view.focus()
        await pilot.press("home")
        await settle(pilot, view)
        assert view.window_start == start - 1_000
        assert [number_of(line) for line in view.lines()] == list(
            range(view.window_start, view.window_end)
        )
