"""`pipedeck demo --headless`: the sample project's workflow and pipeline side by side; both
succeed, the model lands in the local S3 server's bucket and metrics are reported; both read
the data version DVC tracks from its remote on the local S3 server and record it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, log_lines, run_cli
from tui.core import events as ev
from tui.core.stack import dvc_remote, s3
from tui.core.store import RunStore
from tui.core.workflows.act_argv import free_port

HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
(DATA,) = dvc_remote.tracked(REPO / "sample_project")  # data/iris.csv, as its .dvc pins it
REMOTE = "s3://pipedeck-data/dvcstore"  # the sample's .dvc/config


@pytest.mark.timeout(900)  # a fresh state dir: the workflow installs DVC's ~100 packages
def test_headless_demo_runs_both_sides_end_to_end(monkeypatch) -> None:
    port = free_port()
    monkeypatch.setenv("PIPEDECK_S3_PORT", str(port))
    if HOST_CA.exists():  # this machine's HTTPS goes through an intercepting proxy
        monkeypatch.setenv("PIPEDECK_CA_BUNDLE", str(HOST_CA))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui", "demo", "--headless"],
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, "COLUMNS": "200"},
        )
        assert done.returncode == 0, done.stdout + done.stderr
        client = s3.client(f"http://127.0.0.1:{port}")  # the identity `up` generated
        model = client.get_object(Bucket="my-model-storage", Key="model.pkl")["Body"].read()
        assert len(model) > 100  # a pickled classifier
        assert "model: s3://my-model-storage/model.pkl" in done.stdout
        runs = {meta.kind: meta for meta in RunStore().list()}
        assert runs["workflow"].status == "success" and runs["pipeline"].status == "success"
        metrics = {
            kind: {e.name for e in RunStore().get(meta.run_id).events() if e.type == "metric"}
            for kind, meta in runs.items()
        }
        assert {"train_accuracy", "test_accuracy"} <= metrics["workflow"]
        assert {"train_accuracy", "test_accuracy", "drift"} <= metrics["pipeline"]
        shown = run_cli("show", runs["workflow"].run_id)
        assert "s3://my-model-storage/model.pkl" in shown.stdout

        # the data: pushed to the DVC remote by the demo, pulled by the workflow, read by the
        # pipeline's preprocess, recorded with each model and shown beside its metrics
        md5 = DATA.md5
        remote = client.get_object(
            Bucket="pipedeck-data", Key=dvc_remote.Remote("", REMOTE).key(md5)
        )
        assert remote["Body"].read() == (REPO / "sample_project" / "data" / "iris.csv").read_bytes()
        head = client.head_object(Bucket="my-model-storage", Key="model.pkl")
        assert head["Metadata"]["data-md5"] == md5
        out = " ".join(done.stdout.split())
        assert f"data: data/iris.csv md5 {md5} (data/iris.csv.dvc, DVC remote {REMOTE})" in out
        assert f"· data md5 {md5} (the model's S3 metadata)" in out
        assert f"· data md5 {md5} (the model artifact's metadata)" in out
        logs = {
            kind: "\n".join(
                log_lines([ev.to_dict(e) for e in RunStore().get(meta.run_id).events()])
            )
            for kind, meta in runs.items()
        }
        assert "1 file fetched and 1 file added" in logs["workflow"]  # `dvc pull`
        assert (
            f"data: data/iris.csv md5 {md5} (the version data/iris.csv.dvc tracks)"
            in (logs["workflow"])
        )
        assert f"data: md5 {md5} from the DVC remote {REMOTE} (150 rows)" in logs["pipeline"]
    finally:
        run_cli("down")
