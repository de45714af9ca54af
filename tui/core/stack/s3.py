"""Start, stop and look at the S3 emulator; the environment that points runs at it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psutil

from tui.core.config import Settings
from tui.core.errors import MissingPrerequisite
from tui.core.paths import state_dir
from tui.core.stack import state

SERVICE = "s3"
TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class S3Status:
    running: bool
    endpoint: str
    detail: str
    service: state.Service | None = None


def data_dir() -> Path:
    return state_dir() / "s3"


def answers(endpoint: str, timeout: float = 1.0) -> bool:
    """True when an S3 API answers at ``endpoint`` (ListBuckets over HTTP)."""
    try:
        with urllib.request.urlopen(endpoint + "/", timeout=timeout) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def status() -> S3Status:
    service = state.load().get(SERVICE)
    if service is None:
        return S3Status(False, "", "not started (`pipedeck up`)")
    if not service.alive():
        return S3Status(False, service.endpoint, "stopped unexpectedly (`pipedeck up`)", service)
    if not answers(service.endpoint):
        return S3Status(False, service.endpoint, "running but not answering", service)
    return S3Status(True, service.endpoint, f"{service.backend} on {service.endpoint}", service)


def start(settings: Settings, wait: float = 30.0) -> tuple[S3Status, bool]:
    """Start the emulator unless it runs; returns its status and whether it was started now."""
    current = status()
    if current.running:
        return current, False
    if current.service is not None and current.service.alive():
        stop()  # a hung emulator of ours: replace it
    if _port_taken(settings.s3_host, settings.s3_port):
        raise MissingPrerequisite(
            f"{settings.s3_host}:{settings.s3_port} is already in use;"
            " set PIPEDECK_S3_PORT (or s3_port in [tool.pipedeck]) to a free port"
        )
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    log = state_dir() / "s3.log"
    offset = log.stat().st_size if log.exists() else 0
    argv = [
        sys.executable,
        "-m",
        "tui.core.stack.s3_server",
        "--host",
        settings.s3_host,
        "--port",
        str(settings.s3_port),
        "--data",
        str(folder),
    ]
    for bucket in settings.buckets:
        argv += ["--bucket", bucket]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    endpoint = settings.s3_endpoint
    deadline = time.monotonic() + wait
    while not _ready(log, offset, endpoint):
        if proc.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            raise MissingPrerequisite(f"the S3 emulator did not start; see {log}")
        time.sleep(0.1)
    service = state.Service(
        name=SERVICE,
        pid=proc.pid,
        pid_started=psutil.Process(proc.pid).create_time(),
        endpoint=endpoint,
        backend="moto",
        data_dir=str(folder),
        log=str(log),
    )
    services = state.load()
    services[SERVICE] = service
    state.save(services)
    return S3Status(True, endpoint, f"moto on {endpoint}", service), True


def stop(timeout: float = 15.0) -> bool:
    """Stop the emulator `up` started (it saves its data first). False if none was running."""
    services = state.load()
    service = services.pop(SERVICE, None)
    if service is None:
        return False
    stopped = False
    if service.alive():
        with contextlib.suppress(ProcessLookupError):
            os.kill(service.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while service.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if service.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(service.pid, signal.SIGKILL)
        stopped = True
    state.save(services)
    return stopped


def run_env() -> dict[str, str]:
    """What runs need to reach the emulator with no code change (empty when it is not up)."""
    current = status()
    if not current.running:
        return {}
    return {
        "AWS_ENDPOINT_URL": current.endpoint,
        "AWS_ENDPOINT_URL_S3": current.endpoint,
        **TEST_CREDENTIALS,
    }


def _ready(log: Path, offset: int, endpoint: str) -> bool:
    try:
        with log.open("rb") as fh:
            fh.seek(offset)
            started = b"object(s) restored" in fh.read()
    except OSError:
        return False
    return started and answers(endpoint)


def _port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


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
    """Objects written to the running emulator at or after ``since`` (empty when it is down).

    A run reports these as its artifacts: with no code change, ``aws s3 cp`` in a workflow
    leaves a record of where the model went.
    """
    current = status()
    if not current.running:
        return []
    import boto3  # ~0.3 s to import: only when there is an emulator to ask

    client = boto3.client("s3", endpoint_url=current.endpoint, **_boto_credentials())
    found = []
    cutoff = since.replace(microsecond=0)  # S3 keeps whole seconds
    for bucket in client.list_buckets().get("Buckets", []):
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"])
        for page in pages:
            for obj in page.get("Contents", []):
                if obj["LastModified"] >= cutoff:
                    found.append(
                        StoredObject(bucket["Name"], obj["Key"], obj["Size"], current.endpoint)
                    )
    return found


def _boto_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": TEST_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "region_name": TEST_CREDENTIALS["AWS_DEFAULT_REGION"],
    }
