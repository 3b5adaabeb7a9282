"""Errors raised by the patients services, with a stable code per problem (STYLE R14/R15).

A message names the field or the problem, never the value typed (a name, date of birth, MRN or search
term is PHI; DESIGN invariant 3).
"""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.errors import RecordroomError


class PatientsErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    INVALID_MRN = "invalid_mrn"
    POSSIBLE_DUPLICATES = "possible_duplicates"
    NOT_FOUND = "not_found"
    IDENTIFIER_IN_USE = "identifier_in_use"
    SAME_PATIENT = "same_patient"
    RECORD_MERGED = "record_merged"
    NOT_MERGED = "not_merged"
    ALREADY_UNMERGED = "already_unmerged"
    LATER_MERGE_DEPENDS = "later_merge_depends"


class PatientsError(RecordroomError[PatientsErrorCode]):
    """An error of this app; ``code`` is stable, ``message`` is for people.

    ``field`` names the input at fault (``"date_of_birth"``, ``"address.postal_code"``);
    ``candidates`` holds the public ids of possible duplicates.
    """

    def __init__(
        self, code: PatientsErrorCode, message: str, *, field: str = "", candidates: tuple[str, ...] = ()
    ) -> None:
        super().__init__(code, message)
        self.field = field
        self.candidates = candidates
