"""What a run's artifacts hold, for a view to show: kfp's metrics types read from their
metadata as kfp writes it (``system.Metrics``: named numbers; ``system.ClassificationMetrics``:
``confusionMatrix`` and ``confidenceMetrics``, an ROC curve), and the text of ``system.Markdown``
and ``system.HTML`` artifacts (HTML without its tags: a terminal cannot render it).

The metadata comes with the artifact event (``pipelines/outputs.py``); when an event carries
none, a metrics artifact's file holds it as JSON (``outputs.keep_metrics`` writes it there).
Documents are read from the artifact's local file; one elsewhere (``minio://``, ``s3://``)
says where it is instead. Nothing here raises on a bad artifact: its ``note`` says what is
wrong with it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from tui.core import events as ev

METRICS = "system.Metrics"
CLASSIFICATION = "system.ClassificationMetrics"
MARKDOWN = "system.Markdown"
HTML = "system.HTML"
SHOWN = (METRICS, CLASSIFICATION, MARKDOWN, HTML)
MAX_DOCUMENT = 256 * 1024  # bytes of a document read; the rest is said to be cut


@dataclass(frozen=True)
class ConfusionMatrix:
    categories: tuple[str, ...]
    rows: tuple[tuple[float, ...], ...]  # rows: the true category; columns: the predicted

    @property
    def highest(self) -> float:
        return max((max(row) for row in self.rows if row), default=0.0)

    @property
    def total(self) -> float:
        return sum(sum(row) for row in self.rows)

    @property
    def accuracy(self) -> float | None:
        """The share on the diagonal (None for an empty matrix)."""
        total = self.total
        return sum(self.rows[i][i] for i in range(len(self.rows))) / total if total else None


@dataclass(frozen=True)
class RocCurve:
    fpr: tuple[float, ...]  # by false positive rate, then recall
    tpr: tuple[float, ...]
    thresholds: tuple[float, ...]

    @property
    def auc(self) -> float:
        """The area under the curve (trapezoids over the points, by false positive rate)."""
        pairs = list(zip(self.fpr, self.tpr, strict=True))
        return sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in itertools.pairwise(pairs))


@dataclass(frozen=True)
class Content:
    """One artifact, ready to show: whichever of its parts it has, and a note on problems."""

    artifact: ev.Artifact
    scalars: tuple[tuple[str, float], ...] = ()
    matrix: ConfusionMatrix | None = None
    roc: RocCurve | None = None
    document: str = ""  # Markdown source, or HTML's text
    notes: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> str:
        """``ClassificationMetrics``: the type's name without kfp's ``system.``."""
        return self.artifact.artifact_type.removeprefix("system.")


def shown(artifacts: Iterable[ev.Artifact]) -> list[Content]:
    """The artifacts a view shows, read; the others (datasets, models…) left out."""
    return [read(a) for a in artifacts if a.artifact_type in SHOWN]


def read(artifact: ev.Artifact) -> Content:
    kind = artifact.artifact_type
    if kind in (MARKDOWN, HTML):
        text, notes = _document(artifact.uri)
        if kind == HTML and text:
            text = html_text(text)
            notes = ("HTML shown as text: tags stripped", *notes)
        return Content(artifact, document=text, notes=notes)
    metadata, notes = _metadata(artifact)
    if kind == METRICS:
        return Content(artifact, scalars=scalars(metadata), notes=notes)
    if kind == CLASSIFICATION:
        matrix, problem = confusion_matrix(metadata.get("confusionMatrix"))
        roc, roc_problem = roc_curve(metadata.get("confidenceMetrics"))
        more = tuple(p for p in (problem, roc_problem) if p)
        if matrix is None and roc is None and not more:
            more = ("no confusion matrix or ROC curve logged",)
        return Content(artifact, matrix=matrix, roc=roc, notes=(*notes, *more))
    return Content(artifact, notes=(f"{kind or 'an untyped artifact'} is not shown",))


def scalars(metadata: Mapping[str, Any]) -> tuple[tuple[str, float], ...]:
    """``log_metric``'s numbers, in the metadata's order (kfp's own: by name, after a run)."""
    return tuple(
        (str(name), float(value))
        for name, value in metadata.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    )


def confusion_matrix(value: Any) -> tuple[ConfusionMatrix | None, str]:
    """kfp's ``{"annotationSpecs": [{"displayName": c}…], "rows": [{"row": [n…]}…]}``."""
    if value is None:
        return None, ""
    try:
        categories = tuple(str(spec["displayName"]) for spec in value["annotationSpecs"])
        rows = tuple(tuple(float(n) for n in row["row"]) for row in value["rows"])
    except (KeyError, TypeError, ValueError):
        return None, "the confusion matrix is not in kfp's form (annotationSpecs and rows)"
    if len(rows) != len(categories) or any(len(row) != len(categories) for row in rows):
        return None, f"the confusion matrix is not {len(categories)}×{len(categories)}"
    return ConfusionMatrix(categories, rows), ""


def roc_curve(value: Any) -> tuple[RocCurve | None, str]:
    """kfp's ``[{"confidenceThreshold": t, "recall": tpr, "falsePositiveRate": fpr}…]``."""
    if value is None:
        return None, ""
    try:
        points = sorted(
            (float(p["falsePositiveRate"]), float(p["recall"]), float(p["confidenceThreshold"]))
            for p in value
        )
    except (KeyError, TypeError, ValueError):
        return None, "the ROC curve is not in kfp's form (falsePositiveRate, recall, threshold)"
    if len(points) < 2:
        return None, "the ROC curve has fewer than two points"
    fpr, tpr, thresholds = (tuple(column) for column in zip(*points, strict=True))
    return RocCurve(fpr, tpr, thresholds), ""


def _metadata(artifact: ev.Artifact) -> tuple[Mapping[str, Any], tuple[str, ...]]:
    if artifact.metadata:
        return artifact.metadata, ()
    path = _local(artifact.uri)
    if path is None or not path.is_file():
        return {}, ()  # nothing logged
    try:
        data = json.loads(path.read_bytes()[:MAX_DOCUMENT])
    except (OSError, ValueError):
        return {}, (f"{path}: not kfp's metrics JSON",)
    return (data, ()) if isinstance(data, dict) else ({}, (f"{path}: not kfp's metrics JSON",))


def _document(uri: str) -> tuple[str, tuple[str, ...]]:
    path = _local(uri)
    if path is None:
        return "", (f"stored at {uri}: only files on this machine are shown",)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_DOCUMENT + 1)
    except IsADirectoryError:
        return "", (f"{path} is a folder: open its files",)
    except OSError as exc:
        return "", (f"{path}: {exc.strerror or exc}",)
    notes = (f"cut at {MAX_DOCUMENT // 1024} KiB",) if len(data) > MAX_DOCUMENT else ()
    return data[:MAX_DOCUMENT].decode("utf-8", errors="replace"), notes


def _local(uri: str) -> Path | None:
    if uri.startswith("file://"):
        return Path(uri.removeprefix("file://"))
    return None if "://" in uri or not uri else Path(uri)


BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre"}
HIDDEN = {"script", "style", "head", "template"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data.replace("\n", " "))


def html_text(html: str) -> str:
    """The text of an HTML page: tags, scripts and styles dropped, one line per block (no
    blank lines: a terminal's rows are few)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
