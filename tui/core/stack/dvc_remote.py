"""A project's DVC remote on the local S3 server: what its ``.dvc`` files track, put there
when the remote lacks it, so ``dvc pull`` in a run (or on a fresh machine) finds the data.

DVC 3 keeps a tracked file in a remote at ``<url>/files/md5/<first 2 hex digits>/<other 30>``
of the md5 its ``.dvc`` file records (``hash: md5``: the md5 of the file's bytes). An
``s3://`` remote that names no ``endpointurl`` follows ``AWS_ENDPOINT_URL``, which pipedeck
sets for every run to the local server; :func:`seed` writes that layout with the server's
own signed client, as ``dvc push`` would, from the project's working tree — nothing of DVC
needs to be installed for it.

Blocking (files, S3 requests): ``pipedeck up`` and the demo's set-up call it.
"""

from __future__ import annotations

import configparser
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tui.core.errors import MissingPrerequisite

SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv"})

PUSHED, PRESENT, MISSING, DIFFERS = "pushed", "present", "missing", "differs"


@dataclass(frozen=True)
class Remote:
    name: str
    url: str  # s3://bucket/prefix

    @property
    def bucket(self) -> str:
        return self.url.removeprefix("s3://").partition("/")[0]

    def key(self, md5: str) -> str:
        """Where DVC 3 keeps the file whose md5 is ``md5``."""
        prefix = self.url.removeprefix("s3://").partition("/")[2].strip("/")
        return "/".join(p for p in (prefix, "files", "md5", md5[:2], md5[2:]) if p)


@dataclass(frozen=True)
class Tracked:
    """One output of a ``.dvc`` file: paths relative to the project."""

    dvc_file: Path
    path: Path
    md5: str


@dataclass(frozen=True)
class Seeded:
    tracked: Tracked
    remote: Remote
    state: str  # PUSHED, PRESENT, MISSING (not here, not there), DIFFERS (here, not that version)

    @property
    def ok(self) -> bool:
        return self.state in (PUSHED, PRESENT)

    @property
    def line(self) -> str:
        t, where = self.tracked, f"DVC remote {self.remote.url}"
        if self.state == PUSHED:
            return f"{where}: pushed {t.path} (md5 {t.md5}, tracked by {t.dvc_file})"
        if self.state == PRESENT:
            return f"{where}: has {t.path} (md5 {t.md5}, tracked by {t.dvc_file})"
        if self.state == DIFFERS:
            return (
                f"{where} lacks {t.path} md5 {t.md5} ({t.dvc_file}), and the file here is"
                f" another version: `dvc add {t.path}` then `dvc push`, or `dvc checkout`"
            )
        return (
            f"{where} lacks {t.path} md5 {t.md5} ({t.dvc_file}) and it is not here:"
            " `dvc push` it from a machine that has it"
        )


def default_remote(project: Path, endpoint: str = "") -> Remote | None:
    """The DVC project's default remote when it is an ``s3://`` one that follows
    ``AWS_ENDPOINT_URL`` (no ``endpointurl``, or ``endpoint``); None otherwise."""
    folder = project / ".dvc"
    config = configparser.ConfigParser(interpolation=None)
    try:
        config.read([folder / "config", folder / "config.local"], encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    name = _unquoted(config.get("core", "remote", fallback=""))
    section = f"'remote \"{name}\"'"
    if not name or not config.has_section(section):
        return None
    url = _unquoted(config.get(section, "url", fallback=""))
    custom = _unquoted(config.get(section, "endpointurl", fallback=""))
    if not url.startswith("s3://") or not url.removeprefix("s3://").strip("/"):
        return None
    if custom and custom.rstrip("/") != endpoint.rstrip("/"):
        return None
    return Remote(name, url)


def tracked(project: Path) -> list[Tracked]:
    """The files the project's ``.dvc`` files track by md5 (directories are left to
    ``dvc push``), in path order."""
    found = []
    for root, dirs, files in os.walk(project):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(f for f in files if f.endswith(".dvc")):
            dvc_file = Path(root) / name
            found += _outs(project, dvc_file)
    return found


def seed(project: Path, client: Any, endpoint: str = "") -> list[Seeded]:
    """Put each tracked file the remote lacks there (creating its bucket), from the project's
    working tree when the file there is the tracked version. Empty when the project has no
    DVC remote on the local server."""
    remote = default_remote(project, endpoint)
    if remote is None:
        return []
    files = tracked(project)
    if not files:
        return []
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return _seed(project, client, remote, files)
    except (BotoCoreError, ClientError, OSError) as exc:
        raise MissingPrerequisite(
            f"DVC remote {remote.url} on the local S3 server: {exc}"
        ) from None


def _seed(project: Path, client: Any, remote: Remote, files: list[Tracked]) -> list[Seeded]:
    _ensure_bucket(client, remote.bucket)
    out = []
    for item in files:
        key = remote.key(item.md5)
        if _exists(client, remote.bucket, key):
            out.append(Seeded(item, remote, PRESENT))
            continue
        local = project / item.path
        if not local.is_file():
            out.append(Seeded(item, remote, MISSING))
        elif file_md5(local) != item.md5:
            out.append(Seeded(item, remote, DIFFERS))
        else:
            client.upload_file(str(local), remote.bucket, key)
            out.append(Seeded(item, remote, PUSHED))
    return out


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _outs(project: Path, dvc_file: Path) -> list[Tracked]:
    try:
        data = yaml.safe_load(dvc_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    outs = data.get("outs") if isinstance(data, dict) else None
    found = []
    for out in outs if isinstance(outs, list) else []:
        if not isinstance(out, dict) or out.get("hash") != "md5":
            continue  # DVC 2 (no hash: md5) kept another layout, its md5 of normalised text
        md5, path = str(out.get("md5", "")), out.get("path")
        if len(md5) != 32 or not isinstance(path, str):
            continue  # a directory's md5 ends in .dir
        data_path = (dvc_file.parent / path).resolve()
        try:
            relative = data_path.relative_to(project.resolve())
        except ValueError:
            continue
        found.append(Tracked(dvc_file.relative_to(project), relative, md5))
    return found


def _exists(client: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def _ensure_bucket(client: Any, bucket: str) -> None:
    have = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in have:
        client.create_bucket(Bucket=bucket)


def _unquoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
