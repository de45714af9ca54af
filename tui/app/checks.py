"""Environment checks for the status bar. Each may block for seconds: run them in workers."""

from __future__ import annotations

from collections.abc import Callable


def docker() -> tuple[str, bool | None]:
    from tui.core.images.docker_engine import engine_status

    status = engine_status()
    return (status.version or "up", True) if status.answers else ("not running", False)


def runner_image() -> tuple[str, bool | None]:
    from tui.core.images import local_images
    from tui.core.images.docker_engine import engine_status

    ref = local_images.runner_image()
    if not engine_status().answers:
        return ("needs Docker (host mode)", None)
    if local_images.image_present(ref):
        return (ref.rpartition(":")[2][:7] or ref, True)
    return ("not built (host mode)", None)


def act() -> tuple[str, bool | None]:
    from tui.core.errors import MissingPrerequisite
    from tui.core.workflows.act_argv import act_version

    try:
        version = act_version()
    except MissingPrerequisite:
        return ("not found", False)
    return (version, True) if version else ("not working", False)


def kfp() -> tuple[str, bool | None]:
    from tui.core.errors import MissingPrerequisite
    from tui.core.pipelines.env import kfp_version

    try:
        return (kfp_version(), True)
    except MissingPrerequisite:
        return ("not installed", False)


CHECKS: dict[str, Callable[[], tuple[str, bool | None]]] = {
    "docker": docker,
    "image": runner_image,
    "act": act,
    "kfp": kfp,
}
