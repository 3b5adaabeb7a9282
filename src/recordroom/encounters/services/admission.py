"""Admitting a patient: opening an encounter with its admit event.

Shape (STYLE R3): the policy is asked first (a refusal is recorded as ``access.denied`` and nothing is
written), then every code and time is checked, then one transaction locks the bed, allocates the
encounter number, inserts the encounter and its ``admit`` ADT event and records ``encounters.admitted``.
Codes: NUBC UB-04 manual FL14 (admit type) and FL15 (point of origin).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest

from recordroom.access.decisions import Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.accounts.models import User
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.models import allocate_next_number
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.encounters.audit_events import EncounterEvent
from recordroom.encounters.codes import AdmitSource, AdmitType, EncounterClass, ExpectedPayer
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import AdtEvent, AdtKind, Bed, Encounter, EncounterCounter
from recordroom.encounters.permissions import EncountersPermission
from recordroom.encounters.services.common import (
    check_bed_usable,
    check_code,
    check_physician,
    check_time,
    encounter_resource,
    lock_free_bed,
)
from recordroom.patients.models import Patient, PatientStatus

FIRST_NUMBER = 1_000_001


def admit_patient(
    *,
    actor: User,
    purpose: Purpose | None,
    patient: Patient,
    encounter_class: str,
    admitted_at: datetime,
    admit_type: str,
    admit_source: str,
    attending: User,
    expected_payer: str,
    bed: Bed | None = None,
    request: HttpRequest | None = None,
) -> Encounter:
    """Open an encounter for ``patient`` at ``admitted_at``, in ``bed`` if given.

    Raises ``AccessDeniedError`` (recorded) without the ``encounters.admit_patient`` grant, or
    :class:`EncountersError`: ``unknown_code``, ``time_in_future`` (more than a day ahead),
    ``not_a_physician`` (attending), ``bed_unavailable`` or ``bed_occupied``; nothing is written then.
    """
    decision = enforce(
        actor,
        EncountersPermission.ADMIT_PATIENT.action,
        Resource(ResourceType.ENCOUNTER, patient_id=patient.pk, restrictions=patient.restriction_set()),
        purpose,
        request=request,
    )
    check_code(EncounterClass, encounter_class, "encounter_class")
    check_code(AdmitType, admit_type, "admit_type")
    check_code(AdmitSource, admit_source, "admit_source")
    check_code(ExpectedPayer, expected_payer, "expected_payer")
    check_time(admitted_at, "admitted_at")
    check_physician(attending, "attending")
    if patient.status != PatientStatus.ACTIVE:
        raise EncountersError(EncountersErrorCode.INVALID_INPUT, "Only an active patient can be admitted.")
    if bed is not None:
        check_bed_usable(bed, admitted_at)
    with transaction.atomic():
        locked_bed = lock_free_bed(bed, admitted_at, encounter=None) if bed is not None else None
        number = allocate_next_number(EncounterCounter, first=FIRST_NUMBER)
        encounter = Encounter(
            patient=patient, number=number, encounter_class=encounter_class, admit_type=admit_type,
            admit_source=admit_source, admitted_at=admitted_at, attending=attending, expected_payer=expected_payer,
            current_unit=locked_bed.unit if locked_bed else None, current_bed=locked_bed,
        )  # fmt: skip
        encounter.save(force_insert=True)
        event = AdtEvent(
            encounter=encounter, kind=AdtKind.ADMIT, effective_at=admitted_at, recorded_by=actor,
            unit=locked_bed.unit if locked_bed else None, bed=locked_bed,
        )  # fmt: skip
        event.save()
        record(
            EncounterEvent.ADMITTED, action=AuditAction.CREATE, outcome=Outcome.SUCCESS, actor=actor, request=request,
            detail={"adt_event_id": str(event.public_id), "encounter_class": encounter_class,
                    "bed_id": locked_bed.pk if locked_bed else None},
            **audit_fields(decision, encounter_resource(encounter), purpose),
        )  # fmt: skip
    return encounter
