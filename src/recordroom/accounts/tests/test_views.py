"""Account screens: my account (password, tokens, recovery codes) and user administration."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from recordroom.accounts.models import ApiToken, User
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client):
    admin = make_user([Role.SYSADMIN], username="admin.one")
    sign_in(client, admin)
    client.admin = admin  # type: ignore[attr-defined]
    return client


def test_issue_token_shows_the_secret_once(signed_in_client, person):
    response = signed_in_client.post(
        "/accounts/me/tokens/", {"name": "census export", "roles": ["him_clerk"], "days": 30}
    )
    assert response.status_code == 200
    secret = re.search(rb'id="new-token-secret">(rr_[^<]+)<', response.content)
    assert secret is not None
    again = signed_in_client.get("/accounts/me/")
    assert secret.group(1) not in again.content
    assert b"census export" in again.content


def test_token_form_refuses_roles_the_user_lacks(signed_in_client):
    response = signed_in_client.post("/accounts/me/tokens/", {"name": "x", "roles": ["sysadmin"], "days": 30})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_own_token(signed_in_client, person):
    signed_in_client.post("/accounts/me/tokens/", {"name": "t", "roles": ["him_clerk"], "days": 5})
    token = ApiToken.objects.get()
    response = signed_in_client.post(f"/accounts/me/tokens/{token.public_id}/revoke/")
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None


def test_cannot_revoke_someone_elses_token(signed_in_client):
    from recordroom.accounts.services import issue_api_token

    other = make_user([Role.CODER])
    token, _ = issue_api_token(user=other.user, name="theirs", roles=[Role.CODER], actor=other.user)
    response = signed_in_client.post(f"/accounts/me/tokens/{token.public_id}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_change_password_from_my_account(signed_in_client, person):
    response = signed_in_client.post(
        "/accounts/me/password/",
        {"current_password": person.password, "new_password": "a new long passphrase"},
    )
    assert response.status_code == 200
    assert b"Password changed." in response.content
    assert User.objects.get(pk=person.user.pk).check_password("a new long passphrase")
    assert signed_in_client.get("/").status_code == 200
    from recordroom.accounts.models import UserSession

    assert list(UserSession.objects.values_list("session_key", flat=True)) == [signed_in_client.session.session_key]


def test_regenerating_recovery_codes_needs_a_current_code(client):
    person = make_user()
    sign_in(client, person)
    refused = client.post("/accounts/me/recovery-codes/", {"code": "000000"})
    assert refused.status_code == 400
    accepted = client.post("/accounts/me/recovery-codes/", {"code": person.code(offset_steps=1)})
    assert accepted.status_code == 200
    assert accepted.content.count(b"<li>") >= 10


def test_users_screen_is_for_administrators_only(signed_in_client, person):
    response = signed_in_client.get("/accounts/users/")
    assert response.status_code == 403
    denied = AuditEvent.objects.get(event_type="access.denied")
    assert denied.actor_id == person.user.pk
    assert b'href="/accounts/users/"' not in signed_in_client.get("/").content


def test_non_admin_post_to_create_user_is_refused(signed_in_client):
    response = signed_in_client.post(
        "/accounts/users/new/", {"username": "x.y.z", "display_name": "X", "roles": ["sysadmin"]}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="x.y.z").exists()


def test_admin_creates_a_user_and_sees_the_first_password_once(admin_client):
    listing = admin_client.get("/accounts/users/")
    assert listing.status_code == 200
    assert b"admin.one" in listing.content
    response = admin_client.post(
        "/accounts/users/new/",
        {"username": "Casey.Coder", "display_name": "Casey", "roles": ["coder", "cdi_specialist"]},
    )
    assert response.status_code == 200
    found = re.search(rb'id="new-user-password">([^<]+)<', response.content)
    assert found is not None
    password = found.group(1).decode()
    user = User.objects.get(username="casey.coder")
    assert user.check_password(password)
    assert user.role_set() == {Role.CODER, Role.CDI_SPECIALIST}


def test_admin_create_user_form_errors_change_nothing(admin_client):
    before = User.objects.count()
    response = admin_client.post(
        "/accounts/users/new/", {"username": "\u0441asey", "display_name": "C", "roles": ["coder"]}
    )
    assert response.status_code == 400
    assert b"a username may contain only" in response.content
    assert User.objects.count() == before


def test_admin_changes_roles_and_deactivates(admin_client):
    person = make_user([Role.CODER])
    url = f"/accounts/users/{person.user.public_id}/"
    response = admin_client.post(url, {"action": "roles", "roles": ["roi_specialist"]})
    assert b"Roles saved (1 granted, 1 revoked)." in response.content
    assert User.objects.get(pk=person.user.pk).role_set() == {Role.ROI_SPECIALIST}
    response = admin_client.post(url, {"action": "deactivate", "reason": "contract ended"})
    assert b"Account deactivated." in response.content
    assert not User.objects.get(pk=person.user.pk).is_active
    assert b"accounts.user_deactivated" in admin_client.get(url).content


def test_admin_cannot_remove_the_last_sysadmin_role(admin_client):
    admin = admin_client.admin
    response = admin_client.post(f"/accounts/users/{admin.user.public_id}/", {"action": "roles", "roles": ["coder"]})
    assert response.status_code == 400
    assert b"the last active system administrator keeps that role" in response.content
    assert User.objects.get(pk=admin.user.pk).role_set() == {Role.SYSADMIN}


def test_admin_resets_mfa(admin_client):
    person = make_user([Role.CODER])
    response = admin_client.post(f"/accounts/users/{person.user.public_id}/", {"action": "reset_mfa"})
    assert b"Two-step sign-in removed" in response.content
    from recordroom.accounts.services import has_confirmed_totp

    assert not has_confirmed_totp(person.user)
