"""`pipedeck demo --headless`: the sample project's workflow and pipeline side by side; both
succeed, the model lands in the local S3 server's bucket and metrics are reported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli
from tui.core.stack import s3
from tui.core.store import RunStore
from tui.core.workflows.act_argv import free_port

HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


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
    finally:
        run_cli("down")
