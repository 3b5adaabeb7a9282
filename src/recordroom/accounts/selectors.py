"""Read-only queries for the account screens (STYLE R5: lists are filtered in the query)."""

from __future__ import annotations

from django.db.models import QuerySet

from recordroom.accounts.models import SecurityEvent, User
from recordroom.accounts.permissions import AccountsPermission
from recordroom.accounts.services import require_account_admin

MAX_EVENTS = 100


def users_visible_to(actor: User) -> QuerySet[User]:
    """Every account, for those who manage accounts; a refusal otherwise (recorded)."""
    require_account_admin(actor, AccountsPermission.MANAGE_USERS)
    return User.objects.prefetch_related("role_assignments").order_by("username")


def security_events_visible_to(
    actor: User, *, user: User | None = None, limit: int = 25
) -> list[SecurityEvent]:
    """The newest security events (optionally of one user), newest first."""
    require_account_admin(actor, AccountsPermission.MANAGE_USERS)
    events = SecurityEvent.objects.order_by("-occurred_at", "-id")
    if user is not None:
        events = events.filter(user_id=user.pk)
    rows = list(events[: min(limit, MAX_EVENTS)])
    ids = {row.user_id for row in rows} | {row.actor_id for row in rows}
    names: dict[int | None, str] = dict(
        User.objects.filter(pk__in=[i for i in ids if i is not None]).values_list("pk", "username")
    )
    for row in rows:
        row.username = names.get(row.user_id, "")  # type: ignore[attr-defined]
        row.actor_username = names.get(row.actor_id, "")  # type: ignore[attr-defined]
    return rows
