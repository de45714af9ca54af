"""The sha256 an artifact event carries (``Artifact.sha256``): what tells two runs' artifacts
apart when their names are the same (``pipedeck diff``).

- a local file: the sha256 of its bytes;
- a local folder (a KFP artifact may be one; an upload-artifact is one): the sha256 of one
  line per regular file below it, ``<relative/posix/path>\\0<file's sha256>\\n``, in path
  order — two folders holding the same files with the same bytes have the same digest;
- an S3 object: the sha256 of its bytes, read through the S3 client (an ETag is an MD5 at
  best, and not even that for a multipart upload: never used for this);
- anything else (``gs://``, ``minio://`` on a cluster, a path that is gone): ``None``.

Everything reads in chunks of :data:`CHUNK`. Standard library only: the kfp.local driver
hashes its tasks' outputs in the component environment. Blocking: an async caller runs these
through ``asyncio.to_thread``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

CHUNK = 1024 * 1024


def stream_sha256(read: Callable[[int], bytes]) -> str:
    """The sha256 of what ``read(n)`` returns until it returns nothing (a file, an S3 body)."""
    digest = hashlib.sha256()
    while chunk := read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return stream_sha256(fh.read)


def folder_sha256(path: Path) -> str:
    """The digest of a folder's regular files (symlinks to files count as their target's
    bytes; symlinked folders are not followed)."""
    lines = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in files:
            full = Path(root) / name
            if full.is_file():
                lines.append(f"{full.relative_to(path).as_posix()}\0{file_sha256(full)}\n")
    return hashlib.sha256("".join(sorted(lines)).encode("utf-8")).hexdigest()


def local_path(uri: str) -> Path | None:
    """The local path a URI names (``/abs/path`` or ``file:///abs/path``), else ``None``."""
    if uri.startswith("file://"):
        return Path(unquote(urlparse(uri).path))
    if uri.startswith("/"):
        return Path(uri)
    return None


def path_sha256(path: Path) -> str | None:
    """A local file's or folder's digest; ``None`` when it is neither (gone, unreadable)."""
    try:
        if path.is_file():
            return file_sha256(path)
        if path.is_dir():
            return folder_sha256(path)
    except OSError:
        return None
    return None


def uri_sha256(uri: str) -> str | None:
    """The digest of a local artifact's content by its URI; ``None`` for a remote URI."""
    path = local_path(uri)
    return path_sha256(path) if path is not None else None


def s3_object_sha256(client: Any, bucket: str, key: str) -> str | None:
    """An S3 object's sha256, read in chunks through ``client`` (boto3's); ``None`` when it
    cannot be read (deleted meanwhile, the server went away)."""
    try:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            return stream_sha256(body.read)
        finally:
            body.close()
    except Exception:  # botocore's ClientError, a connection error: the digest is unknown
        return None
