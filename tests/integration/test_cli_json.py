"""CLI conventions as a script meets them: ``--version``, plain help, one JSON document per
``--json`` command, run ids by any unique part, dry runs that say they only planned."""

from __future__ import annotations

import json
import subprocess
import sys

import tui
from tests.conftest import FIXTURES, run_cli


def test_version_names_pipedeck_act_and_kfp_without_loading_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tui", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"pipedeck {tui.__version__}"
    assert lines[1].startswith("act ") and lines[2].startswith("kfp ")
    loaded = done.stderr  # -X importtime: one line per module imported
    for module in ("workflow_cmds", "pipeline_cmds", "runs_cmds", "stack_cmds", "tui_cmd"):
        assert f"tui.cli.{module}" not in loaded
    assert "--version" in run_cli("--help").stdout


def option_row(help_text: str, option: str) -> str:
    return next(line for line in help_text.splitlines() if f" {option} " in line)


def test_help_shows_plain_metavars_in_panels() -> None:
    workflow = run_cli("run", "workflow", "--help").stdout
    assert "[OPTIONS] [FILE]" in workflow
    assert "TEXT" in option_row(workflow, "--job")
    assert "PATH" in option_row(workflow, "--secret-file")
    for panel in ("What runs", "Where it runs", "Secrets and vars", "Debugging", "Output"):
        assert f"╭─ {panel} " in workflow
    pipeline = run_cli("run", "pipeline", "--help").stdout
    assert "[OPTIONS] TARGET" in pipeline and "TEXT" in option_row(pipeline, "--param")
    show = run_cli("show", "--help").stdout
    assert "[OPTIONS] [RUN]" in show and "--json" in show
    for text in (workflow, pipeline, show, run_cli("logs", "--help").stdout):
        assert "<str>" not in text and "<path>" not in text and "<int>" not in text
        assert "{" not in text


def test_runs_and_show_json_and_a_run_id_by_its_middle(workflow_project) -> None:
    project = workflow_project("chain")
    assert run_cli("run", "workflow", "--runner", "host", "--project", str(project)).code == 0
    runs = run_cli("runs", "--json")
    assert runs.code == 0, runs.stderr
    metas = json.loads(runs.stdout)
    assert isinstance(metas, list) and len(metas) == 1
    meta = metas[0]
    assert (meta["kind"], meta["target"], meta["mode"]) == ("workflow", "chain.yml", "host")
    assert meta["status"] == "success" and meta["exit_code"] == 0
    run_id = meta["run_id"]  # 20261126-072655-3fa9: the time in the middle names it
    middle = run_id.split("-")[1]
    show = run_cli("show", middle, "--json")
    assert show.code == 0, show.stderr
    shown = json.loads(show.stdout)
    assert shown["meta"]["run_id"] == run_id and shown["meta"]["status"] == "success"
    nodes = {n["id"]: n for n in shown["nodes"]}
    assert {"build", "test", "deploy"} <= set(nodes)
    for node in shown["nodes"]:
        assert set(node) >= {"id", "name", "kind", "status", "duration"}
    assert nodes["deploy"]["kind"] == "job" and nodes["deploy"]["status"] == "success"
    assert shown["nodes"][0]["id"] == "build"  # parents first, then their steps
    assert isinstance(shown["artifacts"], list) and isinstance(shown["metrics"], list)
    human = run_cli("show", run_id[-4:])  # the random tail names it too
    assert human.code == 0 and run_id in human.stdout


def test_an_ambiguous_part_is_one_line_listing_a_few(workflow_project) -> None:
    project = workflow_project("chain")
    for _ in range(2):
        assert run_cli("run", "workflow", "--runner", "host", "--project", str(project)).code == 0
    result = run_cli("show", "-")  # in every id
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ambiguous (2 runs:" in lines[0]
    ids = [m["run_id"] for m in json.loads(run_cli("runs", "--json").stdout)]
    assert all(run_id in lines[0] for run_id in ids)


def test_a_dry_run_is_planned_on_every_line_and_never_a_success(workflow_project) -> None:
    project = workflow_project("chain")
    done = run_cli("run", "workflow", "--dry-run", "--project", str(project))
    assert done.code == 0, done.stderr
    step_lines = [line for line in done.stdout.splitlines() if " › " in line]
    assert step_lines and all("(dry-run)" in line for line in step_lines)
    assert "✓" not in done.stdout and "success" not in done.stdout
    assert "run planned" in done.stdout
    meta = json.loads(run_cli("runs", "--json").stdout)[0]
    assert meta["mode"] == "dry-run" and meta["status"] == "planned"
    shown = json.loads(run_cli("show", "last", "--json").stdout)
    assert {n["status"] for n in shown["nodes"]} == {"planned"}
    table = run_cli("runs").stdout
    assert "planned" in table and "success" not in table
    human = run_cli("show", "last").stdout
    assert "status: ◇ planned" in human and "✓" not in human


def test_validate_json_has_problems_per_file(workflow_project) -> None:
    project = workflow_project("chain")
    ok = run_cli("validate", "--json", "--project", str(project))
    assert ok.code == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["ok"] is True
    assert report["files"] == [
        {"path": ".github/workflows/chain.yml", "kind": "workflow", "problems": []}
    ]
    (project / ".github" / "workflows" / "typo.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n"
    )
    (project / "broken_pipeline.py").write_text(
        "from kfp import dsl\n\n@dsl.pipeline\ndef p():\n    undefined_task()\n"
    )
    bad = run_cli("validate", "--json", "--project", str(project))
    assert bad.code == 1
    files = {f["path"]: f for f in json.loads(bad.stdout)["files"]}
    assert files[".github/workflows/chain.yml"]["problems"] == []
    assert files[".github/workflows/typo.yml"]["problems"]
    assert files["broken_pipeline.py"]["kind"] == "pipeline"
    assert files["broken_pipeline.py"]["problems"][0].startswith("broken_pipeline.py:")


def test_list_json_has_jobs_with_needs_and_tasks_with_dependencies(workflow_project) -> None:
    project = workflow_project("chain", "matrix")
    (project / "simple.py").write_text((FIXTURES / "pipelines" / "simple.py").read_text())
    result = run_cli("list", "--json", "--project", str(project))
    assert result.code == 0, result.stderr
    found = json.loads(result.stdout)
    workflows = {w["path"]: w for w in found["workflows"]}
    chain = {j["id"]: j for j in workflows[".github/workflows/chain.yml"]["jobs"]}
    assert chain["deploy"]["needs"] == ["build", "test"] and chain["deploy"]["stage"] == 3
    assert chain["build"]["steps"][0]["name"]
    (pipeline,) = found["pipelines"]
    assert pipeline["target"] == "simple.py:simple"
    assert {"name": "count", "type": "int", "required": False, "default": 3} in pipeline[
        "parameters"
    ]
    tasks = {t["name"]: t for t in pipeline["tasks"]}
    assert tasks["read-data"]["needs"] == ["make-data"]


def test_doctor_json_has_each_check_and_the_exit_code_says_ready() -> None:
    result = run_cli("doctor", "--json")
    report = json.loads(result.stdout)
    assert result.code == (0 if report["ready"] else 3)
    names = [c["name"] for c in report["checks"]]
    assert "act" in names and "Python" in names
    for check in report["checks"]:
        assert set(check) >= {"name", "ok", "detail", "fix", "required"}
