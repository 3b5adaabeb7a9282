"""Sign-in, second factor, enrollment, sign-out and the user's own account page. Views are thin:
parse the form, call one service, render (STYLE R2)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recordroom.accounts import services
from recordroom.accounts.auth import signed_in_user
from recordroom.accounts.errors import AccountsError, AccountsErrorCode
from recordroom.accounts.forms import (
    CodeForm,
    DeactivateForm,
    EnrollForm,
    LoginForm,
    PasswordChangeForm,
    TokenForm,
    UserCreateForm,
    UserRolesForm,
)
from recordroom.accounts.models import ApiToken, RecoveryCodeDevice, TotpDevice, User
from recordroom.accounts.otp import base32_secret, otpauth_uri, qr_svg
from recordroom.accounts.roles import Role
from recordroom.accounts.security_events import Outcome, SecurityEventKind, record_security_event
from recordroom.accounts.selectors import account_events_visible_to, users_visible_to
from recordroom.accounts.services import SignInStatus

GENERIC_FAILURE = "The username or password is not correct."
SIGNED_OUT_MESSAGES = {
    "logout": "You have signed out.",
    "idle": "You were signed out after a period of inactivity. Sign in again to continue.",
    "expired": "Your session has ended. Sign in again to continue.",
    "mfa": "Sign in again and complete the second step.",
}
LOCKOUT_MESSAGE = (
    "Too many unsuccessful sign-in attempts. Sign-in is paused for {minutes} minutes. "
    "If you need help now, contact your system administrator."
)


def _next_step(status: SignInStatus) -> HttpResponse:
    target = {
        SignInStatus.MFA_REQUIRED: "accounts:mfa",
        SignInStatus.ENROLL_REQUIRED: "accounts:enroll",
        SignInStatus.SIGNED_IN: settings.LOGIN_REDIRECT_URL,
        SignInStatus.RESTART: "accounts:login",
    }[status]
    return HttpResponseRedirect(reverse(target))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse(settings.LOGIN_REDIRECT_URL))
    notice = SIGNED_OUT_MESSAGES.get(request.GET.get("signed_out", ""), "")
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST":
        username = str(request.POST.get("username", ""))
        password = str(request.POST.get("password", ""))
        result = services.begin_sign_in(request, username, password)
        if result.status is SignInStatus.LOCKED:
            return locked_out(request)
        if result.status is not SignInStatus.REJECTED:
            return _next_step(result.status)
        error, status = GENERIC_FAILURE, 400
        form = LoginForm(initial={"username": username[:64]})
    return render(request, "accounts/login.html", {"form": form, "error": error, "notice": notice}, status=status)


def locked_out(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes's lockout response: the same page for known and unknown usernames."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/login.html",
        {"form": LoginForm(), "error": LOCKOUT_MESSAGE.format(minutes=minutes), "locked": True},
        status=429,
    )


@require_http_methods(["GET", "POST"])
def mfa_view(request: HttpRequest) -> HttpResponse:
    user = services.pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("accounts:login") + "?signed_out=expired")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        result = services.complete_mfa_sign_in(request, str(request.POST.get("code", ""))[:64])
        if result.status in (SignInStatus.SIGNED_IN, SignInStatus.RESTART):
            return _next_step(result.status)
        if result.status is SignInStatus.LOCKED or getattr(request, "axes_locked_out", False):
            return locked_out(request)
        error = result.message
        form = CodeForm()
    return render(request, "accounts/mfa.html", {"form": form, "error": error}, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def enroll_view(request: HttpRequest) -> HttpResponse:
    user = services.pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("accounts:login") + "?signed_out=expired")
    device = services.begin_totp_enrollment(user)
    error = ""
    if request.method == "POST":
        result = services.complete_enrollment_sign_in(request, device, str(request.POST.get("code", ""))[:16])
        if result.status is SignInStatus.SIGNED_IN:
            return render(request, "accounts/recovery_codes.html", {"codes": result.recovery_codes, "first": True})
        if result.status in (SignInStatus.RESTART, SignInStatus.MFA_REQUIRED):
            return _next_step(result.status)
        error = result.message
    key = device.bin_key
    context = {
        "form": EnrollForm(),
        "error": error,
        "qr_svg": qr_svg(otpauth_uri(key, account=user.username, issuer=settings.RECORDROOM_TOTP_ISSUER)),
        "secret": base32_secret(key),
        "issuer": settings.RECORDROOM_TOTP_ISSUER,
        "account": user.username,
    }
    return render(request, "accounts/enroll.html", context, status=400 if error else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.sign_out(request, SecurityEventKind.LOGOUT)
    return HttpResponseRedirect(reverse("accounts:login") + "?signed_out=logout")


@require_GET
def timed_out_view(request: HttpRequest) -> HttpResponse:
    """Where the page's own idle timer sends the browser: the server ends the session too."""
    if request.user.is_authenticated:
        services.sign_out(request, SecurityEventKind.IDLE_TIMEOUT)
    return HttpResponseRedirect(reverse("accounts:login") + "?signed_out=idle")


@require_POST
@login_required
def keepalive_view(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in" from the idle warning: the request itself counts as activity."""
    return JsonResponse({"idle_timeout_seconds": int(settings.RECORDROOM_IDLE_TIMEOUT.total_seconds())})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form post without a valid CSRF token: refused, recorded, nothing changed."""
    current = getattr(request, "user", None)
    user = current if isinstance(current, User) else None
    record_security_event(
        SecurityEventKind.CSRF_REJECTED,
        outcome=Outcome.DENIED,
        request=request,
        user=user,
        detail={"view": getattr(request.resolver_match, "view_name", "")[:64]},
    )
    return render(
        request,
        "web/error.html",
        {
            "status": 403,
            "title": "This form has expired",
            "message": "The form was not accepted because its security token was missing or out of date. "
            "Reload the page and try again.",
        },
        status=403,
    )


def _account_context(request: HttpRequest, user: User, **extra: Any) -> dict[str, Any]:
    recovery = RecoveryCodeDevice.objects.filter(user=user).first()
    return {
        "account": user,
        "roles": sorted(user.role_set()),
        "has_totp": services.has_confirmed_totp(user),
        "recovery_remaining": recovery.remaining() if recovery else 0,
        "tokens": ApiToken.objects.filter(user=user),
        "token_form": extra.pop("token_form", None) or TokenForm(roles=user.role_set()),
        "password_form": extra.pop("password_form", None) or PasswordChangeForm(),
        **extra,
    }


@login_required
@require_GET
def account_view(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(request, "accounts/account.html", _account_context(request, user))


@login_required
@require_POST
def change_password_view(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            services.change_password(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                request=request,
            )
        except AccountsError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "accounts/account.html", _account_context(request, user, done="Password changed."))
    return render(request, "accounts/account.html", _account_context(request, user, password_form=form), status=400)


@login_required
@require_POST
def issue_token_view(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = TokenForm(request.POST, roles=user.role_set())
    if form.is_valid():
        try:
            token, secret = services.issue_api_token(
                user=user,
                name=form.cleaned_data["name"],
                roles=[Role(r) for r in form.cleaned_data["roles"]],
                days=form.cleaned_data["days"],
                actor=user,
                request=request,
            )
        except AccountsError as exc:
            form.add_error(None, exc.message)
        else:
            context = _account_context(request, user, new_token=token, new_secret=secret)
            return render(request, "accounts/account.html", context)
    return render(request, "accounts/account.html", _account_context(request, user, token_form=form), status=400)


@login_required
@require_POST
def revoke_token_view(request: HttpRequest, public_id: str) -> HttpResponse:
    user = signed_in_user(request)
    token = get_object_or_404(ApiToken, public_id=public_id, user=user)
    services.revoke_api_token(token=token, actor=user, request=request)
    return HttpResponseRedirect(reverse("accounts:account"))


@login_required
@require_POST
def regenerate_codes_view(request: HttpRequest) -> HttpResponse:
    """New recovery codes need a current code from the authenticator app (step-up)."""
    user = signed_in_user(request)
    device = services.verify_second_factor(user=user, token=str(request.POST.get("code", ""))[:16], request=request)
    if not isinstance(device, TotpDevice):
        context = _account_context(request, user, codes_error="Enter the current code from your authenticator app.")
        return render(request, "accounts/account.html", context, status=400)
    codes = services.issue_recovery_codes(user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": False})


# --------------------------------------------------------------------------- user administration
# Every view asks the service layer, which refuses (and records) anyone without accounts.manage_users.


def _admin_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"accounts/{template}", context, status=status)


@login_required
@require_GET
def users_view(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    try:
        users = list(users_visible_to(actor, request=request))
        events = account_events_visible_to(actor, limit=25, request=request)
    except AccountsError as exc:
        raise PermissionDenied from exc
    return _admin_page(request, "users.html", {"users": users, "events": events, "form": UserCreateForm()})


@login_required
@require_POST
def create_user_view(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    form = UserCreateForm(request.POST)
    if form.is_valid():
        password = "-".join(secrets.token_hex(3) for _ in range(4))
        try:
            user = services.create_user(
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                email=form.cleaned_data["email"],
                roles=[Role(r) for r in form.cleaned_data["roles"]],
                password=password,
                actor=actor,
                request=request,
            )
        except AccountsError as exc:
            if exc.code is AccountsErrorCode.PERMISSION_DENIED:
                raise PermissionDenied from exc
            form.add_error(None, exc.message)
        else:
            return _admin_page(request, "user_created.html", {"created": user, "password": password})
    try:
        users = list(users_visible_to(actor, request=request))
    except AccountsError as exc:
        raise PermissionDenied from exc
    return _admin_page(request, "users.html", {"users": users, "events": [], "form": form}, status=400)


def _user_detail(request: HttpRequest, actor: User, target: User, **extra: Any) -> dict[str, Any]:
    return {
        "target": target,
        "roles_form": extra.pop("roles_form", None)
        or UserRolesForm(initial={"roles": [r.value for r in target.role_set()]}),
        "deactivate_form": extra.pop("deactivate_form", None) or DeactivateForm(),
        "events": account_events_visible_to(actor, user=target, limit=25, request=request),
        "has_totp": services.has_confirmed_totp(target),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def user_detail_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = signed_in_user(request)
    try:
        target = get_object_or_404(users_visible_to(actor, request=request), public_id=public_id)
        if request.method == "GET":
            return _admin_page(request, "user_detail.html", _user_detail(request, actor, target))
        action = request.POST.get("action", "")
        context = _apply_user_action(request, actor, target, action)
        status = 400 if context.get("error") else 200
        target.refresh_from_db()
        target.forget_cached_roles()
        return _admin_page(request, "user_detail.html", _user_detail(request, actor, target, **context), status)
    except AccountsError as exc:
        if exc.code is AccountsErrorCode.PERMISSION_DENIED:
            raise PermissionDenied from exc
        return _admin_page(
            request, "user_detail.html", _user_detail(request, actor, target, error=exc.message), status=400
        )


def _apply_user_action(request: HttpRequest, actor: User, target: User, action: str) -> dict[str, Any]:
    if action == "roles":
        form = UserRolesForm(request.POST)
        if not form.is_valid():
            return {"roles_form": form, "error": "Choose roles from the list."}
        granted, revoked = services.assign_roles(
            user=target, roles=[Role(r) for r in form.cleaned_data["roles"]], actor=actor, request=request
        )
        return {"done": f"Roles saved ({len(granted)} granted, {len(revoked)} revoked)."}
    if action == "deactivate":
        reason_form = DeactivateForm(request.POST)
        if not reason_form.is_valid():
            return {"deactivate_form": reason_form, "error": "Give a reason for deactivating the account."}
        reason = str(reason_form.cleaned_data["reason"])
        services.deactivate_user(user=target, actor=actor, reason=reason, request=request)
        return {"done": "Account deactivated. Every session and API token has ended."}
    if action == "reactivate":
        services.reactivate_user(user=target, actor=actor, request=request)
        return {"done": "Account reactivated."}
    if action == "reset_mfa":
        services.reset_mfa(user=target, actor=actor, request=request)
        return {"done": "Two-step sign-in removed; the user sets it up again at next sign-in."}
    return {"error": "Unknown action."}
