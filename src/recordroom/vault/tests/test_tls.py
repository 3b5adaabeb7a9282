"""vault.tls: HTTPS that refuses TLS 1.1 (RULES.md ONC-12) and serves TLS 1.2 and 1.3."""

from __future__ import annotations

import socket
import ssl
import stat
import threading

import pytest

from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.tls import https_server, server_context, write_self_signed


def _app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["wsgi.url_scheme"].encode()]


@pytest.fixture
def https(tmp_path):
    cert, key = write_self_signed(tmp_path / "tls")
    server = https_server(_app, host="127.0.0.1", port=0, cert=cert, key=key, threads=2)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield server.bind_addr, cert
    server.stop()
    thread.join(timeout=5)


def _client(version: ssl.TLSVersion, cert) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cert)
    context.minimum_version = version
    context.maximum_version = version
    if version < ssl.TLSVersion.TLSv1_2:
        context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def _get(address, context) -> bytes:
    with (
        socket.create_connection(address, timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := tls.recv(4096):
            data += chunk
        return data


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_modern_tls_is_served(https, version):
    address, cert = https
    response = _get(address, _client(version, cert))
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert b"\r\nhttps\r\n" in response


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_1_1_only_client_is_refused(https):
    address, cert = https
    with pytest.raises(ssl.SSLError) as caught:
        _get(address, _client(ssl.TLSVersion.TLSv1_1, cert))
    # The server answers the TLS 1.1 ClientHello with a protocol_version alert (RFC 8446 6.2).
    assert "tlsv1_alert_protocol_version" in str(caught.value).lower()


def test_self_signed_key_is_owner_only_and_reused(tmp_path):
    cert, key = write_self_signed(tmp_path / "tls")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"BEGIN CERTIFICATE" in cert.read_bytes()
    assert write_self_signed(tmp_path / "tls") == (cert, key)
    assert cert.read_bytes() == (tmp_path / "tls" / "cert.pem").read_bytes()


def test_server_context_floor_is_tls_1_2(tmp_path):
    cert, key = write_self_signed(tmp_path / "tls")
    assert server_context(cert, key).minimum_version is ssl.TLSVersion.TLSv1_2


def test_unreadable_certificate_is_named(tmp_path):
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(VaultError) as caught:
        server_context(bogus, bogus)
    assert caught.value.code is VaultErrorCode.TLS_CONFIG
