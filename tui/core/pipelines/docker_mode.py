"""The docker pipeline runner, caller's side: which mode a run gets, what its task containers
are given, and removing them.

``docker`` runs kfp.local's ``DockerRunner`` inside the driver (still a child process) with every
Python component in the local component image (``pipedeck image build component``); the driver's
side is ``docker_tasks.py``. ``auto`` picks ``docker`` when an engine answers, the image is
built and its containers can verify HTTPS (``container_https.trust``), else ``subprocess``, and
says why. A component with ``packages_to_install`` runs in a
derived image with them preinstalled (``derived_images``; built by the runner before the tasks
start, once per package set, see ``tui.core.images.derived``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from tui.core.errors import BadInput, MissingPrerequisite
from tui.core.images import containers
from tui.core.images.derived import DerivedImage, derived_image
from tui.core.pipelines.docker_tasks import is_python_component, package_set
from tui.core.pipelines.env import ComponentEnv, component_env
from tui.core.stack import s3
from tui.core.workflows.act_argv import CA_BUNDLE_VARIABLES, CONTAINER_CA_BUNDLE

MODES = ("subprocess", "docker", "auto")
BUILD_HINT = "run `pipedeck image build component`"


@dataclass(frozen=True)
class PipelineMode:
    mode: str  # "subprocess" or "docker"
    reason: str  # one line for the run's system log
    image: str = ""  # the component image (docker)
    # docker: the CA bundle task containers get (the configured one, or the host's system
    # bundle where pipedeck found that containers need it)
    ca_bundle: Path | None = None


def choose_mode(requested: str, ca_bundle: Path | None = None) -> PipelineMode:
    """``subprocess`` needs nothing; ``docker`` needs an engine and the component image;
    ``auto`` picks, never docker where task containers cannot verify HTTPS (the kept probe
    answers; without the configured ``ca_bundle`` they get the host's system CA bundle where
    that makes it work, and the reason says so). Raises MissingPrerequisite for ``docker``
    without an engine or the image."""
    if requested not in MODES:
        raise BadInput(f"--runner {requested}: choose one of {', '.join(MODES)}")
    if requested == "subprocess":
        return PipelineMode("subprocess", "requested with --runner subprocess")
    from tui.core.images import docker_engine, local_images

    engine = docker_engine.engine_status()
    if requested == "docker" and not engine.answers:
        raise MissingPrerequisite(f"--runner docker: {engine.detail}")
    if not engine.answers:
        return PipelineMode("subprocess", "no Docker engine answers")
    image = local_images.component_image()
    built = local_images.image_present(image)
    if requested == "docker":
        if not built:
            raise MissingPrerequisite(
                f"--runner docker: the component image {image} is not built; {BUILD_HINT}"
            )
        reason = f"requested with --runner docker; tasks run in {image}"
        return _docker(reason, image, ca_bundle, fall_back=False)
    if built:
        return _docker(f"Docker engine answers and {image} is built", image, ca_bundle)
    return PipelineMode("subprocess", f"component image not built ({BUILD_HINT} for docker)")


def _docker(
    reason: str, image: str, ca_bundle: Path | None, fall_back: bool = True
) -> PipelineMode:
    from tui.core.images import container_https

    trust = container_https.trust(image, ca_bundle)
    if not trust.works and fall_back:
        return PipelineMode(
            "subprocess", f"{trust.note}; the subprocess runner uses this machine's CAs"
        )
    if not trust.works:
        return PipelineMode("docker", f"{reason}; warning: {trust.note}", image, trust.bundle)
    note = f"; {trust.note}" if trust.note else ""
    return PipelineMode("docker", reason + note, image, trust.bundle)


def derived_images(spec: Mapping[str, Any], image: str) -> tuple[DerivedImage, ...]:
    """The derived images a run of the compiled ``spec`` needs: one per distinct package set
    of its Python components (packages and index options), FROM the component ``image``."""
    executors = (spec.get("deploymentSpec") or {}).get("executors") or {}
    found: dict[str, DerivedImage] = {}
    for executor in executors.values():
        command = [
            str(part) for part in ((executor or {}).get("container") or {}).get("command") or []
        ]
        packages = package_set(command) if is_python_component(command) else None
        if packages is not None:
            derived = derived_image(image, packages)
            found.setdefault(derived.ref, derived)
    return tuple(found.values())


def driver_env() -> ComponentEnv:
    """The driver's environment in docker mode: kfp and the docker SDK (pipedeck's versions).
    The components' packages are in their derived images (or installed in their containers),
    not here."""
    try:
        version = metadata.version("docker")
    except metadata.PackageNotFoundError:
        raise MissingPrerequisite(
            "the docker SDK is not installed in pipedeck's environment"
        ) from None
    return component_env((f"docker=={version}",))


def container_env(ca_bundle: Path | None) -> dict[str, str]:
    """What every task container gets: the local S3 server's endpoint and credentials (when it
    is up), and the extra CA bundle's variables (mounted at ``CONTAINER_CA_BUNDLE``). Handed
    to the driver in its environment (``CONTAINER_ENV_VAR``), never in its argv."""
    env = dict(s3.run_env(for_containers=True))
    if ca_bundle is not None:
        env.update(dict.fromkeys(CA_BUNDLE_VARIABLES, CONTAINER_CA_BUNDLE))
    return env


def container_mounts(runs_dir: Path, ca_bundle: Path | None) -> list[str]:
    """``HOST:CONTAINER:MODE`` mounts for the driver's ``--mount``: every run directory,
    read-only at the same path (a cache hit's artifacts live in an earlier run's pipeline root;
    kfp.local mounts this run's read-write), and the CA bundle."""
    mounts = [f"{runs_dir}:{runs_dir}:ro"]
    if ca_bundle is not None:
        mounts.append(f"{ca_bundle.resolve()}:{CONTAINER_CA_BUNDLE}:ro")
    return mounts


def run_containers(run_id: str) -> list[str]:
    """Names of the containers labelled ``pipedeck.run=<run_id>`` (empty without an engine)."""
    return containers.run_container_names(run_id)


def remove_run_containers(run_id: str) -> list[str]:
    """Force-remove the run's task containers; their names. Never raises."""
    return containers.remove_run_containers(run_id)
