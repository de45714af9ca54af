"""``pipedeck cache ls`` / ``prune``: the entries the offline ``actions/cache`` stand-in saved
(``$XDG_STATE_HOME/pipedeck/actions-cache``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from tui.cli.app import app, print_json
from tui.cli.common import console
from tui.core.errors import BadInput
from tui.core.workflows import actions_cache

cache_app = typer.Typer(
    help="The offline actions/cache stand-in's entries: list and prune them.",
    no_args_is_help=True,
)
app.add_typer(cache_app, name="cache")


@cache_app.command("ls")
def ls(
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print a JSON array of the entries (key, size, created, last_used, workflow,"
            " job, archive), most recently used first.",
        ),
    ] = False,
) -> None:
    """List the cache entries, most recently used first: key, size, last use, and the
    workflow whose run saved it."""
    found = actions_cache.entries()
    if json_out:
        print_json([entry.as_json() for entry in found])
        return
    out = console()
    if not found:
        out.print(f"[dim]no cache entries in {actions_cache.cache_dir()}[/]")
        return
    now = datetime.now(UTC)
    table = Table(show_edge=False)
    table.add_column("key", overflow="fold")
    table.add_column("size", no_wrap=True, justify="right")
    table.add_column("last used", no_wrap=True)
    table.add_column("workflow", overflow="fold")
    for entry in found:
        where = f"{entry.workflow}:{entry.job}" if entry.job else entry.workflow
        table.add_row(entry.key, size_text(entry.size), ago(entry.last_used, now), where or "-")
    out.print(table)
    out.print(
        f"[dim]{len(found)} entries, {size_text(actions_cache.total_size(found))}"
        f" of {size_text(actions_cache.MAX_BYTES)}[/]"
    )


@cache_app.command("prune")
def prune(
    prefix: Annotated[
        str | None,
        typer.Argument(help="Remove the entries whose key starts with this.", show_default=False),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Remove every entry.")] = False,
) -> None:
    """Remove cache entries: those whose key starts with KEY-PREFIX, or --all."""
    if all_ == (prefix is not None):
        raise BadInput("cache prune: give a KEY-PREFIX or --all (one of them)")
    if prefix == "":
        raise BadInput("cache prune: an empty KEY-PREFIX would match every entry: use --all")
    removed = actions_cache.prune(None if all_ else prefix)
    count = len(removed)
    console().print(
        f"removed {count} cache entr{'ies' if count != 1 else 'y'},"
        f" freed {size_text(actions_cache.total_size(removed))}",
        markup=False,
    )


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def ago(when: datetime, now: datetime) -> str:
    seconds = max(0, int((now - when).total_seconds()))
    for unit, length in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= length:
            return f"{seconds // length} {unit} ago"
    return f"{seconds} s ago"
