"""Before ``up --cluster`` touches anything: each thing the cluster needs, and a one-line fix for
the first one missing (:class:`MissingPrerequisite`, exit 3)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tui.core.cluster import forward, tools
from tui.core.cluster.kind import Kind
from tui.core.cluster.kubectl import Kubectl
from tui.core.cluster.settings import OWNER_LABEL, OWNER_VALUE, ClusterSettings
from tui.core.errors import MissingPrerequisite
from tui.core.images import docker_engine

KFP_CPUS = 4
KFP_MEMORY_GIB = 8
IGNORE_RESOURCES = "PIPEDECK_CLUSTER_IGNORE_RESOURCES"


@dataclass(frozen=True)
class Ready:
    kind: Kind
    kubectl: Kubectl
    exists: bool  # a kind cluster of our name exists (and is ours)


def check(settings: ClusterSettings) -> Ready:
    """Docker, kind, kubectl, CPU/memory (for a new cluster), the forwards' ports. The owner
    of an existing cluster is checked by :func:`check_owner` once its nodes run."""
    engine = docker_engine.engine_status()
    if not engine.answers:
        raise MissingPrerequisite(f"cluster mode needs a Docker engine: {engine.detail}")
    kind = Kind(settings)
    version = tools.kind_version(kind.binary)
    if version is None:
        raise MissingPrerequisite(
            f"{kind.binary} does not run (`kind version` failed): {tools.KIND_INSTALL}"
        )
    if version[:2] < tools.KIND_MIN:
        shown = ".".join(str(v) for v in version)
        raise MissingPrerequisite(f"kind {shown} is too old: {tools.KIND_INSTALL}")
    kubectl = Kubectl(settings)
    exists = kind.exists()
    if not exists:
        check_resources()
    for fwd in forward.forwards(settings):
        if forward.running(fwd) is None and forward.port_taken(fwd.local):
            raise MissingPrerequisite(forward.port_message(fwd))
    return Ready(kind, kubectl, exists)


def check_owner(kind: Kind, kubectl: Kubectl) -> None:
    """A cluster of our name that pipedeck did not create is never used nor deleted."""
    name = kind.settings.name
    kind.export_kubeconfig()
    owned = kubectl.owned()
    if owned is None:
        raise MissingPrerequisite(
            f"the kind cluster {name!r} exists but its API does not answer: start its node "
            f"containers (`docker start {name}-control-plane`) or delete it "
            f"(`kind delete cluster --name {name}`)"
        )
    if not owned:
        raise MissingPrerequisite(
            f"a kind cluster named {name!r} exists that pipedeck did not create (no node "
            f"labelled {OWNER_LABEL}={OWNER_VALUE}); delete it (`kind delete cluster --name "
            f"{name}`) if you no longer need it — pipedeck will not touch it"
        )


def check_resources() -> None:
    if os.environ.get(IGNORE_RESOURCES, "") in ("1", "true", "yes"):
        return
    cpus, memory = engine_resources()
    if cpus < KFP_CPUS or memory < KFP_MEMORY_GIB * 0.95:
        raise MissingPrerequisite(
            f"the Docker engine has {cpus} CPU / {memory:.1f} GiB; KFP wants about {KFP_CPUS} "
            f"CPU / {KFP_MEMORY_GIB} GiB: give Docker more, or set {IGNORE_RESOURCES}=1 to "
            "try anyway (slow start-up, pods may stay Pending)"
        )


def engine_resources() -> tuple[int, float]:
    """CPUs and memory (GiB) the engine has: what kind's node containers can use."""
    cli = docker_engine.client(timeout=10)
    try:
        info = cli.info()
    finally:
        cli.close()
    return int(info.get("NCPU") or 0), float(info.get("MemTotal") or 0) / 2**30
