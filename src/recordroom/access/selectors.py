"""Read-only queries of the access app, filtered by the policy in the query (STYLE R5)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from recordroom.access.audit_events import AccessEvent
from recordroom.access.decisions import Principal, Resource, authorize
from recordroom.access.models import EmergencyAccess
from recordroom.access.policy import active_policy
from recordroom.access.services import enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Action, Purpose, Relationship, ResourceType, Restriction

# The order in which a purpose of use is chosen when a screen or command does not ask for one: the
# department's own work first, then the clinical, payment, release and registry purposes. Emergency
# access is never chosen implicitly (164.312(a)(2)(ii) needs an explicit break-the-glass).
PURPOSE_PREFERENCE = (
    Purpose.OPERATIONS,
    Purpose.TREATMENT,
    Purpose.PAYMENT,
    Purpose.ROI,
    Purpose.PUBLIC_HEALTH,
    Purpose.RESEARCH,
)


def first_allowed_purpose(user: Principal | None, action: Action, resource: Resource) -> Purpose | None:
    """The first purpose of use in :data:`PURPOSE_PREFERENCE` for which the policy lets ``user`` take
    ``action`` on ``resource``, or ``None``. Derived from the policy, so a changed policy changes it;
    164.502(b) requires each access to carry a purpose its grant allows."""
    if user is None:
        return None
    for purpose in PURPOSE_PREFERENCE:
        if authorize(user, action, resource, purpose).allowed:
            return purpose
    return None


def emergency_accesses_for_review(
    actor: Principal, *, include_reviewed: bool = False, request: HttpRequest | None = None
) -> QuerySet[EmergencyAccess]:
    """Break-the-glass windows awaiting the privacy officer's review (ONC 170.315(d)(6); 164.308(a)(1)(ii)(D))."""
    enforce(actor, Action.SEARCH, Resource(ResourceType.EMERGENCY_ACCESS), Purpose.OPERATIONS, request=request)
    windows = EmergencyAccess.objects.select_related("user", "reviewed_by").order_by("-created_at")
    if not include_reviewed:
        windows = windows.filter(reviewed_at__isnull=True)
    record(
        AccessEvent.EMERGENCY_QUEUE_VIEWED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor,
        request=request, purpose=Purpose.OPERATIONS, resource_type=ResourceType.EMERGENCY_ACCESS.value,
        detail={"include_reviewed": include_reviewed},
    )  # fmt: skip
    return windows


def unreviewed_emergency_count(actor: Principal) -> int | None:
    """How many windows wait for review, or ``None`` if the actor may not see the queue (no refusal is
    recorded: this only decides whether a dashboard panel shows a number)."""
    decision = authorize(actor, Action.SEARCH, Resource(ResourceType.EMERGENCY_ACCESS), Purpose.OPERATIONS)
    if not decision.allowed:
        return None
    return EmergencyAccess.objects.filter(reviewed_at__isnull=True).count()


def document_types_visible_to(
    actor: Principal,
    action: Action,
    purpose: Purpose,
    *,
    relationships: frozenset[Relationship] = frozenset(),
    patient_restrictions: frozenset[Restriction] = frozenset(),
) -> frozenset[str]:
    """The document types ``actor`` may ``action`` for ``purpose`` given the relationships the caller
    established, for building list queries (``document_type__in=...``): a list shows only what each row
    would allow, so counts and search results leak nothing else (STYLE R5; 164.514(d))."""
    policy = active_policy()
    return frozenset(
        code
        for code in policy.document_types
        if authorize(
            actor,
            action,
            Resource(
                ResourceType.DOCUMENT,
                patient_id=0,
                document_type=code,
                restrictions=patient_restrictions,
                relationships=relationships,
            ),
            purpose,
        ).allowed
    )
