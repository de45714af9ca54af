"""The metrics view, as a user opens it: ``m`` on the main screen (or Enter on a row of the
metrics pane) after both sides' runs reported metrics; the series named by side, node and
metric, the chosen one plotted with the same metric of the other side and of a stored run;
the pipeline's confusion matrix, ROC curve and Markdown report beside it. Snapshots at
100×30, 120×35 and 220×55."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Markdown

from tests.app.conftest import column, wait_for
from tests.app.metrics_script import MATRIX, PIPELINE_RUN, metrics_app
from tests.conftest import git_init
from tui.app.app import PipedeckApp
from tui.app.screens.metrics import MetricsScreen
from tui.app.widgets.artifact_cards import HeatMap
from tui.app.widgets.series_plot import RocPlot, SeriesPlot
from tui.core.metric_series import BEST_RULE

WORKFLOW = """\
name: ml
on: push
jobs:
  Train:
    runs-on: ubuntu-latest
    steps:
      - run: python train.py
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / ".github" / "workflows" / "ml.yml").write_text(WORKFLOW)
    git_init(folder)
    return folder


async def finished(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: column(app, "pipeline").model.status == "success")
    await wait_for(pilot, lambda: column(app, "workflow").model.status == "success")
    await wait_for(pilot, lambda: "checking" not in str(app.main.query_one("#check-kfp").render()))


async def open_view(pilot) -> MetricsScreen:
    await finished(pilot)
    await pilot.press("m")
    screen = pilot.app.screen
    assert isinstance(screen, MetricsScreen)
    await wait_for(pilot, lambda: len(screen.query(HeatMap)) == 1, 10)
    await pilot.pause()
    return screen


def rows(screen: MetricsScreen) -> list[tuple[str, ...]]:
    table = screen.query_one("#series", DataTable)
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


def x_tick_labels(screen: MetricsScreen) -> list[str]:
    """The labels under the plot's x axis, as drawn."""
    lines = screen.query_one(SeriesPlot).render().plain.splitlines()
    axis = next(i for i, line in enumerate(lines) if "└" in line)
    return lines[axis + 1].split()


def plotted(screen: MetricsScreen) -> list[str]:
    return [s.label for s in screen.query_one(SeriesPlot).series]


async def test_m_opens_every_series_named_with_its_summary_and_the_artifacts(project) -> None:
    app = metrics_app(project)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_view(pilot)
        assert rows(screen) == [
            ("workflow › Train › accuracy", "0.54 → 0.8245 (0.54…0.8245)", "0.8245 max @8", "8"),
            ("pipeline › train › accuracy", "0.59 → 0.9191 (0.59…0.9191)", "0.9191 max @12", "12"),
            ("pipeline › train › loss", "1.01 → 0.1325 (0.1325…1.01)", "0.1325 min @12", "12"),
            ("pipeline › evaluate › test_accuracy", "0.9333", "0.9333 max", ""),
        ]
        assert screen.query_one("#series").border_subtitle == BEST_RULE
        # the first series is plotted with the same metric of the other side over it
        assert plotted(screen) == ["workflow › Train › accuracy", "pipeline › train › accuracy"]
        assert x_tick_labels(screen) == ["2", "4", "6", "8", "10", "12"]  # steps are integers
        await pilot.press("down", "down")  # the loss: nothing of that name elsewhere
        assert plotted(screen) == ["pipeline › train › loss"]
        await pilot.press("down")  # a lone value: said, not plotted
        assert plotted(screen) == []
        assert screen.query_one(SeriesPlot).empty == "test_accuracy: one value, 0.9333"

        heat = screen.query_one(HeatMap)
        assert [list(map(int, row)) for row in heat.matrix.rows] == MATRIX
        assert heat.matrix.categories == ("setosa", "versicolor", "virginica")
        assert len(screen.query(RocPlot)) == 1
        report = screen.query_one(Markdown)
        assert "Evaluation" in report.source
        titles = [card.border_title for card in screen.query(".artifact-card")]
        assert titles == ["pipeline › evaluate › confusion", "pipeline › evaluate › report"]

        await pilot.press("escape")
        assert app.screen is app.main


async def test_a_stored_run_overlays_the_same_metric_and_x_clears_it(project) -> None:
    app = metrics_app(project)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_view(pilot)
        await pilot.press("down")  # pipeline › train › accuracy
        assert plotted(screen)[0] == "pipeline › train › accuracy"
        await pilot.press("o")  # history: the pipeline run is stored, newest first
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "HistoryScreen", 5)
        history = app.screen.query_one(DataTable)
        keys = [str(k.value) for k in history.rows]
        for _ in range(keys.index(PIPELINE_RUN)):
            await pilot.press("down")
        await pilot.press("enter")
        stored = "pipeline pm01 › train › accuracy"
        await wait_for(pilot, lambda: stored in plotted(screen), 10)
        assert plotted(screen) == [
            "pipeline › train › accuracy",
            "workflow › Train › accuracy",
            stored,
        ]
        box = screen.query_one("#plot-box")
        assert box.border_subtitle == f"stored run {PIPELINE_RUN} overlaid · x clears"
        assert stored in [r[0] for r in rows(screen)]
        await pilot.press("x")
        assert stored not in plotted(screen)
        assert box.border_subtitle == "o overlays a stored run"


async def test_enter_on_a_metrics_pane_row_opens_the_view_on_that_series(project) -> None:
    app = metrics_app(project)
    async with app.run_test(size=(160, 45)) as pilot:
        await finished(pilot)
        await pilot.press("6")  # the metrics pane
        # workflow, Train › accuracy, pipeline, train › accuracy, train › loss
        await pilot.press("down", "down", "down", "down", "enter")
        screen = app.screen
        assert isinstance(screen, MetricsScreen)
        await pilot.pause()
        assert plotted(screen) == ["pipeline › train › loss"]


async def test_the_view_follows_a_run_that_goes_on(project) -> None:
    """Metrics that arrive while the view is open join its table."""
    from tui.core import events as ev

    app = metrics_app(project)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_view(pilot)
        more = [
            ev.Metric(run_id=PIPELINE_RUN, name="loss", value=0.1, step=13, node_id="train"),
        ]
        column(app, "pipeline").apply(more)
        await wait_for(pilot, lambda: rows(screen)[2][3] == "13", 5)
        assert rows(screen)[2][1] == "1.01 → 0.1 (0.1…1.01)"


def snapshot_app(project: Path) -> PipedeckApp:
    return metrics_app(project)


async def view_open(pilot) -> None:
    await open_view(pilot)
    for toast in list(pilot.app.query("Toast")):
        toast.remove()
    pilot.app.clear_notifications()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(100, 30), (120, 35), (220, 55)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_metrics_view_with_a_confusion_matrix(snap_compare, project, size) -> None:
    assert snap_compare(snapshot_app(project), terminal_size=size, run_before=view_open)


async def test_html_shows_as_text_with_a_note_and_numbers_as_a_list(tmp_path: Path) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    from tui.app.widgets.artifact_cards import ArtifactCard
    from tui.core import artifact_content
    from tui.core import events as ev

    page = tmp_path / "page.html"
    page.write_text("<h1>Drift</h1><p>none <i>found</i></p><script>x()</script>")

    def made(kind: str, uri: str, metadata: dict | None = None) -> ev.Artifact:
        return ev.Artifact(
            run_id="r",
            node_id="check",
            name="out",
            uri=uri,
            artifact_type=kind,
            metadata=metadata or {},
        )

    contents = artifact_content.shown(
        [
            made("system.HTML", str(page)),
            made("system.Metrics", "/tmp/m", {"drift": 0.21406, "rows": 64}),
            made("system.Markdown", "minio://mlpipeline/report.md"),
        ]
    )

    class Cards(App[None]):
        def compose(self) -> ComposeResult:
            for content in contents:
                yield ArtifactCard("pipeline", "check", content)

    app = Cards()
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        html, numbers, remote = app.query(ArtifactCard)
        texts = [str(w.render()) for w in html.query(Static)]
        assert texts == ["Drift\nnone found", "HTML shown as text: tags stripped"]
        assert html.border_subtitle == "HTML"
        assert str(numbers.query_one(".scalars", Static).render()) == "drift  0.2141\nrows   64"
        assert [str(w.render()) for w in remote.query(".note")] == [
            "stored at minio://mlpipeline/report.md: only files on this machine are shown"
        ]
