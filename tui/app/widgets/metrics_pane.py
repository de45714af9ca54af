"""Metrics: each run's resource use as sparklines, the ML metrics runs report as a table, and
a plot of the highlighted metric when it was reported over steps (a series)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Sparkline, Static
from textual_plotext import PlotextPlot

from tui.core import events as ev

SAMPLES = 60


class MetricsPane(Vertical):
    DEFAULT_CSS = """
    MetricsPane {
        height: auto;
        & > .usage { height: 1; }
        & > Sparkline { height: 1; margin: 0 0 0 1; }
        & > DataTable { height: auto; max-height: 12; }
        & > PlotextPlot { height: 10; display: none; }
        & > PlotextPlot.shown { display: block; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cpu: dict[str, deque[float]] = {}
        self._keys: set[str] = set()
        self._series: dict[str, dict[int, float]] = {}  # row key -> step -> value
        self._plotted: str | None = None  # the row key shown in the plot
        self._titles: dict[str, str] = {}  # row key -> what the row shows

    def compose(self) -> ComposeResult:
        for side in ("workflow", "pipeline"):
            yield Static(Text(f"{side}: idle", style="dim"), id=f"usage-{side}", classes="usage")
            yield Sparkline([], id=f"cpu-{side}")
        table: DataTable[str | Text] = DataTable(id="ml-metrics", cursor_type="row")
        yield table
        yield PlotextPlot(id="metric-plot")

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

    def add_metrics(
        self, side: str, metrics: Iterable[ev.Metric], names: Mapping[str, str] | None = None
    ) -> None:
        """Rows keyed by side, node and metric; shown as ``node name/metric``."""
        table = self.query_one(DataTable)
        changed: set[str] = set()
        for metric in metrics:
            node = (names or {}).get(metric.node_id, metric.node_id)
            name = f"{node}/{metric.name}" if metric.node_id else metric.name
            key = f"{side}:{metric.node_id}/{metric.name}"
            step = "" if metric.step is None else str(metric.step)
            value = f"{metric.value:.4g}"
            if metric.step is not None:
                self._series.setdefault(key, {})[metric.step] = metric.value
                changed.add(key)
            self._titles[key] = name
            if key in self._keys:
                table.update_cell(key, "value", value)
                table.update_cell(key, "step", step)
            else:
                table.add_row(name, value, step, key=key)
                self._keys.add(key)
        chosen = self._cursor_series()
        if chosen is not None:
            if chosen in changed or chosen != self._plotted:
                self._plot(chosen)
        else:
            series = [k for k in changed if len(self._series[k]) > 1]
            if series:
                self._plot(series[-1])

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        chosen = self._cursor_series()
        if chosen is not None:
            self._plot(chosen)

    def _cursor_series(self) -> str | None:
        """The highlighted row's key when that row is a series: the user's choice of plot."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key if key is not None and len(self._series.get(key, {})) > 1 else None

    def _plot(self, key: str) -> None:
        plot = self.query_one(PlotextPlot)
        points = sorted(self._series.get(key, {}).items())
        self._plotted = key
        if len(points) < 2:
            plot.remove_class("shown")
            return
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille")
        plt.title(self._titles.get(key, key))
        plt.xlabel("step")
        plot.add_class("shown")
        plot.refresh()

    def plotted(self) -> tuple[str, list[tuple[int, float]]] | None:
        """What the plot shows: the metric's row key and its points (None when hidden)."""
        plot = self.query_one(PlotextPlot)
        if self._plotted is None or not plot.has_class("shown"):
            return None
        return self._plotted, sorted(self._series[self._plotted].items())

    def metric_values(self) -> dict[str, str]:
        table = self.query_one(DataTable)
        rows = (table.get_row_at(i) for i in range(table.row_count))
        return {str(row[0]): str(row[1]) for row in rows}
