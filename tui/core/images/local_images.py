"""The images pipedeck builds locally, and how it builds them without a registry.

- the runner image (act's job container in docker mode), defined by ``localstack/runner/`` and
  tagged ``pipedeck-runner:<hash>``;
- the component image (kfp.local's DockerRunner tasks in docker mode), defined by
  ``localstack/component/`` and tagged ``pipedeck-component:<hash>``.

Each hash covers every file of the definition, the base image in use (and, for the component
image, the kfp version), so an edit makes a new tag and a present tag is never rebuilt. The base
comes from ``base``: ``debian:bookworm-slim`` when the engine has it or can pull it, else a
debootstrapped ``pipedeck-base:bookworm-<hash>``.

Builds go through the docker SDK (the engine's classic builder: no buildx needed).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import requests
from docker.errors import DockerException

from tui.core.errors import BadInput, MissingPrerequisite
from tui.core.images import docker_engine
from tui.core.images.base import (  # noqa: F401  (re-exported: callers and tests use images.*)
    DEFAULT_BASE,
    LABEL,
    ImageBuildFailed,
    Progress,
    _ignore,
    base_in_use,
    debootstrap_base,
    default_base,
    first_line,
    obtain_base,
    present,
)
from tui.core.paths import localstack_dir

RUNNER_REPO = "pipedeck-runner"
COMPONENT_REPO = "pipedeck-component"
# Reads of a build or pull stream can be quiet for minutes (a long apt step).
BUILD_TIMEOUT = 3600
# apt, curl and pip saying a server's certificate is not trusted.
UNTRUSTED_TLS = re.compile(
    r"certificate verification failed|certificate_verify_failed|local issuer certificate", re.I
)


@dataclass(frozen=True)
class BuildResult:
    ref: str
    cached: bool  # the image was already there; nothing was built
    seconds: float
    base: str


@dataclass(frozen=True)
class ImageDef:
    """One image pipedeck builds: its folder, repository, label and extra build arguments."""

    name: str  # "runner" or "component", as in `pipedeck image build NAME`
    repo: str
    directory: Path
    buildargs: tuple[tuple[str, str], ...] = ()

    def ref(self, base: str) -> str:
        extra = [f"BASE={base}", *(f"{k}={v}" for k, v in self.buildargs)]
        return f"{self.repo}:{content_hash(self.directory, *extra)}"


# --- where the definitions live, and what they are called -------------------------------


def runner_dir() -> Path:
    return localstack_dir() / "runner"


def component_dir() -> Path:
    return localstack_dir() / "component"


def kfp_version() -> str:
    """The kfp the component image holds: pipedeck's own (its driver hooks are pinned to it)."""
    from importlib import metadata

    try:
        return metadata.version("kfp")
    except metadata.PackageNotFoundError:
        raise MissingPrerequisite("kfp is not installed in pipedeck's environment") from None


def runner_def() -> ImageDef:
    return ImageDef("runner", RUNNER_REPO, runner_dir())


def component_def() -> ImageDef:
    return ImageDef("component", COMPONENT_REPO, component_dir(), (("KFP_VERSION", kfp_version()),))


def content_hash(directory: Path, *extra: str) -> str:
    """12 hex digits of sha256 over every file under ``directory`` (path and bytes, sorted by
    path) and the ``extra`` strings."""
    digest = hashlib.sha256()
    files = sorted(
        (p.relative_to(directory).as_posix(), p) for p in directory.rglob("*") if p.is_file()
    )
    for rel, path in files:
        data = path.read_bytes()
        digest.update(f"file\0{rel}\0{len(data)}\0".encode())
        digest.update(data)
    for value in extra:
        digest.update(f"extra\0{value}\0".encode())
    return digest.hexdigest()[:12]


def _image_ref(image: ImageDef) -> str:
    """The image's ref for the base in use (the default base when no engine answers)."""
    try:
        cli = docker_engine.client(timeout=10)
    except MissingPrerequisite:
        return image.ref(default_base())
    with contextlib.closing(cli):
        try:
            return image.ref(base_in_use(cli))
        except DockerException:
            return image.ref(default_base())


def runner_image() -> str:
    """The runner image's ref; after :func:`build_runner`, this equals ``BuildResult.ref``."""
    return _image_ref(runner_def())


def component_image() -> str:
    """The component image's ref; after :func:`build_component`, equals ``BuildResult.ref``."""
    return _image_ref(component_def())


def image_present(ref: str) -> bool:
    """Whether the engine has ``ref``; False when no engine answers."""
    try:
        cli = docker_engine.client(timeout=10)
    except MissingPrerequisite:
        return False
    with contextlib.closing(cli):
        try:
            return present(cli, ref)
        except DockerException:
            return False


# --- building ---------------------------------------------------------------------------


def build_runner(progress: Progress = _ignore, *, ca_bundle: Path | None = None) -> BuildResult:
    """Build the runner image unless the engine already has it.

    ``ca_bundle`` (an extra CA bundle, for apt behind an intercepting proxy) is used by the build
    and not kept in the image. Raises MissingPrerequisite (no engine, no base obtainable),
    BadInput (no such CA file) or ImageBuildFailed.
    """
    return build_image(runner_def(), progress, ca_bundle=ca_bundle)


def build_component(progress: Progress = _ignore, *, ca_bundle: Path | None = None) -> BuildResult:
    """Build the component image (kfp preinstalled) unless the engine already has it; as
    :func:`build_runner` (the CA bundle is used by apt and pip during the build)."""
    return build_image(component_def(), progress, ca_bundle=ca_bundle)


def build_image(
    image: ImageDef, progress: Progress = _ignore, *, ca_bundle: Path | None = None
) -> BuildResult:
    started = time.monotonic()
    if ca_bundle is not None and not ca_bundle.is_file():
        raise BadInput(f"CA bundle {ca_bundle}: no such file")
    cli = docker_engine.client(timeout=BUILD_TIMEOUT)
    try:
        with contextlib.closing(cli):
            return _build_image(cli, image, progress, ca_bundle, started)
    except (DockerException, requests.RequestException) as exc:
        raise ImageBuildFailed(f"the Docker engine failed: {first_line(exc)}") from None


def _build_image(
    cli: docker.DockerClient,
    image: ImageDef,
    progress: Progress,
    ca_bundle: Path | None,
    started: float,
) -> BuildResult:
    base = base_in_use(cli)
    ref = image.ref(base)
    if not present(cli, ref):
        if not present(cli, base):
            base = obtain_base(cli, base, progress)
            ref = image.ref(base)
        if not present(cli, ref):
            _build(cli, image, ref, base, ca_bundle, progress)
            return BuildResult(ref, False, time.monotonic() - started, base)
    progress(f"{ref} is already built")
    return BuildResult(ref, True, time.monotonic() - started, base)


def _build(
    cli: docker.DockerClient,
    image: ImageDef,
    ref: str,
    base: str,
    ca_bundle: Path | None,
    progress: Progress,
) -> None:
    progress(f"building {ref} FROM {base}")
    with tempfile.TemporaryDirectory(prefix="pipedeck-build-") as tmp:
        context = Path(tmp) / "context"
        shutil.copytree(image.directory, context)
        if ca_bundle is not None:
            (context / "ca").mkdir(exist_ok=True)
            shutil.copyfile(ca_bundle, context / "ca" / "extra-ca.crt")
            progress(f"the build trusts the extra CA bundle {ca_bundle}")
        stream = cli.api.build(
            path=str(context),
            tag=ref,
            buildargs={"BASE": base, **dict(image.buildargs)},
            labels={LABEL: image.name, "pipedeck.base": base},
            rm=True,
            forcerm=True,
            decode=True,
        )
        _follow_build(stream, ref, progress)


def _follow_build(stream: Iterable[dict[str, Any]], ref: str, progress: Progress) -> None:
    untrusted = False  # apt/curl met a certificate it does not trust: an intercepting proxy?
    try:
        for item in stream:
            if "error" in item:
                message = f"building {ref} failed: {_short_error(item['error'])}"
                if untrusted:
                    message += (
                        "; a TLS certificate was not trusted: pass the proxy's CA bundle "
                        "(--ca-bundle or PIPEDECK_CA_BUNDLE)"
                    )
                raise ImageBuildFailed(message)
            text = item.get("stream") or item.get("status") or ""
            for line in str(text).splitlines():
                if line.strip():
                    untrusted = untrusted or UNTRUSTED_TLS.search(line) is not None
                    progress(line.rstrip())
    except DockerException as exc:
        raise ImageBuildFailed(f"building {ref} failed: {first_line(exc)}") from None


def _short_error(error: object) -> str:
    """The engine repeats a failed RUN's whole script; keep what the user needs."""
    text = first_line(error)
    if "returned a non-zero code" in text:
        return f"a RUN step exited with code {text.rsplit(':', 1)[-1].strip()} (see above)"
    return text
