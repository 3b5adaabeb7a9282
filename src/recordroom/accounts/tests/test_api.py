"""The accounts API: authentication by token or by a complete browser session."""

from __future__ import annotations

import pytest
from django.test import Client

from recordroom.accounts.roles import Role
from recordroom.accounts.security_events import SecurityEventKind
from recordroom.accounts.services import issue_api_token, revoke_api_token
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"


def test_token_caller_sees_only_the_tokens_roles(client):
    person = make_user([Role.CODER, Role.CDI_SPECIALIST])
    _, secret = issue_api_token(user=person.user, name="worklist sync", roles=[Role.CODER], actor=person.user)
    response = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": str(person.user.public_id),
        "username": person.username,
        "display_name": person.user.display_name,
        "roles": ["coder"],
        "authenticated_by": "token",
    }
    assert (
        AuditEvent.objects.filter(
            event_type=SecurityEventKind.TOKEN_USED.value, resource_id=str(person.user.pk)
        ).count()
        == 1
    )


def test_signed_in_session_can_call_the_api(client):
    person = make_user([Role.HIM_DIRECTOR])
    sign_in(client, person)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["authenticated_by"] == "session"
    assert response.json()["roles"] == ["him_director"]


def test_no_credentials_is_a_problem_json_401(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"


def test_password_step_alone_does_not_open_the_api(client):
    person = make_user()
    client.post("/accounts/login/", {"username": person.username, "password": person.password})
    assert client.get(ME).status_code == 401


def test_revoked_token_gets_401(client):
    person = make_user([Role.CODER])
    token, secret = issue_api_token(user=person.user, name="x", roles=[Role.CODER], actor=person.user)
    revoke_api_token(token=token, actor=person.user)
    response = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401
    rejected = AuditEvent.objects.get(event_type=SecurityEventKind.TOKEN_REJECTED.value)
    assert rejected.detail_data["reason"] == "revoked"


def test_openapi_document_is_served_and_every_route_has_an_operation_id():
    from recordroom.api import api

    schema = api.get_openapi_schema()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert operations
    assert all(op.get("operationId") for op in operations)
    assert Client().get("/api/v1/openapi.json").status_code == 200
