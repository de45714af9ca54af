"""Air-gapped installs: ``pipedeck images save DIR`` on a connected machine writes the pinned
images as tarballs (``docker save``) plus KFP's rendered manifests; ``pipedeck up --cluster
--images DIR`` loads them (the node image into Docker, the rest with ``kind load
image-archive``, as KFP's own CI does) and applies the rendered manifests, so nothing is
fetched from a registry or GitHub.

``DIR/images.json`` lists what was saved: ``{"node_image": REF, "archives": {REF: FILE}}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tui.core.cluster import tools
from tui.core.cluster.kind import Kind
from tui.core.cluster.kubectl import Kubectl
from tui.core.cluster.settings import kfp_dir, kind_config
from tui.core.errors import BadInput, MissingPrerequisite

INDEX = "images.json"
MANIFESTS = "manifests"
CLUSTER_SCOPED = "cluster-scoped.yaml"
KFP = "kfp.yaml"


@dataclass
class Bundle:
    """What ``images save`` wrote into a directory."""

    root: Path
    node_image: str = ""
    archives: dict[str, str] = field(default_factory=dict)

    @property
    def cluster_scoped(self) -> Path | None:
        path = self.root / MANIFESTS / CLUSTER_SCOPED
        return path if path.is_file() else None

    @property
    def kfp(self) -> Path | None:
        path = self.root / MANIFESTS / KFP
        return path if path.is_file() else None


def node_image() -> str:
    """The node image ``localstack/kind-cluster.yaml`` pins."""
    doc = yaml.safe_load(kind_config().read_text(encoding="utf-8"))
    for node in doc.get("nodes") or []:
        if node.get("image"):
            return str(node["image"])
    raise BadInput(f"{kind_config()}: no node image")


def kfp_images() -> list[str]:
    lines = (kfp_dir() / "images.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def tag_only(ref: str) -> str:
    """``kindest/node:v1.34.0@sha256:…`` → ``kindest/node:v1.34.0`` (docker save keeps tags,
    not digests, so a loaded image is found by its tag)."""
    return ref.split("@", 1)[0]


def archive_name(ref: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", tag_only(ref)) + ".tar"


def save(directory: Path, extra: list[str], progress: tools.Progress, kubectl: Kubectl) -> Bundle:
    """Pull (unless present) and save the node image, KFP's images and ``extra``; render the
    manifests. Needs a Docker engine with registry access and GitHub (for the manifests)."""
    from tui.core.images import docker_engine

    directory.mkdir(parents=True, exist_ok=True)
    bundle = Bundle(directory, node_image=tag_only(node_image()))
    refs = [node_image(), *kfp_images(), *extra]
    cli = docker_engine.client(timeout=600)
    try:
        for ref in refs:
            name = tag_only(ref)
            image = _pull(cli, ref, progress)
            if name != ref:
                repo, _, tag = name.rpartition(":")
                image.tag(repo, tag)
            target = directory / archive_name(ref)
            progress(f"saving {name} → {target.name}")
            tmp = target.with_suffix(".part")
            with tmp.open("wb") as out:
                for chunk in image.save(named=name):
                    out.write(chunk)
            tmp.replace(target)
            bundle.archives[name] = target.name
    finally:
        cli.close()
    manifests = directory / MANIFESTS
    manifests.mkdir(exist_ok=True)
    progress(f"rendering KFP's manifests ({kfp_dir()})")
    (manifests / CLUSTER_SCOPED).write_text(kubectl.kustomize(kfp_dir() / "cluster-scoped"))
    (manifests / KFP).write_text(kubectl.kustomize(kfp_dir()))
    index = {"node_image": bundle.node_image, "archives": bundle.archives}
    (directory / INDEX).write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    return bundle


def _pull(cli: Any, ref: str, progress: tools.Progress) -> Any:
    from docker.errors import DockerException, ImageNotFound

    images = cli.images
    try:
        return images.get(ref)
    except ImageNotFound:
        pass
    except DockerException as exc:
        raise MissingPrerequisite(f"docker: {exc}") from None
    progress(f"pulling {ref}")
    try:
        return images.pull(ref)
    except DockerException as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MissingPrerequisite(
            f"cannot pull {ref} ({first}): run `pipedeck images save` where a registry answers"
        ) from None


def read(directory: Path) -> Bundle:
    """The bundle ``images save`` wrote; a directory without one is a one-line BadInput."""
    if not directory.is_dir():
        raise BadInput(f"--images {directory}: no such directory")
    index = directory / INDEX
    if not index.is_file():
        raise BadInput(
            f"--images {directory}: no {INDEX} in it (write one with `pipedeck images save DIR`)"
        )
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
        bundle = Bundle(directory, str(data["node_image"]), dict(data["archives"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"{index}: not an images index ({exc})") from None
    missing = [f for f in bundle.archives.values() if not (directory / f).is_file()]
    if missing:
        raise BadInput(f"--images {directory}: {missing[0]} is listed in {INDEX} but missing")
    return bundle


def load_node_image(bundle: Bundle, progress: tools.Progress) -> str:
    """``docker load`` the node image (kind cannot pull it offline); returns its tag."""
    from tui.core.images import docker_engine

    name = bundle.node_image
    file = bundle.archives.get(name)
    if not file:
        raise BadInput(f"{bundle.root / INDEX}: the node image {name} is not in it")
    cli = docker_engine.client(timeout=600)
    try:
        try:
            cli.images.get(name)
            return name
        except Exception:  # ImageNotFound (or anything else): load it
            progress(f"docker load {file}")
        with (bundle.root / file).open("rb") as data:
            cli.images.load(data)
    finally:
        cli.close()
    return name


def load_into_kind(bundle: Bundle, kind: Kind, progress: tools.Progress) -> None:
    for name, file in bundle.archives.items():
        if name == bundle.node_image:
            continue
        progress(f"kind load image-archive {file}")
        kind.load_archive(bundle.root / file, progress)
