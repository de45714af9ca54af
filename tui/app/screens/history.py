"""``h``: the stored runs, newest first; Enter replays one into its pane. A target's newest
run is marked ``stale`` when a file it depends on changed since it started."""

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


class HistoryScreen(ModalScreen[str | None]):
    CSS_PATH = "history.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,h", "close", "Close", key_display="Esc"),
        Binding("enter", "open", "Open run"),
    ]

    def __init__(self, store: RunStore) -> None:
        super().__init__()
        self.store = store
        self.metas: list[RunMeta] = []
        self._status_column: ColumnKey | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield DataTable(cursor_type="row", zebra_stripes=True)
            yield Static("Enter opens a run in its pane · Esc closes", id="history-hint")

    def on_mount(self) -> None:
        box = self.query_one("#history")
        box.border_title = "run history"
        table = self.query_one(DataTable)
        keys = table.add_columns("", "run", "kind", "target", "mode", "status", "took", "error")
        self._status_column = keys[5]
        self.metas = self.store.list()
        for meta in self.metas:
            table.add_row(
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
