"""The fidelity report of a run as a modal (``i`` on the main screen): what will differ on
GitHub or on the KFP cluster, each item with its node, why it matters there and what to do —
the same items as ``pipedeck report RUN`` (``tui.core.fidelity``), read off the event loop."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.core.fidelity.items import Item
from tui.core.fidelity.report import report_for, service_of
from tui.core.store import RunRecord


def item_head(item: Item) -> Text:
    """An item's first line: its node (cyan), what will differ."""
    return Text.assemble((item.node_id or "(run)", "cyan"), f"  {item.what}")


class ItemView(Vertical):
    """One item as the CLI's report shows it: node and what; why (dim); → what to do."""

    def __init__(self, item: Item) -> None:
        super().__init__(classes="report-item")
        self.item = item

    def compose(self) -> ComposeResult:
        yield Static(item_head(self.item), classes="report-head")
        yield Static(Text(self.item.why), classes="report-why")
        yield Static(Text(f"→ {self.item.fix}"), classes="report-fix")

    def text(self) -> str:
        return f"{self.item.node_id} {self.item.what}\n{self.item.why}\n{self.item.fix}"


class ReportScreen(ModalScreen[None]):
    CSS_PATH = "report.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,i", "close", "Close", key_display="Esc"),
    ]

    def __init__(self, record: RunRecord) -> None:
        super().__init__()
        self.record = record
        self.items: list[Item] | None = None  # once read

    def compose(self) -> ComposeResult:
        meta = self.record.meta
        with Vertical(id="report-dialog") as dialog:
            dialog.border_title = f"What will differ on {service_of(meta.kind)}"
            dialog.border_subtitle = "Esc closes"
            yield Static(Text(f"{meta.kind} {meta.target}  run {meta.run_id}"), id="report-run")
            with VerticalScroll(id="report-items"):
                yield Static("reading the run…", id="report-reading")

    def on_mount(self) -> None:
        self.read_items()

    @work(group="report", exclusive=True, exit_on_error=False)
    async def read_items(self) -> None:
        items = await asyncio.to_thread(report_for, self.record)
        self.items = items
        box = self.query_one("#report-items", VerticalScroll)
        await box.remove_children()
        if not items:
            where = service_of(self.record.meta.kind)
            line = f"nothing this run recorded says {where} will run it differently"
            await box.mount(Static(Text(line, style="dim")))
            return
        await box.mount_all(ItemView(item) for item in items)

    def action_close(self) -> None:
        self.dismiss(None)
