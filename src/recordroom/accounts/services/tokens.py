"""API tokens for machines and scripts: named, scoped to a subset of the owner's roles, expiring,
shown once, stored as a SHA-256 digest, revocable (HIPAA 164.312(d); ONC 170.315(d)(12)).

A token is ``rr_<prefix>_<secret>``: the prefix finds the row and is safe to show in lists; the
secret carries 256 random bits, so an unsalted digest is as good as a slow hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from recordroom.accounts.errors import AccountsError, AccountsErrorCode
from recordroom.accounts.models import ApiToken, User
from recordroom.accounts.permissions import AccountsPermission
from recordroom.accounts.roles import Role
from recordroom.accounts.security_events import Outcome, SecurityEventKind, record_security_event
from recordroom.accounts.services.users import require_account_admin
from recordroom.core import clock

TOKEN_PREFIX = "rr_"
MAX_TOKEN_INPUT = 128


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_api_token(
    *,
    user: User,
    name: str,
    roles: Iterable[Role],
    actor: User | None,
    days: int | None = None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the secret (never stored, shown once).

    A user issues their own; anyone else needs ``accounts.manage_users``. The token's roles must be a
    non-empty subset of the owner's roles.
    """
    if actor is None or actor.pk != user.pk:
        require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    label = name.strip()
    if not label or len(label) > 80:
        raise AccountsError(AccountsErrorCode.INVALID_TOKEN_REQUEST, "a token name has 1-80 characters")
    scope = sorted({Role(r) for r in roles})
    if not scope:
        raise AccountsError(AccountsErrorCode.INVALID_TOKEN_REQUEST, "a token needs at least one role")
    missing = [r.value for r in scope if r not in user.role_set()]
    if missing:
        raise AccountsError(
            AccountsErrorCode.INVALID_TOKEN_REQUEST, f"the owner does not hold role(s): {', '.join(missing)}"
        )
    lifetime = settings.RECORDROOM_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= lifetime <= settings.RECORDROOM_TOKEN_MAX_DAYS:
        raise AccountsError(
            AccountsErrorCode.INVALID_TOKEN_REQUEST,
            f"a token lives 1-{settings.RECORDROOM_TOKEN_MAX_DAYS} days",
        )
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=label,
            prefix=prefix,
            digest=_digest(secret),
            roles=[r.value for r in scope],
            expires_at=clock.now() + timedelta(days=lifetime),
        )
        record_security_event(
            SecurityEventKind.TOKEN_ISSUED,
            outcome=Outcome.SUCCESS,
            request=request,
            user=user,
            actor=actor,
            detail={"token": prefix, "roles": token.roles, "days": lifetime},
        )
    return token, secret


def revoke_api_token(*, token: ApiToken, actor: User | None, request: HttpRequest | None = None) -> None:
    if actor is None or actor.pk != token.user_id:
        require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        record_security_event(
            SecurityEventKind.TOKEN_REVOKED,
            outcome=Outcome.SUCCESS,
            request=request,
            user=token.user,
            actor=actor,
            detail={"token": token.prefix},
        )


@transaction.atomic
def authenticate_api_token(raw: str, *, request: HttpRequest | None = None) -> ApiToken | None:
    """The token behind a bearer credential, if it is genuine, unexpired, unrevoked and its owner
    active. Every use and every refusal is a security event (the secret is never recorded)."""
    candidate = raw.strip()
    parts = candidate.split("_") if len(candidate) <= MAX_TOKEN_INPUT else []
    token = None
    if len(parts) >= 3 and candidate.startswith(TOKEN_PREFIX):
        token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(candidate)):
        record_security_event(
            SecurityEventKind.TOKEN_REJECTED,
            outcome=Outcome.DENIED,
            request=request,
            detail={"reason": "unknown"},
        )
        return None
    if not token.is_usable():
        reason = "revoked" if token.revoked_at else ("expired" if token.user.is_active else "user_inactive")
        record_security_event(
            SecurityEventKind.TOKEN_REJECTED,
            outcome=Outcome.DENIED,
            request=request,
            user=token.user,
            detail={"reason": reason, "token": token.prefix},
        )
        return None
    token.last_used_at = clock.now()
    token.save(update_fields=["last_used_at"])
    record_security_event(
        SecurityEventKind.TOKEN_USED,
        outcome=Outcome.SUCCESS,
        request=request,
        user=token.user,
        detail={"token": token.prefix},
    )
    return token
