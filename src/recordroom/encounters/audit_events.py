"""Audit event types of the encounters app (STYLE R6): every ADT movement and correction, and each read
or list of encounters (HIPAA 164.312(b); ONC 170.315(d)(2)), the administration of units and beds, the
diagnoses and procedures reported by source systems, and each view or export of a record index or the
census. Details carry codes, ids and counts only."""

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
    CONDITION_RECORDED = "encounters.condition_recorded"
    PROCEDURE_RECORDED = "encounters.procedure_recorded"
    UNIT_CREATED = "encounters.unit_created"
    CAPACITY_CHANGED = "encounters.capacity_changed"
    BED_ADDED = "encounters.bed_added"
    BED_DEACTIVATED = "encounters.bed_deactivated"
    BED_REACTIVATED = "encounters.bed_reactivated"
    INDEX_VIEWED = "encounters.index_viewed"
    INDEX_EXPORTED = "encounters.index_exported"
    CENSUS_VIEWED = "encounters.census_viewed"
