"""``auto`` never picks a container mode whose containers cannot verify HTTPS, with the real
Docker engine: a throwaway CA signs a package index on 127.0.0.1 (what an intercepting proxy
does), and a "host bundle" that trusts it is what the host's system CA bundle is there."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui.core.images import container_https, docker_engine
from tui.core.pipelines import docker_mode
from tui.core.workflows.mode import choose_mode

pytestmark = [pytest.mark.docker, pytest.mark.timeout(900)]


def make_ca(folder: Path, name: str) -> tuple[Path, object, object]:
    """A CA's PEM file, with its key and certificate (to sign a server's)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    path = folder / f"{name}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path, key, cert


def server_files(folder: Path, ca_key: object, ca_cert: object) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by the CA, and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_cert.subject)  # type: ignore[attr-defined]
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Index(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<html>pip</html>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def intercepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """A package index behind a throwaway CA only the "host bundle" trusts; ``other`` is a
    bundle of an unrelated CA (a host whose bundle does not help)."""
    trusted, ca_key, ca_cert = make_ca(tmp_path, "throwaway-proxy-ca")
    other, _, _ = make_ca(tmp_path, "unrelated-ca")
    cert, key = server_files(tmp_path, ca_key, ca_cert)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # the probe reaches PIP_INDEX_URL; the background probe inherits it
    monkeypatch.setenv("PIP_INDEX_URL", f"https://127.0.0.1:{server.server_address[1]}/simple/")
    try:
        yield {"trusted": trusted, "other": other}
    finally:
        server.shutdown()
        server.server_close()


def host_bundle_is(monkeypatch: pytest.MonkeyPatch, bundle: Path) -> None:
    monkeypatch.setattr(container_https, "HOST_BUNDLES", (bundle,))


def kept() -> list[Path]:
    folder = container_https.cache_dir()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def wait_for(condition: Callable[[], bool], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the background probe never answered"
        time.sleep(0.2)


def no_probe_containers_left() -> bool:
    cli = docker_engine.client()
    try:
        left = cli.containers.list(all=True, filters={"label": container_https.PROBE_LABEL})
    finally:
        cli.close()
    return not left


def test_auto_gives_job_containers_the_host_bundle_found_in_the_background(
    runner_image: str, intercepted: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    host = intercepted["trusted"]
    host_bundle_is(monkeypatch, host)
    first = choose_mode("auto")  # nothing known yet: the host's bundle, probed behind it
    assert kept() == []  # the probe was not on the run's way in
    assert (first.mode, first.ca_bundle) == ("docker", host)
    assert f"containers get the host's CA bundle {host} (checking whether" in first.reason
    wait_for(lambda: len(kept()) == 2)  # without a bundle, and with the host's
    wait_for(lambda: not list(container_https.cache_dir().glob("*.pending")))
    second = choose_mode("auto")
    assert (second.mode, second.ca_bundle) == ("docker", host)
    assert f"{host} (without it they cannot verify HTTPS)" in second.reason
    assert no_probe_containers_left()


def test_containers_that_need_no_bundle_get_none(
    runner_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host_bundle_is(monkeypatch, make_ca(tmp_path, "unused-ca")[0])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index)  # plain HTTP: no CA
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        assert container_https.probe(runner_image, None).ok
        choice = choose_mode("auto")
    finally:
        server.shutdown()
        server.server_close()
    assert (choice.mode, choice.ca_bundle) == ("docker", None)
    assert "CA bundle" not in choice.reason


def test_auto_falls_back_to_host_and_subprocess_when_no_bundle_helps(
    runner_image: str,
    component_image: str,
    intercepted: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host_bundle_is(monkeypatch, intercepted["other"])
    for image in (runner_image, component_image):  # what doctor and the demo ask
        assert not container_https.probe(image, None).ok
        assert not container_https.probe(image, intercepted["other"]).ok
    workflow = choose_mode("auto")
    assert workflow.mode == "host"
    assert "containers cannot verify HTTPS, with the host's CA bundle or without" in (
        workflow.reason
    )
    pipeline = docker_mode.choose_mode("auto")
    assert pipeline.mode == "subprocess" and "cannot verify HTTPS" in pipeline.reason
    asked = choose_mode("docker")  # what the user asked for is kept, with the reason
    assert asked.mode == "docker" and "warning: containers cannot verify HTTPS" in asked.reason
    assert no_probe_containers_left()


def test_a_configured_bundle_is_the_one_that_counts(
    component_image: str, intercepted: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    host_bundle_is(monkeypatch, intercepted["trusted"])
    assert container_https.probe(component_image, intercepted["trusted"]).ok  # python3's ssl
    good = docker_mode.choose_mode("auto", intercepted["trusted"])
    assert (good.mode, good.ca_bundle) == ("docker", intercepted["trusted"])
    assert "host's CA bundle" not in good.reason
    assert not container_https.probe(component_image, intercepted["other"]).ok
    bad = docker_mode.choose_mode("auto", intercepted["other"])
    assert bad.mode == "subprocess"
    assert f"even with ca_bundle {intercepted['other']}" in bad.reason
