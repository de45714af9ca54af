"""Contract: KFP 2.x task details (one per Argo node: drivers, executor DAGs, plumbing) map
onto the user's tasks and groups; pods map by Argo's node-name annotation."""

from __future__ import annotations

from pathlib import Path

from tests.contract.fake_kfp import task
from tui.core import events as ev
from tui.core.cluster.task_map import TaskTracker, node_for_pod
from tui.core.pipelines.spec import PipelineSpec, PlanNode, load_spec

BRANCHES = Path(__file__).resolve().parents[1] / "fixtures" / "pipelines" / "compiled"


def _details(*tasks: object) -> list[dict]:
    return [t.to_dict() for t in tasks]  # type: ignore[attr-defined]


def test_contract_nested_groups_open_before_their_tasks_and_plumbing_is_hidden() -> None:
    spec = load_spec(BRANCHES / "branches.yaml")
    tracker = TaskTracker("r1", spec)
    events = tracker.update(
        _details(
            task("branches-abcde", "RUNNING"),
            task("root-driver", "SUCCEEDED", 0, 1),
            task("root", "RUNNING", 1),
            task("decide", "SUCCEEDED", 1, 3),
            task("executor", "SUCCEEDED", 1, 3),
            task("condition-branches-1-driver", "SUCCEEDED", 3, 4),
            task("condition-2-driver", "SUCCEEDED", 4, 5),
            task("say-driver", "RUNNING", 5),
            task("condition-3", "SKIPPED", 4, 4),
        )
    )
    seen = [(type(e).__name__, e.node_id, getattr(e, "status", "")) for e in events]  # type: ignore[attr-defined]
    assert seen == [
        ("NodeStarted", "decide", ""),
        ("NodeFinished", "decide", "success"),
        ("NodeStarted", "condition-branches-1", ""),
        ("NodeStarted", "condition-branches-1/condition-2", ""),
        ("NodeStarted", "condition-branches-1/condition-2/say", ""),
        ("NodeStarted", "condition-branches-1/condition-3", ""),
        ("NodeFinished", "condition-branches-1/condition-3", "skipped"),
    ]
    started = [e for e in events if isinstance(e, ev.NodeStarted)]
    assert started[3].parent_id == "condition-branches-1/condition-2"
    assert started[1].kind == "group"
    closed = tracker.close("cancelled")
    assert [e.node_id for e in closed] == [
        "condition-branches-1/condition-2/say",
        "condition-branches-1/condition-2",
        "condition-branches-1",
    ]


def test_contract_loop_iterations_get_their_own_nodes() -> None:
    train = PlanNode(id="for-loop-2/train", name="train", kind="task", component="comp-train")
    loop = PlanNode(
        id="for-loop-2", name="for-loop-2", kind="group", component="comp-for-loop-2",
        children=(train,), loop=True,
    )  # fmt: skip
    tracker = TaskTracker("r1", PipelineSpec(name="p", params=(), tasks=(loop,)))
    events = tracker.update(
        _details(
            task("for-loop-2", "RUNNING", 0),
            task("train", "SUCCEEDED", 1, 4),
            task("train", "FAILED", 2, 5),
        )
    )
    finished = [
        (e.node_id, e.iteration, e.status) for e in events if isinstance(e, ev.NodeFinished)
    ]
    assert finished == [
        ("for-loop-2/iteration-0/train", 0, "success"),
        ("for-loop-2/iteration-1/train", 1, "failure"),
    ]


def test_contract_pods_map_by_argo_node_name() -> None:
    tracker = TaskTracker("r1", load_spec(BRANCHES / "branches.yaml"))
    assert node_for_pod("branches-abcde.root.decide.executor", tracker) == ("decide", True)
    assert node_for_pod("branches-abcde.root.decide-driver", tracker) == ("decide", False)
    nested = "branches-abcde.root.condition-branches-1.condition-2.say.executor"
    assert node_for_pod(nested, tracker) == ("condition-branches-1/condition-2/say", True)
    assert node_for_pod("branches-abcde.root-driver", tracker) is None
