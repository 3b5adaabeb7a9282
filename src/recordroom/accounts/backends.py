"""Authentication backend: Django's model backend on our user model, refusing inactive accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from recordroom.accounts.usernames import UsernameError, canonical_username


class RecordroomBackend(ModelBackend):
    """Password check (argon2id, or PBKDF2 under FIPS). Unknown users still cost one hash, so timing
    does not tell whether a username exists (Django's ModelBackend does this)."""

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False))


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The name django-axes counts failures under: the canonical username, so "Admin" and "admin"
    share one counter. Input that cannot be a username is counted under a fixed bucket."""
    raw = str((credentials or {}).get("username") or request.POST.get("username", ""))[:256]
    try:
        return canonical_username(raw)
    except UsernameError:
        return "(invalid)"
