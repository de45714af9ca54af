"""What a finished workflow run left, as ``artifact`` events with their content's sha256
(:mod:`tui.core.digests`): each artifact in the run's artifact folder (``upload-artifact``
writes one folder per name there), then each object the run wrote to the local S3 server
(where the model went; read back through the server's S3 client to hash it).

Blocking (files, S3 requests): the runner calls :func:`run_artifacts` in a thread.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tui.core import digests
from tui.core import events as ev
from tui.core.stack import s3

FOLDER_ARTIFACT = "workflow.artifact"
S3_OBJECT = "s3.object"


def run_artifacts(run_id: str, since: datetime, folder: Path) -> list[ev.Event]:
    return [*folder_artifacts(run_id, folder), *s3_artifacts(run_id, since)]


def folder_artifacts(run_id: str, folder: Path) -> list[ev.Event]:
    """One event per entry of the artifact folder, by name."""
    try:
        entries = sorted(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        return []
    return [
        ev.Artifact(
            run_id=run_id,
            node_id="",
            name=entry.name,
            uri=str(entry),
            artifact_type=FOLDER_ARTIFACT,
            sha256=digests.path_sha256(entry),
        )
        for entry in entries
        if not entry.name.startswith(".")
    ]


def s3_artifacts(run_id: str, since: datetime) -> list[ev.Event]:
    """The objects written to the local S3 server since ``since``; a server that went away
    is one ``system`` line, and the run's result stands."""
    try:
        found = s3.objects_since(since)
        client = s3.client(found[0].endpoint) if found else None
    except Exception as exc:
        return [ev.Log(run_id=run_id, stream="system", text=f"S3 server: {exc}")]
    return [
        ev.Artifact(
            run_id=run_id,
            node_id="",
            name=obj.key,
            uri=obj.uri,
            artifact_type=S3_OBJECT,
            metadata={"size": obj.size, "endpoint": obj.endpoint},
            sha256=digests.s3_object_sha256(client, obj.bucket, obj.key),
        )
        for obj in found
    ]
