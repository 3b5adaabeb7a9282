"""Name search over blind-index tokens: exact tokens and Double Metaphone codes, each a keyed HMAC, so the
master patient index can rank candidates without decrypting a single name (HIPAA 164.312(a)(2)(iv);
164.514(d) minimum necessary: only the candidates' rows are opened afterwards).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from recordroom.vault.blind_index import name_digests
from recordroom.vault.models import SearchToken

MAX_RESULTS = 100


@dataclass(frozen=True)
class NameMatch:
    row_id: uuid.UUID
    exact_tokens: int
    phonetic_tokens: int


@transaction.atomic
def index_name(*, scope: str, row_id: uuid.UUID, names: Iterable[str]) -> int:
    """Replace the search tokens of one row's name(s) (e.g. given and family name, aliases) in ``scope``
    (e.g. ``"patients.patient.name"``); returns how many tokens it holds now."""
    exact: set[str] = set()
    phonetic: set[str] = set()
    for name in names:
        if name:
            more_exact, more_phonetic = name_digests(name)
            exact |= more_exact
            phonetic |= more_phonetic
    SearchToken.objects.filter(scope=scope, row_id=row_id).delete()
    SearchToken.objects.bulk_create(
        [SearchToken(scope=scope, row_id=row_id, digest=d, phonetic=False) for d in sorted(exact)]
        + [SearchToken(scope=scope, row_id=row_id, digest=d, phonetic=True) for d in sorted(phonetic)]
    )
    return len(exact) + len(phonetic)


def forget_name(*, scope: str, row_id: uuid.UUID) -> int:
    """Remove a row's search tokens (merge, disposal); returns how many were removed."""
    deleted, _ = SearchToken.objects.filter(scope=scope, row_id=row_id).delete()
    return deleted


def search_name(*, scope: str, query: str, phonetic: bool = True, limit: int = 20) -> list[NameMatch]:
    """Rows whose name shares tokens with ``query``: most exact tokens first, then most phonetic ones.

    The caller opens only the returned rows to confirm and display them.
    """
    exact, sounds = name_digests(query)
    wanted = exact | (sounds if phonetic else set())
    if not wanted:
        return []
    rows = (
        SearchToken.objects.filter(scope=scope, digest__in=wanted)
        .filter(Q(phonetic=False) if not phonetic else Q())
        .values("row_id")
        .annotate(
            exact=Count("id", filter=Q(phonetic=False, digest__in=exact)),
            sounds=Count("id", filter=Q(phonetic=True, digest__in=sounds)),
        )
        .order_by("-exact", "-sounds", "row_id")[: min(limit, MAX_RESULTS)]
    )
    return [NameMatch(row_id=r["row_id"], exact_tokens=r["exact"], phonetic_tokens=r["sounds"]) for r in rows]
