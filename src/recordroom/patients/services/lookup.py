"""Finding and opening patients.

- A search is by MRN (check digit verified, exact match through the MRN blind index), by an identifier
  of any assigning authority (exact, through its blind index; ``services/identifiers.py``) or by name
  (typo- and sound-tolerant: the vault's name tokens, or every patient with the given date of birth,
  then each query token must match a name token exactly or by Double Metaphone code).
- Each candidate is decided by the policy on its clear restriction codes before anything sealed of it is
  opened; a restricted patient (VIP, employee, confidential) is left out unless the actor is cleared.
- A result shows the minimum necessary (45 CFR 164.514(d)): public id, name, date of birth, sex, MRN
  and status, and for a merged record the record it was merged into (AHIMA MPI guidance: a search by an
  old MRN or name leads to the surviving record). The search is recorded (``patients.searched``, action
  query) with the number of results, never the search term (DESIGN invariant 3).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest

from recordroom.access.decisions import Principal, Resource, authorize
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.patients.audit_events import PatientEvent
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import NAME_SCOPE, Patient
from recordroom.patients.mrn import looks_like_mrn, parse_mrn
from recordroom.patients.permissions import PatientsPermission
from recordroom.patients.services.common import authorized_patient, patient_resource
from recordroom.patients.services.demographics import PatientSummary, names_match, summarize
from recordroom.patients.services.identifiers import patients_by_identifier
from recordroom.patients.services.registration import same_birth_date
from recordroom.vault.blind_index import IndexKind, blind_index, name_tokens
from recordroom.vault.services import search_name

MAX_QUERY = 100
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


def _with_dob(rows: list[Patient], dob: date | None) -> list[Patient]:
    if dob is None:
        return rows
    wanted = blind_index(IndexKind.DOB, dob)
    return [row for row in rows if row.dob_index == wanted]


def _candidates(text: str, dob: date | None) -> tuple[str, list[Patient]]:
    """MRN first (the facility's own number wins: when it finds a record no other authority is asked),
    then any authority's identifier (or SSN), then names."""
    has_digit = any(ch.isdigit() for ch in text)
    if looks_like_mrn(text):
        try:
            mrn = parse_mrn(text)
        except PatientsError:
            by_identifier = patients_by_identifier(text)
            if by_identifier:  # another authority's number that fails our check digit
                return "identifier", _with_dob(by_identifier, dob)
            raise
        rows = list(Patient.objects.filter(mrn_index=blind_index(IndexKind.MRN, mrn)))
        if rows:
            return "mrn", _with_dob(rows, dob)
        others = patients_by_identifier(text)
        return ("identifier" if others else "mrn"), _with_dob(others, dob)
    by_identifier = patients_by_identifier(text) if has_digit else []
    if by_identifier:
        return "identifier", _with_dob(by_identifier, dob)
    if not name_tokens(text):
        raise PatientsError(
            PatientsErrorCode.INVALID_INPUT, "Search by a name (letters), an MRN or an identifier.", field="query"
        )
    if dob is not None:
        return "name", same_birth_date(dob)
    matches = search_name(scope=NAME_SCOPE, query=text, limit=MAX_LIMIT)
    rank = {match.row_id: position for position, match in enumerate(matches)}
    rows = sorted(Patient.objects.filter(public_id__in=list(rank)), key=lambda row: rank[row.public_id])
    return "name", rows


def _record_search(
    actor: Principal, purpose: Purpose | None, request: HttpRequest | None, outcome: Outcome, detail: dict[str, Any]
) -> None:
    record(
        PatientEvent.SEARCHED, action=AuditAction.QUERY, outcome=outcome, actor=actor, request=request,
        purpose=purpose, resource_type=ResourceType.PATIENT.value, detail=detail,
    )  # fmt: skip


def find_patients(
    *,
    actor: Principal,
    purpose: Purpose | None,
    query: str,
    dob: date | None = None,
    limit: int = DEFAULT_LIMIT,
    request: HttpRequest | None = None,
) -> list[PatientSummary]:
    """Patients matching ``query`` (a name, an MRN or an identifier of any authority) and ``dob`` if given,
    best match first."""
    enforce(actor, PatientsPermission.SEARCH_PATIENTS.action, Resource(ResourceType.PATIENT), purpose, request=request)
    text = " ".join(str(query or "").split())
    if not text or len(text) > MAX_QUERY:
        raise PatientsError(
            PatientsErrorCode.INVALID_INPUT, f"Enter a name or an MRN (1-{MAX_QUERY} characters).", field="query"
        )
    if dob is not None and (isinstance(dob, datetime) or not isinstance(dob, date)):
        raise PatientsError(PatientsErrorCode.INVALID_INPUT, "The date of birth is a date (YYYY-MM-DD).", field="dob")
    limit = max(1, min(int(limit), MAX_LIMIT))
    try:
        by, rows = _candidates(text, dob)
    except PatientsError as exc:
        if exc.code is PatientsErrorCode.INVALID_MRN:
            _record_search(actor, purpose, request, Outcome.FAILURE, {"by": "mrn", "error": exc.code.value})
        raise
    allowed = [
        row
        for row in rows
        if authorize(actor, PatientsPermission.SEARCH_PATIENTS.action, patient_resource(row, actor), purpose).allowed
    ]
    if by == "name":
        allowed = [row for row in allowed if names_match(text, row)]
    results = [summarize(row) for row in allowed[:limit]]
    _record_search(
        actor, purpose, request, Outcome.SUCCESS, {"by": by, "dob_given": dob is not None, "results": len(results)}
    )
    return results


def get_patient(
    *, actor: Principal, purpose: Purpose | None, public_id: uuid.UUID | str, request: HttpRequest | None = None
) -> Patient:
    """One patient's row (demographics), read under the policy and recorded as ``patients.viewed``.

    An unknown id is ``not_found`` only for someone allowed to read patients at all; others get the
    recorded refusal, so the answer tells them nothing about which ids exist.
    """
    patient, decision, resource = authorized_patient(
        actor, PatientsPermission.READ_PATIENT.action, purpose, public_id, request
    )
    record(
        PatientEvent.VIEWED, action=AuditAction.READ, outcome=Outcome.SUCCESS, actor=actor, request=request,
        **audit_fields(decision, resource, purpose),
    )  # fmt: skip
    return patient
