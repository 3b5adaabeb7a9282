"""Errors raised by the coding services, with a stable code per problem (STYLE R14/R15). A message names
the field at fault (``diagnoses[2].code``) and what was expected."""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.errors import RecordroomError


class CodingErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    NO_CODE_SET = "no_code_set"
    CODE_SET_SOURCE = "code_set_source"
    CPT_FORMAT = "cpt_format"
    WEIGHTS_FORMAT = "weights_format"
    GROUPER_VERSION = "grouper_version"


class CodingError(RecordroomError[CodingErrorCode]):
    """An error of this app; ``field`` names the input at fault (``"discharge_date"``)."""

    def __init__(self, code: CodingErrorCode, message: str, *, field: str = "") -> None:
        super().__init__(code, message)
        self.field = field
