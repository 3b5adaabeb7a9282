"""Access services: enforce a decision (deny -> audited refusal), break the glass, review emergency
access, and grant or revoke access to restricted records.

Refusals are recorded before any transaction of the refused work opens, so the audit event of a denial
is never rolled back with it (DESIGN invariant 2).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from recordroom.access.audit_events import AccessEvent
from recordroom.access.decisions import Decision, Principal, Resource, authorize, forget_clearances
from recordroom.access.errors import AccessDeniedError, AccessError, AccessErrorCode
from recordroom.access.models import EmergencyAccess, RestrictionGrant
from recordroom.access.policy import active_policy
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Action, Purpose, ResourceType, Restriction

AUDIT_ACTION: dict[Action, AuditAction] = {
    Action.READ: AuditAction.READ,
    Action.SEARCH: AuditAction.QUERY,
    Action.CREATE: AuditAction.CREATE,
    Action.UPDATE: AuditAction.UPDATE,
    Action.DELETE: AuditAction.DELETE,
    Action.MERGE: AuditAction.MERGE,
    Action.UNMERGE: AuditAction.UNMERGE,
    Action.SIGN: AuditAction.SIGN,
    Action.AMEND: AuditAction.AMEND,
    Action.CODE: AuditAction.UPDATE,
    Action.QUERY: AuditAction.CREATE,
    Action.ANSWER: AuditAction.UPDATE,
    Action.RELEASE: AuditAction.DISCLOSE,
    Action.PRINT: AuditAction.PRINT,
    Action.EXPORT: AuditAction.EXPORT,
    Action.REVIEW: AuditAction.READ,
    Action.ADMINISTER: AuditAction.PRIVILEGE_CHANGE,
}
MAX_REASON = 500
MIN_REASON = 4


def audit_fields(decision: Decision, resource: Resource, purpose: Purpose | None) -> dict[str, Any]:
    """The audit fields an allowed access carries (callers pass them to ``audit.record``)."""
    return {
        "purpose": purpose,
        "resource_type": resource.type.value,
        "resource_id": resource.id,
        "patient_id": resource.patient_id,
        "data_category": resource.document_type or "",
        "emergency": decision.emergency,
    }


def enforce(
    user: Principal | None,
    action: Action,
    resource: Resource,
    purpose: Purpose | None,
    *,
    request: HttpRequest | None = None,
) -> Decision:
    """Authorize or refuse: a deny is recorded (``access.denied``) and raised as AccessDeniedError."""
    decision = authorize(user, action, resource, purpose)
    if not decision.allowed:
        record(
            AccessEvent.DENIED,
            action=AUDIT_ACTION.get(action, AuditAction.READ),
            outcome=Outcome.DENIED,
            actor=user,
            request=request,
            purpose=purpose if isinstance(purpose, Purpose) else None,
            resource_type=resource.type.value if isinstance(resource.type, ResourceType) else "",
            resource_id=resource.id,
            patient_id=resource.patient_id,
            data_category=resource.document_type or "",
            detail={"rule": decision.rule, "action": str(getattr(action, "value", action))},
        )
        raise AccessDeniedError(decision)
    return decision


def break_glass(
    *, actor: Principal, patient_id: int, reason: str, request: HttpRequest | None = None
) -> EmergencyAccess:
    """Open emergency access to one patient's record for the policy's window (default 60 minutes).

    ONC 170.315(d)(6): only an identified set of users (the policy's ``[break_glass] roles``); the reason
    is required; every access inside the window is audited as emergency access; the privacy officer
    sees the window in their review queue.
    """
    policy = active_policy().break_glass
    text = " ".join(reason.split())
    problem = ""
    if not actor.is_active or not actor.role_set() & policy.roles:
        problem = "roles_not_allowed"
    elif len(text) < MIN_REASON or len(text) > MAX_REASON:
        problem = "reason_missing"
    if problem:
        record(
            AccessEvent.EMERGENCY_REFUSED, action=AuditAction.BREAK_GLASS, outcome=Outcome.DENIED, actor=actor,
            request=request, purpose=Purpose.EMERGENCY, resource_type=ResourceType.PATIENT.value,
            patient_id=patient_id, detail={"reason_code": problem},
        )  # fmt: skip
        if problem == "reason_missing":
            raise AccessError(
                AccessErrorCode.INVALID_REQUEST, f"State the reason ({MIN_REASON}-{MAX_REASON} characters)."
            )
        raise AccessDeniedError(
            Decision(allowed=False, rule="break-glass", reason="the user's roles may not use emergency access")
        )
    now = clock.now()
    with transaction.atomic():
        window = EmergencyAccess.objects.create(
            user_id=actor.pk,
            patient_id=patient_id,
            reason=text,
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(minutes=policy.minutes),
        )
        record(
            AccessEvent.EMERGENCY_STARTED, action=AuditAction.BREAK_GLASS, outcome=Outcome.SUCCESS, actor=actor,
            request=request, purpose=Purpose.EMERGENCY, resource_type=ResourceType.EMERGENCY_ACCESS.value,
            resource_id=str(window.public_id), patient_id=patient_id, emergency=True,
            detail={"minutes": policy.minutes},
        )  # fmt: skip
    return window


def end_emergency_access(*, window: EmergencyAccess, actor: Principal, request: HttpRequest | None = None) -> None:
    if window.user_id != actor.pk or not window.is_open():
        return
    with transaction.atomic():
        window.ended_at = clock.now()
        window.save(update_fields=["ended_at"])
        record(
            AccessEvent.EMERGENCY_ENDED, action=AuditAction.BREAK_GLASS, outcome=Outcome.SUCCESS, actor=actor,
            request=request, purpose=Purpose.EMERGENCY, resource_type=ResourceType.EMERGENCY_ACCESS.value,
            resource_id=str(window.public_id), patient_id=window.patient_id, emergency=True,
        )  # fmt: skip


REVIEW_FINDINGS = ("appropriate", "inappropriate")


def review_emergency_access(
    *, window: EmergencyAccess, actor: Principal, finding: str, request: HttpRequest | None = None
) -> None:
    """The privacy officer records whether an emergency access was appropriate (164.308(a)(1)(ii)(D))."""
    resource = Resource(ResourceType.EMERGENCY_ACCESS, id=str(window.public_id))
    enforce(actor, Action.REVIEW, resource, Purpose.OPERATIONS, request=request)
    if finding not in REVIEW_FINDINGS:
        raise AccessError(AccessErrorCode.INVALID_REQUEST, "The finding is 'appropriate' or 'inappropriate'.")
    if window.user_id == actor.pk:
        raise AccessError(AccessErrorCode.INVALID_REQUEST, "Nobody reviews their own emergency access.")
    with transaction.atomic():
        window.reviewed_at = clock.now()
        window.reviewed_by_id = actor.pk
        window.review_finding = finding
        window.save(update_fields=["reviewed_at", "reviewed_by", "review_finding"])
        record(
            AccessEvent.EMERGENCY_REVIEWED, action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, purpose=Purpose.OPERATIONS, resource_type=ResourceType.EMERGENCY_ACCESS.value,
            resource_id=str(window.public_id), patient_id=window.patient_id, detail={"finding": finding},
        )  # fmt: skip


def grant_restriction(
    *,
    user: Principal,
    restriction: Restriction,
    actor: Principal,
    reason: str,
    days: int,
    patient_id: int | None = None,
    request: HttpRequest | None = None,
) -> RestrictionGrant:
    """Let ``user`` past ``restriction`` (for one patient, or all) for ``days`` (1-365)."""
    enforce(actor, Action.CREATE, Resource(ResourceType.RESTRICTION_GRANT), Purpose.OPERATIONS, request=request)
    text = " ".join(reason.split())
    if not MIN_REASON <= len(text) <= MAX_REASON or not 1 <= days <= 365:
        raise AccessError(AccessErrorCode.INVALID_REQUEST, "A grant needs a reason and lasts 1-365 days.")
    with transaction.atomic():
        grant = RestrictionGrant.objects.create(
            user_id=user.pk, restriction=Restriction(restriction).value, patient_id=patient_id,
            expires_at=clock.now() + timedelta(days=days), granted_by_id=actor.pk, reason=text,
        )  # fmt: skip
        record(
            AccessEvent.RESTRICTION_GRANTED, action=AuditAction.PRIVILEGE_CHANGE, outcome=Outcome.SUCCESS,
            actor=actor, request=request, purpose=Purpose.OPERATIONS,
            resource_type=ResourceType.RESTRICTION_GRANT.value, resource_id=str(grant.public_id),
            patient_id=patient_id, detail={"user_id": int(user.pk), "restriction": restriction.value, "days": days},
        )  # fmt: skip
    forget_clearances(user)
    return grant


def revoke_restriction(*, grant: RestrictionGrant, actor: Principal, request: HttpRequest | None = None) -> None:
    enforce(actor, Action.DELETE, Resource(ResourceType.RESTRICTION_GRANT), Purpose.OPERATIONS, request=request)
    if grant.revoked_at is not None:
        return
    with transaction.atomic():
        grant.revoked_at = clock.now()
        grant.save(update_fields=["revoked_at"])
        record(
            AccessEvent.RESTRICTION_REVOKED, action=AuditAction.PRIVILEGE_CHANGE, outcome=Outcome.SUCCESS,
            actor=actor, request=request, purpose=Purpose.OPERATIONS,
            resource_type=ResourceType.RESTRICTION_GRANT.value, resource_id=str(grant.public_id),
            patient_id=grant.patient_id, detail={"user_id": grant.user_id, "restriction": grant.restriction},
        )  # fmt: skip
