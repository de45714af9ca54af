"""Metrics: each run's resource use as sparklines, and the ML metrics runs report."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Sparkline, Static

from tui.core import events as ev

SAMPLES = 60


class MetricsPane(Vertical):
    DEFAULT_CSS = """
    MetricsPane {
        height: auto;
        & > .usage { height: 1; }
        & > Sparkline { height: 1; margin: 0 0 0 1; }
        & > DataTable { height: auto; max-height: 12; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cpu: dict[str, deque[float]] = {}
        self._keys: set[str] = set()

    def compose(self) -> ComposeResult:
        for side in ("workflow", "pipeline"):
            yield Static(Text(f"{side}: idle", style="dim"), id=f"usage-{side}", classes="usage")
            yield Sparkline([], id=f"cpu-{side}")
        table: DataTable[str | Text] = DataTable(id="ml-metrics", cursor_type="row")
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # fixed widths: the table never re-lays itself out as rows stream in
        table.add_column("metric", key="metric", width=20)
        table.add_column("value", key="value", width=7)
        table.add_column("step", key="step", width=4)

    def set_usage(self, side: str, sample: tuple[float, float] | None) -> None:
        cell = self.query_one(f"#usage-{side}", Static)
        if sample is None:
            cell.update(Text(f"{side}: idle", style="dim"))
            return
        cpu, mib = sample
        history = self._cpu.setdefault(side, deque(maxlen=SAMPLES))
        history.append(cpu)
        cell.update(Text.assemble(f"{side}: ", (f"{cpu:5.1f}% CPU", "bold"), f"  {mib:,.0f} MiB"))
        self.query_one(f"#cpu-{side}", Sparkline).data = list(history)

    def add_metrics(self, side: str, metrics: Iterable[ev.Metric]) -> None:
        table = self.query_one(DataTable)
        for metric in metrics:
            name = f"{metric.node_id}/{metric.name}" if metric.node_id else metric.name
            key = f"{side}:{name}"
            step = "" if metric.step is None else str(metric.step)
            value = f"{metric.value:.4g}"
            if key in self._keys:
                table.update_cell(key, "value", value)
                table.update_cell(key, "step", step)
            else:
                table.add_row(name, value, step, key=key)
                self._keys.add(key)

    def metric_values(self) -> dict[str, str]:
        table = self.query_one(DataTable)
        rows = (table.get_row_at(i) for i in range(table.row_count))
        return {str(row[0]): str(row[1]) for row in rows}
