"""What the patients services share: the access-policy view of a patient, and loading a record for a
change (policy first, refusal recorded, before any transaction opens; STYLE R3)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.http import HttpRequest

from recordroom.access.decisions import Decision, Principal, Resource
from recordroom.access.services import enforce
from recordroom.core import clock
from recordroom.core.vocabulary import Action, Purpose, Relationship, ResourceType
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import Patient, PatientStatus
from recordroom.patients.permissions import PatientsPermission

# How long a clerk who registered a patient keeps the ``registering_clerk`` relationship to the record
# (the time to finish registration and the first encounter; the policy grant scoped to it clears the
# record's VIP/employee/confidential flags for that clerk only).
REGISTRATION_WINDOW = timedelta(hours=24)


def registering_clerk(patient: Patient, actor: Principal | None) -> bool:
    """Whether ``actor`` registered ``patient`` less than :data:`REGISTRATION_WINDOW` ago."""
    return (
        actor is not None
        and patient.registered_by_id is not None
        and patient.registered_by_id == getattr(actor, "pk", None)
        and clock.now() < patient.created_at + REGISTRATION_WINDOW
    )


def patient_resource(patient: Patient, actor: Principal | None = None) -> Resource:
    """The access-policy view of one patient: id, internal key and the record's restrictions, and the
    ``registering_clerk`` relationship when ``actor`` registered it within the registration window."""
    relationships = frozenset({Relationship.REGISTERING_CLERK}) if registering_clerk(patient, actor) else frozenset()
    return Resource(
        ResourceType.PATIENT,
        id=str(patient.public_id),
        patient_id=patient.pk,
        restrictions=patient.restriction_set(),
        relationships=relationships,
    )


def parse_public_id(public_id: uuid.UUID | str | None) -> uuid.UUID | None:
    if isinstance(public_id, uuid.UUID):
        return public_id
    try:
        return uuid.UUID(str(public_id))
    except ValueError:
        return None


def authorized_patient(
    actor: Principal,
    action: Action,
    purpose: Purpose | None,
    public_id: uuid.UUID | str | None,
    request: HttpRequest | None,
) -> tuple[Patient, Decision, Resource]:
    """The patient ``public_id`` if ``actor`` may do ``action`` on it. An unknown id is ``not_found`` only
    for someone allowed the action at all; others get the recorded refusal."""
    key = parse_public_id(public_id)
    patient = Patient.objects.filter(public_id=key).first() if key is not None else None
    if patient is None:
        enforce(actor, action, Resource(ResourceType.PATIENT), purpose, request=request)
        raise PatientsError(PatientsErrorCode.NOT_FOUND, "No patient has that id.")
    resource = patient_resource(patient, actor)
    decision = enforce(actor, action, resource, purpose, request=request)
    return patient, decision, resource


def editable_patient(
    actor: Principal, purpose: Purpose | None, public_id: uuid.UUID | str | None, request: HttpRequest | None
) -> tuple[Patient, Decision, Resource]:
    """An active patient ``actor`` may update (``patient``/``update``); a merged record is refused."""
    patient, decision, resource = authorized_patient(
        actor, PatientsPermission.UPDATE_PATIENT.action, purpose, public_id, request
    )
    if patient.status != PatientStatus.ACTIVE:
        raise PatientsError(PatientsErrorCode.RECORD_MERGED, "This record is merged: change the surviving one.")
    return patient, decision, resource
