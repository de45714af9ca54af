"""``pipedeck up --cluster`` / ``down --cluster`` / ``status --cluster``.

up: preflight → create the kind cluster (or reuse ours, starting its stopped nodes) → load
air-gapped images → apply KFP's cluster-scoped manifests → wait for the CRDs → apply the rest →
wait for each deployment (progress per deployment) → port-forward API and UI → check the API's
health. With everything already in place it only checks, and returns in seconds.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.cluster import airgap, forward, preflight
from tui.core.cluster.kind import Kind
from tui.core.cluster.kubectl import DeploymentState, Kubectl
from tui.core.cluster.settings import (
    CRDS,
    KEY_DEPLOYMENTS,
    KFP_VERSION,
    ClusterSettings,
    kfp_dir,
    kind_config,
)
from tui.core.cluster.tools import ToolFailed
from tui.core.errors import MissingPrerequisite

DEPLOY_TIMEOUT = 1500.0  # first pulls of ~15 images on a laptop take a while
POLL = 3.0
HEALTH_TIMEOUT = 60.0


@dataclass
class Progress:
    """Where ``up`` reports: a step started, a tool's output line, a deployment's readiness."""

    step: Callable[[str], None] = lambda text: None
    line: Callable[[str], None] = lambda text: None
    deployment: Callable[[DeploymentState], None] = lambda state: None


@dataclass
class UpResult:
    created: bool
    installed: bool
    api_url: str
    ui_url: str
    kubeconfig: Path
    kfp_version: str = ""
    started: list[str] = field(default_factory=list)


def marker(settings: ClusterSettings) -> Path:
    return settings.home / "installed.json"


def installed_version(settings: ClusterSettings) -> str:
    try:
        return str(json.loads(marker(settings).read_text(encoding="utf-8")).get("kfp", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def up(settings: ClusterSettings, images: Path | None, progress: Progress) -> UpResult:
    bundle = airgap.read(images) if images is not None else None
    progress.step("preflight: Docker, kind, kubectl, ports")
    ready = preflight.check(settings)
    kind, kubectl = ready.kind, ready.kubectl
    created = False
    if ready.exists:
        progress.step(f"reusing the kind cluster {settings.name!r}")
        start_nodes(kind, progress)
        preflight.check_owner(kind, kubectl)
    else:
        image = ""
        if bundle is not None:
            progress.step(f"loading the node image from {bundle.root}")
            image = airgap.load_node_image(bundle, progress.line)
        progress.step(f"creating the kind cluster {settings.name!r} (a few minutes)")
        kind.create(kind_config(), progress.line, image=image)
        created = True
    states = _deployments(kubectl)
    current = installed_version(settings) == KFP_VERSION and _all_done(states)
    if not current:
        if bundle is not None:
            progress.step("loading KFP's images into the node")
            airgap.load_into_kind(bundle, kind, progress.line)
        install(kubectl, bundle, progress)
    wait_deployments(kubectl, progress)
    started = []
    for fwd in forward.forwards(settings):
        _service, now = forward.start(kubectl, fwd)
        if now:
            started.append(fwd.service_name)
    health = wait_healthy(settings.api_url)
    return UpResult(
        created=created,
        installed=not current,
        api_url=settings.api_url,
        ui_url=settings.ui_url,
        kubeconfig=settings.kubeconfig,
        kfp_version=str(health.get("tag_name", "")),
        started=started,
    )


def install(kubectl: Kubectl, bundle: airgap.Bundle | None, progress: Progress) -> None:
    scoped = (bundle.cluster_scoped if bundle else None) or kfp_dir() / "cluster-scoped"
    everything = (bundle.kfp if bundle else None) or kfp_dir()
    progress.step(f"installing KFP {KFP_VERSION}: cluster-scoped resources")
    kubectl.apply(scoped, progress.line)
    progress.step("waiting for KFP's CRDs to be established")
    kubectl.wait_crds(CRDS)
    progress.step(f"installing KFP {KFP_VERSION}: the kubeflow namespace")
    kubectl.apply(everything, progress.line)
    path = marker(kubectl.settings)
    path.write_text(json.dumps({"kfp": KFP_VERSION}) + "\n", encoding="utf-8")


def wait_deployments(
    kubectl: Kubectl, progress: Progress, timeout: float = DEPLOY_TIMEOUT, poll: float = POLL
) -> list[DeploymentState]:
    """Until every deployment in the namespace is available; each change reported once."""
    progress.step("waiting for KFP's deployments")
    seen: dict[str, DeploymentState] = {}
    deadline = time.monotonic() + timeout
    while True:
        states = order(kubectl.deployments())
        for state in states:
            if seen.get(state.name) != state:
                seen[state.name] = state
                progress.deployment(state)
        if _all_done(states):
            return states
        if time.monotonic() > deadline:
            waiting = ", ".join(s.name for s in states if not s.done) or ", ".join(
                d for d in KEY_DEPLOYMENTS if d not in seen
            )
            raise MissingPrerequisite(
                f"KFP is not ready after {timeout / 60:.0f} min (waiting for: {waiting}); see "
                f"`kubectl --kubeconfig {kubectl.settings.kubeconfig} get pods -n "
                f"{kubectl.settings.namespace}`"
            )
        time.sleep(poll)


def order(states: list[DeploymentState]) -> list[DeploymentState]:
    rank = {name: i for i, name in enumerate(KEY_DEPLOYMENTS)}
    return sorted(states, key=lambda s: (rank.get(s.name, len(rank)), s.name))


def _all_done(states: list[DeploymentState]) -> bool:
    names = {s.name for s in states}
    return all(d in names for d in KEY_DEPLOYMENTS) and all(s.done for s in states)


def _deployments(kubectl: Kubectl) -> list[DeploymentState]:
    try:
        return kubectl.deployments()
    except ToolFailed:
        return []


def wait_healthy(api_url: str, timeout: float = HEALTH_TIMEOUT) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        answer = forward.healthz(api_url)
        if answer is not None:
            return answer
        if time.monotonic() > deadline:
            raise MissingPrerequisite(
                f"KFP's API at {api_url} does not answer {forward.HEALTHZ} after "
                f"{timeout:.0f}s; `pipedeck down --cluster` then `pipedeck up --cluster` retries"
            )
        time.sleep(1.0)


# -- the node containers --------------------------------------------------------------------


def start_nodes(kind: Kind, progress: Progress) -> None:
    """Start node containers ``down --cluster`` stopped (the Docker API, no child process)."""
    from docker.errors import NotFound

    from tui.core.images import docker_engine

    names = kind.nodes()
    cli = docker_engine.client(timeout=60)
    try:
        for name in names:
            try:
                container = cli.containers.get(name)
            except NotFound:
                continue  # kind lists it, Docker does not: nothing we can start
            if container.status != "running":
                progress.step(f"starting the node {name}")
                container.start()
    finally:
        cli.close()
    if names:
        kind.export_kubeconfig()  # the API's host port can change across restarts


def stop_nodes(kind: Kind) -> list[str]:
    from docker.errors import NotFound

    from tui.core.images import docker_engine

    stopped = []
    cli = docker_engine.client(timeout=120)
    try:
        for name in kind.nodes():
            try:
                container = cli.containers.get(name)
            except NotFound:
                continue
            if container.status == "running":
                container.stop(timeout=30)
                stopped.append(name)
    finally:
        cli.close()
    return stopped


# -- down and status ------------------------------------------------------------------------


@dataclass
class DownResult:
    forwards: list[str] = field(default_factory=list)
    stopped_nodes: list[str] = field(default_factory=list)
    deleted: bool = False
    note: str = ""


def down(settings: ClusterSettings, purge: bool, progress: Progress) -> DownResult:
    """Stop the forwards; stop the node containers (``up`` restarts them), or with ``purge``
    delete the cluster and pipedeck's cluster state. Never touches a cluster not ours."""
    result = DownResult()
    for fwd in forward.forwards(settings):
        if forward.stop(fwd):
            result.forwards.append(fwd.service_name)
    kind = Kind(settings)
    if not kind.exists():
        result.note = f"no kind cluster named {settings.name!r}"
        if purge:
            shutil.rmtree(settings.home, ignore_errors=True)
        return result
    kubectl = Kubectl(settings)
    start_nodes(kind, progress)  # its API must answer to show the cluster is ours
    preflight.check_owner(kind, kubectl)
    if purge:
        progress.step(f"deleting the kind cluster {settings.name!r}")
        kind.delete(progress.line)
        shutil.rmtree(settings.home, ignore_errors=True)
        result.deleted = True
    else:
        result.stopped_nodes = stop_nodes(kind)
    return result


@dataclass
class ClusterStatus:
    ok: bool
    lines: list[tuple[bool, str]]


def status(settings: ClusterSettings) -> ClusterStatus:
    """What runs, without starting or changing anything."""
    lines: list[tuple[bool, str]] = []
    try:
        kind = Kind(settings)
        exists = kind.exists()
    except (MissingPrerequisite, ToolFailed) as exc:
        return ClusterStatus(False, [(False, f"kind cluster: {exc.message}")])
    if not exists:
        return ClusterStatus(
            False, [(False, "kind cluster: not created (`pipedeck up --cluster`)")]
        )
    lines.append((True, f"kind cluster {settings.name!r} (kubeconfig {settings.kubeconfig})"))
    try:
        kubectl = Kubectl(settings)
        states = order(kubectl.deployments())
    except (MissingPrerequisite, ToolFailed) as exc:
        lines.append((False, f"KFP: cannot ask the cluster ({exc.message})"))
        return ClusterStatus(False, lines)
    ready = sum(1 for s in states if s.done)
    lines.append((_all_done(states), f"KFP deployments: {ready}/{len(states)} ready"))
    for fwd in forward.forwards(settings):
        alive = forward.running(fwd) is not None
        text = f"http://127.0.0.1:{fwd.local} → service/{fwd.target}"
        lines.append((alive, f"port-forward {text}" + ("" if alive else " (not running)")))
    health = forward.healthz(settings.api_url)
    if health is None:
        lines.append((False, f"KFP API {settings.api_url}: not answering"))
    else:
        lines.append((True, f"KFP API {settings.api_url}: {health.get('tag_name') or 'answers'}"))
    return ClusterStatus(all(ok for ok, _ in lines), lines)
