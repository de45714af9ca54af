"""The port-forwards to KFP's API (8888) and UI (8080) on 127.0.0.1, and the API's health.

Each ``kubectl port-forward`` runs detached in its own process group, its output in a log
under the state dir, and is recorded in ``stack.json`` (``tui.core.stack.state``) so that
``pipedeck down`` stops exactly it and ``status`` shows it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import psutil

from tui.core.cluster.kubectl import Kubectl
from tui.core.cluster.settings import ClusterSettings
from tui.core.errors import MissingPrerequisite
from tui.core.stack import state

HEALTHZ = "/apis/v2beta1/healthz"


@dataclass(frozen=True)
class Forward:
    service_name: str  # the entry in stack.json
    target: str  # the Kubernetes service
    local: int
    remote: int


def forwards(settings: ClusterSettings) -> tuple[Forward, Forward]:
    return (
        Forward("kfp-api", "ml-pipeline", settings.api_port, 8888),
        Forward("kfp-ui", "ml-pipeline-ui", settings.ui_port, 80),
    )


def healthz(api_url: str, timeout: float = 3.0) -> dict[str, Any] | None:
    """KFP's healthz answer (``commit_sha``, ``tag_name``, ``multi_user``), None if none."""
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + HEALTHZ, timeout=timeout) as resp:  # noqa: S310
            data = json.loads(resp.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def port_taken(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def running(forward: Forward) -> state.Service | None:
    service = state.load().get(forward.service_name)
    return service if service is not None and service.alive() else None


def start(kubectl: Kubectl, forward: Forward, wait: float = 30.0) -> tuple[state.Service, bool]:
    """Start the forward unless ours runs; returns it and whether it was started now."""
    current = running(forward)
    if current is not None and port_taken(forward.local):
        return current, False
    if current is not None:
        stop(forward)
    if port_taken(forward.local):
        raise MissingPrerequisite(port_message(forward))
    home = kubectl.settings.home
    home.mkdir(parents=True, exist_ok=True)
    log = home / f"{forward.service_name}-forward.log"
    argv = kubectl.port_forward_argv(forward.target, forward.local, forward.remote)
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + wait
    while not port_taken(forward.local):
        if proc.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            tail = _last_line(log.read_text(encoding="utf-8", errors="replace"))
            raise MissingPrerequisite(
                f"`kubectl port-forward service/{forward.target}` did not start: {tail} "
                f"(log: {log})"
            )
        time.sleep(0.1)
    service = state.Service(
        name=forward.service_name,
        pid=proc.pid,
        pid_started=psutil.Process(proc.pid).create_time(),
        endpoint=f"http://127.0.0.1:{forward.local}",
        backend=f"kubectl port-forward service/{forward.target}",
        data_dir="",
        log=str(log),
    )
    services = state.load()
    services[forward.service_name] = service
    state.save(services)
    return service, True


def stop(forward: Forward, timeout: float = 5.0) -> bool:
    """Stop the forward `up` started (its whole process group). False if none ran."""
    services = state.load()
    service = services.pop(forward.service_name, None)
    if service is None:
        return False
    stopped = False
    if service.alive():
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(service.pid, sig)
            deadline = time.monotonic() + timeout
            while _alive(service) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not _alive(service):
                break
        stopped = True
    state.save(services)
    return stopped


def _alive(service: state.Service) -> bool:
    """Alive and not a zombie; reaps it when it is our own child (``up`` in this process)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(service.pid, os.WNOHANG)
    if not service.alive():
        return False
    try:
        return psutil.Process(service.pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def port_message(forward: Forward) -> str:
    env = "PIPEDECK_KFP_API_PORT" if forward.service_name == "kfp-api" else "PIPEDECK_KFP_UI_PORT"
    return (
        f"127.0.0.1:{forward.local} (KFP {forward.service_name[4:].upper()}) is already in use; "
        f"stop what holds it or set {env} to a free port"
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
