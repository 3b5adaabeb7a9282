"""Errors raised by the documents services, with a stable code per problem (STYLE R14/R15).

A message names the field or the rule broken, never a patient's name, a title or any document text
(DESIGN invariant 3). When one is raised nothing has been written.
"""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.errors import RecordroomError


class DocumentsErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    UNKNOWN_DOCUMENT_TYPE = "unknown_document_type"
    UNKNOWN_SOURCE = "unknown_source"
    NOT_FOUND = "not_found"
    PATIENT_NOT_ACTIVE = "patient_not_active"
    ENCOUNTER_MISMATCH = "encounter_mismatch"
    DOCUMENT_SIGNED = "document_signed"
    NOT_SIGNED = "not_signed"
    ALREADY_SIGNED = "already_signed"
    ALREADY_COSIGNED = "already_cosigned"
    NOT_THE_AUTHOR = "not_the_author"
    SAME_SIGNER = "same_signer"
    EMPTY_CONTENT = "empty_content"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA = "unsupported_media"
    ENCRYPTED_PDF = "encrypted_pdf"
    DAMAGED_FILE = "damaged_file"
    NOT_INDEXABLE = "not_indexable"
    SEARCH_TOO_SHORT = "search_too_short"
    AMENDMENT_CLOSED = "amendment_closed"
    DEADLINE_PASSED = "deadline_passed"
    ALREADY_EXTENDED = "already_extended"
    INVALID_BASIS = "invalid_basis"


class DocumentsError(RecordroomError[DocumentsErrorCode]):
    """An error of this app; ``code`` is stable, ``message`` is for people, ``field`` names the input at
    fault (``"document_type"``, ``"content"``)."""

    def __init__(self, code: DocumentsErrorCode, message: str, *, field: str = "") -> None:
        super().__init__(code, message)
        self.field = field
