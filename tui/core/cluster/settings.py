"""Names, ports and paths of the pipedeck cluster. Ports come from the environment
(``PIPEDECK_KFP_API_PORT``, ``PIPEDECK_KFP_UI_PORT``) or default to KFP's usual 8888 / 8080."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import BadInput
from tui.core.paths import localstack_dir, state_dir

CLUSTER_NAME = "pipedeck"
KFP_VERSION = "2.17.0"
KFP_NAMESPACE = "kubeflow"
# Set on the node by localstack/kind-cluster.yaml: how we know a cluster is ours.
OWNER_LABEL = "pipedeck.dev/created-by"
OWNER_VALUE = "pipedeck"
# Established before the namespaced manifests are applied (as KFP's install guide does).
CRDS = (
    "applications.app.k8s.io",
    "workflows.argoproj.io",
    "workflowtaskresults.argoproj.io",
    "scheduledworkflows.kubeflow.org",
    "viewers.kubeflow.org",
)
# Shown first, in this order, in the readiness display; any other deployment follows.
KEY_DEPLOYMENTS = (
    "mysql",
    "seaweedfs",
    "metadata-grpc-deployment",
    "workflow-controller",
    "ml-pipeline",
    "ml-pipeline-ui",
)


@dataclass(frozen=True)
class ClusterSettings:
    name: str = CLUSTER_NAME
    api_port: int = 8888
    ui_port: int = 8080
    namespace: str = KFP_NAMESPACE

    @property
    def context(self) -> str:
        return f"kind-{self.name}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"

    @property
    def home(self) -> Path:
        return state_dir() / "cluster"

    @property
    def kubeconfig(self) -> Path:
        """A kubeconfig of our own: the user's ~/.kube/config is never touched."""
        return self.home / "kubeconfig"


def load() -> ClusterSettings:
    return ClusterSettings(
        api_port=_port("PIPEDECK_KFP_API_PORT", 8888),
        ui_port=_port("PIPEDECK_KFP_UI_PORT", 8080),
    )


def kind_config() -> Path:
    return localstack_dir() / "kind-cluster.yaml"


def kfp_dir() -> Path:
    """The whole install (``kubectl apply -k``); ``cluster-scoped/`` is its first phase."""
    return localstack_dir() / "kfp"


def _port(name: str, default: int) -> int:
    text = os.environ.get(name, "")
    if not text:
        return default
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise BadInput(f"{name}={text!r}: expected a port number (1-65535)")
    return port
