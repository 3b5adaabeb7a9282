"""GET /api/v1/coding/codes and POST /api/v1/coding/validate|group (token auth, problem+json)."""

from __future__ import annotations

import pytest

from recordroom.accounts.roles import Role
from recordroom.accounts.services import issue_api_token
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.coding.tests.factories import encounter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_sets")]


def token(role):
    person = make_user([role])
    _, secret = issue_api_token(user=person.user, name="t", roles=[role], actor=person.user)
    return person, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_code_search_api(client):
    _, auth = token(Role.CODER)
    response = client.get("/api/v1/coding/codes", {"q": "e11.9", "on": "2026-03-05"}, **auth)
    assert response.status_code == 200
    assert response.json()["codes"][0]["code"] == "E11.9"


def test_anonymous_and_clerk_are_refused(client):
    assert client.get("/api/v1/coding/codes", {"q": "E11"}).status_code == 401
    clerk, auth = token(Role.HIM_CLERK)
    response = client.get("/api/v1/coding/codes", {"q": "E11"}, **auth)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=clerk.user.pk).exists()


def test_validate_and_group_api(client):
    _, auth = token(Role.CODER)
    body = client.post("/api/v1/coding/validate", encounter("I21.4", "E11"), content_type="application/json", **auth)
    assert body.status_code == 200
    assert body.json()["edits"][0]["edit"] == "NOT_BILLABLE"
    grouped = client.post("/api/v1/coding/group", encounter("I21.4"), content_type="application/json", **auth)
    assert grouped.status_code == 200
    assert (grouped.json()["drg"], grouped.json()["mdc"]) == ("322", "05")


def test_bad_input_is_a_problem(client):
    _, auth = token(Role.CODER)
    response = client.post(
        "/api/v1/coding/validate", encounter("I21.4", admit_date="yesterday"), content_type="application/json", **auth
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert "admit_date" in response.json()["title"]
