"""Middleware with no domain rules: request ids and no-store caching."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from recordroom.core.requests import current_request_id

Handler = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Give every request a correlation id (``X-Request-ID``) that log lines, security events and audit
    events carry, so an incident can be followed across them without copying PHI."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = current_request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every dynamic response, so no PHI stays in a browser or proxy
    cache after use (ONC 170.315(d)(7)(ii), RULES.md ONC-11). Static assets keep their own headers."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response
