"""Docker for the integration tests: the ``docker`` marker and the runner image.

Tests marked ``docker`` are skipped, with the reason, when no engine answers. The runner image
is built once per session (cold: a few minutes; afterwards it is cached by its content tag).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from tui.core.errors import PipedeckError
from tui.core.images import docker_engine, local_images

NO_ENGINE = "no Docker engine answers: start dockerd"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


@functools.cache
def engine() -> docker_engine.EngineStatus:
    return docker_engine.engine_status(timeout=5)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker("docker")]
    if marked and not engine().answers:
        for item in marked:
            item.add_marker(pytest.mark.skip(reason=NO_ENGINE))


@pytest.fixture(scope="session")
def runner_image() -> str:
    """The runner image's ref, built now unless it already was."""
    if not engine().answers:
        pytest.skip(NO_ENGINE)
    lines: list[str] = []
    try:
        result = local_images.build_runner(
            lines.append, ca_bundle=HOST_CA if HOST_CA.is_file() else None
        )
    except PipedeckError as exc:
        tail = "\n".join(lines[-40:])
        pytest.fail(f"building the runner image failed: {exc.message}\n{tail}")
    return result.ref


@pytest.fixture(scope="session")
def component_image() -> str:
    """The component image's ref (docker pipeline runner), built now unless it already was."""
    if not engine().answers:
        pytest.skip(NO_ENGINE)
    lines: list[str] = []
    try:
        result = local_images.build_component(
            lines.append, ca_bundle=HOST_CA if HOST_CA.is_file() else None
        )
    except PipedeckError as exc:
        tail = "\n".join(lines[-40:])
        pytest.fail(f"building the component image failed: {exc.message}\n{tail}")
    return result.ref


@pytest.fixture(autouse=True)
def pipeline_runner_default(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--runner auto`` picks docker once the component image is built; the pipeline tests
    that do not say ``--runner`` mean the subprocess runner."""
    if request.node.get_closest_marker("docker") is None:
        monkeypatch.setenv("PIPEDECK_PIPELINE_RUNNER", "subprocess")
