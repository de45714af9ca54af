"""The Typer application objects every command module registers on.

Their commands show plain metavars, as Click's own commands and act do: ``--job TEXT``,
``--secret-file PATH``, ``run pipeline [OPTIONS] TARGET`` (Typer 0.28 shows ``<str>``,
``<path>`` and ``{target}``).
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperOption

if TYPE_CHECKING:
    from typer._click import Context  # Typer 0.28 vendors Click

# Typer's type names -> the metavar shown; any other type shows its name in capitals
METAVARS = {
    "str": "TEXT",
    "int": "INTEGER",
    "int range": "INTEGER",
    "float": "FLOAT",
    "float range": "FLOAT",
    "path": "PATH",
    "file": "FILE",
    "directory": "DIR",
}


def plain_metavar(param: TyperOption) -> str:
    choices = getattr(param.type, "choices", None)
    if choices:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in choices) + "]"
    name = param.type.name
    return METAVARS.get(name, name.upper().replace(" ", "_"))


# The help's panels, by parameter name (any command): what a user scans for together
PANELS = {
    **dict.fromkeys(("secret", "secret_file", "var", "var_file", "env_file"), "Secrets and vars"),
    **dict.fromkeys(("event", "inputs", "payload", "matrix", "job", "params"), "What runs"),
    **dict.fromkeys(
        ("runner", "platform", "offline", "ca_bundle", "local_repository", "python_substitute"),
        "Where it runs",
    ),
    **dict.fromkeys(("break_at", "break_on_failure", "from_task"), "Debugging"),
    **dict.fromkeys(("json_out", "tui"), "Output"),
}


class PlainCommand(TyperCommand):
    """A command whose options and arguments show plain metavars (``TEXT``, ``FILE``), its
    options grouped in the help's panels (:data:`PANELS`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperOption) and param.rich_help_panel is None:
                param.rich_help_panel = PANELS.get(param.name or "")
            if param.metavar is not None:
                continue
            if isinstance(param, TyperOption) and not (param.is_flag or param.count):
                param.metavar = plain_metavar(param)
            elif isinstance(param, TyperArgument) and param.name:
                param.metavar = param.name.upper()
                param.type = plain_type(param.type)  # the help's type column: TEXT, not <str>

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument) and param.required and param.metavar:
                pieces.append(param.metavar + ("..." if param.nargs != 1 else ""))
            else:  # Typer's: ``[FILE]`` for an optional argument
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


def plain_type(kind: Any) -> Any:
    """A copy of the parameter type ``kind`` whose metavar is the plain word for it."""
    shown = copy.copy(kind)
    word = METAVARS.get(shown.name, shown.name.upper())

    def metavar(param: object, ctx: object) -> str:
        return word

    shown.get_metavar = metavar
    return shown


class PlainTyper(typer.Typer):
    """A Typer whose commands, and those of the Typers added to it, are
    :class:`PlainCommand` unless they name another class."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        plain_commands(self)
        return super().__call__(*args, **kwargs)


def plain_commands(typer_app: typer.Typer) -> None:
    for info in typer_app.registered_commands:
        if info.cls is None or info.cls is TyperCommand:
            info.cls = PlainCommand
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            plain_commands(group.typer_instance)


def print_json(document: object) -> None:
    """``--json``: one JSON document on stdout (indented; no Rich, no markup)."""
    import orjson

    def plain(value: object) -> object:
        if isinstance(value, Mapping):
            return dict(value)
        if isinstance(value, PurePath):
            return str(value)
        raise TypeError(f"{type(value).__name__} is not JSON")

    data = orjson.dumps(document, default=plain, option=orjson.OPT_INDENT_2)
    sys.stdout.write(data.decode("utf-8") + "\n")


app = PlainTyper(
    name="pipedeck",
    help=(
        "Run a project's GitHub Actions workflows and Kubeflow pipelines locally, side by"
        " side. With no command: the terminal UI on the current directory."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish)
    rich_markup_mode="rich",
)
run_app = PlainTyper(help="Run a workflow or a pipeline.", no_args_is_help=True)
app.add_typer(run_app, name="run")
