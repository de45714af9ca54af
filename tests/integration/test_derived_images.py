"""A user runs a pipeline whose component has ``packages_to_install`` with ``--runner docker``:
the first run builds one derived component image with the packages preinstalled (and says so),
later runs reuse it and their task installs nothing; the outputs are subprocess mode's;
``pipedeck image ls`` lists the image and ``pipedeck image prune`` removes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.conftest import FIXTURES, CliResult, build_component_envs, log_lines, run_cli
from tests.integration.conftest import HOST_CA
from tests.integration.test_pipeline_docker import driver_envs  # noqa: F401  (fixture)
from tests.integration.test_pipeline_runs import logs, statuses
from tui.core.images.derived import DERIVED_LABEL, PACKAGES_LABEL
from tui.core.pipelines import env as component_env

PIPELINES = FIXTURES / "pipelines"
PACKAGE = "pyjokes==0.8.3"
BUILDING = f"building component image for {PACKAGE} (first run with these packages): "
PIP_CHATTER = re.compile(r"\bpip\b|Collecting |Successfully installed|Requirement already", re.I)


def derived_refs() -> list[str]:
    """The engine's derived images holding exactly our package."""
    client = docker.from_env()
    try:
        images = client.images.list(filters={"label": f"{DERIVED_LABEL}=component"})
        return [
            tag
            for image in images
            if image.labels.get(PACKAGES_LABEL) == f'["{PACKAGE}"]'
            for tag in image.tags
        ]
    finally:
        client.close()


@pytest.fixture
def no_derived_image() -> Iterator[None]:
    """The run starts as a first run with these packages would (and leaves nothing behind)."""
    client = docker.from_env()
    try:
        for ref in derived_refs():
            client.images.remove(ref)
        yield
        for ref in derived_refs():
            client.images.remove(ref)
    finally:
        client.close()


@pytest.fixture
def envs(component_image: str, driver_envs: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The docker driver's environment and, beside it, the subprocess runner's for
    packages.py; the CA setting for this machine's intercepting proxy."""
    build_component_envs(driver_envs, PIPELINES / "packages.py")
    monkeypatch.setenv(component_env.ENV_DIR_VAR, str(driver_envs))
    if HOST_CA.is_file():
        monkeypatch.setenv("PIPEDECK_CA_BUNDLE", str(HOST_CA))


def run(*args: str) -> CliResult:
    return run_cli("run", "pipeline", "packages.py", "--json", "--no-cache", *args, cwd=PIPELINES)


def system_lines(result: CliResult) -> list[str]:
    return log_lines(result.events, lambda e: e["stream"] == "system")


def outputs(result: CliResult) -> dict[str, object]:
    """What each task printed and returned, and the artifacts' contents and metadata."""
    tasks = sorted(statuses(result))
    seen: dict[str, object] = {
        node: (
            logs(result, node, "stdout"),
            [line for line in logs(result, node, "system") if line.startswith("output ")],
        )
        for node in tasks
    }
    for e in result.events:
        if e["type"] == "artifact":
            seen[f"{e['node_id']}/{e['name']}"] = (Path(e["uri"]).read_text(), e["metadata"])
    return seen


@pytest.mark.docker
def test_the_first_run_builds_the_packages_image_and_the_next_installs_nothing(
    no_derived_image: None, envs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run("--runner", "docker")
    assert first.code == 0, first.stdout[-3000:] + first.stderr
    assert statuses(first) == {"first-joke": "success", "repeat": "success"}
    building = [line for line in system_lines(first) if line.startswith(BUILDING)]
    assert len(building) == 1, system_lines(first)
    ref = building[0].removeprefix(BUILDING)
    assert ref.startswith("pipedeck-component-pkgs:")
    assert derived_refs() == [ref]

    # Without the CA bundle this machine's intercepting proxy refuses pip: the second run's
    # task succeeds only because it installs nothing.
    monkeypatch.delenv("PIPEDECK_CA_BUNDLE", raising=False)
    second = run("--runner", "docker")
    assert second.code == 0, second.stdout[-3000:] + second.stderr
    assert not [line for line in system_lines(second) if "building component image" in line]
    assert f"base_image python:3.11 → {ref} (the local component image with {PACKAGE} " in (
        "\n".join(logs(second, "first-joke", "system"))
    )
    task_output = logs(second, "first-joke", "stdout") + logs(second, "first-joke", "stderr")
    assert task_output and not [line for line in task_output if PIP_CHATTER.search(line)]
    assert derived_refs() == [ref]

    plain = run("--runner", "subprocess")
    assert plain.code == 0, plain.stderr
    assert outputs(second) == outputs(plain) == outputs(first)
    assert "pyjokes has " in logs(second, "first-joke", "stdout")[0]

    monkeypatch.setenv("COLUMNS", "200")  # one table row per line
    listed = run_cli("image", "ls")
    assert listed.code == 0, listed.stderr
    (row,) = [line for line in listed.stdout.splitlines() if ref in line]
    assert PACKAGE in row and row.count(" ago") == 2  # created, and last used by these runs

    pruned = run_cli("image", "prune")
    assert pruned.code == 0, pruned.stderr
    assert re.fullmatch(
        r"removed \d+ derived component images?, freed [\d.]+ [kMG]?B\n", pruned.stdout
    )
    assert int(pruned.stdout.split()[1]) >= 1
    assert derived_refs() == []
    assert ref not in run_cli("image", "ls").stdout


def test_image_ls_and_prune_without_an_engine_are_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    for command in ("ls", "prune"):
        result = run_cli("image", command)
        assert result.code == 3
        assert result.stderr.startswith("pipedeck: no Docker engine answers at DOCKER_HOST=")
        assert result.stderr.count("\n") == 1, result.stderr
