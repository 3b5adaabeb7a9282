"""Code search for coders: by code prefix (dotted or not, any case) or by words in titles and inclusion
terms, tolerant of typos, over the code sets in force on a date. Each result says whether the code is
billable (a header is not: Guideline I.A.3, "only codes may be reported, not categories"), and carries its
notes and 7th-character table.

Code sets are not PHI, so a search is not recorded as a PHI access; it is still refused (and the refusal
recorded) for a user the policy grants no ``coding`` search (deny by default, 164.308(a)(4)).
"""

from __future__ import annotations

import functools
import heapq
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest

from recordroom.access.decisions import Resource
from recordroom.access.services import enforce
from recordroom.coding.errors import CodingError, CodingErrorCode
from recordroom.coding.models import CodeSet, CodeSystem
from recordroom.coding.permissions import CodingPermission
from recordroom.coding.services import mce
from recordroom.coding.services.index import CodeIndex, Entry, index_for, tokens
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, ResourceType

MAX_LIMIT = 100
DEFAULT_LIMIT = 25
MAX_QUERY = 100
NOTE_LABELS = (
    ("inclusion_terms", "Inclusion terms"),
    ("includes", "Includes"),
    ("excludes1", "Excludes1 (not coded here)"),
    ("excludes2", "Excludes2 (not included here)"),
    ("code_first", "Code first"),
    ("use_additional", "Use additional code"),
    ("code_also", "Code also"),
    ("notes", "Notes"),
    ("seventh_character_note", "7th characters"),
    ("not_reportable", "Not reportable"),
)
_CODE_QUERY = re.compile(r"^[A-Za-z0-9]{1,3}(?:\.?[A-Za-z0-9]{0,4})$")


@dataclass(frozen=True)
class CodeResult:
    system: str
    code: str
    display: str
    title: str
    kind: str
    billable: bool
    notes: dict[str, Any]
    seventh_characters: dict[str, str] | None
    valid_from: date | None
    valid_to: date | None
    version: str
    mce: tuple[str, ...] = ()

    def note_items(self) -> list[tuple[str, list[str]]]:
        """The tabular notes as (label, lines) in the order a coder reads them (for the screen)."""
        return [(label, list(self.notes[key])) for key, label in NOTE_LABELS if self.notes.get(key)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "code": self.display,
            "code_undotted": self.code,
            "title": self.title,
            "kind": self.kind,
            "billable": self.billable,
            "notes": self.notes,
            "seventh_characters": self.seventh_characters,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "code_set": self.version,
            "mce": list(self.mce),
        }


def search_codes(
    *,
    actor: Any,
    query: str,
    on: date | None = None,
    system: str = "",
    limit: int = DEFAULT_LIMIT,
    request: HttpRequest | None = None,
) -> list[CodeResult]:
    enforce(
        actor,
        CodingPermission.SEARCH_CODES.action,
        Resource(type=ResourceType.CODING),
        Purpose.OPERATIONS,
        request=request,
    )
    return find_codes(query=query, on=on, system=system, limit=limit)


def indexes_in_force(on: date, system: str = "") -> list[CodeIndex]:
    sets = CodeSet.objects.filter(effective_from__lte=on, effective_to__gte=on).order_by("system", "-effective_from")
    if system:
        sets = sets.filter(system=system)
    chosen: dict[str, CodeSet] = {}
    for code_set in sets:
        chosen.setdefault(code_set.system, code_set)
    return [index_for(code_set) for code_set in chosen.values()]


def newest_indexes(system: str = "") -> list[CodeIndex]:
    sets = CodeSet.objects.order_by("system", "-effective_to", "-pk")
    if system:
        sets = sets.filter(system=system)
    chosen: dict[str, CodeSet] = {}
    for code_set in sets:
        chosen.setdefault(code_set.system, code_set)
    return [index_for(code_set) for code_set in chosen.values()]


def find_codes(*, query: str, on: date | None = None, system: str = "", limit: int = DEFAULT_LIMIT) -> list[CodeResult]:
    """The search itself (no policy: callers enforce). ``system`` is one of CodeSystem or empty for all."""
    text = (query or "").strip()
    if not text:
        raise CodingError(CodingErrorCode.INVALID_INPUT, "type a code or words to search for", field="q")
    if len(text) > MAX_QUERY:
        raise CodingError(CodingErrorCode.INVALID_INPUT, f"a search is at most {MAX_QUERY} characters", field="q")
    if system and system not in CodeSystem.values:
        raise CodingError(
            CodingErrorCode.INVALID_INPUT, f"system is one of {', '.join(CodeSystem.values)}", field="system"
        )
    limit = max(1, min(int(limit), MAX_LIMIT))
    day = on or clock.now().date()
    indexes = indexes_in_force(day, system)
    if not indexes and on is None:
        # No release is in force today (e.g. the next fiscal year's is not loaded yet): search the newest
        # loaded one; each result names its code set.
        indexes = newest_indexes(system)
        day = min((i.effective_to for i in indexes), default=day)
    if not indexes:
        raise CodingError(
            CodingErrorCode.NO_CODE_SET,
            f"no code set is loaded for {day.isoformat()}: run `recordroom coding load`",
            field="on",
        )
    results: list[tuple[CodeIndex, Entry]] = []
    if _CODE_QUERY.match(text) and any(ch.isdigit() for ch in text):
        prefix = text.upper().replace(".", "")
        for index in indexes:
            results.extend((index, entry) for entry in index.prefixed(prefix, limit))
        results.sort(key=lambda pair: (pair[1].code != prefix, pair[1].code))
    if not results:
        results = _word_search(indexes, text, limit)
    return [_result(index, entry, day) for index, entry in results[:limit]]


def _word_search(indexes: list[CodeIndex], text: str, limit: int) -> list[tuple[CodeIndex, Entry]]:
    """Codes whose title or inclusion terms hold every word (or a prefix or near spelling of it). The rarest
    word gives the candidates; the others filter them, so common words (right, initial) cost little."""
    words = tokens(text)
    if not words:
        return []
    ranked: list[tuple[tuple[int, int, int, str], CodeIndex, Entry]] = []
    for index in indexes:
        per_word: list[tuple[list[set[str]], list[set[str]]]] = []
        for word in words:
            variants = index.matching_tokens(word)
            titles = [index.title_postings[v] for v in variants if v in index.title_postings]
            terms = [index.term_postings[v] for v in variants if v in index.term_postings]
            if not titles and not terms:
                per_word = []
                break
            per_word.append((titles, terms))
        if not per_word:
            continue
        per_word.sort(key=lambda sets: sum(len(x) for x in sets[0]) + sum(len(x) for x in sets[1]))
        first_titles, first_terms = per_word[0]
        candidates: set[str] = set().union(*first_titles, *first_terms)
        title_hits: set[str] = set().union(*first_titles)
        for titles, terms in per_word[1:]:
            candidates = {c for c in candidates if any(c in x for x in titles) or any(c in x for x in terms)}
            title_hits = {c for c in title_hits if any(c in x for x in titles)}
            if not candidates:
                break
        rank = functools.partial(_rank, index.entries, title_hits)
        ranked.extend((rank(code), index, index.entries[code]) for code in heapq.nsmallest(limit, candidates, key=rank))
    ranked.sort(key=lambda item: item[0])
    return [(index, entry) for _rank, index, entry in ranked[:limit]]


def _rank(entries: dict[str, Entry], title_hits: set[str], code: str) -> tuple[int, int, int, str]:
    """Words found in the title first, then reportable codes, then shorter (more general) titles."""
    entry = entries[code]
    return (0 if code in title_hits else 1, 0 if entry.billable else 1, len(entry.title), code)


def _result(index: CodeIndex, entry: Entry, day: date) -> CodeResult:
    mce_flags = mce.code_flags(entry.code, day) if entry.system == CodeSystem.ICD10CM and entry.billable else ()
    seventh = index.seventh_characters(entry.code) if entry.system == CodeSystem.ICD10CM else None
    return CodeResult(
        system=entry.system,
        code=entry.code,
        display=entry.display,
        title=entry.title,
        kind=entry.kind,
        billable=entry.billable,
        notes=entry.notes,
        seventh_characters=seventh if (seventh and not entry.billable) else None,
        valid_from=entry.valid_from,
        valid_to=entry.valid_to,
        version=index.version,
        mce=mce_flags,
    )
