"""Errors of the audit trail."""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.errors import RecordroomError


class AuditErrorCode(StrEnum):
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    INVALID_FIELD = "invalid_field"
    PHI_IN_FREE_FIELD = "phi_in_free_field"
    CHAIN_HEAD_MISSING = "chain_head_missing"
    PERMISSION_DENIED = "permission_denied"


class AuditError(RecordroomError[AuditErrorCode]):
    """An error of this app; ``code`` is stable, ``message`` is for people."""
