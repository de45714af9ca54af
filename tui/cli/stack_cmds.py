"""The local stack: ``pipedeck doctor``, ``up``, ``down``, ``status``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tui.cli.app import app, print_json
from tui.cli.common import ProjectOption, console
from tui.core import config
from tui.core.stack import s3


def _settings(project: Path) -> config.Settings:
    return config.load(project if project.is_dir() else None)


@app.command("doctor")
def doctor_cmd(
    project: ProjectOption = Path(),
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print a JSON object: ready (the embedded default can run), checks (name,"
            " ok, required, detail, fix).",
        ),
    ] = False,
) -> None:
    """Check every component of the local stack; print the fix for each one missing."""
    from tui.core import doctor

    checks = doctor.run_checks(_settings(project))
    ready = doctor.default_mode_ready(checks)
    if json_out:
        print_json({"ready": ready, "checks": [asdict(check) for check in checks]})
        if not ready:
            raise typer.Exit(3)
        return
    table = Table(show_edge=False)
    for column in ("", "component", "state", "fix"):
        table.add_column(column)
    for check in checks:
        mark = Text("✓", "green") if check.ok else Text("✗", "red" if check.required else "yellow")
        table.add_row(mark, check.name, check.detail, Text(check.fix, "cyan"))
    out = console()
    out.print(table)
    if ready:
        out.print("[green]the embedded default (host + subprocess + local S3 server) can run[/]")
        return
    out.print("[red]the embedded default cannot run: fix the ✗ marked required above[/]")
    raise typer.Exit(3)


@app.command("up")
def up(
    project: ProjectOption = Path(),
    build_images: Annotated[
        bool,
        typer.Option("--build/--no-build", help="Build missing images when Docker answers."),
    ] = True,
    cluster: Annotated[
        bool, typer.Option("--cluster", help="Also a kind cluster with KFP 2.17 (port 8888/8080).")
    ] = False,
    images_from: Annotated[
        Path | None,
        typer.Option("--images", help="With --cluster: image tarballs (`images save DIR`)."),
    ] = None,
) -> None:
    """Start the local stack: the S3 server (SeaweedFS, signed requests only) on 127.0.0.1,
    its data kept across restarts (a DVC remote of the project's there gets the tracked data
    it lacks), and build the runner image if a Docker engine answers and it is missing."""
    settings = _settings(project)
    out = console()
    current, started = s3.start(settings)
    verb = f"started in {current.started_in:.1f}s" if started else "already running"
    buckets = ", ".join(settings.buckets)
    out.print(f"S3 server {verb}: {current.endpoint}  buckets: {buckets}")
    if (project / ".dvc").is_dir():  # the project's DVC remote there gets the data it lacks
        from tui.core.stack import dvc_remote

        seeded = dvc_remote.seed(project, s3.client(current.endpoint), current.endpoint)
        for line in seeded:
            out.print(line.line if line.ok else f"[yellow]{line.line}[/]")
    if cluster or images_from is not None:
        from tui.cli.cluster_cmds import up_cluster

        up_cluster(images_from)
    if not build_images:
        return
    # the Docker SDK loads only when needed
    from tui.core.images import docker_engine, local_images

    engine = docker_engine.engine_status()
    if not engine.answers:
        out.print(f"[dim]images: skipped ({engine.detail})[/]")
        return
    ref = local_images.runner_image()
    if local_images.image_present(ref):
        out.print(f"runner image: {ref}")
        return
    err = console(stderr=True)
    err.print("building the runner image (once; `pipedeck image build runner`)…")
    result = local_images.build_runner(
        lambda line: err.print(Text.from_ansi(line, style="dim"), soft_wrap=True),
        ca_bundle=settings.ca_bundle,
    )
    out.print(f"runner image: {result.ref} (built in {result.seconds:.0f}s)")


@app.command("down")
def down(
    cluster: Annotated[
        bool, typer.Option("--cluster", help="Also stop the kind cluster's node containers.")
    ] = False,
    purge: Annotated[
        bool, typer.Option("--purge", help="With --cluster: delete the kind cluster.")
    ] = False,
) -> None:
    """Stop what `pipedeck up` started (the S3 server keeps its data on disk)."""
    from tui.cli.cluster_cmds import down_cluster, stop_forwards

    stopped = s3.stop()
    console().print("S3 server stopped" if stopped else "nothing to stop")
    if cluster or purge:
        down_cluster(purge)
    else:
        for name in stop_forwards():
            console().print(f"port-forward {name} stopped")


@app.command("status")
def status(
    cluster: Annotated[
        bool, typer.Option("--cluster", help="Also the kind cluster and KFP.")
    ] = False,
) -> None:
    """What the local stack is running."""
    current = s3.status()
    mark = Text("✓", "green") if current.running else Text("✗", "red")
    console().print(Text.assemble(mark, " S3 server: ", current.detail))
    if cluster:
        from tui.cli.cluster_cmds import status_cluster

        status_cluster()
