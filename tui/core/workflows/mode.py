"""Host or docker mode for a workflow run: what the user asked for, what the machine has."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tui.core.errors import BadInput, MissingPrerequisite

RunnerMode = Literal["auto", "host", "docker"]
RUNNER_MODES: tuple[RunnerMode, ...] = ("auto", "host", "docker")


def parse_mode(value: str, flag: str = "--runner") -> RunnerMode:
    """``value`` as a :data:`RunnerMode`; anything else is a one-line bad input naming ``flag``."""
    if value not in RUNNER_MODES:
        raise BadInput(f"{flag} {value}: choose one of {', '.join(RUNNER_MODES)}")
    return value


def host_user() -> tuple[str, bool]:
    """Who host-mode steps run as (this process's user), and whether that is root."""
    import getpass
    import os

    uid = os.getuid()
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = str(uid)
    return f"{name} (uid {uid})", uid == 0


def host_mode_lines() -> list[str]:
    """What a host-mode run says first: where its steps run, and a warning as root."""
    who, root = host_user()
    lines = [f"host mode: steps run on this machine as {who}, not in a container"]
    if root:
        lines.append(
            "warning: running as root, so a step can change anything on this machine;"
            " --runner docker runs steps in containers"
        )
    return lines


@dataclass(frozen=True)
class ModeChoice:
    mode: str  # "host" or "docker"
    reason: str
    image: str | None = None
    # docker: the CA bundle job containers get (the configured one, or the host's system
    # bundle where pipedeck found that containers need it); the run mounts this one
    ca_bundle: Path | None = None


def choose_mode(requested: str, dry_run: bool = False, ca_bundle: Path | None = None) -> ModeChoice:
    """``host`` needs nothing; ``docker`` needs an engine and the runner image; ``auto`` picks,
    and never docker where job containers cannot verify HTTPS (the answers of the
    container-HTTPS probe, kept per engine, image and bundle: ``container_https.trust``).
    ``ca_bundle`` is the configured one; without it, containers get the host's system CA
    bundle where that is what makes HTTPS work, and the reason (the run's first log line)
    says so.

    A dry run always plans with a container platform: act 0.2.89's ``--dryrun`` still
    executes ``run:`` steps on a ``-self-hosted`` platform, while with a container platform
    it creates no container and needs no engine.
    """
    if requested == "host" and not dry_run:
        return ModeChoice("host", "requested with --runner host")
    # the Docker SDK: only when it can matter
    from tui.core.images import docker_engine, local_images

    if dry_run:
        return ModeChoice(
            "dry-run", "act --dryrun: plans every step, runs none", local_images.runner_image()
        )

    engine = docker_engine.engine_status()
    image = local_images.runner_image()
    present = engine.answers and local_images.image_present(image)
    if requested == "docker":
        if not engine.answers:
            raise MissingPrerequisite(
                f"--runner docker: no Docker engine answers ({engine.detail})"
            )
        if not present:
            raise MissingPrerequisite(
                f"--runner docker: the runner image {image} is not built;"
                " run `pipedeck image build runner`"
            )
        return _docker("requested with --runner docker", image, ca_bundle, fall_back=False)
    if present:
        return _docker(f"Docker engine answers and {image} is built", image, ca_bundle)
    if not engine.answers:
        return ModeChoice("host", "no Docker engine answers")
    return ModeChoice("host", "runner image not built (`pipedeck image build runner`)")


def _docker(reason: str, image: str, ca_bundle: Path | None, fall_back: bool = True) -> ModeChoice:
    """Docker mode with what the kept HTTPS answers say (``auto``: host mode where its
    containers cannot verify HTTPS; an explicit ``--runner docker`` is kept, with a warning)."""
    from tui.core.images import container_https

    trust = container_https.trust(image, ca_bundle)
    if not trust.works and fall_back:
        return ModeChoice("host", f"{trust.note}; host mode's steps use this machine's CAs")
    if not trust.works:
        return ModeChoice("docker", f"{reason}; warning: {trust.note}", image, trust.bundle)
    note = f"; {trust.note}" if trust.note else ""
    return ModeChoice("docker", reason + note, image, trust.bundle)
