"""Forwarding to a real syslog collector over UDP and TCP on 127.0.0.1."""

from __future__ import annotations

import socket
import threading

import pytest

from recordroom.audit.models import ForwardCursor
from recordroom.audit.services.forwarding import ForwardingError, forward_to_syslog
from recordroom.audit.tests.factories import record_events

pytestmark = pytest.mark.django_db


def udp_collector() -> tuple[socket.socket, int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    return sock, sock.getsockname()[1]


def test_udp_forwarding_sends_each_new_event_once():
    sock, port = udp_collector()
    with sock:
        record_events(3)
        assert forward_to_syslog(f"udp://127.0.0.1:{port}") == 3
        received = [sock.recv(65535).decode() for _ in range(3)]
        assert [m.split('seq="')[1].split('"')[0] for m in received] == ["1", "2", "3"]
        assert forward_to_syslog(f"udp://127.0.0.1:{port}") == 0
        record_events(1)
        assert forward_to_syslog(f"udp://127.0.0.1:{port}") == 1
        assert 'seq="4"' in sock.recv(65535).decode()
    assert ForwardCursor.objects.get().seq == 4


def test_tcp_forwarding_uses_octet_counting():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(5)
    port = server.getsockname()[1]
    chunks: list[bytes] = []

    def accept() -> None:
        connection, _ = server.accept()
        with connection:
            while data := connection.recv(65535):
                chunks.append(data)

    thread = threading.Thread(target=accept)
    thread.start()
    record_events(2)
    assert forward_to_syslog(f"tcp://127.0.0.1:{port}") == 2
    thread.join(5)
    server.close()
    stream = b"".join(chunks)
    length, _, rest = stream.partition(b" ")
    first = rest[: int(length)]
    assert first.startswith(b"<109>1 ")
    assert b'seq="1"' in first
    assert b'seq="2"' in rest[int(length) :]


def test_refused_destination_keeps_the_cursor():
    record_events(2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ForwardingError, match="refused"):
        forward_to_syslog(f"tcp://127.0.0.1:{port}")
    assert ForwardCursor.objects.get().seq == 0


@pytest.mark.parametrize("destination", ["syslog.example.org", "http://x:1", "udp://nohost", "tcp://:514"])
def test_malformed_destination(destination):
    with pytest.raises(ForwardingError, match="looks like udp://host:514"):
        forward_to_syslog(destination)
