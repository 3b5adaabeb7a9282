"""API authentication for django-ninja: bearer tokens, or a complete (MFA-verified) browser session."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.accounts.services import authenticate_api_token


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer rr_...``. The request carries the token's roles, not all the owner's."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = authenticate_api_token(token, request=request)
        if api_token is None:
            return None
        user = api_token.user
        # The request acts with the token's roles only: every access decision and audit event sees them.
        user._role_cache = api_token.role_set()
        request.user = user
        request.token_roles = api_token.role_set()  # type: ignore[attr-defined]
        request.rr_on_behalf_of = f"token:{api_token.prefix}"  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (CSRF-checked by ninja for unsafe methods). The session policy
    middleware has already enforced the idle time-out and the second factor."""

    param_name = "rr_session"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user: Any = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated and user.is_active:
            request.token_roles = user.role_set()  # type: ignore[attr-defined]
            return user
        return None


def request_roles(request: HttpRequest) -> frozenset[Role]:
    roles: frozenset[Role] = getattr(request, "token_roles", frozenset())
    return roles


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required``; anything else is refused."""
    user: Any = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
