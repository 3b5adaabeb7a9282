"""accounts.services.users: creating users, roles, deactivation, passwords."""

from __future__ import annotations

import pytest
from django.test import Client

from recordroom.accounts.errors import AccountsError, AccountsErrorCode
from recordroom.accounts.models import ApiToken, RoleAssignment, User, UserSession
from recordroom.accounts.roles import Role
from recordroom.accounts.security_events import SecurityEventKind
from recordroom.accounts.services import (
    change_password,
    create_user,
    deactivate_user,
    grant_role,
    issue_api_token,
    reactivate_user,
    revoke_role,
    set_password,
)
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def events(kind: SecurityEventKind) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=kind.value).order_by("seq"))


def test_create_user_stores_canonical_name_roles_and_a_hashed_password(sysadmin):
    user = create_user(
        username="  J.Doe ",
        display_name="Jane Doe",
        roles=[Role.CODER, Role.CDI_SPECIALIST],
        password="a long enough passphrase",
        actor=sysadmin.user,
    )
    assert user.username == "j.doe"
    assert user.role_set() == {Role.CODER, Role.CDI_SPECIALIST}
    assert "a long enough passphrase" not in user.password
    assert user.check_password("a long enough passphrase")
    event = events(SecurityEventKind.USER_CREATED)[-1]
    assert event.account_id == user.pk
    assert event.actor_id == sysadmin.user.pk
    assert event.detail_data["roles_after"] == ["cdi_specialist", "coder"]


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short pass", "too short"),
        ("password1234", "too common"),
    ],
)
def test_password_policy_refuses_short_and_common_passwords(password, fragment):
    with pytest.raises(AccountsError) as caught:
        create_user(username="new.user", display_name="N", roles=[Role.CODER], password=password, actor=None)
    assert caught.value.code is AccountsErrorCode.INVALID_PASSWORD
    assert fragment in caught.value.message
    assert not User.objects.filter(username="new.user").exists()


def test_password_policy_has_no_composition_rules():
    user = create_user(
        username="plain.words",
        display_name="P",
        roles=[Role.CODER],
        password="lowercase words only here",
        actor=None,
    )
    assert user.check_password("lowercase words only here")


def test_duplicate_username_is_refused():
    make_user(username="same.name")
    with pytest.raises(AccountsError) as caught:
        create_user(username="SAME.NAME", display_name="x", roles=[Role.CODER], actor=None)
    assert caught.value.code is AccountsErrorCode.USERNAME_TAKEN
    assert User.objects.filter(username="same.name").count() == 1


def test_non_admin_cannot_create_users_and_the_denial_is_recorded():
    clerk = make_user([Role.HIM_CLERK])
    before = User.objects.count()
    with pytest.raises(AccountsError) as caught:
        create_user(username="sneaky", display_name="S", roles=[Role.SYSADMIN], actor=clerk.user)
    assert caught.value.code is AccountsErrorCode.PERMISSION_DENIED
    assert User.objects.count() == before
    denied = list(AuditEvent.objects.filter(event_type="access.denied"))
    assert [(e.actor_id, e.outcome, e.resource_type, e.detail_data["action"]) for e in denied] == [
        (clerk.user.pk, "denied", "user_account", "administer")
    ]


def test_role_changes_record_the_roles_before_and_after(sysadmin):
    """RULES.md ONC-04: a privilege change records before/after roles."""
    coder = make_user([Role.CODER])
    assert grant_role(user=coder.user, role=Role.ROI_SPECIALIST, actor=sysadmin.user) is True
    assert grant_role(user=coder.user, role=Role.ROI_SPECIALIST, actor=sysadmin.user) is False
    assert revoke_role(user=coder.user, role=Role.CODER, actor=sysadmin.user) is True
    granted = events(SecurityEventKind.ROLE_GRANTED)
    revoked = events(SecurityEventKind.ROLE_REVOKED)
    assert len(granted) == 1
    assert granted[0].detail_data["roles_before"] == ["coder"]
    assert granted[0].detail_data["roles_after"] == ["coder", "roi_specialist"]
    assert revoked[0].detail_data["roles_after"] == ["roi_specialist"]
    assert User.objects.get(pk=coder.user.pk).role_set() == {Role.ROI_SPECIALIST}


def test_non_admin_cannot_grant_roles():
    clerk = make_user([Role.HIM_CLERK])
    with pytest.raises(AccountsError):
        grant_role(user=clerk.user, role=Role.SYSADMIN, actor=clerk.user)
    assert list(RoleAssignment.objects.filter(user=clerk.user).values_list("role", flat=True)) == ["him_clerk"]


def test_last_sysadmin_keeps_the_role_and_stays_active(sysadmin):
    with pytest.raises(AccountsError) as caught:
        revoke_role(user=sysadmin.user, role=Role.SYSADMIN, actor=None)
    assert caught.value.code is AccountsErrorCode.LAST_SYSADMIN
    with pytest.raises(AccountsError):
        deactivate_user(user=sysadmin.user, actor=None, reason="test")
    assert User.objects.get(pk=sysadmin.user.pk).is_active


def test_deactivation_ends_every_session_and_token(sysadmin):
    person = make_user([Role.CODER])
    first, second = Client(), Client()
    sign_in(first, person)
    person_next_step = person.code(offset_steps=1)
    second.post("/accounts/login/", {"username": person.username, "password": person.password})
    second.post("/accounts/login/verify/", {"code": person_next_step})
    token, _ = issue_api_token(user=person.user, name="export", roles=[Role.CODER], actor=person.user)
    assert UserSession.objects.filter(user=person.user).count() == 2

    deactivate_user(user=person.user, actor=sysadmin.user, reason="left the organization")

    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    event = events(SecurityEventKind.USER_DEACTIVATED)[-1]
    assert event.detail_data == {"sessions_ended": 2, "tokens_revoked": 1}
    assert User.objects.get(pk=person.user.pk).deactivation_reason == "left the organization"
    stored = User.objects.filter(pk=person.user.pk).values_list("deactivation_reason", flat=True).get()
    assert stored is not None
    assert b"organization" not in bytes(stored)


def test_cannot_deactivate_yourself(sysadmin):
    make_user([Role.SYSADMIN])
    with pytest.raises(AccountsError):
        deactivate_user(user=sysadmin.user, actor=sysadmin.user, reason="oops")


def test_reactivation_restores_sign_in(sysadmin):
    person = make_user([Role.CODER])
    deactivate_user(user=person.user, actor=sysadmin.user, reason="leave")
    reactivate_user(user=person.user, actor=sysadmin.user)
    assert User.objects.get(pk=person.user.pk).is_active
    assert events(SecurityEventKind.USER_REACTIVATED)[-1].actor_id == sysadmin.user.pk


def test_admin_password_reset_ends_the_users_sessions(sysadmin):
    person = make_user([Role.CODER])
    client = Client()
    sign_in(client, person)
    set_password(user=person.user, new_password="a brand new passphrase", actor=sysadmin.user)
    assert client.get("/").status_code == 302
    assert User.objects.get(pk=person.user.pk).check_password("a brand new passphrase")


def test_changing_your_password_needs_the_current_one(person):
    with pytest.raises(AccountsError):
        change_password(user=person.user, current_password="wrong one", new_password="another long passphrase")
    assert User.objects.get(pk=person.user.pk).check_password(person.password)
    assert events(SecurityEventKind.PASSWORD_REJECTED)[-1].detail_data == {"reason": "current_password_wrong"}
    change_password(user=person.user, current_password=person.password, new_password="another long passphrase")
    assert User.objects.get(pk=person.user.pk).check_password("another long passphrase")
    assert len(events(SecurityEventKind.PASSWORD_CHANGED)) == 1


def test_privilege_changes_without_an_actor_are_the_systems():
    user = create_user(username="made.by.cli", display_name="M", roles=[Role.CODER], actor=None)
    event = events(SecurityEventKind.USER_CREATED)[-1]
    assert event.actor_id is None
    assert event.account_id == user.pk
