"""The one function through which every sign-in and account event passes.

Kinds follow ONC 170.315(d)(2) and ASTM E2147-18 7.1 (login, logout, privilege change) and HIPAA
164.308(a)(5)(ii)(C) (log-in monitoring). No PHI, no password, no token secret is ever written: users
are ids, an unmatched username is a keyed digest, and ``detail`` carries short codes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from recordroom.accounts.models import SecurityEvent, User
from recordroom.core.requests import client_ip, request_id, user_agent

logger = logging.getLogger("recordroom.security")

MAX_DETAIL_VALUE = 120


class SecurityEventKind(StrEnum):
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_REFUSED_INPUT = "login.refused_input"
    LOGIN_INACTIVE_USER = "login.inactive_user"
    LOCKED_OUT = "login.locked_out"
    PASSWORD_ACCEPTED = "login.password_accepted"
    MFA_SUCCEEDED = "mfa.succeeded"
    MFA_FAILED = "mfa.failed"
    MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used"
    MFA_ENROLLED = "mfa.enrolled"
    MFA_RESET = "mfa.reset"
    MFA_PENDING_DISCARDED = "mfa.pending_discarded"
    LOGOUT = "session.logout"
    IDLE_TIMEOUT = "session.idle_timeout"
    SESSION_EXPIRED = "session.expired"
    CSRF_REJECTED = "request.csrf_rejected"
    TOKEN_ISSUED = "token.issued"
    TOKEN_REVOKED = "token.revoked"
    TOKEN_USED = "token.used"
    TOKEN_REJECTED = "token.rejected"
    PASSWORD_CHANGED = "account.password_changed"
    PASSWORD_REJECTED = "account.password_rejected"
    USER_CREATED = "account.created"
    ROLE_GRANTED = "account.role_granted"
    ROLE_REVOKED = "account.role_revoked"
    USER_DEACTIVATED = "account.deactivated"
    USER_REACTIVATED = "account.reactivated"
    ACCOUNT_CHANGE_DENIED = "account.change_denied"


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


def username_digest(username: str) -> str:
    """Keyed digest of a typed username, so repeated attempts on one name can be grouped without
    storing what was typed (it might be a password typed in the wrong box)."""
    key = hashlib.sha256(("recordroom-username:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, username[:256].encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def _clean_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        if isinstance(value, bool | int | float) or value is None:
            cleaned[key] = value
        elif isinstance(value, list | tuple):
            cleaned[key] = [str(v)[:MAX_DETAIL_VALUE] for v in value][:20]
        else:
            cleaned[key] = str(value)[:MAX_DETAIL_VALUE]
    return cleaned


def record_security_event(
    kind: SecurityEventKind,
    *,
    outcome: Outcome,
    request: HttpRequest | None = None,
    user: User | None = None,
    actor: User | None = None,
    attempted_username: str | None = None,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Write one security event (in the caller's transaction) and a PHI-free log line."""
    event = SecurityEvent(
        public_id=uuid.uuid4(),
        kind=kind.value,
        outcome=outcome.value,
        user_id=user.pk if user is not None else None,
        actor_id=actor.pk if actor is not None else None,
        username_digest=username_digest(attempted_username) if attempted_username and user is None else "",
        source_ip=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        request_id=request_id(request),
        detail=_clean_detail(detail),
    )
    event.save(force_insert=True)
    logger.info("security event %s outcome=%s user_id=%s", kind.value, outcome.value, event.user_id)
    return event
