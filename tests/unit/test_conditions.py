"""Compiled ``dsl.If`` conditions read as the pipeline's source says them; a plan's tasks in
topological order; the DAG of a plan with its groups resolved into their tasks.

No ``from __future__ import annotations``: kfp reads the components' annotations as types."""

import runpy
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.runners import T0
from tui.core import events as ev
from tui.core.pipelines.conditions import channel_name, readable
from tui.core.pipelines.discovery import planned_nodes
from tui.core.pipelines.spec import PipelineSpec, load_spec
from tui.core.run_graph import combined, node_statuses, notes, plan_graph
from tui.core.run_state import RunState

SAMPLE = Path(__file__).resolve().parents[2] / "sample_project" / "pipeline.py"


def compiled(func: object, tmp_path: Path, name: str) -> PipelineSpec:
    from kfp import compiler

    out = tmp_path / f"{name}.yaml"
    compiler.Compiler().compile(func, str(out))
    return load_spec(out)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> PipelineSpec:
    module = runpy.run_path(str(SAMPLE))
    return compiled(module["ml_pipeline"], tmp_path_factory.mktemp("sample"), "sample")


@pytest.fixture(scope="module")
def branches(tmp_path_factory: pytest.TempPathFactory) -> PipelineSpec:
    from kfp import dsl

    @dsl.component(base_image="python:3.11")
    def flip() -> str:
        return "heads"

    @dsl.component(base_image="python:3.11")
    def scores() -> NamedTuple("Out", [("score", float), ("label", str)]):
        return (1.0, "a")

    @dsl.component(base_image="python:3.11")
    def say(msg: str) -> None:
        print(msg)

    @dsl.pipeline(name="branches")
    def pipeline(flag: bool = True, n: int = 3, items: list = [1, 2]) -> None:  # noqa: B006
        coin = flip()
        two = scores()
        with dsl.If(coin.output == "heads", name="is-heads"):  # noqa: SIM117 (nested branches)
            with dsl.If(two.outputs["score"] > 0.5):
                say(msg="heads, high")
        with dsl.Elif(coin.output == "tails"):
            say(msg="tails")
        with dsl.Else():
            say(msg="edge")
        with dsl.If(flag == True):  # noqa: E712
            say(msg="flag")
        with dsl.If(n >= 2):
            say(msg="n")
        with dsl.ParallelFor(items) as item, dsl.If(item == 1):
            say(msg="one")
        with dsl.If(two.outputs["label"] != "b && c"):
            say(msg="label")

    return compiled(pipeline, tmp_path_factory.mktemp("branches"), "branches")


def conditions(spec: PipelineSpec) -> dict[str, str]:
    return {n.name: n.condition_text for n in spec.nodes() if n.condition}


def test_the_sample_pipelines_drift_condition_reads_as_its_source(sample: PipelineSpec) -> None:
    assert conditions(sample) == {
        "drift-detected": "drift-check.output > drift_threshold",
        "no-drift": "not (drift-check.output > drift_threshold)",
    }
    raw = next(n.condition for n in sample.nodes() if n.name == "drift-detected")
    assert "pipelinechannel--drift-check-Output" in raw  # the IR, kept for --json


def test_elif_else_casts_loop_items_and_named_outputs(branches: PipelineSpec) -> None:
    found = conditions(branches)
    assert found["is-heads"] == "flip.output == 'heads'"
    assert set(found.values()) >= {
        "scores.score > 0.5",
        "not (flip.output == 'heads') and flip.output == 'tails'",
        "not (flip.output == 'heads') and not (flip.output == 'tails')",
        "flag == true",
        "n >= 2",  # the IR says int(…) >= 2
        "items[i] == '1'",
        "scores.label != 'b && c'",  # a string literal keeps its &&
    }


def test_channel_names() -> None:
    assert channel_name("pipelinechannel--drift-check-Output") == "drift-check.output"
    assert channel_name("pipelinechannel--train-model-accuracy") == "train-model.accuracy"
    assert channel_name("pipelinechannel--drift_threshold") == "drift_threshold"
    assert channel_name("pipelinechannel--items-loop-item") == "items[i]"
    assert channel_name("not-a-channel") == "not-a-channel"
    assert readable("") == ""
    either = (
        "inputs.parameter_values['pipelinechannel--a'] == 1 || "
        'double(inputs.parameter_values["pipelinechannel--t-x"]) < 2'
    )
    assert readable(either) == "a == 1 or t.x < 2"


def test_tasks_are_in_topological_order_not_the_irs_alphabetical(sample: PipelineSpec) -> None:
    top = [n.name for n in sample.tasks]
    assert top == [
        "preprocess",
        "drift-check",
        "train",
        "condition-branches-1",
        "evaluate",
        "deploy",
    ]
    seen: set[str] = set()
    for node in sample.tasks:
        assert set(node.needs) <= seen, node.name
        seen.add(node.name_key)


def test_the_plan_graph_resolves_groups_into_their_tasks(sample: PipelineSpec) -> None:
    planned = planned_nodes(sample)
    graph = {g.name: g for g in plan_graph(planned)}
    assert list(graph) == [
        "preprocess",
        "drift-check",
        "train",
        "retrain",
        "report-no-drift",
        "evaluate",
        "deploy",
    ]
    assert graph["retrain"].needs == ("drift-check", "preprocess")  # the group's needs
    assert graph["deploy"].needs == ("evaluate", "train")
    assert notes(list(graph.values())) == [
        ("retrain", "if drift-check.output > drift_threshold"),
        ("report-no-drift", "if not (drift-check.output > drift_threshold)"),
    ]


def test_live_statuses_a_branch_not_taken_and_a_loops_iterations(branches: PipelineSpec) -> None:
    planned = planned_nodes(branches)
    graph = plan_graph(planned)
    loop_task = next(g for g in graph if "for-loop" in g.id)
    heads_task = next(g for g in graph if g.note.startswith("if flip.output == 'heads'"))
    model = RunState("pipeline")
    model.plan(planned)
    loop_id, _, task = loop_task.id.partition("/")

    def finished(node_id: str, status: ev.NodeStatus) -> ev.NodeFinished:
        return ev.NodeFinished(
            run_id="r", ts=T0, node_id=node_id, name=node_id, kind="task", status=status
        )

    skipped_group = heads_task.id.rsplit("/", 2)[0]  # the is-heads branch
    model.apply(finished(skipped_group, "skipped"))
    model.apply(finished(f"{loop_id}/iteration-0/{task}", "success"))
    model.apply(
        ev.NodeStarted(
            run_id="r", ts=T0, node_id=f"{loop_id}/iteration-1/{task}", name=task, kind="task"
        )
    )
    statuses = node_statuses(graph, planned, model)
    assert statuses[heads_task.id] == "skipped"
    assert statuses[loop_task.id] == "running"
    assert combined(["success", "skipped"]) == "success"
    assert combined(["success", "failure", "running"]) == "running"
    assert combined(["success", "pending"]) == "running"


def test_a_compiled_spec_whose_tasks_wait_in_a_circle_is_refused(
    sample: PipelineSpec, tmp_path: Path
) -> None:
    import copy

    import yaml

    from tui.core.errors import BadInput

    doc = copy.deepcopy(dict(sample.raw))
    tasks = doc["root"]["dag"]["tasks"]
    tasks["preprocess"] = {**tasks["preprocess"], "dependentTasks": ["deploy"]}
    path = tmp_path / "circle.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(BadInput, match="dependentTasks cycle: ") as caught:
        load_spec(path)
    assert "preprocess" in caught.value.message and "deploy" in caught.value.message
