"""Audit reports (ONC 170.315(d)(3)): events for a time period, by patient ("who looked at my
record"), by user, by action or outcome, sorted by any field. Reading the trail needs the
``audit_trail`` permission (privacy officer, auditor) and is itself recorded (RULES.md ONC-07)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest

from recordroom.access.decisions import Principal, Resource
from recordroom.access.services import enforce
from recordroom.audit.audit_events import AuditTrailEvent
from recordroom.audit.models import AuditEvent
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Action, Purpose, ResourceType

SORTABLE = (
    "seq", "event_us", "event_type", "action", "outcome", "actor_id", "patient_id", "resource_type",
    "resource_id", "data_category", "purpose", "emergency", "source_ip",
)  # fmt: skip
MAX_ROWS = 500
MAX_EXPORT_ROWS = 1_000_000


@dataclass(frozen=True)
class AuditQuery:
    """A report's filters. ``start`` is inclusive and ``end`` exclusive (RULES.md 8.2 (d)(3))."""

    start: datetime | None = None
    end: datetime | None = None
    patient_id: int | None = None
    actor_id: int | None = None
    action: str = ""
    outcome: str = ""
    event_type: str = ""
    emergency_only: bool = False
    sort: str = "-seq"

    def describe(self) -> dict[str, object]:
        return {
            "start_us": _us(self.start),
            "end_us": _us(self.end),
            "patient_id": self.patient_id,
            "filter_actor": self.actor_id,
            "filter_action": self.action or None,
            "filter_outcome": self.outcome or None,
            "filter_type": self.event_type or None,
            "emergency_only": self.emergency_only,
            "sort": self.sort,
        }


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else clock.to_microseconds(moment)


def _filtered(query: AuditQuery) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if query.start is not None:
        events = events.filter(event_us__gte=_us(query.start))
    if query.end is not None:
        events = events.filter(event_us__lt=_us(query.end))
    if query.patient_id is not None:
        events = events.filter(patient_id=query.patient_id)
    if query.actor_id is not None:
        events = events.filter(actor_id=query.actor_id)
    if query.action:
        events = events.filter(action=query.action)
    if query.outcome:
        events = events.filter(outcome=query.outcome)
    if query.event_type:
        events = events.filter(event_type=query.event_type)
    if query.emergency_only:
        events = events.filter(emergency=True)
    field = query.sort.lstrip("-")
    if field not in SORTABLE:
        field = "seq"
    descending = query.sort.startswith("-")
    order = [f"-{field}" if descending else field]
    if field != "seq":
        order.append("-seq" if descending else "seq")
    return events.order_by(*order)


def audit_events_visible_to(
    actor: Principal, query: AuditQuery, *, limit: int = 100, request: HttpRequest | None = None
) -> tuple[list[AuditEvent], int]:
    """One page of the report and the total count; refused (and recorded) without permission."""
    enforce(actor, Action.SEARCH, Resource(ResourceType.AUDIT_TRAIL), Purpose.OPERATIONS, request=request)
    events = _filtered(query)
    total = events.count()
    rows = list(events[: max(1, min(limit, MAX_ROWS))])
    record(
        AuditTrailEvent.VIEWED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor, request=request,
        purpose=Purpose.OPERATIONS, resource_type=ResourceType.AUDIT_TRAIL.value, patient_id=query.patient_id,
        detail={**query.describe(), "rows": len(rows)},
    )  # fmt: skip
    return rows, total


def audit_events_for_export(
    actor: Principal, query: AuditQuery, *, export_format: str, request: HttpRequest | None = None
) -> QuerySet[AuditEvent]:
    """All matching events for an export (CSV, FHIR); the export is recorded before it is produced."""
    enforce(actor, Action.EXPORT, Resource(ResourceType.AUDIT_TRAIL), Purpose.OPERATIONS, request=request)
    events = _filtered(query)
    record(
        AuditTrailEvent.EXPORTED, action=AuditAction.EXPORT, outcome=Outcome.SUCCESS, actor=actor, request=request,
        purpose=Purpose.OPERATIONS, resource_type=ResourceType.AUDIT_TRAIL.value, patient_id=query.patient_id,
        detail={**query.describe(), "format": export_format},
    )  # fmt: skip
    return events[:MAX_EXPORT_ROWS]
