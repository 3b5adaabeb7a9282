"""The Medicare Code Editor and the MS-DRG grouper of ``msdrg`` (MIT; validated claim by claim against the CMS
Java MCE 2.0 and grouper). We use its MCE rather than re-writing those edits (issue 7): its age, sex,
manifestation, unacceptable-principal and questionable-admission lists are CMS's, versioned with the package
data, and applied by discharge date (the sex edit, MCE edit 5, is applied only to discharges before
2024-10-01, when CMS deactivated it).

The MCE reports each edit with a count but not the code; we find the code by editing single-code claims for
the codes that could have caused it (a claim with only that code as principal, or the principal with only
that procedure). One process keeps one editor and one grouper (native contexts; the grouper is not
documented as thread-safe, so calls to it are serialised).
"""

from __future__ import annotations

import atexit
import functools
import threading
from datetime import date
from typing import Any

import msdrg

_lock = threading.Lock()
_group_lock = threading.Lock()
_editor: msdrg.MceEditor | None = None
_grouper: msdrg.MsdrgGrouper | None = None

# MCE edits that are about the principal diagnosis itself.
PDX_EDITS = frozenset(
    {
        "E_CODE_AS_PDX",
        "MANIFESTATION_AS_PDX",
        "UNACCEPTABLE_PDX",
        "QUESTIONABLE_ADMISSION",
        "QUESTIONABLE_OBSTETRIC_ADMISSION",
        "NONSPECIFIC_PDX",
    }
)
# MCE edits that may come from any diagnosis or procedure code.
CODE_EDITS = frozenset({"INVALID_CODE", "AGE_CONFLICT", "SEX_CONFLICT"})
PROCEDURE_EDITS = frozenset(
    {"NON_COVERED", "LIMITED_COVERAGE", "BILATERAL", "OPEN_BIOPSY", "WRONG_PROCEDURE_PERFORMED", "NONSPECIFIC_OR"}
)


class GroupingFailed(Exception):
    """msdrg refused a claim (e.g. a principal diagnosis it does not know)."""


def editor() -> msdrg.MceEditor:
    global _editor  # noqa: PLW0603 - one native context per process
    if _editor is None:
        with _lock:
            if _editor is None:
                _editor = msdrg.MceEditor()
    return _editor


def grouper() -> msdrg.MsdrgGrouper:
    global _grouper  # noqa: PLW0603 - one native context per process
    if _grouper is None:
        with _lock:
            if _grouper is None:
                _grouper = msdrg.MsdrgGrouper()
    return _grouper


@atexit.register
def _close() -> None:
    """Free the native contexts before the interpreter tears down (msdrg warns from __del__ otherwise)."""
    for native in (_editor, _grouper):
        if native is not None:
            native.close()


def group(claim: dict[str, Any]) -> dict[str, Any]:
    native = grouper()
    with _group_lock:
        try:
            result: dict[str, Any] = dict(native.group(claim))  # type: ignore[arg-type]
        except (RuntimeError, ValueError) as exc:
            raise GroupingFailed(str(exc)) from None
    return result


def _yyyymmdd(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _claim(day: int, age: int, sex: int, status: int, pdx: str, sdx: tuple[str, ...], pr: tuple[str, ...]) -> Any:  # noqa: PLR0917 - the MCE claim's fields, cached positionally
    return {
        "discharge_date": day,
        "age": age,
        "sex": sex,
        "discharge_status": status,
        "pdx": {"code": pdx},
        "sdx": [{"code": c} for c in sdx],
        "procedures": [{"code": c} for c in pr],
    }


@functools.lru_cache(maxsize=65536)
def _edit(  # noqa: PLR0917 - lru_cache keys on positional fields
    day: int, age: int, sex: int, status: int, pdx: str, sdx: tuple[str, ...], pr: tuple[str, ...]
) -> dict[str, int]:
    result = editor().edit(_claim(day, age, sex, status, pdx, sdx, pr))
    return {str(item["name"]): int(item["count"]) for item in result.get("edits", [])}


def is_manifestation(code: str, day: date) -> bool:
    """The MCE "manifestation code as principal diagnosis" list (MCE edit 6; Guideline I.A.13)."""
    return "MANIFESTATION_AS_PDX" in _edit(_yyyymmdd(day), 40, 2, 1, code, (), ())


_AGE_PROBES = (0, 16, 70)
_AGE_CATEGORY = {
    (False, True, True): "newborn (age 0)",
    (False, False, True): "pediatric (age 0-17)",
    (True, False, True): "maternity (age 9-64)",
    (True, False, False): "adult (age 15-124)",
}


@functools.lru_cache(maxsize=8192)
def code_flags(code: str, day: date) -> tuple[str, ...]:
    """What the MCE says of one diagnosis code on ``day``, for a coder reading it in search: its age
    category (MCE edit 4, found by editing the code at ages 0, 16 and 70) and the principal-diagnosis edits
    it triggers (MCE edits 2, 6, 8 and 9)."""
    when = _yyyymmdd(day)
    fired = [_edit(when, age, 2, 1, code, (), ()) for age in _AGE_PROBES]
    flags: list[str] = []
    age = _AGE_CATEGORY.get(tuple("AGE_CONFLICT" in result for result in fired))  # type: ignore[arg-type]
    if age:
        flags.append(f"MCE age edit: {age}")
    labels = {
        "E_CODE_AS_PDX": "external cause: never principal (MCE 2)",
        "MANIFESTATION_AS_PDX": "manifestation: never principal (MCE 6)",
        "UNACCEPTABLE_PDX": "unacceptable as principal diagnosis (MCE 9)",
        "QUESTIONABLE_ADMISSION": "questionable admission as principal (MCE 8)",
    }
    flags.extend(label for name, label in labels.items() if name in fired[1])
    return tuple(flags)


def run_mce(
    *, day: date, age: int, sex: int, status: int, pdx: str, sdx: list[str], procedures: list[str]
) -> dict[str, list[str]]:
    """MCE edit name -> the codes that caused it (empty when it could not be placed on one code)."""
    when = _yyyymmdd(day)
    fired = _edit(when, age, sex, status, pdx, tuple(sdx), tuple(procedures))
    placed: dict[str, list[str]] = {}
    baseline = _edit(when, age, sex, status, pdx, (), ()) if fired else {}
    for name in fired:
        if name in PDX_EDITS or name == "DUPLICATE_OF_PDX":
            placed[name] = [pdx]
        elif name in CODE_EDITS:
            codes = [code for code in dict.fromkeys([pdx, *sdx]) if name in _edit(when, age, sex, status, code, (), ())]
            codes += [
                code
                for code in dict.fromkeys(procedures)
                if _edit(when, age, sex, status, pdx, (), (code,)).get(name, 0) > baseline.get(name, 0)
            ]
            placed[name] = codes
        else:
            placed[name] = [
                code
                for code in dict.fromkeys(procedures)
                if _edit(when, age, sex, status, pdx, (), (code,)).get(name, 0) > baseline.get(name, 0)
            ]
    return placed
