"""Cluster mode in the CLI: ``pipedeck images save DIR``, and the ``--cluster`` parts of ``up``,
``down`` and ``status`` (called from ``stack_cmds``). Progress goes to stderr."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.table import Table
from rich.text import Text

from tui.cli.app import app
from tui.cli.common import console, is_tty, parse_pairs
from tui.core.cluster import install
from tui.core.cluster import settings as cluster_settings
from tui.core.cluster.kubectl import DeploymentState
from tui.core.errors import BadInput
from tui.core.runner import Run

images_app = typer.Typer(
    help="Image tarballs for air-gapped cluster installs.", no_args_is_help=True
)
app.add_typer(images_app, name="images")


@images_app.command("save")
def save(
    directory: Annotated[Path, typer.Argument(help="Where to write the tarballs.")],
    extra: Annotated[
        list[str] | None,
        typer.Argument(help="More images to include (e.g. your components' base images)."),
    ] = None,
) -> None:
    """On a connected machine: save kind's node image and KFP 2.17.0's images as tarballs,
    with KFP's rendered manifests, for `pipedeck up --cluster --images DIR`."""
    from tui.core.cluster import airgap
    from tui.core.cluster.kubectl import Kubectl

    err = console(stderr=True)
    kubectl = Kubectl(cluster_settings.load())
    bundle = airgap.save(
        directory, list(extra or []), lambda line: err.print(line, style="dim"), kubectl
    )
    console().print(
        f"[green]✓[/] {len(bundle.archives)} images and KFP's manifests in {directory}; "
        f"install with `pipedeck up --cluster --images {directory}`"
    )


# -- the --cluster parts of up / down / status ------------------------------------------------


def up_cluster(images: Path | None) -> None:
    settings = cluster_settings.load()
    err = console(stderr=True)
    table = _Readiness()
    live = Live(table.render(), console=err, transient=False, auto_refresh=False)

    def step(text: str) -> None:
        err.print(f"[bold]›[/] {text}")

    def line(text: str) -> None:
        err.print(Text(text, style="dim"), soft_wrap=True)

    def deployment(state: DeploymentState) -> None:
        table.update(state)
        if is_tty():
            if not live.is_started:
                live.start()
            live.update(table.render(), refresh=True)
        else:
            mark = "✓" if state.done else "…"
            err.print(f"  {mark} {state.name} {state.ready}/{state.desired}")

    try:
        result = install.up(settings, images, install.Progress(step, line, deployment))
    finally:
        if live.is_started:
            live.stop()
    out = console()
    verb = "created" if result.created else "reused"
    what = f"KFP {result.kfp_version}" if result.kfp_version else "KFP"
    out.print(f"[green]✓[/] kind cluster {settings.name!r} {verb}; {what} ready")
    out.print(f"  API {result.api_url}   UI {result.ui_url}")
    out.print(f"  kubectl: export KUBECONFIG={result.kubeconfig}")
    out.print("  run a pipeline: pipedeck run pipeline FILE --runner cluster")


def down_cluster(purge: bool) -> None:
    err = console(stderr=True)
    progress = install.Progress(
        step=lambda text: err.print(f"[bold]›[/] {text}"),
        line=lambda text: err.print(Text(text, style="dim")),
    )
    result = install.down(cluster_settings.load(), purge, progress)
    out = console()
    for name in result.forwards:
        out.print(f"port-forward {name} stopped")
    if result.deleted:
        out.print("kind cluster deleted")
    elif result.stopped_nodes:
        out.print(
            f"kind cluster stopped ({', '.join(result.stopped_nodes)}); "
            "`pipedeck up --cluster` starts it again, `--purge` deletes it"
        )
    elif result.note:
        out.print(result.note)


def stop_forwards() -> list[str]:
    """Plain `pipedeck down` also stops the port-forwards `up --cluster` started."""
    from tui.core.cluster import forward

    current = cluster_settings.load()
    return [f.service_name for f in forward.forwards(current) if forward.stop(f)]


def status_cluster() -> bool:
    current = install.status(cluster_settings.load())
    out = console()
    for ok, text in current.lines:
        mark = Text("✓", "green") if ok else Text("✗", "red")
        out.print(Text.assemble(mark, " ", text))
    return current.ok


class _Readiness:
    def __init__(self) -> None:
        self.states: dict[str, DeploymentState] = {}

    def update(self, state: DeploymentState) -> None:
        self.states[state.name] = state

    def render(self) -> Table:
        table = Table(show_edge=False, box=None, pad_edge=False)
        table.add_column("")
        table.add_column("deployment")
        table.add_column("ready", justify="right")
        for state in install.order(list(self.states.values())):
            mark = Text("✓", "green") if state.done else Text("…", "yellow")
            table.add_row(mark, state.name, f"{state.ready}/{state.desired}")
        return table


def start_on_kfp(
    root: Path,
    target: str,
    param: list[str] | None,
    runner: str,
    cache: bool,
    kfp_host: str,
    kfp_token: str,
    kfp_namespace: str,
) -> Run:
    """``run pipeline --runner cluster [--kfp-host URL]``: the run, recorded."""
    from tui.core.cluster.launch import start_cluster_pipeline

    if runner not in ("cluster", "auto"):
        raise BadInput(f"--kfp-host needs --runner cluster (not {runner})")
    if (kfp_token or kfp_namespace) and not kfp_host:
        raise BadInput("--kfp-token/--kfp-namespace go with --kfp-host URL")
    token = kfp_token
    if token.startswith("@"):
        path = Path(token[1:]).expanduser()
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise BadInput(f"--kfp-token @{path}: cannot read it ({exc.strerror})") from None
    return start_cluster_pipeline(
        root,
        target,
        parse_pairs(param, "--param"),
        cache=cache,
        kfp_host=kfp_host,
        kfp_token=token,
        kfp_namespace=kfp_namespace,
    )
