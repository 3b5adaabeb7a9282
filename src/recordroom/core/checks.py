"""System checks that refuse an unsafe production start (STYLE R11).

HIPAA 164.312(e)(1) (transmission security) and 164.312(a)(1) (access control) need HTTPS-only session
cookies, HSTS and a real secret; DEBUG would show stack traces that can carry PHI.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_LENGTH = 50
MIN_HSTS_SECONDS = 31536000  # one year: the floor browsers' preload lists ask for


@register(Tags.security, deploy=False)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "RECORDROOM_ENV", "") != "production":
        return []
    problems: list[CheckMessage] = []
    try:
        secret = str(settings.SECRET_KEY or "")
    except ImproperlyConfigured:  # Django refuses to read an empty SECRET_KEY
        secret = ""
    if len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < 5 or secret.startswith("django-insecure"):
        problems.append(
            Error(
                "RECORDROOM_SECRET_KEY is missing or weak (need 50+ random characters).",
                hint="Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'",
                id="recordroom.E001",
            )
        )
    if settings.DEBUG:
        problems.append(Error("DEBUG is on in production: stack traces could show PHI.", id="recordroom.E002"))
    if not settings.SESSION_COOKIE_SECURE or not settings.CSRF_COOKIE_SECURE:
        problems.append(
            Error(
                "Session and CSRF cookies must be HTTPS-only in production.",
                hint="Unset RECORDROOM_SECURE_COOKIES (it defaults to true).",
                id="recordroom.E003",
            )
        )
    if settings.SECURE_HSTS_SECONDS < MIN_HSTS_SECONDS:
        problems.append(
            Error(
                f"HSTS must be at least {MIN_HSTS_SECONDS} seconds in production.",
                hint="Set RECORDROOM_HSTS_SECONDS to 31536000 or more.",
                id="recordroom.E004",
            )
        )
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "RECORDROOM_ALLOWED_HOSTS must name the host(s) Recordroom answers to (no '*').",
                id="recordroom.E005",
            )
        )
    if not settings.SESSION_COOKIE_HTTPONLY:
        problems.append(Error("The session cookie must be HttpOnly.", id="recordroom.E006"))
    return problems
