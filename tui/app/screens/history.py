"""``h``: the stored runs, newest first; Enter replays one into its pane. A target's newest
run is marked ``stale`` when a file it depends on changed since it started. ``space`` marks a
run, ``c`` compares two (the two marked, or the one marked and the one under the cursor),
older → newer, on the comparison screen."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey

from tui.app import staleness
from tui.app.widgets.run_tree import format_duration, status_icon
from tui.core.store import RunMeta, RunStore

MARK = "◆"
HINT = "Enter opens a run in its pane · space marks · c compares two · Esc closes"


class HistoryScreen(ModalScreen[str | None]):
    CSS_PATH = "history.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,h", "close", "Close", key_display="Esc"),
        Binding("enter", "open", "Open run"),
        Binding("space", "mark", "Mark for comparison"),
        Binding("c", "compare", "Compare runs"),
    ]

    def __init__(self, store: RunStore) -> None:
        super().__init__()
        self.store = store
        self.metas: list[RunMeta] = []
        self._status_column: ColumnKey | None = None
        self._mark_column: ColumnKey | None = None
        self.marked: list[str] = []  # run ids, in the order marked (two at most)

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield DataTable(cursor_type="row", zebra_stripes=True)
            yield Static(HINT, id="history-hint")

    def on_mount(self) -> None:
        box = self.query_one("#history")
        box.border_title = "run history"
        table = self.query_one(DataTable)
        columns = ("", "", "run", "kind", "target", "mode", "status", "took", "error")
        keys = table.add_columns(*columns)
        self._mark_column, self._status_column = keys[0], keys[6]
        self.metas = self.store.list()
        for meta in self.metas:
            table.add_row(
                "",
                status_icon(meta.status),
                meta.run_id,
                meta.kind,
                meta.target,
                meta.mode,
                meta.status,
                format_duration(meta.duration),
                Text(meta.error.splitlines()[0] if meta.error else "", style="red"),
                key=meta.run_id,
            )
        if not self.metas:
            box.border_subtitle = "no runs stored yet"
        table.focus()
        self.mark_stale()

    @work(group="history-stale", exclusive=True, exit_on_error=False)
    async def mark_stale(self) -> None:
        """Mark the runs a file they depend on changed after (stat calls, in a thread)."""
        stale = await asyncio.to_thread(staleness.stale_runs, self.metas)
        if not self.is_attached or self._status_column is None:
            return  # closed meanwhile
        table = self.query_one(DataTable)
        for meta in self.metas:
            if meta.run_id in stale:
                status = Text.assemble(meta.status, (" stale", "dim italic"))
                table.update_cell(meta.run_id, self._status_column, status, update_width=True)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(str(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.metas and table.cursor_row >= 0:
            self.dismiss(self.metas[table.cursor_row].run_id)

    def action_close(self) -> None:
        self.dismiss(None)

    def _cursor_run(self) -> str | None:
        row = self.query_one(DataTable).cursor_row
        return self.metas[row].run_id if self.metas and 0 <= row < len(self.metas) else None

    def action_mark(self) -> None:
        """Mark the run under the cursor (or unmark it); a third mark drops the first."""
        run_id = self._cursor_run()
        if run_id is None or self._mark_column is None:
            return
        if run_id in self.marked:
            self.marked.remove(run_id)
        else:
            self.marked.append(run_id)
            if len(self.marked) > 2:
                self._show_mark(self.marked.pop(0), False)
        self._show_mark(run_id, run_id in self.marked)

    def _show_mark(self, run_id: str, marked: bool) -> None:
        assert self._mark_column is not None
        mark = Text(MARK, style="bold magenta") if marked else ""
        self.query_one(DataTable).update_cell(run_id, self._mark_column, mark)

    def action_compare(self) -> None:
        """The two marked runs, or the marked one and the one under the cursor."""
        from tui.app.screens.compare import CompareScreen

        pair = list(self.marked)
        cursor = self._cursor_run()
        if len(pair) == 1 and cursor is not None and cursor not in pair:
            pair.append(cursor)
        if len(pair) != 2:
            self.notify("mark a run with space, then press c on another", timeout=4)
            return
        started = {m.run_id: (m.started, m.run_id) for m in self.metas}
        older, newer = sorted(pair, key=lambda r: started[r])
        self.app.push_screen(CompareScreen(self.store, older, newer))
