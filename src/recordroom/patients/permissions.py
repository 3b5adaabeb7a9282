"""Permissions the patients app declares (STYLE R4). The access policy (``access/policies/default.toml``)
decides who holds them; each member names the policy action it is checked as, on resource ``patient``."""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.vocabulary import Action


class PatientsPermission(StrEnum):
    REGISTER_PATIENT = "patients.register_patient"
    """Add a person to the master patient index (AHIMA MPI practice brief; 164.308(a)(4) access authorization)."""
    SEARCH_PATIENTS = "patients.search_patients"
    """Find patients by name, date of birth or MRN; results are the minimum necessary (164.514(d))."""
    READ_PATIENT = "patients.read_patient"
    """Open one patient's demographics (164.502(b) minimum necessary, 164.312(b) audited)."""

    @property
    def action(self) -> Action:
        return _ACTIONS[self]


_ACTIONS: dict[PatientsPermission, Action] = {
    PatientsPermission.REGISTER_PATIENT: Action.CREATE,
    PatientsPermission.SEARCH_PATIENTS: Action.SEARCH,
    PatientsPermission.READ_PATIENT: Action.READ,
}
