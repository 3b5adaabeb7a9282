"""Audit event types of the coding app (STYLE R6). Code sets are not PHI: loading one, or a licensed CPT
file, is recorded as an operations event; edits and grouping over an encounter submitted by an
authenticated user are recorded with counts and the DRG only (never codes tied to a person, never dates)."""

from __future__ import annotations

from enum import StrEnum


class CodingEvent(StrEnum):
    CODE_SET_LOADED = "coding.code_set_loaded"
    CPT_LOADED = "coding.cpt_loaded"
    WEIGHTS_LOADED = "coding.weights_loaded"
    ENCOUNTER_VALIDATED = "coding.encounter_validated"
    ENCOUNTER_GROUPED = "coding.encounter_grouped"
