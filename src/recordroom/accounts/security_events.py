"""The one function through which every sign-in and account event passes, into the audit trail.

Kinds follow ONC 170.315(d)(2) and ASTM E2147-18 7.1 (login, logout, privilege change) and HIPAA
164.308(a)(5)(ii)(C) (log-in monitoring). No PHI, no password, no token secret is ever written: users
are ids, an unmatched username is a keyed digest, and ``detail`` carries short codes (the audit trail
refuses anything else).
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from recordroom.accounts.models import User
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Purpose, ResourceType


class SecurityEventKind(StrEnum):
    LOGIN_SUCCEEDED = "accounts.login_succeeded"
    LOGIN_FAILED = "accounts.login_failed"
    LOGIN_REFUSED_INPUT = "accounts.login_input_refused"
    LOGIN_INACTIVE_USER = "accounts.login_inactive_refused"
    LOCKED_OUT = "accounts.locked_out"
    PASSWORD_ACCEPTED = "accounts.password_accepted"
    MFA_SUCCEEDED = "accounts.mfa_succeeded"
    MFA_FAILED = "accounts.mfa_failed"
    MFA_RECOVERY_CODE_USED = "accounts.recovery_code_used"
    MFA_ENROLLED = "accounts.mfa_enrolled"
    MFA_RESET = "accounts.mfa_reset"
    MFA_PENDING_DISCARDED = "accounts.pending_login_discarded"
    LOGOUT = "accounts.logged_out"
    IDLE_TIMEOUT = "accounts.idle_timed_out"
    SESSION_EXPIRED = "accounts.session_expired"
    CSRF_REJECTED = "accounts.csrf_rejected"
    TOKEN_ISSUED = "accounts.token_issued"
    TOKEN_REVOKED = "accounts.token_revoked"
    TOKEN_USED = "accounts.token_used"
    TOKEN_REJECTED = "accounts.token_rejected"
    PASSWORD_CHANGED = "accounts.password_changed"
    PASSWORD_REJECTED = "accounts.password_rejected"
    USER_CREATED = "accounts.user_created"
    ROLE_GRANTED = "accounts.role_granted"
    ROLE_REVOKED = "accounts.role_revoked"
    USER_DEACTIVATED = "accounts.user_deactivated"
    USER_REACTIVATED = "accounts.user_reactivated"


_LOGIN = {
    SecurityEventKind.LOGIN_SUCCEEDED, SecurityEventKind.LOGIN_FAILED, SecurityEventKind.LOGIN_REFUSED_INPUT,
    SecurityEventKind.LOGIN_INACTIVE_USER, SecurityEventKind.LOCKED_OUT, SecurityEventKind.PASSWORD_ACCEPTED,
    SecurityEventKind.MFA_SUCCEEDED, SecurityEventKind.MFA_FAILED, SecurityEventKind.MFA_RECOVERY_CODE_USED,
    SecurityEventKind.MFA_PENDING_DISCARDED, SecurityEventKind.TOKEN_USED, SecurityEventKind.TOKEN_REJECTED,
}  # fmt: skip
_LOGOUT = {SecurityEventKind.LOGOUT, SecurityEventKind.IDLE_TIMEOUT, SecurityEventKind.SESSION_EXPIRED}
_PRIVILEGE = {
    SecurityEventKind.USER_CREATED, SecurityEventKind.ROLE_GRANTED, SecurityEventKind.ROLE_REVOKED,
    SecurityEventKind.USER_DEACTIVATED, SecurityEventKind.USER_REACTIVATED, SecurityEventKind.TOKEN_ISSUED,
    SecurityEventKind.TOKEN_REVOKED, SecurityEventKind.MFA_RESET,
}  # fmt: skip


def audit_action_of(kind: SecurityEventKind) -> AuditAction:
    """ASTM E2147-18 7.1.8 and 170.210(e)(1)(i): logins, logouts and changes to user privileges."""
    if kind in _LOGIN:
        return AuditAction.LOGIN
    if kind in _LOGOUT:
        return AuditAction.LOGOUT
    if kind in _PRIVILEGE:
        return AuditAction.PRIVILEGE_CHANGE
    return AuditAction.SECURITY


def username_digest(username: str) -> str:
    """Keyed digest of a typed username, so repeated attempts on one name can be grouped without
    storing what was typed (it might be a password typed in the wrong box)."""
    key = hashlib.sha256(("recordroom-username:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, username[:256].encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]


def record_security_event(
    kind: SecurityEventKind,
    *,
    outcome: Outcome,
    request: HttpRequest | None = None,
    user: User | None = None,
    actor: User | None = None,
    attempted_username: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one sign-in/account event to the audit trail (in the caller's transaction).

    The acting user is ``actor`` (an administrator), else ``user`` for sign-in and self-service events;
    a privilege change without an actor is the system's. The account the event concerns is the resource.
    Returns the event's sequence number.
    """
    data = dict(detail or {})
    if actor is None and kind not in _PRIVILEGE:
        actor = user  # the person signing in (or acting on their own account) is the actor
    # A privilege change with no actor was made by the system (a command run by the host's operator).
    if attempted_username and user is None:
        data["username_digest"] = username_digest(attempted_username)
    return record(
        kind,
        action=audit_action_of(kind),
        outcome=outcome,
        actor=actor,
        request=request,
        purpose=Purpose.OPERATIONS,
        resource_type=ResourceType.USER_ACCOUNT.value if user is not None else "",
        resource_id=user.pk if user is not None else None,
        detail=data,
    )


__all__ = ["Outcome", "SecurityEventKind", "audit_action_of", "record_security_event", "username_digest"]
