"""``pipedeck run workflow`` and ``pipedeck validate``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Annotated, Any

import typer

from tui.cli.app import app, print_json, run_app
from tui.cli.common import (
    ProjectOption,
    console,
    existing_file,
    parse_pairs,
    parse_pairs_list,
    project_dir,
)
from tui.core import config
from tui.core.errors import BadInput
from tui.core.launch import start_workflow
from tui.core.workflows import discovery, plan, standins
from tui.core.workflows.act_argv import WorkflowRequest, find_act
from tui.core.workflows.mode import parse_mode
from tui.core.workflows.runner import ActRunner


@run_app.command("workflow")
def run_workflow(
    file: Annotated[
        str | None,
        typer.Argument(
            help="Workflow file (path, or name in .github/workflows/), or a folder: all of it."
        ),
    ] = None,
    job: Annotated[str | None, typer.Option("--job", "-j", help="Run only this job.")] = None,
    event: Annotated[
        str | None, typer.Option("--event", help="Event to simulate (default: push).")
    ] = None,
    matrix: Annotated[
        list[str] | None,
        typer.Option("--matrix", help="Only the matrix legs with k:v (repeat a key: either)."),
    ] = None,
    platform: Annotated[
        list[str] | None,
        typer.Option("--platform", "-P", help="label=image (or -self-hosted), as act's -P."),
    ] = None,
    secret: Annotated[
        list[str] | None,
        typer.Option("--secret", "-s", help="NAME=VALUE, or NAME to take it from the env."),
    ] = None,
    secret_file: Annotated[
        Path | None, typer.Option("--secret-file", help="KEY=VALUE secrets (masked).")
    ] = None,
    var: Annotated[list[str] | None, typer.Option("--var", help="NAME=VALUE variable.")] = None,
    var_file: Annotated[Path | None, typer.Option("--var-file", help="KEY=VALUE vars.")] = None,
    env_file: Annotated[Path | None, typer.Option("--env-file", help="KEY=VALUE env.")] = None,
    inputs: Annotated[
        list[str] | None, typer.Option("--input", help="workflow_dispatch input k=v.")
    ] = None,
    payload: Annotated[
        Path | None,
        typer.Option("--eventpath", "--payload", "-e", help="Event payload JSON file (act -e)."),
    ] = None,
    local_repository: Annotated[
        list[str] | None,
        typer.Option("--local-repository", help="owner/repo@ref=PATH: an action from a folder."),
    ] = None,
    runner: Annotated[
        str | None, typer.Option("--runner", help="host, docker or auto (default: auto).")
    ] = None,
    offline: Annotated[
        bool | None,
        typer.Option(
            "--offline",
            help="Use the local stand-ins for well-known actions (automatic without GitHub).",
        ),
    ] = None,
    ca_bundle: Annotated[
        Path | None,
        typer.Option("--ca-bundle", help="Extra CA bundle (PEM) for HTTPS inside steps."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Plan and validate; run no step.")
    ] = False,
    break_at: Annotated[
        list[str] | None,
        typer.Option(
            "--break",
            help="JOB/STEP (STEP: its id, name or 1-based position): pause before it.",
        ),
    ] = None,
    break_on_failure: Annotated[
        bool,
        typer.Option("--break-on-failure", help="Pause after a failing run: step, to fix it."),
    ] = False,
    python_substitute: Annotated[
        str | None,
        typer.Option(
            "--python-substitute",
            help="nearest: offline, a Python version the runner lacks runs as the nearest"
            " installed one (default: off, the step fails).",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print events as JSON lines.")] = False,
    project: ProjectOption = Path(),
) -> None:
    """Run a GitHub Actions workflow (or a folder of them) through act."""
    root = project_dir(project)
    settings = config.load(
        root,
        runner=runner,
        offline=offline or None,
        ca_bundle=ca_bundle,
        python_substitute=python_substitute,
    )
    mode = parse_mode(settings.runner)
    folder = discovery.folder_of(root, file)
    found = discovery.resolve(root, file, lenient=True, skim=True)
    if len(found) > 1 and folder is None:
        names = ", ".join(w.path.name for w in found)
        raise BadInput(
            f"the project has several workflows ({names}); name one: FILE, or run them all:"
            f" {discovery.WORKFLOW_DIR}/"
        )
    request = WorkflowRequest(
        project=root,
        workflow=found[0],
        others=tuple(found[1:]),
        folder=folder,
        event=event,
        job=job,
        matrix=tuple(parse_pairs_list(matrix, "--matrix", sep=":")),
        platforms=tuple(parse_pairs_list(platform, "--platform")),
        secrets=tuple(secret_values(secret)),
        variables=tuple(var or ()),
        secret_file=existing_file(secret_file, "--secret-file"),
        var_file=existing_file(var_file, "--var-file"),
        env_file=existing_file(env_file, "--env-file"),
        payload=existing_file(payload, "--eventpath"),
        inputs=parse_pairs(inputs, "--input"),
        local_repositories=tuple(local_repositories(local_repository)),
        mode=mode,
        dry_run=dry_run,
        breakpoints=tuple(break_at or ()),
        break_on_failure=break_on_failure,
        offline=settings.offline,
        ca_bundle=existing_file(settings.ca_bundle, "--ca-bundle (setting ca_bundle)"),
        python_substitute=settings.python_substitute,
    )
    run = start_workflow(request, spawn=True)  # act starts here: the rest imports beside it
    if isinstance(run.runner, ActRunner):
        note = standins.python_substitute_line(run.runner.standins, settings.python_substitute)
        if note:  # for the run's header, and the fidelity report (meta.json)
            run.prelude.append(note)
            run.record.meta.extra["python_substitute"] = settings.python_substitute
            run.record.write_meta()
    from tui.cli.execute import execute, exit_with

    exit_with(execute(run, json_out=json_out))


def secret_values(given: list[str] | None) -> list[tuple[str, str]]:
    """``-s NAME=VALUE`` / ``-s NAME`` (from the environment, as act takes it; pipedeck never
    prompts for it)."""
    out = []
    for item in given or []:
        name, found, value = item.partition("=")
        if not name:
            raise BadInput(f"-s {item!r}: expected NAME=VALUE or NAME")
        if not found:
            value = os.environ.get(name.upper(), "")
            if not value:
                raise BadInput(f"-s {name}: give NAME=VALUE, or set {name.upper()} in the env")
        out.append((name, value))
    return out


def local_repositories(given: list[str] | None) -> list[str]:
    out = []
    for item in given or []:
        action, found, path = item.partition("=")
        if not found or "@" not in action or not path:
            raise BadInput(f"--local-repository {item!r}: expected owner/repo@ref=PATH")
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise BadInput(f"--local-repository {item}: {path} is not a folder")
        out.append(f"{action}={folder.resolve()}")
    return out


@app.command("validate")
def validate(
    project: ProjectOption = Path(),
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print a JSON object: ok, actionlint (whether it ran), files (path, kind:"
            " workflow or pipeline, problems: a list of `file:line: message`).",
        ),
    ] = False,
) -> None:
    """Check every workflow (act --validate --strict, and actionlint when installed) and
    compile every pipeline; print each problem with its file and line."""
    from tui.core.pipelines.discovery import discover, display_path

    root = project_dir(project)
    actionlint = shutil.which("actionlint")
    workflows = [
        {"path": str(path.relative_to(root)), "kind": "workflow", "problems": problems}
        for path, problems in _workflow_problems(root, actionlint)
    ]
    found = discover(root)
    by_file: dict[str, list[str]] = {display_path(i.file, root): [] for i in found.pipelines}
    for problem in found.problems:
        by_file.setdefault(display_path(problem.file, root), []).append(problem.text(root))
    pipelines = [{"path": f, "kind": "pipeline", "problems": p} for f, p in by_file.items()]
    errors = sum(len(f["problems"]) for f in [*workflows, *pipelines])
    if json_out:
        ok, linted = not errors, bool(actionlint)
        print_json({"ok": ok, "actionlint": linted, "files": [*workflows, *pipelines]})
    else:
        _print_problems(workflows, pipelines, bool(actionlint))
    if errors:
        raise typer.Exit(1)


def _print_problems(
    workflows: list[dict[str, Any]], pipelines: list[dict[str, Any]], linted: bool
) -> None:
    from rich.text import Text

    out = console()
    for entry in workflows:
        for problem in entry["problems"]:  # as text: a problem may hold [brackets]
            out.print(Text.assemble(("✗", "red"), f" {problem}"))
        if not entry["problems"]:
            out.print(Text.assemble(("✓", "green"), f" {entry['path']}"))
    if not linted:
        out.print("[dim]actionlint is not installed: only act's schema check ran[/]")
    for entry in pipelines:
        for problem in entry["problems"]:
            out.print(Text.assemble(("✗", "red"), f" {problem}"))


def _workflow_problems(root: Path, actionlint: str | None) -> list[tuple[Path, list[str]]]:
    act = find_act()
    out = []
    for path in discovery.find_workflow_files(root):
        rel = path.relative_to(root)
        problems: list[str] = []
        try:
            plan.load_workflow(path)
        except BadInput as exc:
            problems.append(exc.message)
        else:
            done = subprocess.run(
                [act, "--validate", "--strict", "-W", str(rel)],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if done.returncode != 0:
                problems += _act_problems(done.stdout + done.stderr, str(rel))
            if actionlint:
                lint = subprocess.run(
                    [actionlint, "-no-color", str(rel)],
                    cwd=root,
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                problems += [line for line in lint.stdout.splitlines() if line.strip()]
        out.append((path, problems))
    return out


def _act_problems(output: str, rel: str) -> list[str]:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "rror" in line] or lines[-1:]
    return [f"{rel}: {line.removeprefix('Error: ')}" for line in errors]
