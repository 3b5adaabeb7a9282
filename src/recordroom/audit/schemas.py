"""JSON shapes of the audit API."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class AuditEventOut(Schema):
    seq: int
    occurred_at: datetime
    event_type: str
    action: str
    outcome: str
    actor_id: int | None
    actor_roles: str
    on_behalf_of: str
    resource_type: str
    resource_id: str
    patient_id: int | None
    data_category: str
    purpose: str
    emergency: bool
    source_ip: str
    request_id: str
    hash: str


class AuditPageOut(Schema):
    total: int
    events: list[AuditEventOut]


class VerifyOut(Schema):
    ok: bool
    checked: int
    last_seq: int
    checkpoints_checked: int
    first_bad_seq: int | None
    problem: str
