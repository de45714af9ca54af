"""Derived component images without an engine: which package set a component's command
installs, one image per distinct set, a task run in its image with nothing left to install
(and only then), and ``image ls``/``prune`` without an engine."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.conftest import REPO
from tui.core.errors import EXIT_MISSING_PREREQ
from tui.core.images import derived
from tui.core.images.derived import PackageSet
from tui.core.pipelines import docker_mode
from tui.core.pipelines.docker_tasks import DockerTasks, package_set

ENSURE_PIP = (
    '\nif ! [ -x "$(command -v pip)" ]; then\n    python3 -m ensurepip || python3 -m ensurepip'
    " --user || apt-get install python3-pip\nfi\n\n"
)
KFP = "'kfp==2.17.3' '--no-deps' 'typing-extensions>=3.7.4,<5; python_version<\"3.9\"' "
PROGRAM = ["sh", "-ec", "program_path=$(mktemp -d) ... python3 -m kfp.dsl.executor_main", "src"]
ARGS = ["--executor_input", "{}", "--function_to_execute", "f"]
COMPONENT_IMAGE = "pipedeck-component:0123456789ab"


def command(packages: Sequence[str] = (), options: str = "") -> list[str]:
    """A KFP lightweight component's command as kfp 2.17 compiles it."""
    pip = f"python3 -m pip install --quiet --no-warn-script-location {options}"
    steps = [f"{ENSURE_PIP}PIP_DISABLE_PIP_VERSION_CHECK=1 {pip}"]
    if packages:
        steps[0] += " ".join(f"'{p}'" for p in packages) + " "
        steps.append(f" {pip}{KFP}")
    else:
        steps[0] += KFP
    script = "&&".join([*steps, ' "$0" "$@"\n'])
    return ["sh", "-c", script, *PROGRAM, *ARGS]


class Logged(list[tuple[str, str, str]]):
    def __call__(self, node: str, stream: str, text: str) -> None:
        self.append((node, stream, text))


def tasks(derived_images: dict[PackageSet, str]) -> tuple[DockerTasks, Logged]:
    logged = Logged()
    return DockerTasks("run-1", COMPONENT_IMAGE, logged, lambda: "task", derived=derived_images), (
        logged
    )


def test_the_package_set_is_the_components_packages_and_index_options_not_kfp() -> None:
    options = "--index-url https://pypi.example/simple --trusted-host pypi.example "
    assert package_set(command(["pandas", "numpy==2.1"], options)) == PackageSet(
        ("numpy==2.1", "pandas"),
        ("--index-url", "https://pypi.example/simple", "--trusted-host", "pypi.example"),
    )
    assert package_set(command(["numpy==2.1", "pandas"])) == package_set(
        command(["pandas", "numpy==2.1"])
    )
    assert package_set(command()) is None  # kfp's own install is not a package set
    assert package_set(["python3", "-c", "print(1)"]) is None


def test_a_task_whose_packages_are_preinstalled_runs_with_nothing_to_install() -> None:
    full = command(["pyjokes==0.8.3"])
    runner, logged = tasks({PackageSet(("pyjokes==0.8.3",)): "pipedeck-component-pkgs:abc"})
    image, prepared = runner.prepare("python:3.11", full)
    assert image == "pipedeck-component-pkgs:abc"
    assert prepared == [*PROGRAM, *ARGS]  # KFP's whole install prefix is gone
    assert logged == [
        (
            "task",
            "system",
            "base_image python:3.11 → pipedeck-component-pkgs:abc (the local component image "
            "with pyjokes==0.8.3 preinstalled; docker mode pulls nothing)",
        )
    ]


def test_other_packages_or_options_keep_their_install_in_the_component_image() -> None:
    derived_images = {PackageSet(("pyjokes==0.8.3",)): "pipedeck-component-pkgs:abc"}
    for other in (
        command(["pyjokes==0.8.2"]),
        command(["pyjokes==0.8.3"], "--index-url https://pypi.example/simple "),
    ):
        image, prepared = tasks(derived_images)[0].prepare("python:3.11", other)
        assert image == COMPONENT_IMAGE
        assert prepared[:2] == ["sh", "-c"] and "pip install" in prepared[2]
        assert "kfp==" not in prepared[2]  # only KFP's own install is dropped
    image, prepared = tasks({})[0].prepare("python:3.11", command(["pyjokes==0.8.3"]))
    assert image == COMPONENT_IMAGE and "'pyjokes==0.8.3'" in prepared[2]
    container = ["python3", "-c", "print(1)"]  # a container component keeps its own image
    assert tasks(derived_images)[0].prepare("alpine:3", container) == ("alpine:3", container)


def test_the_driver_reads_the_images_from_its_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image = derived.DerivedImage(
        "pipedeck-component-pkgs:abc", COMPONENT_IMAGE, PackageSet(("a", "b"), ("-i", "u"))
    )
    monkeypatch.setenv(derived.DERIVED_ENV_VAR, derived.to_json([image]))
    runner = DockerTasks("run-1", COMPONENT_IMAGE, Logged(), lambda: "task")
    assert runner.derived == {PackageSet(("a", "b"), ("-i", "u")): image.ref}
    assert derived.DERIVED_ENV_VAR not in os.environ  # not passed on to the tasks
    assert derived.from_json("not json") == {} and derived.from_json("") == {}


def test_one_image_per_distinct_package_set_tagged_by_its_hash() -> None:
    spec = {
        "deploymentSpec": {
            "executors": {
                "exec-a": {"container": {"image": "python:3.11", "command": command(["x", "y"])}},
                "exec-b": {"container": {"image": "python:3.11", "command": command(["y", "x"])}},
                "exec-c": {"container": {"image": "python:3.11", "command": command(["z"])}},
                "exec-d": {"container": {"image": "python:3.11", "command": command()}},
                "exec-e": {"container": {"image": "alpine", "command": ["echo", "pip install"]}},
            }
        }
    }
    images = docker_mode.derived_images(spec, COMPONENT_IMAGE)
    assert [i.packages.packages for i in images] == [("x", "y"), ("z",)]
    assert all(i.base == COMPONENT_IMAGE for i in images)
    assert all(i.ref.startswith("pipedeck-component-pkgs:") and len(i.ref) == 36 for i in images)
    again = docker_mode.derived_images(spec, COMPONENT_IMAGE)
    assert [i.ref for i in again] == [i.ref for i in images]  # stable: reused across runs
    other_base = docker_mode.derived_images(spec, "pipedeck-component:ba9876543210")
    assert {i.ref for i in other_base}.isdisjoint(i.ref for i in images)


def test_the_driver_side_imports_only_the_standard_library() -> None:
    """The driver imports docker_tasks in its own environment (kfp + the Docker SDK)."""
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import tui.core.pipelines.docker_tasks;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('docker', 'platformdirs', 'yaml', 'rich', 'typer', 'kfp')))"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", probe, str(REPO)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_image_ls_and_prune_without_an_engine_are_one_line(tmp_path: Path) -> None:
    env = {"DOCKER_HOST": f"unix://{tmp_path / 'nobody-listens.sock'}"}
    for name in ("ls", "prune"):
        proc = subprocess.run(
            [sys.executable, "-m", "tui", "image", name],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **env},
        )
        assert proc.returncode == EXIT_MISSING_PREREQ, proc.stderr
        assert proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("pipedeck: no Docker engine answers")
