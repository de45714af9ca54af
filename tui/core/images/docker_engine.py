"""Is a Docker engine answering, and a client for it (the ``docker`` SDK, ``DOCKER_HOST`` aware).

``engine_status`` never raises: start-up code and ``pipedeck doctor``-style checks call it and
show ``detail``. ``client`` raises :class:`MissingPrerequisite` with what to do.
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.errors import MissingPrerequisite

if TYPE_CHECKING:  # the SDK (with requests/urllib3) is imported when a client is needed
    import docker

DEFAULT_HOST = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class EngineStatus:
    answers: bool
    version: str  # the engine's version, e.g. "20.10.24+dfsg1"; "" when it does not answer
    detail: str  # one line: where it answered, or how to start one


def engine_host() -> str:
    """The engine address the SDK uses: ``DOCKER_HOST`` or the default unix socket."""
    return os.environ.get("DOCKER_HOST") or DEFAULT_HOST


def start_hint(error: object = None) -> str:
    """One line telling the user how to get an engine answering at :func:`engine_host`."""
    host = engine_host()
    if "permission denied" in str(error).lower():
        return (
            f"no permission to use the Docker engine at {host}: run as root or add yourself "
            "to the docker group (`sudo usermod -aG docker $USER`, then log in again)"
        )
    if os.environ.get("DOCKER_HOST"):
        return f"no Docker engine answers at DOCKER_HOST={host}: start it, or unset DOCKER_HOST"
    if shutil.which("dockerd") is None and shutil.which("docker") is None:
        return (
            "no Docker engine answers: install one (`sudo apt-get install docker.io`), then "
            "start it (`sudo dockerd > /tmp/dockerd.log 2>&1 &`)"
        )
    return (
        f"no Docker engine answers at {host}: start it (`sudo dockerd > /tmp/dockerd.log 2>&1 &`, "
        "`sudo systemctl start docker`, or open Docker Desktop)"
    )


def client(timeout: float = 60.0) -> docker.DockerClient:
    """A client whose engine answered (API version negotiated); else MissingPrerequisite."""
    # from_env asks the engine for its API version, so it fails when nothing answers.
    import docker

    try:
        cli = docker.from_env(timeout=max(1, math.ceil(timeout)))
    except Exception as exc:  # DockerException, and requests errors the SDK lets through
        raise MissingPrerequisite(start_hint(exc)) from None
    try:
        cli.ping()
    except Exception as exc:
        cli.close()
        raise MissingPrerequisite(start_hint(exc)) from None
    return cli


def engine_status(timeout: float = 2.0) -> EngineStatus:
    """Ask the engine; never raises."""
    try:
        cli = client(timeout)
    except MissingPrerequisite as exc:
        return EngineStatus(answers=False, version="", detail=exc.message)
    try:
        version = str(cli.version().get("Version", ""))
    except Exception as exc:
        return EngineStatus(answers=False, version="", detail=start_hint(exc))
    finally:
        cli.close()
    return EngineStatus(
        answers=True, version=version, detail=f"Docker {version} at {engine_host()}"
    )


def host_address_for_containers(timeout: float = 2.0) -> str:
    """How a container reaches a service bound to this machine's loopback: through the host
    network on Linux engines (127.0.0.1), through ``host.docker.internal`` on Docker Desktop
    (its containers run in a VM, where the host network is the VM's)."""
    try:
        cli = client(timeout)
    except MissingPrerequisite:
        return "127.0.0.1"
    try:
        system = str(cli.info().get("OperatingSystem", ""))
    except Exception:
        return "127.0.0.1"
    finally:
        cli.close()
    return "host.docker.internal" if "Docker Desktop" in system else "127.0.0.1"
