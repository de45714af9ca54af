"""Can a job container reach a package index over HTTPS? Behind an intercepting proxy it cannot
until it trusts the proxy's CA (the ``ca_bundle`` setting); ``doctor`` and ``demo`` ask."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tui.core.workflows.act_argv import CONTAINER_CA_BUNDLE

HOST_BUNDLES = (
    Path("/etc/ssl/certs/ca-certificates.crt"),  # Debian, Ubuntu, Alpine
    Path("/etc/pki/tls/certs/ca-bundle.crt"),  # Fedora, RHEL
)


@dataclass(frozen=True)
class Probe:
    ok: bool
    detail: str


def host_bundle() -> Path | None:
    return next((p for p in HOST_BUNDLES if p.is_file()), None)


def index_url() -> str:
    return os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple/pip/"


def probe(image: str, ca_bundle: Path | None, timeout: int = 30) -> Probe:
    """Run ``curl`` against the package index in a container of ``image`` (host network, as
    act runs jobs). Needs an engine and the image."""
    from tui.core.images import docker_engine

    client = docker_engine.client(timeout=timeout + 10)
    volumes = {}
    env = {}
    if ca_bundle is not None:
        volumes[str(ca_bundle)] = {"bind": CONTAINER_CA_BUNDLE, "mode": "ro"}
        env["CURL_CA_BUNDLE"] = CONTAINER_CA_BUNDLE
    url = index_url()
    try:
        client.containers.run(
            image,
            ["curl", "-sS", "--max-time", str(timeout), "-o", "/dev/null", url],
            network_mode="host",
            volumes=volumes,
            environment=env,
            remove=True,
            stdout=False,
            stderr=True,
        )
    except Exception as exc:  # ContainerError carries curl's stderr
        text = str(getattr(exc, "stderr", b"") or exc)
        if isinstance(getattr(exc, "stderr", None), bytes):
            text = exc.stderr.decode(errors="replace")  # type: ignore[attr-defined]
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        return Probe(False, f"{url}: {first}")
    finally:
        client.close()
    return Probe(True, f"{url} answers")


def is_certificate_problem(detail: str) -> bool:
    lowered = detail.lower()
    return "certificate" in lowered or "ssl" in lowered
