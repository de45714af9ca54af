"""The kubectl commands pipedeck runs (kubectl 1.3x), as argv lists and thin wrappers.

Every call carries ``--kubeconfig`` (our own file) and ``--context kind-<name>``, so the user's
current context never matters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.cluster import tools
from tui.core.cluster.settings import OWNER_LABEL, OWNER_VALUE, ClusterSettings


@dataclass(frozen=True)
class DeploymentState:
    name: str
    ready: int
    desired: int
    available: bool

    @property
    def done(self) -> bool:
        return self.available and self.ready >= self.desired > 0


class Kubectl:
    def __init__(self, settings: ClusterSettings, binary: str | None = None) -> None:
        self.settings = settings
        self.binary = binary or tools.find_kubectl()

    def base(self) -> list[str]:
        return [
            self.binary,
            "--kubeconfig",
            str(self.settings.kubeconfig),
            "--context",
            self.settings.context,
        ]

    # -- argv -----------------------------------------------------------------------------

    def owned_nodes_argv(self) -> list[str]:
        return [
            *self.base(),
            "get",
            "nodes",
            "--selector",
            f"{OWNER_LABEL}={OWNER_VALUE}",
            "--output",
            "name",
            "--request-timeout",
            "20s",
        ]

    def apply_argv(self, source: Path) -> list[str]:
        flag = "--kustomize" if source.is_dir() else "--filename"
        return [*self.base(), "apply", flag, str(source)]

    def wait_crds_argv(self, crds: tuple[str, ...], timeout: str = "120s") -> list[str]:
        return [
            *self.base(),
            "wait",
            "--for",
            "condition=established",
            "--timeout",
            timeout,
            *(f"customresourcedefinition/{crd}" for crd in crds),
        ]

    def deployments_argv(self) -> list[str]:
        return [
            *self.base(),
            "get",
            "deployments",
            "--namespace",
            self.settings.namespace,
            "--output",
            "json",
        ]

    def port_forward_argv(self, service: str, local: int, remote: int) -> list[str]:
        return [
            *self.base(),
            "port-forward",
            "--address",
            "127.0.0.1",
            "--namespace",
            self.settings.namespace,
            f"service/{service}",
            f"{local}:{remote}",
        ]

    def kustomize_argv(self, directory: Path) -> list[str]:
        """Render a kustomization (``pipedeck images save``); needs no cluster."""
        return [self.binary, "kustomize", str(directory)]

    # -- calls ----------------------------------------------------------------------------

    def owned(self) -> bool | None:
        """True when a node carries our label, False when none does, None when unreachable."""
        done = tools.run(self.owned_nodes_argv(), timeout=40)
        if not done.ok:
            return None
        return bool(done.stdout.strip())

    def apply(self, source: Path, progress: tools.Progress) -> None:
        tools.stream(self.apply_argv(source), f"`kubectl apply` of {source}", progress, timeout=900)

    def wait_crds(self, crds: tuple[str, ...]) -> None:
        tools.check(self.wait_crds_argv(crds), "waiting for KFP's CRDs", timeout=180)

    def deployments(self) -> list[DeploymentState]:
        done = tools.check(self.deployments_argv(), "`kubectl get deployments`", timeout=60)
        try:
            items = json.loads(done.stdout).get("items") or []
        except ValueError as exc:
            raise tools.ToolFailed(f"`kubectl get deployments` printed no JSON: {exc}") from None
        return [_deployment(item) for item in items]

    def kustomize(self, directory: Path) -> str:
        return tools.check(
            self.kustomize_argv(directory), f"rendering {directory}", timeout=600
        ).stdout


def _deployment(item: dict[str, Any]) -> DeploymentState:
    status = item.get("status") or {}
    conditions = status.get("conditions") or []
    available = any(c.get("type") == "Available" and c.get("status") == "True" for c in conditions)
    return DeploymentState(
        name=str((item.get("metadata") or {}).get("name", "")),
        ready=int(status.get("readyReplicas") or 0),
        desired=int((item.get("spec") or {}).get("replicas", 1) or 0),
        available=available,
    )
