"""A user compares two real runs of one workflow (``tui.core.compare``, ``pipedeck diff``):
the second run's ``check`` step failed, its metric moved, its model artifact has other bytes
and its readme artifact the same ones."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import FIXTURES, run_cli
from tui.core.compare import Comparison, compare_records
from tui.core.run_state import RunState
from tui.core.store import RunStore


def run_workflow(project: Path, workflow: str, code: int) -> None:
    argv = ("run", "workflow", workflow, "--runner", "host", "--offline", "-C", str(project))
    result = run_cli(*argv)
    assert result.code == code, result.stdout[-2000:] + result.stderr


def two_runs(workflow_project, *names: str) -> tuple[Path, str, str]:
    """compare.yml run with value 1 (it passes), then with value 2 (its check fails)."""
    project = workflow_project("compare", *names)
    for value in ("1", "2"):
        (project / "value.txt").write_text(value + "\n")
        run_workflow(project, "compare.yml", 0 if value == "1" else 1)
    newest, older = RunStore().list()[:2]
    return project, older.run_id, newest.run_id


def compared(run_a: str, run_b: str) -> Comparison:
    store = RunStore()
    return compare_records(store.get(run_a), store.get(run_b))


def model_digest(value: str) -> str:
    """The documented folder digest of the model artifact (tui.core.digests)."""
    file_sha = hashlib.sha256(f"model {value}\n".encode()).hexdigest()
    return hashlib.sha256(f"out/model.txt\0{file_sha}\n".encode()).hexdigest()


def test_a_failed_step_a_moved_metric_and_a_changed_artifact(workflow_project) -> None:
    _, run_a, run_b = two_runs(workflow_project)
    found = compared(run_a, run_b)
    assert found.header() == f"workflow compare.yml: {run_a} (success) → {run_b} (failure)"
    assert found.differs == ""
    nodes = {n.node_id: n for n in found.nodes}
    (check,) = [n for n in found.nodes if n.title == "check"]
    assert (check.status_a, check.status_b, check.change) == ("success", "failure", "status")
    assert (nodes["train"].status_a, nodes["train"].status_b) == ("success", "failure")
    changed = {n.node_id for n in found.nodes if n.change != "same"}
    assert changed == {"train", check.node_id}  # every other step did as before
    assert found.nodes[0].node_id == "train" and found.nodes[0].depth == 0
    assert all(n.depth >= 1 for n in found.nodes[1:])
    # durations are the runs' own, as the one fold has them
    store = RunStore()
    state_a = RunState.of(store.get(run_a).events())
    state_b = RunState.of(store.get(run_b).events())
    assert set(nodes) == set(state_a.nodes) == set(state_b.nodes)
    for node_id, delta in nodes.items():
        assert delta.duration_a == state_a.nodes[node_id].duration
        assert delta.duration_b == state_b.nodes[node_id].duration
        if delta.duration_a is not None and delta.duration_b is not None:
            assert delta.duration_delta == delta.duration_b - delta.duration_a
    (metric,) = found.metrics
    assert (metric.node, metric.name, metric.a, metric.b) == (
        "train › train",
        "accuracy",
        0.91,
        0.92,
    )
    assert metric.delta is not None and abs(metric.delta - 0.01) < 1e-9
    (model,) = found.artifacts  # the readme's bytes are the same: not listed
    assert (model.name, model.change) == ("model", "changed")
    assert (model.sha256_a, model.sha256_b) == (model_digest("1"), model_digest("2"))
    assert found.same_artifacts == 1
    assert "(2 changed status) · 1 metric (1 moved) · 1 artifact changed, 1 the same" in (
        found.counts()
    )


def test_a_run_stored_before_artifacts_had_a_sha256_compares_as_unknown(workflow_project) -> None:
    _, run_a, run_b = two_runs(workflow_project)
    events = RunStore().get(run_a).events_path
    lines = []
    for line in events.read_text().splitlines():
        data = json.loads(line)
        if data["type"] == "artifact":
            del data["sha256"]  # what an older pipedeck wrote
        lines.append(json.dumps(data))
    events.write_text("\n".join(lines) + "\n")
    state = RunState.of(RunStore().get(run_a).events())
    assert [a.sha256 for a in state.artifacts] == [None, None]  # still readable
    found = compared(run_a, run_b)
    assert {(x.name, x.change) for x in found.artifacts} == {
        ("model", "unknown"),
        ("readme", "unknown"),
    }
    assert found.same_artifacts == 0


def test_runs_of_two_workflows_say_so_and_list_nodes_added_and_removed(workflow_project) -> None:
    project, _, run_b = two_runs(workflow_project, "chain")
    run_workflow(project, "chain.yml", 0)
    chain = RunStore().list()[0].run_id
    found = compared(run_b, chain)
    assert found.differs == "different targets: compare.yml vs chain.yml"
    assert found.header().endswith("— different targets: compare.yml vs chain.yml")
    changes = {n.node_id: n.change for n in found.nodes}
    assert changes["train"] == "removed" and changes["deploy"] == "added"
    assert {"build", "test", "deploy"} <= {k for k, v in changes.items() if v == "added"}
    removed = [n for n in found.nodes if n.change == "removed"]
    assert all(n.status_b is None and n.status_a for n in removed)
    assert {(x.name, x.change) for x in found.artifacts} == {
        ("model", "removed"),
        ("readme", "removed"),
    }
    (metric,) = found.metrics
    assert (metric.a, metric.b, metric.delta) == (0.92, None, None)


def test_pipedeck_diff_prints_the_changes_and_json(workflow_project) -> None:
    _, run_a, run_b = two_runs(workflow_project)
    human = run_cli("diff", run_a[-4:], run_b[-4:])  # by any unique part, as `show`
    assert human.code == 0, human.stderr
    out = human.stdout.splitlines()
    header = f"workflow compare.yml: {run_a} (success) → {run_b} (failure)"
    assert " ".join(line.strip() for line in out[:3]).startswith(header)  # may wrap, never cut
    (check,) = [line for line in out if line.split("│")[0].strip() == "check"]
    assert "✓ success" in check and "✗ failure" in check and check.rstrip().endswith("status")
    (model,) = [line for line in out if line.split("│")[0].strip() == "model"]
    assert (
        "changed" in model and model_digest("1")[:12] in model and model_digest("2")[:12] in model
    )
    assert not [line for line in out if line.split("│")[0].strip() == "readme"]
    (accuracy,) = [line for line in out if "accuracy" in line]
    assert "0.91" in accuracy and "0.92" in accuracy and "+0.01" in accuracy

    result = run_cli("diff", run_a, run_b, "--json")
    assert result.code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["a"]["run_id"], doc["a"]["status"]) == (run_a, "success")
    assert (doc["b"]["run_id"], doc["b"]["status"]) == (run_b, "failure")
    assert doc["differs"] == ""
    by_name = {n["name"]: n for n in doc["nodes"]}
    assert by_name["check"]["status"] == ["success", "failure"]
    assert by_name["check"]["change"] == "status"
    assert len(by_name["check"]["duration"]) == 2
    (artifact,) = doc["artifacts"]
    assert artifact["name"] == "model" and artifact["change"] == "changed"
    assert artifact["sha256"] == [model_digest("1"), model_digest("2")]
    assert doc["same_artifacts"] == 1
    assert doc["metrics"][0]["name"] == "accuracy"


def test_diff_with_a_bad_run_id_is_one_line(workflow_project) -> None:
    two_runs(workflow_project)
    missing = run_cli("diff", "nosuchrun", "last")
    assert missing.code == 2 and missing.stdout == ""
    (line,) = missing.stderr.strip().splitlines()
    assert line == "pipedeck: RUN_A: no stored run matches 'nosuchrun'; `pipedeck runs` lists them"
    ambiguous = run_cli("diff", "last", "-")  # in every id
    assert ambiguous.code == 2
    (line,) = ambiguous.stderr.strip().splitlines()
    assert line.startswith("pipedeck: RUN_B: run id '-' is ambiguous (2 runs:")
    usage = run_cli("diff", "last")
    assert usage.code == 2 and "RUN_B" in usage.stderr


def test_two_pipeline_runs_and_a_workflow_run(workflow_project) -> None:
    """kfp.local (subprocess): the Dataset of make-data has other rows with another count."""
    for count in ("3", "4"):
        argv = ("run", "pipeline", "simple.py", "--param", f"count={count}")
        result = run_cli(*argv, cwd=FIXTURES / "pipelines")
        assert result.code == 0, result.stderr
    newest, older = RunStore().list()[:2]
    found = compared(older.run_id, newest.run_id)
    assert found.differs == "" and found.a.kind == "pipeline"
    assert {n.node_id: n.change for n in found.nodes} == {
        "make-data": "same",
        "read-data": "same",
    }
    (data,) = found.artifacts
    assert (data.node, data.name, data.change) == ("make-data", "data", "changed")
    rows = {Path(uri).read_text().count("\n") for uri in (data.uri_a, data.uri_b)}
    assert rows == {3, 4}
    for uri, sha in ((data.uri_a, data.sha256_a), (data.uri_b, data.sha256_b)):
        assert sha == hashlib.sha256(Path(uri).read_bytes()).hexdigest()

    project = workflow_project("compare")
    (project / "value.txt").write_text("1\n")
    run_workflow(project, "compare.yml", 0)
    workflow = RunStore().list()[0].run_id
    mixed = compared(newest.run_id, workflow)
    assert mixed.differs == "different kinds: pipeline vs workflow"
    assert mixed.header().endswith("— different kinds: pipeline vs workflow")
    assert {n.change for n in mixed.nodes} == {"added", "removed"}
