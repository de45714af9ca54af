"""``pipedeck image build [runner|component|all]``: build the images docker mode runs in;
``pipedeck image ls`` / ``prune``: the derived component images docker-mode pipeline runs build
(the component image with a component's ``packages_to_install`` preinstalled).

Progress goes to stderr; stdout gets only the image ref (one per line for ``all``), so
``ref=$(pipedeck image build)`` works in scripts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from tui.cli.app import app
from tui.cli.common import console, existing_file
from tui.core import config

image_app = typer.Typer(
    help="Build the images docker mode runs jobs in; list and prune the derived ones.",
    no_args_is_help=True,
)
app.add_typer(image_app, name="image")


class ImageName(StrEnum):
    runner = "runner"
    component = "component"
    all = "all"


@image_app.command("build")
def build(
    name: Annotated[
        ImageName,
        typer.Argument(
            help="Which image: runner (act's job container), component (KFP tasks) or all."
        ),
    ] = ImageName.runner,
    ca_bundle: Annotated[
        Path | None,
        typer.Option(
            "--ca-bundle",
            help="An extra CA bundle the build's apt and pip trust (an intercepting HTTPS proxy).",
            envvar="PIPEDECK_CA_BUNDLE",
        ),
    ] = None,
) -> None:
    """Build an image unless it is already built; print its ref."""
    from tui.core.images import local_images  # the Docker SDK: only for commands that use it

    err = console(stderr=True)
    # The flag (or PIPEDECK_CA_BUNDLE), else the ca_bundle setting of the project here.
    ca = existing_file(ca_bundle, "--ca-bundle") or config.load(Path.cwd()).ca_bundle

    def progress(line: str) -> None:
        err.print(Text.from_ansi(line, style="dim"), soft_wrap=True)

    builders = {"runner": local_images.build_runner, "component": local_images.build_component}
    names = list(builders) if name is ImageName.all else [name.value]
    for which in names:
        result = builders[which](progress, ca_bundle=ca)
        if result.cached:
            err.print(f"{which} image already built ({result.seconds:.1f}s, cached)")
        else:
            err.print(f"{which} image built in {result.seconds:.1f}s from {result.base}")
        console().print(result.ref)


@image_app.command("ls")
def ls() -> None:
    """List the derived component images (packages preinstalled).

    A docker-mode pipeline run builds one per set of a component's packages, the first time."""
    from rich.table import Table

    from tui.core.images import derived  # the Docker SDK: only when the engine is asked

    images = derived.list_images()
    out = console()
    if not images:
        out.print("[dim]no derived component images (docker-mode runs build them)[/]")
        return
    now = datetime.now(UTC)
    table = Table(show_edge=False)
    table.add_column("image", no_wrap=True)
    table.add_column("packages", overflow="fold")
    for column in ("size", "created", "last used"):
        table.add_column(column, no_wrap=True, justify="right" if column == "size" else "left")
    for image in images:
        table.add_row(
            image.ref,
            ", ".join(image.packages) or "-",
            size_text(image.size),
            ago(image.created, now),
            ago(image.last_used, now),
        )
    out.print(table)


@image_app.command("prune")
def prune() -> None:
    """Remove the derived component images; say how much space that freed.

    The next docker-mode run builds again what it needs."""
    from tui.core.images import derived

    result = derived.prune()
    out = console()
    count = len(result.removed)
    out.print(
        f"removed {count} derived component image{'s' if count != 1 else ''}, "
        f"freed {size_text(result.freed)}"
    )
    for ref, why in result.kept:
        console(stderr=True).print(f"kept {ref}: {why}", soft_wrap=True, markup=False)


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "-"
    seconds = max(0, int((now - when).total_seconds()))
    for unit, length in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= length:
            return f"{seconds // length} {unit} ago"
    return f"{seconds} s ago"
