"""The local stack: doctor, up/down/status, the S3 emulator and runs that reach it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import boto3
import psutil
import pytest

from tests.conftest import run_cli
from tui.core.stack import state
from tui.core.workflows.act_argv import free_port


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`pipedeck up` on a free port; `pipedeck down` afterwards."""
    port = free_port()
    monkeypatch.setenv("PIPEDECK_S3_PORT", str(port))
    up = run_cli("up")
    assert up.code == 0, up.stderr
    yield f"http://127.0.0.1:{port}"
    run_cli("down")


def test_up_is_idempotent_and_down_stops_exactly_it(stack: str) -> None:
    first = state.load()["s3"]
    again = run_cli("up")
    assert again.code == 0 and "already running" in again.stdout
    assert state.load()["s3"] == first
    assert "✓ S3 emulator" in run_cli("status").stdout
    assert run_cli("down").stdout.strip() == "S3 emulator stopped"
    assert not psutil.pid_exists(first.pid) or not first.alive()
    assert run_cli("down").stdout.strip() == "nothing to stop"
    assert "not started" in run_cli("status").stdout


def test_the_default_bucket_exists_and_objects_survive_a_restart(stack: str) -> None:
    client = s3_client(stack)
    assert "my-model-storage" in [b["Name"] for b in client.list_buckets()["Buckets"]]
    client.create_bucket(Bucket="extra")
    client.put_object(Bucket="extra", Key="dir/a b.txt", Body=b"kept", ContentType="text/plain")
    assert run_cli("down").code == 0
    assert run_cli("up").code == 0
    obj = s3_client(stack).get_object(Bucket="extra", Key="dir/a b.txt")
    assert obj["Body"].read() == b"kept"
    assert obj["ContentType"] == "text/plain"


def test_every_listener_is_on_loopback(stack: str) -> None:
    service = state.load()["s3"]
    proc = psutil.Process(service.pid)
    listeners = [c for c in proc.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert listeners
    assert {c.laddr.ip for c in listeners} == {"127.0.0.1"}


MODES = [
    pytest.param("host", id="host"),
    pytest.param("docker", id="docker", marks=pytest.mark.docker),
]


@pytest.mark.parametrize("mode", MODES)
def test_a_workflow_uploads_to_the_emulator_with_aws_s3_cp(
    stack: str, workflow_project, mode: str, request: pytest.FixtureRequest
) -> None:
    if mode == "docker":
        request.getfixturevalue("runner_image")
    project = workflow_project("s3upload")
    result = run_cli("run", "workflow", "--runner", mode, "--json", "--project", str(project))
    assert result.code == 0, result.stdout[-2000:] + result.stderr
    body = s3_client(stack).get_object(Bucket="my-model-storage", Key="model.pkl")["Body"].read()
    assert body.startswith(b"weights-")
    uris = [e["uri"] for e in result.events if e["type"] == "artifact"]
    assert uris == ["s3://my-model-storage/model.pkl"]  # where the model went
    assert "s3://my-model-storage/model.pkl" in run_cli("show", "last").stdout


def test_doctor_with_the_engine_stopped_says_how_to_start_it() -> None:
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "tui", "doctor"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if "Docker engine" in line)
    assert "✗" in row and "not answering" in row and "start it" in row
    assert "embedded default (host + subprocess + S3 emulator) can run" in done.stdout


@pytest.mark.docker
def test_doctor_with_the_engine_answering(runner_image: str) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "tui", "doctor"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0
    engine = next(line for line in done.stdout.splitlines() if "Docker engine" in line)
    image = next(line for line in done.stdout.splitlines() if "runner image" in line)
    assert "✓" in engine and "version" in engine
    assert "✓" in image and runner_image in image


def test_a_pipeline_component_writes_to_the_emulator_with_boto3(stack: str) -> None:
    from tests.conftest import FIXTURES

    result = run_cli(
        "run",
        "pipeline",
        "s3_upload.py",
        "--json",
        "--param",
        "key=kfp.pkl",
        cwd=FIXTURES / "pipelines",
        timeout=600,
    )
    assert result.code == 0, result.stdout[-2000:] + result.stderr
    body = s3_client(stack).get_object(Bucket="my-model-storage", Key="kfp.pkl")["Body"].read()
    assert body == b"pipeline-model"
