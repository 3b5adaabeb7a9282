"""Audit event types of the encounters app (STYLE R6): every ADT movement and correction, and each read
or list of encounters (HIPAA 164.312(b); ONC 170.315(d)(2)). Details carry codes and ids only."""

from __future__ import annotations

from enum import StrEnum


class EncounterEvent(StrEnum):
    ADMITTED = "encounters.admitted"
    TRANSFERRED = "encounters.transferred"
    DISCHARGED = "encounters.discharged"
    EVENT_CANCELLED = "encounters.event_cancelled"
    CONSULTANT_ADDED = "encounters.consultant_added"
    LISTED = "encounters.listed"
    VIEWED = "encounters.viewed"
