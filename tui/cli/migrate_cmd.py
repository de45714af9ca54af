"""``pipedeck migrate``: a KFP v1 pipeline file rewritten as v2 (``tui.core.pipelines.migrate``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tui.cli.app import app
from tui.cli.common import console
from tui.core.errors import BadInput
from tui.core.pipelines.migrate import migrate


@app.command("migrate")
def migrate_file(
    file: Annotated[Path, typer.Argument(help="A KFP v1 pipeline .py (dsl.ContainerOp ...).")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the v2 file here (default: stdout)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --output.")] = False,
) -> None:
    """Rewrite KFP v1 ContainerOps as v2 container components; list what could not be converted."""
    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    if output is not None and output.exists() and output.resolve() == file.resolve():
        raise BadInput(f"-o {output} is FILE itself: pipedeck migrate never rewrites FILE")
    if output is not None and output.exists() and not force:
        raise BadInput(f"-o {output} exists: pass --force to overwrite it")
    try:
        source = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{file}: not Python ({exc})") from None
    done = migrate(source, str(file))
    for problem in done.problems:
        print(problem.where(str(file)), file=sys.stderr)
    if output is None:
        sys.stdout.write(done.source)
    else:
        output.write_text(done.source, encoding="utf-8")
        listed = f", {len(done.problems)} not (listed above)" if done.problems else ""
        console().print(
            f"[green]✓[/] {file} → {output}  [dim]({done.converted} ops converted{listed})[/]"
        )
    raise typer.Exit(1 if done.problems else 0)
