"""Errors raised by the encounters services, with a stable code per problem (STYLE R14/R15).

A message names the field or the rule broken, never a patient's name or a typed value (DESIGN invariant 3).
When one is raised nothing has been written.
"""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.errors import RecordroomError


class EncountersErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    UNKNOWN_CODE = "unknown_code"
    TIME_IN_FUTURE = "time_in_future"
    TIME_OUT_OF_ORDER = "time_out_of_order"
    ENCOUNTER_CLOSED = "encounter_closed"
    BED_OCCUPIED = "bed_occupied"
    BED_UNAVAILABLE = "bed_unavailable"
    NOT_A_PHYSICIAN = "not_a_physician"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_FOUND = "not_found"
    INVALID_CODE = "invalid_code"
    ALREADY_EXISTS = "already_exists"
    DATE_OUT_OF_ORDER = "date_out_of_order"


class EncountersError(RecordroomError[EncountersErrorCode]):
    """An error of this app; ``code`` is stable, ``message`` is for people, ``field`` names the input at
    fault (``"discharged_at"``, ``"bed"``)."""

    def __init__(self, code: EncountersErrorCode, message: str, *, field: str = "") -> None:
        super().__init__(code, message)
        self.field = field
