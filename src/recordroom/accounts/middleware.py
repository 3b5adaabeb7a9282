"""Session policy on every request: idle time-out, absolute lifetime, and MFA completeness.

HIPAA 164.312(a)(2)(iii) automatic logoff and ONC 170.315(d)(5): access stops after a predetermined
time of inactivity (default 15 minutes; expired when ``now - last_activity >= timeout``, RULES.md
ONC-08) and resuming needs a full sign-in, second factor included.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from recordroom.accounts.models import User
from recordroom.accounts.security_events import SecurityEventKind
from recordroom.accounts.services.mfa import has_confirmed_totp, mfa_required_for
from recordroom.accounts.services.signin import AUTH_AT, LAST_ACTIVITY, sign_out
from recordroom.core import clock

# Requests that must not count as activity: the client's own expiry notice.
PASSIVE_PATHS = ("/accounts/timed-out/",)


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated:
            refusal = self._enforce(request, user)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _enforce(self, request: HttpRequest, user: User) -> HttpResponse | None:
        now = clock.now().timestamp()
        last = request.session.get(LAST_ACTIVITY)
        started = request.session.get(AUTH_AT)
        if last is None or started is None:
            sign_out(request, SecurityEventKind.SESSION_EXPIRED)
            return self._to_login(request, "expired")
        if now - float(started) >= settings.RECORDROOM_SESSION_MAX_AGE.total_seconds():
            sign_out(request, SecurityEventKind.SESSION_EXPIRED)
            return self._to_login(request, "expired")
        if now - float(last) >= settings.RECORDROOM_IDLE_TIMEOUT.total_seconds():
            sign_out(request, SecurityEventKind.IDLE_TIMEOUT)
            return self._to_login(request, "idle")
        needs_second_factor = mfa_required_for(user) or has_confirmed_totp(user)
        if needs_second_factor and not user.is_verified():  # type: ignore[attr-defined]
            sign_out(request, SecurityEventKind.SESSION_EXPIRED)
            return self._to_login(request, "mfa")
        if not request.path.startswith(PASSIVE_PATHS):
            request.session[LAST_ACTIVITY] = now
        return None

    @staticmethod
    def _to_login(request: HttpRequest, reason: str) -> HttpResponse:
        url = reverse("accounts:login") + "?" + urlencode({"signed_out": reason})
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "type": "about:blank",
                    "title": "Sign-in required",
                    "status": 401,
                    "code": f"session_{reason}",
                },
                status=401,
                content_type="application/problem+json",
            )
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
