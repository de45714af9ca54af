"""A private certificate authority for the local S3 server's gRPC ports.

SeaweedFS's components talk gRPC to each other (master, volume, filer, S3 gateway, admin,
worker); with mutual TLS on every one of those ports, only a holder of the certificate made
here — kept 0600 in pipedeck's state dir — can speak to them. SeaweedFS does not check host
names, so one certificate serves every component, as client and as server.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from tui.core.paths import PRIVATE_FILE

VALID_DAYS = 3650


def write_private(path: Path, data: bytes) -> None:
    """``data`` into ``path``, readable by its owner only (replaced atomically)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    tmp.replace(path)


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """``ca.crt``, ``node.crt`` and ``node.key`` in ``folder`` (made once, then reused)."""
    ca_path, cert_path, key_path = folder / "ca.crt", folder / "node.crt", folder / "node.key"
    if ca_path.is_file() and cert_path.is_file() and key_path.is_file():
        return ca_path, cert_path, key_path
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=VALID_DAYS)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pipedeck local S3 CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    node_key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    node = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pipedeck-s3")]))
        .issuer_name(ca_name)
        .public_key(node_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    write_private(ca_path, ca.public_bytes(pem))
    write_private(cert_path, node.public_bytes(pem))
    key_format = serialization.PrivateFormat.PKCS8
    write_private(key_path, node_key.private_bytes(pem, key_format, serialization.NoEncryption()))
    return ca_path, cert_path, key_path
