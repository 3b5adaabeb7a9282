"""Permissions the encounters app declares (STYLE R4). The access policy (``access/policies/default.toml``)
decides who holds them; each member names the policy action it is checked as, on resource ``encounter``."""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.vocabulary import Action


class EncountersPermission(StrEnum):
    ADMIT_PATIENT = "encounters.admit_patient"
    """Open an encounter (admission or registration of a visit); 164.308(a)(4) access authorization."""
    RECORD_MOVEMENT = "encounters.record_movement"
    """Transfer, discharge, cancel a movement or add a consulting physician on an open encounter."""
    SEARCH_ENCOUNTERS = "encounters.search_encounters"
    """List a patient's encounters (164.514(d) minimum necessary, 164.312(b) audited)."""
    READ_ENCOUNTER = "encounters.read_encounter"
    """Open one encounter and its ADT history (164.312(b) audited)."""

    @property
    def action(self) -> Action:
        return _ACTIONS[self]


_ACTIONS: dict[EncountersPermission, Action] = {
    EncountersPermission.ADMIT_PATIENT: Action.CREATE,
    EncountersPermission.RECORD_MOVEMENT: Action.UPDATE,
    EncountersPermission.SEARCH_ENCOUNTERS: Action.SEARCH,
    EncountersPermission.READ_ENCOUNTER: Action.READ,
}
