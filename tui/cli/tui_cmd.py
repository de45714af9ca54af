"""``pipedeck tui`` — and ``pipedeck`` with no arguments — open the Textual app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from tui.cli.app import app
from tui.cli.common import ProjectOption, project_dir
from tui.core.errors import BadInput
from tui.core.workflows.mode import parse_mode

RunnerOption = Annotated[
    str,
    typer.Option(
        "--runner", help="Workflow runner mode: host, docker or auto.", envvar="PIPEDECK_RUNNER"
    ),
]

ScreenshotDirOption = Annotated[
    Path | None,
    typer.Option(
        "--screenshot-dir",
        help="Where S saves screenshots (SVG; default: the shown run's directory).",
    ),
]


def screenshot_folder(path: Path | None) -> Path | None:
    """``--screenshot-dir``, checked: a folder, or one that can be made (made when ``S``
    first saves)."""
    if path is None:
        return None
    path = path.expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise BadInput(f"--screenshot-dir {path}: not a directory (give a folder for the SVGs)")
    return path


def open_tui(project: Path, runner: str = "auto", screenshot_dir: Path | None = None) -> None:
    mode = parse_mode(runner)
    folder = screenshot_folder(screenshot_dir)
    from tui.app import run

    run(project_dir(project), runner_mode=mode, screenshot_dir=folder)


def open_demo(project: Path | None, runner: str = "auto") -> None:
    """``pipedeck demo`` without ``--headless``: the demo's two runs in the TUI."""
    mode = parse_mode(runner)
    from tui.app import run_demo

    run_demo(project_dir(project) if project is not None else None, mode)


@app.command("tui")
def tui(
    project: ProjectOption = Path(),
    runner: RunnerOption = "auto",
    screenshot_dir: ScreenshotDirOption = None,
) -> None:
    """Open the terminal UI: workflows and pipelines side by side, live logs and metrics."""
    open_tui(project, runner, screenshot_dir)


def print_version(value: bool) -> None:
    if value:
        from tui.cli import version_text

        typer.echo(version_text())
        raise typer.Exit()


@app.callback(invoke_without_command=True, no_args_is_help=False)
def default(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print pipedeck's version (and act's and kfp's) and exit.",
            is_eager=True,
            callback=print_version,
        ),
    ] = False,
) -> None:
    """Run a project's GitHub Actions workflows and Kubeflow pipelines locally, side by side.

    With no command, opens the terminal UI on the project in the current directory.
    """
    if ctx.invoked_subcommand is None:
        env = os.environ
        open_tui(Path(env.get("PIPEDECK_PROJECT", ".")), env.get("PIPEDECK_RUNNER", "auto"))
