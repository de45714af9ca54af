"""A plot of metric series over their steps, each named in the legend by side, node and
metric; steps are integers, so are the ticks (``metric_series.step_ticks``, as many as the
width holds). Also the ROC curve of a ``ClassificationMetrics`` artifact."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import RenderResult
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tui.core.artifact_content import RocCurve
from tui.core.metric_series import Series, number, step_ticks

TICK_GAP = 3  # columns between two x tick labels
# One colour per series, the same in the plot (plotext takes RGB) and in its legend (Rich).
COLOURS = ((0, 190, 255), (255, 160, 0), (90, 210, 110), (225, 100, 225), (130, 140, 255))


def colour(index: int) -> tuple[int, int, int]:
    return COLOURS[index % len(COLOURS)]


def legend(series: Sequence[Series], width: int) -> Text:
    """``━━ pipeline › train › accuracy  ━━ workflow › Train › accuracy`` in the plot's colours,
    entries packed into lines of ``width`` without breaking one."""
    out = Text()
    used = 0
    for i, one in enumerate(s for s in series if s.plottable):
        red, green, blue = colour(i)
        entry = Text.assemble(("━━ ", f"bold rgb({red},{green},{blue})"), one.label)
        if used and used + 2 + len(entry) > width:
            out.append("\n")
            used = 0
        elif used:
            out.append("  ")
            used += 2
        out.append_text(entry)
        used += len(entry)
    return out


class Legend(Static):
    """The names of the plotted series in their colours, drawn apart from the plot (plotext's
    own legend hides the lines behind it)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: list[Series] = []

    def show(self, series: Sequence[Series]) -> None:
        """Shown for an overlay only: one series is named by the plot's title already."""
        self.series = list(series)
        self.display = len(self.series) > 1
        self.refresh(layout=True)

    def render(self) -> RenderResult:
        return legend(self.series, self.content_size.width or 80)


class SeriesPlot(PlotextPlot):
    """``show(series)``: the first series is the chosen one, the rest overlay it.
    ``compact`` (a corner of the main screen): the series' name as the title, not its range.
    The legend is the caller's (``legend``)."""

    def __init__(self, *, id: str | None = None, compact: bool = False) -> None:
        super().__init__(id=id)
        self.compact = compact
        self.series: list[Series] = []
        self.empty = "no metric reported over steps yet"

    def show(self, series: Sequence[Series], empty: str = "") -> None:
        self.series = [s for s in series if s.plottable]
        self.empty = empty or "no metric reported over steps yet"
        self.refresh()

    def render(self) -> RenderResult:
        self._draw()
        return super().render()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not self.series:
            plt.title(self.empty)
            plt.xticks([])
            plt.yticks([])
            return
        steps: list[int] = []
        for i, series in enumerate(self.series):
            points = series.points
            steps += [step for step, _ in points]
            plt.plot(
                [step for step, _ in points],
                [value for _, value in points],
                marker="hd",
                color=colour(i),
            )
        chosen = self.series[0]
        width = max(self.size.width - 12, 1)  # the y labels take the rest
        ticks = step_ticks(steps, width // (len(str(max(steps))) + TICK_GAP))
        plt.xticks([float(t) for t in ticks], [str(t) for t in ticks])
        plt.xlabel("step")
        plt.title(chosen.label if self.compact else f"{chosen.name}: {chosen.summary()}")


class RocPlot(PlotextPlot):
    """True positive rate over false positive rate, the chance line dotted."""

    def __init__(self, roc: RocCurve, *, classes: str = "") -> None:
        super().__init__(classes=classes)
        self.roc = roc

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.plot([0.0, 1.0], [0.0, 1.0], marker="hd", color="gray")
        plt.plot(list(self.roc.fpr), list(self.roc.tpr), marker="hd", color=colour(0))
        plt.xticks([0.0, 0.5, 1.0], ["0", "0.5", "1"])
        plt.yticks([0.0, 0.5, 1.0], ["0", "0.5", "1"])
        plt.xlabel("false positive rate")
        plt.title(f"ROC · AUC {number(self.roc.auc)}")
        return super().render()
