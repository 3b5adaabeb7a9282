"""The sign-in flow through real HTTP requests: password, second factor, lockout, time-outs, bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.accounts.security_events import SecurityEventKind
from recordroom.accounts.services import deactivate_user
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent
from recordroom.core import clock

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/login/verify/"


def kinds() -> list[str]:
    return list(AuditEvent.objects.values_list("event_type", flat=True))


def post_login(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_password_and_totp_sign_in_reaches_the_dashboard(client, person):
    response = post_login(client, person.username, person.password)
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    response = client.post(VERIFY, {"code": person.code()})
    assert response["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert b"HIM clerk" in dashboard.content
    assert SecurityEventKind.LOGIN_SUCCEEDED.value in kinds()


def test_correct_password_without_second_factor_grants_no_session(client, person):
    post_login(client, person.username, person.password)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_wrong_password_and_unknown_user_get_the_same_answer(client, person):
    wrong = post_login(client, person.username, "not the right password at all")
    unknown = post_login(client, "nobody.here", "not the right password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert b"The username or password is not correct." in wrong.content

    def scrub(body: bytes, name: str) -> bytes:
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body).replace(name.encode(), b"X")

    assert scrub(wrong.content, person.username) == scrub(unknown.content, "nobody.here")
    events = AuditEvent.objects.filter(event_type=SecurityEventKind.LOGIN_FAILED.value).order_by("seq")
    assert [e.account_id for e in events] == [person.user.pk, None]
    assert events[1].detail_data["username_digest"]


def test_session_id_is_rotated_at_sign_in(client, person):
    client.get(LOGIN)
    post_login(client, person.username, person.password)
    before = client.session.session_key
    client.post(VERIFY, {"code": person.code()})
    assert client.session.session_key != before


def test_five_failures_lock_the_account_for_everyone(client, person):
    for _ in range(4):
        assert post_login(client, person.username, "wrong password number x").status_code == 400
    fifth = post_login(client, person.username, "wrong password number x")
    assert fifth.status_code == 429
    assert b"Too many unsuccessful sign-in attempts" in fifth.content
    # Even the right password, from another address, is refused while locked.
    other = Client(REMOTE_ADDR="10.9.8.7")
    locked = post_login(other, person.username, person.password)
    assert locked.status_code == 429
    assert "_auth_user_id" not in other.session
    assert SecurityEventKind.LOCKED_OUT.value in kinds()


def test_lockout_of_an_unknown_name_looks_the_same(client):
    for _ in range(5):
        response = post_login(client, "ghost.user", "wrong password number x")
    assert response.status_code == 429
    assert b"Too many unsuccessful sign-in attempts" in response.content


def test_failures_from_one_address_lock_that_address(person):
    attacker = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(5):
        post_login(attacker, f"guess{n}.name", "wrong password number x")
    assert post_login(attacker, person.username, person.password).status_code == 429
    # The account itself is not locked for its owner elsewhere.
    owner = Client(REMOTE_ADDR="10.2.2.2")
    assert post_login(owner, person.username, person.password).status_code == 302


def test_forged_totp_is_refused_and_recorded(client, person):
    post_login(client, person.username, person.password)
    response = client.post(VERIFY, {"code": "000000" if person.code() != "000000" else "111111"})
    assert response.status_code == 400
    assert b"That code is not correct." in response.content
    assert "_auth_user_id" not in client.session
    assert SecurityEventKind.MFA_FAILED.value in kinds()


def test_replayed_totp_is_refused(person):
    first, second = Client(), Client()
    code = person.code()
    post_login(first, person.username, person.password)
    assert first.post(VERIFY, {"code": code})["Location"] == "/"
    post_login(second, person.username, person.password)
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert "_auth_user_id" not in second.session


def test_five_wrong_codes_discard_the_pending_sign_in(client, person):
    post_login(client, person.username, person.password)
    for _ in range(4):
        assert client.post(VERIFY, {"code": "12345678"}).status_code == 400
    last = client.post(VERIFY, {"code": "12345678"})
    assert last.status_code in (302, 429)
    assert client.post(VERIFY, {"code": person.code()}).status_code in (302, 429)
    assert "_auth_user_id" not in client.session
    assert SecurityEventKind.MFA_PENDING_DISCARDED.value in kinds()


def test_recovery_code_works_once(client, person):
    from recordroom.accounts.services import issue_recovery_codes

    codes = issue_recovery_codes(person.user)
    post_login(client, person.username, person.password)
    assert client.post(VERIFY, {"code": codes[0].upper()})["Location"] == "/"
    client.post("/accounts/logout/")
    post_login(client, person.username, person.password)
    reused = client.post(VERIFY, {"code": codes[0]})
    assert reused.status_code == 400
    assert "_auth_user_id" not in client.session
    assert kinds().count(SecurityEventKind.MFA_RECOVERY_CODE_USED.value) == 1


def test_post_without_csrf_token_is_refused_and_recorded(person):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(LOGIN, {"username": person.username, "password": person.password})
    assert response.status_code == 403
    assert b"security token" in response.content
    assert SecurityEventKind.CSRF_REJECTED.value in kinds()
    assert SecurityEventKind.PASSWORD_ACCEPTED.value not in kinds()


@pytest.mark.parametrize("field", ["username", "password"])
def test_megabyte_inputs_are_refused_without_work(client, person, field):
    data = {"username": person.username, "password": person.password}
    data[field] = "a" * (1024 * 1024)
    response = client.post(LOGIN, data)
    assert response.status_code == 400
    event = AuditEvent.objects.get(event_type=SecurityEventKind.LOGIN_REFUSED_INPUT.value)
    assert event.detail_data == {"reason": "input_too_long"}
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "lookalike",
    [
        "\u0430dmin.one",  # Cyrillic a
        "\uff41dmin.one",  # full-width a
        "admin\u200b.one",  # zero-width space
    ],
)
def test_confusable_usernames_are_refused(client, lookalike):
    make_user([Role.SYSADMIN], username="admin.one")
    response = post_login(client, lookalike, "correct horse battery staple 42")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event_type=SecurityEventKind.LOGIN_REFUSED_INPUT.value).count() == 1


def test_deactivated_user_cannot_sign_in(client, person):
    deactivate_user(user=person.user, actor=None, reason="left")
    response = post_login(client, person.username, person.password)
    assert response.status_code == 400
    assert b"The username or password is not correct." in response.content
    assert SecurityEventKind.LOGIN_INACTIVE_USER.value in kinds()


def test_deactivation_ends_live_sessions(client, person):
    sign_in(client, person)
    assert client.get("/").status_code == 200
    deactivate_user(user=person.user, actor=None, reason="left")
    assert client.get("/").status_code == 302
    assert not Session.objects.exists()


def test_idle_timeout_boundary_is_fifteen_minutes(client, person):
    """RULES.md ONC-08: last activity 10:00:00; 10:14:59 allowed, 10:15:00 needs sign-in again."""
    sign_in(client, person)
    start = clock.now()
    with clock.frozen(start) as move_to:
        assert client.get("/").status_code == 200
        move_to(start + timedelta(minutes=14, seconds=59))
        assert client.get("/").status_code == 200
        move_to(start + timedelta(minutes=14, seconds=59) + timedelta(minutes=15))
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?signed_out=idle"
    assert SecurityEventKind.IDLE_TIMEOUT.value in kinds()
    assert client.get("/").status_code == 302


def test_htmx_request_after_timeout_is_told_to_redirect(client, person):
    sign_in(client, person)
    with clock.frozen(clock.now() + timedelta(minutes=16)):
        response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?signed_out=idle"


def test_absolute_session_lifetime_is_enforced(client, person):
    sign_in(client, person)
    start = clock.now()
    with clock.frozen(start) as move_to:
        for minutes in range(10, 12 * 60, 10):
            move_to(start + timedelta(minutes=minutes))
            assert client.get("/").status_code == 200
        move_to(start + timedelta(hours=12))
        response = client.get("/")
    assert response.status_code == 302
    assert SecurityEventKind.SESSION_EXPIRED.value in kinds()


def test_logout_ends_the_session(client, person):
    sign_in(client, person)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/?signed_out=logout"
    assert client.get("/").status_code == 302
    assert SecurityEventKind.LOGOUT.value in kinds()


def test_logout_by_get_is_not_allowed(signed_in_client):
    assert signed_in_client.get("/accounts/logout/").status_code == 405
    assert signed_in_client.get("/").status_code == 200


def test_first_sign_in_enrolls_totp_and_shows_ten_recovery_codes(client):
    import pyotp

    from recordroom.accounts.models import RecoveryCode
    from recordroom.accounts.otp import base32_secret

    person = make_user(enrolled=False)
    response = post_login(client, person.username, person.password)
    assert response["Location"] == "/accounts/login/enroll/"
    page = client.get("/accounts/login/enroll/")
    assert b"<svg" in page.content
    from recordroom.accounts.models import TotpDevice

    device = TotpDevice.objects.get(user=person.user)
    assert base32_secret(device.bin_key).encode() in page.content
    response = client.post("/accounts/login/enroll/", {"code": pyotp.TOTP(base32_secret(device.bin_key)).now()})
    assert response.status_code == 200
    assert response.content.count(b"<li>") >= 10
    stored = list(RecoveryCode.objects.values_list("digest", flat=True))
    assert len(stored) == 10
    for digest in stored:
        assert len(digest) == 64
        assert digest.encode() not in response.content
    assert client.get("/").status_code == 200
    assert SecurityEventKind.MFA_ENROLLED.value in kinds()


def test_enrollment_is_required_before_any_page(client):
    person = make_user(enrolled=False)
    post_login(client, person.username, person.password)
    assert client.get("/").status_code == 302
    assert client.get("/accounts/me/").status_code == 302


def test_mfa_optional_setting_still_requires_it_for_privileged_roles(client, settings):
    settings.RECORDROOM_MFA_REQUIRED = False
    clerk = make_user([Role.HIM_CLERK], enrolled=False)
    admin = make_user([Role.PRIVACY_OFFICER], enrolled=False)
    assert post_login(client, clerk.username, clerk.password)["Location"] == "/"
    other = Client()
    assert post_login(other, admin.username, admin.password)["Location"] == "/accounts/login/enroll/"


def test_pending_sign_in_expires_after_five_minutes(client, person):
    post_login(client, person.username, person.password)
    with clock.frozen(clock.now() + timedelta(minutes=5, seconds=1)):
        response = client.post(VERIFY, {"code": person.code()})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_pages_with_data_are_not_cached(signed_in_client):
    response = signed_in_client.get("/")
    assert response["Cache-Control"] == "no-store, max-age=0"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_security_events_never_hold_the_password(client, person):
    post_login(client, person.username, "wrong password number x")
    post_login(client, "someone.else", person.password)
    sign_in(Client(), person)
    for event in AuditEvent.objects.all():
        blob = repr(event.__dict__)
        assert person.password not in blob
        assert "wrong password number x" not in blob


def test_users_are_never_superusers(person):
    user = User.objects.get(pk=person.user.pk)
    assert user.is_superuser is False
    assert user.is_staff is False
