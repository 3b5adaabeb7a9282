"""Template context shared by every page of the shell."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from recordroom.accounts.models import User
from recordroom.web.navigation import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = isinstance(user, User) and user.is_authenticated
    roles = user.role_set() if signed_in and isinstance(user, User) else frozenset()
    return {
        "nav_items": nav_for(roles),
        "user_roles": sorted(roles),
        "idle_timeout_seconds": int(settings.RECORDROOM_IDLE_TIMEOUT.total_seconds()) if signed_in else 0,
        "idle_warning_seconds": int(settings.RECORDROOM_IDLE_WARNING.total_seconds()),
        "environment": getattr(settings, "RECORDROOM_ENV", ""),
    }
