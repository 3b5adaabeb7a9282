"""User-supplied licensed or published reference files: CPT (AMA-licensed; Recordroom ships none) and the
MS-DRG relative weights of CMS IPPS Final Rule Table 5.

CPT file format (UTF-8 CSV with a header row, documented in docs/decisions/0008-code-sets.md):

    code,short_title,long_title,effective_from,effective_to
    99213,Office/outpatient visit est,Office or other outpatient visit ...,2026-01-01,2026-12-31

``code`` is five characters: five digits (Category I), or four digits and F (Category II) or T (Category III).
CPT versions follow the calendar year. A file that breaks any rule is refused whole, naming the line, and
nothing is saved (one transaction).

Weights file format: the CSV of CMS Table 5 with at least the columns ``MS-DRG``, ``Weights``,
``Geometric mean LOS`` and ``Arithmetic mean LOS`` (and ``MS-DRG Title``), as CMS publishes it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.coding.audit_events import CodingEvent
from recordroom.coding.errors import CodingError, CodingErrorCode
from recordroom.coding.models import Code, CodeSet, CodeSystem, DrgWeight

CPT_COLUMNS = ("code", "short_title", "long_title", "effective_from", "effective_to")
_CPT = re.compile(r"^(?:[0-9]{5}|[0-9]{4}[FT])$")
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class CptLoad:
    version: str
    codes: int

    def as_dict(self) -> dict[str, object]:
        return {"system": "cpt", "version": self.version, "codes": self.codes}


def _read_rows(path: Path, code: CodingErrorCode) -> list[dict[str, str]]:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CodingError(code, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]
    except FileNotFoundError:
        raise CodingError(code, "the file does not exist") from None
    except UnicodeDecodeError:
        raise CodingError(code, "the file is not UTF-8 text (a CSV file is expected)") from None
    except csv.Error as exc:
        raise CodingError(code, f"the file is not a readable CSV file ({exc})") from None


def load_cpt(path: Path, *, version: str = "") -> CptLoad:
    """Load a licensed CPT file; refused whole on any bad line."""
    rows = _read_rows(path, CodingErrorCode.CPT_FORMAT)
    if not rows or any(column not in rows[0] for column in CPT_COLUMNS):
        raise CodingError(
            CodingErrorCode.CPT_FORMAT,
            f"a CPT file is a CSV with the header {','.join(CPT_COLUMNS)} and at least one code",
        )
    seen: set[str] = set()
    starts: set[date] = set()
    ends: set[date] = set()
    objects: list[tuple[str, str, str, date, date]] = []
    for number, row in enumerate(rows, start=2):
        code = row["code"].upper()
        if not _CPT.match(code):
            raise CodingError(CodingErrorCode.CPT_FORMAT, f"line {number}: code is not a CPT code (5 characters)")
        if code in seen:
            raise CodingError(CodingErrorCode.CPT_FORMAT, f"line {number}: code {code} appears twice")
        if not row["long_title"]:
            raise CodingError(CodingErrorCode.CPT_FORMAT, f"line {number}: long_title is empty")
        try:
            first, last = date.fromisoformat(row["effective_from"]), date.fromisoformat(row["effective_to"])
        except ValueError:
            raise CodingError(CodingErrorCode.CPT_FORMAT, f"line {number}: effective dates are YYYY-MM-DD") from None
        if last < first:
            raise CodingError(CodingErrorCode.CPT_FORMAT, f"line {number}: effective_to is before effective_from")
        seen.add(code)
        starts.add(first)
        ends.add(last)
        objects.append((code, row["short_title"], row["long_title"], first, last))
    label = version or f"CPT {min(starts).year}"
    with transaction.atomic():
        CodeSet.objects.filter(system=CodeSystem.CPT, version=label).delete()
        code_set = CodeSet.objects.create(
            system=CodeSystem.CPT,
            version=label,
            effective_from=min(starts),
            effective_to=max(ends),
            source=f"user-supplied licensed file {path.name}",
            code_count=len(objects),
            billable_count=len(objects),
        )
        Code.objects.bulk_create(
            [
                Code(
                    code_set=code_set,
                    code=code,
                    display=code,
                    title=long_title,
                    terms=short_title,
                    kind="code",
                    billable=True,
                    valid_from=first,
                    valid_to=last,
                )
                for code, short_title, long_title, first, last in objects
            ],
            batch_size=5000,
        )
        record(
            CodingEvent.CPT_LOADED,
            action=AuditAction.CREATE,
            outcome=Outcome.SUCCESS,
            resource_type="code_set",
            resource_id=str(code_set.public_id),
            detail={"codes": len(objects)},
        )
    return CptLoad(label, len(objects))


def _decimal(value: str, line: int, column: str) -> Decimal:
    try:
        return Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise CodingError(CodingErrorCode.WEIGHTS_FORMAT, f"line {line}: {column} is not a number") from None


def load_weights(path: Path, *, grouper_version: int) -> int:
    """Load CMS Table 5 (MS-DRG weights, GMLOS, AMLOS) for one grouper version; refused whole on any bad line."""
    rows = _read_rows(path, CodingErrorCode.WEIGHTS_FORMAT)
    needed = ("MS-DRG", "Weights", "Geometric mean LOS", "Arithmetic mean LOS")
    if not rows or any(column not in rows[0] for column in needed):
        raise CodingError(CodingErrorCode.WEIGHTS_FORMAT, f"a Table 5 CSV has the columns {', '.join(needed)}")
    objects: list[DrgWeight] = []
    for number, row in enumerate(rows, start=2):
        if not row["MS-DRG"].isdigit():
            raise CodingError(CodingErrorCode.WEIGHTS_FORMAT, f"line {number}: MS-DRG is not a number")
        objects.append(
            DrgWeight(
                grouper_version=grouper_version,
                drg=int(row["MS-DRG"]),
                weight=_decimal(row["Weights"], number, "Weights"),
                gmlos=_decimal(row["Geometric mean LOS"], number, "Geometric mean LOS"),
                amlos=_decimal(row["Arithmetic mean LOS"], number, "Arithmetic mean LOS"),
                title=row.get("MS-DRG Title", ""),
                source=path.name[:200],
            )
        )
    if len({o.drg for o in objects}) != len(objects):
        raise CodingError(CodingErrorCode.WEIGHTS_FORMAT, "an MS-DRG appears twice")
    with transaction.atomic():
        DrgWeight.objects.filter(grouper_version=grouper_version).delete()
        DrgWeight.objects.bulk_create(objects)
        record(
            CodingEvent.WEIGHTS_LOADED,
            action=AuditAction.CREATE,
            outcome=Outcome.SUCCESS,
            resource_type="drg_weights",
            resource_id=str(grouper_version),
            detail={"drgs": len(objects)},
        )
    return len(objects)
