"""Derived component images: the component image with one component's ``packages_to_install``
preinstalled, so docker-mode tasks start with nothing to install.

One image per distinct set of packages, pip index options (``pip_index_urls``,
``pip_trusted_hosts``) and component image, defined by ``localstack/component-pkgs/`` and tagged
``pipedeck-component-pkgs:<hash>`` (the hash covers that folder, the component image's ref and
the pip arguments, so it is built once and reused by every later run). Labelled
``pipedeck.derived=component`` with the packages, so ``pipedeck image ls`` lists them and
``pipedeck image prune`` removes them.

The caller builds what a run needs before its tasks start (``tui.core.pipelines.runner``), in a
child process (``python -m tui.core.images.derived``) it can stop with the run, and hands
the driver the images as JSON in ``DERIVED_ENV_VAR``; the driver's ``docker_tasks`` runs a task
in its image with KFP's install prefix dropped.

Imports only the standard library and ``tui.core.errors`` at import time: the driver imports
it in its own environment (kfp and the Docker SDK only); the SDK and pipedeck's other modules
are loaded by the functions that need them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.errors import PipedeckError

if TYPE_CHECKING:
    from tui.core.images.base import Progress

REPO = "pipedeck-component-pkgs"
DERIVED_LABEL = "pipedeck.derived"  # = "component"
PACKAGES_LABEL = "pipedeck.packages"  # JSON list of the requirements
OPTIONS_LABEL = "pipedeck.pip-options"  # JSON list of pip's index options (credentials masked)
BASE_LABEL = "pipedeck.base"  # the component image it is built FROM
DERIVED_ENV_VAR = "PIPEDECK_DERIVED_IMAGES"  # the driver's environment: the run's images
BUILD_TIMEOUT = 3600
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


@dataclass(frozen=True)
class PackageSet:
    """What a component pip-installs: its requirements and pip's index options."""

    packages: tuple[str, ...]
    options: tuple[str, ...] = ()  # pip arguments, e.g. ("--index-url", "https://…")

    @classmethod
    def of(cls, packages: Iterable[str], options: Iterable[str] = ()) -> PackageSet:
        """The set, order aside (``[a, b]`` and ``[b, a]`` install the same)."""
        return cls(tuple(sorted(dict.fromkeys(packages))), tuple(options))

    def describe(self) -> str:
        """``numpy==2.1, pandas``, and the index options if any (credentials masked)."""
        text = ", ".join(self.packages)
        return f"{text} ({' '.join(self.shown_options())})" if self.options else text

    def shown_options(self) -> list[str]:
        return [_USERINFO.sub("***@", option) for option in self.options]

    def pip_args(self) -> list[str]:
        return [*self.options, *self.packages]


@dataclass(frozen=True)
class DerivedImage:
    ref: str
    base: str  # the component image
    packages: PackageSet


def definition_dir() -> Path:
    from tui.core.paths import localstack_dir

    return localstack_dir() / "component-pkgs"


def derived_image(base: str, packages: PackageSet) -> DerivedImage:
    from tui.core.images.local_images import content_hash

    extra = [f"BASE={base}", *(f"pip-arg={arg}" for arg in packages.pip_args())]
    return DerivedImage(f"{REPO}:{content_hash(definition_dir(), *extra)}", base, packages)


# -- handing the images to the driver ---------------------------------------------------------


def to_json(images: Iterable[DerivedImage]) -> str:
    return json.dumps(
        [
            {
                "ref": i.ref,
                "packages": list(i.packages.packages),
                "options": list(i.packages.options),
            }
            for i in images
        ]
    )


def from_json(text: str) -> dict[PackageSet, str]:
    """The images as the driver looks them up: package set → ref ({} for '' or bad JSON)."""
    try:
        items = json.loads(text) if text else []
    except ValueError:
        return {}
    out: dict[PackageSet, str] = {}
    for item in items if isinstance(items, list) else []:
        with contextlib.suppress(KeyError, TypeError, AttributeError):
            packages = PackageSet(tuple(item["packages"]), tuple(item["options"]))
            out[packages] = str(item["ref"])
    return out


# -- on the engine ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageInfo:
    ref: str
    packages: tuple[str, ...]
    size: int  # bytes of its own layers (what removing it frees)
    created: datetime | None
    last_used: datetime | None  # the last run that used it (recorded by this user's runs)
    image_id: str


def _client(timeout: float = 60.0) -> Any:
    from tui.core.images import docker_engine

    return docker_engine.client(timeout=timeout)


def missing(images: Sequence[DerivedImage]) -> list[DerivedImage]:
    """The images the engine does not have (all of them when no engine answers)."""
    from tui.core.errors import MissingPrerequisite

    try:
        cli = _client(timeout=10)
    except MissingPrerequisite:
        return list(images)
    with contextlib.closing(cli):
        have = {tag for image in _listed(cli) for tag in image.tags}
    return [image for image in images if image.ref not in have]


def _listed(cli: Any) -> list[Any]:
    return list(cli.images.list(filters={"label": f"{DERIVED_LABEL}=component"}))


def build(image: DerivedImage, progress: Progress, ca_bundle: Path | None = None) -> None:
    """Build ``image`` (its packages pip-installed FROM its base); build output to
    ``progress``. Raises MissingPrerequisite (no engine) or ImageBuildFailed."""
    import requests
    from docker.errors import DockerException

    from tui.core.images.base import ImageBuildFailed, first_line

    cli = _client(timeout=BUILD_TIMEOUT)
    try:
        with contextlib.closing(cli), tempfile.TemporaryDirectory(prefix="pipedeck-pkgs-") as tmp:
            _build(cli, image, Path(tmp) / "context", progress, ca_bundle)
    except (DockerException, requests.RequestException) as exc:
        raise ImageBuildFailed(f"the Docker engine failed: {first_line(exc)}") from None


def _build(
    cli: Any, image: DerivedImage, context: Path, progress: Progress, ca_bundle: Path | None
) -> None:
    from tui.core.images.base import LABEL
    from tui.core.images.local_images import _follow_build

    shutil.copytree(definition_dir(), context)
    (context / "pip-args").write_text("".join(f"{arg}\n" for arg in image.packages.pip_args()))
    if ca_bundle is not None:
        (context / "ca").mkdir(exist_ok=True)
        shutil.copyfile(ca_bundle, context / "ca" / "extra-ca.crt")
    stream = cli.api.build(
        path=str(context),
        tag=image.ref,
        buildargs={"BASE": image.base},
        labels={
            LABEL: "component-pkgs",
            DERIVED_LABEL: "component",
            PACKAGES_LABEL: json.dumps(list(image.packages.packages)),
            OPTIONS_LABEL: json.dumps(image.packages.shown_options()),
            BASE_LABEL: image.base,
        },
        network_mode="host",  # as the tasks' containers: an index on 127.0.0.1 answers too
        rm=True,
        forcerm=True,
        decode=True,
    )
    _follow_build(stream, image.ref, progress)


def list_images() -> list[ImageInfo]:
    """The derived component images the engine has, newest first. MissingPrerequisite when
    no engine answers."""
    cli = _client(timeout=30)
    with contextlib.closing(cli):
        images = _listed(cli)
        own = _own_sizes(cli)
    out = []
    for image in images:
        labels = image.labels or {}
        try:
            packages = tuple(str(p) for p in json.loads(labels.get(PACKAGES_LABEL, "[]")))
        except ValueError:
            packages = ()
        attrs = image.attrs
        for ref in image.tags or [f"{REPO}:<none>"]:
            out.append(
                ImageInfo(
                    ref=ref,
                    packages=packages,
                    size=own.get(str(image.id), int(attrs.get("Size", 0))),
                    created=_parse_time(str(attrs.get("Created", ""))),
                    last_used=last_used(ref),
                    image_id=str(image.id),
                )
            )
    return sorted(out, key=lambda i: i.created or datetime.min.replace(tzinfo=UTC), reverse=True)


def _own_sizes(cli: Any) -> dict[str, int]:
    """Image id → bytes in no other image (``docker system df -v``'s unique size)."""
    try:
        listed = cli.df().get("Images") or []
    except Exception:  # an engine without /system/df: the full sizes stand in
        return {}
    sizes = {}
    for item in listed:
        shared = int(item.get("SharedSize") or 0)
        sizes[str(item.get("Id"))] = int(item.get("Size") or 0) - max(shared, 0)
    return sizes


@dataclass(frozen=True)
class Pruned:
    removed: list[str]
    freed: int  # bytes
    kept: list[tuple[str, str]]  # (ref, why): in use by a container, or the engine refused


def prune() -> Pruned:
    """Remove every derived component image (not forced: one a container uses is kept).
    MissingPrerequisite when no engine answers."""
    from docker.errors import APIError

    removed: list[str] = []
    kept: list[tuple[str, str]] = []
    freed = 0
    cli = _client(timeout=120)
    with contextlib.closing(cli):
        own = _own_sizes(cli)
        for image in _listed(cli):
            refs = list(image.tags) or [str(image.id)]
            try:
                for ref in refs:
                    cli.images.remove(ref)
            except APIError as exc:
                kept.append((refs[0], str(exc.explanation or exc).splitlines()[0]))
                continue
            removed += refs
            freed += own.get(str(image.id), int(image.attrs.get("Size", 0)))
            for ref in refs:
                with contextlib.suppress(OSError):
                    _used_file(ref).unlink()
    return Pruned(removed, freed, kept)


# -- when each was last used (one empty file per image; its mtime) ---------------------------


def _file(ref: str, suffix: str) -> Path:
    from tui.core.paths import state_dir

    return state_dir() / "component-images" / f"{ref.replace('/', '_').replace(':', '_')}{suffix}"


def _used_file(ref: str) -> Path:
    return _file(ref, ".used")


def lock_file(ref: str) -> Path:
    """Held while a run builds ``ref`` (a second run waits, then finds it built)."""
    from tui.core.paths import private_dir

    path = _file(ref, ".lock")
    private_dir(path.parent)
    return path


def mark_used(images: Iterable[DerivedImage]) -> None:
    """Record that a run uses ``images`` now (never raises)."""
    from tui.core.paths import private_dir

    with contextlib.suppress(OSError):
        for image in images:
            path = _used_file(image.ref)
            private_dir(path.parent)
            path.touch()  # an existing file gets a new mtime


def last_used(ref: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(_used_file(ref).stat().st_mtime, UTC)
    except OSError:
        return None


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text[:26].rstrip("Z") + "+00:00")
    except ValueError:
        return None


# -- the build child process -------------------------------------------------------------------


BUILD_SPEC_VAR = "PIPEDECK_DERIVED_BUILD"  # the child's environment: what to build


def build_command(image: DerivedImage, ca_bundle: Path | None) -> tuple[list[str], dict[str, str]]:
    """The child process a run builds ``image`` in (its output: the build's progress): argv,
    and the variable that says what to build (not in argv: an index URL may hold a token)."""
    spec = {
        "ref": image.ref,
        "base": image.base,
        "packages": list(image.packages.packages),
        "options": list(image.packages.options),
        "ca_bundle": str(ca_bundle) if ca_bundle is not None else "",
    }
    argv = [sys.executable, "-m", "tui.core.images.derived"]
    return argv, {BUILD_SPEC_VAR: json.dumps(spec)}


def main() -> int:
    spec = json.loads(os.environ.pop(BUILD_SPEC_VAR))
    image = DerivedImage(
        str(spec["ref"]),
        str(spec["base"]),
        PackageSet(tuple(spec["packages"]), tuple(spec["options"])),
    )
    ca = Path(spec["ca_bundle"]) if spec.get("ca_bundle") else None
    try:
        build(image, lambda line: print(line, flush=True), ca)
    except PipedeckError as exc:
        print(exc.message, file=sys.stderr, flush=True)
        return exc.exit_code
    except KeyboardInterrupt:  # the run was cancelled
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
