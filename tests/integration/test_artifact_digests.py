"""Artifact events of real runs carry the sha256 of their content: a workflow's upload-artifact
folder, a kfp.local task's output file, an object a step wrote to the local S3 server."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli
from tui.core.stack import s3
from tui.core.workflows.act_argv import free_port


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def artifacts(stdout_events: list[dict]) -> dict[str, dict]:
    return {e["name"]: e for e in stdout_events if e["type"] == "artifact"}


def test_a_workflows_artifact_folder(workflow_project) -> None:
    project = workflow_project("compare")
    (project / "value.txt").write_text("1\n")
    argv = ("run", "workflow", "--runner", "host", "--offline", "--json", "-C", str(project))
    result = run_cli(*argv)
    assert result.code == 0, result.stderr
    found = artifacts(result.events)
    assert set(found) == {"model", "readme"}
    model = found["model"]
    assert model["artifact_type"] == "workflow.artifact" and model["node_id"] == ""
    folder = Path(model["uri"])
    assert (folder / "out" / "model.txt").read_text() == "model 1\n"
    line = "out/model.txt\0" + sha(b"model 1\n") + "\n"
    assert model["sha256"] == sha(line.encode())
    readme = f"README.md\0{sha((project / 'README.md').read_bytes())}\n"
    assert found["readme"]["sha256"] == sha(readme.encode())
    shown = run_cli("show", "last", "--json").stdout
    assert model["sha256"] in shown  # the stored run has it too


def test_a_pipeline_tasks_output_file() -> None:
    result = run_cli("run", "pipeline", "simple.py", "--json", cwd=FIXTURES / "pipelines")
    assert result.code == 0, result.stderr
    (data,) = artifacts(result.events).values()
    assert data["node_id"] == "make-data" and data["artifact_type"] == "system.Dataset"
    assert data["sha256"] == sha(Path(data["uri"]).read_bytes())


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`pipedeck up` on a free port; `pipedeck down` afterwards."""
    port = free_port()
    monkeypatch.setenv("PIPEDECK_S3_PORT", str(port))
    up = run_cli("up")
    assert up.code == 0, up.stderr
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        run_cli("down")


def test_an_object_written_to_the_s3_server(stack: str, workflow_project) -> None:
    project = workflow_project("s3upload")
    result = run_cli("run", "workflow", "--runner", "host", "--json", "-C", str(project))
    assert result.code == 0, result.stdout[-2000:] + result.stderr
    body = s3.client(stack).get_object(Bucket="my-model-storage", Key="model.pkl")["Body"].read()
    (model,) = artifacts(result.events).values()
    assert model["uri"] == "s3://my-model-storage/model.pkl"
    assert model["sha256"] == sha(body)  # read back through the server, not its ETag (an MD5)
