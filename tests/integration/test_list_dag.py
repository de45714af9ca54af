"""``pipedeck list``: tasks in the order they can run, conditions as the source says them, and
``--dag`` drawing each workflow's jobs and each pipeline's tasks with their edges."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import run_cli

SAMPLE = Path(__file__).resolve().parents[2] / "sample_project"


def sample_copy(tmp_path: Path) -> Path:
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", "*.yaml"))
    return project


def test_list_orders_tasks_topologically_and_reads_conditions(tmp_path: Path) -> None:
    result = run_cli("list", "--project", str(sample_copy(tmp_path)))
    assert result.code == 0, result.stderr
    out = result.stdout
    assert "pipelinechannel" not in out
    tasks = out[out.index("── tasks") :]
    assert "if: drift-check.output > drift_threshold" in out
    assert "if: not (drift-check.output > drift_threshold)" in out
    order = [tasks.index(f"── {name}") for name in ("preprocess", "train  ", "evaluate", "deploy")]
    assert order == sorted(order), out  # not alphabetical (deploy, evaluate, preprocess, train)


def test_list_dag_draws_the_graph_with_edges_and_json_stays_json(
    tmp_path: Path, workflow_project
) -> None:
    project = workflow_project("chain")  # and the sample's files (its workflow too)
    shutil.copytree(sample_copy(tmp_path), project, dirs_exist_ok=True)
    result = run_cli("list", "--dag", "--project", str(project))
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    chain = lines.index(next(line for line in lines if line.startswith("chain ")))
    assert [line.strip() for line in lines[chain + 1 : chain + 6]] == [
        "build",
        "│",
        "test",
        "│",
        "deploy",
    ]
    graph = "\n".join(lines)
    pipelines = lines.index("Pipelines")
    for drawn in ("preprocess", "╭", "┴", "╮", "report-no-drift", "deploy"):
        assert drawn in graph
    row_of = {
        name: next(i for i, line in enumerate(lines) if i > pipelines and f" {name}" in line)
        for name in ("preprocess", "drift-check", "evaluate", "deploy")
    }
    assert row_of["preprocess"] < row_of["drift-check"] < row_of["evaluate"] < row_of["deploy"]
    assert "retrain          if drift-check.output > drift_threshold" in graph
    as_json = run_cli("list", "--dag", "--json", "--project", str(project))
    found = json.loads(as_json.stdout)
    (pipeline,) = found["pipelines"]
    names = [t["name"] for t in pipeline["tasks"]]
    assert names.index("preprocess") < names.index("train") < names.index("evaluate")
    branches = next(t for t in pipeline["tasks"] if t["kind"] == "group")
    conditions = {c["name"]: c["condition"] for c in branches["children"]}
    assert conditions["drift-detected"] == "drift-check.output > drift_threshold"
    assert "pipelinechannel--drift-check-Output" in branches["children"][0]["condition_ir"]
