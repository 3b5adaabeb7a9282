"""The record indices of an HIM department: the physician index, the disease index and the procedure index.

AHIMA (*Health Information Management: Concepts, Principles, and Practice*, secondary records: indices):
the **physician index** lists each physician's cases (as attending or consultant) by encounter; the
**disease index** and **procedure index** list cases by diagnosis or procedure code, with the encounter and
dates, so cases can be pulled for studies, quality review and registries. Until the coding issue adds the
coder's final codes, the disease and procedure indices read the diagnoses and procedures reported by source
systems (``ReportedCondition``, ``ReportedProcedure``); refuted, entered-in-error and not-done rows are
left out. Cancelled encounters never happened and are left out.

An index is a report (``report``/``read`` to view, ``report``/``export`` for CSV; the HIM director in the
default policy), and it lists only records the user may read: each row's patient is decided as an
``encounter`` read, so a restricted (VIP, employee, confidential) patient is left out unless the user's
role or a per-user grant clears the restriction (164.514(d) minimum necessary). Each view is recorded as a
query with its filters and count, each export before it is produced (164.312(b)).
"""

from __future__ import annotations

import csv
import heapq
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import DateTimeField, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from recordroom.access.decisions import Decision, Resource, authorize
from recordroom.access.services import audit_fields, enforce
from recordroom.accounts.models import User
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Action, Purpose, ResourceType
from recordroom.encounters.audit_events import EncounterEvent
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import (
    CodeSystem,
    ConditionVerificationStatus,
    Encounter,
    EncounterStatus,
    ProcedureStatus,
    ReportedCondition,
    ReportedProcedure,
)
from recordroom.encounters.permissions import EncountersPermission
from recordroom.encounters.services.common import check_code
from recordroom.patients.models import Patient

MAX_SCREEN_ROWS = 500
_PREFIX = re.compile(r"[A-Za-z0-9.\-_:]{1,32}")
_ICD10CM_BARE = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{1,4}")
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


class RecordIndex(StrEnum):
    PHYSICIAN = "physician"
    DISEASE = "disease"
    PROCEDURE = "procedure"

    @property
    def label(self) -> str:
        return {"physician": "Physician index", "disease": "Disease index", "procedure": "Procedure index"}[self]


COLUMNS: dict[RecordIndex, tuple[str, ...]] = {
    RecordIndex.PHYSICIAN: (
        "Physician", "Role", "Encounter", "MRN", "Class", "Admitted", "Discharged", "Disposition", "Status",
    ),
    RecordIndex.DISEASE: (
        "Code", "Code system", "Description", "MRN", "Encounter", "Onset", "Admitted", "Discharged", "Attending",
        "Clinical status", "Source",
    ),
    RecordIndex.PROCEDURE: (
        "Code", "Code system", "Description", "MRN", "Encounter", "Performed", "Attending", "Status", "Source",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class IndexFilter:
    """What to list: a date range (inclusive, in the facility's time zone: admission date for the physician
    index, onset or performed date for the others, the encounter's admission when the source gave none),
    a code prefix and system (disease and procedure indices), one physician (physician index)."""

    start: date | None = None
    end: date | None = None
    code_prefix: str = ""
    code_system: str = ""
    physician_id: int | None = None

    def describe(self) -> dict[str, Any]:
        """The filters for the audit detail: dates, codes and ids only."""
        detail: dict[str, Any] = {}
        if self.start is not None:
            detail["start"] = self.start.isoformat()
        if self.end is not None:
            detail["end"] = self.end.isoformat()
        if self.code_prefix:
            detail["code_prefix"] = self.code_prefix
        if self.code_system:
            detail["code_system"] = self.code_system
        if self.physician_id is not None:
            detail["physician_id"] = self.physician_id
        return detail


@dataclass
class IndexPage:
    index: RecordIndex
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    truncated: bool = False


def normalize_prefix(prefix: str, code_system: str = "") -> str:
    """A code prefix in the stored form of codes: upper case for the classification systems, and an
    ICD-10-CM prefix longer than its category with the dot after the third character (``E119`` -> ``E11.9``)."""
    value = (prefix or "").strip()
    if not value:
        return ""
    if not _PREFIX.fullmatch(value):
        raise EncountersError(
            EncountersErrorCode.INVALID_CODE,
            "code_prefix must be 1 to 32 letters, digits or . - _ :",
            field="code_prefix",
        )
    if code_system in ("", "icd10cm", "icd10pcs", "cpt", "hcpcs"):
        value = value.upper()
    if code_system in ("", "icd10cm") and _ICD10CM_BARE.fullmatch(value):
        value = f"{value[:3]}.{value[3:]}"
    return value


def clean_filter(index: RecordIndex, filters: IndexFilter) -> IndexFilter:
    """Checked filters, or :class:`EncountersError` naming the field (end before start, unknown system)."""
    if filters.start is not None and filters.end is not None and filters.end < filters.start:
        raise EncountersError(EncountersErrorCode.DATE_OUT_OF_ORDER, "end is before start.", field="end")
    if filters.code_system:
        check_code(CodeSystem, filters.code_system, "code_system")
    if index is RecordIndex.PHYSICIAN and (filters.code_prefix or filters.code_system):
        raise EncountersError(
            EncountersErrorCode.INVALID_INPUT, "The physician index is not filtered by code.", field="code_prefix"
        )
    return IndexFilter(
        start=filters.start, end=filters.end, code_prefix=normalize_prefix(filters.code_prefix, filters.code_system),
        code_system=filters.code_system, physician_id=filters.physician_id,
    )  # fmt: skip


def _bounds(filters: IndexFilter) -> tuple[datetime | None, datetime | None]:
    """The date range as instants: [start 00:00, end + 1 day 00:00) in the facility's time zone."""
    zone = timezone.get_current_timezone()
    low = None if filters.start is None else datetime.combine(filters.start, time.min, tzinfo=zone)
    high = None if filters.end is None else datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=zone)
    return low, high


def _fmt(value: datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class _Visibility:
    """Whether the actor may read each row's patient, decided once for unrestricted patients and once per
    restricted patient (the user's clearances are read once)."""

    def __init__(self, actor: User, purpose: Purpose | None) -> None:
        self.actor = actor
        self.purpose = purpose
        self.open = authorize(actor, Action.READ, Resource(ResourceType.ENCOUNTER), purpose).allowed
        self.restricted: dict[int, bool] = {}

    def allows(self, patient: Patient) -> bool:
        if not patient.restrictions:
            return self.open
        known = self.restricted.get(patient.pk)
        if known is None:
            resource = Resource(ResourceType.ENCOUNTER, patient_id=patient.pk, restrictions=patient.restriction_set())
            known = authorize(self.actor, Action.READ, resource, self.purpose).allowed
            self.restricted[patient.pk] = known
        return known


def _physician_rows(filters: IndexFilter) -> Iterator[tuple[tuple[Any, ...], tuple[str, ...], Patient]]:
    low, high = _bounds(filters)
    base: QuerySet[Encounter] = Encounter.objects.exclude(status=EncounterStatus.CANCELLED)
    if low is not None:
        base = base.filter(admitted_at__gte=low)
    if high is not None:
        base = base.filter(admitted_at__lt=high)
    attending = base.select_related("attending", "patient")
    if filters.physician_id is not None:
        attending = attending.filter(attending_id=filters.physician_id)
    through = Encounter.consulting.through
    consulting = through.objects.filter(encounter__in=base.values("pk")).select_related("user", "encounter__patient")
    if filters.physician_id is not None:
        consulting = consulting.filter(user_id=filters.physician_id)

    def rows(
        pairs: Iterable[tuple[User, str, Encounter]],
    ) -> Iterator[tuple[tuple[Any, ...], tuple[str, ...], Patient]]:
        for physician, role, enc in pairs:
            values = (
                physician.display_name, role, str(enc.number), "", enc.get_encounter_class_display(),
                _fmt(enc.admitted_at), _fmt(enc.discharged_at), enc.discharge_disposition, enc.get_status_display(),
            )  # fmt: skip
            yield (enc.admitted_at, enc.pk, role), values, enc.patient

    # Physicians in name order (sorted here, so the order does not depend on the database's collation),
    # then each one's cases as attending and as consultant merged by admission time.
    ids = set(attending.values_list("attending_id", flat=True).distinct())
    ids |= set(consulting.values_list("user_id", flat=True).distinct())
    physicians = sorted(User.objects.filter(pk__in=ids), key=lambda u: (u.display_name.casefold(), u.pk))
    for physician in physicians:
        first = rows(
            (e.attending, "attending", e)
            for e in attending.filter(attending=physician).order_by("admitted_at", "pk").iterator(chunk_size=500)
        )
        second = rows(
            (t.user, "consulting", t.encounter)
            for t in consulting.filter(user=physician)
            .order_by("encounter__admitted_at", "encounter_id")
            .iterator(chunk_size=500)
        )
        yield from heapq.merge(first, second, key=lambda item: item[0])


def _coded_rows(index: RecordIndex, filters: IndexFilter) -> Iterator[tuple[tuple[Any, ...], tuple[str, ...], Patient]]:
    low, high = _bounds(filters)
    qs: QuerySet[Any]
    if index is RecordIndex.DISEASE:
        qs = ReportedCondition.objects.exclude(
            verification_status__in=(ConditionVerificationStatus.REFUTED, ConditionVerificationStatus.ENTERED_IN_ERROR)
        )
        at_field = "onset_at"
    else:
        qs = ReportedProcedure.objects.exclude(status__in=(ProcedureStatus.ENTERED_IN_ERROR, ProcedureStatus.NOT_DONE))
        at_field = "performed_at"
    qs = qs.exclude(encounter__status=EncounterStatus.CANCELLED).annotate(
        index_at=Coalesce(at_field, "encounter__admitted_at", "recorded_at", output_field=DateTimeField())
    )
    if filters.code_system:
        qs = qs.filter(code_system=filters.code_system)
    if filters.code_prefix:
        qs = qs.filter(code__startswith=filters.code_prefix)
    if low is not None:
        qs = qs.filter(index_at__gte=low)
    if high is not None:
        qs = qs.filter(index_at__lt=high)
    qs = qs.select_related("patient", "encounter", "encounter__attending").order_by("code", "index_at", "pk")
    row: Any
    values: tuple[str, ...]
    for row in qs.iterator(chunk_size=500):
        enc = row.encounter
        attending = "" if enc is None else enc.attending.display_name
        number = "" if enc is None else str(enc.number)
        if index is RecordIndex.DISEASE:
            values = (
                row.code, row.get_code_system_display(), row.display, "", number, _fmt(row.onset_at),
                "" if enc is None else _fmt(enc.admitted_at), "" if enc is None else _fmt(enc.discharged_at),
                attending, row.clinical_status, row.source,
            )  # fmt: skip
        else:
            values = (
                row.code, row.get_code_system_display(), row.display, "", number, _fmt(row.performed_at), attending,
                row.status, row.source,
            )  # fmt: skip
        yield (row.code, row.index_at, row.pk), values, row.patient


MRN_COLUMN = {RecordIndex.PHYSICIAN: 3, RecordIndex.DISEASE: 3, RecordIndex.PROCEDURE: 3}


def _visible_rows(
    index: RecordIndex, filters: IndexFilter, actor: User, purpose: Purpose | None
) -> Iterator[tuple[str, ...]]:
    """The index rows the actor may read, the MRN opened only for those."""
    visibility = _Visibility(actor, purpose)
    source = _physician_rows(filters) if index is RecordIndex.PHYSICIAN else _coded_rows(index, filters)
    column = MRN_COLUMN[index]
    for _key, values, patient in source:
        if not visibility.allows(patient):
            continue
        yield (*values[:column], str(patient.mrn), *values[column + 1 :])


def _report_resource(index: RecordIndex) -> Resource:
    return Resource(ResourceType.REPORT, id=f"{index.value}_index")


def view_index(
    *,
    actor: User,
    purpose: Purpose | None,
    index: RecordIndex,
    filters: IndexFilter,
    limit: int = MAX_SCREEN_ROWS,
    request: HttpRequest | None = None,
) -> IndexPage:
    """The first ``limit`` rows of an index for the screen (``truncated`` when there are more).

    Raises ``AccessDeniedError`` (recorded) without ``report``/``read``, or :class:`EncountersError`
    ``date_out_of_order``, ``unknown_code``, ``invalid_code`` or ``invalid_input`` for bad filters.
    """
    resource = _report_resource(index)
    decision = enforce(actor, EncountersPermission.VIEW_INDICES.action, resource, purpose, request=request)
    cleaned = clean_filter(index, filters)
    page = IndexPage(index, COLUMNS[index])
    for values in _visible_rows(index, cleaned, actor, purpose):
        if len(page.rows) >= limit:
            page.truncated = True
            break
        page.rows.append(values)
    _record(
        EncounterEvent.INDEX_VIEWED, action=AuditAction.QUERY, decision=decision, resource=resource, index=index,
        filters=cleaned, actor=actor, purpose=purpose, request=request,
        extra={"results": len(page.rows), "truncated": page.truncated},
    )  # fmt: skip
    return page


def export_index(
    *,
    actor: User,
    purpose: Purpose | None,
    index: RecordIndex,
    filters: IndexFilter,
    request: HttpRequest | None = None,
) -> Iterator[str]:
    """Every row of an index as CSV lines (a header first), produced as they are read so an export of a
    large index streams. The export is recorded, with its filters, before any row is produced.

    Raises ``AccessDeniedError`` (recorded) without ``report``/``export``, or :class:`EncountersError` for
    bad filters (as :func:`view_index`).
    """
    resource = _report_resource(index)
    decision = enforce(actor, EncountersPermission.EXPORT_INDICES.action, resource, purpose, request=request)
    cleaned = clean_filter(index, filters)
    _record(
        EncounterEvent.INDEX_EXPORTED, action=AuditAction.EXPORT, decision=decision, resource=resource, index=index,
        filters=cleaned, actor=actor, purpose=purpose, request=request, extra={"format": "csv"},
    )  # fmt: skip
    return csv_lines(COLUMNS[index], _visible_rows(index, cleaned, actor, purpose))


def _record(
    event: EncounterEvent,
    *, action: AuditAction, decision: Decision, resource: Resource, index: RecordIndex,
    filters: IndexFilter, actor: User, purpose: Purpose | None, request: HttpRequest | None, extra: dict[str, Any],
) -> None:  # fmt: skip
    record(
        event, action=action, outcome=Outcome.SUCCESS, actor=actor, request=request,
        detail={"index": index.value, **filters.describe(), **extra}, **audit_fields(decision, resource, purpose),
    )  # fmt: skip


def _cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(_CSV_FORMULA) else value


def csv_lines(columns: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> Iterator[str]:
    """CSV text, one line at a time: the header, then each row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(v) for v in row])
        yield buffer.getvalue()
