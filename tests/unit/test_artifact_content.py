"""What an artifact holds, read for a view: kfp's metrics types from the metadata kfp's own
``log_*`` methods write (called here for real), Markdown and HTML from their files; a bad or
unreachable artifact gives a note, never an exception."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kfp.dsl import ClassificationMetrics, Metrics

from tui.core import artifact_content
from tui.core import events as ev
from tui.core.artifact_content import html_text, read


def artifact(
    kind: str, uri: str = "", metadata: dict | None = None, name: str = "a"
) -> ev.Artifact:
    return ev.Artifact(
        run_id="r",
        node_id="evaluate",
        name=name,
        uri=uri,
        artifact_type=kind,
        metadata=metadata or {},
    )


def logged_classification() -> dict:
    metrics = ClassificationMetrics(name="confusion", uri="/tmp/x", metadata={})
    metrics.log_confusion_matrix(["cat", "dog", "fox"], [[8, 2, 0], [1, 9, 0], [0, 0, 5]])
    metrics.log_roc_curve(
        fpr=[0.0, 0.5, 0.1, 1.0], tpr=[0.0, 0.9, 0.6, 1.0], threshold=[1, 0.3, 0.7, 0]
    )
    return json.loads(json.dumps(metrics.metadata))  # as the artifact event carries it


def test_a_confusion_matrix_and_roc_curve_as_kfp_logs_them() -> None:
    content = read(artifact("system.ClassificationMetrics", "/tmp/x", logged_classification()))
    assert content.kind == "ClassificationMetrics"
    assert content.matrix is not None
    assert content.matrix.categories == ("cat", "dog", "fox")
    assert content.matrix.rows == ((8, 2, 0), (1, 9, 0), (0, 0, 5))
    assert content.matrix.highest == 9
    assert content.matrix.total == 25
    assert content.matrix.accuracy == pytest.approx(22 / 25)
    assert content.roc is not None
    assert content.roc.fpr == (0.0, 0.1, 0.5, 1.0)  # by false positive rate
    assert content.roc.tpr == (0.0, 0.6, 0.9, 1.0)
    assert content.roc.thresholds == (1.0, 0.7, 0.3, 0.0)
    # trapezoids: 0.1*0.3 + 0.4*0.75 + 0.5*0.95
    assert content.roc.auc == pytest.approx(0.03 + 0.3 + 0.475)
    assert content.notes == ()


def test_metrics_logged_with_log_metric() -> None:
    metrics = Metrics(name="metrics", uri="/tmp/m", metadata={})
    metrics.log_metric("accuracy", 0.9)
    metrics.log_metric("loss", 0.25)
    content = read(artifact("system.Metrics", "/tmp/m", dict(metrics.metadata)))
    assert content.scalars == (("accuracy", 0.9), ("loss", 0.25))


def test_metrics_without_metadata_are_read_from_the_file_pipedeck_keeps(tmp_path: Path) -> None:
    from tui.core.pipelines.outputs import keep_metrics

    metrics = ClassificationMetrics(name="confusion", uri=str(tmp_path / "confusion"), metadata={})
    metrics.log_confusion_matrix(["a", "b"], [[3, 1], [0, 4]])
    keep_metrics({"confusion": metrics})  # what the driver does after a task
    content = read(artifact("system.ClassificationMetrics", metrics.uri))
    assert content.matrix is not None and content.matrix.rows == ((3, 1), (0, 4))


@pytest.mark.parametrize(
    ("metadata", "note"),
    [
        ({"confusionMatrix": {"rows": [{"row": [1]}]}}, "not in kfp's form"),
        (
            {
                "confusionMatrix": {
                    "annotationSpecs": [{"displayName": "a"}, {"displayName": "b"}],
                    "rows": [{"row": [1, 2]}],
                }
            },
            "not 2×2",
        ),
        ({"confidenceMetrics": [{"recall": 1}]}, "ROC curve is not in kfp's form"),
        (
            {
                "confidenceMetrics": [
                    {"falsePositiveRate": 0, "recall": 0, "confidenceThreshold": 1}
                ]
            },
            "fewer than two",
        ),
        ({"something": 1}, "no confusion matrix or ROC curve logged"),
    ],
)
def test_a_bad_classification_artifact_says_what_is_wrong(metadata: dict, note: str) -> None:
    content = read(artifact("system.ClassificationMetrics", "/tmp/x", metadata))
    assert content.matrix is None and content.roc is None
    assert any(note in n for n in content.notes), content.notes


def test_markdown_is_its_file_and_html_its_text(tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text("# Report\n\n**good**\n")
    page = """<html><head><title>t</title><style>p {color: red}</style></head>
    <body><h1>Run &amp; result</h1><p>accuracy <b>0.93</b></p><script>alert(1)</script>
    <table><tr><td>cat</td><td>8</td></tr></table></body></html>"""
    (tmp_path / "page.html").write_text(page)
    markdown = read(artifact("system.Markdown", str(tmp_path / "report.md")))
    assert markdown.document == "# Report\n\n**good**\n"
    assert markdown.notes == ()
    html = read(artifact("system.HTML", f"file://{tmp_path / 'page.html'}"))
    assert html.document == "Run & result\naccuracy 0.93\ncat 8"
    assert html.notes == ("HTML shown as text: tags stripped",)


def test_html_text_keeps_blocks_apart_and_drops_scripts() -> None:
    assert html_text("<div>a</div><div>b<br>c</div><script>x()</script>") == "a\nb\nc"
    assert html_text("plain") == "plain"


def test_a_document_not_on_this_machine_or_missing_says_so(tmp_path: Path) -> None:
    remote = read(artifact("system.Markdown", "minio://mlpipeline/v2/artifacts/report"))
    assert remote.document == ""
    assert remote.notes == (
        "stored at minio://mlpipeline/v2/artifacts/report: only files on this machine are shown",
    )
    missing = read(artifact("system.HTML", str(tmp_path / "gone.html")))
    assert missing.document == ""
    assert missing.notes[0].startswith(f"{tmp_path / 'gone.html'}: ")
    folder = read(artifact("system.Markdown", str(tmp_path)))
    assert folder.notes == (f"{tmp_path} is a folder: open its files",)


def test_a_big_document_is_cut_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text("x" * (artifact_content.MAX_DOCUMENT + 10))
    content = read(artifact("system.Markdown", str(path)))
    assert len(content.document) == artifact_content.MAX_DOCUMENT
    assert content.notes == ("cut at 256 KiB",)


def test_only_the_types_a_view_shows_are_read() -> None:
    kept = artifact_content.shown(
        [
            artifact("system.Dataset", "/tmp/d"),
            artifact("system.Model", "/tmp/m"),
            artifact("system.Metrics", "/tmp/x", {"accuracy": 1.0}),
        ]
    )
    assert [c.kind for c in kept] == ["Metrics"]
