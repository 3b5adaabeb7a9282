"""Identifiers by assigning authority (HL7 v2 CX data type: ID number CX.1, assigning authority CX.4,
identifier type code CX.5 from HL7 table 0203).

The value is sealed under the patient's data key and found exactly through its blind index, whatever the
authority (a clerk types the number off a card). One authority's value names one record: a second record
claiming it is refused (``identifier_in_use``) and nothing is written, because two people sharing a
driver's license or Medicaid number is the mark of an overlay or a duplicate (AHIMA MPI guidance), which
the HIM clerk resolves by merge or split, not by a second copy. The message never says which record holds
it (that record may be restricted).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from recordroom.access.decisions import Principal
from recordroom.access.services import audit_fields
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Purpose
from recordroom.patients.audit_events import PatientEvent
from recordroom.patients.codes import IdentifierType
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import Patient, PatientIdentifier, PatientStatus
from recordroom.patients.services.common import editable_patient
from recordroom.vault.blind_index import IndexKind, blind_index

MAX_VALUE = 64
MAX_IDENTIFIERS = 20
SSN_DIGITS = 9
_AUTHORITY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .:_\-/]{0,63}$")
_VALUE_CHARS = re.compile(r"^[A-Za-z0-9 .\-/]+$")


@dataclass(frozen=True)
class CleanIdentifier:
    authority: str
    type_code: str
    value: str

    def index(self) -> str:
        return blind_index(IndexKind.MEMBER_ID, self.value)


def _invalid(field: str, rule: str) -> PatientsError:
    return PatientsError(PatientsErrorCode.INVALID_INPUT, f"The identifier's {rule}.", field=field)


def clean_identifier(*, authority: object, type_code: object, value: object) -> CleanIdentifier:
    """Check one identifier: an authority (1-64 letters, digits, ``.:_-/`` and spaces; an OID or URI is
    fine), a table 0203 type code, and a value of 1-64 letters and digits (spaces, dots, dashes, slashes
    allowed, dropped when matching)."""
    auth = " ".join(str(authority or "").split())
    if not _AUTHORITY.fullmatch(auth):
        raise _invalid("identifier_authority", "assigning authority is 1-64 letters, digits or . : _ - /")
    code = str(type_code or "").strip().upper()
    if code not in IdentifierType.values:
        raise _invalid("identifier_type", "type is a code of HL7 table 0203 (MR, SS, DL, PPN, PI, ...)")
    text = unicodedata.normalize("NFKC", " ".join(str(value or "").split()))
    if not text or len(text) > MAX_VALUE or not _VALUE_CHARS.fullmatch(text):
        raise _invalid("identifier_value", f"number is 1-{MAX_VALUE} letters and digits")
    return CleanIdentifier(auth, code, text)


def clean_identifiers(items: Iterable[Mapping[str, str]]) -> list[CleanIdentifier]:
    """Check a list of ``{"authority", "type_code", "value"}``; blank entries are skipped, a repeat refused."""
    cleaned: list[CleanIdentifier] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        if not any(str(item.get(key) or "").strip() for key in ("authority", "value")):
            continue
        one = clean_identifier(
            authority=item.get("authority"), type_code=item.get("type_code"), value=item.get("value")
        )
        key = (one.authority, one.index())
        if key in seen:
            raise _invalid("identifier_value", "number is given twice for one authority")
        seen.add(key)
        cleaned.append(one)
    if len(cleaned) > MAX_IDENTIFIERS:
        raise _invalid("identifier_value", f"list holds at most {MAX_IDENTIFIERS} numbers")
    return cleaned


def _in_use() -> PatientsError:
    return PatientsError(
        PatientsErrorCode.IDENTIFIER_IN_USE,
        "That assigning authority's number is already on another record: check for a duplicate or an overlay.",
        field="identifier_value",
    )


def create_identifiers(patient: Patient, cleaned: Iterable[CleanIdentifier]) -> int:
    """Insert identifiers for ``patient`` inside the caller's transaction; one in use raises (rolls back)."""
    count = 0
    for one in cleaned:
        if PatientIdentifier.objects.filter(authority=one.authority, value_index=one.index()).exists():
            raise _in_use()
        try:
            with transaction.atomic():
                PatientIdentifier(
                    patient=patient, vault_subject=patient.vault_subject, authority=one.authority,
                    type_code=one.type_code, value=one.value,
                ).save(force_insert=True)  # fmt: skip
        except IntegrityError:  # a concurrent registration took it between the check and the insert
            raise _in_use() from None
        count += 1
    return count


def patients_by_identifier(text: str) -> list[Patient]:
    """Patients holding ``text`` as an identifier of any authority (exact, through the blind index), or
    as their SSN when it is 9 digits (the SSN is an MPI search element too; AHIMA MPI core elements)."""
    compact = unicodedata.normalize("NFKC", " ".join(str(text or "").split()))
    if not compact or len(compact) > MAX_VALUE or not _VALUE_CHARS.fullmatch(compact):
        return []
    index = blind_index(IndexKind.MEMBER_ID, compact)
    ids = set(PatientIdentifier.objects.filter(value_index=index).values_list("patient_id", flat=True))
    digits = re.sub(r"[\s\-]", "", compact)
    if len(digits) == SSN_DIGITS and digits.isdigit():
        ids |= set(Patient.objects.filter(ssn_index=blind_index(IndexKind.SSN, digits)).values_list("pk", flat=True))
    return list(Patient.objects.filter(pk__in=sorted(ids)).order_by("id")) if ids else []


def add_identifier(
    *,
    actor: Principal,
    purpose: Purpose | None,
    public_id: uuid.UUID | str,
    authority: str,
    type_code: str,
    value: str,
    request: HttpRequest | None = None,
) -> PatientIdentifier:
    """Add one identifier to an active record (``patient``/``update``), recorded as
    ``patients.identifier_added`` with the authority's type code only."""
    patient, decision, resource = editable_patient(actor, purpose, public_id, request)
    one = clean_identifier(authority=authority, type_code=type_code, value=value)
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if locked.status != PatientStatus.ACTIVE:
            raise PatientsError(PatientsErrorCode.RECORD_MERGED, "This record is merged: change the surviving one.")
        create_identifiers(locked, [one])
        row = PatientIdentifier.objects.get(authority=one.authority, value_index=one.index())
        record(
            PatientEvent.IDENTIFIER_ADDED, action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, detail={"type_code": one.type_code}, **audit_fields(decision, resource, purpose),
        )  # fmt: skip
    return row


__all__ = [
    "CleanIdentifier",
    "add_identifier",
    "clean_identifier",
    "clean_identifiers",
    "create_identifiers",
    "patients_by_identifier",
]
