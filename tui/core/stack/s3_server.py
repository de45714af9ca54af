"""The S3 emulator process: moto's server on loopback, with its data kept on disk.

moto keeps objects in memory only. This process restores buckets and objects from ``--data``
when it starts, then mirrors every change back to disk (checked every ``--interval`` seconds
and once more on SIGTERM), so a restart keeps them. Run as::

    python -m tui.core.stack.s3_server --host 127.0.0.1 --port 4566 --data DIR [--bucket B]...
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import urllib.parse
from pathlib import Path
from typing import Any

STATE_FILE = "index.json"


class Mirror:
    """Keeps ``data/<bucket>/`` in step with the emulator's buckets and objects."""

    def __init__(self, client: Any, data: Path) -> None:
        self.client = client
        self.data = data
        self.saved: dict[str, dict[str, str]] = {}  # bucket -> key -> etag

    def restore(self) -> int:
        count = 0
        for folder in sorted(p for p in self.data.iterdir() if p.is_dir()):
            index = _read_index(folder)
            self.client.create_bucket(Bucket=folder.name)
            self.saved[folder.name] = {}
            for key, entry in index.items():
                body = (folder / entry["file"]).read_bytes()
                put = self.client.put_object(
                    Bucket=folder.name,
                    Key=key,
                    Body=body,
                    ContentType=entry.get("content_type") or "binary/octet-stream",
                    Metadata=entry.get("metadata") or {},
                )
                self.saved[folder.name][key] = put["ETag"]
                count += 1
        return count

    def sync(self) -> None:
        live: dict[str, dict[str, str]] = {}
        for bucket in self.client.list_buckets().get("Buckets", []):
            name = bucket["Name"]
            keys: dict[str, str] = {}
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=name):
                for obj in page.get("Contents", []):
                    keys[obj["Key"]] = obj["ETag"]
            live[name] = keys
        if live == self.saved:
            return
        for name, keys in live.items():
            self._sync_bucket(name, keys)
        for gone in set(self.saved) - set(live):
            folder = self.data / gone
            for path in folder.glob("*"):
                path.unlink()
            folder.rmdir()
            del self.saved[gone]

    def _sync_bucket(self, name: str, keys: dict[str, str]) -> None:
        folder = self.data / name
        folder.mkdir(parents=True, exist_ok=True)
        before = self.saved.get(name, {})
        if keys == before and (folder / STATE_FILE).exists():
            return
        index = _read_index(folder)
        for key, etag in keys.items():
            if before.get(key) == etag and key in index:
                continue
            obj = self.client.get_object(Bucket=name, Key=key)
            filename = urllib.parse.quote(key, safe="") or "%2F"
            _atomic_write(folder / filename, obj["Body"].read())
            index[key] = {
                "file": filename,
                "etag": etag,
                "content_type": obj.get("ContentType", ""),
                "metadata": obj.get("Metadata", {}),
            }
        for key in set(index) - set(keys):
            (folder / index.pop(key)["file"]).unlink(missing_ok=True)
        _atomic_write(folder / STATE_FILE, json.dumps(index, indent=1).encode())
        self.saved[name] = dict(keys)


def _read_index(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pipedeck-s3", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--bucket", action="append", default=[])
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args(argv)

    import boto3
    from botocore.config import Config
    from moto.server import ThreadedMotoServer

    args.data.mkdir(parents=True, exist_ok=True)
    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{args.host}:{args.port}",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - the emulator's fixed test credentials
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 2}),
    )
    mirror = Mirror(client, args.data)
    restored = mirror.restore()
    for bucket in args.bucket:
        if bucket not in mirror.saved:
            client.create_bucket(Bucket=bucket)
    mirror.sync()
    print(
        f"s3 emulator on http://{args.host}:{args.port}: {restored} object(s) restored", flush=True
    )

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(args.interval):
        try:
            mirror.sync()
        except Exception as exc:  # keep serving; report and retry next tick
            print(f"s3 emulator: saving to {args.data} failed: {exc}", flush=True)
    mirror.sync()
    server.stop()


if __name__ == "__main__":
    main()
