"""Permissions the interop app declares (STYLE R4). The access policy (``access/policies/default.toml``)
decides who holds them; each member names the policy action and resource it is checked as."""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.vocabulary import Action, ResourceType


class InteropPermission(StrEnum):
    SYNTHESIZE_HOSPITAL = "interop.synthesize_hospital"
    """Fill a test or demo database with a synthetic hospital: a system administration task (164.308(a)(1)
    risk management keeps real PHI out of test systems; the synthetic records are the alternative)."""
    IMPORT_PATIENTS = "interop.import_patients"
    """Load patients from another system's FHIR export into the MPI (164.308(a)(4) access authorization)."""
    IMPORT_ENCOUNTERS = "interop.import_encounters"
    """Load the encounters, diagnoses and procedures that come with an import."""
    IMPORT_DOCUMENTS = "interop.import_documents"
    """File the documents that come with an import (the documents service checks each one again)."""

    @property
    def action(self) -> Action:
        return _RULES[self][0]

    @property
    def resource_type(self) -> ResourceType:
        return _RULES[self][1]


_RULES: dict[InteropPermission, tuple[Action, ResourceType]] = {
    InteropPermission.SYNTHESIZE_HOSPITAL: (Action.ADMINISTER, ResourceType.SYSTEM),
    InteropPermission.IMPORT_PATIENTS: (Action.CREATE, ResourceType.PATIENT),
    InteropPermission.IMPORT_ENCOUNTERS: (Action.CREATE, ResourceType.ENCOUNTER),
    InteropPermission.IMPORT_DOCUMENTS: (Action.CREATE, ResourceType.DOCUMENT_INDEX),
}
