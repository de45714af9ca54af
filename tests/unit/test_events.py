"""The event model round-trips through JSON exactly."""

from datetime import UTC, datetime

import pytest

from tui.core import events as ev

TS = datetime(2026, 11, 26, 7, 30, 0, 123456, tzinfo=UTC)

SAMPLES: list[ev.Event] = [
    ev.RunStarted(
        run_id="r1",
        ts=TS,
        kind="workflow",
        target="ci.yml:build",
        mode="host",
        argv=("act", "push"),
    ),
    ev.NodeStarted(
        run_id="r1", ts=TS, node_id="test-1", name="test (3.11)", kind="job", matrix={"py": "3.11"}
    ),
    ev.NodeStarted(
        run_id="r1",
        ts=TS,
        node_id="loop/0",
        name="square",
        kind="task",
        parent_id="loop",
        iteration=0,
    ),
    ev.NodeFinished(
        run_id="r1",
        ts=TS,
        node_id="test-1/0",
        name="echo",
        kind="step",
        parent_id="test-1",
        status="failure",
        duration=1.5,
    ),
    ev.Log(run_id="r1", ts=TS, node_id="test-1/0", stream="stderr", text="\x1b[31mred\x1b[0m"),
    ev.NodePaused(
        run_id="r1",
        ts=TS,
        node_id="test-1/1",
        reason="failure",
        exit_code=2,
        detail="paused, failed (exit 2); go on with pipedeck retry r1",
    ),
    ev.NodeResumed(run_id="r1", ts=TS, node_id="test-1/1", action="retry"),
    ev.JobOutputs(run_id="r1", ts=TS, node_id="a", outputs={"x": "1"}),
    ev.Metric(
        run_id="r1", ts=TS, name="accuracy", value=0.97, step=3, source="kfp", node_id="train"
    ),
    ev.Artifact(
        run_id="r1",
        ts=TS,
        node_id="train",
        name="model",
        uri="/tmp/model.pkl",
        artifact_type="system.Model",
        metadata={"framework": "sklearn"},
    ),
    ev.TriggerDecided(
        run_id="",
        ts=TS,
        workflow=".github/workflows/ci.yml",
        triggered=True,
        reason="paths: src/** matched src/app.py",
        ref="refs/heads/main",
    ),
    ev.RunFinished(
        run_id="r1",
        ts=TS,
        status="failure",
        exit_code=1,
        duration=3.25,
        error="failed job(s): test",
    ),
]


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: e.type)
def test_json_round_trip(event: ev.Event) -> None:
    line = ev.dumps(event)
    assert "\n" not in line
    assert ev.loads(line) == event
    assert ev.to_dict(event)["type"] == event.type


def test_every_type_has_a_sample() -> None:
    assert {e.type for e in SAMPLES} == set(ev.EVENT_TYPES)


def test_timestamps_are_utc() -> None:
    assert ev.Log(run_id="r", text="x").ts.tzinfo is UTC


def test_unknown_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        ev.from_dict({"type": "nope", "run_id": "r"})


def test_missing_required_field_is_rejected() -> None:
    with pytest.raises(ValueError, match="bad log event"):
        ev.from_dict({"type": "log", "run_id": "r"})
