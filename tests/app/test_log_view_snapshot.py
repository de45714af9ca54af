"""The look of a log pane wrapping CJK text, tabs and colour at 20 cells, frozen
(pytest-textual-snapshot): every character once, wide ones never cut, no blank row."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tests.app.test_log_view import CJK_AND_TABS
from tui.app.widgets.log_pane import LogPane
from tui.core.run_state import LogLine


class WrappedPane(App[None]):
    CSS = "LogPane > LogView { width: 22; }"  # 20 cells of text and the scrollbar's 2

    def compose(self) -> ComposeResult:
        yield LogPane()

    def on_mount(self) -> None:
        view = self.query_one(LogPane).view
        view.append([LogLine("build", "stdout", text) for text in CJK_AND_TABS])
        view.append([LogLine("build", "stderr", "失败\tfailed: 退出码 1")])
        view.append([LogLine("", "system", "run failure: 任务失败")])
        view.focus()


def test_a_log_pane_wraps_cjk_and_tabs_at_twenty_cells(snap_compare):
    async def wrap(pilot) -> None:
        await pilot.press("w")
        await pilot.pause()

    assert snap_compare(WrappedPane(), terminal_size=(48, 18), run_before=wrap)
