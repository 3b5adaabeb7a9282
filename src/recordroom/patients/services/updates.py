"""Correcting a patient's demographics (the HIM clerk's MPI maintenance).

The new values pass the same checks as registration (``clean_demographics``). The values replaced are
kept, sealed under the patient's key, in a :class:`PatientRevision` (AHIMA "Fundamentals for Building a
Master Patient Index/Enterprise Master Patient Index": keep prior names, addresses and identifiers so a
later search by an old value and a merge review still work). A new address closes the current one in the
address history (its ``valid_to`` is the move date) and opens the next. The audit event names the fields
changed and a pointer to the sealed prior state (``before_ref``, the revision's id; ASTM E2147 7.1.8),
never a value (DESIGN invariant 3). Restriction flags are not changed here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from recordroom.access.decisions import Principal
from recordroom.access.services import audit_fields
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose
from recordroom.patients.audit_events import PatientEvent
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import NAME_SCOPE, Patient, PatientAddress, PatientRevision, PatientStatus
from recordroom.patients.services.common import editable_patient
from recordroom.patients.services.demographics import Demographics, clean_demographics, invalid, today
from recordroom.vault.services import index_name

UPDATABLE = (
    "given_name",
    "middle_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "administrative_sex",
    "gender_identity",
    "preferred_language",
    "race",
    "ethnicity",
    "ssn",
    "phone",
    "email",
    "address",
    "deceased_date",
)
# A sealed field's blind index is saved with it (an ``update_fields`` save writes only the named columns).
BLIND_INDEXES = {"date_of_birth": "dob_index", "ssn": "ssn_index"}
NAME_FIELDS = frozenset({"given_name", "middle_name", "family_name", "preferred_name"})


def _current(patient: Patient) -> dict[str, Any]:
    values = {field: getattr(patient, field) for field in UPDATABLE}
    values["race"] = tuple(patient.race or ())
    values["ethnicity"] = tuple(patient.ethnicity or ())
    return values


def _stored(data: Demographics, field: str) -> Any:
    value = getattr(data, field)
    if field in {"race", "ethnicity"}:
        return list(value) or None
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def update_demographics(
    *,
    actor: Principal,
    purpose: Purpose | None,
    public_id: uuid.UUID | str,
    changes: Mapping[str, Any],
    moved_on: date | None = None,
    request: HttpRequest | None = None,
) -> Patient:
    """Change the fields in ``changes`` (names from :data:`UPDATABLE`) of an active patient.

    Refused (nothing written): without ``patient``/``update`` (recorded), an unknown field or a value
    that fails a registration check (``invalid_input`` naming the field), a merged record
    (``record_merged``), a move date in the future. No change at all writes nothing and records nothing.
    """
    patient, decision, resource = editable_patient(actor, purpose, public_id, request)
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise invalid(unknown[0], "cannot be changed here")
    if moved_on is not None and (not isinstance(moved_on, date) or moved_on > today()):
        raise invalid("moved_on", "is a date not in the future")
    before = _current(patient)
    merged = {**before, **changes}
    data = clean_demographics(**merged, restrictions=patient.restrictions)
    changed = [f for f in UPDATABLE if f in changes and _stored(data, f) != _stored_before(before, f)]
    if not changed:
        return patient
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if locked.status != PatientStatus.ACTIVE:
            raise PatientsError(PatientsErrorCode.RECORD_MERGED, "This record is merged: change the surviving one.")
        revision = PatientRevision(
            patient=locked, vault_subject=locked.vault_subject, fields=changed, changed_by_id=actor.pk,
            previous={f: _jsonable(before[f]) for f in changed},
        )  # fmt: skip
        revision.save(force_insert=True)
        for field in changed:
            setattr(locked, field, _stored(data, field))
        update_fields = list(changed) + [BLIND_INDEXES[f] for f in changed if f in BLIND_INDEXES]
        if "date_of_birth" in changed:
            locked.birth_year = data.date_of_birth.year
            update_fields += ["birth_year"]
        locked.updated_at = clock.now()
        locked.save(update_fields=[*update_fields, "updated_at"])
        if "address" in changed:
            _move_address(locked, data.address, moved_on or today())
        if NAME_FIELDS & set(changed):
            index_name(scope=NAME_SCOPE, row_id=locked.public_id, names=data.names())
        record(
            PatientEvent.UPDATED, action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, actor=actor, request=request,
            detail={"fields": changed, "before_ref": str(revision.public_id)},
            **audit_fields(decision, resource, purpose),
        )  # fmt: skip
    return locked


def _stored_before(before: Mapping[str, Any], field: str) -> Any:
    value = before[field]
    if field in {"race", "ethnicity"}:
        return list(value) or None
    return value


def _move_address(patient: Patient, address: dict[str, str] | None, moved_on: date) -> None:
    """Close the current address (valid until ``moved_on``) and open the new one from that date."""
    for row in PatientAddress.objects.filter(patient=patient, current=True):
        row.current = False
        row.valid_to = moved_on
        row.save(update_fields=["current", "valid_to"])
    if address:
        PatientAddress(patient=patient, vault_subject=patient.vault_subject, address=address, valid_from=moved_on).save(
            force_insert=True
        )


def address_history(patient: Patient) -> list[PatientAddress]:
    """A patient's addresses, current first, then by move date, latest first (opened only for display by
    a caller that has already read the patient under the policy)."""
    rows = list(PatientAddress.objects.filter(patient=patient))
    return sorted(rows, key=lambda r: (not r.current, -(r.valid_to or date.max).toordinal(), -r.pk))
