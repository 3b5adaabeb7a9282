"""Events the audit app itself records: reading the trail is itself audited (ONC 170.315(d)(3))."""

from __future__ import annotations

from enum import StrEnum


class AuditTrailEvent(StrEnum):
    VIEWED = "audit.trail_viewed"
    EXPORTED = "audit.trail_exported"
    VERIFIED = "audit.chain_verified"


class SystemEvent(StrEnum):
    """Operator actions through the ``recordroom`` command (STYLE R12: commands act as a named user or
    the system actor, and that is audited)."""

    COMMAND_RUN = "system.command_run"
