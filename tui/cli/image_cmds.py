"""``pipedeck image build [runner|component|all]``: build the images docker mode runs in.

Progress goes to stderr; stdout gets only the image ref (one per line for ``all``), so
``ref=$(pipedeck image build)`` works in scripts.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from tui.cli.app import app
from tui.cli.common import console, existing_file
from tui.core import config

image_app = typer.Typer(help="Build the images docker mode runs jobs in.", no_args_is_help=True)
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
