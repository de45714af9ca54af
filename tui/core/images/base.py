"""The Debian base pipedeck's images are built FROM, obtained without a registry.

The base is ``debian:bookworm-slim`` when the engine has it or can pull it
(``PIPEDECK_RUNNER_BASE`` names another); where no registry answers, ``debootstrap`` makes a
Debian rootfs once and ``docker import`` turns it into ``pipedeck-base:bookworm-<hash>`` (the
hash covers the mirrors and the recipe). debootstrap and tar run as child processes in their own
process group. ``images.py`` builds the runner and component images on top of it.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
from docker.errors import DockerException, ImageNotFound
from docker.utils import parse_repository_tag

from tui.core.errors import EXIT_RUN_FAILED, MissingPrerequisite, PipedeckError
from tui.core.process import run_streaming

Progress = Callable[[str], None]

BASE_REPO = "pipedeck-base"
DEFAULT_BASE = "debian:bookworm-slim"
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_SECURITY_MIRROR = "http://deb.debian.org/debian-security"
LABEL = "pipedeck.image"
# As in Debian's slim images (copyright files are kept).
SLIM_DPKG = """\
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
"""
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ImageBuildFailed(PipedeckError):
    """A build step failed (the progress lines above it say why)."""

    exit_code = EXIT_RUN_FAILED


def _ignore(line: str) -> None:
    pass


def default_base() -> str:
    """The base the runner Dockerfile is built FROM when the engine has it or can pull it."""
    return os.environ.get("PIPEDECK_RUNNER_BASE") or DEFAULT_BASE


def debian_mirror() -> str:
    return os.environ.get("PIPEDECK_DEBIAN_MIRROR") or DEFAULT_MIRROR


def security_mirror() -> str:
    """Set ``PIPEDECK_DEBIAN_SECURITY_MIRROR`` empty to leave security updates out."""
    return os.environ.get("PIPEDECK_DEBIAN_SECURITY_MIRROR", DEFAULT_SECURITY_MIRROR)


def debootstrap_base() -> str:
    """The tag of the debootstrapped base; the hash covers the recipe, so a new mirror or
    recipe makes a new base."""
    # Bump the leading version when _tidy_rootfs or the debootstrap arguments change.
    recipe = f"v2 {SUITE} minbase {platform.machine()} {debian_mirror()} {security_mirror()}"
    return f"{BASE_REPO}:{SUITE}-{hashlib.sha256(recipe.encode()).hexdigest()[:12]}"


def present(cli: docker.DockerClient, ref: str) -> bool:
    try:
        cli.images.get(ref)
    except ImageNotFound:
        return False
    return True


def base_in_use(cli: docker.DockerClient) -> str:
    """The default base if the engine has it, else our debootstrapped one if it has that, else
    the default base (which a build will try to pull first)."""
    for base in (default_base(), debootstrap_base()):
        if present(cli, base):
            return base
    return default_base()


def obtain_base(cli: docker.DockerClient, base: str, progress: Progress) -> str:
    """Pull ``base``; where that fails and it is the Debian default, debootstrap one."""
    progress(f"pulling {base}")
    try:
        _pull(cli, base, progress)
        return base
    except DockerException as exc:
        reason = first_line(exc)
        progress(f"cannot pull {base}: {reason}")
    if base != DEFAULT_BASE:
        raise MissingPrerequisite(
            f"cannot pull the runner base {base} (PIPEDECK_RUNNER_BASE): {reason}; "
            "`docker load` it or unset PIPEDECK_RUNNER_BASE"
        )
    progress("no registry answered; building a Debian base with debootstrap (once)")
    return _debootstrap_base(cli, progress)


def _pull(cli: docker.DockerClient, ref: str, progress: Progress) -> None:
    repository, tag = parse_repository_tag(ref)
    for item in cli.api.pull(repository, tag=tag or None, stream=True, decode=True):
        if "error" in item:
            raise DockerException(str(item["error"]))
        if item.get("status") and not item.get("progress"):
            progress(" ".join(str(item[k]) for k in ("id", "status") if item.get(k)))


def _debootstrap_base(cli: docker.DockerClient, progress: Progress) -> str:
    ref = debootstrap_base()
    if present(cli, ref):
        return ref
    if shutil.which("debootstrap") is None:
        raise MissingPrerequisite(
            "no registry answered and debootstrap is missing: "
            "`sudo apt-get install debootstrap`, then build again"
        )
    if os.geteuid() != 0:
        raise MissingPrerequisite(
            "no registry answered; making a Debian base with debootstrap needs root: "
            "run `sudo pipedeck image build all` once"
        )
    mirror = debian_mirror()
    with tempfile.TemporaryDirectory(prefix="pipedeck-base-", ignore_cleanup_errors=True) as tmp:
        root = Path(tmp) / "rootfs"
        try:
            argv = ["debootstrap", "--variant=minbase", SUITE, str(root), mirror]
            if not _run(argv, progress, prefix="debootstrap: "):
                for line in _tail(root / "debootstrap" / "debootstrap.log", 10):
                    progress(f"debootstrap.log: {line}")
                raise ImageBuildFailed(
                    f"debootstrap from {mirror} failed (see above); "
                    "check that PIPEDECK_DEBIAN_MIRROR is a reachable Debian mirror"
                )
            _tidy_rootfs(root, mirror)
            tarball = Path(tmp) / "rootfs.tar"
            if not _run(["tar", "-C", str(root), "--numeric-owner", "-cf", str(tarball), "."]):
                raise ImageBuildFailed(f"could not pack the Debian rootfs into {tarball}")
        finally:
            _unmount_under(root)
        progress(f"importing the Debian base as {ref}")
        repository, tag = parse_repository_tag(ref)
        cli.api.import_image(
            src=str(tarball),
            repository=repository,
            tag=tag,
            changes=[f"ENV {PATH_ENV}", "ENV LANG=C.UTF-8", 'CMD ["bash"]', f"LABEL {LABEL}=base"],
        )
    return ref


def _tidy_rootfs(root: Path, mirror: str) -> None:
    """Make the rootfs like Debian's slim image: update sources, no daemons started by
    package scripts, no docs or man pages installed, no package lists or host leftovers."""
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n", encoding="utf-8")
    policy.chmod(0o755)
    (root / "etc/dpkg/dpkg.cfg.d/pipedeck-slim").write_text(SLIM_DPKG, encoding="utf-8")
    sources = [f"deb {mirror} {SUITE} main", f"deb {mirror} {SUITE}-updates main"]
    if security := security_mirror():
        sources.append(f"deb {security} {SUITE}-security main")
    (root / "etc/apt/sources.list").write_text("\n".join(sources) + "\n", encoding="utf-8")
    for pattern in ("var/lib/apt/lists/*", "var/cache/apt/*.bin", "var/cache/apt/archives/*.deb"):
        for path in root.glob(pattern):
            if path.is_file():
                path.unlink()
    for name in ("etc/resolv.conf", "etc/hostname"):  # the engine provides both at run time
        path = root / name
        if path.is_file() and not path.is_symlink():
            path.write_text("", encoding="utf-8")


def first_line(error: object) -> str:
    # APIError's str() wraps the engine's message in the HTTP request; keep the message.
    text = getattr(error, "explanation", None) or str(error)
    lines = str(text).strip().splitlines()
    return lines[0] if lines else type(error).__name__


# --- child processes --------------------------------------------------------------------


def _run(argv: list[str], progress: Progress = _ignore, prefix: str = "") -> bool:
    """Run ``argv`` in its own process group, each output line to ``progress``; True on exit 0.
    Interrupted (Ctrl-C, an exception in ``progress``), the whole group is stopped."""
    return run_streaming(argv, lambda line: progress(prefix + line)) == 0


def _tail(path: Path, count: int) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return list(deque(lines, maxlen=count))


def _mounts_under(root: Path) -> Iterator[str]:
    prefix = str(root.resolve())
    try:
        table = Path("/proc/mounts").read_text(encoding="utf-8")
    except OSError:
        return
    for line in table.splitlines():
        fields = line.split()
        if len(fields) > 1 and (fields[1] == prefix or fields[1].startswith(prefix + "/")):
            yield fields[1]


def _unmount_under(root: Path) -> None:
    """An interrupted debootstrap can leave /proc or /sys mounted inside the rootfs; unmount
    them (deepest first) before the directory is deleted."""
    for mount in sorted(_mounts_under(root), key=len, reverse=True):
        subprocess.run(["umount", "-l", mount], check=False, capture_output=True)
