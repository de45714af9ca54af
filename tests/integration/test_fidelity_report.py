"""A user runs a workflow or a pipeline locally, then asks what will differ on GitHub or on
the cluster: ``pipedeck report RUN`` (and the last section of ``pipedeck show RUN``), with
the real act and the real kfp.local."""

from __future__ import annotations

import json
import platform
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integration.test_pipeline_runs import (  # noqa: F401 (fixtures)
    component_envs,
    use_component_envs,
)

PIPELINE = """
from kfp import dsl


@dsl.component(base_image="python:3.11")
def hello(message: str) -> str:
    print(message)
    return message


@dsl.pipeline(name="limited")
def limited(message: str = "hi"):
    hello(message=message).set_memory_limit("2G")
"""


def report(run: str = "last") -> list[dict]:
    result = run_cli("report", run, "--json")
    assert result.code == 0, result.stderr
    items = json.loads(result.stdout)
    assert all(set(item) == {"node_id", "what", "why", "fix"} for item in items)
    return items


def run_workflow(project: Path, *args: str) -> None:
    argv = ["run", "workflow", "--runner", "host", "--json", *args, "--project", str(project)]
    result = run_cli(*argv)
    assert result.code == 0, result.stderr


def test_an_offline_run_lists_the_setup_python_standin(workflow_project) -> None:
    run_workflow(workflow_project("offline"), "--offline")
    items = report()
    (python,) = [i for i in items if i["what"].startswith("actions/setup-python@v5 ran as")]
    assert python["node_id"].startswith("build/")  # the step that used it
    assert "on GitHub the real action installs" in python["why"]
    assert "--offline" in python["fix"]
    (cache,) = [i for i in items if i["what"].startswith("actions/cache@v4")]
    assert cache["node_id"].startswith("build/")
    labels = [i for i in items if i["what"].startswith("runs-on ubuntu-latest")]
    assert labels and "-P ubuntu-latest=-self-hosted" in labels[0]["what"]


def test_an_unset_secret_is_listed_with_the_fix(workflow_project) -> None:
    run_workflow(workflow_project("secrets"))
    (item,) = [i for i in report() if "secrets.API_TOKEN" in i["what"]]
    assert item["node_id"] == "leak"
    assert "repository's secrets" in item["fix"] and "--secret-file" in item["fix"]


def test_a_secret_the_run_had_is_not_listed(workflow_project) -> None:
    run_workflow(workflow_project("secrets"), "-s", "API_TOKEN=x")
    assert not [i for i in report() if "API_TOKEN" in i["what"]]


def test_show_ends_with_the_report(workflow_project) -> None:
    run_workflow(workflow_project("secrets"))
    result = run_cli("show", "last")
    assert result.code == 0, result.stderr
    section = result.stdout[result.stdout.index("What will differ on GitHub") :]
    assert "secrets.API_TOKEN" in section
    assert "status:" not in section and "Summary" not in section  # the last section


def test_a_memory_limit_is_listed(tmp_path: Path) -> None:
    (tmp_path / "limited.py").write_text(PIPELINE)
    result = run_cli(
        "run", "pipeline", "limited.py", "--runner", "subprocess", "--json", cwd=tmp_path
    )
    assert result.code == 0, result.stderr
    (item,) = [i for i in report() if "memory limit 2G" in i["what"]]
    assert item["node_id"] == "hello"
    assert "not enforced locally" in item["what"]
    assert "killed above its memory limit" in item["why"]


def node_version() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    return done.stdout.strip().removeprefix("v")


def test_the_python_and_node_a_host_run_had_are_listed(workflow_project) -> None:
    run_workflow(workflow_project("chain"))
    (tools,) = [i for i in report() if " ran with Python " in i["what"]]
    python = platform.python_version()
    assert f"ran with Python {python} and Node {node_version()} (this machine's)" in tools["what"]
    assert "actions/runner-images" in tools["why"]
    assert "actions/setup-python with python-version" in tools["fix"]
    assert "actions/setup-node with node-version" in tools["fix"]


def test_a_job_that_pins_python_is_listed_for_node_only(workflow_project) -> None:
    run_workflow(workflow_project("offline"), "--offline")
    items = [i for i in report() if " ran with " in i["what"]]
    (node,) = [i for i in items if "Node" in i["what"]]
    assert f"(build, check) ran with Node {node_version()} (this machine's)" in node["what"]
    assert "Python" not in node["what"] and "setup-python" not in node["fix"]
    (python,) = [i for i in items if "Python" in i["what"]]  # check pins nothing, build does
    assert python["node_id"] == "check" and "Node" not in python["what"]


@pytest.mark.docker
def test_a_docker_run_lists_the_runner_images_versions(workflow_project, runner_image) -> None:
    project = workflow_project("chain")
    argv = ["run", "workflow", "--runner", "docker", "--json", "--project", str(project)]
    result = run_cli(*argv)
    assert result.code == 0, result.stderr
    (tools,) = [i for i in report() if " ran with Python " in i["what"]]
    probe = "python3 -c 'import platform; print(platform.python_version())'; node --version"
    done = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "sh", runner_image, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
    )
    python, node = done.stdout.split()
    assert f"Python {python} and Node {node.removeprefix('v')} (the image " in tools["what"]
