"""The sha256 an artifact event carries: a file's bytes, a folder's files, nothing for what
pipedeck cannot read; events stored before the field existed still load."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tui.core import digests
from tui.core import events as ev


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_file_is_its_bytes_read_in_chunks(tmp_path: Path) -> None:
    big = bytes(range(256)) * (digests.CHUNK // 256 * 3 + 7)  # more than three chunks
    (tmp_path / "model.bin").write_bytes(big)
    assert digests.uri_sha256(str(tmp_path / "model.bin")) == sha(big)
    assert digests.uri_sha256((tmp_path / "model.bin").as_uri()) == sha(big)


def test_a_folder_is_its_files_paths_and_bytes(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for root, order in ((one, ("b.txt", "sub/a.txt")), (two, ("sub/a.txt", "b.txt"))):
        for name in order:  # written in another order: the same digest
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(f"content of {name}")
    expected = sha(
        (f"b.txt\0{sha(b'content of b.txt')}\nsub/a.txt\0{sha(b'content of sub/a.txt')}\n").encode()
    )
    assert digests.path_sha256(one) == digests.path_sha256(two) == expected
    (two / "sub" / "a.txt").write_text("other bytes")
    assert digests.path_sha256(two) != expected
    (two / "sub" / "a.txt").write_text("content of sub/a.txt")
    (two / "sub" / "a.txt").rename(two / "sub" / "renamed.txt")
    assert digests.path_sha256(two) != expected  # the same bytes under another name


def test_what_cannot_be_read_has_no_digest(tmp_path: Path) -> None:
    assert digests.uri_sha256(str(tmp_path / "gone")) is None
    assert digests.uri_sha256("minio://mlpipeline/v2/artifacts/x") is None
    assert digests.uri_sha256("gs://bucket/model") is None
    assert digests.uri_sha256("relative/path") is None


def test_an_artifact_event_stored_without_the_field_loads_with_none() -> None:
    old = {
        "type": "artifact",
        "run_id": "r1",
        "ts": "2026-11-26T07:30:00+00:00",
        "node_id": "train",
        "name": "model",
        "uri": "/tmp/model",
        "artifact_type": "system.Model",
        "metadata": {},
    }
    event = ev.loads(json.dumps(old))
    assert isinstance(event, ev.Artifact) and event.sha256 is None
    hashed = ev.Artifact(run_id="r1", node_id="n", name="m", uri="/x", sha256=sha(b"x"))
    assert ev.loads(ev.dumps(hashed)) == hashed
    assert ev.to_dict(hashed)["sha256"] == sha(b"x")
