"""``m``: the metrics view. Every series of both sides' runs in a table — named by side, node
and metric (``pipeline › train › accuracy``), with first → last, the range and the best value
by the rule the table states (``metric_series.BEST_RULE``) — and the highlighted one plotted
over its steps, overlaid with the same metric of the other side and of a stored run picked
from history (``o``). Beside it, the runs' ``Metrics``, ``ClassificationMetrics`` (confusion
matrix, ROC curve), ``Markdown`` and ``HTML`` artifacts.

The view reads the columns' run states (the one fold) while runs go on, and redraws when
they change; stored runs and artifact files are read in workers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer
from textual.worker import Worker, WorkerState

from tui.app.messages import worker_error
from tui.app.widgets.artifact_cards import ArtifactCard
from tui.app.widgets.series_plot import Legend, SeriesPlot
from tui.core import artifact_content
from tui.core.metric_series import BEST_RULE, Series, same_metric, series_of
from tui.core.run_state import RunState
from tui.core.store import RunStore

POLL = 0.5  # seconds between two looks at the runs' states
ORDER = {artifact_content.CLASSIFICATION: 0, artifact_content.MARKDOWN: 1}


class MetricsScreen(Screen[None]):
    CSS_PATH = "metrics.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,m", "close", "Close", key_display="Esc"),
        Binding("o", "overlay", "Overlay a stored run"),
        Binding("x", "clear_overlay", "Clear the overlay"),
    ]

    def __init__(
        self,
        states: Callable[[], Mapping[str, RunState]],
        store: RunStore,
        *,
        chosen: str | None = None,
    ) -> None:
        """``states``: each side's run state now; ``chosen``: the series to plot first
        (its key, ``side:node/metric``)."""
        super().__init__()
        self.states = states
        self.store = store
        self.chosen = chosen
        self.series: list[Series] = []
        self.stored: list[Series] = []
        self.stored_id = ""
        self._seen: tuple[object, ...] = ()
        self._artifacts_seen: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        yield DataTable(id="series", cursor_type="row")
        with Horizontal(id="lower"):
            with Vertical(id="plot-box"):
                yield Legend(id="legend")
                yield SeriesPlot(id="plot")
            yield VerticalScroll(id="artifacts")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[str | Text] = self.query_one("#series", DataTable)
        table.border_title = "series"
        table.border_subtitle = BEST_RULE
        table.add_column("series", key="series")
        table.add_column("first → last (min…max)", key="summary")
        table.add_column("best", key="best")
        table.add_column("steps", key="steps")
        self.query_one("#artifacts").border_title = "artifacts"
        self.poll()
        self.set_interval(POLL, self.poll)
        table.focus()

    # -- what the runs report ----------------------------------------------------------------

    def poll(self) -> None:
        states = self.states()
        seen = tuple(
            (side, s.run_id, s.status, len(s.metrics), len(s.artifacts))
            for side, s in states.items()
        )
        if seen == self._seen:
            return
        self._seen = seen
        self.reload(states)

    def reload(self, states: Mapping[str, RunState] | None = None) -> None:
        states = self.states() if states is None else states
        live = [s for side, state in states.items() for s in series_of(state, side)]
        self.series = live + self.stored
        table: DataTable[str | Text] = self.query_one("#series", DataTable)
        table.clear()
        for series in self.series:
            steps = len(series.points)
            table.add_row(
                Text(series.label, style="" if series in live else "italic"),
                series.summary(),
                series.best_text(),
                str(steps) if steps else "",
                key=series.key,
            )
        if not self.series:
            table.border_subtitle = "no metrics reported yet · " + BEST_RULE
        else:
            table.border_subtitle = BEST_RULE
        wanted = self.chosen or next((s.key for s in self.series if s.plottable), None)
        keys = [s.key for s in self.series]
        if wanted in keys:
            table.move_cursor(row=keys.index(wanted))
        self.plot()
        artifacts = tuple(
            (side, state.run_id, len(state.artifacts)) for side, state in states.items()
        )
        if artifacts != self._artifacts_seen:
            self._artifacts_seen = artifacts
            self.load_artifacts(states)

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        if message.row_key.value is not None:
            self.chosen = message.row_key.value
            self.plot()

    def plot(self) -> None:
        chosen = next((s for s in self.series if s.key == self.chosen), None)
        box, plot = self.query_one("#plot-box"), self.query_one(SeriesPlot)
        shown: list[Series] = []
        if chosen is None:
            box.border_title = "plot"
            plot.show([])
        elif not chosen.plottable:
            box.border_title = chosen.label
            plot.show([], f"{chosen.name}: one value, {chosen.summary()}")
        else:
            others = same_metric(chosen, (s for s in self.series if s is not chosen))
            box.border_title = chosen.label
            shown = [chosen, *others]
            plot.show(shown)
        self.query_one(Legend).show(shown)
        box.border_subtitle = (
            f"stored run {self.stored_id} overlaid · x clears"
            if self.stored_id
            else "o overlays a stored run"
        )

    @work(group="metrics-artifacts", exclusive=True, exit_on_error=False)
    async def load_artifacts(self, states: Mapping[str, RunState]) -> None:
        """Read the artifacts to show (their files, in a thread) and lay out their cards."""
        wanted = [
            (side, state, a)
            for side, state in states.items()
            for a in state.artifacts
            if a.artifact_type in artifact_content.SHOWN
        ]
        contents = await asyncio.to_thread(
            lambda: [artifact_content.read(artifact) for _, _, artifact in wanted]
        )
        cards = [
            ArtifactCard(side, state.path(a.node_id) if a.node_id else "", content)
            for (side, state, a), content in zip(wanted, contents, strict=True)
        ]
        cards.sort(key=lambda card: ORDER.get(card.content.artifact.artifact_type, 2))
        box = self.query_one("#artifacts", VerticalScroll)
        await box.remove_children()
        await box.mount_all(cards)
        box.display = bool(cards)

    # -- keys -----------------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_overlay(self) -> None:
        from tui.app.screens.history import HistoryScreen

        def picked(run_id: str | None) -> None:
            if run_id:
                self.load_stored(run_id)

        self.app.push_screen(HistoryScreen(self.store), picked)

    def action_clear_overlay(self) -> None:
        if not self.stored_id:
            self.notify("no stored run is overlaid (o picks one)", timeout=3)
            return
        self.stored, self.stored_id = [], ""
        self.reload()

    @work(group="metrics-overlay", exclusive=True, exit_on_error=False)
    async def load_stored(self, run_id: str) -> None:
        def load() -> tuple[str, RunState, str]:
            record = self.store.get(run_id)
            events = record.events()
            state = RunState.of(events)
            return record.meta.kind, state, events.note()

        kind, state, note = await asyncio.to_thread(load)
        if note:
            self.notify(note, severity="warning", timeout=8)
        stored = series_of(state, f"{kind or 'run'} {run_id.rsplit('-', 1)[-1]}")
        if not stored:
            self.notify(f"run {run_id} reported no metrics", timeout=5)
            return
        self.stored, self.stored_id = stored, run_id
        self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The view's workers' failures reach the user as one line."""
        if event.state != WorkerState.ERROR:
            return
        message = worker_error(event.worker.error)
        self.notify(
            message, title=f"{event.worker.group.replace('-', ' ')} failed", severity="error"
        )
