"""The JSON API under ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``): one router per app, errors
as RFC 7807 problem+json (STYLE R14). Every route needs authentication (deny by default)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from recordroom import __version__
from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.api import router as accounts_router
from recordroom.accounts.auth import ApiTokenAuth, SessionAuth
from recordroom.accounts.errors import AccountsError, AccountsErrorCode
from recordroom.audit.api import router as audit_router
from recordroom.coding.api import router as coding_router
from recordroom.coding.errors import CodingError

api = NinjaAPI(
    title="Recordroom API",
    version=__version__,
    urls_namespace="api",
    auth=[ApiTokenAuth(), SessionAuth()],
    docs_url=None,
)
api.add_router("/accounts/", accounts_router)
api.add_router("/audit/", audit_router)
api.add_router("/coding/", coding_router)


def _problem(request: HttpRequest, status: int, title: str, code: str, detail: str = "") -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _problem(request, 401, "Authentication required", "unauthenticated")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _problem(request, 422, "Invalid request", "invalid", detail=f"{len(exc.errors)} field error(s)")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _problem(request, exc.status_code, str(exc), "http_error")


@api.exception_handler(AccountsError)
def _accounts_error(request: HttpRequest, exc: AccountsError) -> HttpResponse:
    status = 403 if exc.code is AccountsErrorCode.PERMISSION_DENIED else 400
    return _problem(request, status, exc.message, exc.code.value)


@api.exception_handler(AccessDeniedError)
def _access_denied(request: HttpRequest, exc: AccessDeniedError) -> HttpResponse:
    """A refusal the access policy made (already recorded in the audit trail)."""
    return _problem(request, 403, "Access denied", "access_denied", detail=exc.decision.reason)


@api.exception_handler(CodingError)
def _coding_error(request: HttpRequest, exc: CodingError) -> HttpResponse:
    """Refused coding input (bad JSON shape, a code format, no code set in force): 400 naming the field."""
    detail = f"field: {exc.field}" if exc.field else ""
    return _problem(request, 400, exc.message, exc.code.value, detail=detail)
