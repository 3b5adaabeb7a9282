"""The dashboard and the error pages. Error pages never show a stack trace or request data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.views.decorators.http import require_GET

from recordroom.accounts.auth import signed_in_user
from recordroom.web.navigation import panels_for


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(request, "web/dashboard.html", {"sections": panels_for(user, user.role_set())})


ERRORS = {
    400: ("The request could not be understood", "Check what you entered and try again."),
    403: ("You do not have access to this page", "If you need access for your work, ask your HIM director."),
    404: ("Page not found", "The address may be mistyped, or the page has moved."),
    500: ("Something went wrong on our side", "The problem has been logged. Try again in a moment."),
}


def _error(request: HttpRequest, status: int) -> HttpResponse:
    title, message = ERRORS[status]
    return render(request, "web/error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: no context processor (and so no database or user lookup) runs.
    title, message = ERRORS[500]
    body = get_template("web/error_500.html").render({"title": title, "message": message})
    return HttpResponse(body, status=500)
