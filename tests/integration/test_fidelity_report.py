"""A user runs a workflow or a pipeline locally, then asks what will differ on GitHub or on
the cluster: ``pipedeck report RUN`` (and the last section of ``pipedeck show RUN``), with
the real act and the real kfp.local."""

from __future__ import annotations

import json
from pathlib import Path

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
