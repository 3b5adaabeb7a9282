"""Audit event types of the interop app (STYLE R6). One event per synthetic-hospital run and one per
imported file, each with counts and codes only (HIPAA 164.312(b); ONC 170.315(d)(2)): never a name, a
file's content or a path that could carry a patient's name (DESIGN invariant 3)."""

from __future__ import annotations

from enum import StrEnum


class InteropEvent(StrEnum):
    SYNTHESIZED = "interop.synthesized"
    FHIR_IMPORTED = "interop.fhir_imported"
    FHIR_REJECTED = "interop.fhir_rejected"
