"""HTTPS for ``recordroom serve``: a TLS 1.2+ server context and a self-signed certificate for local use
(HIPAA 164.312(e)(1) transmission security, (e)(2)(ii) encryption; ONC 170.315(d)(9) trusted connection,
RULES.md ONC-12: a client offering only TLS 1.1 is refused).

TLS 1.2 is limited to ECDHE key exchange with AES-GCM (NIST SP 800-52 Rev. 2, 3.3.1); TLS 1.3 suites
are OpenSSL's defaults (all AEAD). In production, TLS usually ends at a reverse proxy instead
(docs/operations/deployment in docs/security/encryption.md, "In transit").
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from recordroom.core import clock
from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.keyring import write_private_file

TLS12_CIPHERS = "ECDHE+AESGCM"
SELF_SIGNED_DAYS = 397  # the CA/Browser Forum's maximum for a server certificate


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server context that accepts TLS 1.2 and 1.3 only, with AEAD cipher suites."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(TLS12_CIPHERS)
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_CIPHER_SERVER_PREFERENCE
    try:
        context.load_cert_chain(certfile=str(cert), keyfile=str(key))
    except (OSError, ssl.SSLError) as exc:
        raise VaultError(
            VaultErrorCode.TLS_CONFIG, f"the TLS certificate or key cannot be loaded: {type(exc).__name__}"
        ) from None
    return context


def write_self_signed(folder: Path, hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")) -> tuple[Path, Path]:
    """A self-signed ECDSA P-256 certificate for ``hosts`` (local use only), written as ``cert.pem`` and
    ``key.pem`` (0600) in ``folder``; an existing pair that is still valid for 30 days is reused."""
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    now = clock.now()
    if cert_path.exists() and key_path.exists():
        existing = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if existing.not_valid_after_utc - now > dt.timedelta(days=30):
            return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Recordroom local (self-signed)")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SELF_SIGNED_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private_file(
        key_path,
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    write_private_file(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def https_server(app: Any, *, host: str, port: int, cert: Path, key: Path, threads: int) -> Any:
    """A cheroot WSGI server that speaks only HTTPS with :func:`server_context`; call ``.start()``
    (blocking) or ``.prepare()`` + ``.serve()``, and ``.stop()``."""
    from cheroot import wsgi
    from cheroot.ssl.builtin import BuiltinSSLAdapter

    context = server_context(cert, key)
    server = wsgi.Server((host, port), app, numthreads=threads, server_name="Recordroom")
    adapter = BuiltinSSLAdapter(str(cert), str(key))
    adapter.context = context
    server.ssl_adapter = adapter
    return server
