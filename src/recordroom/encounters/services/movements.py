"""Transfers, discharges, corrections and consulting physicians on an open encounter.

Every movement is an ADT event with an effective time; a correction (cancel admit, cancel transfer,
cancel discharge) is an event that points at the movement it undoes, never an edit. Only the latest
movement still in force can be cancelled, so the history stays a simple sequence. Each service asks the
policy (``encounter``/``update``) first, checks codes and times, then in one transaction locks the
encounter (and any bed it moves into), writes, and records the audit event. Discharge status codes:
NUBC UB-04 manual FL17.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest

from recordroom.access.services import audit_fields, enforce
from recordroom.accounts.models import User
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose
from recordroom.encounters.audit_events import EncounterEvent
from recordroom.encounters.codes import CancelReason, DischargeDisposition
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import CANCEL_KIND_FOR, AdtEvent, AdtKind, Bed, Encounter, EncounterStatus
from recordroom.encounters.permissions import EncountersPermission
from recordroom.encounters.services.common import (
    check_bed_usable,
    check_code,
    check_physician,
    check_time,
    encounter_resource,
    latest_movements,
    lock_encounter,
    lock_free_bed,
    require_open,
)


def _not_before_last(encounter: Encounter, at: datetime, field: str) -> None:
    moves = latest_movements(encounter)
    if moves and at < moves[-1].effective_at:
        raise EncountersError(
            EncountersErrorCode.TIME_OUT_OF_ORDER, f"{field} is before the encounter's last movement.", field=field
        )


def transfer_patient(
    *,
    actor: User,
    purpose: Purpose | None,
    encounter: Encounter,
    bed: Bed,
    effective_at: datetime,
    request: HttpRequest | None = None,
) -> AdtEvent:
    """Move the patient of an open encounter into ``bed`` from ``effective_at``.

    Raises ``AccessDeniedError`` (recorded), or :class:`EncountersError` ``encounter_closed``,
    ``time_in_future``, ``time_out_of_order`` (before the last movement), ``invalid_input`` (already in
    that bed), ``bed_unavailable`` or ``bed_occupied``; nothing is written then.
    """
    decision = enforce(
        actor, EncountersPermission.RECORD_MOVEMENT.action, encounter_resource(encounter), purpose, request=request
    )
    check_time(effective_at, "effective_at")
    check_bed_usable(bed, effective_at)
    with transaction.atomic():
        locked = lock_encounter(encounter)
        require_open(locked)
        _not_before_last(locked, effective_at, "effective_at")
        if locked.current_bed_id == bed.pk:
            raise EncountersError(EncountersErrorCode.INVALID_INPUT, "The patient is already in that bed.", field="bed")
        locked_bed = lock_free_bed(bed, effective_at, encounter=locked)
        event = AdtEvent(
            encounter=locked, kind=AdtKind.TRANSFER, effective_at=effective_at, unit=locked_bed.unit, bed=locked_bed,
            recorded_by=actor,
        )  # fmt: skip
        event.save()
        locked.current_unit = locked_bed.unit
        locked.current_bed = locked_bed
        locked.updated_at = clock.now()
        locked.save(update_fields=["current_unit", "current_bed", "updated_at"])
        record(
            EncounterEvent.TRANSFERRED, action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, detail={"adt_event_id": str(event.public_id), "bed_id": locked_bed.pk},
            **audit_fields(decision, encounter_resource(locked), purpose),
        )  # fmt: skip
    encounter.refresh_from_db()
    return event


def discharge_patient(
    *,
    actor: User,
    purpose: Purpose | None,
    encounter: Encounter,
    discharged_at: datetime,
    disposition: str,
    request: HttpRequest | None = None,
) -> AdtEvent:
    """Discharge an open encounter at ``discharged_at`` with a UB-04 FL17 patient status code.

    Raises ``AccessDeniedError`` (recorded), or :class:`EncountersError` ``unknown_code``,
    ``encounter_closed``, ``time_in_future`` or ``time_out_of_order`` (before the admission or the last
    transfer); nothing is written then.
    """
    decision = enforce(
        actor, EncountersPermission.RECORD_MOVEMENT.action, encounter_resource(encounter), purpose, request=request
    )
    check_code(DischargeDisposition, disposition, "disposition")
    check_time(discharged_at, "discharged_at")
    with transaction.atomic():
        locked = lock_encounter(encounter)
        require_open(locked)
        if discharged_at < locked.admitted_at:
            raise EncountersError(
                EncountersErrorCode.TIME_OUT_OF_ORDER, "discharged_at is before the admission.", field="discharged_at"
            )
        _not_before_last(locked, discharged_at, "discharged_at")
        event = AdtEvent(
            encounter=locked, kind=AdtKind.DISCHARGE, effective_at=discharged_at, unit=locked.current_unit,
            bed=locked.current_bed, disposition=disposition, recorded_by=actor,
        )  # fmt: skip
        event.save()
        locked.status = EncounterStatus.DISCHARGED
        locked.discharged_at = discharged_at
        locked.discharge_disposition = disposition
        locked.current_unit = None
        locked.current_bed = None
        locked.updated_at = clock.now()
        locked.save()
        record(
            EncounterEvent.DISCHARGED, action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, detail={"adt_event_id": str(event.public_id), "disposition": disposition},
            **audit_fields(decision, encounter_resource(locked), purpose),
        )  # fmt: skip
    encounter.refresh_from_db()
    return event


def _undo(locked: Encounter, event: AdtEvent, moves: list[AdtEvent]) -> None:
    """Put the encounter back to the state before ``event`` (the latest movement in force)."""
    if event.kind == AdtKind.ADMIT:
        locked.status = EncounterStatus.CANCELLED
        locked.current_unit = None
        locked.current_bed = None
        return
    if event.kind == AdtKind.TRANSFER:
        previous = moves[-2]
        bed, unit = previous.bed, previous.unit
    else:
        bed, unit = event.bed, event.unit
        locked.status = EncounterStatus.ACTIVE
        locked.discharged_at = None
        locked.discharge_disposition = ""
    if bed is not None:
        lock_free_bed(bed, event.effective_at, encounter=locked)
    locked.current_bed = bed
    locked.current_unit = unit


def cancel_event(
    *,
    actor: User,
    purpose: Purpose | None,
    event: AdtEvent,
    reason_code: str,
    request: HttpRequest | None = None,
) -> AdtEvent:
    """Cancel the latest movement in force of an encounter by recording a cancel event.

    Cancelling an admit cancels the encounter; cancelling a transfer puts the patient back in the bed
    they came from; cancelling a discharge reopens the encounter in the bed it ended in. Raises
    ``AccessDeniedError`` (recorded), or :class:`EncountersError` ``unknown_code``, ``not_cancellable``
    (a cancel event, an already cancelled or a superseded movement) or ``bed_occupied`` (the bed to go back
    to is taken since); nothing is written then.
    """
    encounter = event.encounter
    decision = enforce(
        actor, EncountersPermission.RECORD_MOVEMENT.action, encounter_resource(encounter), purpose, request=request
    )
    check_code(CancelReason, reason_code, "reason_code")
    with transaction.atomic():
        locked = lock_encounter(encounter)
        moves = latest_movements(locked)
        if not moves or moves[-1].pk != event.pk:
            raise EncountersError(
                EncountersErrorCode.NOT_CANCELLABLE, "Only the latest movement still in force can be cancelled."
            )
        _undo(locked, event, moves)
        cancel = AdtEvent(
            encounter=locked, kind=CANCEL_KIND_FOR[AdtKind(event.kind)], effective_at=clock.now(), cancels=event,
            reason_code=reason_code, recorded_by=actor,
        )  # fmt: skip
        cancel.save()
        locked.updated_at = clock.now()
        locked.save()
        record(
            EncounterEvent.EVENT_CANCELLED, action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, detail={"adt_event_id": str(cancel.public_id), "cancelled_event_id": str(event.public_id),
                                     "kind": cancel.kind, "reason": reason_code},
            **audit_fields(decision, encounter_resource(locked), purpose),
        )  # fmt: skip
    encounter.refresh_from_db()
    return cancel


def add_consulting_physician(
    *,
    actor: User,
    purpose: Purpose | None,
    encounter: Encounter,
    physician: User,
    request: HttpRequest | None = None,
) -> None:
    """Add a consulting physician to an encounter that is not cancelled.

    Raises ``AccessDeniedError`` (recorded), or :class:`EncountersError` ``not_a_physician``,
    ``encounter_closed`` (cancelled) or ``invalid_input`` (already the attending or a consultant).
    """
    decision = enforce(
        actor, EncountersPermission.RECORD_MOVEMENT.action, encounter_resource(encounter), purpose, request=request
    )
    check_physician(physician, "consulting physician")
    with transaction.atomic():
        locked = lock_encounter(encounter)
        if locked.status == EncounterStatus.CANCELLED:
            raise EncountersError(EncountersErrorCode.ENCOUNTER_CLOSED, "The encounter is cancelled.")
        if physician.pk == locked.attending_id or locked.consulting.filter(pk=physician.pk).exists():
            raise EncountersError(
                EncountersErrorCode.INVALID_INPUT, "That physician is already on the encounter.", field="physician"
            )
        locked.consulting.add(physician)
        record(
            EncounterEvent.CONSULTANT_ADDED, action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, detail={"physician_id": physician.pk},
            **audit_fields(decision, encounter_resource(locked), purpose),
        )  # fmt: skip
