"""Audit tables. Rows are written only by :mod:`recordroom.audit.services.recording` and never updated
or deleted: on PostgreSQL triggers refuse UPDATE and DELETE; everywhere, ``verify`` finds any change.

Fields follow ASTM E2147-18 7.1 as ONC 170.210(e)(1) requires (RULES.md 8.3): time of the event
(7.1.1), patient (7.1.6), user (7.1.7), action (7.1.8), data accessed (7.1.9); plus outcome, purpose,
source, session and request ids. Ids and codes only: no names, no clinical text (DESIGN invariant 3).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import models

from recordroom.core import clock

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    event_us = models.BigIntegerField(db_index=True, help_text="UTC microseconds since 1970-01-01")
    event_type = models.CharField(max_length=64)
    action = models.CharField(max_length=24)
    outcome = models.CharField(max_length=8)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_roles = models.CharField(max_length=200, blank=True)
    on_behalf_of = models.CharField(max_length=64, blank=True)
    resource_type = models.CharField(max_length=32, blank=True)
    resource_id = models.CharField(max_length=64, blank=True)
    patient_id = models.BigIntegerField(null=True, db_index=True)
    data_category = models.CharField(max_length=48, blank=True)
    purpose = models.CharField(max_length=16, blank=True)
    emergency = models.BooleanField(default=False)
    source_ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    session_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.TextField(default="{}")
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ("seq",)

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise PermissionError("audit events are written only by audit.record()")

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are never deleted")

    @property
    def occurred_at(self) -> datetime:
        return clock.from_microseconds(self.event_us)

    @property
    def detail_data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.detail)
        return data

    @property
    def account_id(self) -> int | None:
        """The user account an account event concerns."""
        return int(self.resource_id) if self.resource_type == "user_account" and self.resource_id else None


class AuditHead(models.Model):
    """The one row naming the chain's last sequence number and hash; locked by each append so events
    get consecutive numbers in commit order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    checkpoint_seq = models.BigIntegerField(default=0)
    checkpoint_us = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditCheckpoint(models.Model):
    """An Ed25519 signature over (sequence, hash, time): anchors the chain so that rewriting it needs
    the signing key, which is kept outside the database."""

    seq = models.BigIntegerField(primary_key=True)
    hash = models.CharField(max_length=64)
    signed_us = models.BigIntegerField()
    key_id = models.CharField(max_length=16)
    public_key = models.CharField(max_length=64, help_text="the signing key's public half (hex), for restored copies")
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ("seq",)

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise PermissionError("checkpoints are written only by audit.services.checkpoints")

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("checkpoints are never deleted")


class ForwardCursor(models.Model):
    """How far the trail has been forwarded to each syslog destination."""

    destination = models.CharField(max_length=200, unique=True)
    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.destination} @ {self.seq}"
