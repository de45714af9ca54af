"""The user's story for cluster mode, for real: bring up kind + KFP 2.17, run the sample
pipeline on it, read its task logs, tear it all down. Slow (first run pulls ~15 images)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.conftest import images_dir
from tests.conftest import FIXTURES, CliResult, run_cli

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def cluster_up(cluster_state: Path) -> Iterator[CliResult]:
    """`pipedeck up --cluster` once for the module; `down --cluster --purge` after it."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_STATE_HOME", str(cluster_state))
    args = ["up", "--cluster", "--no-build"]
    bundle = images_dir()
    if bundle is not None:
        args += ["--images", str(bundle)]
    result = run_cli(*args, timeout=3000)
    try:
        yield result
    finally:
        down = run_cli("down", "--cluster", "--purge", timeout=600)
        patch.undo()
        assert down.code == 0, down.stderr


def test_up_installs_kfp_and_answers(cluster_up: CliResult) -> None:
    assert cluster_up.code == 0, cluster_up.stderr
    assert "KFP 2.17.0 ready" in cluster_up.stdout
    status = run_cli("status", "--cluster")
    assert "✗" not in status.stdout, status.stdout


def test_a_second_up_returns_in_seconds(cluster_up: CliResult) -> None:
    assert cluster_up.code == 0, cluster_up.stderr
    begun = time.monotonic()
    again = run_cli("up", "--cluster", "--no-build", timeout=300)
    assert again.code == 0, again.stderr
    assert time.monotonic() - begun < 60
    assert "reused" in again.stdout


def test_the_sample_pipeline_runs_on_the_cluster_with_its_logs(cluster_up: CliResult) -> None:
    assert cluster_up.code == 0, cluster_up.stderr
    result = run_cli(
        "run", "pipeline", str(FIXTURES / "pipelines" / "simple.py"),
        "--runner", "cluster", "--param", "count=4", "--json",
        timeout=1800,
    )  # fmt: skip
    events = result.events
    finished = events[-1]
    assert finished["type"] == "run.finished", result.stderr
    assert finished["status"] == "success", finished["error"]
    done = {e["node_id"]: e["status"] for e in events if e["type"] == "node.finished"}
    assert done == {"make-data": "success", "read-data": "success"}
    logs = [(e["node_id"], e["text"]) for e in events if e["type"] == "log"]
    assert ("make-data", "making 4 rows of 'hello'") in logs
    assert any(node == "read-data" and "read 4 rows" in text for node, text in logs)
