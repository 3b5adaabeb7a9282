"""Diagnoses and procedures as a source system reported them (FHIR Condition and Procedure, HL7 v2 DG1 and
PR1 segments, the synthetic hospital): the material of the disease and procedure indices until the coding
issue adds the coder's final codes, which these never are.

Each service asks the policy (``encounter``/``update`` for the patient, with the patient's restrictions)
first, then checks every field and refuses with :class:`EncountersError` naming it before anything is
written: a code must have the shape of its system (ICD-10-CM per the CDC/NCHS tabular list, ICD-10-PCS per
the CMS reference manual, CPT per the AMA, HCPCS Level II per CMS, SNOMED CT with its Verhoeff check digit,
LOINC with its mod-10 check digit), a date may not be more than a day ahead, an encounter must be the
patient's. The code is stored in the clear (the indices query by it), the source's display text sealed by
the vault under the patient's data key (164.312(a)(2)(iv)). ``source`` + ``source_key`` make a re-import
idempotent: recording the same pair again returns the row already there and writes nothing new. The audit
event carries ids and the code system, never the code (a diagnosis tied to a patient is PHI).
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import TextChoices
from django.http import HttpRequest

from recordroom.access.decisions import Decision, Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.accounts.models import User
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.encounters.audit_events import EncounterEvent
from recordroom.encounters.codes import CONDITION_SYSTEMS, PROCEDURE_SYSTEMS, code_shape_problem, normalize_code
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import (
    CodeSystem,
    ConditionClinicalStatus,
    ConditionVerificationStatus,
    Encounter,
    EncounterStatus,
    ProcedureStatus,
    ReportedCode,
    ReportedCondition,
    ReportedProcedure,
    ReportedSource,
)
from recordroom.encounters.permissions import EncountersPermission
from recordroom.encounters.services.common import check_code, check_time, refusal_recorded
from recordroom.patients.models import Patient, PatientStatus

MAX_DISPLAY = 1000
MAX_SOURCE_KEY = 200

R = TypeVar("R", bound=ReportedCode)


def reported_resource(patient: Patient, encounter: Encounter | None) -> Resource:
    """The access-policy view of a reported diagnosis or procedure: the patient's encounter record."""
    return Resource(
        ResourceType.ENCOUNTER,
        id=None if encounter is None else str(encounter.public_id),
        patient_id=patient.pk,
        restrictions=patient.restriction_set(),
    )


def _patient(patient_id: int) -> Patient:
    patient = Patient.objects.filter(pk=patient_id).first() if isinstance(patient_id, int) else None
    if patient is None:
        raise EncountersError(EncountersErrorCode.NOT_FOUND, "No patient with that id.", field="patient_id")
    return patient


def _encounter(encounter_id: int | None) -> Encounter | None:
    if encounter_id is None:
        return None
    encounter = Encounter.objects.filter(pk=encounter_id).first() if isinstance(encounter_id, int) else None
    if encounter is None:
        raise EncountersError(EncountersErrorCode.NOT_FOUND, "No encounter with that id.", field="encounter_id")
    return encounter


def clean_code(code_system: str, code: str, allowed: frozenset[str], kind: str) -> str:
    """The normalized code, or :class:`EncountersError` naming ``code_system`` or ``code``."""
    check_code(CodeSystem, code_system, "code_system")
    if code_system not in allowed:
        raise EncountersError(
            EncountersErrorCode.INVALID_CODE, f"A {kind} is not reported in {code_system}.", field="code_system"
        )
    if not isinstance(code, str) or not code.strip():
        raise EncountersError(EncountersErrorCode.INVALID_CODE, "code is required.", field="code")
    normalized = normalize_code(code_system, code)
    problem = code_shape_problem(code_system, normalized)
    if problem is not None:
        label = CodeSystem(code_system).label
        raise EncountersError(EncountersErrorCode.INVALID_CODE, f"Not a valid {label} code: {problem}.", field="code")
    return normalized


def _clean_common(
    *,
    display: str,
    at: datetime | None,
    at_field: str,
    source: str,
    source_key: str | None,
    statuses: list[tuple[type[TextChoices], str, str]],
) -> tuple[str, str | None]:
    if not isinstance(display, str) or len(display.strip()) > MAX_DISPLAY:
        raise EncountersError(
            EncountersErrorCode.INVALID_INPUT, f"display must be text of at most {MAX_DISPLAY} characters.",
            field="display",
        )  # fmt: skip
    if at is not None:
        check_time(at, at_field)
    check_code(ReportedSource, source, "source")
    key = None if source_key is None else str(source_key).strip()
    if key is not None and (not key or len(key) > MAX_SOURCE_KEY):
        raise EncountersError(
            EncountersErrorCode.INVALID_INPUT, f"source_key must be 1 to {MAX_SOURCE_KEY} characters.",
            field="source_key",
        )  # fmt: skip
    for choices, value, field in statuses:
        if value:
            check_code(choices, value, field)
    return display.strip(), key


def _existing(model: type[R], source: str, key: str | None) -> R | None:
    if key is None:
        return None
    found: R | None = model._default_manager.filter(source=source, source_key=key).first()
    return found


def _check_target(patient: Patient, encounter: Encounter | None) -> None:
    if patient.status == PatientStatus.MERGED:
        raise EncountersError(
            EncountersErrorCode.INVALID_INPUT,
            "The patient record is merged into another; record on the surviving record.",
            field="patient_id",
        )
    if encounter is not None:
        if encounter.patient_id != patient.pk:
            raise EncountersError(
                EncountersErrorCode.INVALID_INPUT, "The encounter is not the patient's.", field="encounter_id"
            )
        if encounter.status == EncounterStatus.CANCELLED:
            raise EncountersError(
                EncountersErrorCode.ENCOUNTER_CLOSED, "The encounter is cancelled.", field="encounter_id"
            )


def _save(row: R, event: EncounterEvent, *, actor: User, purpose: Purpose | None, resource: Resource,
          decision: Decision, request: HttpRequest | None) -> R:  # fmt: skip
    model = type(row)
    try:
        with transaction.atomic():
            row.save()
            record(
                event, action=AuditAction.CREATE, outcome=Outcome.SUCCESS, actor=actor, request=request,
                detail={"row_id": str(row.public_id), "code_system": row.code_system, "source": row.source,
                        "created": True},
                **audit_fields(decision, resource, purpose),
            )  # fmt: skip
    except IntegrityError:
        # Another import recorded the same source row between the check and the insert.
        existing = _existing(model, row.source, row.source_key)
        if existing is None:
            raise
        return existing
    return row


def _found(row: R, event: EncounterEvent, *, actor: User, purpose: Purpose | None, resource: Resource,
           decision: Decision, request: HttpRequest | None) -> R:  # fmt: skip
    record(
        event, action=AuditAction.READ, outcome=Outcome.SUCCESS, actor=actor, request=request,
        detail={"row_id": str(row.public_id), "code_system": row.code_system, "source": row.source, "created": False},
        **audit_fields(decision, resource, purpose),
    )  # fmt: skip
    return row


def record_reported_condition(
    *,
    actor: User,
    purpose: Purpose | None,
    patient_id: int,
    encounter_id: int | None,
    code_system: str,
    code: str,
    display: str,
    onset_at: datetime | None,
    source: str,
    source_key: str | None,
    clinical_status: str = "",
    verification_status: str = "",
    request: HttpRequest | None = None,
) -> ReportedCondition:
    """Record a diagnosis a source system reported for the patient (``patient_id`` and ``encounter_id`` are
    the rows' primary keys). Returns the row already recorded for the same ``source`` + ``source_key``.

    Raises ``AccessDeniedError`` (recorded), or :class:`EncountersError` ``not_found`` (patient or
    encounter), ``unknown_code`` (code system, source or a status), ``invalid_code`` (a code system that
    does not report diagnoses, or a code not of its system's shape), ``invalid_input`` (display, source key,
    an encounter of another patient, a merged patient), ``encounter_closed`` (cancelled encounter) or
    ``time_in_future``; nothing is written then.
    """
    patient = _patient(patient_id)
    encounter = _encounter(encounter_id)
    resource = reported_resource(patient, encounter)
    decision = enforce(actor, EncountersPermission.RECORD_REPORTED_CODES.action, resource, purpose, request=request)
    with refusal_recorded(
        EncounterEvent.CONDITION_RECORDED,
        action=AuditAction.CREATE,
        actor=actor,
        resource=resource,
        purpose=purpose,
        request=request,
    ):
        normalized = clean_code(code_system, code, CONDITION_SYSTEMS, "diagnosis")
        text, key = _clean_common(
            display=display, at=onset_at, at_field="onset_at", source=source, source_key=source_key,
            statuses=[(ConditionClinicalStatus, clinical_status, "clinical_status"),
                      (ConditionVerificationStatus, verification_status, "verification_status")],
        )  # fmt: skip
        existing = _existing(ReportedCondition, source, key)
        if existing is not None:
            return _found(existing, EncounterEvent.CONDITION_RECORDED, actor=actor, purpose=purpose, resource=resource,
                          decision=decision, request=request)  # fmt: skip
        _check_target(patient, encounter)
        row = ReportedCondition(
            patient=patient, encounter=encounter, vault_subject=patient.vault_subject, code_system=code_system,
            code=normalized, display=text, onset_at=onset_at, clinical_status=clinical_status,
            verification_status=verification_status, recorded_by=actor, source=source, source_key=key,
        )  # fmt: skip
        return _save(row, EncounterEvent.CONDITION_RECORDED, actor=actor, purpose=purpose, resource=resource,
                     decision=decision, request=request)  # fmt: skip


def record_reported_procedure(
    *,
    actor: User,
    purpose: Purpose | None,
    patient_id: int,
    encounter_id: int | None,
    code_system: str,
    code: str,
    display: str,
    performed_at: datetime | None,
    source: str,
    source_key: str | None,
    status: str = "",
    request: HttpRequest | None = None,
) -> ReportedProcedure:
    """Record a procedure a source system reported for the patient (``patient_id`` and ``encounter_id`` are
    the rows' primary keys). Returns the row already recorded for the same ``source`` + ``source_key``.

    Raises ``AccessDeniedError`` (recorded), or :class:`EncountersError` ``not_found``, ``unknown_code``,
    ``invalid_code`` (ICD-10-CM is not a procedure system; a code not of its system's shape),
    ``invalid_input``, ``encounter_closed`` or ``time_in_future``; nothing is written then.
    """
    patient = _patient(patient_id)
    encounter = _encounter(encounter_id)
    resource = reported_resource(patient, encounter)
    decision = enforce(actor, EncountersPermission.RECORD_REPORTED_CODES.action, resource, purpose, request=request)
    with refusal_recorded(
        EncounterEvent.PROCEDURE_RECORDED,
        action=AuditAction.CREATE,
        actor=actor,
        resource=resource,
        purpose=purpose,
        request=request,
    ):
        normalized = clean_code(code_system, code, PROCEDURE_SYSTEMS, "procedure")
        text, key = _clean_common(
            display=display, at=performed_at, at_field="performed_at", source=source, source_key=source_key,
            statuses=[(ProcedureStatus, status, "status")],
        )  # fmt: skip
        existing = _existing(ReportedProcedure, source, key)
        if existing is not None:
            return _found(existing, EncounterEvent.PROCEDURE_RECORDED, actor=actor, purpose=purpose, resource=resource,
                          decision=decision, request=request)  # fmt: skip
        _check_target(patient, encounter)
        row = ReportedProcedure(
            patient=patient, encounter=encounter, vault_subject=patient.vault_subject, code_system=code_system,
            code=normalized, display=text, performed_at=performed_at, status=status, recorded_by=actor, source=source,
            source_key=key,
        )  # fmt: skip
        return _save(row, EncounterEvent.PROCEDURE_RECORDED, actor=actor, purpose=purpose, resource=resource,
                     decision=decision, request=request)  # fmt: skip
