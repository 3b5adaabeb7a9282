"""Audit event types of the access app."""

from __future__ import annotations

from enum import StrEnum


class AccessEvent(StrEnum):
    DENIED = "access.denied"
    EMERGENCY_STARTED = "access.emergency_started"
    EMERGENCY_REFUSED = "access.emergency_refused"
    EMERGENCY_ENDED = "access.emergency_ended"
    EMERGENCY_REVIEWED = "access.emergency_reviewed"
    EMERGENCY_QUEUE_VIEWED = "access.emergency_queue_viewed"
    RESTRICTION_GRANTED = "access.restriction_granted"
    RESTRICTION_REVOKED = "access.restriction_revoked"
