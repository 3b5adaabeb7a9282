"""Read-only helpers of the encounters app: a patient's encounters under the policy, an encounter's ADT
timeline, and the physicians an attending may be chosen from (STYLE R5)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

from recordroom.access.decisions import Resource, authorize
from recordroom.access.selectors import first_allowed_purpose
from recordroom.access.services import audit_fields, enforce
from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Action, Purpose, ResourceType
from recordroom.encounters.audit_events import EncounterEvent
from recordroom.encounters.models import AdtEvent, Bed, Encounter
from recordroom.encounters.permissions import EncountersPermission
from recordroom.encounters.services.common import encounter_resource
from recordroom.encounters.services.occupancy import live_movements
from recordroom.patients.models import Patient


def encounters_for_patient(
    actor: User, purpose: Purpose | None, patient: Patient, request: HttpRequest | None = None
) -> list[Encounter]:
    """The patient's encounters, newest first; refused (and recorded) without ``encounter``/``search``,
    audited as a query with the result count (164.312(b))."""
    resource = Resource(ResourceType.ENCOUNTER, patient_id=patient.pk, restrictions=patient.restriction_set())
    decision = enforce(actor, EncountersPermission.SEARCH_ENCOUNTERS.action, resource, purpose, request=request)
    rows = list(
        Encounter.objects.filter(patient=patient)
        .select_related("attending", "current_unit", "current_bed")
        .order_by("-admitted_at", "-pk")
    )
    record(
        EncounterEvent.LISTED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor, request=request,
        detail={"results": len(rows)}, **audit_fields(decision, resource, purpose),
    )  # fmt: skip
    return rows


@dataclass(frozen=True)
class TimelineEntry:
    event: AdtEvent
    cancelled: bool
    cancellable: bool


def adt_timeline(encounter: Encounter) -> list[TimelineEntry]:
    """Every ADT event of an encounter in the order recorded, each marked cancelled or not, and the one
    movement that may still be cancelled (the latest in force). The read itself is audited by the caller
    (``get_encounter``)."""
    events = list(
        AdtEvent.objects.filter(encounter=encounter)
        .select_related("unit", "bed", "recorded_by", "cancels")
        .order_by("recorded_at", "pk")
    )
    cancelled = {e.cancels_id for e in events if e.cancels_id is not None}
    moves = live_movements(events)
    latest = moves[-1].pk if moves else None
    return [TimelineEntry(e, e.pk in cancelled, e.pk == latest) for e in events]


def physician_choices() -> QuerySet[User]:
    """Active users holding the physician role, for the attending and consultant pickers."""
    return User.objects.filter(is_active=True, role_assignments__role=Role.PHYSICIAN).order_by("display_name")


def beds_in_service() -> QuerySet[Bed]:
    """Active beds, for the admit and transfer pickers (unit effective dates are checked by the services)."""
    return Bed.objects.filter(active=True).select_related("unit").order_by("unit__code", "code")


def default_purpose_for(user: User | None) -> Purpose | None:
    """The first purpose of use (access.selectors.PURPOSE_PREFERENCE) for which the policy lets ``user`` list
    encounters, or ``None``; 164.502(b) requires each access to carry a purpose its grant allows."""
    return first_allowed_purpose(user, Action.SEARCH, Resource(ResourceType.ENCOUNTER))


def may_record_movements(user: User, encounter: Encounter, purpose: Purpose | None) -> bool:
    """Whether the screens should offer the transfer, discharge and cancel forms (the services decide)."""
    return authorize(user, EncountersPermission.RECORD_MOVEMENT.action, encounter_resource(encounter), purpose).allowed


def may_admit(user: User, patient: Patient, purpose: Purpose | None) -> bool:
    """Whether the screens should offer the admit link for this patient (the service decides)."""
    resource = Resource(ResourceType.ENCOUNTER, patient_id=patient.pk, restrictions=patient.restriction_set())
    return authorize(user, EncountersPermission.ADMIT_PATIENT.action, resource, purpose).allowed


def adt_event_of(encounter: Encounter, public_id: str) -> AdtEvent | None:
    """One ADT event of this encounter by its public id."""
    return AdtEvent.objects.filter(encounter=encounter, public_id=public_id).select_related("encounter").first()


def may_view_indices(user: User) -> bool:
    """Whether the screens should offer the record indices (the services decide, and record refusals)."""
    return authorize(
        user, EncountersPermission.VIEW_INDICES.action, Resource(ResourceType.REPORT), Purpose.OPERATIONS
    ).allowed
