"""``pipedeck image build [runner]``: build the images docker mode runs in.

Progress goes to stderr; stdout gets only the image ref, so ``ref=$(pipedeck image build)``
works in scripts.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from tui.cli.app import app
from tui.cli.common import console, existing_file

image_app = typer.Typer(help="Build the images docker mode runs jobs in.", no_args_is_help=True)
app.add_typer(image_app, name="image")


class ImageName(StrEnum):
    runner = "runner"


@image_app.command("build")
def build(
    name: Annotated[
        ImageName,
        typer.Argument(help="Which image: runner (act's job container)."),
    ] = ImageName.runner,
    ca_bundle: Annotated[
        Path | None,
        typer.Option(
            "--ca-bundle",
            help="An extra CA bundle the build's apt trusts (an HTTPS proxy that intercepts).",
            envvar="PIPEDECK_CA_BUNDLE",
        ),
    ] = None,
) -> None:
    """Build an image unless it is already built; print its ref."""
    from tui.core import images  # the Docker SDK loads only for commands that use it

    err = console(stderr=True)
    ca = existing_file(ca_bundle, "--ca-bundle")

    def progress(line: str) -> None:
        err.print(Text.from_ansi(line, style="dim"), soft_wrap=True)

    result = images.build_runner(progress, ca_bundle=ca)
    if result.cached:
        err.print(f"{name.value} image already built ({result.seconds:.1f}s, cached)")
    else:
        err.print(f"{name.value} image built in {result.seconds:.1f}s from {result.base}")
    console().print(result.ref)
