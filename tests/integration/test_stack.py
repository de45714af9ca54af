"""The local stack: doctor, up/down/status, the local S3 server (SeaweedFS, signed requests
only, nothing else open) and runs that reach it."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import psutil
import pytest

from tests.conftest import FIXTURES, MODES, log_lines, run_cli
from tui.core.stack import s3, state
from tui.core.workflows.act_argv import free_port


def s3_client(endpoint: str):
    return s3.client(endpoint)  # signed with the identity `up` generated


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None):
    """(status, headers) of one plain, unsigned HTTP request; (None, {}) if refused."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)
    except (urllib.error.URLError, OSError, ValueError):
        return None, {}


def listeners(pid: int) -> list[tuple[str, int]]:
    proc = psutil.Process(pid)
    found = [c for c in proc.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    return sorted({(c.laddr.ip, c.laddr.port) for c in found})


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`pipedeck up` on a free port; `pipedeck down` afterwards."""
    port = free_port()
    monkeypatch.setenv("PIPEDECK_S3_PORT", str(port))
    up = run_cli("up")
    assert up.code == 0, up.stderr
    yield f"http://127.0.0.1:{port}"
    run_cli("down")


def test_up_is_idempotent_and_down_stops_exactly_it(stack: str) -> None:
    first = state.load()["s3"]
    again = run_cli("up")
    assert again.code == 0 and "already running" in again.stdout
    assert state.load()["s3"] == first
    assert "✓ S3 server: SeaweedFS" in run_cli("status").stdout
    began = time.monotonic()
    assert run_cli("down").stdout.strip() == "S3 server stopped"
    assert time.monotonic() - began < 2.5  # the CLI's start-up included
    assert not first.alive()
    assert not psutil.pid_exists(first.pid) or not first.alive()
    assert run_cli("down").stdout.strip() == "nothing to stop"
    assert "not started" in run_cli("status").stdout


def test_the_default_bucket_exists_and_objects_survive_a_restart(stack: str) -> None:
    client = s3_client(stack)
    assert "my-model-storage" in [b["Name"] for b in client.list_buckets()["Buckets"]]
    client.create_bucket(Bucket="extra")
    client.put_object(Bucket="extra", Key="dir/a b.txt", Body=b"kept", ContentType="text/plain")
    assert run_cli("down").code == 0
    assert run_cli("up").code == 0
    obj = s3_client(stack).get_object(Bucket="extra", Key="dir/a b.txt")
    assert obj["Body"].read() == b"kept"
    assert obj["ContentType"] == "text/plain"


def test_every_listener_is_on_loopback(stack: str) -> None:
    found = listeners(state.load()["s3"].pid)
    assert len(found) >= 5  # S3, master, volume, filer, admin and their gRPC ports
    assert {ip for ip, _ in found} == {"127.0.0.1"}
    assert not {8181, 9101, 7333, 23646, 8888} & {port for _, port in found}  # all chosen


def test_only_a_signed_request_reaches_the_data(stack: str) -> None:
    client = s3_client(stack)
    client.put_object(Bucket="my-model-storage", Key="model.pkl", Body=b"weights")
    obj = f"{stack}/my-model-storage/model.pkl"
    assert http("GET", f"{stack}/")[0] == 403
    assert http("GET", obj)[0] == 403
    assert http("PUT", f"{stack}/my-model-storage/evil", b"evil")[0] == 403
    assert http("DELETE", obj)[0] == 403
    assert http("POST", f"{stack}/moto-api/reset")[0] in (403, 404, 405)
    wrong = s3.client(stack)
    wrong._request_signer._credentials.secret_key = "not-the-secret"
    with pytest.raises(Exception, match=r"SignatureDoesNotMatch|403|Forbidden"):
        wrong.get_object(Bucket="my-model-storage", Key="model.pkl")
    evil = {"Origin": "http://evil.example", "Access-Control-Request-Method": "PUT"}
    for method, url in (("OPTIONS", obj), ("GET", obj), ("OPTIONS", f"{stack}/my-model-storage")):
        status, headers = http(method, url, headers=evil)
        assert "Access-Control-Allow-Origin" not in headers, (method, url, status)
    assert (
        client.get_object(Bucket="my-model-storage", Key="model.pkl")["Body"].read() == b"weights"
    )


def test_no_other_port_takes_an_unauthenticated_write(stack: str) -> None:
    s3_port = int(stack.rsplit(":", 1)[1])
    others = [port for _, port in listeners(state.load()["s3"].pid) if port != s3_port]
    tls = ssl.create_default_context()
    tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
    for port in others:
        base = f"http://127.0.0.1:{port}"
        for method, path in (
            ("POST", "/buckets/my-model-storage/evil.txt"),  # the filer's write API
            ("PUT", "/buckets/my-model-storage/evil.txt"),
            ("POST", "/dir/assign"),  # the master hands out volume write tokens
            ("POST", "/vol/grow?count=1"),
            ("POST", "/1,0123456789"),  # a volume write
            ("DELETE", "/buckets/my-model-storage"),
        ):
            status, _ = http(method, base + path, b"evil")
            assert status is None or not 200 <= status < 300, (port, method, path, status)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            try:
                with tls.wrap_socket(raw) as conn:  # a gRPC port: mutual TLS, no client cert
                    conn.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
                    assert conn.recv(64) == b"", f"port {port} spoke to a client without a cert"
            except (ssl.SSLError, OSError):
                pass  # refused: no certificate, or not a TLS port at all
    keys = [
        o["Key"]
        for o in s3_client(stack).list_objects_v2(Bucket="my-model-storage").get("Contents", [])
    ]
    assert "evil.txt" not in keys and "evil" not in keys


@pytest.mark.parametrize("mode", MODES)
def test_a_workflow_uploads_to_the_server_with_aws_s3_cp(
    stack: str, workflow_project, mode: str, request: pytest.FixtureRequest
) -> None:
    if mode == "docker":
        request.getfixturevalue("runner_image")
    project = workflow_project("s3upload")
    result = run_cli("run", "workflow", "--runner", mode, "--json", "--project", str(project))
    assert result.code == 0, result.stdout[-2000:] + result.stderr
    body = s3_client(stack).get_object(Bucket="my-model-storage", Key="model.pkl")["Body"].read()
    assert body.startswith(b"weights-")
    uris = [e["uri"] for e in result.events if e["type"] == "artifact"]
    assert uris == ["s3://my-model-storage/model.pkl"]  # where the model went
    assert "s3://my-model-storage/model.pkl" in run_cli("show", "last").stdout


def test_doctor_with_the_engine_stopped_says_how_to_start_it() -> None:
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "tui", "doctor"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if "Docker engine" in line)
    assert "✗" in row and "not answering" in row and "start it" in row
    assert "embedded default (host + subprocess + local S3 server) can run" in done.stdout


@pytest.mark.docker
def test_doctor_with_the_engine_answering(runner_image: str) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "tui", "doctor"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0
    engine = next(line for line in done.stdout.splitlines() if "Docker engine" in line)
    image = next(line for line in done.stdout.splitlines() if "runner image" in line)
    assert "✓" in engine and "version" in engine
    assert "✓" in image and runner_image in image


def test_a_pipeline_component_writes_to_the_server_with_boto3(stack: str) -> None:
    result = run_cli(
        "run",
        "pipeline",
        "s3_upload.py",
        "--json",
        "--param",
        "key=kfp.pkl",
        cwd=FIXTURES / "pipelines",
        timeout=600,
    )
    assert result.code == 0, result.stdout[-2000:] + result.stderr
    body = s3_client(stack).get_object(Bucket="my-model-storage", Key="kfp.pkl")["Body"].read()
    assert body == b"pipeline-model"


def test_objects_an_older_pipedecks_moto_kept_are_imported(monkeypatch) -> None:
    from tui.core.stack import seaweed

    old = seaweed.home() / "old-models"
    old.mkdir(parents=True)
    (old / "m.pkl").write_bytes(b"from moto")
    (old / "index.json").write_text(
        '{"v1/m.pkl": {"file": "m.pkl", "etag": "x", "content_type": "text/plain"}}'
    )
    port = free_port()
    monkeypatch.setenv("PIPEDECK_S3_PORT", str(port))
    try:
        assert run_cli("up", "--no-build").code == 0
        obj = s3_client(f"http://127.0.0.1:{port}").get_object(Bucket="old-models", Key="v1/m.pkl")
        assert obj["Body"].read() == b"from moto"
        assert (
            not old.exists() and (seaweed.home() / "moto-mirror-imported" / "old-models").is_dir()
        )
    finally:
        run_cli("down")


def test_the_secret_key_never_shows_in_a_run(stack: str, tmp_path) -> None:
    from tests.conftest import git_init

    project = tmp_path / "leaky"
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / ".github" / "workflows" / "leak.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: echo "key $AWS_SECRET_ACCESS_KEY"\n'
    )
    git_init(project)
    result = run_cli("run", "workflow", "--runner", "host", "--json", "--project", str(project))
    assert result.code == 0, result.stderr
    secret = s3.run_env()["AWS_SECRET_ACCESS_KEY"]
    assert secret not in result.stdout
    assert "key ***" in log_lines(result.events)
