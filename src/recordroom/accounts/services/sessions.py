"""Live-session bookkeeping, so deprovisioning and password changes end sessions everywhere at once."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.http import HttpRequest

from recordroom.accounts.models import User, UserSession


def register_session(request: HttpRequest, user: User) -> None:
    """Remember the (already rotated) session key of a completed sign-in."""
    key = request.session.session_key
    if key is None:
        request.session.save()
        key = request.session.session_key
    if key is not None:
        UserSession.objects.update_or_create(session_key=key, defaults={"user": user})


def end_all_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete every stored session of ``user`` (except ``keep``); returns how many ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for live in user.live_sessions.exclude(session_key=keep or ""):
        store(session_key=live.session_key).delete()
        ended += 1
    user.live_sessions.exclude(session_key=keep or "").delete()
    return ended
