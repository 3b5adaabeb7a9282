"""The master patient index listing and its CSV export (a record index, AHIMA "Fundamentals for Building a
Master Patient Index/Enterprise Master Patient Index": the MPI is the permanent index of every person
the facility has registered, kept for as long as the records it points to).

Minimum necessary (45 CFR 164.514(d)): each row is the MRN, name, date of birth, sex, status and, for a
merged record, the MRN it was merged into. A record flagged VIP, employee or confidential is left out
unless the policy lets the actor past its flags (the decision is taken on the clear codes before
anything of it is opened). The listing is audited as a query and the export as an export
(``patients.index_exported``), each with the number of rows and the status filter only; the export is
streamed in batches, so a million-row index is never held in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from recordroom.access.decisions import Principal, Resource, authorize
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.patients.audit_events import PatientEvent
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import Patient, PatientStatus
from recordroom.patients.permissions import PatientsPermission
from recordroom.patients.services.common import patient_resource
from recordroom.patients.services.demographics import display_name

PER_PAGE = 50
MAX_PER_PAGE = 200
EXPORT_BATCH = 1000
CSV_HEADER = ("mrn", "name", "date_of_birth", "sex", "status", "merged_into_mrn", "public_id")


@dataclass(frozen=True)
class IndexRow:
    public_id: str
    mrn: str
    name: str
    date_of_birth: str
    sex: str
    status: str
    merged_into_mrn: str

    def as_csv(self) -> tuple[str, ...]:
        return (self.mrn, self.name, self.date_of_birth, self.sex, self.status, self.merged_into_mrn, self.public_id)


@dataclass(frozen=True)
class IndexPage:
    rows: list[IndexRow]
    page: int
    pages: int
    total: int
    status: str


def _status(status: str | None) -> str:
    value = str(status or "").strip()
    if value and value not in PatientStatus.values:
        raise PatientsError(
            PatientsErrorCode.INVALID_INPUT, "The status is active, merged or inactive.", field="status"
        )
    return value


def _visible(actor: Principal, action: PatientsPermission, purpose: Purpose | None, status: str) -> QuerySet[Patient]:
    """Patients of ``status`` (all if blank) the actor may see: every unrestricted one, and the restricted
    ones the policy clears for this actor (decided one by one on their clear flags)."""
    restricted = Patient.objects.exclude(restrictions=[]).only(
        "pk", "public_id", "restrictions", "registered_by", "created_at"
    )
    cleared = [p.pk for p in restricted if authorize(actor, action.action, patient_resource(p, actor), purpose).allowed]
    query = Patient.objects.filter(Q(restrictions=[]) | Q(pk__in=cleared))
    if status:
        query = query.filter(status=status)
    return query.order_by("pk")


def _rows(patients: list[Patient]) -> list[IndexRow]:
    targets = {p.replaced_by_id for p in patients if p.replaced_by_id}
    mrns = {p.pk: p.mrn for p in Patient.objects.filter(pk__in=targets)} if targets else {}
    return [
        IndexRow(
            public_id=str(p.public_id),
            mrn=p.mrn,
            name=display_name(p),
            date_of_birth=p.date_of_birth.isoformat(),
            sex=p.administrative_sex,
            status=p.status,
            merged_into_mrn=mrns.get(p.replaced_by_id or 0, ""),
        )
        for p in patients
    ]


def list_index(
    *,
    actor: Principal,
    purpose: Purpose | None,
    status: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    request: HttpRequest | None = None,
) -> IndexPage:
    """One page of the master patient index, in registration order (``patient``/``search``)."""
    action = PatientsPermission.SEARCH_PATIENTS
    enforce(actor, action.action, Resource(ResourceType.PATIENT), purpose, request=request)
    wanted = _status(status)
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    query = _visible(actor, action, purpose, wanted)
    total = query.count()
    pages = max(1, -(-total // per_page))
    page = max(1, min(int(page), pages))
    rows = _rows(list(query[(page - 1) * per_page : page * per_page]))
    record(
        PatientEvent.INDEX_LISTED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor, request=request,
        purpose=purpose, resource_type=ResourceType.PATIENT.value,
        detail={"status": wanted or "all", "page": page, "results": len(rows)},
    )  # fmt: skip
    return IndexPage(rows=rows, page=page, pages=pages, total=total, status=wanted)


def _csv_line(values: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    # Spreadsheet formula injection (OWASP CSV injection): a cell starting with = + - @ is quoted as text.
    safe = [f"'{v}" if v[:1] in {"=", "+", "-", "@"} else v for v in values]
    csv.writer(buffer).writerow(safe)
    return buffer.getvalue()


def export_index(
    *, actor: Principal, purpose: Purpose | None, status: str | None = None, request: HttpRequest | None = None
) -> Iterator[str]:
    """The index as CSV lines (header first), streamed in batches (``patient``/``export``).

    The policy is asked and the export recorded (with its row count) before the first line is produced;
    a refusal is recorded and raised at the call, not when the stream is read.
    """
    action = PatientsPermission.EXPORT_INDEX
    resource = Resource(ResourceType.PATIENT)
    decision = enforce(actor, action.action, resource, purpose, request=request)
    wanted = _status(status)
    query = _visible(actor, action, purpose, wanted)
    total = query.count()
    record(
        PatientEvent.INDEX_EXPORTED, action=AuditAction.EXPORT, outcome=Outcome.SUCCESS, actor=actor,
        request=request, detail={"status": wanted or "all", "rows": total, "format": "csv"},
        **audit_fields(decision, resource, purpose),
    )  # fmt: skip

    def lines() -> Iterator[str]:
        yield _csv_line(CSV_HEADER)
        last = 0
        while True:  # keyset pages: constant memory whatever the index size
            batch = list(query.filter(pk__gt=last)[:EXPORT_BATCH])
            if not batch:
                return
            last = batch[-1].pk
            for row in _rows(batch):
                yield _csv_line(row.as_csv())

    return lines()


def index_filters() -> list[tuple[str, str]]:
    return [("", "All"), *[(str(v), str(label)) for v, label in PatientStatus.choices]]


__all__ = ["IndexPage", "IndexRow", "export_index", "index_filters", "list_index"]
