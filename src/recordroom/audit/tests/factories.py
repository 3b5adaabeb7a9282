"""Audit test helpers: events are made through the real ``record()``."""

from __future__ import annotations

from enum import StrEnum

from django.db import connection

from recordroom.audit.registry import register_event_types
from recordroom.audit.services import AuditAction, Outcome, record


class SampleEvent(StrEnum):
    """An event type registered only for tests."""

    READ = "sample.record_read"


register_event_types(SampleEvent)


def record_events(count: int, *, patient_id: int = 1, actor=None) -> list[int]:
    return [
        record(
            SampleEvent.READ,
            action=AuditAction.READ,
            outcome=Outcome.SUCCESS,
            actor=actor,
            resource_type="document",
            resource_id=f"doc-{n}",
            patient_id=patient_id,
            data_category="progress_note",
        )
        for n in range(count)
    ]


def raw(sql: str, params: list | None = None) -> None:
    """Tamper with the database as an attacker with direct access would (triggers off on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditcheckpoint ENABLE TRIGGER USER")
