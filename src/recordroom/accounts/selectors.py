"""Read-only queries for the account screens (STYLE R5: lists are filtered in the query)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.http import HttpRequest

from recordroom.access.decisions import Resource, authorize
from recordroom.accounts.models import User
from recordroom.accounts.permissions import AccountsPermission
from recordroom.accounts.services import require_account_admin
from recordroom.audit.audit_events import AuditTrailEvent
from recordroom.audit.models import AuditEvent
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Action, Purpose, ResourceType

MAX_EVENTS = 100


def users_visible_to(actor: User, *, request: HttpRequest | None = None) -> QuerySet[User]:
    """Every account, for those who administer accounts; a refusal otherwise (recorded)."""
    require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    return User.objects.prefetch_related("role_assignments").order_by("username")


def account_events_visible_to(
    actor: User, *, user: User | None = None, limit: int = 25, request: HttpRequest | None = None
) -> list[AuditEvent]:
    """The newest sign-in and account events from the audit trail (optionally about one account),
    newest first, with ``username``/``actor_username`` attached for display. Reading them is audited."""
    require_account_admin(actor, AccountsPermission.MANAGE_USERS, request=request)
    events = AuditEvent.objects.filter(event_type__startswith="accounts.").order_by("-seq")
    if user is not None:
        events = events.filter(resource_type=ResourceType.USER_ACCOUNT.value, resource_id=str(user.pk))
    rows = list(events[: min(limit, MAX_EVENTS)])
    ids = {int(r.resource_id) for r in rows if r.resource_id.isdigit()} | {r.actor_id for r in rows if r.actor_id}
    names: dict[int, str] = dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))
    for row in rows:
        row.username = names.get(int(row.resource_id), "") if row.resource_id.isdigit() else ""  # type: ignore[attr-defined]
        row.actor_username = names.get(row.actor_id or 0, "")  # type: ignore[attr-defined]
    record(
        AuditTrailEvent.VIEWED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor, request=request,
        purpose=Purpose.OPERATIONS, resource_type=ResourceType.AUDIT_TRAIL.value,
        detail={"scope": "accounts", "rows": len(rows), "account": user.pk if user is not None else None},
    )  # fmt: skip
    return rows


FAILURE_KINDS = ("accounts.login_failed", "accounts.locked_out", "accounts.mfa_failed", "accounts.token_rejected")


def recent_signin_failures(actor: User) -> int | None:
    """Failed sign-ins, lockouts, wrong second factors and refused tokens in the last 24 hours, for the
    administrator's dashboard (164.308(a)(5)(ii)(C) log-in monitoring); ``None`` for anyone else."""
    decision = authorize(actor, Action.ADMINISTER, Resource(ResourceType.USER_ACCOUNT), Purpose.OPERATIONS)
    if not decision.allowed:
        return None
    since = clock.to_microseconds(clock.now() - timedelta(hours=24))
    return AuditEvent.objects.filter(event_type__in=FAILURE_KINDS, event_us__gte=since).count()
