"""``authorize(user, action, resource, purpose) -> Decision``: the one decision point (STYLE R4).

Deny by default (DESIGN invariant 1; RULES.md 8.2 (d)(1)): an inactive user, an unknown action or
resource type, a missing purpose, a role without a matching grant, a document type outside the
grant's list (minimum necessary, 164.514(d)(2)), a scope the caller did not establish, or a restriction
nobody cleared — each is a deny with the rule and the reason. Emergency access (164.312(a)(2)(ii),
ONC (d)(6)) applies only with purpose ``emergency`` inside an open break-the-glass window.

The decision itself is pure: the policy is compiled at start, the user's roles and restriction grants
are read once per user object, so deciding costs a few dictionary lookups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from recordroom.access.models import EmergencyAccess, RestrictionGrant
from recordroom.access.policy import Grant, Policy, active_policy
from recordroom.access.roles import Role
from recordroom.core import clock
from recordroom.core.vocabulary import Action, Purpose, Relationship, ResourceType, Restriction

DEFAULT_DENY = "default-deny"
BREAK_GLASS = "break-glass"


class Principal(Protocol):
    pk: Any
    is_active: bool

    def role_set(self) -> frozenset[Role]: ...


@dataclass(frozen=True)
class Resource:
    """What is acted on. ``relationships`` are facts the calling service established (e.g. the encounter
    is in this coder's queue); ``restrictions`` are the record's protections (VIP, Part 2, ...)."""

    type: ResourceType
    id: str | int | None = None
    patient_id: int | None = None
    document_type: str | None = None
    restrictions: frozenset[Restriction] = frozenset()
    relationships: frozenset[Relationship] = frozenset()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str
    reason: str
    emergency: bool = False
    cleared: frozenset[Restriction] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return self.allowed


def _deny(reason: str, rule: str = DEFAULT_DENY) -> Decision:
    return Decision(allowed=False, rule=rule, reason=reason)


def user_clearances(user: Principal) -> list[tuple[Restriction, int | None]]:
    """The user's unexpired, unrevoked restriction grants (read once per user object)."""
    cached: list[tuple[Restriction, int | None]] | None = getattr(user, "_rr_clearances", None)
    if cached is None:
        cached = [
            (Restriction(r), p)
            for r, p in RestrictionGrant.objects.filter(
                user_id=user.pk, revoked_at__isnull=True, expires_at__gt=clock.now()
            ).values_list("restriction", "patient_id")
        ]
        user._rr_clearances = cached  # type: ignore[attr-defined]
    return cached


def forget_clearances(user: Principal) -> None:
    user.__dict__.pop("_rr_clearances", None)


def _uncleared(
    user: Principal, grant: Grant, needed: frozenset[Restriction], patient_id: int | None
) -> set[Restriction]:
    remaining = set(needed - grant.clears)
    if remaining:
        for restriction, granted_patient in user_clearances(user):
            if restriction in remaining and (granted_patient is None or granted_patient == patient_id):
                remaining.discard(restriction)
    return remaining


def _restrictions_of(resource: Resource, policy: Policy) -> frozenset[Restriction] | None:
    if resource.document_type is None:
        return resource.restrictions
    doc_type = policy.document_types.get(resource.document_type)
    if doc_type is None:
        return None
    if doc_type.restriction is None:
        return resource.restrictions
    return resource.restrictions | {doc_type.restriction}


def authorize(user: Principal | None, action: Action, resource: Resource, purpose: Purpose | None) -> Decision:
    """Decide; never raises for a caller's mistake (a mistake is a deny with its reason)."""
    if user is None or not getattr(user, "is_active", False) or getattr(user, "pk", None) is None:
        return _deny("no active user")
    if not isinstance(action, Action) or not isinstance(resource.type, ResourceType):
        return _deny("unknown action or resource type")
    if purpose is None:
        return _deny("no purpose of use was given")
    if not isinstance(purpose, Purpose):
        return _deny("unknown purpose of use")
    policy = active_policy()
    is_document = resource.type is ResourceType.DOCUMENT
    if is_document and resource.document_type is None:
        return _deny("a document access must name the document type")
    needed = _restrictions_of(resource, policy)
    if needed is None:
        return _deny(f"unknown document type {resource.document_type!r}")
    roles = user.role_set()
    if not roles:
        return _deny("the user holds no role")
    if purpose is Purpose.EMERGENCY:
        return _emergency(user, action, resource, policy, roles)
    closest = "no grant of any of the user's roles covers this action on this resource"
    for role in sorted(roles):
        for grant in policy.grants_for(role, resource.type, action):
            if purpose not in grant.purposes:
                closest = f"purpose {purpose.value} is not allowed for {grant.rule}"
                continue
            if is_document and grant.document_types is not None and resource.document_type not in grant.document_types:
                closest = f"document type {resource.document_type} is outside {grant.rule} (minimum necessary)"
                continue
            if grant.scope is not None and grant.scope not in resource.relationships:
                closest = f"{grant.rule} applies only with relationship {grant.scope.value}"
                continue
            uncleared = _uncleared(user, grant, needed, resource.patient_id) if needed else set()
            if uncleared:
                names = ", ".join(sorted(r.value for r in uncleared))
                closest = f"the record is restricted ({names}) and no grant clears it"
                continue
            return Decision(allowed=True, rule=grant.rule, reason="granted by policy", cleared=needed)
    return _deny(closest)


def _emergency(user: Principal, action: Action, resource: Resource, policy: Policy, roles: frozenset[Role]) -> Decision:
    bg = policy.break_glass
    if not roles & bg.roles:
        return _deny("the user's roles may not use emergency access", rule=BREAK_GLASS)
    if resource.type not in bg.resources or action not in bg.actions:
        return _deny("emergency access does not cover this action or resource", rule=BREAK_GLASS)
    if resource.patient_id is None:
        return _deny("emergency access is for one patient's record", rule=BREAK_GLASS)
    window = EmergencyAccess.objects.filter(
        user_id=user.pk, patient_id=resource.patient_id, ended_at__isnull=True, expires_at__gt=clock.now()
    ).exists()
    if not window:
        return _deny("no open emergency access for this patient: break the glass first", rule=BREAK_GLASS)
    return Decision(allowed=True, rule=BREAK_GLASS, reason="emergency access", emergency=True)
