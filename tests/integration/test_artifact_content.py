"""A real pipeline run with kfp.local (``pipedeck run pipeline --json``) reports Metrics,
ClassificationMetrics, Markdown and HTML artifacts; what the metrics view reads from them is
what the component logged and wrote."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, build_component_envs, run_cli
from tui.core import artifact_content
from tui.core import events as ev
from tui.core.pipelines import env as component_env
from tui.core.workflows.act_argv import free_port

PIPELINES = FIXTURES / "pipelines"


@pytest.fixture(scope="module")
def component_envs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_component_envs(
        tmp_path_factory.getbasetemp() / "component-envs", PIPELINES / "reports.py"
    )


@pytest.fixture(autouse=True)
def use_component_envs(component_envs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(component_env.ENV_DIR_VAR, str(component_envs))
    yield


def test_the_artifacts_of_a_real_run_read_as_logged(state_dir: Path) -> None:
    result = run_cli(
        "run",
        "pipeline",
        "reports.py",
        "--json",
        "--no-cache",
        "--runner",
        "subprocess",
        cwd=PIPELINES,
    )
    assert result.code == 0, result.stderr
    artifacts = [ev.from_dict(e) for e in result.events if e["type"] == "artifact"]
    contents = {c.artifact.name: c for c in artifact_content.shown(artifacts)}
    assert set(contents) == {"metrics", "confusion", "summary", "page"}

    assert dict(contents["metrics"].scalars) == {"accuracy": 0.9, "loss": 0.25}
    confusion = contents["confusion"]
    assert confusion.matrix is not None and confusion.roc is not None
    assert confusion.matrix.categories == ("cat", "dog")
    assert confusion.matrix.rows == ((8, 2), (0, 10))
    assert confusion.roc.fpr == (0.0, 0.2, 1.0) and confusion.roc.tpr == (0.0, 0.8, 1.0)
    assert confusion.roc.auc == pytest.approx(0.08 + 0.72)
    assert contents["summary"].document.startswith("# Evaluation\n\n| class | recall |")
    assert contents["summary"].notes == ()
    assert contents["page"].document == "Evaluation\naccuracy 0.9"
    assert all(Path(a.uri).is_relative_to(state_dir) for a in artifacts)


SAMPLE = Path(__file__).resolve().parents[2] / "sample_project"


def test_the_sample_pipeline_reports_its_confusion_matrix(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's pipeline: its evaluate step's matrix is what the metrics view draws, and it
    agrees with the test accuracy the same step logs. Its preprocess reads the DVC-tracked
    data from the local S3 server, which `up` starts and gives the data."""
    monkeypatch.setenv("PIPEDECK_S3_PORT", str(free_port()))
    up = run_cli("up", "--no-build", cwd=SAMPLE)
    assert up.code == 0, up.stderr
    try:
        result = run_cli(
            "run",
            "pipeline",
            "pipeline.py",
            "--json",
            "--runner",
            "subprocess",
            cwd=SAMPLE,
            timeout=600,
        )
    finally:
        run_cli("down")
    assert result.code == 0, result.stderr[-3000:]
    artifacts = [ev.from_dict(e) for e in result.events if e["type"] == "artifact"]
    (confusion,) = [c for c in artifact_content.shown(artifacts) if c.matrix is not None]
    assert confusion.artifact.node_id == "evaluate"
    matrix = confusion.matrix
    assert matrix is not None
    assert matrix.categories == ("setosa", "versicolor", "virginica")
    assert matrix.total == 45  # the held-out split: 30% of iris's 150 rows
    (accuracy,) = [
        e["value"] for e in result.events if e["type"] == "metric" and e["name"] == "test_accuracy"
    ]
    assert matrix.accuracy == pytest.approx(accuracy)
