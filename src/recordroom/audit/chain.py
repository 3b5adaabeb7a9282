"""The hash chain: ``h_n = SHA-256(h_{n-1} || canonical(entry_n))`` (RULES.md 8.2 (d)(2)).

The canonical form is the event's fields in a fixed order, as text, joined by the ASCII unit separator
(which no field may contain). ``record()`` and ``verify`` build it the same way: verify reads the
columns already cast to text by SQL, so a whole row hashes with one join and one SHA-256 call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

SEPARATOR = "\x1f"

# Column order of the canonical form; the hash column comes last in every SELECT built from this.
CHAIN_COLUMNS: tuple[str, ...] = (
    "seq",
    "event_us",
    "event_type",
    "action",
    "outcome",
    "actor_id",
    "actor_roles",
    "on_behalf_of",
    "resource_type",
    "resource_id",
    "patient_id",
    "data_category",
    "purpose",
    "emergency",
    "source_ip",
    "user_agent",
    "session_id",
    "request_id",
    "detail",
)
_INTEGER_COLUMNS = {"seq", "event_us", "actor_id", "patient_id"}


def select_as_text(table: str) -> str:
    """``SELECT <chain columns as text>, hash FROM table``: the same text on SQLite and PostgreSQL."""
    parts = []
    for column in CHAIN_COLUMNS:
        if column in _INTEGER_COLUMNS:
            parts.append(f"COALESCE(CAST({column} AS TEXT), '')")
        elif column == "emergency":
            parts.append("CAST(CAST(emergency AS INTEGER) AS TEXT)")
        else:
            parts.append(column)
    return f"SELECT {', '.join(parts)}, hash FROM {table}"  # noqa: S608  (fixed column names)


def canonical_text(values: Sequence[str]) -> str:
    return SEPARATOR.join(values)


def link(previous_hash: str, canonical: str) -> str:
    return hashlib.sha256((previous_hash + canonical).encode("utf-8")).hexdigest()
