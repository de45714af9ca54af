"""Reading a project's DVC set-up for the local S3 server (``tui.core.stack.dvc_remote``):
which remote follows ``AWS_ENDPOINT_URL``, what the ``.dvc`` files track, and where DVC 3
keeps each file in the remote. The sample project's own files are the first case."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tui.core.stack.dvc_remote import Remote, default_remote, tracked

SAMPLE = Path(__file__).resolve().parents[2] / "sample_project"


def dvc_project(tmp_path: Path, config: str, local: str = "") -> Path:
    (tmp_path / ".dvc").mkdir(parents=True)
    (tmp_path / ".dvc" / "config").write_text(config)
    if local:
        (tmp_path / ".dvc" / "config.local").write_text(local)
    return tmp_path


def test_the_sample_tracks_its_data_in_a_bucket_of_the_local_server() -> None:
    assert (SAMPLE / "data" / "iris.csv").is_file(), (
        "sample_project/data/iris.csv is missing: the sample git-ignores it (DVC tracks it),"
        " so pipedeck's own repository holds it through `git add -f` (the demo seeds the DVC"
        " remote from it)"
    )
    assert default_remote(SAMPLE) == Remote("storage", "s3://pipedeck-data/dvcstore")
    (data,) = tracked(SAMPLE)
    assert (data.dvc_file, data.path) == (Path("data/iris.csv.dvc"), Path("data/iris.csv"))
    assert data.md5 == hashlib.md5((SAMPLE / "data" / "iris.csv").read_bytes()).hexdigest()


def test_dvc3_keeps_a_file_under_files_md5() -> None:
    md5 = "013d0da08d6506664ce640459139176b"
    assert Remote("r", "s3://b/store/").key(md5) == f"store/files/md5/01/{md5[2:]}"
    assert Remote("r", "s3://b").key(md5) == f"files/md5/01/{md5[2:]}"


def test_only_an_s3_remote_that_follows_aws_endpoint_url(tmp_path: Path) -> None:
    own = "[core]\n    remote = s\n['remote \"s\"']\n    url = s3://b/p\n"
    elsewhere = own + "    endpointurl = https://minio.example:9000\n"
    assert default_remote(dvc_project(tmp_path / "a", own)) == Remote("s", "s3://b/p")
    assert default_remote(dvc_project(tmp_path / "b", elsewhere)) is None
    assert default_remote(dvc_project(tmp_path / "c", elsewhere), "https://minio.example:9000")
    local = "['remote \"s\"']\n    url = /mnt/dvc\n"  # config.local overrides the url
    assert default_remote(dvc_project(tmp_path / "d", own, local)) is None
    assert default_remote(dvc_project(tmp_path / "e", "[core]\n    remote = s\n")) is None
    assert default_remote(tmp_path / "f") is None  # no .dvc/


def test_tracked_reads_dvc3_files_only(tmp_path: Path) -> None:
    project = dvc_project(tmp_path, "")
    (project / "data").mkdir()
    md5 = "3f2a" * 8
    (project / "data" / "a.csv.dvc").write_text(
        f"outs:\n- md5: {md5}\n  size: 3\n  hash: md5\n  path: a.csv\n"
    )
    (project / "data" / "old.csv.dvc").write_text(f"outs:\n- md5: {md5}\n  path: old.csv\n")
    (project / "images.dvc").write_text(
        f"outs:\n- md5: {md5}.dir\n  hash: md5\n  nfiles: 2\n  path: images\n"
    )
    (project / "outside.dvc").write_text(f"outs:\n- md5: {md5}\n  hash: md5\n  path: ../x\n")
    (project / "broken.dvc").write_text("outs: [\n")
    (project / ".venv").mkdir()
    (project / ".venv" / "pkg.dvc").write_text(f"outs:\n- md5: {md5}\n  hash: md5\n  path: p\n")
    found = tracked(project)
    assert [(t.dvc_file, t.path, t.md5) for t in found] == [
        (Path("data/a.csv.dvc"), Path("data/a.csv"), md5)
    ]
