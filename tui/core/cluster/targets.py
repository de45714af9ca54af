"""Where ``run pipeline --runner cluster`` sends a run: pipedeck's kind cluster (after
``pipedeck up --cluster``) or ``--kfp-host URL``; checked before the run is recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.core.cluster import forward, tools
from tui.core.cluster.kind import Kind
from tui.core.cluster.runner import KfpTarget
from tui.core.cluster.settings import ClusterSettings
from tui.core.errors import BadInput, MissingPrerequisite


def kind_target(settings: ClusterSettings) -> KfpTarget:
    """The pipedeck cluster, through the port-forward ``up --cluster`` started."""
    if forward.healthz(settings.api_url) is None:
        raise MissingPrerequisite(
            f"KFP does not answer at {settings.api_url}: run `pipedeck up --cluster` first "
            "(or give --kfp-host URL of a KFP you have)"
        )
    return KfpTarget(
        host=settings.api_url,
        pod_namespace=settings.namespace,
        kubeconfig=settings.kubeconfig,
        kube_context=settings.context,
        kind_cluster=settings.name,
        ui_host=settings.ui_url,
    )


def remote_target(host: str, token: str = "", namespace: str = "") -> KfpTarget:
    """Any KFP. Pod logs come through the default kubeconfig's current context, if any."""
    if not host.startswith(("http://", "https://")):
        raise BadInput(f"--kfp-host {host!r}: expected a URL (http://… or https://…)")
    return KfpTarget(
        host=host.rstrip("/"),
        token=token,
        namespace=namespace,
        pod_namespace=namespace or "kubeflow",
    )


def image_loader(settings: ClusterSettings) -> Callable[[list[str]], list[str]]:
    """``kind load docker-image`` for the component images the local engine has."""
    kind = Kind(settings)

    def load(refs: list[str]) -> list[str]:
        from tui.core.images import docker_engine

        notes: list[str] = []
        local: list[str] = []
        cli = docker_engine.client(timeout=30)
        try:
            for ref in refs:
                if not _present(cli, ref):
                    continue  # not built here: the node pulls it from its registry
                if ":" not in ref.rsplit("/", 1)[-1] or ref.endswith(":latest"):
                    notes.append(
                        f"{ref}: a `latest` tag makes Kubernetes pull it again (imagePullPolicy "
                        "Always); tag the image with a version to use the local build"
                    )
                    continue
                local.append(ref)
        finally:
            cli.close()
        if local:
            try:
                kind.load_images(local, notes.append)
            except tools.ToolFailed as exc:
                notes.append(exc.message)
        return notes

    return load


def _present(cli: Any, ref: str) -> bool:
    from docker.errors import DockerException

    try:
        cli.images.get(ref)
    except DockerException:
        return False
    return True
