"""The code search screen: full page, htmx fragment, refusal for roles without coding search."""

from __future__ import annotations

import pytest

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_sets")]


def test_coder_searches_by_code(client):
    sign_in(client, make_user([Role.CODER]))
    response = client.get("/coding/codes/", {"q": "S72.001", "on": "2026-03-05"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Code search</h1>" in body
    assert "S72.001A" in body
    assert "initial encounter for closed fracture" in body  # the 7th-character table of the header


def test_htmx_request_gets_only_the_results(client):
    sign_in(client, make_user([Role.CODER]))
    response = client.get("/coding/codes/", {"q": "cholera", "on": "2026-03-05"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>" not in body
    assert "A00.0" in body


def test_empty_search_is_a_form_error(client):
    sign_in(client, make_user([Role.CODER]))
    response = client.get("/coding/codes/", {"q": ""})
    assert response.status_code == 400


def test_clerk_is_refused_and_it_is_recorded(client):
    clerk = make_user([Role.HIM_CLERK])
    sign_in(client, clerk)
    assert client.get("/coding/codes/", {"q": "E11"}).status_code == 403
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=clerk.user.pk).exists()
