"""accounts.services.tokens: issue, use, expire, revoke, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recordroom.accounts.errors import AccountsError, AccountsErrorCode
from recordroom.accounts.models import ApiToken
from recordroom.accounts.roles import Role
from recordroom.accounts.security_events import SecurityEventKind
from recordroom.accounts.services import authenticate_api_token, issue_api_token, revoke_api_token
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core import clock

pytestmark = pytest.mark.django_db


def test_issued_token_is_shown_once_and_stored_as_a_digest():
    person = make_user([Role.CODER, Role.HIM_CLERK])
    token, secret = issue_api_token(user=person.user, name="nightly export", roles=[Role.CODER], actor=person.user)
    assert secret.startswith(f"rr_{token.prefix}_")
    assert secret not in repr(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.roles == ["coder"]
    assert (token.expires_at - clock.now()).days in (89, 90)
    assert authenticate_api_token(secret) == token
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_token_cannot_carry_a_role_its_owner_lacks():
    person = make_user([Role.CODER])
    with pytest.raises(AccountsError) as caught:
        issue_api_token(user=person.user, name="x", roles=[Role.SYSADMIN], actor=person.user)
    assert caught.value.code is AccountsErrorCode.INVALID_TOKEN_REQUEST
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", [0, 366, -1])
def test_token_lifetime_is_bounded(days):
    person = make_user([Role.CODER])
    with pytest.raises(AccountsError):
        issue_api_token(user=person.user, name="x", roles=[Role.CODER], actor=person.user, days=days)


def test_nobody_else_issues_tokens_for_a_user_without_admin_rights():
    owner, other = make_user([Role.CODER]), make_user([Role.CODER])
    with pytest.raises(AccountsError):
        issue_api_token(user=owner.user, name="x", roles=[Role.CODER], actor=other.user)


def test_expired_token_is_refused():
    person = make_user([Role.CODER])
    _, secret = issue_api_token(user=person.user, name="x", roles=[Role.CODER], actor=person.user, days=1)
    with clock.frozen(clock.now() + timedelta(days=1, seconds=1)):
        assert authenticate_api_token(secret) is None
    event = AuditEvent.objects.filter(event_type=SecurityEventKind.TOKEN_REJECTED.value).get()
    assert event.detail_data["reason"] == "expired"


def test_revoked_token_is_refused():
    person = make_user([Role.CODER])
    token, secret = issue_api_token(user=person.user, name="x", roles=[Role.CODER], actor=person.user)
    revoke_api_token(token=token, actor=person.user)
    assert authenticate_api_token(secret) is None


@pytest.mark.parametrize("raw", ["", "rr_", "rr_abcd_", "Bearer x", "rr_" + "a" * 5000, "rr_00000000_forged"])
def test_malformed_or_forged_tokens_are_refused(raw):
    assert authenticate_api_token(raw) is None
    assert AuditEvent.objects.filter(event_type=SecurityEventKind.TOKEN_REJECTED.value).count() == 1


def test_a_token_with_the_right_prefix_but_wrong_secret_is_refused():
    person = make_user([Role.CODER])
    _, secret = issue_api_token(user=person.user, name="x", roles=[Role.CODER], actor=person.user)
    tampered = secret[:-2] + ("zz" if not secret.endswith("zz") else "yy")
    assert authenticate_api_token(tampered) is None
