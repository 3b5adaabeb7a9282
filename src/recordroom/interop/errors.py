"""Errors raised by the interop services, with a stable code per problem (STYLE R14/R15).

A message names the file, the line or entry and the rule broken, never a value from the record (a name or
a date of birth is PHI; DESIGN invariant 3). When one is raised for a file, nothing of that file is kept.
"""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.errors import RecordroomError


class InteropErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    ALREADY_SYNTHESIZED = "already_synthesized"
    NOT_FOUND = "not_found"
    NOT_JSON = "not_json"
    NOT_A_BUNDLE = "not_a_bundle"
    INVALID_RESOURCE = "invalid_resource"
    UNRESOLVED_REFERENCE = "unresolved_reference"
    UNSUPPORTED = "unsupported"


class InteropError(RecordroomError[InteropErrorCode]):
    """An error of this app; ``code`` is stable, ``message`` is for people; ``where`` says which file and
    line or entry (``"bundle.json entry 12"``), ``field`` the element at fault."""

    def __init__(self, code: InteropErrorCode, message: str, *, where: str = "", field: str = "") -> None:
        super().__init__(code, f"{where}: {message}" if where else message)
        self.where = where
        self.field = field
