"""Registering a patient in the master patient index.

Shape (STYLE R3): the policy is asked first (a refusal is recorded as ``access.denied`` and nothing is
written), then every field is checked, then possible duplicates are looked for, and only then one
transaction allocates the MRN, inserts the sealed row, indexes the name tokens and records
``patients.registered``. Duplicate detection follows the AHIMA MPI guidance: the same date of birth and
names that match exactly or by sound, or the same SSN.

Restriction flags at registration (privacy decision): a clerk may flag a new record VIP, employee or
confidential — the patient asks for it at the front desk, and a record that is protected from its first
minute is never exposed to curious co-workers (snooping on famous people and colleagues is the commonest
privacy incident; HHS OCR enforcement, AHIMA "Managing VIP Records"). The flagging clerk then keeps access
to that one record for ``services.common.REGISTRATION_WINDOW`` (the policy grant scoped ``registering_clerk``), enough
to finish registration and first encounter work; after that only roles the policy clears, or a privacy
officer's per-user grant (``access.services.grant_restriction``), reach it. The flags are recorded in
``patients.registered`` (codes only), so the privacy officer sees every new restricted record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from recordroom.access.decisions import Principal, Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.models import allocate_next_number
from recordroom.core.vocabulary import Purpose, ResourceType, Restriction
from recordroom.patients.audit_events import PatientEvent
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import NAME_SCOPE, MrnCounter, Patient, PatientAddress, PatientStatus
from recordroom.patients.mrn import first_number, format_mrn
from recordroom.patients.permissions import PatientsPermission
from recordroom.patients.services.common import patient_resource
from recordroom.patients.services.demographics import Demographics, clean_demographics, names_match, today
from recordroom.patients.services.identifiers import CleanIdentifier, clean_identifiers, create_identifiers
from recordroom.vault.blind_index import IndexKind, blind_index
from recordroom.vault.services import index_name

MAX_CANDIDATES = 20
# Rows sharing one date of birth that duplicate detection compares by name; an MPI of a million people
# has about 30 per date, so the cap is only reached by a data-quality problem (e.g. 1900-01-01 defaults).
MAX_SAME_BIRTH_DATE = 500


def same_birth_date(born: date) -> list[Patient]:
    """Patients with this date of birth (found by its blind index; nothing is opened)."""
    query = Patient.objects.filter(dob_index=blind_index(IndexKind.DOB, born)).order_by("id")
    return list(query[:MAX_SAME_BIRTH_DATE])


def possible_duplicates(data: Demographics) -> list[Patient]:
    """Patients who may be the same person: same date of birth and every token of the given and family
    names matching one of theirs exactly or by Double Metaphone code, or the same SSN."""
    found: dict[int, Patient] = {}
    if data.ssn:
        for patient in Patient.objects.filter(ssn_index=blind_index(IndexKind.SSN, data.ssn)).order_by("id"):
            found[patient.pk] = patient
    full_name = f"{data.given_name} {data.family_name}"
    for patient in same_birth_date(data.date_of_birth):
        if patient.pk not in found and patient.status != PatientStatus.MERGED and names_match(full_name, patient):
            found[patient.pk] = patient
    return list(found.values())[:MAX_CANDIDATES]


def _allocate_mrn() -> str:
    """The next MRN; a number already used (an imported legacy MRN) is skipped."""
    number = allocate_next_number(
        MrnCounter,
        first=first_number(),
        taken=lambda n: Patient.objects.filter(mrn_index=blind_index(IndexKind.MRN, format_mrn(n))).exists(),
    )
    return format_mrn(number)


def register_patient(
    *,
    actor: Principal,
    purpose: Purpose | None,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    administrative_sex: str,
    middle_name: str = "",
    preferred_name: str = "",
    ssn: str = "",
    phone: str = "",
    email: str = "",
    address: Mapping[str, Any] | None = None,
    deceased_date: date | None = None,
    restrictions: Iterable[Restriction | str] = (),
    gender_identity: str = "",
    preferred_language: str = "",
    race: Iterable[str] = (),
    ethnicity: Iterable[str] = (),
    identifiers: Iterable[Mapping[str, str]] = (),
    request: HttpRequest | None = None,
    accept_possible_duplicates: bool = False,
) -> Patient:
    """Add a person to the master patient index and give them an MRN.

    Raises ``AccessDeniedError`` (recorded) without the ``patients.register_patient`` grant,
    :class:`PatientsError` ``invalid_input`` naming the field at fault (nothing written), or
    ``possible_duplicates`` with the candidates' public ids (recorded as ``patients.duplicates_found``)
    unless ``accept_possible_duplicates``. ``identifiers`` are ``{"authority", "type_code", "value"}``
    mappings (HL7 v2 CX); one already held by another record is refused (``identifier_in_use``). The
    address starts the address history.
    """
    decision = enforce(
        actor, PatientsPermission.REGISTER_PATIENT.action, Resource(ResourceType.PATIENT), purpose, request=request
    )
    data = clean_demographics(
        given_name=given_name, family_name=family_name, date_of_birth=date_of_birth,
        administrative_sex=administrative_sex, middle_name=middle_name, preferred_name=preferred_name, ssn=ssn,
        phone=phone, email=email, address=address, deceased_date=deceased_date, restrictions=restrictions,
        gender_identity=gender_identity, preferred_language=preferred_language, race=race, ethnicity=ethnicity,
    )  # fmt: skip
    cleaned_ids: list[CleanIdentifier] = clean_identifiers(identifiers)
    candidates = [str(p.public_id) for p in possible_duplicates(data)]
    if candidates and not accept_possible_duplicates:
        record(
            PatientEvent.DUPLICATES_FOUND, action=AuditAction.CREATE, outcome=Outcome.FAILURE, actor=actor,
            request=request, purpose=purpose, resource_type=ResourceType.PATIENT.value,
            detail={"reason": "possible_duplicates", "candidate_ids": candidates},
        )  # fmt: skip
        raise PatientsError(
            PatientsErrorCode.POSSIBLE_DUPLICATES,
            f"{len(candidates)} patient(s) already registered may be this person. Check them before registering.",
            candidates=tuple(candidates),
        )
    with transaction.atomic():
        patient = Patient(
            given_name=data.given_name, family_name=data.family_name, middle_name=data.middle_name,
            preferred_name=data.preferred_name, date_of_birth=data.date_of_birth,
            birth_year=data.date_of_birth.year, administrative_sex=data.administrative_sex, ssn=data.ssn,
            phone=data.phone, email=data.email, address=data.address, deceased_date=data.deceased_date,
            restrictions=list(data.restrictions), mrn=_allocate_mrn(), gender_identity=data.gender_identity,
            preferred_language=data.preferred_language, race=list(data.race) or None,
            ethnicity=list(data.ethnicity) or None, registered_by_id=getattr(actor, "pk", None),
        )  # fmt: skip
        patient.save(force_insert=True)
        if data.address:
            PatientAddress(
                patient=patient, vault_subject=patient.vault_subject, address=data.address, valid_from=today()
            ).save(force_insert=True)
        create_identifiers(patient, cleaned_ids)
        index_name(scope=NAME_SCOPE, row_id=patient.public_id, names=data.names())
        detail: dict[str, Any] = {"possible_duplicates": len(candidates)}
        if cleaned_ids:
            detail["identifiers"] = len(cleaned_ids)
        if candidates:
            detail["candidate_ids"] = candidates
        if data.restrictions:
            detail["restrictions"] = list(data.restrictions)
        record(
            PatientEvent.REGISTERED, action=AuditAction.CREATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, detail=detail, **audit_fields(decision, patient_resource(patient, actor), purpose),
        )  # fmt: skip
    return patient
