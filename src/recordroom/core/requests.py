"""Request metadata used by audit and security events: a correlation id and the source address."""

from __future__ import annotations

import contextvars
import ipaddress
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

MAX_USER_AGENT = 256


def client_ip(request: HttpRequest) -> str | None:
    """The source address: REMOTE_ADDR, or the address a trusted proxy put in X-Forwarded-For when
    ``RECORDROOM_PROXY_COUNT`` says how many proxies stand in front."""
    proxies: int | None = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:MAX_USER_AGENT]


def request_id(request: HttpRequest | None) -> str:
    if request is None:
        return current_request_id.get()
    return str(getattr(request, "request_id", current_request_id.get()))


def authenticated_user(request: HttpRequest) -> Any:
    """The signed-in user of a request; refuses anything else. For interface code in the shared layers
    (access, audit), which must not import the accounts app."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "pk", None) is None:
        raise PermissionDenied
    return user
