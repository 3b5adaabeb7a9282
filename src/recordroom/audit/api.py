"""Audit API (ONC 170.315(d)(3) reports for machines): ``GET /api/v1/audit/events``. Same permission,
filters and sorting as the report screen, at most 100 events a call; every call is itself audited."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from recordroom.audit.schemas import AuditEventOut, AuditPageOut
from recordroom.audit.selectors import SORTABLE, AuditQuery, audit_events_visible_to
from recordroom.core.requests import authenticated_user

router = Router(tags=["audit"])
MAX_LIMIT = 100


class EventFilters(Schema):
    start: datetime | None = None
    end: datetime | None = None
    patient_id: int | None = None
    actor_id: int | None = None
    action: str = ""
    outcome: str = ""
    event_type: str = ""
    emergency_only: bool = False
    sort: str = "-seq"
    limit: int = 50


@router.get("/events", response=AuditPageOut, operation_id="audit_events", url_name="audit_events")
def events(request: HttpRequest, filters: Query[EventFilters]) -> AuditPageOut:
    if filters.sort.lstrip("-") not in SORTABLE:
        filters.sort = "-seq"
    query = AuditQuery(
        start=filters.start, end=filters.end, patient_id=filters.patient_id, actor_id=filters.actor_id,
        action=filters.action, outcome=filters.outcome, event_type=filters.event_type,
        emergency_only=filters.emergency_only, sort=filters.sort,
    )  # fmt: skip
    rows, total = audit_events_visible_to(
        authenticated_user(request), query, limit=max(1, min(filters.limit, MAX_LIMIT)), request=request
    )
    return AuditPageOut(total=total, events=[AuditEventOut.model_validate(event) for event in rows])
