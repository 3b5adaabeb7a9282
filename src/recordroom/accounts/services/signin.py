"""The sign-in flow: password, then the second factor, then a fresh session.

- The password step goes through ``django.contrib.auth.authenticate``, so django-axes counts failures
  and locks the username and the source address after 5 in 15 minutes (164.308(a)(5)(ii)(C)).
- A correct password alone signs nobody in when MFA applies (RULES.md ONC-15): the user id waits in the
  session as *pending* for 5 minutes and 5 tries, and only a valid second factor completes the login.
- The session id is rotated at completion (session fixation), and the sign-in time and last activity
  are stamped for the idle time-out and the absolute lifetime (HIPAA 164.312(a)(2)(iii); ONC (d)(5)).
- No response tells whether a username exists: unknown user, wrong password and deactivated user get
  the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import django_otp
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device

from recordroom.accounts.errors import AccountsError
from recordroom.accounts.models import TotpDevice, User, UserSession
from recordroom.accounts.security_events import Outcome, SecurityEventKind, record_security_event
from recordroom.accounts.services.mfa import (
    confirm_totp_enrollment,
    has_confirmed_totp,
    mfa_required_for,
    verify_second_factor,
)
from recordroom.accounts.services.sessions import register_session
from recordroom.accounts.usernames import UsernameError, canonical_username
from recordroom.accounts.validators import PASSWORD_MAX
from recordroom.core import clock

PENDING_USER = "rr_pending_user"
PENDING_AT = "rr_pending_at"
PENDING_FAILURES = "rr_pending_failures"
AUTH_AT = "rr_auth_at"
LAST_ACTIVITY = "rr_last_activity"
MAX_USERNAME_INPUT = 256


class SignInStatus(StrEnum):
    REJECTED = "rejected"
    LOCKED = "locked"
    MFA_REQUIRED = "mfa_required"
    ENROLL_REQUIRED = "enroll_required"
    SIGNED_IN = "signed_in"
    RESTART = "restart"


@dataclass
class SignInResult:
    status: SignInStatus
    user: User | None = None
    recovery_codes: list[str] = field(default_factory=list)
    message: str = ""


def _refuse_input(request: HttpRequest, reason: str) -> SignInResult:
    record_security_event(
        SecurityEventKind.LOGIN_REFUSED_INPUT,
        outcome=Outcome.DENIED,
        request=request,
        detail={"reason": reason},
    )
    return SignInResult(SignInStatus.REJECTED)


@transaction.atomic
def begin_sign_in(request: HttpRequest, username: str, password: str) -> SignInResult:
    """The password step. Returns what the user must do next."""
    if len(username) > MAX_USERNAME_INPUT or len(password) > PASSWORD_MAX:
        return _refuse_input(request, "input_too_long")
    if not password:
        return _refuse_input(request, "password_missing")
    try:
        name = canonical_username(username)
    except UsernameError:
        return _refuse_input(request, "username_not_allowed")
    _discard_pending(request)
    authenticated = authenticate(request, username=name, password=password)
    if getattr(request, "axes_locked_out", False):
        known = User.objects.filter(username=name).first()
        record_security_event(
            SecurityEventKind.LOCKED_OUT,
            outcome=Outcome.DENIED,
            request=request,
            user=known,
            attempted_username=name,
        )
        return SignInResult(SignInStatus.LOCKED)
    if not isinstance(authenticated, User):
        known = User.objects.filter(username=name).first()
        inactive = known is not None and not known.is_active
        record_security_event(
            SecurityEventKind.LOGIN_INACTIVE_USER if inactive else SecurityEventKind.LOGIN_FAILED,
            outcome=Outcome.DENIED if inactive else Outcome.FAILURE,
            request=request,
            user=known,
            attempted_username=name,
        )
        return SignInResult(SignInStatus.REJECTED)
    user = authenticated
    record_security_event(SecurityEventKind.PASSWORD_ACCEPTED, outcome=Outcome.SUCCESS, request=request, user=user)
    if has_confirmed_totp(user):
        _hold_pending(request, user)
        return SignInResult(SignInStatus.MFA_REQUIRED, user)
    if mfa_required_for(user):
        _hold_pending(request, user)
        return SignInResult(SignInStatus.ENROLL_REQUIRED, user)
    _complete(request, user, device=None)
    return SignInResult(SignInStatus.SIGNED_IN, user)


def pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password step in this session, if that was less than 5 minutes ago."""
    user_pk = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT)
    if user_pk is None or started is None:
        return None
    if clock.now().timestamp() - float(started) > settings.RECORDROOM_MFA_PENDING_TTL.total_seconds():
        _discard_pending(request)
        return None
    return User.objects.filter(pk=user_pk, is_active=True).first()


@transaction.atomic
def complete_mfa_sign_in(request: HttpRequest, token: str) -> SignInResult:
    user = pending_user(request)
    if user is None:
        return SignInResult(SignInStatus.RESTART, message="Your sign-in expired. Enter your password again.")
    device = verify_second_factor(user=user, token=token, request=request)
    if device is not None:
        _complete(request, user, device=device)
        return SignInResult(SignInStatus.SIGNED_IN, user)
    return _count_mfa_failure(request, user)


@transaction.atomic
def complete_enrollment_sign_in(request: HttpRequest, device: TotpDevice, token: str) -> SignInResult:
    user = pending_user(request)
    if user is None:
        return SignInResult(SignInStatus.RESTART, message="Your sign-in expired. Enter your password again.")
    if has_confirmed_totp(user):
        return SignInResult(SignInStatus.MFA_REQUIRED, user)
    try:
        codes = confirm_totp_enrollment(user=user, device=device, token=token, request=request)
    except AccountsError as exc:
        result = _count_mfa_failure(request, user)
        if result.status is SignInStatus.ENROLL_REQUIRED:
            result.message = exc.message
        return result
    _complete(request, user, device=device)
    return SignInResult(SignInStatus.SIGNED_IN, user, recovery_codes=codes)


def _count_mfa_failure(request: HttpRequest, user: User) -> SignInResult:
    # A wrong second factor counts toward the same lockout as a wrong password.
    user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
    failures = int(request.session.get(PENDING_FAILURES, 0)) + 1
    request.session[PENDING_FAILURES] = failures
    if failures >= settings.RECORDROOM_MFA_MAX_FAILURES or getattr(request, "axes_locked_out", False):
        _discard_pending(request)
        record_security_event(
            SecurityEventKind.MFA_PENDING_DISCARDED,
            outcome=Outcome.DENIED,
            request=request,
            user=user,
            detail={"failures": failures},
        )
        return SignInResult(SignInStatus.RESTART, message="Too many wrong codes. Sign in again.")
    status = SignInStatus.MFA_REQUIRED if has_confirmed_totp(user) else SignInStatus.ENROLL_REQUIRED
    return SignInResult(status, user, message="That code is not correct.")


def _hold_pending(request: HttpRequest, user: User) -> None:
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_AT] = clock.now().timestamp()
    request.session[PENDING_FAILURES] = 0


def _discard_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_AT, PENDING_FAILURES):
        request.session.pop(key, None)


def _complete(request: HttpRequest, user: User, *, device: Device | None) -> None:
    _discard_pending(request)
    login(request, user, backend="recordroom.accounts.backends.RecordroomBackend")  # rotates the session id
    if device is not None:
        django_otp.login(request, device)
    stamp = clock.now().timestamp()
    request.session[AUTH_AT] = stamp
    request.session[LAST_ACTIVITY] = stamp
    request.session.save()
    register_session(request, user)
    record_security_event(
        SecurityEventKind.LOGIN_SUCCEEDED,
        outcome=Outcome.SUCCESS,
        request=request,
        user=user,
        detail={"second_factor": type(device).__name__ if device is not None else "none"},
    )


@transaction.atomic
def sign_out(request: HttpRequest, kind: SecurityEventKind = SecurityEventKind.LOGOUT) -> None:
    """End the session: logout, idle time-out or absolute expiry, each recorded as such."""
    current = getattr(request, "user", None)
    user = current if isinstance(current, User) else None
    key = request.session.session_key
    if user is not None:
        record_security_event(kind, outcome=Outcome.SUCCESS, request=request, user=user)
    if key:
        UserSession.objects.filter(session_key=key).delete()
    logout(request)
