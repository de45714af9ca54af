"""The demo's guided tour: a small card that points at each pane in turn (the pane gets a
highlighted border). Dismissed with Esc or at the end, it is not shown again."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.app.widgets.run_area import RunArea
from tui.core.paths import state_dir

TARGET_CLASS = "tour-target"


@dataclass(frozen=True)
class Stop:
    selector: str
    title: str
    text: str


STOPS = (
    Stop(
        "#project",
        "[1] The project",
        "Its GitHub Actions workflows (jobs by stage) and Kubeflow pipelines (tasks), each with "
        "its last run's status. Select one and press r to run it, d to dry-run a workflow.",
    ),
    Stop(
        "#workflow-tree",
        "[2] The workflow run",
        "The workflow running through act: jobs, then their steps and matrix legs, turning "
        "green or red as act reports them. Select a step to see only its log.",
    ),
    Stop(
        "#workflow-log",
        "[3] Its log",
        "Only the visible lines are drawn, colours kept. / searches (n, N), f filters, "
        "w wraps; scroll up to pause following, End to follow again.",
    ),
    Stop(
        "#pipeline-tree",
        "[4] The pipeline run",
        "The Kubeflow pipeline through kfp.local, at the same time: tasks, dsl.If branches "
        "(a skipped branch shows as skipped), ParallelFor iterations.",
    ),
    Stop(
        "#pipeline-log",
        "[5] Its log",
        "Every line belongs to the task that printed it, also when iterations run at once.",
    ),
    Stop(
        "#metrics",
        "[6] Metrics",
        "CPU and memory of what each run is running, the ML metrics the runs report, and a "
        "plot of a metric reported over epochs.",
    ),
    Stop(
        "StatusBar",
        "The stack",
        "Docker engine, runner image, act and kfp, checked in the background. s stops a run, "
        "R re-runs, h opens the history, ? lists every key, ctrl+p the palette.",
    ),
)


def marker() -> Path:
    return state_dir() / "tour-dismissed"


def wanted() -> bool:
    return not marker().exists()


class TourScreen(ModalScreen[None]):
    CSS_PATH = "tour.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,right,space", "next", "Next"),
        Binding("left", "back", "Back"),
        Binding("escape", "close", "Close the tour"),
    ]

    def __init__(self, under: Screen[Any], stops: tuple[Stop, ...] = STOPS) -> None:
        super().__init__()
        self.under = under
        self.stops = stops
        self.index = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="card"):
            yield Static(id="title")
            yield Static(id="text")
            yield Static(id="keys")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        for widget in self.under.query(f".{TARGET_CLASS}"):
            widget.remove_class(TARGET_CLASS)
        stop = self.stops[self.index]
        for widget in self.under.query(stop.selector):
            widget.add_class(TARGET_CLASS)
            for area in self.under.query(RunArea):  # a narrow layout shows its side
                area.reveal(widget)
        self.query_one("#title", Static).update(
            f"[b]{stop.title}[/b]  [dim]{self.index + 1}/{len(self.stops)}[/]"
        )
        self.query_one("#text", Static).update(stop.text)
        last = self.index == len(self.stops) - 1
        self.query_one("#keys", Static).update(
            f"[dim]enter {'close' if last else 'next'} · ← back · esc close the tour[/]"
        )

    def action_next(self) -> None:
        if self.index == len(self.stops) - 1:
            self.action_close()
            return
        self.index += 1
        self._show()

    def action_back(self) -> None:
        self.index = max(0, self.index - 1)
        self._show()

    def action_close(self) -> None:
        for widget in self.under.query(f".{TARGET_CLASS}"):
            widget.remove_class(TARGET_CLASS)
        path = marker()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("the demo's tour was dismissed\n", encoding="utf-8")
        self.dismiss(None)
