"""Start, stop and look at the local S3 server (SeaweedFS, ``seaweed.py``); the environment
that points runs at it, with its credentials."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.core.config import Settings
from tui.core.errors import MissingPrerequisite
from tui.core.paths import PRIVATE_FILE
from tui.core.process import start_time
from tui.core.stack import seaweed, state

SERVICE = "s3"
BACKEND = "seaweedfs"
STOP_GRACE = 1.0  # seconds of SIGTERM before SIGKILL: the server is gone within 2 s


@dataclass(frozen=True)
class S3Status:
    running: bool
    endpoint: str
    detail: str
    service: state.Service | None = None
    started_in: float | None = None  # seconds, when this call started it


def data_dir() -> Path:
    return seaweed.data_dir()


def answers(endpoint: str, timeout: float = 1.0) -> bool:
    """True when an S3 API answers at ``endpoint``: an unsigned ListBuckets is refused (403),
    as a server that wants signed requests refuses it."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(endpoint + "/", timeout=timeout) as response:  # noqa: S310
            return bool(response.status == 200)
    except urllib.error.HTTPError as exc:
        return exc.code == 403
    except (urllib.error.URLError, OSError, ValueError):
        return False


def status(probe: bool = True) -> S3Status:
    """The server's state; ``probe``: and it answers an HTTP request (importing urllib and a
    round trip: ~15 ms a run's start does without — a server that stopped answering fails
    the step that uses it, with the endpoint in its error)."""
    service = state.load().get(SERVICE)
    if service is None:
        return S3Status(False, "", "not started (`pipedeck up`)")
    if not service.alive():
        return S3Status(False, service.endpoint, "stopped unexpectedly (`pipedeck up`)", service)
    if service.backend != BACKEND:
        detail = f"an older pipedeck's {service.backend} server runs; `pipedeck up` replaces it"
        return S3Status(False, service.endpoint, detail, service)
    if probe and not answers(service.endpoint):
        return S3Status(False, service.endpoint, "running but not answering", service)
    return S3Status(True, service.endpoint, f"SeaweedFS on {service.endpoint}", service)


def start(settings: Settings, wait: float = 30.0) -> tuple[S3Status, bool]:
    """Start the server unless it runs; its status and whether it was started now."""
    current = status()
    if current.running:
        return current, False
    if current.service is not None and current.service.alive():
        stop()  # a hung server of ours, or an older pipedeck's moto: replace it
    host, port = settings.s3_host, settings.s3_port
    if _port_taken(host, port):
        raise MissingPrerequisite(
            f"{host}:{port} is already in use;"
            " set PIPEDECK_S3_PORT (or s3_port in [tool.pipedeck]) to a free port"
        )
    creds = seaweed.credentials()
    folder = seaweed.write_config(host, port, creds)
    names = seaweed.COMPONENT_PORTS
    ports = dict(zip(names, seaweed.free_ports(host, len(names), {port}), strict=True))
    # weed mini re-applies the options it saved last time; pipedeck passes them all
    (seaweed.data_dir() / "mini.options").unlink(missing_ok=True)
    argv = seaweed.argv(host, port, ports, settings.buckets)
    log = seaweed.log_path()
    begun = time.monotonic()
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    with os.fdopen(fd, "ab") as out:
        proc = subprocess.Popen(
            argv,
            cwd=folder,  # where weed finds security.toml
            env=seaweed.clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            umask=0o077,
        )
    endpoint = settings.s3_endpoint
    while not answers(endpoint):
        if proc.poll() is not None or time.monotonic() - begun > wait:
            _kill_group(proc.pid)
            raise MissingPrerequisite(f"the S3 server did not start; see {log}")
        time.sleep(0.05)
    service = state.Service(
        name=SERVICE,
        pid=proc.pid,
        pid_started=start_time(proc.pid),
        endpoint=endpoint,
        backend=BACKEND,
        data_dir=str(seaweed.data_dir()),
        log=str(log),
    )
    services = state.load()
    services[SERVICE] = service
    state.save(services)
    s3 = client(endpoint)
    _ensure_buckets(s3, settings.buckets)
    _import_moto_mirror(s3)
    seconds = round(time.monotonic() - begun, 2)
    return S3Status(True, endpoint, f"SeaweedFS on {endpoint}", service, seconds), True


def stop(grace: float = STOP_GRACE) -> bool:
    """Stop the server `up` started: SIGTERM, then SIGKILL (weed can sit on SIGTERM for
    seconds). False if none was running."""
    services = state.load()
    service = services.pop(SERVICE, None)
    if service is None:
        return False
    stopped = False
    if service.alive():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(service.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while service.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if service.alive():
            _kill_group(service.pid)
            deadline = time.monotonic() + 0.5
            while service.alive() and time.monotonic() < deadline:
                time.sleep(0.02)
        stopped = True
    state.save(services)
    return stopped


def run_env(for_containers: bool = False) -> dict[str, str]:
    """What runs need to reach the server with no code change: its endpoint (as containers
    reach it, with ``for_containers``), its credentials, the region. Empty when it is down."""
    current = status(probe=False)
    creds = seaweed.stored_credentials()
    if not current.running or creds is None:
        return {}
    endpoint = current.endpoint
    if for_containers:
        from tui.core.images.docker_engine import host_address_for_containers

        host = host_address_for_containers()
        endpoint = endpoint.replace("127.0.0.1", host).replace("localhost", host)
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_ACCESS_KEY_ID": creds.access_key,
        "AWS_SECRET_ACCESS_KEY": creds.secret_key,
        "AWS_DEFAULT_REGION": seaweed.REGION,
    }


def mask_values() -> list[str]:
    """What no log line may show: the server's secret key."""
    creds = seaweed.stored_credentials()
    return [creds.secret_key] if creds is not None else []


def client(endpoint: str) -> Any:
    """A boto3 S3 client signed with the server's identity (~0.3 s to import boto3)."""
    import boto3

    creds = seaweed.credentials()
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        region_name=seaweed.REGION,
    )


def _ensure_buckets(s3: Any, buckets: tuple[str, ...]) -> None:
    have = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for bucket in buckets:
        if bucket not in have:
            s3.create_bucket(Bucket=bucket)


def _import_moto_mirror(s3: Any) -> int:
    """Objects an older pipedeck kept for its moto emulator (``s3/<bucket>/index.json``) go
    into the server once; the folders are then kept aside (``s3/moto-mirror-imported/``)."""
    count = 0
    aside = seaweed.home() / "moto-mirror-imported"
    for folder in sorted(p for p in seaweed.home().iterdir() if (p / "index.json").is_file()):
        try:
            index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(index, dict):
            continue
        with contextlib.suppress(Exception):  # already there
            s3.create_bucket(Bucket=folder.name)
        for key, entry in index.items():
            with contextlib.suppress(OSError, KeyError, TypeError):
                body = (folder / entry["file"]).read_bytes()
                s3.put_object(
                    Bucket=folder.name,
                    Key=key,
                    Body=body,
                    ContentType=entry.get("content_type") or "binary/octet-stream",
                    Metadata=entry.get("metadata") or {},
                )
                count += 1
        aside.mkdir(exist_ok=True)
        folder.replace(aside / folder.name)
    return count


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _port_taken(host: str, port: int) -> bool:
    """Something listens there (binding, not connecting: a connect to a free port in the
    ephemeral range can succeed by connecting to itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
        return False


@dataclass(frozen=True)
class StoredObject:
    bucket: str
    key: str
    size: int
    endpoint: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def objects_since(since: datetime) -> list[StoredObject]:
    """Objects written to the running server at or after ``since`` (empty when it is down).

    A run reports these as its artifacts: with no code change, ``aws s3 cp`` in a workflow
    leaves a record of where the model went.
    """
    current = status()
    if not current.running:
        return []
    s3 = client(current.endpoint)
    found = []
    cutoff = since.replace(microsecond=0)  # S3 keeps whole seconds
    for bucket in s3.list_buckets().get("Buckets", []):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for obj in page.get("Contents", []):
                if obj["LastModified"] >= cutoff:
                    found.append(
                        StoredObject(bucket["Name"], obj["Key"], obj["Size"], current.endpoint)
                    )
    return found
