"""The main screen's way into the metrics view (``tui.app.screens.metrics``): its ``m`` key,
and Enter on a row of the metrics pane, which opens the view on that row's series."""

from __future__ import annotations

from textual import on

from tui.app.screens.loop_keys import LoopKeys
from tui.app.widgets.metrics_pane import MetricsPane
from tui.app.widgets.run_column import RunColumn
from tui.core.run_state import RunState

SIDES = ("workflow", "pipeline")


class MetricsKeys(LoopKeys):
    def action_metrics(self) -> None:
        self.open_metrics()

    @on(MetricsPane.OpenView)
    def _open_from_pane(self, message: MetricsPane.OpenView) -> None:
        self.open_metrics(message.key)

    def open_metrics(self, chosen: str | None = None) -> None:
        from tui.app.screens.metrics import MetricsScreen

        def states() -> dict[str, RunState]:
            return {side: self.query_one(f"#{side}", RunColumn).model for side in SIDES}

        self.app.push_screen(MetricsScreen(states, self.store, chosen=chosen))
