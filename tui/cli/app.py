"""The Typer application objects every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="pipedeck",
    help=(
        "Run a project's GitHub Actions workflows and Kubeflow pipelines locally, side by"
        " side. With no command: the terminal UI on the current directory."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
run_app = typer.Typer(help="Run a workflow or a pipeline.", no_args_is_help=True)
app.add_typer(run_app, name="run")
