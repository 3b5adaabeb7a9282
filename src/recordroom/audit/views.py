"""Audit trail screens and exports for the privacy officer and auditors (ONC 170.315(d)(3))."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from recordroom.access.errors import AccessDeniedError
from recordroom.audit.exports import csv_lines, fhir_bundle
from recordroom.audit.forms import AuditFilterForm
from recordroom.audit.selectors import AuditQuery, audit_events_for_export, audit_events_visible_to
from recordroom.core import clock
from recordroom.core.requests import authenticated_user

PAGE = 100


def _query(request: HttpRequest) -> tuple[AuditFilterForm, AuditQuery | None]:
    """The bound filter form and its query (``None`` when the filters are invalid)."""
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, AuditQuery()
    if not form.is_valid():
        return form, None
    return form, form.query()


@login_required
@require_GET
def report_view(request: HttpRequest) -> HttpResponse:
    form, query = _query(request)
    if query is None:
        return render(request, "audit/report.html", {"form": form, "events": [], "total": 0}, status=400)
    try:
        events, total = audit_events_visible_to(authenticated_user(request), query, limit=PAGE, request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    params = {k: v for k, v in request.GET.items() if k != "sort" and v}
    actor_ids = {event.actor_id for event in events if event.actor_id}
    names = dict(get_user_model().objects.filter(pk__in=actor_ids).values_list("pk", "username"))
    for event in events:
        event.actor_username = names.get(event.actor_id or 0, "")  # type: ignore[attr-defined]
    return render(
        request,
        "audit/report.html",
        {
            "form": form,
            "events": events,
            "total": total,
            "shown": len(events),
            "sort": query.sort,
            "base_query": urlencode(params),
            "export_query": urlencode({**params, "sort": query.sort}),
        },
    )


def _export_query(request: HttpRequest) -> AuditQuery:
    _, query = _query(request)
    if query is None:
        raise SuspiciousOperation("invalid audit export filters")
    return query


@login_required
@require_GET
def export_csv_view(request: HttpRequest) -> StreamingHttpResponse:
    try:
        events = audit_events_for_export(
            authenticated_user(request), _export_query(request), export_format="csv", request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    response = StreamingHttpResponse(csv_lines(events.iterator(chunk_size=2000)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="audit-{clock.now():%Y%m%dT%H%M%SZ}.csv"'
    return response


@login_required
@require_GET
def export_fhir_view(request: HttpRequest) -> HttpResponse:
    try:
        events = audit_events_for_export(
            authenticated_user(request), _export_query(request), export_format="fhir", request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    body = json.dumps(fhir_bundle(events.iterator(chunk_size=2000)))
    response = HttpResponse(body, content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="audit-{clock.now():%Y%m%dT%H%M%SZ}.fhir.json"'
    return response
