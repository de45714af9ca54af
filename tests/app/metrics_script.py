"""Scripted runs that report metrics and kfp's metrics artifacts, for the metrics view's tests:
the pipeline trains over 12 integer steps (accuracy up, loss down) and evaluates (a confusion
matrix, an ROC curve, a Markdown report); the workflow's ``Train`` job reports accuracy too,
so the two sides overlay. Fixed ids and timestamps: snapshots do not change run to run."""

from __future__ import annotations

from pathlib import Path

from tests.app.scripted import ScriptedSources
from tests.runners import T0, ScriptedRunner
from tui.app.app import PipedeckApp
from tui.core import events as ev
from tui.core.runner import Run
from tui.core.store import RunStore

PIPELINE_RUN = "20260102-030405-pm01"
WORKFLOW_RUN = "20260102-030405-wm01"
CATEGORIES = ["setosa", "versicolor", "virginica"]
MATRIX = [[15, 0, 0], [0, 13, 2], [0, 1, 14]]
ROC = [(0.0, 0.0, 1.0), (0.05, 0.6, 0.8), (0.1, 0.85, 0.6), (0.3, 0.95, 0.4), (1.0, 1.0, 0.0)]
REPORT = "# Evaluation\n\nThe model **passes**: 93.3% on the held-out split.\n"


def accuracy(step: int) -> float:
    return round(0.5 + 0.45 * (1 - 0.8**step), 4)


def loss(step: int) -> float:
    return round(1.2 * 0.8**step + 0.05, 4)


def _task(run_id: str, node: str, events: list[ev.Event]) -> list[ev.Event]:
    started = ev.NodeStarted(run_id=run_id, ts=T0, node_id=node, name=node, kind="task")
    done = ev.NodeFinished(
        run_id=run_id, ts=T0, node_id=node, name=node, kind="task", status="success", duration=2
    )
    return [started, *events, done]


def pipeline_script(run_id: str, report: Path) -> list[ev.Event]:
    def metric(name: str, value: float, step: int | None, node: str) -> ev.Metric:
        return ev.Metric(
            run_id=run_id, ts=T0, name=name, value=value, step=step, source="kfp", node_id=node
        )

    train = [
        metric(n, f(s), s, "train")
        for s in range(1, 13)
        for n, f in (("accuracy", accuracy), ("loss", loss))
    ]
    confusion = {
        "confusionMatrix": {
            "annotationSpecs": [{"displayName": c} for c in CATEGORIES],
            "rows": [{"row": [float(n) for n in row]} for row in MATRIX],
        },
        "confidenceMetrics": [
            {"falsePositiveRate": f, "recall": t, "confidenceThreshold": th} for f, t, th in ROC
        ],
    }
    evaluate = [
        metric("test_accuracy", 0.9333, None, "evaluate"),
        ev.Artifact(
            run_id=run_id,
            ts=T0,
            node_id="evaluate",
            name="confusion",
            uri="/nowhere/confusion",
            artifact_type="system.ClassificationMetrics",
            metadata=confusion,
        ),
        ev.Artifact(
            run_id=run_id,
            ts=T0,
            node_id="evaluate",
            name="report",
            uri=str(report),
            artifact_type="system.Markdown",
        ),
    ]
    started = ev.RunStarted(
        run_id=run_id, ts=T0, kind="pipeline", target="pipelines/train.py:train", mode="subprocess"
    )
    finished = ev.RunFinished(run_id=run_id, ts=T0, status="success", exit_code=0, duration=8.0)
    return [started, *_task(run_id, "train", train), *_task(run_id, "evaluate", evaluate), finished]


def workflow_script(run_id: str) -> list[ev.Event]:
    steps = [
        ev.Metric(
            run_id=run_id, ts=T0, name="accuracy", value=accuracy(s) - 0.05, step=s, node_id="Train"
        )
        for s in range(1, 9)
    ]
    job = [
        ev.NodeStarted(run_id=run_id, ts=T0, node_id="Train", name="Train", kind="job"),
        *steps,
        ev.NodeFinished(
            run_id=run_id, ts=T0, node_id="Train", name="Train", kind="job", status="success"
        ),
    ]
    started = ev.RunStarted(run_id=run_id, ts=T0, kind="workflow", target="ml.yml", mode="host")
    finished = ev.RunFinished(run_id=run_id, ts=T0, status="success", exit_code=0, duration=5.0)
    return [started, *job, finished]


def metrics_app(project: Path) -> PipedeckApp:
    """The app with both sides' scripted runs streaming in as it opens (as the demo's do)."""
    store = RunStore()
    report = project / "report.md"
    report.write_text(REPORT)
    adopt = []
    for side, run_id, target, script in (
        ("workflow", WORKFLOW_RUN, "ml.yml", workflow_script(WORKFLOW_RUN)),
        (
            "pipeline",
            PIPELINE_RUN,
            "pipelines/train.py:train",
            pipeline_script(PIPELINE_RUN, report),
        ),
    ):
        record = store.create(side, target, project, "host", run_id=run_id)
        adopt.append((side, Run(ScriptedRunner(run_id, script), record)))
    return PipedeckApp(project, sources=ScriptedSources(store), store=store, adopt=adopt)
