"""Forward the trail to a syslog collector (RFC 5424 messages; UDP per RFC 5426, TCP with octet
counting per RFC 6587), so a copy of every event lives outside this database as it happens.

A cursor per destination remembers the last event sent; a run sends what is new and moves the cursor
only after the collector accepted the batch (TCP) or the datagrams left (UDP).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from django.db import transaction

from recordroom.audit.exports import syslog_line
from recordroom.audit.models import AuditEvent, ForwardCursor

MAX_UDP = 8192
TIMEOUT_S = 10.0


class ForwardingError(RuntimeError):
    """The destination is malformed or did not accept the messages."""


def parse_destination(destination: str) -> tuple[str, str, int]:
    parts = urlsplit(destination)
    if parts.scheme not in {"udp", "tcp"} or not parts.hostname or not parts.port:
        raise ForwardingError("a syslog destination looks like udp://host:514 or tcp://host:601")
    return parts.scheme, parts.hostname, parts.port


def forward_to_syslog(destination: str, *, batch: int = 1000, hostname: str = "recordroom") -> int:
    """Send every event after this destination's cursor; returns how many were sent."""
    scheme, host, port = parse_destination(destination)
    cursor, _ = ForwardCursor.objects.get_or_create(destination=destination)
    events = list(AuditEvent.objects.filter(seq__gt=cursor.seq).order_by("seq")[:batch])
    if not events:
        return 0
    messages = [syslog_line(event, hostname=hostname).encode("utf-8") for event in events]
    try:
        if scheme == "udp":
            with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM) as sock:
                for message in messages:
                    sock.sendto(message[:MAX_UDP], (host, port))
        else:
            with socket.create_connection((host, port), timeout=TIMEOUT_S) as sock:
                sock.sendall(b"".join(str(len(m)).encode() + b" " + m for m in messages))
    except OSError as exc:
        raise ForwardingError(f"syslog destination {scheme}://{host}:{port} refused: {exc.strerror or exc}") from None
    with transaction.atomic():
        ForwardCursor.objects.filter(pk=cursor.pk).update(seq=events[-1].seq)
    return len(events)
