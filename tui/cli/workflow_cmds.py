"""``pipedeck run workflow`` and ``pipedeck validate``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Annotated

import typer

from tui.cli.app import app, run_app
from tui.cli.common import ProjectOption, console, existing_file, parse_pairs, project_dir
from tui.cli.execute import execute
from tui.core import config
from tui.core.errors import BadInput
from tui.core.launch import start_workflow
from tui.core.workflows import discovery
from tui.core.workflows.act_argv import WorkflowRequest, find_act
from tui.core.workflows.mode import parse_mode


@run_app.command("workflow")
def run_workflow(
    file: Annotated[
        str | None,
        typer.Argument(help="Workflow file (path, or name in .github/workflows/)."),
    ] = None,
    job: Annotated[str | None, typer.Option("--job", "-j", help="Run only this job.")] = None,
    event: Annotated[
        str | None, typer.Option("--event", "-e", help="Event to simulate (default: push).")
    ] = None,
    matrix: Annotated[
        list[str] | None, typer.Option("--matrix", help="Only the matrix legs with k:v.")
    ] = None,
    secret_file: Annotated[
        Path | None, typer.Option("--secret-file", help="KEY=VALUE secrets (masked).")
    ] = None,
    var_file: Annotated[Path | None, typer.Option("--var-file", help="KEY=VALUE vars.")] = None,
    env_file: Annotated[Path | None, typer.Option("--env-file", help="KEY=VALUE env.")] = None,
    inputs: Annotated[
        list[str] | None, typer.Option("--input", help="workflow_dispatch input k=v.")
    ] = None,
    payload: Annotated[
        Path | None, typer.Option("--payload", help="Event payload JSON file (act -e).")
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
    json_out: Annotated[bool, typer.Option("--json", help="Print events as JSON lines.")] = False,
    project: ProjectOption = Path(),
) -> None:
    """Run a GitHub Actions workflow through act."""
    root = project_dir(project)
    settings = config.load(root, runner=runner, offline=offline or None, ca_bundle=ca_bundle)
    mode = parse_mode(settings.runner)
    found = discovery.resolve(root, file)
    if len(found) > 1:
        names = ", ".join(w.path.name for w in found)
        raise BadInput(f"the project has several workflows ({names}); name one: FILE")
    request = WorkflowRequest(
        project=root,
        workflow=found[0],
        event=event,
        job=job,
        matrix=parse_pairs(matrix, "--matrix", sep=":"),
        secret_file=existing_file(secret_file, "--secret-file"),
        var_file=existing_file(var_file, "--var-file"),
        env_file=existing_file(env_file, "--env-file"),
        payload=existing_file(payload, "--payload"),
        inputs=parse_pairs(inputs, "--input"),
        mode=mode,
        dry_run=dry_run,
        offline=settings.offline,
        ca_bundle=existing_file(settings.ca_bundle, "--ca-bundle (setting ca_bundle)"),
    )
    raise typer.Exit(execute(start_workflow(request), json_out=json_out))


@app.command("validate")
def validate(project: ProjectOption = Path()) -> None:
    """Check every workflow (act --validate --strict, and actionlint when installed) and
    compile every pipeline; print each problem with its file and line."""
    root = project_dir(project)
    out = console()
    errors = 0
    act = find_act()
    files = discovery.find_workflow_files(root)
    actionlint = shutil.which("actionlint")
    for path in files:
        rel = path.relative_to(root)
        problems: list[str] = []
        try:
            discovery.load_workflow(path)
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
        if problems:
            errors += len(problems)
            for problem in problems:
                out.print(f"[red]✗[/] {problem}")
        else:
            out.print(f"[green]✓[/] {rel}")
    if not actionlint:
        out.print("[dim]actionlint is not installed: only act's schema check ran[/]")
    from tui.cli.pipeline_cmds import validate_pipelines

    for problem in validate_pipelines(root):
        errors += 1
        out.print(f"[red]✗[/] {problem}")
    if errors:
        raise typer.Exit(1)


def _act_problems(output: str, rel: str) -> list[str]:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "rror" in line] or lines[-1:]
    return [f"{rel}: {line.removeprefix('Error: ')}" for line in errors]
