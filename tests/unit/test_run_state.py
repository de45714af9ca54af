"""The one fold of events into run state, and the one table of statuses."""

from __future__ import annotations

from typing import get_args

from tests.runners import T0, broken_script
from tui.core import events as ev
from tui.core.run_state import LogLine, PlannedNode, RunState, log_lines
from tui.core.statuses import FINISHED_NODE, legend, status


def test_planned_nodes_are_pending_until_they_start_and_keep_their_place() -> None:
    state = RunState("workflow")
    state.plan([PlannedNode("build", "build", "job"), PlannedNode("test", "test", "job")])
    assert [(n.node_id, n.status) for n in state.nodes.values()] == [
        ("build", "pending"),
        ("test", "pending"),
    ]
    changes = state.apply_all(broken_script("r1", "ci.yml"))
    assert list(state.nodes) == ["build", "test", "test/0", "lint"]
    assert state.nodes["build"].status == "success"
    assert state.nodes["test"].status == "running"
    assert changes.nodes == {"build", "test", "test/0", "lint"}
    assert changes.lines == [LogLine("test/0", "stdout", "running unit tests")]
    assert state.status == "running" and not state.finished
    assert [n.node_id for n in state.roots()] == ["build", "test", "lint"]
    assert [n.node_id for n in state.children("test")] == ["test/0"]
    assert state.path("test/0") == "test › unit"
    assert state.scope("test") == {"test", "test/0"}
    assert [n.node_id for n in state.open_nodes()] == ["test", "test/0", "lint"]
    innermost = state.innermost_open()
    assert innermost is not None and innermost.node_id == "test/0"


def test_a_log_event_may_carry_several_lines_and_a_failed_run_adds_its_error() -> None:
    log = ev.Log(run_id="r", ts=T0, node_id="a", stream="stderr", text="one\ntwo")
    assert log_lines(log) == [LogLine("a", "stderr", "one"), LogLine("a", "stderr", "two")]
    done = ev.RunFinished(
        run_id="r", ts=T0, status="failure", exit_code=1, duration=2.0, error="task x\n  boom"
    )
    assert log_lines(done) == [
        LogLine("", "system", "run failure: task x"),
        LogLine("", "system", "  boom"),
    ]
    state = RunState(log_window=3)
    changes = state.apply_all([log, log, done])
    assert state.log_count == 6 and len(changes.lines) == 6 and changes.finished
    assert list(state.log) == [log_lines(log)[1], *log_lines(done)]  # the newest 3
    assert (state.status, state.exit_code, state.duration) == ("failure", 1, 2.0)


def test_failing_node_is_the_failed_step_of_a_failed_job() -> None:
    def node(node_id: str, kind: str, status: ev.NodeStatus, parent: str = "") -> ev.Event:
        return ev.NodeFinished(
            run_id="r", ts=T0, node_id=node_id, name=node_id, kind=kind, status=status,
            parent_id=parent,
        )  # fmt: skip

    state = RunState.of(
        [
            node("lint/0", "step", "failure", "lint"),  # continue-on-error: its job passed
            node("lint", "job", "success"),
            node("test/1", "step", "failure", "test"),
            node("test", "job", "failure"),
        ]
    )
    assert state.failing_node() == "test/1"


def test_metrics_and_artifacts_are_kept_in_order() -> None:
    state = RunState.of(
        [
            ev.Metric(run_id="r", ts=T0, name="acc", value=0.5, step=1, node_id="t"),
            ev.Metric(run_id="r", ts=T0, name="acc", value=0.7, step=2, node_id="t"),
            ev.Artifact(run_id="r", ts=T0, node_id="t", name="model", uri="s3://b/model.pkl"),
        ]
    )
    assert [m.value for m in state.metric_series()[("t", "acc")]] == [0.5, 0.7]
    assert state.last_metrics()["acc"].value == 0.7
    assert [a.uri for a in state.artifacts] == ["s3://b/model.pkl"]


def test_one_table_of_statuses_covers_every_status_an_event_can_carry() -> None:
    names = {s.name for s in legend()}
    assert set(get_args(ev.NodeStatus)) == set(FINISHED_NODE) <= names
    assert set(get_args(ev.RunStatus)) <= names
    assert {"pending", "running", "interrupted"} <= names
    glyphs = [s.glyph for s in legend()]
    assert len(set(glyphs)) == len(glyphs)  # no two statuses look alike
    assert status("no-such").glyph == "?" and status("").glyph == " "
