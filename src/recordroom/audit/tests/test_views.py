"""Audit trail screens and exports."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client: Client) -> Client:
    sign_in(client, make_user([Role.PRIVACY_OFFICER]))
    return client


def test_report_screen_lists_events_and_sorts(officer_client):
    response = officer_client.get("/audit/", {"sort": "seq"})
    assert response.status_code == 200
    assert b'id="audit-events"' in response.content
    assert b"accounts.login_succeeded" in response.content


def test_report_screen_refuses_a_reversed_period(officer_client):
    response = officer_client.get("/audit/", {"start": "2025-02-01 00:00", "end": "2025-01-01 00:00"})
    assert response.status_code == 400
    assert b"&#x27;From&#x27; must be before &#x27;To&#x27;." in response.content


def test_csv_export_streams_and_is_audited(officer_client):
    response = officer_client.get("/audit/export.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("seq,occurred_at,event_type")
    assert AuditEvent.objects.filter(event_type="audit.trail_exported").count() == 1


def test_fhir_export(officer_client):
    response = officer_client.get("/audit/export.fhir.json")
    assert response["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.content)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["entry"][0]["resource"]["resourceType"] == "AuditEvent"


def test_coder_gets_403_and_a_recorded_denial(client):
    coder = make_user([Role.CODER])
    sign_in(client, coder)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=coder.user.pk).count() == 2


def test_api_lists_events_for_the_privacy_officer_with_a_token(client):
    from recordroom.accounts.services import issue_api_token

    officer = make_user([Role.PRIVACY_OFFICER])
    _, secret = issue_api_token(user=officer.user, name="siem", roles=[Role.PRIVACY_OFFICER], actor=officer.user)
    response = client.get("/api/v1/audit/events", {"limit": 2, "sort": "seq"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 2
    assert [e["seq"] for e in body["events"]] == [1, 2]
    assert set(body["events"][0]) >= {"seq", "occurred_at", "event_type", "actor_id", "patient_id", "hash"}
    viewed = AuditEvent.objects.filter(event_type="audit.trail_viewed").latest("seq")
    assert viewed.on_behalf_of.startswith("token:")


def test_api_refuses_a_coder_with_problem_json(client):
    from recordroom.accounts.services import issue_api_token

    coder = make_user([Role.CODER])
    _, secret = issue_api_token(user=coder.user, name="x", roles=[Role.CODER], actor=coder.user)
    response = client.get("/api/v1/audit/events", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "access_denied"
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=coder.user.pk).exists()


def test_api_limit_is_bounded(client):
    from recordroom.accounts.services import issue_api_token

    officer = make_user([Role.AUDITOR])
    _, secret = issue_api_token(user=officer.user, name="x", roles=[Role.AUDITOR], actor=officer.user)
    for _ in range(3):
        client.get("/api/v1/audit/events", HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.get("/api/v1/audit/events", {"limit": 100000}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert len(response.json()["events"]) <= 100
