"""Two stored runs compared (from history: ``space`` marks, ``c`` compares): each node's
status and duration in both, each metric's last value, the artifacts whose content changed.
What is compared comes from ``tui.core.compare`` (the same as ``pipedeck diff``)."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tui.app.widgets.run_tree import format_duration
from tui.core.compare import Comparison, compare_records, number, signed
from tui.core.errors import PipedeckError
from tui.core.statuses import status
from tui.core.store import RunStore

WIDE = 160  # metrics and artifacts side by side from this many columns
TALL = 45  # from this many rows the tables take the height they need, not all of it
SHA = 10  # hex digits of a sha256 shown (`pipedeck diff --json` has them all)
CHANGE_STYLE = {"status": "bold yellow", "added": "green", "removed": "red", "same": "dim"}


def status_cell(name: str | None) -> Text:
    if name is None:
        return Text("-", style="dim")
    row = status(name)
    return Text(f"{row.glyph} {name}", style=row.style)


class CompareScreen(ModalScreen[None]):
    CSS_PATH = "compare.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", key_display="Esc"),
    ]

    def __init__(self, store: RunStore, run_a: str, run_b: str) -> None:
        super().__init__()
        self.store = store
        self.run_a, self.run_b = run_a, run_b
        self.comparison: Comparison | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="compare"):
            yield Static("comparing…", id="compare-header")
            yield Static("", id="compare-counts")
            yield DataTable(id="compare-nodes", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="compare-lower"):
                with Vertical(id="compare-metrics", classes="compare-part"):
                    yield Static("Metrics (last value)", classes="compare-title")
                    yield DataTable(id="compare-metric-table", cursor_type="row")
                with Vertical(id="compare-artifacts", classes="compare-part"):
                    yield Static("Artifacts changed", classes="compare-title")
                    yield DataTable(id="compare-artifact-table", cursor_type="row")
            yield Static("A → B · tab: next table · Esc closes", id="compare-hint")

    def on_mount(self) -> None:
        box = self.query_one("#compare")
        box.border_title = "run comparison"
        self._fit(self.app.size.width, self.app.size.height)
        self.query_one("#compare-nodes", DataTable).focus()
        self.load()

    @work(group="compare", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        """Both runs' events read and folded in a thread, then the tables filled."""

        def read() -> Comparison:
            return compare_records(self.store.get(self.run_a), self.store.get(self.run_b))

        try:
            found = await asyncio.to_thread(read)
        except (PipedeckError, OSError) as exc:
            message = exc.message if isinstance(exc, PipedeckError) else str(exc)
            self.query_one("#compare-header", Static).update(
                Text(f"cannot compare: {message}", style="bold red")
            )
            return
        if self.is_attached:
            self.show(found)

    def show(self, found: Comparison) -> None:
        self.comparison = found
        header = Text(found.header(), style="bold")
        self.query_one("#compare-header", Static).update(header)
        counts = found.counts() + "".join(f"\n{note}" for note in found.notes)
        self.query_one("#compare-counts", Static).update(counts)
        nodes = self.query_one("#compare-nodes", DataTable)
        nodes.add_columns("node", "A", "B", "took A", "took B", "Δ", "change")
        for n in found.nodes:
            nodes.add_row(
                Text("  " * n.depth + n.title, no_wrap=True),
                status_cell(n.status_a),
                status_cell(n.status_b),
                Text(format_duration(n.duration_a) or "-", justify="right"),
                Text(format_duration(n.duration_b) or "-", justify="right"),
                Text(signed(n.duration_delta, "s"), justify="right"),
                Text("" if n.change == "same" else n.change, style=CHANGE_STYLE[n.change]),
                key=n.node_id,
            )
        metrics = self.query_one("#compare-metric-table", DataTable)
        metrics.add_columns("metric", "node", "A", "B", "Δ")
        for m in found.metrics:
            metrics.add_row(
                m.name,
                m.node or "(run)",
                Text(number(m.a), justify="right"),
                Text(number(m.b), justify="right"),
                Text(signed(m.delta), justify="right", style="bold" if m.delta else "dim"),
            )
        if not found.metrics:
            self.query_one("#compare-metrics .compare-title", Static).update("Metrics: none")
            self.query_one("#compare-metrics").add_class("empty")
        arts = self.query_one("#compare-artifact-table", DataTable)
        arts.add_columns("name", "node", "change", "A", "B")
        for x in found.artifacts:
            arts.add_row(*x.cells(SHA))
        if not found.artifacts:
            title = "Artifacts: none changed"
            if found.same_artifacts:
                title += f" ({found.same_artifacts} the same)"
            self.query_one("#compare-artifacts .compare-title", Static).update(title)
            self.query_one("#compare-artifacts").add_class("empty")

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """Narrow: metrics above artifacts. Tall: the node table as high as its rows."""
        self.set_class(width < WIDE, "narrow")
        self.set_class(height >= TALL, "tall")

    def action_close(self) -> None:
        self.dismiss(None)
