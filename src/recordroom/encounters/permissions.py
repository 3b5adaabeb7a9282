"""Permissions the encounters app declares (STYLE R4). The access policy (``access/policies/default.toml``)
decides who holds them; each member names the policy action it is checked as, on the resource of
:data:`RESOURCES` (``encounter`` unless listed there)."""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.vocabulary import Action, ResourceType


class EncountersPermission(StrEnum):
    ADMIT_PATIENT = "encounters.admit_patient"
    """Open an encounter (admission or registration of a visit); 164.308(a)(4) access authorization."""
    RECORD_MOVEMENT = "encounters.record_movement"
    """Transfer, discharge, cancel a movement or add a consulting physician on an open encounter."""
    SEARCH_ENCOUNTERS = "encounters.search_encounters"
    """List a patient's encounters (164.514(d) minimum necessary, 164.312(b) audited)."""
    READ_ENCOUNTER = "encounters.read_encounter"
    """Open one encounter and its ADT history (164.312(b) audited)."""
    RECORD_REPORTED_CODES = "encounters.record_reported_codes"
    """Record a diagnosis or procedure a source system reported for a patient (interfaces, import)."""
    ADMINISTER_UNITS = "encounters.administer_units"
    """Set up units, their licensed and staffed bed counts over time, and beds (resource ``facility``)."""
    VIEW_INDICES = "encounters.view_indices"
    """View the physician, disease and procedure indices (resource ``report``; AHIMA record indices)."""
    EXPORT_INDICES = "encounters.export_indices"
    """Export a record index as CSV (resource ``report``, audited as an export, 164.312(b))."""
    VIEW_CENSUS = "encounters.view_census"
    """Read a unit's census at an instant (resource ``report``; the reports issue's occupancy statistics)."""

    @property
    def resource_type(self) -> ResourceType:
        return RESOURCES.get(self, ResourceType.ENCOUNTER)

    @property
    def action(self) -> Action:
        return _ACTIONS[self]


_ACTIONS: dict[EncountersPermission, Action] = {
    EncountersPermission.ADMIT_PATIENT: Action.CREATE,
    EncountersPermission.RECORD_MOVEMENT: Action.UPDATE,
    EncountersPermission.SEARCH_ENCOUNTERS: Action.SEARCH,
    EncountersPermission.READ_ENCOUNTER: Action.READ,
    EncountersPermission.RECORD_REPORTED_CODES: Action.UPDATE,
    EncountersPermission.ADMINISTER_UNITS: Action.ADMINISTER,
    EncountersPermission.VIEW_INDICES: Action.READ,
    EncountersPermission.EXPORT_INDICES: Action.EXPORT,
    EncountersPermission.VIEW_CENSUS: Action.READ,
}

RESOURCES: dict[EncountersPermission, ResourceType] = {
    EncountersPermission.ADMINISTER_UNITS: ResourceType.FACILITY,
    EncountersPermission.VIEW_INDICES: ResourceType.REPORT,
    EncountersPermission.EXPORT_INDICES: ResourceType.REPORT,
    EncountersPermission.VIEW_CENSUS: ResourceType.REPORT,
}
