"""act's JSON log → events (field names as act 0.2.89 writes them with --json -v)."""

import json

from tui.core import events as ev
from tui.core.masking import Masker
from tui.core.workflows.act_log import ActLogParser


def rec(job: str, msg: str = "", **fields: object) -> str:
    data = {
        "job": f"CI/{job}",
        "jobID": job.split("-")[0],
        "level": "info",
        "matrix": {},
        "msg": msg,
        "dryrun": False,
        "time": "2026-11-26T07:26:55Z",
    }
    data.update(fields)
    return json.dumps(data)


def feed(parser: ActLogParser, *lines: str) -> list[ev.Event]:
    out: list[ev.Event] = []
    for line in lines:
        out += parser.feed(line)
    return out


def test_a_job_with_steps() -> None:
    p = ActLogParser("r", "CI")
    events = feed(
        p,
        rec("build", "⭐ Run Set up job", step="Set up job", stepid=["--setup-job"]),
        rec(
            "build",
            "  ✅  Success - Set up job",
            step="Set up job",
            stepid=["--setup-job"],
            stepResult="success",
        ),
        rec("build", "⭐ Run Main echo hi", stage="Main", step="echo hi", stepID=["0"]),
        rec("build", "hi\n", raw_output=True, stage="Main", step="echo hi", stepID=["0"]),
        rec(
            "build",
            "  ✅  Success",
            stage="Main",
            step="echo hi",
            stepID=["0"],
            stepResult="success",
            executionTime=2_500_000_000,
        ),
        rec("build", "🏁  Job succeeded", jobResult="success"),
    )
    kinds = [(e.type, getattr(e, "node_id", "")) for e in events]
    assert kinds == [
        ("node.started", "build"),
        ("node.started", "build/--setup-job"),
        ("node.finished", "build/--setup-job"),
        ("node.started", "build/0"),
        ("log", "build/0"),
        ("node.finished", "build/0"),
        ("node.finished", "build"),
    ]
    step_done = events[5]
    assert isinstance(step_done, ev.NodeFinished)
    assert step_done.duration == 2.5 and step_done.parent_id == "build"
    assert isinstance(events[4], ev.Log) and events[4].text == "hi"


def test_matrix_legs_are_separate_jobs() -> None:
    p = ActLogParser("r", "CI")
    events = feed(
        p,
        rec(
            "test-1",
            "x\n",
            raw_output=True,
            matrix={"py": "3.10"},
            stage="Main",
            step="s",
            stepID=["0"],
        ),
        rec(
            "test-2",
            "y\n",
            raw_output=True,
            matrix={"py": "3.11"},
            stage="Main",
            step="s",
            stepID=["0"],
        ),
        rec("test-1", "done", jobResult="success", matrix={"py": "3.10"}),
        rec("test-2", "done", jobResult="failure", matrix={"py": "3.11"}),
    )
    jobs = [e for e in events if isinstance(e, ev.NodeStarted) and e.kind == "job"]
    assert [(j.node_id, j.name, dict(j.matrix or {})) for j in jobs] == [
        ("test-1", "test (3.10)", {"py": "3.10"}),
        ("test-2", "test (3.11)", {"py": "3.11"}),
    ]
    finished = {e.node_id: e.status for e in events if isinstance(e, ev.NodeFinished)}
    assert finished["test-1"] == "success" and finished["test-2"] == "failure"
    # the step a leg was running when its job finished is closed too, with no invented
    # result: act gave it none
    assert finished["test-1/0"] == "not run"


def test_pre_and_post_stages_are_their_own_nodes() -> None:
    p = ActLogParser("r", "CI")
    events = feed(
        p,
        rec("b", "", stage="Pre", step="actions/cache@v4", stepID=["1"], stepResult="success"),
        rec("b", "", stage="Main", step="actions/cache@v4", stepID=["1"], stepResult="success"),
        rec("b", "", stage="Post", step="actions/cache@v4", stepID=["1"], stepResult="success"),
    )
    started = [(e.node_id, e.name) for e in events if isinstance(e, ev.NodeStarted)]
    assert started[1:] == [
        ("b/pre:1", "Pre actions/cache@v4"),
        ("b/1", "actions/cache@v4"),
        ("b/post:1", "Post actions/cache@v4"),
    ]


def test_commands() -> None:
    p = ActLogParser("r", "CI")
    common = {"stage": "Main", "step": "s", "stepID": ["0"]}
    events = feed(
        p,
        rec(
            "b",
            "",
            command="warning",
            arg="careful",
            kvPairs={"file": "a.py", "line": "3"},
            **common,
        ),
        rec("b", "", command="error", arg="boom", kvPairs={}, **common),
        rec("b", "", command="group", arg="Install", **common),
        rec("b", "", command="endgroup", arg="", **common),
        rec("b", "", command="set-output", name="v", arg="42", **common),
        rec("b", "", command="summary", content="## Done\n", **common),
        rec("b", "", command="add-mask", arg="pw123", **common),
        rec("b", "pw123 leaked\n", raw_output=True, **common),
    )
    logs = [(e.stream, e.text) for e in events if isinstance(e, ev.Log)]
    assert logs == [
        ("system", "warning (a.py:3): careful"),
        ("stderr", "error: boom"),
        ("system", "▸ Install"),
        ("system", "output v=42"),
        ("system", "step summary:"),
        ("system", "## Done"),
        ("stdout", "*** leaked"),
    ]
    assert p.outputs == {"b/0": {"v": "42"}}
    assert p.summaries == {"b": ["## Done\n"]}


def test_secrets_are_masked_everywhere_including_step_names() -> None:
    p = ActLogParser("r", "CI", Masker(["abc123"]))
    events = feed(
        p,
        rec(
            "b", "secret abc123\n", raw_output=True, stage="Main", step="echo abc123", stepID=["0"]
        ),
        "Error: job failed with abc123",
    )
    assert "abc123" not in "".join(ev.dumps(e) for e in events)
    step = next(e for e in events if isinstance(e, ev.NodeStarted) and e.kind == "step")
    assert step.name == "echo ***"


def test_non_json_lines_are_system_logs_and_repeated_warnings_shown_once() -> None:
    p = ActLogParser("r", "CI")
    events = feed(
        p,
        "Error: Job 'test' failed",
        rec("b", "unable to get git ref", level="warning"),
        rec("b", "unable to get git ref", level="warning"),
        json.dumps({"level": "debug", "msg": "planner chatter", "time": "t"}),
        "",
    )
    logs = [(e.node_id, e.stream, e.text) for e in events if isinstance(e, ev.Log)]
    assert logs == [
        ("", "system", "Error: Job 'test' failed"),
        ("b", "system", "unable to get git ref"),
    ]


def test_a_pre_stage_act_skips_creates_no_node() -> None:
    p = ActLogParser("r", "CI")
    events = feed(
        p,
        rec(
            "b",
            "skip pre step",
            level="debug",
            stage="Pre",
            step="actions/checkout@v4",
            stepID=["0"],
        ),
        rec(
            "b",
            "unable to get git ref",
            level="warning",
            stage="Pre",
            step="actions/checkout@v4",
            stepID=["0"],
        ),
        rec("b", "🏁  Job succeeded", jobResult="success"),
    )
    assert [(e.type, e.node_id) for e in events if not isinstance(e, ev.Log)] == [
        ("node.started", "b"),
        ("node.finished", "b"),
    ]
    assert [(e.node_id, e.text) for e in events if isinstance(e, ev.Log)] == [
        ("b", "unable to get git ref")
    ]


def test_composite_action_steps_nest_under_the_action_step() -> None:
    p = ActLogParser("r", "CI")
    events = feed(
        p,
        rec("b", "⭐ Run Main my/action@v1", stage="Main", step="my/action@v1", stepID=["0"]),
        rec("b", "inner\n", raw_output=True, stage="Main", step="inner", stepID=["0", "0"]),
        rec("b", "", stage="Main", step="inner", stepID=["0", "0"], stepResult="success"),
        rec("b", "", stage="Main", step="my/action@v1", stepID=["0"], stepResult="success"),
    )
    started = [(e.node_id, e.parent_id) for e in events if isinstance(e, ev.NodeStarted)]
    assert started == [("b", ""), ("b/0", "b"), ("b/0.0", "b/0")]


def test_a_skipped_step_result_arrives_at_debug_level() -> None:
    p = ActLogParser("r", "CI")
    events = feed(
        p,
        rec(
            "b",
            "Skipping step 'x' due to ''",
            level="debug",
            stage="Main",
            step="x",
            stepID=["2"],
            stepResult="skipped",
        ),
    )
    assert [(e.node_id, e.status) for e in events if isinstance(e, ev.NodeFinished)] == [
        ("b/2", "skipped")
    ]


def test_metric_commands_become_metric_events() -> None:
    p = ActLogParser("r", "CI")
    events = feed(
        p,
        rec(
            "b",
            "",
            command="metric",
            arg="0.91",
            kvPairs={"name": "accuracy", "step": "1"},
            stage="Main",
            step="train",
            stepID=["0"],
        ),
        rec(
            "b",
            "",
            command="metric",
            arg="oops",
            kvPairs={"name": "accuracy"},
            stage="Main",
            step="train",
            stepID=["0"],
        ),
    )
    metrics = [e for e in events if isinstance(e, ev.Metric)]
    assert [(m.name, m.value, m.step, m.source, m.node_id) for m in metrics] == [
        ("accuracy", 0.91, 1, "workflow", "b/0")
    ]
    assert any(isinstance(e, ev.Log) and "::metric::oops" in e.text for e in events)


def test_a_job_on_an_unsupported_platform_is_skipped_with_acts_reason() -> None:
    p = ActLogParser("r", "CI")
    msg = "🚧  Skipping unsupported platform -- Try running with `-P windows-latest=...`"
    events = feed(p, rec("win", msg, jobID="win"))
    finished = [e for e in events if isinstance(e, ev.NodeFinished)]
    assert [(e.node_id, e.status) for e in finished] == [("win", "skipped")]
    logs = [e.text for e in events if isinstance(e, ev.Log)]
    assert logs == ["Skipping unsupported platform -- Try running with `-P windows-latest=...`"]


def test_what_act_never_reported_is_not_run_with_its_error() -> None:
    p = ActLogParser("r", "CI")
    feed(p, rec("build", "⭐ Run Main make", stage="Main", step="make", stepID=["0"]))
    feed(p, "Error: the workflow is not valid")
    closed = p.finish()
    assert [(e.node_id, e.status) for e in closed if isinstance(e, ev.NodeFinished)] == [
        ("build/0", "not run"),
        ("build", "not run"),
    ]
    assert "not run: the workflow is not valid" in [e.text for e in closed if isinstance(e, ev.Log)]


def test_an_error_about_a_step_act_never_ran_stays_on_the_job() -> None:
    p = ActLogParser("r", "CI")
    error = rec(
        "build", "Unable to clone https://github.com/x/y", level="error", stage="Pre", stepID=["0"]
    )
    events = feed(p, error, rec("build", "done", jobResult="failure"))
    assert not [e for e in events if isinstance(e, ev.NodeStarted) and e.kind == "step"]
    logs = [(e.node_id, e.stream) for e in events if isinstance(e, ev.Log)]
    assert logs == [("build", "stderr")]


def test_a_reusable_workflows_jobs_sit_in_a_group_for_the_calling_job() -> None:
    p = ActLogParser("r", "CI", callers={"call": "call the trainer"})

    def called(msg: str, **fields: object) -> str:  # act keys a called job by its caller
        return json.dumps({**json.loads(rec("hello", msg, **fields)), "job": "call/called/hello"})

    events = feed(
        p,
        called("⭐ Run Set up job", stepid=["--setup-job"]),
        called("done", jobResult="success"),
        rec("after", "done", jobResult="success"),
    )
    events += p.finish()
    started = {e.node_id: (e.kind, e.parent_id) for e in events if isinstance(e, ev.NodeStarted)}
    assert started["call"] == ("group", "")
    assert started["call/called/hello"] == ("job", "call")
    assert started["after"] == ("job", "")
    finished = {e.node_id: e.status for e in events if isinstance(e, ev.NodeFinished)}
    assert finished["call"] == "success" and finished["call/called/hello"] == "success"
