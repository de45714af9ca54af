"""A run's artifacts as cards: a confusion matrix as a heat map (each cell coloured by its
count), an ROC curve as a plot, ``log_metric`` numbers as a list, Markdown rendered and HTML as
its text. What to show comes read from ``tui.core.artifact_content``."""

from __future__ import annotations

from rich.console import RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Markdown, Static

from tui.app.widgets.series_plot import RocPlot
from tui.core.artifact_content import HTML, MARKDOWN, ConfusionMatrix, Content
from tui.core.metric_series import number
from tui.core.run_state import PATH_SEPARATOR


def count(value: float) -> str:
    return f"{value:g}"


class HeatMap(Static):
    """A confusion matrix: rows are the true category, columns the predicted one."""

    def __init__(self, matrix: ConfusionMatrix) -> None:
        super().__init__(classes="heat-map")
        self.matrix = matrix

    def render(self) -> RenderableType:
        matrix = self.matrix
        variables = self.app.theme_variables
        low = Color.parse(variables.get("surface", "#1e1e1e"))
        high = Color.parse(variables.get("primary", "#0178d4"))
        table = Table(box=None, padding=(0, 1), show_edge=False, collapse_padding=True)
        table.add_column("true ╲ pred", style="bold", no_wrap=True)
        for name in matrix.categories:
            table.add_column(name, justify="right", no_wrap=True)
        highest = matrix.highest or 1.0
        for name, row in zip(matrix.categories, matrix.rows, strict=True):
            cells: list[RenderableType] = [name]
            for value in row:
                colour = low.blend(high, value / highest)
                style = Style(
                    bgcolor=colour.rich_color, color=colour.get_contrast_text().rich_color
                )
                cells.append(Text(f"{count(value)} ", style=style, justify="right"))
            table.add_row(*cells)
        accuracy = matrix.accuracy
        caption = f"{count(matrix.total)} samples"
        if accuracy is not None:
            caption += f" · {accuracy:.1%} on the diagonal"
        table.caption = caption
        table.caption_justify = "left"
        return table


class ArtifactCard(Vertical):
    """One artifact, titled ``source › node › name``, its type below."""

    def __init__(self, source: str, node: str, content: Content) -> None:
        super().__init__(classes="artifact-card")
        self.content = content
        parts = [source, node, content.artifact.name] if node else [source, content.artifact.name]
        self.border_title = PATH_SEPARATOR.join(parts)
        self.border_subtitle = content.kind

    def compose(self) -> ComposeResult:
        content = self.content
        if content.matrix is not None:
            yield HeatMap(content.matrix)
        if content.roc is not None:
            yield RocPlot(content.roc, classes="roc")
        if content.scalars:
            width = max(len(name) for name, _ in content.scalars)
            lines = [f"{name:<{width}}  {number(value)}" for name, value in content.scalars]
            yield Static("\n".join(lines), classes="scalars")
        kind = content.artifact.artifact_type
        if kind == MARKDOWN and content.document:
            yield Markdown(content.document, classes="document")
        elif kind == HTML and content.document:
            yield Static(Text(content.document), classes="document")
        elif kind in (MARKDOWN, HTML) and not content.notes:
            yield Static(Text("(empty)", style="dim"), classes="note")
        for note in content.notes:
            yield Static(Text(note, style="dim italic"), classes="note")
