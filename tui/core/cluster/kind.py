"""The kind commands pipedeck runs (kind >= 0.30), as argv lists and thin wrappers.

Every call names the cluster with ``--name`` and, where kind writes a kubeconfig, points it at
our own file with ``--kubeconfig``.
"""

from __future__ import annotations

from pathlib import Path

from tui.core.cluster import tools
from tui.core.cluster.settings import ClusterSettings

CREATE_WAIT = "180s"


class Kind:
    def __init__(self, settings: ClusterSettings, binary: str | None = None) -> None:
        self.settings = settings
        self.binary = binary or tools.find_kind()

    # -- argv -----------------------------------------------------------------------------

    def get_clusters_argv(self) -> list[str]:
        return [self.binary, "get", "clusters"]

    def get_nodes_argv(self) -> list[str]:
        return [self.binary, "get", "nodes", "--name", self.settings.name]

    def create_argv(self, config: Path, image: str = "") -> list[str]:
        argv = [
            self.binary,
            "create",
            "cluster",
            "--name",
            self.settings.name,
            "--config",
            str(config),
            "--kubeconfig",
            str(self.settings.kubeconfig),
            "--wait",
            CREATE_WAIT,
        ]
        if image:  # an air-gapped node image, loaded by its tag
            argv += ["--image", image]
        return argv

    def delete_argv(self) -> list[str]:
        return [
            self.binary,
            "delete",
            "cluster",
            "--name",
            self.settings.name,
            "--kubeconfig",
            str(self.settings.kubeconfig),
        ]

    def export_kubeconfig_argv(self) -> list[str]:
        return [
            self.binary,
            "export",
            "kubeconfig",
            "--name",
            self.settings.name,
            "--kubeconfig",
            str(self.settings.kubeconfig),
        ]

    def load_archive_argv(self, archive: Path) -> list[str]:
        return [self.binary, "load", "image-archive", str(archive), "--name", self.settings.name]

    def load_image_argv(self, refs: list[str]) -> list[str]:
        return [self.binary, "load", "docker-image", *refs, "--name", self.settings.name]

    # -- calls ----------------------------------------------------------------------------

    def clusters(self) -> list[str]:
        done = tools.check(self.get_clusters_argv(), "`kind get clusters`", timeout=30)
        return [line.strip() for line in done.stdout.splitlines() if line.strip()]

    def exists(self) -> bool:
        return self.settings.name in self.clusters()

    def nodes(self) -> list[str]:
        done = tools.check(self.get_nodes_argv(), "`kind get nodes`", timeout=30)
        return [line.strip() for line in done.stdout.splitlines() if line.strip()]

    def create(self, config: Path, progress: tools.Progress, image: str = "") -> None:
        self.settings.home.mkdir(parents=True, exist_ok=True)
        argv = self.create_argv(config, image)
        tools.stream(argv, "`kind create cluster`", progress, timeout=900)

    def delete(self, progress: tools.Progress) -> None:
        tools.stream(self.delete_argv(), "`kind delete cluster`", progress, timeout=300)

    def export_kubeconfig(self) -> None:
        self.settings.home.mkdir(parents=True, exist_ok=True)
        tools.check(self.export_kubeconfig_argv(), "`kind export kubeconfig`", timeout=60)

    def load_archive(self, archive: Path, progress: tools.Progress) -> None:
        tools.stream(
            self.load_archive_argv(archive),
            f"`kind load image-archive {archive.name}`",
            progress,
            timeout=1800,
        )

    def load_images(self, refs: list[str], progress: tools.Progress) -> None:
        tools.stream(self.load_image_argv(refs), "`kind load docker-image`", progress, timeout=1800)
