"""A metric reported over steps is plotted; highlighting another series plots that one; the
rows sit under their side's heading and Enter on one asks for the metrics view on it."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.app.widgets.metrics_pane import MetricsPane
from tui.core import events as ev


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield MetricsPane(id="metrics")


def series(name: str, node: str, values: list[float]) -> list[ev.Metric]:
    return [
        ev.Metric(run_id="r", name=name, value=v, step=i, source="kfp", node_id=node)
        for i, v in enumerate(values, start=1)
    ]


async def test_a_series_is_plotted_and_the_highlighted_row_chooses_which() -> None:
    app = PaneApp()
    async with app.run_test(size=(60, 40)) as pilot:
        pane = app.query_one(MetricsPane)
        pane.add_metrics("pipeline", [ev.Metric(run_id="r", name="drift", value=0.2)])
        await pilot.pause()
        assert pane.plotted() is None  # a single value is not a series
        pane.add_metrics("pipeline", series("accuracy", "train", [0.5, 0.7, 0.9]))
        await pilot.pause()
        assert pane.plotted() == ("pipeline:train/accuracy", [(1, 0.5), (2, 0.7), (3, 0.9)])
        pane.add_metrics("workflow", series("loss", "fit", [3.0, 2.0]))
        await pilot.pause()
        assert pane.plotted() is not None and pane.plotted()[0] == "workflow:fit/loss"
        # each side's rows under its heading, whatever order they arrived in
        assert pane.row_names() == [
            "workflow",
            "fit › loss",
            "pipeline",
            "drift",
            "train › accuracy",
        ]
        assert pane.metric_values()["pipeline › train › accuracy"] == "0.9"
        table = pane.query_one("#ml-metrics")
        table.focus()
        await pilot.press("down", "down", "down", "down")  # the user picks the accuracy row
        await pilot.pause()
        assert pane.plotted() == ("pipeline:train/accuracy", [(1, 0.5), (2, 0.7), (3, 0.9)])
        pane.add_metrics("workflow", series("loss", "fit", [3.0, 2.0, 1.0]))
        await pilot.pause()
        assert pane.plotted()[0] == "pipeline:train/accuracy"  # the choice sticks


async def test_enter_on_a_row_asks_for_the_metrics_view_on_its_series() -> None:
    asked: list[str] = []

    class Listening(PaneApp):
        def on_metrics_pane_open_view(self, message: MetricsPane.OpenView) -> None:
            asked.append(message.key)

    app = Listening()
    async with app.run_test(size=(40, 30)) as pilot:
        pane = app.query_one(MetricsPane)
        pane.add_metrics("pipeline", series("accuracy", "train", [0.5, 0.7]))
        await pilot.pause()
        pane.query_one("#ml-metrics").focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert asked == ["pipeline:train/accuracy"]
