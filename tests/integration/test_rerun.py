"""`pipedeck rerun RUN --failed` with the real act: a run fails in its middle job; the user
fixes what it lacked and re-runs the failed jobs only. The job that succeeded does not run
again, yet the jobs that need it see the outputs it had (its `job.outputs` event)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MODES, CliResult, log_lines, run_cli, workflow_file_project
from tui.core import events as ev
from tui.core.paths import scratch_dir
from tui.core.store import RunStore
from tui.core.workflows.job_outputs import evaluate

CHAIN = """\
name: chain
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      x: ${{ steps.s.outputs.x }}
    steps:
      - id: s
        run: echo "x=from-a-42" >> "$GITHUB_OUTPUT"
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo "b got ${{ needs.a.outputs.x }}"
      - uses: actions/checkout@v4
      - run: test -f needed.txt
  c:
    needs: b
    runs-on: ubuntu-latest
    steps:
      - run: echo "c ran"
"""

# Values a stand-in must hand on exactly: several lines, an expression's braces, quotes, `=`.
ODD = """\
name: odd
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      lines: ${{ steps.s.outputs.lines }}
      odd: "<${{ steps.s.outputs.odd }}>"
    steps:
      - id: s
        run: |
          printf 'lines<<EOF\\nfirst line\\nsecond line\\nEOF\\n' >> "$GITHUB_OUTPUT"
          printf 'odd=a=b "q" %s \\044{{ x }} $HOME\\n' "'s'" >> "$GITHUB_OUTPUT"
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - env:
          LINES: ${{ needs.a.outputs.lines }}
          ODD: ${{ needs.a.outputs.odd }}
        run: |
          printf '[%s]\\n' "$LINES" "$ODD"
          sleep 0.2  # act 0.2.89 can drop a step's last lines when it fails right after them
          test -f needed.txt
"""

SECRET = """\
name: secret
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      token: ${{ steps.s.outputs.token }}
      plain: ${{ steps.s.outputs.plain }}
      direct: ${{ secrets.TOKEN }}
    steps:
      - id: s
        run: |
          echo "token=${{ secrets.TOKEN }}" >> "$GITHUB_OUTPUT"
          echo "plain=visible" >> "$GITHUB_OUTPUT"
"""

PASSING = """\
name: passing
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo fine
"""


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    if request.param == "docker":
        request.getfixturevalue("runner_image")
    return str(request.param)


def first_run(project: Path, mode: str, *args: str) -> CliResult:
    return run_cli("run", "workflow", "--runner", mode, "--json", *args, cwd=project)


def started(result: CliResult) -> list[str]:
    return [e["node_id"] for e in result.events if e["type"] == "node.started"]


def job_outputs(result: CliResult) -> dict[str, dict[str, str]]:
    return {e["node_id"]: e["outputs"] for e in result.events if e["type"] == "job.outputs"}


def finished(result: CliResult) -> dict:
    (last,) = [e for e in result.events if e["type"] == "run.finished"]
    return last


def test_rerun_failed_runs_the_failed_job_and_its_dependents_with_recorded_outputs(
    tmp_path: Path, mode: str
) -> None:
    project = workflow_file_project(tmp_path, CHAIN)
    first = first_run(project, mode)
    assert first.code == 1, first.stderr
    assert job_outputs(first) == {"a": {"x": "from-a-42"}}
    assert "b got from-a-42" in log_lines(first.events)
    first_id = finished(first)["run_id"]

    (project / "needed.txt").write_text("now it is there\n")
    again = run_cli("rerun", "last", "--failed", "--json", cwd=project)

    assert again.code == 0, again.stderr + again.stdout[-3000:]
    jobs = [
        e["node_id"] for e in again.events if e["type"] == "node.started" and e["kind"] == "job"
    ]
    assert jobs == ["b", "c"]  # a did not run again (its stand-in is no node)
    assert {node.split("/")[0] for node in started(again)} == {"b", "c"}
    assert "b/2" in started(again)  # b's steps ran, the fixed one too
    assert "b got from-a-42" in log_lines(again.events, lambda e: e["node_id"].startswith("b"))
    assert "c ran" in log_lines(again.events, lambda e: e["node_id"].startswith("c"))
    assert not [
        e
        for e in again.events
        if e.get("node_id", "").split("/")[0] == "a" and e["type"] != "job.outputs"
    ]
    assert finished(again)["status"] == "success"
    assert job_outputs(again) == {"a": {"x": "from-a-42"}}  # the stand-in's: a chain goes on
    run_lines = log_lines(again.events, lambda e: e["node_id"] == "")
    assert f"rerun of {first_id} (--failed): runs b, c; jobs a came from it" in run_lines

    new = RunStore().get(finished(again)["run_id"])
    assert new.meta.extra["rerun_of"] == first_id
    assert new.meta.extra["reused_jobs"] == ["a"]
    assert new.meta.mode == mode
    shown = run_cli("show", new.run_id, cwd=project)
    assert shown.code == 0, shown.stderr
    assert f"rerun of {first_id}: jobs a came from it" in shown.stdout
    assert not scratch_dir(new.run_id).exists()  # the copy went with the run's scratch folder
    text = (project / ".github" / "workflows" / "ci.yml").read_text()
    assert text == CHAIN  # the user's file is never touched


def test_a_rerun_of_a_rerun_takes_outputs_from_the_first_run(tmp_path: Path) -> None:
    project = workflow_file_project(tmp_path, CHAIN)
    first = first_run(project, "host")
    second = run_cli("rerun", "last", "--failed", "--json", cwd=project)
    assert (first.code, second.code) == (1, 1), second.stderr
    (project / "needed.txt").write_text("")
    third = run_cli("rerun", "last", "--failed", "--json", cwd=project)
    assert third.code == 0, third.stderr
    assert {node.split("/")[0] for node in started(third)} == {"b", "c"}
    assert "b got from-a-42" in log_lines(third.events)
    assert RunStore().get("last").meta.extra["rerun_of"] == finished(second)["run_id"]


def test_recorded_outputs_reach_the_rerun_exactly(tmp_path: Path) -> None:
    project = workflow_file_project(tmp_path, ODD)
    first = first_run(project, "host")
    assert first.code == 1, first.stderr
    odd = """<a=b "q" 's' ${{ x }} $HOME>"""
    assert job_outputs(first) == {"a": {"lines": "first line\nsecond line", "odd": odd}}
    (project / "needed.txt").write_text("")
    again = run_cli("rerun", "last", "--failed", "--json", cwd=project)
    assert again.code == 0, again.stderr

    def printed(result: CliResult) -> list[str]:  # what b printed of a's outputs
        lines = log_lines(result.events, lambda e: e["node_id"].startswith("b"))
        return [line for line in lines if line.startswith("[") or line.endswith("]")]

    assert printed(again) == printed(first)  # as a itself handed them on
    shown = printed(again)
    assert "[first line" in shown and "second line]" in shown and f"[{odd}]" in shown


def test_job_outputs_are_masked_and_what_pipedeck_cannot_evaluate_is_said(
    tmp_path: Path,
) -> None:
    project = workflow_file_project(tmp_path, SECRET)
    result = first_run(project, "host", "-s", "TOKEN=s3cr3t-v4lue")
    assert result.code == 0, result.stderr
    assert job_outputs(result) == {"a": {"token": "***", "plain": "visible"}}
    assert "s3cr3t-v4lue" not in result.stdout
    assert "s3cr3t-v4lue" not in RunStore().get("last").events_path.read_text()
    lines = log_lines(result.events, lambda e: e["node_id"] == "a")
    assert any(
        line.startswith("output direct: pipedeck cannot evaluate ${{ secrets.TOKEN }}")
        for line in lines
    )


def test_rerun_of_a_successful_run_exits_2_with_one_line(tmp_path: Path) -> None:
    project = workflow_file_project(tmp_path, PASSING)
    assert first_run(project, "host").code == 0
    result = run_cli("rerun", "last", "--failed", cwd=project)
    assert result.code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "succeeded: nothing failed to re-run" in result.stderr
    assert len(RunStore().list()) == 1  # nothing was started


def test_rerun_of_a_pipeline_run_exits_2_with_one_line(tmp_path: Path) -> None:
    store = RunStore()
    record = store.create("pipeline", "pipeline.py", tmp_path, "subprocess")
    record.append(
        ev.RunStarted(
            run_id=record.run_id, kind="pipeline", target="pipeline.py", mode="subprocess"
        )
    )
    record.append(ev.RunFinished(run_id=record.run_id, status="failure", exit_code=1, duration=1.0))
    record.close()
    result = run_cli("rerun", record.run_id[:15], "--failed", cwd=tmp_path)
    assert result.code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "is a pipeline run, not a workflow run" in result.stderr


def test_rerun_of_a_run_still_running_exits_2_with_one_line(tmp_path: Path) -> None:
    record = RunStore().create("workflow", "ci.yml", tmp_path, "host")  # this process runs it
    record.append(
        ev.RunStarted(run_id=record.run_id, kind="workflow", target="ci.yml", mode="host")
    )
    result = run_cli("rerun", "last", "--failed", cwd=tmp_path)
    record.close()
    assert result.code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "is still running" in result.stderr


def test_rerun_needs_failed(tmp_path: Path) -> None:
    result = run_cli("rerun", "last", cwd=tmp_path)
    assert result.code == 2
    assert "--failed" in result.stderr and result.stderr.strip().count("\n") == 0


def test_job_outputs_are_evaluated_over_step_outputs() -> None:
    steps = {"s": {"x": "1", "odd name": "2"}, "t": {"y": "3"}}
    mapping = {
        "plain": "${{ steps.s.outputs.x }}",
        "around": "a-${{steps.s.outputs.x}}-${{ steps.t.outputs['y'] }}-z",
        "index": "${{ steps.s.outputs['odd name'] }}",
        "missing": "${{ steps.nope.outputs.x }}",
        "literal": "just text",
        "other": "${{ github.sha }}",
    }
    values, left_out = evaluate(mapping, steps)
    assert values == {
        "plain": "1",
        "around": "a-1-3-z",
        "index": "2",
        "missing": "",
        "literal": "just text",
    }
    assert len(left_out) == 1 and left_out[0].startswith("output other: pipedeck cannot")
