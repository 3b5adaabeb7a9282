"""An in-memory index of one code-set version, built from its database rows once per process and kept
while the version is current (code sets change twice a year; a reload makes a new version row).

It serves the edits (code lookup, ancestors, notes) and code search: a sorted code list for prefix search,
and word postings over titles and inclusion terms with prefix and typo-tolerant matching (a token within
edit distance 1, or 2 for words of 8 letters or more, found through shared trigrams). Measured in
bench/coding.py.
"""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from recordroom.coding.models import Code, CodeSet

_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset({"of", "the", "and", "in", "to", "a", "an", "or", "for", "by", "on", "at", "as", "is", "nos"})


@dataclass(slots=True)
class Entry:
    code: str
    display: str
    title: str
    kind: str
    billable: bool
    parent: str
    terms: str
    notes: dict[str, Any]
    valid_from: date | None
    valid_to: date | None
    system: str


@dataclass
class CodeIndex:
    code_set_id: int
    system: str
    version: str
    effective_to: date
    entries: dict[str, Entry]
    ordered: list[str]
    vocabulary: list[str]
    title_postings: dict[str, set[str]]
    term_postings: dict[str, set[str]]
    trigrams: dict[str, set[str]] = field(default_factory=dict)
    derived: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Facts the edits derive per code from the notes (parsed references), kept with this version."""

    def get(self, code: str) -> Entry | None:
        return self.entries.get(code)

    def ancestors(self, code: str) -> list[Entry]:
        """The entry's parents up to the chapter, nearest first."""
        chain: list[Entry] = []
        entry = self.entries.get(code)
        seen = 0
        while entry is not None and entry.parent and seen < 12:
            entry = self.entries.get(entry.parent)
            if entry is not None:
                chain.append(entry)
            seen += 1
        return chain

    def children(self, code: str, limit: int = 12) -> list[Entry]:
        start = bisect.bisect_left(self.ordered, code)
        found: list[Entry] = []
        for candidate in self.ordered[start:]:
            if not candidate.startswith(code):
                break
            entry = self.entries[candidate]
            if entry.parent == code:
                found.append(entry)
                if len(found) >= limit:
                    break
        return found

    def seventh_characters(self, code: str) -> dict[str, str] | None:
        """The 7th-character table that applies to ``code`` (its own or its nearest ancestor's)."""
        entry = self.entries.get(code)
        if entry is None:
            return None
        for candidate in [entry, *self.ancestors(code)]:
            table = candidate.notes.get("seventh_characters")
            if table:
                return dict(table)
        return None

    def prefixed(self, prefix: str, limit: int) -> list[Entry]:
        start = bisect.bisect_left(self.ordered, prefix)
        found: list[Entry] = []
        for candidate in self.ordered[start:]:
            if not candidate.startswith(prefix):
                break
            found.append(self.entries[candidate])
            if len(found) >= limit:
                break
        return found

    def matching_tokens(self, token: str) -> list[str]:
        """Vocabulary words equal to or starting with ``token``; if none, words within a small edit
        distance (typo tolerance)."""
        start = bisect.bisect_left(self.vocabulary, token)
        found: list[str] = []
        for word in self.vocabulary[start : start + 400]:
            if not word.startswith(token):
                break
            found.append(word)
        if found or len(token) < 4:
            return found
        return self._near(token)

    def _near(self, token: str) -> list[str]:
        limit = 2 if len(token) >= 8 else 1
        counts: dict[str, int] = {}
        for gram in _trigrams(token):
            for word in self.trigrams.get(gram, ()):
                counts[word] = counts.get(word, 0) + 1
        need = max(1, len(token) - 2 - 3 * limit)
        candidates = [
            word for word, shared in counts.items() if shared >= need and abs(len(word) - len(token)) <= limit
        ]
        return [word for word in candidates if _within(token, word, limit)]


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _within(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance (with adjacent transposition) of a and b is at most ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return False
        previous_previous, previous = previous, current
    return previous[-1] <= limit


def tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


_lock = threading.Lock()
_cache: dict[tuple[int, str], CodeIndex] = {}


def index_for(code_set: CodeSet) -> CodeIndex:
    key = (code_set.pk, str(code_set.public_id))
    cached = _cache.get(key)
    if cached is not None:
        return cached
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            cached = _build(code_set)
            for stale in [k for k in _cache if k[0] == code_set.pk or len(_cache) > 8]:
                del _cache[stale]
            _cache[key] = cached
    return cached


def _build(code_set: CodeSet) -> CodeIndex:
    entries: dict[str, Entry] = {}
    title_postings: dict[str, set[str]] = {}
    term_postings: dict[str, set[str]] = {}
    rows = Code.objects.filter(code_set=code_set).values_list(
        "code", "display", "title", "kind", "billable", "parent", "terms", "notes", "valid_from", "valid_to"
    )
    for code, display, title, kind, billable, parent, terms, notes, valid_from, valid_to in rows.iterator(
        chunk_size=5000
    ):
        entries[code] = Entry(
            code, display, title, kind, billable, parent, terms, notes or {}, valid_from, valid_to, code_set.system
        )
        for token in set(tokens(title)):
            title_postings.setdefault(token, set()).add(code)
        for token in set(tokens(terms)):
            term_postings.setdefault(token, set()).add(code)
    vocabulary = sorted(set(title_postings) | set(term_postings))
    trigrams: dict[str, set[str]] = {}
    for word in vocabulary:
        if len(word) >= 3 and not word.isdigit():
            for gram in _trigrams(word):
                trigrams.setdefault(gram, set()).add(word)
    return CodeIndex(
        code_set_id=code_set.pk,
        system=code_set.system,
        version=code_set.version,
        effective_to=code_set.effective_to,
        entries=entries,
        ordered=sorted(entries),
        vocabulary=vocabulary,
        title_postings=title_postings,
        term_postings=term_postings,
        trigrams=trigrams,
    )
