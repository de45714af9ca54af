"""Metrics: each run's resource use as sparklines, the ML metrics runs report as a table (a
heading per side, each row a node and metric below it, ``train › accuracy``, wrapped where the
pane is narrow), and a plot of the highlighted metric when it was reported over steps (a
series). Enter on a row opens the metrics view on it (``OpenView``; ``m`` opens it from
anywhere)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Sparkline, Static

from tui.app.widgets.series_plot import SeriesPlot
from tui.core import events as ev
from tui.core.metric_series import Series, number
from tui.core.run_state import PATH_SEPARATOR

SAMPLES = 60
VALUE, STEP = 7, 4  # the value and step columns' widths; the name takes the rest
SIDES = ("workflow", "pipeline")


class MetricsPane(Vertical):
    DEFAULT_CSS = """
    MetricsPane {
        height: auto;
        & > .usage { height: 1; }
        & > Sparkline { height: 1; margin: 0 0 0 1; }
        & > DataTable { height: auto; max-height: 12; }
        & > SeriesPlot { height: 10; display: none; }
        & > SeriesPlot.shown { display: block; }
    }
    """

    @dataclass
    class OpenView(Message):
        """Open the metrics view on this series (``side:node/metric``)."""

        key: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cpu: dict[str, deque[float]] = {}
        self._keys: set[str] = set()
        self._series: dict[str, dict[int, float]] = {}  # row key -> step -> value
        self._plotted: str | None = None  # the row key shown in the plot
        self._titles: dict[str, str] = {}  # row key -> its full name
        self._names: dict[str, tuple[str, str, str, str]] = {}  # key -> side, node id, node, name
        self._values: dict[str, tuple[str, str]] = {}  # key -> value and step shown
        self._order: list[str] = []  # keys in the order first seen
        self._name_width = 0

    def compose(self) -> ComposeResult:
        for side in ("workflow", "pipeline"):
            yield Static(Text(f"{side}: idle", style="dim"), id=f"usage-{side}", classes="usage")
            yield Sparkline([], id=f"cpu-{side}")
        table: DataTable[str | Text] = DataTable(id="ml-metrics", cursor_type="row")
        yield table
        yield SeriesPlot(id="metric-plot", compact=True)

    def on_mount(self) -> None:
        self.border_subtitle = "m: metrics view"
        self._relayout()

    def on_resize(self) -> None:
        if self._fit_name() != self._name_width:
            self._relayout()

    def _fit_name(self) -> int:
        """The name column's width: what the pane leaves beside value and step."""
        padding = 2 * self.query_one(DataTable).cell_padding * 3
        return max(12, self.content_size.width - VALUE - STEP - padding)

    def _relayout(self) -> None:
        """The rows again, a heading per side and its series below in the order first seen;
        only when a series appears or the pane's width changes (values update in place)."""
        table = self.query_one(DataTable)
        cursor = self._cursor_key()
        self._name_width = self._fit_name()
        table.clear(columns=True)
        table.add_column("metric", key="metric", width=self._name_width)
        table.add_column("value", key="value", width=VALUE)
        table.add_column("step", key="step", width=STEP)
        for side in SIDES:
            keys = [k for k in self._order if self._names[k][0] == side]
            if not keys:
                continue
            table.add_row(Text(side, style="bold italic"), "", "", key=f"{side}:")
            for key in keys:
                _, node_id, node, name = self._names[key]
                shown = f"{node}{PATH_SEPARATOR}{name}" if node_id else name
                value, step = self._values[key]
                table.add_row(Text(shown, overflow="fold"), value, step, key=key, height=None)
        rows = [str(key.value) for key in table.rows]
        if cursor in rows:
            table.move_cursor(row=rows.index(cursor), animate=False)

    def _cursor_key(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if key is None else str(key)

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
        """Rows keyed by side, node and metric, under a heading per side."""
        table = self.query_one(DataTable)
        changed: dict[str, None] = {}  # in the order they came: the last one is plotted
        new = False
        for metric in metrics:
            node = (names or {}).get(metric.node_id, metric.node_id)
            parts = [side, node, metric.name] if metric.node_id else [side, metric.name]
            key = f"{side}:{metric.node_id}/{metric.name}"
            step = "" if metric.step is None else str(metric.step)
            value = number(metric.value)
            if metric.step is not None:
                self._series.setdefault(key, {})[metric.step] = metric.value
                changed[key] = None
            self._titles[key] = PATH_SEPARATOR.join(parts)
            self._names[key] = (side, metric.node_id, node, metric.name)
            self._values[key] = (value, step)
            if key not in self._keys:
                self._keys.add(key)
                self._order.append(key)
                new = True
            elif not new:
                table.update_cell(key, "value", value)
                table.update_cell(key, "step", step)
        if new:
            self._relayout()
        chosen = self._cursor_series()
        if chosen is not None:
            if chosen in changed or chosen != self._plotted:
                self._plot(chosen)
        else:
            series = [k for k in changed if len(self._series[k]) > 1]
            if series:
                self._plot(series[-1])

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        if message.row_key.value is not None:
            self.post_message(self.OpenView(message.row_key.value))

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        chosen = self._cursor_series()
        if chosen is not None:
            self._plot(chosen)

    def _cursor_series(self) -> str | None:
        """The highlighted row's key when that row is a series: the user's choice of plot."""
        key = self._cursor_key()
        return key if key is not None and len(self._series.get(key, {})) > 1 else None

    def _plot(self, key: str) -> None:
        plot = self.query_one(SeriesPlot)
        points = sorted(self._series.get(key, {}).items())
        self._plotted = key
        if len(points) < 2:
            plot.remove_class("shown")
            return
        side, node_id, node, name = self._names[key]
        steps = tuple(step for step, _ in points)
        values = tuple(value for _, value in points)
        plot.show([Series(side, node_id, node, name, values, steps)])
        plot.add_class("shown")

    def plotted(self) -> tuple[str, list[tuple[int, float]]] | None:
        """What the plot shows: the metric's row key and its points (None when hidden)."""
        plot = self.query_one(SeriesPlot)
        if self._plotted is None or not plot.has_class("shown"):
            return None
        return self._plotted, sorted(self._series[self._plotted].items())

    def metric_values(self) -> dict[str, str]:
        """Each row's value by its full name (``pipeline › train › accuracy``)."""
        return {self._titles[key]: self._values[key][0] for key in self._order}

    def row_names(self) -> list[str]:
        """The rows as shown, headings included, in order."""
        table = self.query_one(DataTable)
        return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
