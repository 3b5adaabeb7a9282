"""Users and roles: create, deactivate, reactivate, grant and revoke roles, set passwords.

Refusals are recorded before a service opens its transaction, so a denial's security event is never
rolled back with the refused change (DESIGN invariant 2: failures are recorded too).

Unique user identification: HIPAA 164.312(a)(2)(i). Every privilege change is a security event with
the roles before and after (ONC 170.315(d)(2) via 170.210(e)(1)(i), RULES.md ONC-04). Deactivation ends
every session and token at once (HIPAA 164.308(a)(3)(ii)(C), termination procedures).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.contrib.auth import password_validation, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from recordroom.access.decisions import Resource
from recordroom.access.errors import AccessDeniedError
from recordroom.access.services import enforce
from recordroom.accounts.errors import AccountsError, AccountsErrorCode
from recordroom.accounts.models import RoleAssignment, User
from recordroom.accounts.permissions import AccountsPermission
from recordroom.accounts.roles import Role
from recordroom.accounts.security_events import Outcome, SecurityEventKind, record_security_event
from recordroom.accounts.services.sessions import end_all_sessions, register_session
from recordroom.accounts.usernames import UsernameError, canonical_username
from recordroom.core import clock
from recordroom.core.vocabulary import Action, Purpose, ResourceType


def require_account_admin(
    actor: User | None, permission: AccountsPermission, *, request: HttpRequest | None = None
) -> None:
    """Deny unless the access policy lets ``actor`` administer user accounts (sysadmin by default).

    ``None`` is the system actor: a command run by the operator of the host. A refusal is recorded in
    the audit trail (``access.denied``) before it is raised.
    """
    if actor is None:
        return
    try:
        enforce(actor, Action.ADMINISTER, Resource(ResourceType.USER_ACCOUNT), Purpose.OPERATIONS, request=request)
    except AccessDeniedError:
        raise AccountsError(
            AccountsErrorCode.PERMISSION_DENIED, "You are not allowed to manage user accounts."
        ) from None


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise AccountsError(AccountsErrorCode.INVALID_PASSWORD, " ".join(exc.messages)) from None


def _roles_of(user: User) -> list[str]:
    return sorted(user.role_assignments.values_list("role", flat=True))


def create_user(
    *,
    username: str,
    display_name: str,
    roles: Iterable[Role],
    actor: User | None,
    password: str | None = None,
    email: str = "",
    is_service_account: bool = False,
    request: HttpRequest | None = None,
) -> User:
    """Create a user with roles. Without a password the account cannot sign in with one until it is set."""
    require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    try:
        name = canonical_username(username)
    except UsernameError as exc:
        raise AccountsError(AccountsErrorCode.INVALID_USERNAME, str(exc)) from None
    display = display_name.strip()
    if not display or len(display) > 120:
        raise AccountsError(AccountsErrorCode.INVALID_USERNAME, "a display name has 1-120 characters")
    if User.objects.filter(username=name).exists():
        raise AccountsError(AccountsErrorCode.USERNAME_TAKEN, "that username is already taken")
    user = User(
        public_id=uuid.uuid4(),
        username=name,
        display_name=display,
        email=email.strip(),
        is_service_account=is_service_account,
    )
    if password is not None:
        _validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = clock.now()
    else:
        user.set_unusable_password()
    role_list = sorted({Role(r) for r in roles})
    with transaction.atomic():
        _insert_user(user, role_list, actor=actor, request=request, is_service_account=is_service_account)
    return user


def _insert_user(
    user: User,
    role_list: list[Role],
    *,
    actor: User | None,
    request: HttpRequest | None,
    is_service_account: bool,
) -> None:
    user.save(force_insert=True)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=user, role=role.value, granted_by=actor) for role in role_list]
    )
    record_security_event(
        SecurityEventKind.USER_CREATED,
        outcome=Outcome.SUCCESS,
        request=request,
        user=user,
        actor=actor,
        detail={"roles_after": [r.value for r in role_list], "service_account": is_service_account},
    )


def grant_role(*, user: User, role: Role, actor: User | None, request: HttpRequest | None = None) -> bool:
    """Grant ``role``; returns False (and records nothing) if the user already holds it."""
    require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    with transaction.atomic():
        before = _roles_of(user)
        if role.value in before:
            return False
        RoleAssignment.objects.create(user=user, role=role.value, granted_by=actor)
        user.forget_cached_roles()
        record_security_event(
            SecurityEventKind.ROLE_GRANTED,
            outcome=Outcome.SUCCESS,
            request=request,
            user=user,
            actor=actor,
            detail={"role": role.value, "roles_before": before, "roles_after": _roles_of(user)},
        )
        return True


def _active_sysadmins() -> int:
    return RoleAssignment.objects.filter(role=Role.SYSADMIN.value, user__is_active=True).count()


def revoke_role(*, user: User, role: Role, actor: User | None, request: HttpRequest | None = None) -> bool:
    """Revoke ``role``; refuses to remove the last active system administrator."""
    require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    with transaction.atomic():
        before = _roles_of(user)
        if role.value not in before:
            return False
        if role is Role.SYSADMIN and user.is_active and _active_sysadmins() <= 1:
            raise AccountsError(AccountsErrorCode.LAST_SYSADMIN, "the last active system administrator keeps that role")
        RoleAssignment.objects.filter(user=user, role=role.value).delete()
        user.forget_cached_roles()
        record_security_event(
            SecurityEventKind.ROLE_REVOKED,
            outcome=Outcome.SUCCESS,
            request=request,
            user=user,
            actor=actor,
            detail={"role": role.value, "roles_before": before, "roles_after": _roles_of(user)},
        )
        return True


def deactivate_user(*, user: User, actor: User | None, reason: str, request: HttpRequest | None = None) -> None:
    """Deprovision: the account can no longer sign in, and every session and API token ends now."""
    require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    with transaction.atomic():
        if actor is not None and actor.pk == user.pk:
            raise AccountsError(AccountsErrorCode.PERMISSION_DENIED, "you cannot deactivate your own account")
        if user.has_role(Role.SYSADMIN) and user.is_active and _active_sysadmins() <= 1:
            raise AccountsError(
                AccountsErrorCode.LAST_SYSADMIN, "the last active system administrator cannot be deactivated"
            )
        now = clock.now()
        user.is_active = False
        user.deactivated_at = now
        user.deactivation_reason = " ".join(reason.split())[:200]
        user.save(update_fields=["is_active", "deactivated_at", "deactivation_reason"])
        ended = end_all_sessions(user)
        revoked = user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
        record_security_event(
            SecurityEventKind.USER_DEACTIVATED,
            outcome=Outcome.SUCCESS,
            request=request,
            user=user,
            actor=actor,
            detail={"sessions_ended": ended, "tokens_revoked": revoked},
        )


def reactivate_user(*, user: User, actor: User | None, request: HttpRequest | None = None) -> None:
    require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    with transaction.atomic():
        if user.is_active:
            return
        user.is_active = True
        user.deactivated_at = None
        user.save(update_fields=["is_active", "deactivated_at"])
        record_security_event(
            SecurityEventKind.USER_REACTIVATED,
            outcome=Outcome.SUCCESS,
            request=request,
            user=user,
            actor=actor,
        )


def set_password(*, user: User, new_password: str, actor: User | None, request: HttpRequest | None = None) -> None:
    """An administrator (or the system) sets a user's password. Every session of the user ends."""
    require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    _store_password(user, new_password, actor=actor, request=request)


def change_password(
    *, user: User, current_password: str, new_password: str, request: HttpRequest | None = None
) -> None:
    """The user changes their own password (NIST SP 800-63B: on demand, never forced periodically)."""
    if not user.check_password(current_password[:256]):
        record_security_event(
            SecurityEventKind.PASSWORD_REJECTED,
            outcome=Outcome.FAILURE,
            request=request,
            user=user,
            detail={"reason": "current_password_wrong"},
        )
        raise AccountsError(AccountsErrorCode.INVALID_PASSWORD, "Your current password is not correct.")
    _store_password(user, new_password, actor=user, request=request)


def _store_password(user: User, new_password: str, *, actor: User | None, request: HttpRequest | None) -> None:
    try:
        _validate_password(new_password, user)
    except AccountsError:
        record_security_event(
            SecurityEventKind.PASSWORD_REJECTED,
            outcome=Outcome.FAILURE,
            request=request,
            user=user,
            actor=actor,
            detail={"reason": "policy"},
        )
        raise
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = clock.now()
        user.save(update_fields=["password", "password_changed_at"])
        keep = None
        if request is not None and getattr(request, "user", None) == user:
            # The user's own session survives their own password change (Django would end it).
            update_session_auth_hash(request, user)
            keep = request.session.session_key
        ended = end_all_sessions(user, keep=keep)
        if keep is not None and request is not None:
            register_session(request, user)  # the rotated key replaces the old one
        record_security_event(
            SecurityEventKind.PASSWORD_CHANGED,
            outcome=Outcome.SUCCESS,
            request=request,
            user=user,
            actor=actor,
            detail={"sessions_ended": ended},
        )


def assign_roles(
    *, user: User, roles: Iterable[Role], actor: User | None, request: HttpRequest | None = None
) -> tuple[list[Role], list[Role]]:
    """Make ``user``'s roles exactly ``roles``, all or nothing; returns (granted, revoked)."""
    require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    wanted = set(roles)
    current = user.role_set()
    granted = sorted(wanted - current)
    revoked = sorted(current - wanted)
    with transaction.atomic():
        for role in granted:
            grant_role(user=user, role=role, actor=actor, request=request)
        for role in revoked:
            revoke_role(user=user, role=role, actor=actor, request=request)
    user.forget_cached_roles()
    return granted, revoked
