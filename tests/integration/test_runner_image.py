"""The runner image act runs jobs in: built for real, holding what workflows need."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from docker.models.containers import Container

from tui.core.images import docker_engine, local_images

# A cold build (debootstrap + apt) takes minutes; the session fixture builds in the first test.
pytestmark = [pytest.mark.docker, pytest.mark.timeout(1800)]

HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


@pytest.fixture
def job_container(runner_image: str) -> Iterator[Container]:
    """Started the way act starts a job container: idling on ``tail -f /dev/null``."""
    cli = docker_engine.client()
    container = cli.containers.run(
        runner_image,
        entrypoint=["tail", "-f", "/dev/null"],
        detach=True,
        labels={"pipedeck.run": "test-runner-image"},
    )
    try:
        yield container
    finally:
        container.remove(force=True)
        cli.close()


def run(container: Container, script: str) -> str:
    code, output = container.exec_run(["bash", "-c", script])
    assert isinstance(output, bytes)
    text = output.decode(errors="replace")
    assert code == 0, f"{script!r} exited {code}:\n{text}"
    return text


def test_the_runner_image_is_tagged_by_content(runner_image: str) -> None:
    assert re.fullmatch(r"pipedeck-runner:[0-9a-f]{12}", runner_image)
    assert local_images.image_present(runner_image)
    assert local_images.runner_image() == runner_image


def test_a_job_container_has_what_workflow_steps_use(job_container: Container) -> None:
    assert "Python 3." in run(job_container, "python3 --version")
    assert "pip " in run(job_container, "pip --version")
    run(job_container, "python3 -m venv /tmp/venv && /tmp/venv/bin/pip --version")
    assert "git version" in run(job_container, "git --version")
    assert re.match(r"v\d+\.", run(job_container, "node --version"))
    assert "aws-cli/" in run(job_container, "aws --version")
    assert "GNU bash" in run(job_container, "bash --version")
    run(job_container, "sh -c 'id -u && chown --version && tail --version' >/dev/null")
    run(job_container, "curl --version && jq --version")


def test_a_job_container_runs_node_actions_and_pip_installs(job_container: Container) -> None:
    code, output = job_container.exec_run(
        ["node", "--no-warnings", "-e", "console.log(process.execPath)"]
    )
    assert code == 0, output
    assert isinstance(output, bytes)
    assert output.decode().strip().startswith("/")
    # `pip install` works as after actions/setup-python (a venv on PATH, not Debian's Python).
    site = run(job_container, "python -c 'import sys; print(sys.prefix)'")
    assert site.strip() == "/opt/pipedeck/venv"


def test_aws_in_a_job_container_honours_the_endpoint_variables(job_container: Container) -> None:
    # Nothing listens on port 9: the error names the endpoint the CLI used.
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        code, output = job_container.exec_run(
            ["aws", "--cli-connect-timeout", "2", "s3", "ls"],
            environment={**env, variable: "http://127.0.0.1:9"},
        )
        assert isinstance(output, bytes)
        assert code != 0
        assert 'endpoint URL: "http://127.0.0.1:9/"' in output.decode(), output


def test_a_second_build_is_cached_and_fast(runner_image: str) -> None:
    lines: list[str] = []
    result = local_images.build_runner(
        lines.append, ca_bundle=HOST_CA if HOST_CA.is_file() else None
    )
    assert result.cached, lines
    assert result.ref == runner_image
    assert result.seconds < 5
    cli = docker_engine.client()
    try:
        labels = cli.images.get(runner_image).labels
    finally:
        cli.close()
    assert labels["pipedeck.image"] == "runner"
    assert labels["pipedeck.base"] == result.base


def test_the_engine_reports_its_version() -> None:
    status = docker_engine.engine_status()
    assert status.answers
    assert status.version
    assert status.version in status.detail
