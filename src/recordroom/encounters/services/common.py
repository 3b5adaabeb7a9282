"""Checks shared by the encounters services; each raises :class:`EncountersError` before anything is
written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.db.models import TextChoices
from django.http import HttpRequest
from django.utils import timezone

from recordroom.access.decisions import Resource
from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import AdtEvent, Bed, Encounter
from recordroom.encounters.services.occupancy import bed_taken_from, live_movements

# How far ahead a movement may be recorded: a planned admission or discharge entered the day before.
MAX_AHEAD = timedelta(days=1)


def encounter_resource(encounter: Encounter) -> Resource:
    """The access-policy view of one encounter: its id, its patient and the patient's restrictions."""
    patient = encounter.patient
    return Resource(
        ResourceType.ENCOUNTER,
        id=str(encounter.public_id),
        patient_id=patient.pk,
        restrictions=patient.restriction_set(),
    )


def check_code(choices: type[TextChoices], value: str, field: str) -> str:
    if value not in choices.values:
        raise EncountersError(EncountersErrorCode.UNKNOWN_CODE, f"Unknown code for {field}.", field=field)
    return value


def check_time(value: datetime, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise EncountersError(EncountersErrorCode.INVALID_INPUT, f"{field} needs a date and time.", field=field)
    if value > clock.now() + MAX_AHEAD:
        raise EncountersError(
            EncountersErrorCode.TIME_IN_FUTURE, f"{field} is more than a day in the future.", field=field
        )
    return value


def check_physician(user: User, field: str) -> User:
    if not user.is_active or not user.has_role(Role.PHYSICIAN):
        raise EncountersError(EncountersErrorCode.NOT_A_PHYSICIAN, f"The {field} must be a physician.", field=field)
    return user


def check_bed_usable(bed: Bed, at: datetime) -> None:
    """The bed is active and its unit in effect on the movement's date."""
    if not bed.active or not bed.unit.in_effect_on(clock_date(at)):
        raise EncountersError(
            EncountersErrorCode.BED_UNAVAILABLE, "That bed or its unit is not in service at that time.", field="bed"
        )


def clock_date(at: datetime) -> date:
    """The facility's local date of a moment (``TIME_ZONE``), which unit effective dates are in."""
    return timezone.localtime(at).date()


def lock_free_bed(bed: Bed, start: datetime, *, encounter: Encounter | None) -> Bed:
    """Lock the bed row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions already
    serialize writers) and refuse it if another encounter holds it from ``start`` on."""
    locked = Bed.objects.select_for_update().select_related("unit").get(pk=bed.pk)
    if bed_taken_from(locked.pk, start, encounter=encounter):
        raise EncountersError(
            EncountersErrorCode.BED_OCCUPIED, "That bed is occupied by another encounter at that time.", field="bed"
        )
    return locked


def lock_encounter(encounter: Encounter) -> Encounter:
    return Encounter.objects.select_for_update().select_related("patient").get(pk=encounter.pk)


def latest_movements(encounter: Encounter) -> list[AdtEvent]:
    return live_movements(AdtEvent.objects.filter(encounter=encounter))


def require_open(encounter: Encounter) -> None:
    if not encounter.is_open():
        raise EncountersError(
            EncountersErrorCode.ENCOUNTER_CLOSED, "The encounter is discharged or cancelled; record no movement on it."
        )


@contextmanager
def refusal_recorded(
    event: StrEnum,
    *,
    action: AuditAction,
    actor: User,
    resource: Resource,
    purpose: Purpose | None,
    request: HttpRequest | None = None,
) -> Iterator[None]:
    """Record an :class:`EncountersError` raised in the block as a failed ``event`` (the error code and the
    field, nothing typed) and let it go on. A transaction opened in the block has rolled back by then, so
    the refusal is recorded outside it (164.312(b): failed attempts are audited too)."""
    try:
        yield
    except EncountersError as exc:
        record(
            event, action=action, outcome=Outcome.FAILURE, actor=actor, request=request, purpose=purpose,
            resource_type=resource.type.value, resource_id=resource.id, patient_id=resource.patient_id,
            detail={"error": exc.code.value, "field": exc.field},
        )  # fmt: skip
        raise
